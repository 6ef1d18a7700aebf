"""Fixtures for the replays of real recorded OpenRouter traffic (``tests/real``).

Every test here runs without network: core clients get an ``httpx.MockTransport``
answering from a recording; the framework adapters (whose clients come from a
process-wide pool) are reached by patching httpx's transports for the test
(:meth:`tests.real.replay.Replayer.patch_httpx`).
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.real.replay import Interaction, Replayer

ROOT = Path(__file__).resolve().parents[2]

if importlib.util.find_spec("langchain_openrouter") is None:  # pragma: no cover
    # The editable install maps only shared/; the adapter packages sit at the root.
    sys.path.insert(0, str(ROOT))


def clear_shared_clients() -> None:
    """Forget the adapters' pooled clients, so each test gets fresh ones (created while
    its transport patch is in force). The pool's home has moved before; look in each
    known place, then fall back on the public closer."""
    for name in ("openrouter_core.pool", "openrouter_core._pool"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        registry = getattr(module, "_registry", None)
        if registry is not None and callable(getattr(registry, "clear", None)):
            registry.clear()
            return
    import openrouter_core

    closer = getattr(openrouter_core, "close_shared_clients", None)
    if not callable(closer):
        raise RuntimeError("cannot find the shared-client pool to reset; update this fixture")
    closer()


@pytest.fixture(scope="session")
def openrouter_catalog_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Overrides the suite-wide fixture that loads the model catalog from its cassette:
    these replays run with ``capability_check="off"`` and need no catalog."""
    return tmp_path_factory.mktemp("real-catalog-cache")


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """No catalog cache, key or base URL leaks in from the machine or other tests."""
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path / "catalog-cache"))
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    clear_shared_clients()
    yield
    clear_shared_clients()


@pytest.fixture
def replay_httpx(monkeypatch: pytest.MonkeyPatch) -> Callable[..., Replayer]:
    """Answer every httpx request of the test from the given interactions."""

    def start(interactions: Iterable[Interaction], **kwargs: Any) -> Replayer:
        return Replayer(interactions, **kwargs).patch_httpx(monkeypatch)

    return start
