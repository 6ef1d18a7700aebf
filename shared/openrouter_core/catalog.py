"""The model catalog: the source of truth for capabilities, prices and fallbacks.

A :class:`Catalog` holds OpenRouter's ``/models`` entries. It is filled from the
freshest copy at hand, in this order: memory, the disk cache (one file per
catalog source), the network, then the snapshot bundled in the package. Nothing
is loaded at construction:

* :meth:`Catalog.current` (used when binding tools, choosing a structured-output
  method, filling a model profile or LlamaIndex ``metadata``) never touches the
  network: it loads the memory, disk or bundled copy;
* :meth:`Catalog.ensure` / :meth:`Catalog.aensure` (used before a request) refresh a
  stale catalog from the network when it answers, and otherwise keep the stale
  copy, saying so once. A failed refresh is not retried for
  :data:`RETRY_FAILED_REFRESH_AFTER` seconds, doubled after each further failure
  up to the TTL, so an offline process (or one behind a proxy that cannot reach
  the catalog) does not pay a network timeout on every call; while one caller
  refreshes a copy fetched before (or any copy after a failed refresh), the others
  go on with it instead of waiting.

An empty reply is never taken as the truth, and a ``fetched_at`` in the future
counts as stale. Unknown ids are refused (with the closest ids) only against a
live catalog fetched within its TTL; against the snapshot or a stale copy they
are sent with one warning naming the catalog's date, as models appear daily.

One catalog is shared per catalog source (:func:`shared_catalog`), whatever the
key: many keys of one app share one copy in memory and on disk.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
import warnings
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal

from ._catalog_queries import CatalogQueries
from ._catalog_store import (
    CACHE_DIR_ENV,
    CatalogWarning,
    DiskCache,
    default_cache_dir,
    parse_models,
)
from .capabilities import CapabilityPolicy
from .errors import OpenRouterError, UnknownModelError
from .model_ids import closest_ids, is_router, split_variant
from .settings import PUBLIC_CATALOG_URL
from .types.catalog import ModelInfo

__all__ = [
    "CACHE_DIR_ENV",
    "Catalog",
    "CatalogUnavailableError",
    "CatalogWarning",
    "default_cache_dir",
    "parse_models",
    "shared_catalog",
]

log = logging.getLogger("openrouter_core.catalog")

Origin = Literal["none", "live", "disk", "snapshot", "fixed"]
#: Seconds before a failed refresh is tried again.
RETRY_FAILED_REFRESH_AFTER = 60.0
#: A catalog fetch is best effort (the copy at hand serves when it fails): its timeouts are
#: capped at this many seconds and it is not retried, so a catalog source that cannot
#: be reached (a firewall that drops packets) costs one request seconds, not minutes.
CATALOG_FETCH_TIMEOUT = 5.0


class CatalogUnavailableError(OpenRouterError):
    """No catalog could be had: not from memory, disk, the network nor the bundled
    snapshot (only when the snapshot is switched off)."""


class Catalog(CatalogQueries):
    """Model facts from OpenRouter's ``/models``.

    Args:
        fetch: returns the raw ``/models`` JSON (default fetcher for :meth:`ensure`).
        afetch: the same, as a coroutine (for :meth:`aensure`).
        ttl: seconds a fetched catalog stays fresh.
        cache_dir: where the disk copy lives; ``None`` disables it; default
            :func:`default_cache_dir`.
        cache_key: the catalog source (its URL): one disk file per source.
        clock: wall clock (tests pass a fake one).
        snapshot: fall back to the bundled snapshot when nothing else is at hand.
    """

    def __init__(
        self,
        fetch: Callable[[], Any] | None = None,
        afetch: Callable[[], Awaitable[Any]] | None = None,
        *,
        ttl: float = 3600.0,
        cache_dir: Path | str | Literal["default"] | None = "default",
        cache_key: str = PUBLIC_CATALOG_URL,
        clock: Callable[[], float] = time.time,
        snapshot: bool = True,
    ) -> None:
        self._fetch = fetch
        self._afetch = afetch
        self._client_ref: weakref.ReferenceType[Any] | None = None
        self._client_kind = "chat"
        self.ttl = ttl
        self.source = cache_key
        self._clock = clock
        self._use_snapshot = snapshot
        directory = default_cache_dir() if cache_dir == "default" else cache_dir
        self._disk = DiskCache(Path(directory) if directory else None, cache_key)
        self._models: dict[str, ModelInfo] = {}
        self._by_slug: dict[str, ModelInfo] = {}
        self._fetched_at: float | None = None
        self.origin: Origin = "none"
        self._failed_at: float | None = None
        self._failures = 0
        self._said_stale = False
        self._warned_ids: set[str] = set()
        self._lock = threading.Lock()
        #: How many network refreshes happened (tests and diagnostics).
        self.refresh_count = 0
        _live.add(self)

    @property
    def cache_path(self) -> Path | None:
        return self._disk.path

    def adopt_fetcher(self, client: Any, kind: str = "chat") -> None:
        """Fetch through ``client.load_catalog_payload(kind)`` when ``ensure()`` is
        called without a fetcher (held weakly: a shared catalog never keeps a client
        alive). The most recent client to ask wins."""
        self._client_ref = weakref.ref(client)
        self._client_kind = kind

    def _adopted(self, is_async: bool) -> Any:
        client = self._client_ref() if self._client_ref is not None else None
        if client is None or bool(getattr(client, "is_async", False)) != is_async:
            return None
        kind = self._client_kind
        return lambda: client.load_catalog_payload(kind)

    def _default_fetch(self) -> Callable[[], Any] | None:
        if self._fetch is not None:
            return self._fetch
        fetch: Callable[[], Any] | None = self._adopted(is_async=False)
        return fetch

    def _default_afetch(self) -> Callable[[], Awaitable[Any]] | None:
        if self._afetch is not None:
            return self._afetch
        fetch: Callable[[], Awaitable[Any]] | None = self._adopted(is_async=True)
        return fetch

    # ------------------------------------------------------------------ construction helpers

    @classmethod
    def from_models(cls, models: Iterable[ModelInfo | Mapping[str, Any]]) -> Catalog:
        """A fixed catalog (no network, no disk, always fresh): for tests and offline use."""
        catalog = cls(cache_dir=None, ttl=float("inf"), snapshot=False)
        catalog._install(
            [m if isinstance(m, ModelInfo) else ModelInfo.model_validate(m) for m in models],
            catalog._clock(),
            "fixed",
        )
        return catalog

    # ------------------------------------------------------------------ freshness

    @property
    def fetched_at(self) -> float | None:
        """When the models in memory were fetched (epoch seconds)."""
        return self._fetched_at

    @property
    def date(self) -> str:
        """The catalog's date, for messages (``"unknown"`` when nothing is loaded)."""
        if self._fetched_at is None:
            return "unknown"
        when = datetime.fromtimestamp(self._fetched_at, tz=timezone.utc)
        return when.strftime("%Y-%m-%d %H:%M UTC")

    @property
    def is_fresh(self) -> bool:
        """Fetched (or read from a disk copy) within the TTL; a future date is stale."""
        if self.origin == "fixed":
            return True
        if self.origin not in ("live", "disk") or self._fetched_at is None:
            return False
        age = self._clock() - self._fetched_at
        return 0 <= age < self.ttl

    @property
    def is_live(self) -> bool:
        """True when unknown ids can be refused: a catalog fetched within its TTL."""
        return self.is_fresh

    def _install(self, models: list[ModelInfo], fetched_at: float, origin: Origin) -> None:
        by_id = {m.id: m for m in models}
        by_slug = {m.canonical_slug: m for m in models if m.canonical_slug}
        # Swap whole dicts so readers never see a half-built index.
        self._models, self._by_slug = by_id, by_slug
        self._fetched_at, self.origin = fetched_at, origin

    # ------------------------------------------------------------------ offline sources

    def _read_disk(self, *, fresh_only: bool) -> bool:
        stored = self._disk.read()
        if stored is None:
            return False
        fetched_at, payload = stored
        age = self._clock() - fetched_at
        if fresh_only and not 0 <= age < self.ttl:
            return False
        if self.origin in ("live", "disk") and (self._fetched_at or 0) >= fetched_at:
            return False  # what is in memory is at least as new
        models = parse_models(payload, source=f"the cached catalog {self._disk.path}")
        if not models:
            return False
        self._install(models, fetched_at, "disk")
        return True

    def _read_snapshot(self) -> bool:
        if not self._use_snapshot:
            return False
        from ._snapshot import load_snapshot

        try:
            snap = load_snapshot()
        except (OSError, ValueError) as exc:  # pragma: no cover - a broken install
            log.warning("could not read the bundled catalog snapshot: %s", exc)
            return False
        models = parse_models(snap.payload, source="the bundled catalog snapshot")
        if not models:  # pragma: no cover - a broken install
            return False
        self._install(models, snap.fetched_at, "snapshot")
        return True

    def _load_offline(self) -> None:
        """Memory, else the disk copy (even stale), else the snapshot; never the network."""
        if self._models:
            return
        if not self._read_disk(fresh_only=False):
            self._read_snapshot()

    def current(self) -> Catalog:
        """The freshest catalog at hand without any network call (memory, disk,
        bundled snapshot). Raises :class:`CatalogUnavailableError` only when the
        snapshot is switched off and nothing else is there."""
        if not self._models:
            with self._lock:
                self._load_offline()
        if not self._models:
            raise CatalogUnavailableError(
                "No model catalog is available offline (no disk cache, snapshot disabled). "
                "Load it with catalog.ensure(), or pass capability_check='off'."
            )
        return self

    def load_cached(self) -> bool:
        """Load the disk copy or the snapshot if nothing is in memory (never the
        network); True when the catalog then holds models."""
        try:
            self.current()
        except CatalogUnavailableError:
            return False
        return True

    # ------------------------------------------------------------------ refresh

    def _refresh_due(self) -> bool:
        if self.is_fresh:
            return False
        if not self._models:
            return True  # nothing to fall back on: always worth a try
        failed = self._failed_at
        if failed is None:
            return True
        wait = min(
            RETRY_FAILED_REFRESH_AFTER * 2 ** max(0, self._failures - 1),
            max(self.ttl, RETRY_FAILED_REFRESH_AFTER),
        )
        return not 0 <= self._clock() - failed < wait

    def _serves_meanwhile(self) -> bool:
        """While another caller refreshes, may this one go on with the copy at hand? A
        copy once fetched (stale now), or any copy after a refresh failed; not the
        bundled snapshot before the first fetch, which is usually quick and decides
        whether unknown ids are refused."""
        return bool(self._models) and (self.origin in ("live", "disk") or self._failures > 0)

    def _after_fetch(self, payload: Any) -> None:
        models = parse_models(payload, source=f"the catalog from {self.source}")
        if not models:
            raise ValueError("the catalog reply holds no models")
        now = self._clock()
        self._install(models, now, "live")
        self._failed_at = None
        self._failures = 0
        self._said_stale = False
        self.refresh_count += 1
        self._disk.write(payload, now)

    def _after_failure(self, error: BaseException) -> None:
        self._failed_at = self._clock()
        self._failures += 1
        self._load_offline()
        if not self._models:
            raise CatalogUnavailableError(
                f"Could not load the OpenRouter model catalog from {self.source}: {error}"
            ) from error
        if not self._said_stale:
            self._said_stale = True
            log.warning(
                "catalog refresh from %s failed (%s); using the %s copy of %s",
                self.source,
                error,
                self.origin,
                self.date,
            )

    def ensure(self, fetch: Callable[[], Any] | None = None) -> Catalog:
        """Refresh a stale catalog from the network when it answers (thread-safe, one
        refresh at a time); else keep the freshest copy at hand."""
        if not self._refresh_due():
            return self.current()
        # Another caller is refreshing: go on with the copy at hand if it may serve.
        if not self._lock.acquire(blocking=not self._serves_meanwhile()):
            return self.current()
        try:
            if not self._refresh_due() or self._read_disk(fresh_only=True):
                return self.current()
            fetcher = fetch or self._default_fetch()
            if fetcher is None:
                self._after_failure(RuntimeError("this catalog has no source to fetch from"))
                return self
            try:
                self._after_fetch(fetcher())
            except Exception as exc:  # best effort: any failure keeps the copy at hand
                self._after_failure(exc)
        finally:
            self._lock.release()
        return self

    async def aensure(self, afetch: Callable[[], Awaitable[Any]] | None = None) -> Catalog:
        """Async :meth:`ensure`: one refresh at a time across threads and event loops
        (the thread lock is taken without blocking the loop)."""
        if not self._refresh_due():
            return self.current()
        while not self._lock.acquire(blocking=False):
            if self._serves_meanwhile():  # another caller is refreshing
                return self.current()
            await asyncio.sleep(0.005)
        try:
            if not self._refresh_due() or self._read_disk(fresh_only=True):
                return self.current()
            fetcher = afetch or self._default_afetch()
            sync_fetcher = self._default_fetch()
            try:
                if fetcher is not None:
                    self._after_fetch(await fetcher())
                elif sync_fetcher is not None:
                    self._after_fetch(await asyncio.to_thread(sync_fetcher))
                else:
                    self._after_failure(RuntimeError("this catalog has no source to fetch from"))
            except Exception as exc:  # best effort: any failure keeps the copy at hand
                self._after_failure(exc)
        finally:
            self._lock.release()
        return self

    def invalidate(self) -> None:
        """Forget the in-memory copy's freshness (the next request refreshes it)."""
        self._fetched_at = None
        self._failed_at = None
        self._failures = 0
        if self.origin in ("live", "disk"):
            self.origin = "none"

    def clear_disk_cache(self) -> None:
        self._disk.clear()

    # ------------------------------------------------------------------ unknown ids

    def lookup(self, model_id: str, *, policy: CapabilityPolicy = "error") -> ModelInfo | None:
        """The entry for ``model_id``, or ``None`` if it is a router or unknown.

        An unknown id raises :class:`UnknownModelError` (with the closest ids) only
        under policy ``"error"`` against a live catalog within its TTL; otherwise it is
        let through with one warning naming the catalog's date."""
        hit = self.find(model_id)
        if hit is not None or is_router(model_id) or policy == "off" or model_id.startswith("@"):
            return hit
        if policy == "error" and self.is_live:
            raise UnknownModelError(model_id, closest_ids(model_id, self._models))
        if model_id not in self._warned_ids:
            self._warned_ids.add(model_id)
            suggestions = closest_ids(model_id, self._models, limit=3)
            hint = f" Closest known ids: {', '.join(suggestions)}." if suggestions else ""
            warnings.warn(
                f"Model {model_id!r} is not in the {self._describe_origin()} catalog of "
                f"{self.date}; sending it anyway (models are added daily).{hint}",
                CatalogWarning,
                stacklevel=3,
            )
        return None

    def _describe_origin(self) -> str:
        return {"snapshot": "bundled", "disk": "cached", "live": "stale"}.get(self.origin, "")

    # ------------------------------------------------------------------ lookups (no I/O)

    def __len__(self) -> int:
        return len(self._models)

    def __iter__(self) -> Any:
        return iter(self._models.values())

    def __contains__(self, model_id: object) -> bool:
        return isinstance(model_id, str) and self.find(model_id) is not None

    @property
    def ids(self) -> list[str]:
        return list(self._models)

    def find(self, model_id: str) -> ModelInfo | None:
        """The entry for an id, canonical slug, ``id:variant`` or ``~author/x-latest``
        alias; ``None`` if unknown or a router (whose capabilities are not fixed)."""
        hit = self._models.get(model_id) or self._by_slug.get(model_id)
        if hit is not None:
            return hit
        base, variant = split_variant(model_id)
        if variant is not None:
            hit = self._models.get(base) or self._by_slug.get(base)
            if hit is not None:
                return hit
        if model_id.startswith("~"):
            return self._latest(model_id[1:])
        return None

    def _latest(self, alias: str) -> ModelInfo | None:
        prefix = alias.removesuffix("-latest")
        family = [m for m in self._models.values() if m.id.startswith(prefix)]
        return max(family, key=lambda m: m.created or 0) if family else None

    def get(self, model_id: str) -> ModelInfo:
        """Like :meth:`find` but an unknown id raises :class:`UnknownModelError` with
        the closest ids from the catalog."""
        hit = self.find(model_id)
        if hit is None:
            raise UnknownModelError(model_id, closest_ids(model_id, self._models))
        return hit

    def is_known(self, model_id: str) -> bool:
        return is_router(model_id) or self.find(model_id) is not None


_live: weakref.WeakSet[Catalog] = weakref.WeakSet()
_registry: dict[tuple[str, float | None], Catalog] = {}
_registry_lock = threading.Lock()


def shared_catalog(source: str, *, ttl: float | None = None, snapshot: bool = True) -> Catalog:
    """The process-wide catalog of one source URL, shared by every client and key.
    ``snapshot``: fall back to the bundled chat-model snapshot (chat catalogs only)."""
    key = (source, ttl)
    found = _registry.get(key)
    if found is None:
        with _registry_lock:
            found = _registry.get(key)
            if found is None:
                found = _registry[key] = Catalog(
                    cache_key=source, ttl=ttl or 3600.0, snapshot=snapshot
                )
    return found


def _after_fork_in_child() -> None:
    # A lock held by another thread at fork time would never be released here.
    global _registry_lock
    _registry_lock = threading.Lock()
    for catalog in list(_live):
        catalog._lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
