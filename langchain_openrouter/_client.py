"""How a LangChain object finds its shared OpenRouter client.

Model objects are cheap and recreated often (``bind_tools``, agents, chains), so
they never own a connection: they describe their configuration as a hashable
:class:`~openrouter_core.pool.ClientSettings` and look the clients up in the
process-wide pool on every call (a dict lookup).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import SecretStr

from openrouter_core.capabilities import CapabilityPolicy
from openrouter_core.config import SecretKey
from openrouter_core.pool import ClientSettings, SharedClients, shared_clients

__all__ = ["build_settings", "clients_for"]


def build_settings(
    *,
    api_key: SecretStr | None,
    base_url: str | None,
    timeout: float | None,
    max_retries: int,
    app_url: str | None = None,
    app_title: str | None = None,
    app_categories: Sequence[str] | None = None,
    default_headers: Mapping[str, str] | None = None,
    capability_check: CapabilityPolicy = "error",
) -> ClientSettings:
    """The pool key for one configuration (the key stays wrapped in a ``SecretKey``)."""
    key = api_key.get_secret_value() if api_key is not None else ""
    return ClientSettings(
        api_key=SecretKey(key) if key else None,
        base_url=base_url or None,
        timeout=timeout,
        max_retries=max_retries,
        app_url=app_url,
        app_title=app_title,
        app_categories=tuple(app_categories or ()),
        extra_headers=tuple(sorted((default_headers or {}).items())),
        capability_check=capability_check,
    )


def clients_for(settings: ClientSettings) -> SharedClients:
    """The shared sync/async clients and catalog for ``settings``."""
    return shared_clients(settings)
