"""Real recorded traffic through LangChain's ``ChatOpenRouter`` (invoke, ainvoke, stream,
astream). Its clients come from the process-wide pool, so httpx's transports are
patched to answer from the recording for the test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    HumanMessage,
    SystemMessage,
)

from langchain_openrouter import ChatOpenRouter
from openrouter_core import APIStatusError
from tests.real.cases import (
    API_KEY,
    BASE_URL,
    ChatCase,
    ErrorCase,
    chat_params,
    check_error,
    error_params,
    json_chat_params,
    sse_chat_params,
)
from tests.real.expected import ExpectedChat
from tests.real.replay import Replayer

Replay = Callable[..., Replayer]


def lc_messages(recorded: list[dict[str, Any]]) -> list[BaseMessage]:
    """The recorded request's messages as LangChain messages (content kept as recorded,
    cache-control parts included)."""
    kinds: dict[str, type[BaseMessage]] = {
        "system": SystemMessage,
        "user": HumanMessage,
        "assistant": AIMessage,
    }
    return [kinds[m["role"]](content=m["content"]) for m in recorded]


def chat_model(request: dict[str, Any], **kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(
        model=request["model"],
        api_key=API_KEY,
        base_url=BASE_URL,
        capability_check="off",
        max_retries=0,
        **kwargs,
    )


def check_request(replayer: Replayer, case: ChatCase) -> None:
    """The request sent carries the recorded model, messages and parameters."""
    assert len(replayer.requests) == 1  # no other call (e.g. no catalog fetch)
    sent, recorded = replayer.sent_json(), case.request
    assert sent["model"] == recorded["model"]
    assert sent["messages"] == recorded["messages"]
    for key, value in case.call_kwargs.items():
        assert sent[key] == value, key
    assert bool(sent.get("stream")) == case.streamed


def check_message(message: AIMessage, expected: ExpectedChat) -> None:
    assert message.content == expected.content
    assert message.id == expected.id
    assert message.additional_kwargs.get("reasoning_content") == expected.reasoning
    assert message.additional_kwargs.get("annotations", []) == expected.annotations
    calls = [(c["id"], c["name"], c["args"]) for c in message.tool_calls]
    assert calls == [(c.id, c.name, c.args) for c in expected.tool_calls]
    assert not message.invalid_tool_calls
    metadata = message.response_metadata
    assert metadata["model_name"] == expected.model
    assert metadata["provider"] == expected.provider
    assert metadata["id"] == expected.id
    assert metadata["finish_reason"] == expected.finish_reason
    assert metadata["native_finish_reason"] == expected.native_finish_reason
    assert metadata.get("cost") == expected.cost  # only when the reply carries one
    usage = message.usage_metadata
    assert usage is not None
    assert usage["input_tokens"] == expected.prompt_tokens
    assert usage["output_tokens"] == expected.completion_tokens
    assert usage["total_tokens"] == expected.total_tokens
    if expected.reasoning_tokens is not None:
        outputs = usage.get("output_token_details", {})
        assert outputs.get("reasoning") == expected.reasoning_tokens
    inputs = usage.get("input_token_details", {})
    if expected.cached_tokens is not None:
        assert inputs.get("cache_read") == expected.cached_tokens
    if expected.cache_write_tokens is not None:
        assert inputs.get("cache_creation") == expected.cache_write_tokens
    if expected.cost is not None:
        assert metadata["cost_details"] == (expected.usage or {}).get("cost_details")


def check_non_streamed(message: AIMessage, expected: ExpectedChat) -> None:
    check_message(message, expected)
    assert message.additional_kwargs.get("reasoning_details", []) == expected.reasoning_details


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged = merged + chunk
    return merged


@pytest.mark.parametrize("api", ["invoke", "ainvoke"])
@pytest.mark.parametrize("case", json_chat_params())
async def test_langchain_json(case: ChatCase, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx([case.interaction])
    llm = chat_model(case.request)
    messages = lc_messages(case.request["messages"])
    if api == "invoke":
        message = llm.invoke(messages, **case.call_kwargs)
    else:
        message = await llm.ainvoke(messages, **case.call_kwargs)
    assert isinstance(message, AIMessage)
    check_non_streamed(message, case.expected)
    check_request(replayer, case)
    assert replayer.all_served


@pytest.mark.parametrize("api", ["stream", "astream"])
@pytest.mark.parametrize("case", sse_chat_params())
async def test_langchain_stream(case: ChatCase, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx([case.interaction])
    llm = chat_model(case.request)
    messages = lc_messages(case.request["messages"])
    if api == "stream":
        chunks = list(llm.stream(messages, **case.call_kwargs))
    else:
        chunks = [chunk async for chunk in llm.astream(messages, **case.call_kwargs)]
    expected = case.expected
    assert [c.content for c in chunks if c.content] == expected.deltas
    merged = merge(chunks)
    check_message(merged, expected)
    assert merged.additional_kwargs.get("reasoning_details", []) == expected.reasoning_details
    check_request(replayer, case)
    assert replayer.all_served


@pytest.mark.parametrize("api", ["invoke", "ainvoke"])
@pytest.mark.parametrize("case", sse_chat_params())
async def test_langchain_streaming_invoke(case: ChatCase, api: str, replay_httpx: Replay) -> None:
    """``streaming=True``: invoke streams under the hood and returns the whole reply."""
    replayer = replay_httpx([case.interaction])
    llm = chat_model(case.request, streaming=True)
    messages = lc_messages(case.request["messages"])
    if api == "invoke":
        message = llm.invoke(messages, **case.call_kwargs)
    else:
        message = await llm.ainvoke(messages, **case.call_kwargs)
    check_message(message, case.expected)
    check_request(replayer, case)


@pytest.mark.parametrize("case", [p for p in chat_params() if "tools" in p.values[0].request])
def test_langchain_bind_tools(case: ChatCase, replay_httpx: Replay) -> None:
    """The recorded tools (a function, or OpenRouter's server-side web search) bound
    the LangChain way reach the wire exactly as recorded."""
    replayer = replay_httpx([case.interaction])
    request = case.request
    choice = {"tool_choice": request["tool_choice"]} if "tool_choice" in request else {}
    llm = chat_model(request).bind_tools(request["tools"], **choice)
    messages = lc_messages(request["messages"])
    if case.streamed:
        message: AIMessage = merge(list(llm.stream(messages)))
    else:
        message = llm.invoke(messages)
    check_message(message, case.expected)
    check_request(replayer, case)


@pytest.mark.parametrize("api", ["invoke", "ainvoke"])
@pytest.mark.parametrize("case", error_params())
async def test_langchain_error(case: ErrorCase, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx(case.interactions)
    llm = chat_model(case.request)
    messages = lc_messages(case.request["messages"])
    with pytest.raises(APIStatusError) as info:
        if api == "invoke":
            llm.invoke(messages)
        else:
            await llm.ainvoke(messages)
    check_error(info.value, case)
    assert replayer.served == 1  # max_retries=0
