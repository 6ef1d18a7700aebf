"""The real recorded ``/embeddings`` reply through the core clients and both adapters.

OpenRouter names the model in that reply without its vendor prefix
(``text-embedding-3-small`` for ``openai/text-embedding-3-small``); nothing may
depend on the two matching.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from langchain_openrouter import OpenRouterEmbeddings
from llama_index_openrouter import OpenRouterEmbedding
from openrouter_core import AsyncOpenRouterClient, OpenRouterClient
from tests.real.cases import API_KEY, BASE_URL
from tests.real.replay import Interaction, Replayer, ai_sdk_folders, load_ai_sdk_recording

Replay = Callable[..., Replayer]

FOLDERS = ai_sdk_folders("/api/v1/embeddings")


@pytest.fixture(params=FOLDERS)
def recording(request: pytest.FixtureRequest) -> Interaction:
    return load_ai_sdk_recording(request.param)


def recorded_vectors(interaction: Interaction) -> list[list[float]]:
    data = sorted(interaction.json()["data"], key=lambda item: item["index"])
    return [item["embedding"] for item in data]


def texts_of(interaction: Interaction) -> list[str]:
    given = interaction.request_json["input"]
    return [given] if isinstance(given, str) else list(given)


def check_sent(replayer: Replayer, interaction: Interaction) -> None:
    assert len(replayer.requests) == 1
    sent = replayer.sent_json()
    assert sent["model"] == interaction.request_json["model"]
    assert sent["input"] == texts_of(interaction)


def test_recorded_model_lacks_vendor_prefix(recording: Interaction) -> None:
    """The quirk these tests guard: the reply's model is not the id that was asked for."""
    asked, answered = recording.request_json["model"], recording.json()["model"]
    assert asked != answered
    assert asked.endswith("/" + answered)


def test_core_sync(recording: Interaction) -> None:
    replayer = Replayer([recording])
    body = recording.json()
    with (
        replayer.client() as http,
        OpenRouterClient(
            api_key=API_KEY, base_url=BASE_URL, http_client=http, max_retries=0
        ) as client,
    ):
        result = client.create_embeddings(
            model=recording.request_json["model"], input=recording.request_json["input"]
        )
    assert result.vectors() == recorded_vectors(recording)
    assert result.model == body["model"]
    assert result.provider == body.get("provider")
    assert result.id == body.get("id")
    assert result.usage == body["usage"]
    assert replayer.sent_json() == recording.request_json
    assert len(replayer.requests) == 1


async def test_core_async(recording: Interaction) -> None:
    replayer = Replayer([recording])
    body = recording.json()
    async with (
        replayer.async_client() as http,
        AsyncOpenRouterClient(
            api_key=API_KEY, base_url=BASE_URL, http_client=http, max_retries=0
        ) as client,
    ):
        result = await client.create_embeddings(recording.request_json)
    assert result.vectors() == recorded_vectors(recording)
    assert result.model == body["model"]
    assert result.usage == body["usage"]
    assert replayer.sent_json() == recording.request_json
    assert len(replayer.requests) == 1


def _langchain(interaction: Interaction) -> OpenRouterEmbeddings:
    return OpenRouterEmbeddings(
        model=interaction.request_json["model"],
        api_key=API_KEY,
        base_url=BASE_URL,
        max_retries=0,
        capability_check="off",  # the recording holds no /embeddings/models
    )


def _llama_index(interaction: Interaction) -> OpenRouterEmbedding:
    return OpenRouterEmbedding(
        model_name=interaction.request_json["model"],
        api_key=API_KEY,
        api_base=BASE_URL,
        max_retries=0,
    )


@pytest.mark.parametrize("api", ["embed_documents", "aembed_documents"])
async def test_langchain_documents(recording: Interaction, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx([recording])
    embeddings = _langchain(recording)
    texts = texts_of(recording)
    if api == "embed_documents":
        vectors = embeddings.embed_documents(texts)
    else:
        vectors = await embeddings.aembed_documents(texts)
    assert vectors == recorded_vectors(recording)
    check_sent(replayer, recording)


@pytest.mark.parametrize("api", ["embed_query", "aembed_query"])
async def test_langchain_query(recording: Interaction, api: str, replay_httpx: Replay) -> None:
    texts = texts_of(recording)
    if len(texts) != 1:
        pytest.skip("a query embeds one text")
    replayer = replay_httpx([recording])
    embeddings = _langchain(recording)
    if api == "embed_query":
        vector = embeddings.embed_query(texts[0])
    else:
        vector = await embeddings.aembed_query(texts[0])
    assert vector == recorded_vectors(recording)[0]
    check_sent(replayer, recording)


@pytest.mark.parametrize(
    "api", ["get_text_embedding_batch", "aget_text_embedding_batch", "get_query_embedding"]
)
async def test_llama_index(recording: Interaction, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx([recording])
    embed_model = _llama_index(recording)
    texts = texts_of(recording)
    vectors: Any
    if api == "get_text_embedding_batch":
        vectors = embed_model.get_text_embedding_batch(texts)
    elif api == "aget_text_embedding_batch":
        vectors = await embed_model.aget_text_embedding_batch(texts)
    else:
        if len(texts) != 1:
            pytest.skip("a query embeds one text")
        vectors = [embed_model.get_query_embedding(texts[0])]
    assert vectors == recorded_vectors(recording)
    check_sent(replayer, recording)
