"""The model catalog: the source of truth for capabilities, prices and fallbacks.

A :class:`Catalog` loads ``/models`` lazily (never at construction), keeps it in
memory for ``ttl`` seconds and on disk in the user's cache directory, so a new
process starts without a network round trip and keeps working offline on a
stale copy. Only one refresh runs at a time, across threads and event loops.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import threading
import time
import weakref
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from . import _json
from .capabilities import Requirements, missing_capabilities
from .errors import OpenRouterError, UnknownModelError
from .model_ids import closest_ids, is_router, split_variant
from .types.catalog import ModelInfo
from .types.chat import Usage

__all__ = ["Catalog", "CatalogUnavailableError", "default_cache_dir"]

log = logging.getLogger("openrouter_core.catalog")

CACHE_DIR_ENV = "OPENROUTER_CATALOG_CACHE_DIR"
SortKey = Literal["price", "context", "created", "id"]


class CatalogUnavailableError(OpenRouterError):
    """The catalog could not be loaded from the network nor from the disk cache."""


def default_cache_dir() -> Path | None:
    """``$OPENROUTER_CATALOG_CACHE_DIR``, else the platform's user cache dir."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env is not None:
        return Path(env) if env else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("openrouter-integrations", appauthor=False))


def parse_models(payload: Any) -> list[ModelInfo]:
    """Parse a ``/models`` body (``{"data": [...]}``); entries without an id are dropped."""
    items = payload.get("data") if isinstance(payload, Mapping) else payload
    models = []
    for item in items or ():
        if isinstance(item, Mapping) and item.get("id"):
            models.append(ModelInfo.model_validate(item))
    return models


