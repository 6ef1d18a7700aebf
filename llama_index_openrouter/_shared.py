"""What the LLM and the embedding model share: finding the pooled clients.

Model objects are cheap and recreated often, so they never own a connection:
they hand their settings to :func:`openrouter_core.shared_clients_for` (the same
function the LangChain adapter uses) on every call, which memoises the
resulting :class:`~openrouter_core.Settings` and returns the pooled clients.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from typing import Any

from openrouter_core import SharedClients, shared_clients_for
from openrouter_core.settings import (
    API_BASE_ENV,
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
)

__all__ = ["clients_for", "resolve_api_base", "resolve_api_key"]


def resolve_api_key(value: str | None) -> str | None:
    """The key given, else ``$OPENROUTER_API_KEY`` (``None`` if neither: the client
    then raises a ``ConfigurationError`` when a request is sent, not before)."""
    return value or os.environ.get(API_KEY_ENV) or None


def resolve_api_base(value: str | None) -> str:
    """The base URL given, else ``$OPENROUTER_BASE_URL`` / ``$OPENROUTER_API_BASE``,
    else OpenRouter's."""
    url = value or os.environ.get(BASE_URL_ENV) or os.environ.get(API_BASE_ENV)
    return (url or DEFAULT_BASE_URL).rstrip("/")


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
    **more: Any,
) -> SharedClients:
    """The shared sync/async clients and catalog of one configuration."""
    return shared_clients_for(
        api_key=api_key,
        base_url=api_base or None,
        timeout=timeout,
        max_retries=max_retries,
        app_url=app_url,
        app_title=app_title,
        app_categories=tuple(app_categories or ()),
        headers=dict(default_headers or {}),
        **more,
    )
