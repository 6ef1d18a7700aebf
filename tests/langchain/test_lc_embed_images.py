"""Image embeddings (``OpenRouterEmbeddings.embed_images``) and presets."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
from openrouter_core import CapabilityError
from tests.embedding_server import BASE, PNG, Server, server

__all__ = ["server"]  # the fixture


@pytest.mark.parametrize("check", ["error", "off"])
async def test_queries_and_documents_get_an_input_type_where_the_model_takes_one(
    server: Server, check: str
) -> None:
    emb = OpenRouterEmbeddings(
        model="cohere/embed-english-v3.0", api_key="k", base_url=BASE, capability_check=check
    )
    emb.embed_query("q")
    await emb.aembed_query("q")
    emb.embed_documents(["d"])
    await emb.aembed_documents(["d"])
    sent = [body.get("input_type") for body in server.bodies]
    if check == "off":  # no catalog read: nothing guessed
        assert sent == [None] * 4
    else:
        assert sent == ["search_query", "search_query", "search_document", "search_document"]


def test_input_type_set_by_the_caller_wins_and_others_get_none(server: Server) -> None:
    OpenRouterEmbeddings(
        model="cohere/embed-english-v3.0", api_key="k", base_url=BASE, input_type="classification"
    ).embed_query("q")
    OpenRouterEmbeddings(
        model="openai/text-embedding-3-small", api_key="k", base_url=BASE
    ).embed_query("q")
    assert server.bodies[0]["input_type"] == "classification"
    assert "input_type" not in server.bodies[1]


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