class Catalog:
    """Model facts from OpenRouter's ``/models``.

    Args:
        fetch: returns the raw ``/models`` JSON (sync clients pass their own).
        afetch: the same, as a coroutine (async clients).
        ttl: seconds a loaded catalog stays fresh.
        cache_dir: where the disk copy lives; ``None`` disables it; default
            :func:`default_cache_dir`.
        cache_key: distinguishes catalogs of different base URLs on disk.
        clock: wall clock (tests pass a fake one).
    """

    def __init__(
        self,
        fetch: Callable[[], Any] | None = None,
        afetch: Callable[[], Awaitable[Any]] | None = None,
        *,
        ttl: float = 3600.0,
        cache_dir: Path | str | Literal["default"] | None = "default",
        cache_key: str = "https://openrouter.ai/api/v1",
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._fetch = fetch
        self._afetch = afetch
        self.ttl = ttl
        self._clock = clock
        directory = default_cache_dir() if cache_dir == "default" else cache_dir
        digest = hashlib.sha256(cache_key.encode()).hexdigest()[:12]
        self.cache_path = Path(directory) / f"models-{digest}.json" if directory else None
        self._models: dict[str, ModelInfo] = {}
        self._by_slug: dict[str, ModelInfo] = {}
        self._loaded_at: float | None = None
        self._lock = threading.Lock()
        self._async_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        #: How many network refreshes happened (tests and diagnostics).
        self.refresh_count = 0

    # ------------------------------------------------------------------ construction helpers

    @classmethod
    def from_models(cls, models: Iterable[ModelInfo | Mapping[str, Any]]) -> Catalog:
        """A fixed catalog (no network, no disk): for tests and offline use."""
        catalog = cls(cache_dir=None, ttl=float("inf"))
        catalog._install(
            [m if isinstance(m, ModelInfo) else ModelInfo.model_validate(m) for m in models],
            catalog._clock(),
        )
        return catalog

    # ------------------------------------------------------------------ loading

    @property
    def is_fresh(self) -> bool:
        return self._loaded_at is not None and self._clock() - self._loaded_at < self.ttl

    def _install(self, models: list[ModelInfo], loaded_at: float) -> None:
        by_id = {m.id: m for m in models}
        by_slug = {m.canonical_slug: m for m in models if m.canonical_slug}
        # Swap whole dicts so readers never see a half-built index.
        self._models, self._by_slug, self._loaded_at = by_id, by_slug, loaded_at

    def _read_disk(self, *, fresh_only: bool) -> bool:
        if self.cache_path is None:
            return False
        try:
            stored = _json.loads(self.cache_path.read_bytes())
            fetched_at = float(stored["fetched_at"])
            payload = stored["payload"]
        except (OSError, ValueError, KeyError, TypeError):
            return False
        if fresh_only and self._clock() - fetched_at >= self.ttl:
            return False
        self._install(parse_models(payload), fetched_at)
        return True

    def _write_disk(self, payload: Any, fetched_at: float) -> None:
        if self.cache_path is None:
            return
        try:
            self.cache_path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.cache_path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(_json.dumps({"fetched_at": fetched_at, "payload": payload}))
            os.replace(tmp, self.cache_path)
        except OSError as exc:  # a read-only home must not break requests
            log.debug("could not write the catalog cache %s: %s", self.cache_path, exc)

    def _after_fetch(self, payload: Any) -> None:
        now = self._clock()
        models = parse_models(payload)
        if not models:
            raise CatalogUnavailableError("OpenRouter returned an empty model catalog")
        self._install(models, now)
        self.refresh_count += 1
        self._write_disk(payload, now)

    def _fallback_to_stale(self, error: BaseException) -> None:
        if self._models or self._read_disk(fresh_only=False):
            log.warning("catalog refresh failed (%s); using the cached copy", error)
            return
        raise CatalogUnavailableError(
            f"Could not load the OpenRouter model catalog: {error}. "
            "Check the network and API key, or pass capability_check='off'."
        ) from error

    def ensure(self) -> Catalog:
        """Load the catalog if it is missing or stale (thread-safe, one refresh at a time)."""
        if self.is_fresh:
            return self
        with self._lock:
            if self.is_fresh or self._read_disk(fresh_only=True):
                return self
            if self._fetch is None:
                self._fallback_to_stale(RuntimeError("this catalog has no synchronous source"))
                return self
            try:
                self._after_fetch(self._fetch())
            except OpenRouterError as exc:
                if isinstance(exc, CatalogUnavailableError):
                    raise
                self._fallback_to_stale(exc)
        return self

    async def aensure(self) -> Catalog:
        """Async :meth:`ensure`: one refresh at a time per event loop and across threads."""
        if self.is_fresh:
            return self
        loop = asyncio.get_running_loop()
        lock = self._async_locks.get(loop)
        if lock is None:
            lock = self._async_locks.setdefault(loop, asyncio.Lock())
        async with lock:
            if self.is_fresh or self._read_disk(fresh_only=True):
                return self
            if self._afetch is None:
                return await asyncio.to_thread(self.ensure)
            # Hold the thread lock too so a sync refresh elsewhere cannot run at once;
            # acquire it without blocking the loop.
            while not self._lock.acquire(blocking=False):
                await asyncio.sleep(0.005)
            try:
                if self.is_fresh:
                    return self
                try:
                    self._after_fetch(await self._afetch())
                except OpenRouterError as exc:
                    if isinstance(exc, CatalogUnavailableError):
                        raise
                    self._fallback_to_stale(exc)
            finally:
                self._lock.release()
        return self

    def load_cached(self) -> bool:
        """Load the disk copy (even a stale one) if nothing is in memory, never the
        network; True when the catalog then holds models. For cheap, offline-safe
        lookups such as filling a model profile at construction."""
        if not self._models:
            with self._lock:
                if not self._models:
                    self._read_disk(fresh_only=False)
        return bool(self._models)

    def invalidate(self) -> None:
        """Forget the in-memory copy (the next use reloads from disk or network)."""
        self._loaded_at = None

    def clear_disk_cache(self) -> None:
        if self.cache_path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.cache_path.unlink()

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

    # ------------------------------------------------------------------ queries

    def query(
        self,
        *,
        supports: Sequence[str] = (),
        input_modalities: Sequence[str] = (),
        output_modalities: Sequence[str] = (),
        min_context: int | None = None,
        max_prompt_price: float | None = None,
        max_completion_price: float | None = None,
        author: str | None = None,
        free: bool | None = None,
        sort: SortKey = "id",
        descending: bool = False,
        limit: int | None = None,
    ) -> list[ModelInfo]:
        """Models matching every filter. Prices are USD per token.

        ``supports`` names ``supported_parameters`` (``"tools"``, ``"structured_outputs"``,
        ``"reasoning"``...). ``sort="price"`` orders by prompt + completion price.
        """
        wanted = frozenset(supports)
        ins, outs = frozenset(input_modalities), frozenset(output_modalities)
        found = []
        for m in self._models.values():
            if wanted and not wanted <= m.parameters:
                continue
            if ins and not ins <= m.input_modalities:
                continue
            if outs and not outs <= m.output_modalities:
                continue
            if min_context is not None and (m.context_window or 0) < min_context:
                continue
            if author is not None and not m.id.startswith(author.rstrip("/") + "/"):
                continue
            if not _price_ok(m.prompt_price, max_prompt_price):
                continue
            if not _price_ok(m.completion_price, max_completion_price):
                continue
            if free is not None and _is_free(m) != free:
                continue
            found.append(m)
        found.sort(key=_SORT_KEYS[sort], reverse=descending)
        return found[:limit] if limit is not None else found

    def capable_models(
        self, needs: Requirements, *, exclude: Iterable[str] = (), prefer_author: str | None = None
    ) -> list[ModelInfo]:
        """Models that can serve ``needs``: same author first, then cheapest."""
        skip = set(exclude)
        capable = [
            m
            for m in self._models.values()
            if m.id not in skip and not m.expiration_date and not missing_capabilities(m, needs)
        ]

        def rank(m: ModelInfo) -> tuple[int, float, str]:
            same = 0 if prefer_author and m.id.startswith(prefer_author + "/") else 1
            return (same, _total_price(m), m.id)

        capable.sort(key=rank)
        return capable

    def substitutes(
        self,
        model_id: str,
        needs: Requirements,
        *,
        limit: int = 3,
        max_price: float | None = None,
    ) -> list[str]:
        """Models to fall back to from ``model_id``: they meet ``needs`` (capabilities,
        modalities, context), cost at most ``max_price`` (USD per prompt+completion
        token; default: no ceiling), are not variants of it, and share its author
        first."""
        base, _ = split_variant(model_id)
        author = base.split("/")[0]
        picks = []
        for m in self.capable_models(needs, exclude=(model_id, base), prefer_author=author):
            if split_variant(m.id)[0] == base or is_router(m.id):
                continue
            if max_price is not None and _total_price(m) > max_price:
                continue
            picks.append(m.id)
            if len(picks) >= limit:
                break
        return picks

    def estimate_cost(self, model_id: str, usage: Usage | Mapping[str, Any]) -> float | None:
        """USD cost of a usage on ``model_id`` from catalog prices (``None`` if unpriced).
        Cached prompt tokens are charged at ``input_cache_read`` when the model has it."""
        model = self.find(model_id)
        if model is None:
            return None
        u = usage if isinstance(usage, Usage) else Usage.model_validate(usage)
        prompt, completion = model.prompt_price, model.completion_price
        if prompt is None or completion is None:
            return None
        cache_read = model.pricing.per_token("input_cache_read")
        cached = u.cached_tokens if cache_read is not None else 0
        cost = (u.prompt_tokens - cached) * prompt + u.completion_tokens * completion
        if cached and cache_read is not None:
            cost += cached * cache_read
        request = model.pricing.per_token("request")
        return cost + (request or 0.0)


def _price_ok(price: float | None, ceiling: float | None) -> bool:
    return ceiling is None or (price is not None and price <= ceiling)


def _is_free(m: ModelInfo) -> bool:
    return m.id.endswith(":free") or (m.prompt_price == 0 and m.completion_price == 0)


def _total_price(m: ModelInfo) -> float:
    if m.prompt_price is None or m.completion_price is None:
        return float("inf")
    return m.prompt_price + m.completion_price


_SORT_KEYS: dict[str, Callable[[ModelInfo], Any]] = {
    "price": _total_price,
    "context": lambda m: m.context_window or 0,
    "created": lambda m: m.created or 0,
    "id": lambda m: m.id,
}
