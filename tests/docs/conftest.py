"""The docs' examples run against the loopback emulator (see ``test_docs_run.py``)."""

from __future__ import annotations

import pytest


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "ray: starts a local Ray cluster (deselect with -m 'not ray' for speed)"
    )
