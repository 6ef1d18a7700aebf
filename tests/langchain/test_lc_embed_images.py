"""Image embeddings (``OpenRouterEmbeddings.embed_images``) and presets."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
from openrouter_core import CapabilityError
from tests.request_validation import validate_request

EMBEDDERS = {
    "data": [
        {
            "id": "openai/text-embedding-3-small",
            "architecture": {"input_modalities": ["text"], "output_modalities": ["embeddings"]},
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
            models = json.loads((Path(__file__).parents[1] / "data/models.json").read_text())
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

    def handle(self: Any, request: httpx.Request) -> httpx.Response:
        return fake(request)

    async def ahandle(self: Any, request: httpx.Request) -> httpx.Response:
        return fake(request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", ahandle)
    yield fake


async def test_embed_images_from_urls_files_and_bytes(server: Server, tmp_path: Path) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(PNG)
    emb = OpenRouterEmbeddings(
        model="nvidia/llama-nemotron-embed-vl-1b-v2", api_key="k", base_url=BASE
    )
    vectors = emb.embed_images(["https://x.test/cat.jpg", str(picture), PNG])
    assert vectors == [[0.0, 1.0], [1.0, 1.0], [2.0, 1.0]]
    inputs = server.bodies[-1]["input"]
    assert inputs[0] == {
        "content": [{"type": "image_url", "image_url": {"url": "https://x.test/cat.jpg"}}]
    }
    data_url = "data:image/png;base64," + base64.b64encode(PNG).decode()
    assert inputs[1]["content"][0]["image_url"]["url"] == data_url
    assert inputs[2]["content"][0]["image_url"]["url"] == data_url
    assert await emb.aembed_images([PNG]) == [[0.0, 1.0]]


def test_images_to_a_text_only_embedder_fail_before_sending(server: Server) -> None:
    emb = OpenRouterEmbeddings(model="openai/text-embedding-3-small", api_key="k", base_url=BASE)
    with pytest.raises(CapabilityError) as caught:
        emb.embed_images(["https://x.test/cat.jpg"])
    assert caught.value.capable_models == ["nvidia/llama-nemotron-embed-vl-1b-v2"]
    assert server.bodies == []


def test_a_preset_is_sent_and_not_checked(server: Server) -> None:
    llm = ChatOpenRouter(model="@preset/support-bot", api_key="k")
    bound = llm.bind_tools([{"type": "function", "function": {"name": "f", "parameters": {}}}])
    assert bound.invoke("hi").content == "ok"
    assert server.bodies[-1]["model"] == "@preset/support-bot"
    assert llm.profile is None  # no fixed capabilities to report
