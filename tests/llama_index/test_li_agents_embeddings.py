"""Tool-calling entry points on a model without tool calling (``FunctionAgent``,
``FunctionCallingProgram``) fail with our ``CapabilityError`` before sending, while
``metadata`` stays truthful for LlamaIndex's own choices; and ``OpenRouterEmbedding``
takes the keywords its users pass (``additional_kwargs`` in every body)."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import pytest
from li_helpers import MockOpenRouter, completion, embedding_reply, tool_call
from llama_index.core.agent.workflow import AgentWorkflow, FunctionAgent, ReActAgent
from llama_index.core.base.embeddings.base import BaseEmbedding
from llama_index.core.program.function_program import FunctionCallingProgram
from pydantic import BaseModel, ValidationError

from llama_index_openrouter import OpenRouter, OpenRouterEmbedding
from openrouter_core import CapabilityError, CapabilityWarning, ConfigurationError, TokenBucket

MODEL = "openai/gpt-4o-mini"
NO_TOOLS = "google/gemma-3-4b-it"


def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"Sunny in {city}"


# --------------------------------------------------------------------------- FunctionAgent


@pytest.mark.parametrize("streaming", [False, True])
def test_function_agent_on_a_model_without_tools(fake_server: Any, streaming: bool) -> None:
    llm = OpenRouter(model=NO_TOOLS)
    agent = FunctionAgent(tools=[get_weather], llm=llm, streaming=streaming)

    async def run() -> Any:
        return await agent.run("Weather in Paris?")

    with pytest.raises(CapabilityError) as caught:
        asyncio.run(run())
    assert isinstance(caught.value, ValueError)
    assert caught.value.model == NO_TOOLS and caught.value.capable_models
    assert "tool calling" in str(caught.value)
    assert fake_server.requests == []
    # Elsewhere the metadata stays truthful, so LlamaIndex picks what can work.
    assert llm.metadata.is_function_calling_model is False
    assert isinstance(
        AgentWorkflow.from_tools_or_functions([get_weather], llm=llm).agents["Agent"], ReActAgent
    )


async def test_function_agent_runs_on_a_capable_model(fake_server: Any) -> None:
    fake_server.reply_json(
        completion(None, tool_calls=[tool_call("c1", "get_weather", {"city": "Paris"})])
    )
    fake_server.reply_json(completion("Sunny in Paris."))
    agent = FunctionAgent(tools=[get_weather], llm=OpenRouter(model=MODEL), streaming=False)
    assert "Sunny" in str(await agent.run("Weather in Paris?"))
    assert fake_server.requests[1]["messages"][-1]["content"] == "Sunny in Paris"
    assert isinstance(
        AgentWorkflow.from_tools_or_functions([get_weather], llm=OpenRouter(model=MODEL)).agents[
            "Agent"
        ],
        FunctionAgent,
    )


async def test_function_agent_with_capability_check_warn_sends(fake_server: Any) -> None:
    fake_server.reply_json(completion("No tools here."))
    agent = FunctionAgent(
        tools=[get_weather], llm=OpenRouter(model=NO_TOOLS, capability_check="warn"),
        streaming=False,
    )  # fmt: skip
    with pytest.warns(CapabilityWarning):
        await agent.run("Weather?")
    assert fake_server.requests[0]["tools"]


async def test_explicit_is_function_calling_model_still_fails_before_sending(
    fake_server: Any,
) -> None:
    llm = OpenRouter(model=NO_TOOLS, is_function_calling_model=True)
    assert llm.metadata.is_function_calling_model is True
    with pytest.raises(CapabilityError):
        await FunctionAgent(tools=[get_weather], llm=llm).run("Weather?")
    with pytest.raises(CapabilityError):
        await _tools_stream(llm)
    assert fake_server.requests == []


async def test_explicit_false_restores_llama_index_refusal(fake_server: Any) -> None:
    llm = OpenRouter(model=MODEL, is_function_calling_model=False)
    with pytest.raises(ValueError, match="FunctionCallingLLM") as caught:
        await FunctionAgent(tools=[get_weather], llm=llm).run("Weather?")
    assert not isinstance(caught.value, CapabilityError)
    assert fake_server.requests == []


async def _tools_stream(llm: OpenRouter) -> None:
    from llama_index.core.tools import FunctionTool

    await llm.astream_chat_with_tools([FunctionTool.from_defaults(fn=get_weather)], user_msg="x")


class City(BaseModel):
    name: str


def test_function_calling_program_reaches_the_capability_check(fake_server: Any) -> None:
    program = FunctionCallingProgram.from_defaults(
        output_cls=City, prompt_template_str="A city: {hint}", llm=OpenRouter(model=NO_TOOLS)
    )
    with pytest.raises(CapabilityError):
        program(hint="capital of France")
    assert fake_server.requests == []


async def test_predict_and_call_on_a_model_without_tools(fake_server: Any) -> None:
    from llama_index.core.tools import FunctionTool

    tool = FunctionTool.from_defaults(fn=get_weather)
    llm = OpenRouter(model=NO_TOOLS)
    with pytest.raises(CapabilityError):
        llm.predict_and_call([tool], user_msg="Weather in Oslo?")
    with pytest.raises(CapabilityError):
        await llm.apredict_and_call([tool], user_msg="Weather in Oslo?")
    assert fake_server.requests == []


# --------------------------------------------------------------------------- embeddings


def test_embedding_additional_kwargs_are_in_every_body(mock: MockOpenRouter) -> None:
    embed = OpenRouterEmbedding(
        model="openai/text-embedding-3-small",
        api_key="k",
        embed_batch_size=2,
        dimensions=8,
        provider={"order": ["openai"]},
        additional_kwargs={
            "encoding_format": "float",
            "dimensions": 99,  # the field wins
            "provider": {"allow_fallbacks": False},
            "extra_body": {"truncate": "END"},
        },
        http_client=mock.client(),
    )
    mock.replies += [embedding_reply(2), embedding_reply(1)]
    vectors = embed.get_text_embedding_batch(["a", "b", "c"])
    assert len(vectors) == 3
    for body in mock.bodies:
        assert body["encoding_format"] == "float" and body["truncate"] == "END"
        assert body["dimensions"] == 8
        assert body["provider"] == {"allow_fallbacks": False, "order": ["openai"]}
    assert [b["input"] for b in mock.bodies] == [["a", "b"], ["c"]]


@pytest.fixture
def mock() -> MockOpenRouter:
    return MockOpenRouter()


def test_embedding_keywords(mock: MockOpenRouter, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.setenv("OPENROUTER_API_BASE", "https://li-gateway.example/api/v1")
    embed = OpenRouterEmbedding(
        model_name="m/e", api_key="k", input_type="query", embed_batch_size=1, timeout=5,
        max_retries=0, default_headers={"X-Team": "t"}, rate_limit=TokenBucket(100, 10),
        async_http_client=mock.async_client(), reuse_client=True, api_version="x",
    )  # fmt: skip
    assert (
        isinstance(embed, BaseEmbedding) and embed.api_base == "https://li-gateway.example/api/v1"
    )
    mock.replies.append(embedding_reply(1))
    assert asyncio.run(embed.aget_query_embedding("q")) == [0.0, 0.0, 0.0]
    sent = mock.requests[0]
    assert sent["body"]["input_type"] == "query" and sent["headers"]["x-team"] == "t"
    assert str(sent["headers"]["authorization"]) == "Bearer k"
    assert OpenRouterEmbedding(model="a/b").model_name == "a/b"
    assert OpenRouterEmbedding(model_name="a/b").model_name == "a/b"
    embed = OpenRouterEmbedding(
        model_name="model-name", api_key="fake", api_base="http://localhost:1234/v1",
        embed_batch_size=1,
    )  # fmt: skip
    assert (embed.model_name, embed.api_key, embed.api_base, embed.embed_batch_size) == (
        "model-name", "fake", "http://localhost:1234/v1", 1,
    )  # fmt: skip


def test_embedding_sdk_request_options(mock: MockOpenRouter) -> None:
    embed = OpenRouterEmbedding(
        api_key="k",
        additional_kwargs={"extra_headers": {"X-Trace": "e"}, "timeout": 9, "user": "u"},
        http_client=mock.client(),
    )
    assert embed.default_headers == {"X-Trace": "e"} and embed.timeout == 9
    mock.replies.append(embedding_reply(1))
    embed.get_text_embedding("x")
    assert mock.requests[0]["headers"]["x-trace"] == "e"
    assert mock.bodies[0] == {"model": embed.model_name, "input": ["x"], "user": "u"}


def test_embedding_unknown_keywords_are_refused() -> None:
    with pytest.raises(ValidationError) as caught:
        OpenRouterEmbedding(api_key="sk-or-v1-secret", modle_name="x", batch_size=3)
    text = str(caught.value)
    assert "'model_name'" in text and "'embed_batch_size'" in text
    assert "sk-or-v1-secret" not in text


def test_embedding_without_a_key_fails_like_chat(
    monkeypatch: pytest.MonkeyPatch, mock: MockOpenRouter
) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    embed = OpenRouterEmbedding(http_client=mock.client())  # constructing is fine
    with pytest.raises(ConfigurationError) as from_embed:
        embed.get_query_embedding("q")
    llm = OpenRouter(model=MODEL, http_client=mock.client())
    with pytest.raises(ConfigurationError) as from_chat:
        llm.complete("q")
    assert str(from_embed.value) == str(from_chat.value)
    assert mock.requests == []


def test_embedding_to_dict_never_shows_the_key() -> None:
    embed = OpenRouterEmbedding(api_key="sk-or-v1-secret", additional_kwargs={"user": "u"})
    data = embed.to_dict()
    assert data["additional_kwargs"] == {"user": "u"} and "api_key" not in data
    for text in (repr(embed), str(embed), embed.to_json()):
        assert "sk-or-v1-secret" not in text


def test_no_warning_when_constructing(recwarn: pytest.WarningsRecorder) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        OpenRouter(order=["openai"], reasoning_effort="low")
        OpenRouterEmbedding(model="a/b", additional_kwargs={"user": "u"})
