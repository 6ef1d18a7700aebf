"""Every ``httpx`` transport of the process answered by one function, for tests that
fake OpenRouter in-process (no sockets); what the pooled clients send reaches it too."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest


def route_httpx(
    monkeypatch: pytest.MonkeyPatch, answer: Callable[[httpx.Request], httpx.Response]
) -> None:
    """Send every sync and async ``httpx`` request of the test to ``answer``."""

    def handle(_transport: Any, request: httpx.Request) -> httpx.Response:
        return answer(request)

    async def ahandle(_transport: Any, request: httpx.Request) -> httpx.Response:
        return answer(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", ahandle)
