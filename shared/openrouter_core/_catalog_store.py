"""Where a catalog's models come from besides the network: the disk cache and the
bundled snapshot, and the lenient parsing of a ``/models`` reply.

* The disk cache keeps one file per catalog source (``models-<hash>.json`` under
  ``$OPENROUTER_CATALOG_CACHE_DIR`` or the platform's user cache dir), written
  atomically; writing one evicts files of other sources beyond :data:`KEEP_FILES`
  and any older than :data:`MAX_AGE_DAYS`.
* The snapshot (:mod:`openrouter_core._snapshot`) ships in the wheel; it is the
  last resort, older than anything fetched.
* :func:`parse_models` reads each entry on its own: an odd value is read leniently
  (see :class:`~openrouter_core.types.ModelInfo`), an entry that still cannot be
  read is skipped with one warning, and every other model keeps working.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import threading
import time
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import _json
from .types.catalog import ModelInfo

__all__ = [
    "CACHE_DIR_ENV",
    "CatalogWarning",
    "DiskCache",
    "default_cache_dir",
    "parse_models",
]

log = logging.getLogger("openrouter_core.catalog")

CACHE_DIR_ENV = "OPENROUTER_CATALOG_CACHE_DIR"
#: Cache files kept besides the one being written, and the age beyond which any goes.
KEEP_FILES = 8
MAX_AGE_DAYS = 30


class CatalogWarning(UserWarning):
    """A catalog problem that does not stop requests: a skipped odd entry, a stale
    or bundled catalog in use, an id the catalog at hand does not know."""


def default_cache_dir() -> Path | None:
    """``$OPENROUTER_CATALOG_CACHE_DIR`` (empty: no disk cache), else the platform's
    user cache dir."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env is not None:
        return Path(env) if env else None
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("openrouter-integrations", appauthor=False))


def parse_models(payload: Any, *, source: str = "the catalog") -> list[ModelInfo]:
    """Parse a ``/models`` body (``{"data": [...]}``) entry by entry; entries that
    cannot be read (no string id, or a value beyond lenient reading) are skipped
    with one warning naming them."""
    items = payload.get("data") if isinstance(payload, Mapping) else payload
    if not isinstance(items, list):
        return []
    models: list[ModelInfo] = []
    skipped: list[str] = []
    for item in items:
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str) or not item["id"]:
            skipped.append(repr(item)[:60])
            continue
        try:
            models.append(ModelInfo.model_validate(item))
        except ValueError as exc:
            skipped.append(f"{item['id']} ({str(exc).splitlines()[0]})")
    if skipped:
        warnings.warn(
            f"Skipped {len(skipped)} unreadable entr{'y' if len(skipped) == 1 else 'ies'} of "
            f"{source}: {'; '.join(skipped[:5])}{' ...' if len(skipped) > 5 else ''}. "
            "Every other model is unaffected.",
            CatalogWarning,
            stacklevel=2,
        )
    return models


class DiskCache:
    """One catalog source's file in the cache directory."""

    def __init__(self, directory: Path | None, source: str) -> None:
        digest = hashlib.sha256(source.encode()).hexdigest()[:12]
        self.directory = directory
        self.path = directory / f"models-{digest}.json" if directory else None

    def read(self) -> tuple[float, Any] | None:
        """``(fetched_at, payload)`` or ``None`` if missing or unreadable."""
        if self.path is None:
            return None
        try:
            stored = _json.loads(self.path.read_bytes())
            return float(stored["fetched_at"]), stored["payload"]
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def write(self, payload: Any, fetched_at: float) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_suffix(f".{os.getpid()}.{threading.get_ident()}.tmp")
            tmp.write_bytes(_json.dumps({"fetched_at": fetched_at, "payload": payload}))
            os.replace(tmp, self.path)
        except OSError as exc:  # a read-only home must not break requests
            log.debug("could not write the catalog cache %s: %s", self.path, exc)
            return
        self.evict()

    def evict(self) -> None:
        """Remove other sources' files beyond :data:`KEEP_FILES` (oldest first) and
        any older than :data:`MAX_AGE_DAYS`."""
        if self.directory is None or self.path is None:
            return
        try:
            files = [
                (p.stat().st_mtime, p)
                for p in self.directory.glob("models-*.json")
                if p != self.path
            ]
        except OSError:
            return
        files.sort(reverse=True)
        cutoff = time.time() - MAX_AGE_DAYS * 86400
        for position, (mtime, path) in enumerate(files):
            if position >= KEEP_FILES or mtime < cutoff:
                with contextlib.suppress(OSError):
                    path.unlink()

    def clear(self) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
