"""The model catalog bundled in the package, for when the live one is out of reach.

``data/catalog_snapshot.json.gz`` is a compact copy of OpenRouter's
``/api/v1/models`` catalog taken at build time. It keeps only what capability
checks, routing, model profiles, context windows and cost estimates read (ids,
modalities, prices, ``supported_parameters``, ``top_provider`` limits, expiry),
in the same JSON shape as the live entries, so :attr:`Snapshot.payload` goes
through the same parser as a live reply (``ModelInfo.model_validate``). It is
older than any live or disk-cached catalog: use it only when neither can be had.

The file is read on the first :func:`load_snapshot` call (never at import) and
the decoded result is kept for the life of the process. This module imports no
pydantic model, so importing it is cheap.

To rebuild it from a newer catalog::

    make catalog-snapshot
    # which runs: python scripts/build_catalog_snapshot.py --from models.json --date <ISO date>
    # (without --from the script fetches https://openrouter.ai/api/v1/models; no key needed)

and commit ``shared/openrouter_core/data/catalog_snapshot.json.gz``.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from . import _json

__all__ = ["SNAPSHOT_FORMAT", "Snapshot", "load_snapshot"]

#: The version of the file layout this module reads.
SNAPSHOT_FORMAT = 1
_RESOURCE = ("data", "catalog_snapshot.json.gz")


@dataclass(frozen=True)
class Snapshot:
    """The bundled catalog. Shared by every caller: treat :attr:`payload` as read-only."""

    #: When the source catalog was fetched, epoch seconds (UTC).
    fetched_at: float
    #: Where it came from: the catalog URL or the file name it was built from.
    source: str
    #: ``{"data": [...models...]}``, shaped like a live ``/models`` reply.
    payload: dict[str, Any] = field(repr=False, hash=False)

    @property
    def models(self) -> list[dict[str, Any]]:
        """The raw catalog entries (``payload["data"]``)."""
        data: list[dict[str, Any]] = self.payload["data"]
        return data


def _epoch(text: str) -> float:
    """``2026-03-01T00:00:00Z`` as epoch seconds (a naive date-time is UTC)."""
    moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.timestamp()


def decode_snapshot(raw: bytes) -> Snapshot:
    """A snapshot from the gzip bytes of a snapshot file.

    Raises:
        ValueError: the bytes are not a snapshot this version can read.
    """
    import zlib

    try:
        text = zlib.decompress(raw, wbits=16 + zlib.MAX_WBITS)  # gzip framing
    except zlib.error as exc:
        raise ValueError(f"the catalog snapshot is not valid gzip: {exc}") from exc
    document = _json.loads(text)
    if not isinstance(document, dict) or document.get("format") != SNAPSHOT_FORMAT:
        found = document.get("format") if isinstance(document, dict) else type(document).__name__
        raise ValueError(f"unsupported catalog snapshot format: {found!r}")
    models = document.get("models")
    if not isinstance(models, list):
        raise ValueError("the catalog snapshot has no model list")
    try:
        fetched_at = _epoch(str(document["fetched_at"]))
    except (KeyError, ValueError) as exc:
        raise ValueError(f"the catalog snapshot has no valid fetched_at: {exc}") from exc
    return Snapshot(
        fetched_at=fetched_at, source=str(document.get("source", "")), payload={"data": models}
    )


@functools.cache
def load_snapshot() -> Snapshot:
    """The bundled catalog snapshot, read and decoded once per process.

    Raises:
        OSError: the data file is missing (e.g. a build that left it out).
        ValueError: the file is damaged or in a format this version cannot read.
    Neither is cached: a later call tries again.
    """
    from importlib.resources import files

    resource = files(__package__ or "openrouter_core")
    for part in _RESOURCE:
        resource = resource / part
    return decode_snapshot(resource.read_bytes())
