"""``OpenRouterEmbedding`` as a LlamaIndex ``MultiModalEmbedding``: image
embeddings, the capability check before sending, and ``input_type`` for models
that embed queries and documents apart."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from llama_index_openrouter import OpenRouterEmbedding
from openrouter_core import CapabilityError, UnknownModelError
from tests.embedding_server import BASE, PNG, Server, server

__all__ = ["server"]  # the fixture

DATA_URL = "data:image/png;base64," + base64.b64encode(PNG).decode()


async def test_image_embeddings_from_urls_paths_and_bytes(server: Server, tmp_path: Path) -> None:
    picture = tmp_path / "dot.png"
    picture.write_bytes(PNG)
    emb = OpenRouterEmbedding(
        model="nvidia/llama-nemotron-embed-vl-1b-v2", api_key="k", api_base=BASE
    )
    vectors = emb.get_image_embedding_batch(["https://x.test/cat.jpg", str(picture)])
    assert vectors == [[0.0, 1.0], [1.0, 1.0]]
    inputs = server.bodies[-1]["input"]
    assert inputs[0]["content"][0]["image_url"]["url"] == "https://x.test/cat.jpg"
    assert inputs[1]["content"][0]["image_url"]["url"] == DATA_URL
    assert await emb.aget_image_embedding(io.BytesIO(PNG)) == [0.0, 1.0]
    assert server.bodies[-1]["input"][0]["content"][0]["image_url"]["url"] == DATA_URL


def test_images_to_a_text_only_embedder_fail_before_sending(server: Server) -> None:
    emb = OpenRouterEmbedding(model="openai/text-embedding-3-small", api_key="k", api_base=BASE)
    with pytest.raises(CapabilityError) as caught:
        emb.get_image_embedding("https://x.test/cat.jpg")
    assert caught.value.capable_models == ["nvidia/llama-nemotron-embed-vl-1b-v2"]
    assert server.bodies == []


def test_an_unknown_embedding_model_names_the_closest(server: Server) -> None:
    emb = OpenRouterEmbedding(model="openai/text-embedding-3-smal", api_key="k", api_base=BASE)
    with pytest.raises(UnknownModelError) as caught:
        emb.get_text_embedding("hi")
    assert "openai/text-embedding-3-small" in caught.value.suggestions
    assert server.bodies == []


async def test_queries_and_documents_get_an_input_type_where_the_model_takes_one(
    server: Server,
) -> None:
    emb = OpenRouterEmbedding(model="cohere/embed-english-v3.0", api_key="k", api_base=BASE)
    emb.get_query_embedding("q")
    await emb.aget_query_embedding("q")
    emb.get_text_embedding_batch(["a", "b"])
    await emb.aget_text_embedding("c")
    sent = [body.get("input_type") for body in server.bodies]
    assert sent == ["search_query", "search_query", "search_document", "search_document"]


def test_input_type_set_by_the_caller_wins_and_others_get_none(server: Server) -> None:
    OpenRouterEmbedding(
        model="cohere/embed-english-v3.0", api_key="k", api_base=BASE, input_type="clustering"
    ).get_query_embedding("q")
    OpenRouterEmbedding(
        model="cohere/embed-english-v3.0", api_key="k", api_base=BASE, capability_check="off"
    ).get_query_embedding("q")
    OpenRouterEmbedding(
        model="openai/text-embedding-3-small", api_key="k", api_base=BASE
    ).get_query_embedding("q")
    assert [body.get("input_type") for body in server.bodies] == ["clustering", None, None]
