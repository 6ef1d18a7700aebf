"""How a LangChain object checks its connection settings and finds its shared
OpenRouter clients.

Model objects are cheap and recreated often (``bind_tools``, agents, chains), so
they never own a connection: they hand their settings to
:func:`openrouter_core.shared_clients_for` (the same function the LlamaIndex
adapter uses) on every call, which memoises the resulting
:class:`~openrouter_core.Settings` and returns the pooled clients. Every class
here names its connection fields alike (``openrouter_api_key``,
``openrouter_api_base``, ``max_retries``, the attribution headers,
``default_headers``, ``rate_limit``, ``max_concurrent_requests``), so both
functions read them off the object.
"""

from __future__ import annotations

from typing import Any

from openrouter_core import SharedClients, shared_clients_for
from openrouter_core.settings import (
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    missing_key_error,
    validate_base_url,
)

__all__ = ["check_connection", "clients_of"]


def check_connection(obj: Any) -> None:
    """At construction, after validation (so the errors are ours and never echo the
    input): a key is needed, and the base URL must be one we can send it to."""
    key = obj.openrouter_api_key
    if not key or not key.get_secret_value():
        raise missing_key_error()
    if obj.openrouter_api_base:
        validate_base_url(obj.openrouter_api_base, allow_insecure_http=True)


def clients_of(obj: Any, *, timeout: float | None, **more: Any) -> SharedClients:
    """The shared sync/async clients and catalog of ``obj``'s configuration; ``more``
    holds the settings only some classes have (``capability_check``, ...)."""
    key = obj.openrouter_api_key
    return shared_clients_for(
        api_key=key.get_secret_value() if key is not None else None,
        base_url=obj.openrouter_api_base or None,
        timeout=timeout,
        max_retries=obj.max_retries,
        app_url=obj.app_url,
        app_title=obj.app_title,
        app_categories=tuple(obj.app_categories or ()),
        headers=tuple(obj.default_headers.items()) if obj.default_headers else None,
        rate_limit=obj.rate_limit,
        max_concurrent_requests=obj.max_concurrent_requests or DEFAULT_MAX_CONCURRENT_REQUESTS,
        **more,
    )
