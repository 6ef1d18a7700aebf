"""Shared test set-up.

Modes (environment):
* default: replay cassettes from ``cassettes/``; no network (an unmatched request fails).
* ``OPENROUTER_RECORD_MODE=all OPENROUTER_EMULATE=1`` (``make cassettes``): re-author
  every cassette against the loopback emulator in ``tests/emulator``.
* ``OPENROUTER_RECORD_MODE=all`` with ``OPENROUTER_API_KEY`` (``make record``):
  re-record live against openrouter.ai.

The model catalog is recorded once (``cassettes/catalog/models.yaml``) and loaded
into a per-session disk cache, so each test's cassette holds only its own calls.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
LIVE_BASE_URL = "https://openrouter.ai/api/v1"
RECORD_MODE = os.environ.get("OPENROUTER_RECORD_MODE", "none")
EMULATE = os.environ.get("OPENROUTER_EMULATE") == "1"
FAKE_KEY = "test-key-not-a-secret"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "live_only: needs a live key (skipped on cassettes)")


@pytest.fixture(scope="session")
def catalog_models() -> list[dict[str, Any]]:
    """The real catalog snapshot the tests and the emulator use (196 models)."""
    data: list[dict[str, Any]] = json.loads((ROOT / "tests/data/models.json").read_text())["data"]
    return data


@pytest.fixture(scope="session")
def emulator() -> Iterator[Any]:
    """The loopback emulator when authoring cassettes, else ``None``."""
    if not EMULATE:
        yield None
        return
    from tests.emulator import Emulator

    emu = Emulator()
    base_url = emu.start()
    os.environ["OPENROUTER_CASSETTE_REWRITE_FROM"] = base_url
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="session")
def base_url(emulator: Any) -> str:
    """Where clients send requests (replayed cassettes always say openrouter.ai)."""
    return str(emulator.base_url) if emulator is not None else LIVE_BASE_URL


@pytest.fixture(scope="session")
def api_key() -> str:
    live = os.environ.get("OPENROUTER_API_KEY")
    if RECORD_MODE != "none" and not EMULATE and live:
        return live
    return FAKE_KEY


@pytest.fixture(scope="session", autouse=True)
def openrouter_catalog_cache(
    tmp_path_factory: pytest.TempPathFactory, base_url: str, api_key: str
) -> Path:
    """Load the catalog once (from its cassette) into a session-wide disk cache.

    Overrides the pytest plugin's fixture of the same name (which records the catalog
    as ``<cassette dir>/openrouter_catalog.yaml``): this project keeps one catalog
    cassette for every suite and authors it against the emulator too."""
    from openrouter_core import OpenRouterClient
    from openrouter_core.testing.cassettes import use_cassette

    cache_dir = tmp_path_factory.mktemp("catalog-cache")
    os.environ["OPENROUTER_CATALOG_CACHE_DIR"] = str(cache_dir)
    with (
        use_cassette("catalog/models", cassette_dir=ROOT / "cassettes", record_mode=RECORD_MODE),
        OpenRouterClient(api_key=api_key, base_url=base_url) as client,
    ):
        client.catalog.ensure()
        client.ensure_catalog("embeddings")
    return cache_dir


@pytest.fixture
def openrouter_request_hooks() -> list[Any]:
    """Check every recorded and replayed request against OpenRouter's published schemas."""
    from tests.request_validation import make_validating_hook

    return [make_validating_hook()]


@pytest.fixture(autouse=True)
def _fresh_shared_clients() -> Iterator[None]:
    """Each test gets its own shared clients (and so its own cooldowns)."""
    from openrouter_core import close_shared_clients

    close_shared_clients()
    yield
    close_shared_clients()


@pytest.fixture
def client(base_url: str, api_key: str) -> Iterator[Any]:
    from openrouter_core import OpenRouterClient

    with OpenRouterClient(api_key=api_key, base_url=base_url) as c:
        yield c
