"""``OpenRouter`` and ``OpenRouterEmbedding`` end to end on cassettes: a FunctionAgent
with two tools, a RAG query engine, streaming, async, fallback, typed errors and
capability errors raised before anything is sent.

Cassettes are authored against the loopback emulator
(``OPENROUTER_RECORD_MODE=all OPENROUTER_EMULATE=1``) and replayed offline; the
assertions hold for a live re-recording too ("the answer mentions X").
"""

from __future__ import annotations

import os
from typing import Any

import pytest
from li_helpers import png
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.agent.workflow import (
    AgentOutput,
    AgentStream,
    FunctionAgent,
    ToolCall,
    ToolCallResult,
)
from llama_index.core.base.llms.types import ChatMessage, ImageBlock, MessageRole, TextBlock
from llama_index.core.tools import FunctionTool

from llama_index_openrouter import OpenRouter, OpenRouterEmbedding
from openrouter_core import APIStatusError, CapabilityError, UnknownModelError

pytestmark = pytest.mark.openrouter_cassette

PRIMARY = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"
NO_TOOLS = "google/gemma-3-4b-it"
REASONER = "google/gemini-2.5-flash"
EMBEDDER = "openai/text-embedding-3-small"

scripted = pytest.mark.skipif(
    os.environ.get("OPENROUTER_RECORD_MODE", "none") != "none"
    and os.environ.get("OPENROUTER_EMULATE") != "1",
    reason="the fault is scripted in the emulator; live runs cannot inject it",
)


def _llm(api_key: str, base_url: str, **kwargs: Any) -> OpenRouter:
    return OpenRouter(api_key=api_key, api_base=base_url, **kwargs)


def _user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


def city_tools() -> list[FunctionTool]:
    def get_weather(city: str) -> str:
        """Current weather of a city."""
        return "Sunny, 18°C"

    def get_local_time(city: str) -> str:
        """Current local time (24-hour clock) in a city."""
        return "14:05"

    return [
        FunctionTool.from_defaults(fn=get_weather),
        FunctionTool.from_defaults(fn=get_local_time),
    ]


async def test_function_agent_solves_a_two_tool_task(api_key: str, base_url: str) -> None:
    agent = FunctionAgent(
        tools=city_tools(),
        llm=_llm(api_key, base_url, model=PRIMARY, temperature=0),
        system_prompt="Use the tools to answer. Quote the tools' results in your answer.",
    )
    handler = agent.run(
        user_msg="What is the weather in Paris right now, and what is the local time there?"
    )
    deltas: list[str] = []
    calls: set[str] = set()
    results: set[str] = set()
    outputs: list[AgentOutput] = []
    async for event in handler.stream_events():
        if isinstance(event, AgentStream):
            deltas.append(event.delta)
        elif isinstance(event, ToolCallResult):
            results.add(str(event.tool_output.content))
        elif isinstance(event, ToolCall):
            calls.add(event.tool_name)
        elif isinstance(event, AgentOutput):
            outputs.append(event)
    final = await handler
    assert calls == {"get_weather", "get_local_time"}
    assert results == {"Sunny, 18°C", "14:05"}
    answer = str(final.response.content)
    assert "18" in answer and "14:05" in answer
    assert "14:05" in "".join(deltas)  # the answer was streamed
    assert len(outputs) >= 2 and outputs[0].tool_calls


def test_rag_query_engine_answers_with_sources(api_key: str, base_url: str) -> None:
    documents = [
        Document(
            text="The Zorblax lighthouse on Keel Island is painted bright violet.",
            metadata={"source": "lighthouse.txt"},
        ),
        Document(
            text="Marrow Bay bakery sells cardamom buns every Tuesday morning.",
            metadata={"source": "bakery.txt"},
        ),
        Document(
            text="The Keel Island ferry leaves the harbour at 07:40 each day.",
            metadata={"source": "ferry.txt"},
        ),
    ]
    embed_model = OpenRouterEmbedding(
        model_name=EMBEDDER, api_key=api_key, api_base=base_url, embed_batch_size=2
    )
    index = VectorStoreIndex.from_documents(documents, embed_model=embed_model)
    engine = index.as_query_engine(
        llm=_llm(api_key, base_url, model=PRIMARY, temperature=0), similarity_top_k=2
    )
    response = engine.query("What colour is the Zorblax lighthouse?")
    assert "violet" in str(response).lower()
    assert len(response.source_nodes) == 2
    sources = {n.node.metadata["source"] for n in response.source_nodes}
    assert "lighthouse.txt" in sources


