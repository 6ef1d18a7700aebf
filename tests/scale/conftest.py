"""Scale tests: pacing hooks and pickles without Ray (``test_limit_hooks.py``,
``test_udf_local.py``, ``test_slot_schedule.py``), and Ray Data pipelines on one
local Ray cluster per module (``test_ray_pipelines.py``, marked ``ray``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.loopback import Config, Running, running


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ray: needs Ray (a local cluster is started per module; skipped without ray)"
    )


@pytest.fixture(autouse=True)
def _catalog_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)


@pytest.fixture(scope="module")
def server() -> Iterator[Running]:
    """A loopback server for the module (no limits unless a test sets them)."""
    with running(Config()) as found:
        yield found


@pytest.fixture
def stats(server: Running) -> Any:
    server.stats.reset()
    return server.stats
