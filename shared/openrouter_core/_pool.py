"""Shared clients for framework adapters: one per settings, bounded, fork-safe, and
closed with their event loop.

A LangChain or LlamaIndex model object is cheap and often recreated (one per agent
node, per ``bind_tools``...), so it never owns a connection: it looks up the
:class:`SharedClients` of its :class:`~openrouter_core.Settings` here (a dict lookup).

* **Bounded.** At most :data:`MAX_SHARED` settings are kept (least recently used
  first out; ``$OPENROUTER_MAX_SHARED_CLIENTS``); an evicted entry's clients are
  closed once their in-flight requests end. An app with one key per user keeps a
  flat footprint. The catalog is not per entry: it belongs to its source.
* **Per event loop.** An ``httpx.AsyncClient`` must not cross loops, so each loop
  gets its own, closed when the loop shuts down (``asyncio.run`` per request
  leaves no sockets behind).
* **Fork-safe.** A child process after ``fork()`` starts with an empty pool and
  never touches the parent's connections.
* **Closable.** :func:`close_shared_clients` / :func:`aclose_shared_clients` close
  everything; a closed client is replaced on the next lookup.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections import OrderedDict
from collections.abc import AsyncGenerator
from typing import Any

from ._async.client import AsyncOpenRouterClient
from ._base_client import catalog_sources
from ._sync.client import OpenRouterClient
from .catalog import Catalog, shared_catalog
from .routing import CooldownRegistry, FallbackPolicy
from .settings import (
    API_BASE_ENV,
    API_KEY_ENV,
    APP_TITLE_ENV,
    APP_URL_ENV,
    BASE_URL_ENV,
    CATALOG_URL_ENV,
    Settings,
)

__all__ = [
    "MAX_SHARED",
    "SharedClients",
    "aclose_shared_clients",
    "close_shared_clients",
    "shared_clients",
    "shared_clients_for",
]

MAX_SHARED = int(os.environ.get("OPENROUTER_MAX_SHARED_CLIENTS", "64") or 64)


class _LoopClient:
    """An async client and the async generator that closes it when its loop shuts
    down (``loop.shutdown_asyncgens()``, which ``asyncio.run`` calls)."""

    __slots__ = ("client", "closer", "loop")

    def __init__(self, loop: asyncio.AbstractEventLoop, client: AsyncOpenRouterClient) -> None:
        self.loop = loop
        self.client = client
        self.closer = _start_closer(client)


def _start_closer(client: AsyncOpenRouterClient) -> AsyncGenerator[None, None]:
    async def closer() -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            with contextlib.suppress(Exception):
                await client.aclose()

    generator = closer()
    # Creating the first step registers the generator with the running loop (its
    # asyncgen hooks); running that step to the ``yield`` arms the ``finally``.
    step = generator.__anext__()
    with contextlib.suppress(StopIteration):
        step.send(None)
    return generator


class SharedClients:
    """The sync client and the per-loop async clients of one :class:`Settings`."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.fallback_policy = FallbackPolicy()
        self.cooldowns = CooldownRegistry(self.fallback_policy.cooldown_seconds)
        self._sync: OpenRouterClient | None = None
        self._async: dict[asyncio.AbstractEventLoop, _LoopClient] = {}
        self._lock = threading.Lock()

    @property
    def catalog(self) -> Catalog:
        """The catalog of these settings' catalog source (shared across keys)."""
        return shared_catalog(catalog_sources(self.settings)[0][0])

    def _make(self, cls: type[Any]) -> Any:
        return cls(
            self.settings,
            catalog=self.catalog,
            cooldowns=self.cooldowns,
            fallback_policy=self.fallback_policy,
        )

    @property
    def sync(self) -> OpenRouterClient:
        """The sync client (a new one if the last was closed)."""
        client = self._sync
        if client is None or client.is_closed:
            with self._lock:
                client = self._sync
                if client is None or client.is_closed:
                    client = self._sync = self._make(OpenRouterClient)
        return client

    def async_client(self) -> AsyncOpenRouterClient:
        """The async client of the running event loop (a new one if it was closed)."""
        loop = asyncio.get_running_loop()
        entry = self._async.get(loop)
        if entry is not None and not entry.client.is_closed:
            return entry.client
        with self._lock:
            for other in [lp for lp in self._async if lp.is_closed()]:
                del self._async[other]
            entry = self._async[loop] = _LoopClient(loop, self._make(AsyncOpenRouterClient))
        return entry.client

    @property
    def in_flight(self) -> int:
        """Requests in flight on these clients."""
        count = self._sync._slots.in_use if self._sync is not None else 0
        return count + sum(e.client._slots.in_use for e in list(self._async.values()))

    def close(self) -> None:
        """Close the sync client now and every async client on its own loop."""
        with self._lock:
            sync, self._sync = self._sync, None
            entries, self._async = list(self._async.values()), {}
        if sync is not None:
            sync.close()
        for entry in entries:
            _close_on_loop(entry)

    async def aclose(self) -> None:
        """Close everything; the running loop's async client is awaited."""
        running = asyncio.get_running_loop()
        with self._lock:
            sync, self._sync = self._sync, None
            entries, self._async = list(self._async.values()), {}
        if sync is not None:
            sync.close()
        for entry in entries:
            if entry.loop is running:
                await entry.client.aclose()
            else:
                _close_on_loop(entry)


