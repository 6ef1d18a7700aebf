"""LlamaIndex on cassettes, the newer features: ``OpenRouterRerank`` as a query
engine's node postprocessor (sync, async, streaming), ``OpenRouterEmbedding`` image
embeddings, replies' images and citations as ``ImageBlock`` / ``CitationBlock``
(chat and stream), and presets.

Cassettes live in ``cassettes/llama_index/test_li_cassettes_more/``; the rerank and
embedding catalogs are loaded from a cassette of their own first (``catalogs.yaml``),
so the tests replay alone or in any order.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from llama_index.core import Document, SummaryIndex
from llama_index.core.base.llms.types import (
    ChatMessage,
    CitationBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
)

from llama_index_openrouter import OpenRouter, OpenRouterEmbedding, OpenRouterRerank
from openrouter_core import CapabilityError
from tests.wire.conftest import reload_catalogs

pytestmark = pytest.mark.openrouter_cassette

MODEL = "openai/gpt-4o-mini"
IMAGE_MAKER = "google/gemini-2.5-flash-image"
RERANKER = "cohere/rerank-v3.5"
IMAGE_EMBEDDER = "nvidia/llama-nemotron-embed-vl-1b-v2"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)
LIBRARY = [
    Document(text="Bananas are yellow and rich in potassium.", metadata={"source": "fruit"}),
    Document(text="Paris is the capital of France.", metadata={"source": "atlas"}),
    Document(text="Berlin is the capital of Germany.", metadata={"source": "atlas"}),
    Document(text="The Eiffel Tower is a landmark in Paris, France.", metadata={"source": "guide"}),
]
QUESTION = "What is the capital of France?"


@pytest.fixture(scope="module", autouse=True)
def _embedding_and_rerank_catalogs(
    openrouter_cassette_dir: Path, base_url: str, api_key: str, openrouter_catalog_cache: Path
) -> None:
    reload_catalogs(
        "test_li_cassettes_more/catalogs",
        openrouter_cassette_dir,
        base_url,
        api_key,
        ("embeddings", "rerank"),
    )


def sent_bodies(cassette: Any, path: str) -> list[dict[str, Any]]:
    return [json.loads(r.body) for r in cassette.requests if r.path.endswith(path)]


def engine(api_key: str, base_url: str, **kwargs: Any) -> Any:
    """A query engine whose retriever returns the whole library, in order (a summary
    index): the reranker makes the choice."""
    return SummaryIndex.from_documents(LIBRARY).as_query_engine(
        llm=OpenRouter(model=MODEL, api_key=api_key, api_base=base_url, temperature=0),
        node_postprocessors=[
            OpenRouterRerank(model=RERANKER, top_n=2, api_key=api_key, api_base=base_url)
        ],
        **kwargs,
    )


def _check_sources(source_nodes: list[Any]) -> None:
    texts = [n.node.get_content() for n in source_nodes]
    assert texts == [LIBRARY[1].text, LIBRARY[3].text]  # reranked, best first, top 2
    scores = [n.score for n in source_nodes]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert [n.node.metadata["source"] for n in source_nodes] == ["atlas", "guide"]


# --------------------------------------------------------------------------- rerank


def test_rerank_in_a_query_engine(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    response = engine(api_key, base_url).query(QUESTION)
    _check_sources(response.source_nodes)
    assert "Paris" in str(response)
    sent = sent_bodies(openrouter_cassette, "/rerank")[-1]
    assert sent["query"] == QUESTION and sent["top_n"] == 2 and len(sent["documents"]) == 4


async def test_rerank_in_an_async_query_engine(api_key: str, base_url: str) -> None:
    response = await engine(api_key, base_url).aquery(QUESTION)
    _check_sources(response.source_nodes)
    assert "Paris" in str(response)


def test_rerank_in_a_streaming_query_engine(api_key: str, base_url: str) -> None:
    response = engine(api_key, base_url, streaming=True).query(QUESTION)
    _check_sources(response.source_nodes)
    assert "Paris" in "".join(response.response_gen)


# --------------------------------------------------------------------------- embeddings


async def test_image_embeddings(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    embedder = OpenRouterEmbedding(model=IMAGE_EMBEDDER, api_key=api_key, api_base=base_url)
    vector = embedder.get_image_embedding("https://images.example/cat.png")
    assert len(vector) > 1 and len(await embedder.aget_image_embedding(_png_file())) == len(vector)
    sent = sent_bodies(openrouter_cassette, "/embeddings")
    assert sent[-2]["input"] == [
        {"content": [{"type": "image_url", "image_url": {"url": "https://images.example/cat.png"}}]}
    ]
    assert sent[-1]["input"][0]["content"][0]["image_url"]["url"].startswith(
        "data:image/png;base64,"
    )


def _png_file() -> str:
    import tempfile

    handle = tempfile.NamedTemporaryFile(suffix=".png", delete=False)  # noqa: SIM115
    with handle:
        handle.write(PNG)
    return handle.name


def test_images_to_a_text_embedder_fail_before_sending(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    embedder = OpenRouterEmbedding(
        model="openai/text-embedding-3-small", api_key=api_key, api_base=base_url
    )
    with pytest.raises(CapabilityError) as caught:
        embedder.get_image_embedding("https://images.example/cat.png")
    assert IMAGE_EMBEDDER in caught.value.capable_models
    assert not openrouter_cassette.requests


# --------------------------------------------------------------------------- reply blocks


def _check_blocks(message: ChatMessage) -> None:
    text = [b for b in message.blocks if isinstance(b, TextBlock)]
    assert text and text[0].text
    citations = [b for b in message.blocks if isinstance(b, CitationBlock)]
    assert citations and all(c.source.startswith("http") and c.title for c in citations)
    (image,) = [b for b in message.blocks if isinstance(b, ImageBlock)]
    assert image.image_mimetype == "image/png"
    assert base64.b64decode(image.image or b"").startswith(b"\x89PNG")
    # the raw annotations stay where they were; ``additional_kwargs["images"]`` is
    # LlamaIndex's (legacy ImageDocuments), so the raw images are in ``raw`` only
    assert message.additional_kwargs["annotations"] and "images" not in message.additional_kwargs


async def test_image_and_citation_blocks_on_chat_and_stream(api_key: str, base_url: str) -> None:
    llm = OpenRouter(
        model=IMAGE_MAKER,
        api_key=api_key,
        api_base=base_url,
        additional_kwargs={"plugins": [{"id": "web"}], "modalities": ["image", "text"]},
    )
    ask = [
        ChatMessage(role=MessageRole.USER, content="Draw the Eiffel Tower and tell me about it.")
    ]
    reply = llm.chat(ask)
    _check_blocks(reply.message)
    assert reply.raw.choices[0].message.images
    streamed = list(llm.stream_chat(ask))
    assert any(any(isinstance(b, ImageBlock) for b in r.message.blocks) for r in streamed[:-1])
    _check_blocks(streamed[-1].message)
    replies = [reply async for reply in await llm.astream_chat(ask)]
    _check_blocks(replies[-1].message)


# --------------------------------------------------------------------------- presets


def test_a_preset(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    llm = OpenRouter(model="@preset/support-bot", api_key=api_key, api_base=base_url)
    reply = llm.complete("Hello!")
    assert reply.text and not reply.additional_kwargs["model"].startswith("@")
    assert (
        sent_bodies(openrouter_cassette, "/chat/completions")[-1]["model"] == "@preset/support-bot"
    )
