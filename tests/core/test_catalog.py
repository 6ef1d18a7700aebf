"""Catalog: lookups, queries, costs, TTL, disk cache, offline starts, single refresh."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import Catalog, CatalogUnavailableError, UnknownModelError
from openrouter_core.errors import APIConnectionError
from openrouter_core.types import Usage


class Clock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


def payload(snapshot: list[dict[str, Any]]) -> dict[str, Any]:
    return {"data": snapshot}


def test_lookup_by_id_slug_variant_and_alias(catalog: Catalog) -> None:
    assert catalog.get("openai/gpt-4o").id == "openai/gpt-4o"
    assert catalog.get("openai/gpt-5.4-pro-20260305").id == "openai/gpt-5.4-pro"
    assert catalog.get("openai/gpt-4o:nitro").id == "openai/gpt-4o"
    assert catalog.get("openai/gpt-4o:extended").id == "openai/gpt-4o:extended"
    latest = catalog.get("~anthropic/claude-sonnet-latest")
    assert latest.id.startswith("anthropic/claude-sonnet")
    assert "openai/gpt-4o" in catalog and "nope/x" not in catalog and 42 not in catalog
    assert catalog.is_known("openrouter/auto") and not catalog.is_known("nope/x")
    assert len(catalog) == 196 and len(catalog.ids) == 196 and len(list(catalog)) == 196


def test_unknown_id_suggests_closest(catalog: Catalog) -> None:
    with pytest.raises(UnknownModelError) as info:
        catalog.get("anthropic/claude-sonet-4.5")
    assert info.value.suggestions[0] == "anthropic/claude-sonnet-4.5"
    with pytest.raises(UnknownModelError) as info:
        catalog.get("gpt-4o-mini")
    assert "openai/gpt-4o-mini" in info.value.suggestions


def test_queries_by_capability_modality_context_price(catalog: Catalog) -> None:
    tools_json = catalog.query(supports=["tools", "structured_outputs"], sort="price")
    assert tools_json and all({"tools", "structured_outputs"} <= m.parameters for m in tools_json)
    prices = [(m.prompt_price or 0) + (m.completion_price or 0) for m in tools_json]
    assert prices == sorted(prices)
    vision = catalog.query(input_modalities=["image", "file"], min_context=1_000_000)
    assert vision and all(m.context_window and m.context_window >= 1_000_000 for m in vision)
    assert all({"image", "file"} <= m.input_modalities for m in vision)
    cheap = catalog.query(max_prompt_price=0.0000002, author="meta-llama", limit=3)
    assert len(cheap) <= 3 and all(m.id.startswith("meta-llama/") for m in cheap)
    free = catalog.query(free=True)
    assert free and all(m.id.endswith(":free") or m.prompt_price == 0 for m in free)
    assert catalog.query(output_modalities=["image"])
    by_context = catalog.query(sort="context", descending=True, limit=1)[0]
    assert by_context.context_window == max(m.context_window or 0 for m in catalog)
    assert catalog.query(sort="created", limit=2)


def test_cost_estimate_uses_catalog_prices(catalog: Catalog) -> None:
    model = catalog.get("openai/gpt-4o-mini")
    usage = Usage(prompt_tokens=1000, completion_tokens=500, total_tokens=1500)
    expected = 1000 * (model.prompt_price or 0) + 500 * (model.completion_price or 0)
    assert catalog.estimate_cost("openai/gpt-4o-mini", usage) == pytest.approx(expected)
    cached = {
        "prompt_tokens": 1000,
        "completion_tokens": 0,
        "prompt_tokens_details": {"cached_tokens": 800},
    }
    read = model.pricing.per_token("input_cache_read")
    assert read is not None
    assert catalog.estimate_cost("openai/gpt-4o-mini", cached) == pytest.approx(
        200 * (model.prompt_price or 0) + 800 * read
    )
    assert catalog.estimate_cost("nope/x", usage) is None


def test_no_network_at_construction_and_ttl_refresh(
    snapshot: list[dict[str, Any]], tmp_path: Path
) -> None:
    calls: list[int] = []
    clock = Clock()

    def fetch() -> Any:
        calls.append(1)
        return payload(snapshot)

    catalog = Catalog(fetch=fetch, cache_dir=None, ttl=60, clock=clock)
    assert calls == []  # nothing loaded yet
    catalog.ensure()
    catalog.ensure()
    assert calls == [1] and catalog.refresh_count == 1
    clock.now += 61
    catalog.ensure()
    assert calls == [1, 1]
    catalog.invalidate()
    catalog.ensure()
    assert len(calls) == 3


def test_disk_cache_gives_fast_offline_start(
    snapshot: list[dict[str, Any]], tmp_path: Path
) -> None:
    clock = Clock()
    first = Catalog(fetch=lambda: payload(snapshot), cache_dir=tmp_path, ttl=60, clock=clock)
    first.ensure()
    assert first.cache_path is not None and first.cache_path.exists()

    def offline() -> Any:
        raise AssertionError("must not fetch: the disk copy is fresh")

    second = Catalog(fetch=offline, cache_dir=tmp_path, ttl=60, clock=clock)
    assert second.ensure().get("openai/gpt-4o")
    assert second.refresh_count == 0

    # Stale disk copy + network down: keep working on the stale copy.
    clock.now += 3600

    def down() -> Any:
        raise APIConnectionError("no route to host")

    third = Catalog(fetch=down, cache_dir=tmp_path, ttl=60, clock=clock)
    assert third.ensure().get("openai/gpt-4o")
    first.clear_disk_cache()
    assert not first.cache_path.exists()


def test_no_copy_anywhere_falls_back_to_the_snapshot_or_is_a_clear_error(tmp_path: Path) -> None:
    def down() -> Any:
        raise APIConnectionError("offline")

    offline = Catalog(fetch=down, cache_dir=tmp_path)
    assert offline.ensure().origin == "snapshot" and "openai/gpt-4o-mini" in offline
    with pytest.raises(CatalogUnavailableError, match="offline"):
        Catalog(fetch=down, cache_dir=tmp_path, snapshot=False).ensure()
    with pytest.raises(CatalogUnavailableError, match="no models"):
        Catalog(fetch=lambda: {"data": []}, cache_dir=None, snapshot=False).ensure()
    with pytest.raises(CatalogUnavailableError, match="no source"):
        Catalog(cache_dir=None, snapshot=False).ensure()


def test_corrupt_disk_cache_is_ignored(snapshot: list[dict[str, Any]], tmp_path: Path) -> None:
    catalog = Catalog(fetch=lambda: payload(snapshot), cache_dir=tmp_path)
    assert catalog.cache_path is not None
    catalog.cache_path.write_text("{not json")
    assert catalog.ensure().refresh_count == 1


def test_one_refresh_under_threads(snapshot: list[dict[str, Any]]) -> None:
    calls: list[int] = []

    def slow_fetch() -> Any:
        calls.append(1)
        time.sleep(0.05)
        return payload(snapshot)

    catalog = Catalog(fetch=slow_fetch, cache_dir=None)
    threads = [threading.Thread(target=catalog.ensure) for _ in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1]


async def test_one_refresh_under_asyncio_and_threads(snapshot: list[dict[str, Any]]) -> None:
    calls: list[str] = []

    async def afetch() -> Any:
        calls.append("async")
        await asyncio.sleep(0.05)
        return payload(snapshot)

    def fetch() -> Any:
        calls.append("sync")
        time.sleep(0.05)
        return payload(snapshot)

    catalog = Catalog(fetch=fetch, afetch=afetch, cache_dir=None)
    worker = threading.Thread(target=catalog.ensure)
    worker.start()
    await asyncio.gather(*(catalog.aensure() for _ in range(50)))
    worker.join()
    assert len(calls) == 1


async def test_async_without_async_source_uses_a_thread(snapshot: list[dict[str, Any]]) -> None:
    catalog = Catalog(fetch=lambda: payload(snapshot), cache_dir=None)
    assert len(await catalog.aensure()) == 196


async def test_async_stale_fallback(snapshot: list[dict[str, Any]], tmp_path: Path) -> None:
    clock = Clock()
    Catalog(fetch=lambda: payload(snapshot), cache_dir=tmp_path, ttl=1, clock=clock).ensure()
    clock.now += 10

    async def down() -> Any:
        raise APIConnectionError("offline")

    catalog = Catalog(afetch=down, cache_dir=tmp_path, ttl=1, clock=clock)
    assert len(await catalog.aensure()) == 196


def test_entries_without_ids_are_dropped_and_nulls_tolerated() -> None:
    weird = {
        "data": [
            {"name": "no id"},
            "junk",
            {
                "id": "x/y",
                "architecture": None or {},
                "pricing": {"prompt": "-1", "completion": None},
                "supported_parameters": None,
                "top_provider": {},
            },
        ]
    }
    from openrouter_core.catalog import parse_models

    (model,) = parse_models(weird)
    assert model.prompt_price is None and model.parameters == frozenset()
    assert model.input_modalities == {"text"} and model.output_modalities == {"text"}
    assert json.dumps(weird)
