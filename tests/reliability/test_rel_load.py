"""Load through one shared client: no errors, connections and memory flat, one catalog refresh."""

from __future__ import annotations

import asyncio
import gc
import threading
from collections.abc import Iterator
from typing import Any

import pytest

from openrouter_core import AsyncOpenRouterClient, ChatResult, OpenRouterClient
from tests.reliability.conftest import KEY, PRIMARY, pool_is_quiet


@pytest.fixture(scope="module")
def quiet_emu() -> Iterator[Any]:
    """An emulator that keeps no log of requests (its memory stays flat too)."""
    from tests.emulator import Emulator

    emulator = Emulator(record_requests=False)
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


BODY = {"model": PRIMARY, "messages": [{"role": "user", "content": "Capital of France?"}]}


def rss_bytes() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    return 0


def live(kind: type) -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind))


def _connections(http: Any) -> int:
    return len(http._transport._pool.connections)


async def test_thousand_concurrent_async_calls(
    quiet_emu: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path))  # a cold catalog
    async with AsyncOpenRouterClient(
        api_key=KEY, base_url=quiet_emu.base_url, timeout=30
    ) as client:

        async def batch(n: int = 1000) -> int:
            results = await asyncio.wait_for(
                asyncio.gather(*(client.chat(BODY) for _ in range(n))), timeout=120
            )
            return sum(1 for r in results if r.text)

        assert await batch() == 1000
        assert client.catalog.refresh_count == 1  # 1,000 callers, one /models request
        connections = _connections(client.http_client)
        # Memory: resident size after a further batch of 300 calls, then after another.
        assert await batch(300) == 300
        gc.collect()
        baseline = rss_bytes()
        assert await batch(300) == 300
        gc.collect()
        grown = rss_bytes() - baseline
        # Results are not accumulated anywhere: only the latest batch can still be alive.
        assert live(ChatResult) <= 300
        assert _connections(client.http_client) <= max(connections, 100)  # pool limit
        assert pool_is_quiet(client.http_client)
        assert grown < 4_000_000, f"resident memory grew by {grown} bytes over 300 more calls"


def test_eight_threads_of_two_hundred_sync_calls(
    quiet_emu: Any, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path))
    errors: list[BaseException] = []
    done: list[int] = []
    with OpenRouterClient(api_key=KEY, base_url=quiet_emu.base_url, timeout=30) as client:

        def work() -> None:
            try:
                for _ in range(200):
                    assert client.chat(BODY).text
                done.append(200)
            except BaseException as exc:  # reported below
                errors.append(exc)

        threads = [threading.Thread(target=work) for _ in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        assert not any(t.is_alive() for t in threads), "a worker hung"
        assert not errors, errors[:3]
        assert sum(done) == 1600
        assert client.catalog.refresh_count == 1
        assert _connections(client.http_client) <= 8
        assert pool_is_quiet(client.http_client)
