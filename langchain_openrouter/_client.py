"""How a LangChain object finds its shared OpenRouter clients.

Model objects are cheap and recreated often (``bind_tools``, agents, chains), so
they never own a connection: they hand their settings to
:func:`openrouter_core.shared_clients_for` (the same function the LlamaIndex
adapter uses) on every call, which memoises the resulting
:class:`~openrouter_core.Settings` and returns the pooled clients.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from pydantic import SecretStr

from openrouter_core import SharedClients, shared_clients_for

__all__ = ["clients_for"]


def clients_for(
    *,
    api_key: SecretStr | None,
    base_url: str | None,
    timeout: float | None,
    max_retries: int,
    app_url: str | None = None,
    app_title: str | None = None,
    app_categories: Sequence[str] | None = None,
    default_headers: Mapping[str, str] | None = None,
    **more: Any,
) -> SharedClients:
    """The shared sync/async clients and catalog of one configuration."""
    return shared_clients_for(
        api_key=api_key.get_secret_value() if api_key is not None else None,
        base_url=base_url or None,
        timeout=timeout,
        max_retries=max_retries,
        app_url=app_url,
        app_title=app_title,
        app_categories=tuple(app_categories or ()),
        headers=dict(default_headers or {}),
        **more,
    )
