#!/usr/bin/env python3
"""Build the model-catalog snapshot bundled in the wheel.

Reads an OpenRouter ``/api/v1/models`` reply (``{"data": [...]}``), keeps only
what capability checks, routing, model profiles and cost estimates need, and
writes ``shared/openrouter_core/data/catalog_snapshot.json.gz``::

    python scripts/build_catalog_snapshot.py --from models.json --date 2026-03-01T00:00:00Z
    python scripts/build_catalog_snapshot.py            # fetch the live catalog (no key needed)

The output is deterministic (sorted keys, gzip header without a name or a
timestamp), so rebuilding from the same source gives the same bytes. Every
compact entry keeps OpenRouter's JSON shape, so ``ModelInfo.model_validate``
reads it exactly like the full entry. Odd entries (a null ``pricing``, numeric
prices, a float ``created``, nulls inside lists...) are normalised, and entries
without a string id skipped, with one warning line each on stderr.

The loader is ``openrouter_core._snapshot.load_snapshot``.
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import math
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timezone
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

DEFAULT_URL = "https://openrouter.ai/api/v1/models"
ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "shared" / "openrouter_core" / "data" / "catalog_snapshot.json.gz"
FORMAT = 1

#: Price keys OpenRouter publishes as JSON numbers; every other scalar price is a string.
NUMERIC_PRICE_KEYS = frozenset({"discount"})

Warn = Callable[[str], None]


def _stderr(line: str) -> None:
    print(line, file=sys.stderr)


# ---------------------------------------------------------------------------- dates


def parse_date(text: str) -> datetime:
    """An ISO 8601 date or date-time as an aware UTC datetime (naive means UTC)."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not an ISO 8601 date or date-time: {text!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)


def format_date(moment: datetime) -> str:
    """``2026-03-01T00:00:00Z`` (whole seconds, UTC)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# ---------------------------------------------------------------------------- normalising


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _price_text(value: int | float) -> str:
    """A number as OpenRouter writes prices: ``3e-06`` -> ``"0.000003"``."""
    if isinstance(value, int):
        return str(value)
    return format(Decimal(repr(value)), "f")


def _drop_nulls(value: Any) -> Any:
    """``value`` with null members removed from every object and list inside it."""
    if isinstance(value, Mapping):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value if v is not None]
    return value


class _Entry:
    """Normalises one catalog entry and collects what it had to change."""

    def __init__(self) -> None:
        self.notes: list[str] = []

    def integer(self, where: str, value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if isinstance(value, float) and math.isfinite(value):
            self.notes.append(f"{where} {value!r} -> {int(value)}")
            return int(value)
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            self.notes.append(f"{where} {value!r} -> {int(value)}")
            return int(value)
        self.notes.append(f"{where} {value!r} dropped (not an integer)")
        return None

    def text(self, where: str, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.notes.append(f"{where} {value!r} dropped (not a string)")
        return None

    def boolean(self, where: str, value: Any) -> bool | None:
        if value is None or isinstance(value, bool):
            return value
        self.notes.append(f"{where} {value!r} dropped (not a boolean)")
        return None

    def strings(self, where: str, value: Any) -> list[str] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.notes.append(f"{where} dropped (not a list)")
            return None
        kept = [item for item in value if isinstance(item, str)]
        if len(kept) != len(value):
            odd = [item for item in value if not isinstance(item, str)]
            self.notes.append(f"{where}: dropped {', '.join(map(repr, odd))}")
        return kept

    def section(self, name: str, value: Any) -> Mapping[str, Any] | None:
        if isinstance(value, Mapping):
            return value
        if value is None:
            self.notes.append(f"{name} null -> omitted")
        else:
            self.notes.append(f"{name} dropped (not an object)")
        return None

    def pricing(self, value: Mapping[str, Any]) -> dict[str, Any]:
        prices: dict[str, Any] = {}
        for key, price in value.items():
            where = f"pricing.{key}"
            if price is None:
                continue
            if isinstance(price, str) or (_is_number(price) and key in NUMERIC_PRICE_KEYS):
                prices[key] = price
            elif _is_number(price) and math.isfinite(price):
                prices[key] = _price_text(price)
                self.notes.append(f"{where} {price!r} -> {prices[key]!r}")
            elif isinstance(price, (list, Mapping)):  # e.g. "overrides": [{...}]
                prices[key] = _drop_nulls(price)
            else:
                self.notes.append(f"{where} {price!r} dropped")
        return prices


def compact_model(entry: Any) -> tuple[dict[str, Any] | None, list[str]]:
    """One ``/models`` entry reduced to what the package reads, and the notes on what
    had to be normalised. ``None`` (with the reason as the note) when it must be skipped."""
    if not isinstance(entry, Mapping):
        return None, [f"not an object ({type(entry).__name__})"]
    model_id = entry.get("id")
    if not isinstance(model_id, str) or not model_id:
        return None, [f"no string id (id={model_id!r})"]

    e = _Entry()
    out: dict[str, Any] = {"id": model_id}
    out["canonical_slug"] = e.text("canonical_slug", entry.get("canonical_slug"))
    out["name"] = e.text("name", entry.get("name"))
    out["created"] = e.integer("created", entry.get("created"))
    out["context_length"] = e.integer("context_length", entry.get("context_length"))

    if "architecture" in entry:
        arch = e.section("architecture", entry["architecture"])
        if arch is not None:
            ins = e.strings("architecture.input_modalities", arch.get("input_modalities"))
            outs = e.strings("architecture.output_modalities", arch.get("output_modalities"))
            compact_arch: dict[str, Any] = {"input_modalities": ins, "output_modalities": outs}
            if ins is None or outs is None:  # the parser falls back to "text+image->text"
                compact_arch["modality"] = e.text("architecture.modality", arch.get("modality"))
            out["architecture"] = {k: v for k, v in compact_arch.items() if v is not None}

    if "pricing" in entry:
        pricing = e.section("pricing", entry["pricing"])
        if pricing is not None:
            out["pricing"] = e.pricing(pricing)

    if "top_provider" in entry:
        top = e.section("top_provider", entry["top_provider"])
        if top is not None:
            compact_top = {
                "context_length": e.integer(
                    "top_provider.context_length", top.get("context_length")
                ),
                "max_completion_tokens": e.integer(
                    "top_provider.max_completion_tokens", top.get("max_completion_tokens")
                ),
                "is_moderated": e.boolean("top_provider.is_moderated", top.get("is_moderated")),
            }
            out["top_provider"] = {k: v for k, v in compact_top.items() if v is not None}

    out["supported_parameters"] = e.strings(
        "supported_parameters", entry.get("supported_parameters")
    )
    out["expiration_date"] = e.text("expiration_date", entry.get("expiration_date")) or None
    return {k: v for k, v in out.items() if v is not None}, e.notes


def compact_catalog(payload: Any, warn: Warn = _stderr) -> list[dict[str, Any]]:
    """Every usable entry of a ``/models`` reply, compacted, in the source order.
    Prints one warning line per skipped or normalised entry (and per repeated id)."""
    items = payload.get("data") if isinstance(payload, Mapping) else None
    if not isinstance(items, list):
        raise ValueError('not a /models reply: expected {"data": [...]}')
    models: list[dict[str, Any]] = []
    seen: set[str] = set()
    for index, entry in enumerate(items):
        model, notes = compact_model(entry)
        if model is None:
            warn(f"warning: skipped entry #{index}: {'; '.join(notes)}")
            continue
        if model["id"] in seen:
            warn(f"warning: skipped entry #{index} {model['id']}: repeated id")
            continue
        seen.add(model["id"])
        if notes:
            warn(f"warning: normalised entry #{index} {model['id']}: {'; '.join(notes)}")
        models.append(model)
    return models


# ---------------------------------------------------------------------------- output


def encode_snapshot(models: Sequence[Mapping[str, Any]], *, fetched_at: str, source: str) -> bytes:
    """The gzip bytes of the snapshot document (deterministic: sorted keys, mtime 0)."""
    document = {"format": FORMAT, "fetched_at": fetched_at, "source": source, "models": models}
    text = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    buffer = io.BytesIO()
    # GzipFile over a BytesIO writes no file name and, with mtime=0, no timestamp.
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9, mtime=0) as gz:
        gz.write(text.encode("utf-8"))
    return buffer.getvalue()


def build(
    payload: Any,
    *,
    fetched_at: datetime,
    source: str,
    out: Path = DEFAULT_OUT,
    warn: Warn = _stderr,
) -> bytes:
    """Compact ``payload`` and write the snapshot to ``out``; returns the bytes written."""
    models = compact_catalog(payload, warn)
    if not models:
        raise ValueError("the catalog has no usable model")
    newest = max((m.get("created", 0) for m in models), default=0)
    if newest > fetched_at.timestamp():
        warn(
            f"warning: the date {format_date(fetched_at)} is before the newest model's "
            f"creation ({format_date(datetime.fromtimestamp(newest, timezone.utc))})"
        )
    data = encode_snapshot(models, fetched_at=format_date(fetched_at), source=source)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return data


# ---------------------------------------------------------------------------- sources


def read_file(path: Path) -> tuple[Any, datetime]:
    """The JSON in ``path`` and the file's modification time."""
    payload = json.loads(path.read_text(encoding="utf-8"))
    return payload, datetime.fromtimestamp(path.stat().st_mtime, timezone.utc)


