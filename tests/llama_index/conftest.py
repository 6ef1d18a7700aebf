"""Fixtures for the LlamaIndex adapter tests.

* Cassettes of this folder live under ``cassettes/llama_index/<module>/<test>.yaml``.
* ``fake_server``: a scripted in-process OpenRouter (an ``httpx.MockTransport``) for
  the unit tests; every body it receives is checked against OpenRouter's published
  request schemas.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter_core import AsyncOpenRouterClient, Catalog, OpenRouterClient, RetryPolicy
from openrouter_core.routing import CooldownRegistry

ROOT = Path(__file__).resolve().parents[2]
LIVE_BASE_URL = "https://openrouter.ai/api/v1"

if importlib.util.find_spec("llama_index_openrouter") is None:
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def openrouter_cassette_dir() -> Path:
    """This folder's cassettes: ``cassettes/llama_index/<module>/<test>.yaml``."""
    return ROOT / "cassettes" / "llama_index"


class FakeServer:
    """Replies queued by the test; request bodies recorded for assertions."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._replies: list[httpx.Response] = []
        self.transport = httpx.MockTransport(self._handle)
        self.cooldowns = CooldownRegistry()
        self._sync: OpenRouterClient | None = None
        #: Accept body fields the published schema does not list (``additional_kwargs``).
        self.allow_unknown_fields = False

    def reply_json(self, payload: dict[str, Any], status: int = 200, **headers: str) -> None:
        self._replies.append(httpx.Response(status, json=payload, headers=headers))

    def reply_error(self, status: int, message: str, **headers: str) -> None:
        self.reply_json({"error": {"code": status, "message": message}}, status, **headers)

    def reply_stream(self, events: list[dict[str, Any]]) -> None:
        text = ": OPENROUTER PROCESSING\n\n"
        text += "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        self._replies.append(
            httpx.Response(
                200, content=text.encode(), headers={"content-type": "text/event-stream"}
            )
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        from request_validation import validate_request

        body = json.loads(request.content) if request.content else {}
        validate_request(
            request.method, request.url.path, body, allow_unknown_fields=self.allow_unknown_fields
        )
        self.requests.append(body)
        self.paths.append(request.url.path)
        if not self._replies:
            raise AssertionError(f"unexpected request to {request.url}")
        return self._replies.pop(0)

    # The stand-in for openrouter_core.pool.SharedClients.
    @property
    def sync(self) -> OpenRouterClient:
        if self._sync is None:
            self._sync = OpenRouterClient(
                api_key="test-key",
                http_client=httpx.Client(transport=self.transport),
                catalog=self.catalog,
                cooldowns=self.cooldowns,
                retry_policy=RetryPolicy(max_retries=0, sleep=lambda _: None),
            )
        return self._sync

    def async_client(self) -> AsyncOpenRouterClient:
        async def no_sleep(_: float) -> None:
            return None

        return AsyncOpenRouterClient(
            api_key="test-key",
            http_client=httpx.AsyncClient(transport=self.transport),
            catalog=self.catalog,
            cooldowns=self.cooldowns,
            retry_policy=RetryPolicy(max_retries=0, async_sleep=no_sleep),
        )


@pytest.fixture
def fake_server(
    catalog_models: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeServer]:
    """Route every ``OpenRouter`` / ``OpenRouterEmbedding`` call to a scripted server."""
    fake = FakeServer(Catalog.from_models(catalog_models))
    for module in ("llama_index_openrouter.llms", "llama_index_openrouter.embeddings"):
        monkeypatch.setattr(f"{module}.clients_of", lambda _obj: fake)
    yield fake
