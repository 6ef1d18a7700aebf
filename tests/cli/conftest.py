"""``orctl`` tests: cassettes in ``cassettes/cli/<module>/<test>.yaml``."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from openrouter_core.cli import main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def openrouter_cassette_dir() -> Path:
    return ROOT / "cassettes" / "cli"


@pytest.fixture
def orctl(
    base_url: str, api_key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> Callable[..., tuple[int, str, str]]:
    """Run ``orctl ARGS...`` in-process: (exit code, stdout, stderr)."""
    monkeypatch.setenv("OPENROUTER_API_KEY", api_key)

    def run(*args: str) -> tuple[int, str, str]:
        code = main(["--base-url", base_url, *args])
        out, err = capsys.readouterr()
        return code, out, err

    return run