def fetch(url: str, timeout: float = 30.0) -> tuple[Any, datetime]:
    """The live catalog (no key needed) and the server's ``Date`` (else now)."""
    import httpx

    reply = httpx.get(url, timeout=timeout, follow_redirects=True)
    reply.raise_for_status()
    try:
        when = parsedate_to_datetime(reply.headers["date"])
    except (KeyError, TypeError, ValueError):
        when = datetime.now(timezone.utc)
    return reply.json(), when


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--from",
        dest="source",
        metavar="PATH",
        type=Path,
        help=f"a saved /models reply (default: fetch {DEFAULT_URL})",
    )
    parser.add_argument("--url", default=DEFAULT_URL, help="catalog URL when fetching")
    parser.add_argument(
        "--date",
        help="when the source was fetched, ISO 8601 (default: the file's mtime, "
        "or the server's Date when fetching)",
    )
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output .json.gz path")
    args = parser.parse_args(argv)

    try:
        date = parse_date(args.date) if args.date else None
    except ValueError as exc:
        parser.error(str(exc))

    if args.source is not None:
        try:
            payload, when = read_file(args.source)
        except (OSError, ValueError) as exc:
            print(f"error: cannot read {args.source}: {exc}", file=sys.stderr)
            return 1
        source = args.source.name
    else:
        import httpx

        try:
            payload, when = fetch(args.url)
        except (httpx.HTTPError, ValueError) as exc:
            print(
                f"error: cannot fetch the catalog from {args.url}: {exc or type(exc).__name__}\n"
                "Offline? Save a /models reply to a file and pass it with --from PATH.",
                file=sys.stderr,
            )
            return 1
        source = args.url

    try:
        data = build(payload, fetched_at=date or when, source=source, out=args.out)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out} ({len(data)} bytes, fetched_at {format_date(date or when)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
