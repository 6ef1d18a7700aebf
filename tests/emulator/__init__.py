"""A loopback OpenRouter-shaped HTTP server for authoring cassettes, benchmarks and faults.

>>> from tests.emulator import Emulator
>>> with Emulator() as emu:          # doctest: +SKIP
...     client = OpenRouterClient(api_key="k", base_url=emu.base_url)

See :mod:`tests.emulator.server` (the server and its API), :mod:`tests.emulator.brain`
(what the model answers) and :mod:`tests.emulator.faults` (fault injection).
"""

from __future__ import annotations

from typing import Any

from .faults import FAULT_NAMES, Fault, parse_faults
from .protocol import RecordedRequest
from .server import API_PREFIX, Emulator

__all__ = [
    "API_PREFIX",
    "FAULT_NAMES",
    "Emulator",
    "Fault",
    "RecordedRequest",
    "parse_faults",
    "run_in_thread",
    "start",
]


def start(**options: Any) -> Emulator:
    """Create an :class:`Emulator` with ``options`` and start it in a daemon thread."""
    emulator = Emulator(**options)
    emulator.start()
    return emulator


#: Alias of :func:`start`.
run_in_thread = start
