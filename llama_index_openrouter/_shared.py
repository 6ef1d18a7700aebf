"""What the LLM and the embedding model share: finding the pooled clients.

Model objects are cheap and recreated often, so they never own a connection:
they describe their configuration as a hashable
:class:`~openrouter_core.pool.ClientSettings` and look the clients up in the
process-wide pool on every call (a dict lookup).
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence

from openrouter_core.capabilities import CapabilityPolicy
from openrouter_core.config import API_KEY_ENV, BASE_URL_ENV, DEFAULT_BASE_URL, SecretKey
from openrouter_core.pool import ClientSettings, SharedClients, shared_clients

__all__ = ["clients_for", "resolve_api_base", "resolve_api_key"]


def resolve_api_key(value: str | None) -> str | None:
    """The key given, else ``$OPENROUTER_API_KEY`` (``None`` if neither: the client
    then raises a ``ConfigurationError`` when a request is sent, not before)."""
    return value or os.environ.get(API_KEY_ENV) or None


def resolve_api_base(value: str | None) -> str:
    """The base URL given, else ``$OPENROUTER_BASE_URL``, else OpenRouter's."""
    return (value or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL).rstrip("/")


def clients_for(
    *,
    api_key: str | None,
    api_base: str | None,
    timeout: float | None,
    max_retries: int,
    app_url: str | None = None,
    app_title: str | None = None,
    app_categories: Sequence[str] | None = None,
    default_headers: Mapping[str, str] | None = None,
    capability_check: CapabilityPolicy = "error",
) -> SharedClients:
    """The shared sync/async clients and catalog of one configuration."""
    settings = ClientSettings(
        api_key=SecretKey(api_key) if api_key else None,
        base_url=api_base or None,
        timeout=timeout,
        max_retries=max_retries,
        app_url=app_url,
        app_title=app_title,
        app_categories=tuple(app_categories or ()),
        extra_headers=tuple(sorted(default_headers.items())) if default_headers else (),
        capability_check=capability_check,
    )
    return shared_clients(settings)