async def test_embeddings_sync_and_async_batched(api_key: str, base_url: str) -> None:
    embed = OpenRouterEmbedding(
        model_name=EMBEDDER, api_key=api_key, api_base=base_url, embed_batch_size=2
    )
    texts = ["violet lighthouse", "cardamom buns", "morning ferry"]
    vectors = embed.get_text_embedding_batch(texts)
    assert len(vectors) == 3 and len({len(v) for v in vectors}) == 1
    again = await embed.aget_text_embedding_batch(texts)
    assert len(again) == 3
    query = await embed.aget_query_embedding("violet lighthouse")
    assert len(query) == len(vectors[0])


def test_stream_chat_with_reasoning_and_usage(api_key: str, base_url: str) -> None:
    llm = _llm(api_key, base_url, model=REASONER, reasoning={"effort": "low"}, max_tokens=2000)
    chunks = list(llm.stream_chat([_user("What is the capital of Italy? One sentence.")]))
    text = "".join(c.delta or "" for c in chunks)
    assert "Rome" in text
    assert any(c.additional_kwargs.get("thinking_delta") for c in chunks)
    final = chunks[-1]
    assert final.message.content == text
    assert final.additional_kwargs["completion_tokens"] > 0
    assert final.additional_kwargs["model"].startswith(REASONER)


async def test_async_complete_and_chat(api_key: str, base_url: str) -> None:
    llm = _llm(api_key, base_url, model=PRIMARY, temperature=0)
    completion = await llm.acomplete("What is the capital of France? Answer in one sentence.")
    assert "Paris" in completion.text
    chunks = [c async for c in await llm.astream_chat([_user("What is the capital of Spain?")])]
    assert "Madrid" in chunks[-1].message.content
    assert chunks[-1].additional_kwargs["total_tokens"] > 0


def test_image_block_input(api_key: str, base_url: str) -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[TextBlock(text="Describe this image in one sentence."), ImageBlock(image=png())],
    )
    response = _llm(api_key, base_url, model=PRIMARY, temperature=0).chat([message])
    assert response.message.content


@scripted
def test_rate_limited_model_falls_back(api_key: str, base_url: str, emulator: Any) -> None:
    if emulator is not None:
        emulator.fail_model(PRIMARY, "rate_limit", times=1)
    llm = _llm(api_key, base_url, model=PRIMARY, fallback_models=[BACKUP], temperature=0)
    response = llm.chat([_user("What is the capital of Germany?")])
    assert "Berlin" in str(response.message.content)
    assert response.additional_kwargs["model"] == BACKUP
    first = response.additional_kwargs["fallback_attempts"][0]
    assert first["model"] == PRIMARY and first["status_code"] == 429


def test_server_error_is_typed(api_key: str, base_url: str) -> None:
    llm = _llm(api_key, base_url, model="openai/not-a-real-model", capability_check="off")
    with pytest.raises(APIStatusError) as caught:
        llm.complete("Hi")
    assert caught.value.status_code in (400, 404)


def test_capability_errors_before_sending(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    llm = _llm(api_key, base_url, model=NO_TOOLS)
    with pytest.raises(CapabilityError) as caught:
        llm.chat_with_tools(city_tools(), user_msg="Weather in Paris?")
    assert caught.value.capable_models
    with pytest.raises(UnknownModelError) as unknown:
        _llm(api_key, base_url, model="openai/gpt-4o-mnii").complete("Hi")
    assert PRIMARY in unknown.value.suggestions
    assert len(openrouter_cassette.requests) == 0  # nothing was sent
