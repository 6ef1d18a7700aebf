"""Shared clients for framework adapters.

A LangChain or LlamaIndex model object is cheap and often recreated (one per
agent node, per ``bind_tools``...). Creating an HTTP client for each would
waste connections and the catalog. :func:`shared_clients` hands out one sync
client per configuration, one async client per configuration *and event loop*
(an ``httpx.AsyncClient`` must not cross loops), and one catalog for both.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

from .async_client import AsyncOpenRouterClient
from .capabilities import CapabilityPolicy
from .catalog import Catalog
from .client import OpenRouterClient
from .config import BASE_URL_ENV, DEFAULT_BASE_URL, SecretKey
from .routing import CooldownRegistry

__all__ = ["ClientSettings", "SharedClients", "shared_clients"]


@dataclass(frozen=True)
class ClientSettings:
    """The hashable configuration that identifies a shared client."""

    api_key: SecretKey | None = None
    base_url: str | None = None
    timeout: float | None = None
    max_retries: int = 2
    app_url: str | None = None
    app_title: str | None = None
    app_categories: tuple[str, ...] = ()
    extra_headers: tuple[tuple[str, str], ...] = ()
    capability_check: CapabilityPolicy = "error"
    allow_insecure_http: bool = False

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "api_key": self.api_key,
            "base_url": self.base_url,
            "timeout": self.timeout,
            "max_retries": self.max_retries,
            "app_url": self.app_url,
            "app_title": self.app_title,
            "app_categories": self.app_categories,
            "extra_headers": dict(self.extra_headers),
            "capability_check": self.capability_check,
            "allow_insecure_http": self.allow_insecure_http,
        }


@dataclass
class SharedClients:
    """The clients and catalog behind one :class:`ClientSettings`."""

    settings: ClientSettings
    cooldowns: CooldownRegistry = field(default_factory=CooldownRegistry)
    _sync: OpenRouterClient | None = None
    _async: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, AsyncOpenRouterClient] = field(
        default_factory=weakref.WeakKeyDictionary
    )
    _catalog: Catalog | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            with self._lock:
                if self._catalog is None:
                    base = (
                        self.settings.base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
                    )
                    self._catalog = Catalog(
                        fetch=lambda: self.sync.list_models_raw(),
                        afetch=lambda: self.async_client().list_models_raw(),
                        cache_key=base,
                    )
        return self._catalog

    @property
    def sync(self) -> OpenRouterClient:
        if self._sync is None:
            catalog = self.catalog
            with self._lock:
                if self._sync is None:
                    self._sync = OpenRouterClient(
                        **self.settings.client_kwargs(), catalog=catalog, cooldowns=self.cooldowns
                    )
        return self._sync

    def async_client(self) -> AsyncOpenRouterClient:
        """The async client of the running event loop."""
        loop = asyncio.get_running_loop()
        client = self._async.get(loop)
        if client is None:
            client = AsyncOpenRouterClient(
                **self.settings.client_kwargs(), catalog=self.catalog, cooldowns=self.cooldowns
            )
            self._async[loop] = client
        return client


_registry: dict[ClientSettings, SharedClients] = {}
_registry_lock = threading.Lock()


def shared_clients(settings: ClientSettings) -> SharedClients:
    """The process-wide :class:`SharedClients` for ``settings``."""
    found = _registry.get(settings)
    if found is None:
        with _registry_lock:
            found = _registry.setdefault(settings, SharedClients(settings))
    return found
