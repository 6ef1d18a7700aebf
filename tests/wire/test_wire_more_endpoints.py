"""The newer endpoints of the shared client over the wire: ``/rerank``, ``/responses``
(JSON and streamed), image embeddings, chat replies with web citations and generated
images, and presets.

Cassettes live in ``cassettes/core/test_wire_more_endpoints/``. As in the other wire
tests, assertions check structure and behaviour (ranking, types, ids, which model
served, what was refused before sending), not the words a model says.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import (
    BadRequestError,
    CapabilityError,
    InvalidRequestError,
    OpenRouterClient,
    UnknownModelError,
)
from openrouter_core._responses_events import (
    FunctionCallArgumentsDone,
    OutputItemDone,
    OutputTextDelta,
    ReasoningSummaryTextDelta,
    ReasoningTextDelta,
    ResponseCompleted,
)
from tests.wire.conftest import call, reload_catalogs

pytestmark = pytest.mark.openrouter_cassette

CHAT_MODEL = "openai/gpt-4o-mini"
RERANKER = "cohere/rerank-v3.5"
IMAGE_RERANKER = "nvidia/llama-nemotron-rerank-vl-1b-v2"
IMAGE_EMBEDDER = "nvidia/llama-nemotron-embed-vl-1b-v2"
TEXT_EMBEDDER = "openai/text-embedding-3-small"
THINKER = "anthropic/claude-3.7-sonnet:thinking"
OPENAI_REASONER = "openai/o4-mini"
IMAGE_MAKER = "google/gemini-2.5-flash-image"
DOCUMENTS = [
    "Bananas are yellow and rich in potassium.",
    "Paris is the capital of France and its largest city.",
    "The Eiffel Tower stands in Paris, France.",
    "Berlin is the capital of Germany.",
]
WEATHER_TOOL = {
    "type": "function",
    "name": "get_weather",
    "description": "Get the current weather in a city",
    "parameters": {
        "type": "object",
        "properties": {"city": {"type": "string", "description": "The city"}},
        "required": ["city"],
    },
}
CITY_SCHEMA = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "country": {"type": "string"}},
    "required": ["city", "country"],
    "additionalProperties": False,
}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module", autouse=True)
def _embedding_and_rerank_catalogs(
    openrouter_cassette_dir: Path, base_url: str, api_key: str, openrouter_catalog_cache: Path
) -> None:
    reload_catalogs(
        "test_wire_more_endpoints/catalogs",
        openrouter_cassette_dir,
        base_url,
        api_key,
        ("embeddings", "rerank"),
    )


async def drain(stream: Any) -> list[Any]:
    """Every event or chunk of a sync or async stream."""
    if hasattr(stream, "__aiter__"):
        return [event async for event in stream]
    return list(stream)


def image_input(url: str) -> dict[str, Any]:
    return {"content": [{"type": "image_url", "image_url": {"url": url}}]}


# --------------------------------------------------------------------------- rerank


async def test_rerank_models_are_listed(any_client: Any) -> None:
    models = await call(any_client.list_models(output_modalities="rerank"))
    ids = {m.id for m in models}
    assert {RERANKER, IMAGE_RERANKER} <= ids
    assert all("rerank" in m.output_modalities for m in models)
    by_id = {m.id: m for m in models}
    assert "image" in by_id[IMAGE_RERANKER].input_modalities
    assert "image" not in by_id[RERANKER].input_modalities


async def test_rerank_ranks_documents_best_first(any_client: Any) -> None:
    result = await call(
        any_client.rerank(
            model=RERANKER, query="What is the capital of France?", documents=DOCUMENTS, top_n=2
        )
    )
    assert result.model == RERANKER and result.id and result.provider
    ranked = result.ranked()
    assert len(ranked) == 2
    assert ranked[0].index == 1 and ranked[0].text == DOCUMENTS[1]
    assert ranked[0].relevance_score > ranked[1].relevance_score
    assert result.documents(DOCUMENTS)[0] == DOCUMENTS[1]
    assert result.cost is not None and result.cost > 0
    assert result.usage is not None and result.usage.search_units == 1


def test_rerank_with_images_on_a_multimodal_reranker(client: OpenRouterClient) -> None:
    documents: list[Any] = [
        {"text": "A yellow fruit.", "image": "https://images.example/banana.png"},
        {"image": "https://images.example/eiffel-tower.png"},
        "Berlin is the capital of Germany.",
    ]
    result = client.rerank(model=IMAGE_RERANKER, query="the Eiffel Tower", documents=documents)
    ranked = result.ranked()
    assert ranked[0].index == 1  # the image whose picture matches
    assert ranked[0].document is not None and ranked[0].document.image == documents[1]["image"]
    assert len(ranked) == 3 and result.cost is not None


def test_unknown_rerank_model_is_refused_before_sending(
    client: OpenRouterClient, openrouter_cassette: Any
) -> None:
    with pytest.raises(UnknownModelError) as caught:
        client.rerank(model="cohere/rerank-v35", query="capital", documents=DOCUMENTS)
    assert RERANKER in caught.value.suggestions
    assert not openrouter_cassette.requests


def test_a_chat_model_sent_to_rerank_is_answered_400(client: OpenRouterClient) -> None:
    with pytest.raises(BadRequestError) as caught:
        client.rerank(
            model=CHAT_MODEL, query="capital", documents=DOCUMENTS, capability_check="off"
        )
    assert caught.value.status_code == 400


# --------------------------------------------------------------------------- responses


async def test_responses_text_usage_and_cost(any_client: Any) -> None:
    result = await call(
        any_client.responses({"model": CHAT_MODEL, "input": "What is the capital of France?"})
    )
    assert "Paris" in result.text
    assert result.model == CHAT_MODEL and result.id
    (message,) = result.messages
    assert message.id is not None and message.id.startswith("msg_tmp_")
    assert result.usage is not None and result.usage.input_tokens > 0
    assert result.usage.cost is not None and result.usage.cost > 0
    assert [a.model for a in result.attempts] == [CHAT_MODEL]


async def test_responses_stream_text(any_client: Any) -> None:
    stream = await call(
        any_client.responses_stream({"model": CHAT_MODEL, "input": "What is the capital of Italy?"})
    )
    events = await drain(stream)
    kinds = [e.type for e in events]
    assert kinds[:2] == ["response.created", "response.in_progress"]
    assert kinds[-1] == "response.completed"
    assert [e.sequence_number for e in events] == list(range(len(events)))
    deltas = "".join(e.delta for e in events if isinstance(e, OutputTextDelta))
    result = stream.result()
    assert deltas == result.text and "Rome" in result.text
    assert result.usage is not None and result.usage.total_tokens > 0


async def test_responses_function_call_round_trip(any_client: Any) -> None:
    request: dict[str, Any] = {
        "model": CHAT_MODEL,
        "input": [{"role": "user", "content": "What is the weather in Paris?"}],
        "tools": [WEATHER_TOOL],
    }
    first = await call(any_client.responses(request))
    (fn,) = first.function_calls
    assert fn.name == "get_weather" and fn.call_id
    assert fn.parsed_arguments() == {"city": "Paris"}
    assert first.messages[0].status == "incomplete"  # a message announcing the call
    follow = {
        **request,
        "input": [
            *request["input"],
            *first.as_input_items(),
            {"type": "function_call_output", "call_id": fn.call_id, "output": "18 C and sunny"},
        ],
    }
    second = await call(any_client.responses(follow))
    assert "18 C and sunny" in second.text and not second.function_calls


async def test_streamed_function_call_arguments_arrive_at_the_end(any_client: Any) -> None:
    stream = await call(
        any_client.responses_stream(
            {"model": CHAT_MODEL, "input": "Weather in Tokyo?", "tools": [WEATHER_TOOL]}
        )
    )
    events = await drain(stream)
    done = [e for e in events if isinstance(e, FunctionCallArgumentsDone)]
    assert done and done[0].arguments == "" and done[0].name == "get_weather"
    items = [e.item for e in events if isinstance(e, OutputItemDone)]
    assert any(i["type"] == "function_call" and i["arguments"] == "" for i in items)
    completed = next(e for e in events if isinstance(e, ResponseCompleted))
    (final,) = completed.result.function_calls
    assert json.loads(final.arguments or "") == {"city": "Tokyo"}
    (fn,) = stream.result().function_calls
    assert fn.parsed_arguments() == {"city": "Tokyo"} and fn.call_id == final.call_id


def test_responses_reasoning_text_is_kept_and_sent_back(client: OpenRouterClient) -> None:
    stream = client.responses_stream({"model": THINKER, "input": "What is the capital of Spain?"})
    events = list(stream)
    assert any(isinstance(e, ReasoningTextDelta) for e in events)
    result = stream.result()
    assert result.reasoning_text and "Madrid" in result.text
    (item,) = result.reasoning
    assert item.id is not None and item.id.startswith("rs_tmp_") and item.signature
    assert result.usage is not None and result.usage.reasoning_tokens > 0
    replay = result.as_input_items()
    assert replay[0]["type"] == "reasoning" and replay[0]["signature"] == item.signature
    second = client.responses(
        {
            "model": THINKER,
            "input": [
                {"role": "user", "content": "What is the capital of Spain?"},
                *replay,
                {"role": "user", "content": "What is the capital of Germany?"},
            ],
        }
    )
    assert "Berlin" in second.text


async def test_responses_reasoning_summary_and_encrypted_content(any_client: Any) -> None:
    request = {
        "model": OPENAI_REASONER,
        "input": "What is the capital of Japan?",
        "reasoning": {"effort": "low", "summary": "auto"},
    }
    stream = await call(any_client.responses_stream(request))
    events = await drain(stream)
    assert any(isinstance(e, ReasoningSummaryTextDelta) for e in events)
    result = stream.result()
    (item,) = result.reasoning
    assert item.summary_text and item.encrypted_content
    assert result.usage is not None and result.usage.reasoning_tokens > 0
    whole = await call(any_client.responses({**request, "stream": False}))
    assert whole.reasoning[0].encrypted_content and "Tokyo" in whole.text


async def test_responses_structured_output(any_client: Any) -> None:
    result = await call(
        any_client.responses(
            {
                "model": CHAT_MODEL,
                "input": "Which city is the capital of France? Answer with the city and country.",
                "text": {
                    "format": {
                        "type": "json_schema",
                        "name": "capital",
                        "schema": CITY_SCHEMA,
                        "strict": True,
                    }
                },
            }
        )
    )
    answer = json.loads(result.text)
    assert set(answer) == {"city", "country"} and all(isinstance(v, str) for v in answer.values())


@pytest.mark.parametrize("stateful", [{"store": True}, {"previous_response_id": "resp_1"}])
def test_stateful_responses_are_refused_before_sending(
    client: OpenRouterClient, openrouter_cassette: Any, stateful: dict[str, Any]
) -> None:
    with pytest.raises(InvalidRequestError):
        client.responses({"model": CHAT_MODEL, "input": "hi", **stateful})
    assert not openrouter_cassette.requests


# --------------------------------------------------------------------------- image embeddings


async def test_embed_images_on_a_multimodal_embedder(any_client: Any) -> None:
    result = await call(
        any_client.embed(
            model=IMAGE_EMBEDDER,
            input=[
                image_input("https://images.example/cat.png"),
                image_input("data:image/png;base64," + base64.b64encode(PNG_SIGNATURE).decode()),
                {"content": [{"type": "text", "text": "a cat on a sofa"}]},
            ],
        )
    )
    vectors = result.vectors()
    assert len(vectors) == 3 and len({len(v) for v in vectors}) == 1
    assert vectors[0] != vectors[1]
    assert result.usage is not None and result.usage["prompt_tokens"] > 0


def test_images_to_a_text_only_embedder_are_refused_before_sending(
    client: OpenRouterClient, openrouter_cassette: Any
) -> None:
    with pytest.raises(CapabilityError) as caught:
        client.embed(model=TEXT_EMBEDDER, input=[image_input("https://images.example/cat.png")])
    assert IMAGE_EMBEDDER in caught.value.capable_models
    assert not openrouter_cassette.requests


def test_images_sent_unchecked_to_a_text_only_embedder_are_answered_400(
    client: OpenRouterClient,
) -> None:
    with pytest.raises(BadRequestError) as caught:
        client.embed(
            model=TEXT_EMBEDDER,
            input=[image_input("https://images.example/cat.png")],
            capability_check="off",
        )
    assert caught.value.status_code == 400


# --------------------------------------------------------------------------- chat extras


def _citations(annotations: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [a["url_citation"] for a in annotations or () if a.get("type") == "url_citation"]


async def test_chat_with_web_citations(any_client: Any) -> None:
    ask = [{"role": "user", "content": "Tell me about the Eiffel Tower."}]
    result = await call(
        any_client.chat({"model": CHAT_MODEL, "messages": ask, "plugins": [{"id": "web"}]})
    )
    cited = _citations(result.choices[0].message.annotations)
    assert cited and all(c["url"].startswith("https://") and c["title"] for c in cited)
    stream = await call(any_client.chat_stream({"model": f"{CHAT_MODEL}:online", "messages": ask}))
    chunks = await drain(stream)
    streamed = stream.result()
    assert "".join(c.content for c in chunks) == streamed.text
    assert _citations(streamed.choices[0].message.annotations)


async def test_chat_with_generated_images(any_client: Any) -> None:
    request = {
        "model": IMAGE_MAKER,
        "messages": [{"role": "user", "content": "Draw a violet lighthouse."}],
        "modalities": ["image", "text"],
    }
    for result in (
        await call(any_client.chat(request)),
        await _streamed(any_client, request),
    ):
        (image,) = result.choices[0].message.images or []
        url = image["image_url"]["url"]
        assert url.startswith("data:image/png;base64,")
        assert base64.b64decode(url.split(",", 1)[1]).startswith(PNG_SIGNATURE)


async def _streamed(client: Any, request: dict[str, Any]) -> Any:
    stream = await call(client.chat_stream(request))
    await drain(stream)
    return stream.result()


async def test_a_preset_is_answered_by_its_model(any_client: Any) -> None:
    result = await call(
        any_client.chat(
            {"model": "@preset/support-bot", "messages": [{"role": "user", "content": "Hello!"}]}
        )
    )
    assert result.text and result.model and not result.model.startswith("@")
    assert result.usage is not None and result.usage.total_tokens > 0
    assert [a.model for a in result.attempts] == ["@preset/support-bot"]
