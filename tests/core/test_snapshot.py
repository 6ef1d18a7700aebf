"""The bundled catalog snapshot (``openrouter_core._snapshot``) and its builder
(``scripts/build_catalog_snapshot.py``)."""

from __future__ import annotations

import ast
import gzip
import importlib.util
import json
import os
import sys
import time
import zlib
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest

import openrouter_core._snapshot as snapshot_module
from openrouter_core import Catalog
from openrouter_core._snapshot import Snapshot, decode_snapshot, load_snapshot
from openrouter_core.catalog import parse_models
from openrouter_core.types.catalog import ModelInfo

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "tests" / "data" / "models.json"  # the catalog the bundled snapshot is built from
BUNDLED = ROOT / "shared" / "openrouter_core" / "data" / "catalog_snapshot.json.gz"
DATE = datetime(2026, 3, 11, 20, 24, 31, tzinfo=timezone.utc)


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_catalog_snapshot", ROOT / "scripts" / "build_catalog_snapshot.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault(spec.name, module)
    spec.loader.exec_module(module)
    return module


builder = _load_builder()


@pytest.fixture(scope="module")
def source() -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(SOURCE.read_text())
    return payload


@pytest.fixture(scope="module")
def snap() -> Snapshot:
    return load_snapshot()


def _built_from_source(snap: Snapshot) -> bool:
    return snap.source == SOURCE.name


def _facts(m: ModelInfo) -> dict[str, Any]:
    """Everything the package derives from an entry."""
    return {
        "id": m.id,
        "canonical_slug": m.canonical_slug,
        "name": m.name,
        "created": m.created,
        "context_length": m.context_length,
        "context_window": m.context_window,
        "max_completion_tokens": m.max_completion_tokens,
        "is_moderated": m.top_provider.is_moderated,
        "parameters": m.parameters,
        "input_modalities": m.input_modalities,
        "output_modalities": m.output_modalities,
        "pricing": m.pricing.model_dump(exclude_none=True),
        "prompt_price": m.prompt_price,
        "completion_price": m.completion_price,
        "expiration_date": m.expiration_date,
        "supports": (
            m.supports_tools,
            m.supports_structured_outputs,
            m.supports_response_format,
            m.supports_reasoning,
        ),
    }


# ---------------------------------------------------------------------------- the loader


def test_snapshot_loads(snap: Snapshot) -> None:
    assert isinstance(snap, Snapshot)
    assert len(snap.models) >= 150
    assert snap.payload["data"] is snap.models
    assert snap.source
    assert datetime(2025, 1, 1, tzinfo=timezone.utc).timestamp() < snap.fetched_at < time.time()


def test_every_entry_parses(snap: Snapshot) -> None:
    models = [ModelInfo.model_validate(entry) for entry in snap.models]
    assert len({m.id for m in models}) == len(models)
    assert len(parse_models(snap.payload)) == len(models)
    catalog = Catalog.from_models(models)
    assert len(catalog) == len(models)
    assert catalog.query(supports=["tools"], input_modalities=["image"])


def test_known_facts_match_the_source(snap: Snapshot, source: dict[str, Any]) -> None:
    if not _built_from_source(snap):
        pytest.skip(f"the bundled snapshot was rebuilt from {snap.source}; re-pin these facts")
    full = {entry["id"]: entry for entry in source["data"]}
    compact = {entry["id"]: entry for entry in snap.models}
    picks = ["openai/gpt-5.4", "anthropic/claude-sonnet-4.6", "google/gemini-2.5-flash"]
    for model_id in picks:
        want, got = full[model_id], compact[model_id]
        assert got["context_length"] == want["context_length"]
        assert got["supported_parameters"] == want["supported_parameters"]
        assert got["architecture"]["input_modalities"] == want["architecture"]["input_modalities"]
        assert got["pricing"]["prompt"] == want["pricing"]["prompt"]
        assert got["top_provider"] == {
            k: v for k, v in want["top_provider"].items() if v is not None
        }
        parsed = ModelInfo.model_validate(got)
        assert parsed.prompt_price == float(want["pricing"]["prompt"])
        assert parsed.context_window == want["context_length"]
    gemini = ModelInfo.model_validate(compact["google/gemini-2.5-flash"])
    assert {"image", "audio", "video"} <= gemini.input_modalities
    assert gemini.supports_tools


def test_bundled_file_is_what_the_builder_makes(snap: Snapshot, source: dict[str, Any]) -> None:
    """Catches a builder change committed without rebuilding the data (compares the
    JSON, not the gzip bytes, which may differ between zlib builds)."""
    if not _built_from_source(snap):
        pytest.skip(f"the bundled snapshot was built from {snap.source}")
    fetched_at = datetime.fromtimestamp(snap.fetched_at, timezone.utc)
    rebuilt = builder.encode_snapshot(
        builder.compact_catalog(source, warn=lambda line: None),
        fetched_at=builder.format_date(fetched_at),
        source=snap.source,
    )
    assert gzip.decompress(rebuilt) == gzip.decompress(BUNDLED.read_bytes())


