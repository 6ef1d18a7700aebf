"""A fake OpenRouter for embedding tests: ``/embeddings/models`` lists a text-only
embedder, one that takes images and one that takes ``input_type``; every body
sent is validated against the OpenAPI spec and kept."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.fake_transport import route_httpx
from tests.request_validation import validate_request

EMBEDDERS = {
    "data": [
        {
            "id": "openai/text-embedding-3-small",
            "architecture": {"input_modalities": ["text"], "output_modalities": ["embeddings"]},
        },
        {
            "id": "cohere/embed-english-v3.0",
            "architecture": {"input_modalities": ["text"], "output_modalities": ["embeddings"]},
            "supported_parameters": ["input_type", "encoding_format"],
        },
        {
            "id": "nvidia/llama-nemotron-embed-vl-1b-v2",
            "architecture": {
                "input_modalities": ["text", "image"],
                "output_modalities": ["embeddings"],
            },
        },
    ]
}
#: A base URL of its own: its catalogs are this server's, not another test's.
BASE = "https://embeddings.test/api/v1"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)


class Server:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.url.path.endswith("/embeddings/models"):
            return httpx.Response(200, json=EMBEDDERS)
        if request.url.path.endswith("/models"):
            models = json.loads((Path(__file__).parent / "data/models.json").read_text())
            return httpx.Response(200, json=models)
        body = json.loads(request.content)
        path = request.url.path
        validate_request("POST", path, body, allow_unknown_fields=False)
        self.bodies.append(body)
        if path.endswith("/embeddings"):
            data = [{"index": i, "embedding": [float(i), 1.0]} for i in range(len(body["input"]))]
            return httpx.Response(200, json={"data": data, "model": body["model"]})
        message = {"role": "assistant", "content": "ok"}
        reply = {"id": "g", "model": body["model"], "choices": [{"index": 0, "message": message}]}
        return httpx.Response(200, json=reply)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    fake = Server()

    route_httpx(monkeypatch, fake)
    yield fake
