"""The behaviours the unit tests of ``llama-index-llms-openrouter`` (and of the
``openai-like`` / ``openai`` packages it inherits from) check and a user relies on,
adapted to this package. Deliberate differences are listed in the migration guide
(``docs/migration.md``); where one shows here, the test says so."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from li_helpers import MockOpenRouter, completion, stream_events
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ImageBlock,
    MessageRole,
    TextBlock,
    ToolCallBlock,
)
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_openrouter import OpenRouter
from llama_index_openrouter._messages import logprobs_of, to_openrouter_message
from openrouter_core import APITimeoutError, ConfigurationError

MODEL = "meta-llama/llama-3.3-70b-instruct"


def search(query: str) -> str:
    """Search for information about a query."""
    return f"Results for {query}"


SEARCH = FunctionTool.from_defaults(fn=search, name="search_tool")


@pytest.fixture
def mock() -> MockOpenRouter:
    return MockOpenRouter()


def llm_on(mock: MockOpenRouter, **kwargs: Any) -> OpenRouter:
    kwargs.setdefault("model", "openai/gpt-4o-mini")
    return OpenRouter(
        api_key="dummy_key", http_client=mock.client(), async_http_client=mock.async_client(),
        **kwargs,
    )  # fmt: skip


# --------------------------------------------------------------------------- llms-openrouter


def test_class_hierarchy_and_name() -> None:
    assert "BaseLLM" in [c.__name__ for c in OpenRouter.__mro__]
    assert OpenRouter.class_name() == "OpenRouter_LLM"


def test_provider_routing_settings_injected() -> None:
    llm = OpenRouter(
        api_key="dummy_key",
        model="mistralai/mixtral-8x7b-instruct",
        order=["openai", "together"],
        allow_fallbacks=False,
        additional_kwargs={"extra_body": {"provider": {"require_parameters": True}}},
    )
    extra_body = llm.additional_kwargs["extra_body"]
    assert isinstance(extra_body, dict) and isinstance(extra_body["provider"], dict)
    assert extra_body["provider"]["order"] == ["openai", "together"]
    assert extra_body["provider"]["allow_fallbacks"] is False
    assert extra_body["provider"]["require_parameters"] is True


# --------------------------------------------------------------------------- openai-like


def test_interfaces() -> None:
    llm = OpenRouter(model=MODEL, api_key="stub_key")
    assert llm.model == MODEL


def test_chat_request_shape(mock: MockOpenRouter) -> None:
    mock.replies.append(completion("placeholder"))
    response = llm_on(mock, model=MODEL).chat([ChatMessage(role="user", content="test message")])
    assert response.message.content == "placeholder"
    sent = mock.bodies
    assert len(sent) == 1
    assert sent[0]["messages"] == [{"role": "user", "content": "test message"}]
    assert sent[0]["model"] == MODEL and "stream" not in sent[0]
    assert "max_tokens" not in sent[0]
    # difference: no temperature is sent unless given (the peer always sent 0.1)
    assert "temperature" not in sent[0]


def test_completion_request_shape(mock: MockOpenRouter) -> None:
    prompt = "A long time ago in a galaxy far, far away"
    mock.replies.append(completion("1"))
    llm = llm_on(mock, model=MODEL, api_type="open_ai", context_window=1024, max_tokens=None)
    assert llm.complete(prompt).text == "1"
    assert mock.bodies[0]["messages"] == [{"role": "user", "content": prompt}]
    assert "max_tokens" not in mock.bodies[0]  # the model's own limit, not a tokenizer guess


def test_serialization() -> None:
    llm = OpenRouter(model=MODEL, is_chat_model=True, max_tokens=42, context_window=43)
    data = llm.to_dict()
    assert data["max_tokens"] == 42 and data["context_window"] == 43 and data["is_chat_model"]


# --------------------------------------------------------------------------- openai: tools


@pytest.mark.parametrize(
    ("tool_required", "tool_choice", "expected"),
    [
        (True, None, "required"),
        (False, None, "auto"),
        (True, "none", "none"),
        (True, "search_tool", {"type": "function", "function": {"name": "search_tool"}}),
        (False, "required", "required"),
        (False, {"type": "function", "function": {"name": "x"}}, {"type": "function", "function": {"name": "x"}}),  # noqa: E501
    ],
)  # fmt: skip
def test_prepare_chat_with_tools_tool_choice(
    tool_required: bool, tool_choice: Any, expected: Any
) -> None:
    prepared = OpenRouter()._prepare_chat_with_tools(
        [SEARCH], user_msg="Find it", tool_required=tool_required, tool_choice=tool_choice
    )
    assert {"messages", "tools", "tool_choice"} <= set(prepared)
    assert [t["function"]["name"] for t in prepared["tools"]] == ["search_tool"]
    assert prepared["tool_choice"] == expected


def test_prepare_chat_with_tools_default_and_no_tools() -> None:
    assert OpenRouter()._prepare_chat_with_tools([SEARCH], user_msg="x")["tool_choice"] == "auto"
    prepared = OpenRouter()._prepare_chat_with_tools([], user_msg="x", tool_required=True)
    assert prepared["tools"] is None and prepared["tool_choice"] is None


def test_prepare_chat_with_tools_does_not_change_the_history() -> None:
    history = [ChatMessage(role="user", content="earlier")]
    prepared = OpenRouter()._prepare_chat_with_tools([SEARCH], user_msg="now", chat_history=history)
    assert len(prepared["messages"]) == 2 and len(history) == 1  # difference: the peer appended


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [("INVALID JSON", {}), ("null", {}), ('{"test": 123}', {"test": 123}), ("[1, 2]", {})],
)
def test_tool_call_arguments(arguments: str, expected: dict[str, Any]) -> None:
    block = ToolCallBlock(tool_call_id="c1", tool_name="search_tool", tool_kwargs=arguments)
    response = ChatResponse(message=ChatMessage(role="assistant", blocks=[block]))
    (selection,) = OpenRouter().get_tool_calls_from_response(response)
    assert selection.tool_kwargs == expected and selection.tool_id == "c1"


def test_no_tool_call_message() -> None:
    response = ChatResponse(message=ChatMessage(role="assistant", content="no"))
    with pytest.raises(ValueError, match="Expected at least one tool call, but got 0 tool calls"):
        OpenRouter().get_tool_calls_from_response(response)


# --------------------------------------------------------------------------- openai: basics


def test_chat_and_complete_basic(mock: MockOpenRouter) -> None:
    mock.replies += [completion("\n\nThis is a test!"), completion("\n\nThis is a test!")]
    llm = llm_on(mock)
    assert llm.complete("test prompt").text == "\n\nThis is a test!"
    response = llm.chat([ChatMessage(role="user", content="test message")])
    assert response.message.content == "\n\nThis is a test!"
    assert response.additional_kwargs["total_tokens"] == 15


def test_streaming_basic(mock: MockOpenRouter) -> None:
    mock.replies += [stream_events(["\n\n", "2"]), stream_events(["\n\n", "2"])]
    llm = llm_on(mock)
    assert list(llm.stream_complete("test prompt"))[-1].text == "\n\n2"
    last = list(llm.stream_chat([ChatMessage(role="user", content="test message")]))[-1]
    assert last.message.content == "\n\n2" and last.message.role == MessageRole.ASSISTANT


def test_async_basic(mock: MockOpenRouter) -> None:
    async def run() -> tuple[str, str | None, str, str | None]:
        mock.replies += [completion("A"), completion("B"), stream_events(["1", "2"])]
        mock.replies.append(stream_events(["1", "2"]))
        llm = llm_on(mock)
        text = (await llm.acomplete("x")).text
        content = (await llm.achat([ChatMessage(role="user", content="x")])).message.content
        streamed = [r async for r in await llm.astream_complete("x")][-1].text
        chatted = [r async for r in await llm.astream_chat([ChatMessage(role="user", content="x")])]
        return text, content, streamed, chatted[-1].message.content

    assert asyncio.run(run()) == ("A", "B", "12", "12")


def test_api_key_from_env_or_argument(
    monkeypatch: pytest.MonkeyPatch, mock: MockOpenRouter
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-env")
    assert OpenRouter().api_key == "sk-or-v1-env"
    monkeypatch.delenv("OPENROUTER_API_KEY")
    assert OpenRouter(api_key="sk-or-v1-arg").api_key == "sk-or-v1-arg"
    # difference: a missing key fails at the first request, with a ConfigurationError
    with pytest.raises(ConfigurationError, match="OPENROUTER_API_KEY"):
        OpenRouter(http_client=mock.client()).complete("x")
    assert mock.requests == []


def test_timeouts_are_retried_then_raised(mock: MockOpenRouter) -> None:
    mock.replies += [httpx.ReadTimeout("slow"), httpx.ReadTimeout("slow")]
    with pytest.raises(APITimeoutError):
        llm_on(mock, max_retries=1).complete("x")
    # difference: max_retries counts retries (1 + max_retries attempts); the peer counted attempts
    assert len(mock.requests) == 2


# --------------------------------------------------------------------------- openai: messages


def test_message_conversion() -> None:
    assert to_openrouter_message(ChatMessage(role="assistant", content="")) == {
        "role": "assistant",
        "content": "",
    }
    tool = ChatMessage(role="tool", content="42", additional_kwargs={"tool_call_id": "c1"})
    assert to_openrouter_message(tool)["tool_call_id"] == "c1"
    image = ChatMessage(
        role="user",
        blocks=[TextBlock(text="test question"), ImageBlock(url="https://example.com/a.png")],
    )
    content = to_openrouter_message(image)["content"]
    assert content[1] == {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}


def test_logprob_conversion_tolerates_missing_alternatives() -> None:
    tokens = [{"token": "a", "logprob": -1.0, "bytes": None, "top_logprobs": None}]
    assert logprobs_of(tokens) == [] and logprobs_of(None) == []


# --------------------------------------------------------------------------- structured output


class Person(BaseModel):
    name: str
    age: int


def test_structured_llm(mock: MockOpenRouter) -> None:
    llm = llm_on(mock, should_use_structured_outputs=True)
    structured = llm.as_structured_llm(Person)
    assert structured is not None and structured.output_cls is Person
    mock.replies.append(completion('{"name": "Alice", "age": 25}'))
    response = structured.chat([ChatMessage(role="user", content="Alice, 25")])
    assert response.raw == Person(name="Alice", age=25)
    assert mock.bodies[0]["response_format"]["type"] == "json_schema"
