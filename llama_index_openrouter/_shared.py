"""What the LLM and the embedding model share: finding the pooled clients.

Model objects are cheap and recreated often, so they never own a connection:
they hand their settings to :func:`openrouter_core.shared_clients_for` (the same
function the LangChain adapter uses) on every call, which memoises the
resulting :class:`~openrouter_core.Settings` and returns the pooled clients.

An object given its own ``httpx`` client (``http_client=`` / ``async_http_client=``)
keeps it in an :class:`OwnHTTP`: core clients built on the caller's ``httpx``
client, used for that object's requests only (the pooled clients are shared by
every object of the same settings, so they cannot carry one caller's transport).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Protocol

import httpx

from openrouter_core import (
    AsyncOpenRouterClient,
    Catalog,
    ConfigurationError,
    OpenRouterClient,
    SharedClients,
    shared_clients_for,
)
from openrouter_core.settings import (
    API_BASE_ENV,
    API_KEY_ENV,
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
)

__all__ = ["ClientSource", "OwnHTTP", "clients_of", "resolve_api_base", "resolve_api_key"]


def resolve_api_key(value: str | None) -> str | None:
    """The key given, else ``$OPENROUTER_API_KEY`` (``None`` if neither: the client
    then raises a ``ConfigurationError`` when a request is sent, not before)."""
    return value or os.environ.get(API_KEY_ENV) or None


def resolve_api_base(value: str | None) -> str:
    """The base URL given, else ``$OPENROUTER_BASE_URL`` / ``$OPENROUTER_API_BASE``,
    else OpenRouter's."""
    url = value or os.environ.get(BASE_URL_ENV) or os.environ.get(API_BASE_ENV)
    return (url or DEFAULT_BASE_URL).rstrip("/")


def clients_of(obj: Any) -> SharedClients:
    """The shared sync/async clients and catalog of ``obj``'s configuration. Every
    class here names its connection fields alike (``api_key``, ``api_base``,
    ``timeout``, ``max_retries``, the attribution headers, ``default_headers``,
    ``capability_check``, ``rate_limit``, ``max_concurrent_requests``), so they are read
    off the object."""
    return shared_clients_for(
        api_key=obj.api_key,
        base_url=obj.api_base or None,
        timeout=obj.timeout,
        max_retries=obj.max_retries,
        app_url=obj.app_url,
        app_title=obj.app_title,
        app_categories=tuple(obj.app_categories or ()),
        headers=tuple(obj.default_headers.items()) if obj.default_headers else None,
        capability_check=obj.capability_check,
        rate_limit=obj.rate_limit,
        max_concurrent_requests=obj.max_concurrent_requests,
    )


class ClientSource(Protocol):
    """Where an adapter object gets its clients: :class:`~openrouter_core.SharedClients`
    or an :class:`OwnHTTP`'s dedicated ones."""

    @property
    def sync(self) -> OpenRouterClient: ...

    def async_client(self) -> AsyncOpenRouterClient: ...

    @property
    def catalog(self) -> Catalog: ...


class OwnHTTP:
    """A caller's own ``httpx`` clients and the core clients built on them.

    The core clients use the caller's ``httpx`` client as given (the URL and
    headers, the key included, go on each request; the client itself is never
    modified or closed) and share the pooled clients' catalog and model cooldowns.
    They are rebuilt when the object's settings change. Copies of the object share
    them; a pickle leaves them out (connections cannot cross processes): the loaded
    object uses the pooled clients.
    """

    __slots__ = ("_async", "_lock", "_settings", "_sync", "async_http_client", "http_client")

    def __init__(
        self,
        http_client: httpx.Client | None = None,
        async_http_client: httpx.AsyncClient | None = None,
    ) -> None:
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise ConfigurationError(
                f"http_client must be an httpx.Client, got {type(http_client).__name__}"
                + (
                    " (pass it as async_http_client)"
                    if isinstance(http_client, httpx.AsyncClient)
                    else ""
                )
            )
        if async_http_client is not None and not isinstance(async_http_client, httpx.AsyncClient):
            raise ConfigurationError(
                "async_http_client must be an httpx.AsyncClient, got "
                f"{type(async_http_client).__name__}"
            )
        self.http_client = http_client
        self.async_http_client = async_http_client
        self._lock = threading.Lock()
        self._settings: Any = None
        self._sync: OpenRouterClient | None = None
        self._async: AsyncOpenRouterClient | None = None

    def __bool__(self) -> bool:
        return self.http_client is not None or self.async_http_client is not None

    def __copy__(self) -> OwnHTTP:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> OwnHTTP:
        return self

    def __reduce__(self) -> tuple[type[OwnHTTP], tuple[()]]:
        return (OwnHTTP, ())

    def __repr__(self) -> str:
        return (
            f"OwnHTTP(http_client={self.http_client!r}, "
            f"async_http_client={self.async_http_client!r})"
        )

    def _check(self, shared: SharedClients) -> None:
        if self._settings != shared.settings:
            self._settings = shared.settings
            self._sync = self._async = None

    def sync(self, shared: SharedClients) -> OpenRouterClient:
        """The sync client: on the caller's ``httpx.Client``, else the pooled one."""
        if self.http_client is None:
            return shared.sync
        with self._lock:
            self._check(shared)
            if self._sync is None:
                self._sync = OpenRouterClient(
                    shared.settings,
                    http_client=self.http_client,
                    catalog=shared.catalog,
                    cooldowns=shared.cooldowns,
                    fallback_policy=shared.fallback_policy,
                )
            return self._sync

    def async_client(self, shared: SharedClients) -> AsyncOpenRouterClient:
        """The async client: on the caller's ``httpx.AsyncClient``, else the pooled one
        of the running event loop."""
        if self.async_http_client is None:
            return shared.async_client()
        with self._lock:
            self._check(shared)
            if self._async is None:
                self._async = AsyncOpenRouterClient(
                    shared.settings,
                    http_client=self.async_http_client,
                    catalog=shared.catalog,
                    cooldowns=shared.cooldowns,
                    fallback_policy=shared.fallback_policy,
                )
            return self._async

    def clients(self, shared: SharedClients) -> ClientSource:
        """The clients of one object: its own transport where it gave one."""
        return _Dedicated(self, shared)


class _Dedicated:
    """:class:`ClientSource` of an object with its own ``httpx`` client(s)."""

    __slots__ = ("_own", "_shared")

    def __init__(self, own: OwnHTTP, shared: SharedClients) -> None:
        self._own = own
        self._shared = shared

    @property
    def sync(self) -> OpenRouterClient:
        return self._own.sync(self._shared)

    def async_client(self) -> AsyncOpenRouterClient:
        return self._own.async_client(self._shared)

    @property
    def catalog(self) -> Catalog:
        return self._shared.catalog