def test_load_is_cached(snap: Snapshot) -> None:
    assert load_snapshot() is load_snapshot() is snap


def test_load_time() -> None:
    load_snapshot()
    start = time.perf_counter()
    load_snapshot()
    cached = time.perf_counter() - start

    load_snapshot.cache_clear()  # decode again, in a warm process
    start = time.perf_counter()
    fresh = load_snapshot()
    decode = time.perf_counter() - start
    print(f"cached call {cached * 1e6:.1f} us, decode {decode * 1e3:.2f} ms")
    assert cached < 1.0 and decode < 1.0  # ~10 ms expected; no strict timing on shared CI
    assert load_snapshot() is fresh


def test_snapshot_module_is_cheap() -> None:
    """No pydantic model imported by the module, nothing read at import."""
    tree = ast.parse(Path(snapshot_module.__file__).read_text())
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            imported.add("." * node.level + (node.module or ""))
    assert "." in imported  # from . import _json
    assert not {name for name in imported if "pydantic" in name or "types" in name}


def test_decode_rejects_bad_files() -> None:
    with pytest.raises(ValueError, match="gzip"):
        decode_snapshot(b"not gzip")
    with pytest.raises(ValueError, match="format"):
        decode_snapshot(gzip.compress(b'{"format": 99, "models": []}'))
    with pytest.raises(ValueError, match="fetched_at"):
        decode_snapshot(gzip.compress(b'{"format": 1, "models": []}'))
    ok = decode_snapshot(
        gzip.compress(b'{"format":1,"fetched_at":"2026-03-01T00:00:00Z","source":"x","models":[]}')
    )
    assert ok.fetched_at == datetime(2026, 3, 1, tzinfo=timezone.utc).timestamp()
    assert ok.payload == {"data": []}


# ---------------------------------------------------------------------------- the builder


def test_compact_entries_parse_like_the_full_ones(source: dict[str, Any]) -> None:
    warnings: list[str] = []
    compact = builder.compact_catalog(source, warn=warnings.append)
    assert warnings == []
    assert [m["id"] for m in compact] == [m["id"] for m in source["data"]]
    for full, small in zip(source["data"], compact, strict=True):
        assert _facts(ModelInfo.model_validate(small)) == _facts(ModelInfo.model_validate(full))
        assert set(small) <= {
            "id",
            "canonical_slug",
            "name",
            "created",
            "context_length",
            "architecture",
            "pricing",
            "top_provider",
            "supported_parameters",
            "expiration_date",
        }
        assert None not in small.values()


def test_builder_is_deterministic(tmp_path: Path, source: dict[str, Any]) -> None:
    first = builder.build(source, fetched_at=DATE, source="models.json", out=tmp_path / "a.gz")
    second = builder.build(source, fetched_at=DATE, source="models.json", out=tmp_path / "b.gz")
    assert first == second == (tmp_path / "a.gz").read_bytes() == (tmp_path / "b.gz").read_bytes()
    assert first[3] == 0  # gzip flags: no file name
    assert first[4:8] == b"\0\0\0\0"  # gzip mtime
    document = json.loads(gzip.decompress(first))
    assert document["format"] == 1
    assert document["fetched_at"] == "2026-03-11T20:24:31Z"
    assert document["source"] == "models.json"
    assert len(document["models"]) == len(source["data"])


def test_builder_output_loads(tmp_path: Path, source: dict[str, Any]) -> None:
    data = builder.build(source, fetched_at=DATE, source="models.json", out=tmp_path / "s.gz")
    snap = decode_snapshot(data)
    assert snap.fetched_at == DATE.timestamp()
    assert snap.source == "models.json"
    assert len(parse_models(snap.payload)) == len(source["data"])


ODD = {
    "data": [
        {"id": "ok/plain", "pricing": {"prompt": "0", "completion": "0"}},
        {"id": "odd/null-sections", "pricing": None, "architecture": None, "top_provider": None},
        {
            "id": "odd/numeric-prices",
            "pricing": {"prompt": 3e-06, "completion": 0.0000015, "request": 0, "image": None},
        },
        {"id": "odd/float-created", "created": 1700000000.7, "context_length": 8192.0},
        {
            "id": "odd/null-in-lists",
            "architecture": {
                "input_modalities": ["text", None, "image"],
                "output_modalities": [None, "text"],
                "modality": "text+image->text",
            },
            "supported_parameters": ["tools", None],
        },
        {"id": "old/modality-only", "architecture": {"modality": "text+image->text"}},
        {"id": None, "name": "no id"},
        {"id": 42},
        {"name": "missing id"},
        "not an object",
        {"id": "ok/plain", "name": "a repeat"},
        {
            "id": "ok/extras",
            "description": "dropped",
            "hugging_face_id": "x/y",
            "per_request_limits": None,
            "default_parameters": {"temperature": 1},
            "links": {"details": "/x"},
            "expiration_date": None,
            "pricing": {"prompt": "-1", "discount": 0, "overrides": [{"prompt": "1", "x": None}]},
            "top_provider": {"context_length": 1000, "max_completion_tokens": None},
        },
    ]
}