def _close_on_loop(entry: _LoopClient) -> None:
    """Close an async client from outside its loop, as far as that is possible."""
    loop = entry.loop
    if loop.is_closed():
        return  # closed with its loop already (or its sockets go with the loop)
    if loop.is_running():
        with contextlib.suppress(RuntimeError):
            asyncio.run_coroutine_threadsafe(entry.client.aclose(), loop)
        return
    with contextlib.suppress(RuntimeError):
        loop.run_until_complete(entry.client.aclose())


_registry: OrderedDict[Settings, SharedClients] = OrderedDict()
_retiring: list[SharedClients] = []
_registry_lock = threading.Lock()


def shared_clients(settings: Settings) -> SharedClients:
    """The process-wide :class:`SharedClients` of ``settings``."""
    found = _registry.get(settings)
    if found is not None:
        return found
    with _registry_lock:
        found = _registry.get(settings)
        if found is None:
            found = _registry[settings] = SharedClients(settings)
            while len(_registry) > MAX_SHARED:
                _, evicted = _registry.popitem(last=False)
                _retiring.append(evicted)
            _retire_idle()
        else:
            _registry.move_to_end(settings)
    return found


_settings_memo: OrderedDict[tuple[Any, ...], Settings] = OrderedDict()


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return tuple(sorted((k, _frozen(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return tuple(_frozen(v) for v in value)
    return value


def _memo_key(fields: dict[str, Any]) -> Any:
    """A hashable key of ``fields``: as given when every value is hashable (the usual
    case, a few microseconds cheaper per call), else with containers frozen."""
    key = tuple(fields.items())
    try:
        hash(key)
    except TypeError:
        return _frozen(fields)
    return key


def _environment_read(fields: dict[str, Any]) -> tuple[str | None, ...]:
    """The environment variables ``Settings.build(**fields)`` reads, and only those
    (reading the environment is the costly part of a lookup)."""
    env = os.environ
    read: list[str | None] = []
    if fields.get("api_key") is None:
        read.append(env.get(API_KEY_ENV))
    if not fields.get("base_url"):
        read += (env.get(BASE_URL_ENV), env.get(API_BASE_ENV))
    if not fields.get("catalog_url"):
        read.append(env.get(CATALOG_URL_ENV))
    if not fields.get("app_url"):
        read.append(env.get(APP_URL_ENV))
    if not fields.get("app_title"):
        read.append(env.get(APP_TITLE_ENV))
    return tuple(read)


def shared_clients_for(**fields: Any) -> SharedClients:
    """The shared clients of the settings ``Settings.build(**fields)`` gives: the one
    way both framework adapters get their clients. The built settings are memoised
    (keyed on the fields and the environment they read), so a lookup per call is
    a few dict operations."""
    key = (_memo_key(fields), _environment_read(fields))
    settings = _settings_memo.get(key)
    if settings is None:
        settings = Settings.build(**fields)
        with _registry_lock:
            _settings_memo[key] = settings
            while len(_settings_memo) > 4 * MAX_SHARED:
                _settings_memo.popitem(last=False)
    return shared_clients(settings)


def _retire_idle() -> None:
    """Close evicted entries that have no request in flight (the others later)."""
    for entry in list(_retiring):
        if entry.in_flight == 0:
            _retiring.remove(entry)
            entry.close()


def close_shared_clients() -> None:
    """Close every shared client of this process (sync; async ones on their loops).

    Framework objects keep working: the next call opens new clients."""
    with _registry_lock:
        entries = [*_registry.values(), *_retiring]
        _registry.clear()
        _retiring.clear()
    for entry in entries:
        entry.close()


async def aclose_shared_clients() -> None:
    """Async :func:`close_shared_clients`: the running loop's clients are awaited."""
    with _registry_lock:
        entries = [*_registry.values(), *_retiring]
        _registry.clear()
        _retiring.clear()
    for entry in entries:
        await entry.aclose()


def _after_fork_in_child() -> None:
    # The parent's clients and sockets are not ours: forget them without closing
    # (closing would disturb the parent's connections) and start afresh.
    global _registry_lock
    _registry_lock = threading.Lock()
    _registry.clear()
    _retiring.clear()
    _settings_memo.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
