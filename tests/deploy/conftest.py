"""Deployment tests: forked workers, an event loop per call, many keys, thousands of
concurrent calls, closing under load. Each runs against the loopback server
(``tests/loopback.py``) in its own process, over real sockets."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-or-v1-" + "5" * 64


def spawn_server(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.loopback", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    return proc, proc.stdout.readline().strip()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    proc, url = spawn_server()
    try:
        yield url
    finally:
        proc.terminate()
        proc.wait()


@pytest.fixture(autouse=True)
def _catalog_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)


def rss_mb() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    import os

    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def open_fds() -> int:
    import os

    return len(os.listdir("/proc/self/fd"))


def server_stats(server_url: str) -> dict[str, Any]:
    """What the loopback server saw since its last reset (``GET /_stats``)."""
    data: dict[str, Any] = httpx.get(f"{server_url}/_stats").json()
    return data


def reset_server(server_url: str) -> None:
    """Clear the loopback server's counters (``POST /_reset``)."""
    httpx.post(f"{server_url}/_reset")