def test_odd_entries_are_normalised_or_skipped(tmp_path: Path) -> None:
    warnings: list[str] = []
    data = builder.build(
        ODD, fetched_at=DATE, source="odd.json", out=tmp_path / "odd.gz", warn=warnings.append
    )
    models = {m["id"]: m for m in json.loads(gzip.decompress(data))["models"]}
    assert list(models) == [
        "ok/plain",
        "odd/null-sections",
        "odd/numeric-prices",
        "odd/float-created",
        "odd/null-in-lists",
        "old/modality-only",
        "ok/extras",
    ]
    # one line per normalised or skipped entry, none for the clean ones
    assert len(warnings) == 9
    assert all(line.startswith("warning: ") and "\n" not in line for line in warnings)
    assert not [w for w in warnings if "ok/extras" in w or "old/modality-only" in w]
    assert sum("skipped" in w for w in warnings) == 5
    assert any("repeated id" in w for w in warnings)

    assert models["odd/null-sections"] == {"id": "odd/null-sections"}
    assert models["odd/numeric-prices"]["pricing"] == {
        "prompt": "0.000003",
        "completion": "0.0000015",
        "request": "0",
    }
    assert models["odd/float-created"]["created"] == 1700000000
    assert models["odd/float-created"]["context_length"] == 8192
    assert models["odd/null-in-lists"]["architecture"] == {
        "input_modalities": ["text", "image"],
        "output_modalities": ["text"],
    }
    assert models["odd/null-in-lists"]["supported_parameters"] == ["tools"]
    assert models["old/modality-only"]["architecture"] == {"modality": "text+image->text"}
    assert models["ok/extras"] == {
        "id": "ok/extras",
        "pricing": {"prompt": "-1", "discount": 0, "overrides": [{"prompt": "1"}]},
        "top_provider": {"context_length": 1000},
    }

    parsed = {m.id: m for m in parse_models(decode_snapshot(data).payload)}
    assert len(parsed) == 7
    assert parsed["old/modality-only"].input_modalities == {"text", "image"}
    assert parsed["odd/numeric-prices"].prompt_price == 3e-06
    assert parsed["odd/null-sections"].input_modalities == {"text"}
    assert parsed["ok/extras"].prompt_price is None  # a router's "-1"


def test_builder_rejects_what_is_not_a_catalog(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        builder.build([], fetched_at=DATE, source="x", out=tmp_path / "x.gz")
    with pytest.raises(ValueError, match="no usable model"):
        builder.build({"data": [{"id": None}]}, fetched_at=DATE, source="x", out=tmp_path / "x.gz")


def test_cli_from_file_uses_its_mtime(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps({"data": [{"id": "a/b", "created": 1}]}))
    os.utime(path, (1772323200, 1772323200))  # 2026-03-01T00:00:00Z
    out = tmp_path / "out" / "snap.json.gz"
    assert builder.main(["--from", str(path), "--out", str(out)]) == 0
    snap = decode_snapshot(out.read_bytes())
    assert snap.fetched_at == 1772323200
    assert snap.source == "catalog.json"
    assert "2026-03-01T00:00:00Z" in capsys.readouterr().out

    assert builder.main(["--from", str(path), "--out", str(out), "--date", "2026-02-01"]) == 0
    assert decode_snapshot(out.read_bytes()).fetched_at == 1769904000


def test_cli_errors_are_clear(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "snap.json.gz"
    assert builder.main(["--from", str(tmp_path / "missing.json"), "--out", str(out)]) == 1
    assert "cannot read" in capsys.readouterr().err

    def offline(url: str, **kwargs: Any) -> httpx.Response:
        raise httpx.ConnectError("Name or service not known")

    monkeypatch.setattr(httpx, "get", offline)
    assert builder.main(["--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "cannot fetch the catalog from https://openrouter.ai/api/v1/models" in err
    assert "--from PATH" in err
    assert not out.exists()


def test_gzip_header_is_portable() -> None:
    """The bundled file decodes with zlib alone (what the loader uses)."""
    raw = BUNDLED.read_bytes()
    assert zlib.decompress(raw, wbits=16 + zlib.MAX_WBITS) == gzip.decompress(raw)
