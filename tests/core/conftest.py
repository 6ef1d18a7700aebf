"""Fixtures for the core unit tests: a catalog from the real snapshot and a
scripted in-process transport (no sockets) for retry and routing tests."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter_core import Catalog

DATA = Path(__file__).resolve().parents[1] / "data" / "models.json"


@pytest.fixture(scope="session")
def snapshot() -> list[dict[str, Any]]:
    models: list[dict[str, Any]] = json.loads(DATA.read_text())["data"]
    return models


@pytest.fixture
def catalog(snapshot: list[dict[str, Any]]) -> Catalog:
    return Catalog.from_models(snapshot)


def completion(model: str, text: str = "ok", provider: str = "OpenAI") -> dict[str, Any]:
    return {
        "id": "gen-1",
        "object": "chat.completion",
        "created": 1,
        "model": model,
        "provider": provider,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "native_finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 1, "total_tokens": 6, "cost": 0.00001},
    }


def sse(*events: Any) -> bytes:
    lines = [": OPENROUTER PROCESSING\n\n"]
    for ev in events:
        lines.append(f"data: {ev if isinstance(ev, str) else json.dumps(ev)}\n\n")
    return "".join(lines).encode()


class Script:
    """Replies handed out in order per model; records every request body."""

    def __init__(self) -> None:
        self.replies: dict[
            str, list[Callable[[dict[str, Any]], httpx.Response] | httpx.Response | Exception]
        ] = {}
        self.bodies: list[dict[str, Any]] = []

    def on(
        self,
        model: str,
        *replies: httpx.Response | Exception | Callable[[dict[str, Any]], httpx.Response],
    ) -> None:
        self.replies.setdefault(model, []).extend(replies)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else {}
        self.bodies.append(body)
        queue = self.replies.get(body.get("model", ""), [])
        reply = (
            queue.pop(0)
            if len(queue) > 1
            else (
                queue[0] if queue else httpx.Response(200, json=completion(body.get("model", "?")))
            )
        )
        if isinstance(reply, Exception):
            raise reply
        if callable(reply) and not isinstance(reply, httpx.Response):
            return reply(body)
        return reply

    @property
    def models(self) -> list[str]:
        return [b.get("model", "") for b in self.bodies]


@pytest.fixture
def script() -> Script:
    return Script()


@pytest.fixture
def sleeps() -> list[float]:
    return []
