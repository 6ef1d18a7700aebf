"""A loopback OpenRouter-shaped HTTP server for authoring cassettes and injecting faults.

>>> from tests.emulator import Emulator
>>> emu = Emulator()                       # doctest: +SKIP
>>> base_url = emu.start()                 # doctest: +SKIP
>>> emu.stop()                             # doctest: +SKIP

See ``README.md`` beside this file.
"""

from __future__ import annotations

from .server import Emulator

__all__ = ["Emulator"]
