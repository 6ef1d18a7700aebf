"""``orctl``: OpenRouter from the command line, over the shared client.

Commands: ``models`` (list and filter the catalog), ``model ID`` (one model, its
capabilities and endpoints), ``providers``, ``credits``, ``key``, ``generation ID`` (a
past call's cost) and ``chat PROMPT`` (one streamed answer along a fallback route).
Every listing has ``--json``. The key comes from ``$OPENROUTER_API_KEY`` and is never
printed.
"""

from __future__ import annotations

from .main import main

__all__ = ["main"]
