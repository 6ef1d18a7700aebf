"""Reliability tests against a real loopback server (the emulator), not mocks.

Retry *delays* are set to zero here so that faults cost no wall time; their values
(backoff, jitter, ``Retry-After``) are asserted in ``tests/core`` and ``tests/wire``.
Timeouts are short, so a hang shows as a failure within seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter_core._retries import RetryPolicy

PRIMARY = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"
KEY = "sk-or-v1-" + "7" * 64  # key-shaped, so leak checks look for something real


@pytest.fixture(scope="module")
def emu() -> Iterator[Any]:
    from tests.emulator import Emulator

    emulator = Emulator()
    emulator.start()
    try:
        yield emulator
    finally:
        emulator.stop()


@pytest.fixture(autouse=True)
def _zero_retry_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(RetryPolicy, "delay", lambda self, attempt, error=None: 0.0)


@pytest.fixture(autouse=True)
def _clean_emulator(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "emu" in request.fixturenames:
        emulator = request.getfixturevalue("emu")
        emulator.clear_faults()
        emulator.calls_by_model.clear()


def pool_is_quiet(http: httpx.Client | httpx.AsyncClient) -> bool:
    """No connection of the pool is left busy (each is idle or closed)."""
    pool = http._transport._pool  # type: ignore[union-attr]
    return all(c.is_idle() or c.is_closed() for c in pool.connections)
