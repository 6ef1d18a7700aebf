"""``make demo`` replays its recorded session offline and shows every scene."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_demo_replays_offline() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENROUTER_")}
    done = subprocess.run(
        [sys.executable, "-m", "demo"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "OFFLINE REPLAY" in out and "cassettes/demo/" in out
    assert "can call tools and follow a schema" in out
    assert "in $/M tok" in out
    assert "[tool] get_weather" in out and "[tool] get_local_time" in out
    assert "anthropic/claude-3.5-haiku via Anthropic after openai/gpt-4o-mini failed" in out
    assert "429" in out
    assert "reranking with cohere/rerank-v3.5" in out
    assert "[source] routing.md (relevance" in out
    assert "Total: 3 model calls" in out
