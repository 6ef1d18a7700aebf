"""The shared client over the wire: every endpoint, error status and fallback path.

Cassettes live in ``cassettes/core/<module>/<test>.yaml``; they are authored against the
loopback emulator (``make cassettes``). Tests that script a fault in the emulator cannot
be re-recorded live and skip then, saying so.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import AsyncOpenRouterClient, OpenRouterClient, RetryPolicy

ROOT = Path(__file__).resolve().parents[2]

live_recording = pytest.mark.skipif(
    os.environ.get("OPENROUTER_RECORD_MODE", "none") != "none"
    and os.environ.get("OPENROUTER_EMULATE") != "1",
    reason="the fault is scripted in the loopback emulator; a live recording cannot inject it",
)


@pytest.fixture(scope="session")
def openrouter_cassette_dir() -> Path:
    return ROOT / "cassettes" / "core"


def no_sleep_policy(max_retries: int = 2, delays: list[float] | None = None) -> RetryPolicy:
    """A retry policy that records the delays it would sleep instead of sleeping."""
    seen = delays if delays is not None else []

    async def async_sleep(seconds: float) -> None:
        seen.append(seconds)

    return RetryPolicy(max_retries=max_retries, sleep=seen.append, async_sleep=async_sleep)


@pytest.fixture
def sync_client(base_url: str, api_key: str) -> Iterator[OpenRouterClient]:
    with OpenRouterClient(
        api_key=api_key, base_url=base_url, retry_policy=no_sleep_policy()
    ) as client:
        yield client


@pytest.fixture
async def async_client(base_url: str, api_key: str) -> AsyncIterator[AsyncOpenRouterClient]:
    async with AsyncOpenRouterClient(
        api_key=api_key, base_url=base_url, retry_policy=no_sleep_policy()
    ) as client:
        yield client


@pytest.fixture(params=["sync", "async"])
async def any_client(request: pytest.FixtureRequest, base_url: str, api_key: str) -> Any:
    """Both clients behind one awaitable interface: ``await call(client.method(...))``."""
    if request.param == "sync":
        with OpenRouterClient(api_key=api_key, base_url=base_url) as client:
            yield client
    else:
        async with AsyncOpenRouterClient(api_key=api_key, base_url=base_url) as client:
            yield client


async def call(value: Any) -> Any:
    """The result of a sync call, or of an awaited async one."""
    if hasattr(value, "__await__"):
        return await value
    return value


@pytest.fixture(autouse=True)
def _clear_emulator_faults(emulator: Any) -> Iterator[None]:
    """Faults a test scripted but its route did not use must not leak into the next."""
    yield
    if emulator is not None:
        emulator.clear_faults()


def reload_catalogs(
    cassette: str, cassette_dir: Path, base_url: str, api_key: str, kinds: tuple[str, ...]
) -> None:
    """Load the ``kinds`` catalogs (``"embeddings"``, ``"rerank"``) afresh from a
    cassette of their own, whatever an earlier test left in memory or on disk, so
    the tests that need them replay alone or in any order (the session fixture in
    ``tests/conftest.py`` loads only the chat and embeddings catalogs, once)."""
    from openrouter_core.testing.cassettes import use_cassette

    with (
        use_cassette(cassette, cassette_dir=cassette_dir),
        OpenRouterClient(api_key=api_key, base_url=base_url) as client,
    ):
        for kind in kinds:
            catalog = client.catalog_of(kind)  # type: ignore[arg-type]
            catalog.invalidate()
            catalog.clear_disk_cache()
            client.ensure_catalog(kind)  # type: ignore[arg-type]
