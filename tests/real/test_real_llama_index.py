"""Real recorded traffic through LlamaIndex's ``OpenRouter`` LLM (chat, achat,
stream_chat, astream_chat). Its clients come from the process-wide pool, so httpx's
transports are patched to answer from the recording for the test."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.base.llms.types import (
    CacheControl,
    CachePoint,
    ChatMessage,
    ChatResponse,
    TextBlock,
    ThinkingBlock,
)

from llama_index_openrouter import OpenRouter
from openrouter_core import APIStatusError
from tests.real.cases import (
    API_KEY,
    BASE_URL,
    ChatCase,
    ErrorCase,
    check_error,
    error_params,
    json_chat_params,
    sse_chat_params,
)
from tests.real.expected import ExpectedChat
from tests.real.replay import Replayer

Replay = Callable[..., Replayer]


def li_messages(recorded: list[dict[str, Any]]) -> list[ChatMessage]:
    """The recorded request's messages as LlamaIndex messages (a text part's
    ``cache_control`` becomes a ``CachePoint`` after it)."""
    messages = []
    for m in recorded:
        content = m["content"]
        if isinstance(content, str):
            messages.append(ChatMessage(role=m["role"], content=content))
            continue
        blocks: list[Any] = []
        for part in content:
            blocks.append(TextBlock(text=part["text"]))
            if "cache_control" in part:
                blocks.append(CachePoint(cache_control=CacheControl(**part["cache_control"])))
        messages.append(ChatMessage(role=m["role"], blocks=blocks))
    return messages


def llm_for(request: dict[str, Any]) -> OpenRouter:
    return OpenRouter(
        model=request["model"],
        api_key=API_KEY,
        api_base=BASE_URL,
        capability_check="off",
        max_retries=0,
    )


def _text(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text", "") for part in content)


def check_request(replayer: Replayer, case: ChatCase) -> None:
    """The request sent carries the recorded model, message texts and parameters."""
    assert len(replayer.requests) == 1  # no other call (e.g. no catalog fetch)
    sent, recorded = replayer.sent_json(), case.request
    assert sent["model"] == recorded["model"]
    assert [(m["role"], _text(m["content"])) for m in sent["messages"]] == [
        (m["role"], _text(m["content"])) for m in recorded["messages"]
    ]
    for key, value in case.call_kwargs.items():
        assert sent[key] == value, key
    assert bool(sent.get("stream")) == case.streamed


def check_response(llm: OpenRouter, response: ChatResponse, expected: ExpectedChat) -> None:
    message = response.message
    assert (message.content or "") == expected.content
    thinking = [b for b in message.blocks if isinstance(b, ThinkingBlock)]
    if expected.reasoning:
        assert [b.content for b in thinking] == [expected.reasoning]
    else:
        assert not any(b.content for b in thinking)
    details = [b.additional_information.get("reasoning_details") for b in thinking]
    assert (details[0] if details else None) == (expected.reasoning_details or None)
    calls = llm.get_tool_calls_from_response(response, error_on_no_tool_call=False)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        (c.id, c.name, c.args) for c in expected.tool_calls
    ]
    raw_calls = message.additional_kwargs.get("tool_calls", [])
    assert [(c["id"], c["function"]["name"], c["function"]["arguments"]) for c in raw_calls] == [
        (c.id, c.name, c.arguments) for c in expected.tool_calls
    ]
    assert message.additional_kwargs.get("annotations", []) == expected.annotations
    info = response.additional_kwargs
    assert info["model"] == expected.model
    assert info["provider"] == expected.provider
    assert info["id"] == expected.id
    assert info["finish_reason"] == expected.finish_reason
    assert info["native_finish_reason"] == expected.native_finish_reason
    assert info["prompt_tokens"] == expected.prompt_tokens
    assert info["completion_tokens"] == expected.completion_tokens
    assert info["total_tokens"] == expected.total_tokens
    assert info.get("cost") == expected.cost  # only when the reply carries one
    assert info["reasoning_tokens"] == (expected.reasoning_tokens or 0)
    assert info["cached_tokens"] == (expected.cached_tokens or 0)
    assert info["cache_write_tokens"] == (expected.cache_write_tokens or 0)


@pytest.mark.parametrize("api", ["chat", "achat"])
@pytest.mark.parametrize("case", json_chat_params())
async def test_llama_index_json(case: ChatCase, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx([case.interaction])
    llm = llm_for(case.request)
    messages = li_messages(case.request["messages"])
    if api == "chat":
        response = llm.chat(messages, **case.call_kwargs)
    else:
        response = await llm.achat(messages, **case.call_kwargs)
    check_response(llm, response, case.expected)
    check_request(replayer, case)
    assert replayer.all_served


@pytest.mark.parametrize("api", ["stream_chat", "astream_chat"])
@pytest.mark.parametrize("case", sse_chat_params())
async def test_llama_index_stream(case: ChatCase, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx([case.interaction])
    llm = llm_for(case.request)
    messages = li_messages(case.request["messages"])
    if api == "stream_chat":
        responses = list(llm.stream_chat(messages, **case.call_kwargs))
    else:
        stream = await llm.astream_chat(messages, **case.call_kwargs)
        responses = [response async for response in stream]
    expected = case.expected
    assert [r.delta for r in responses if r.delta] == expected.deltas
    for response in responses[:-1]:  # each holds the reply so far
        assert expected.content.startswith(response.message.content or "")
    check_response(llm, responses[-1], expected)
    check_request(replayer, case)
    assert replayer.all_served


@pytest.mark.parametrize("api", ["chat", "achat"])
@pytest.mark.parametrize("case", error_params())
async def test_llama_index_error(case: ErrorCase, api: str, replay_httpx: Replay) -> None:
    replayer = replay_httpx(case.interactions)
    llm = llm_for(case.request)
    messages = li_messages(case.request["messages"])
    with pytest.raises(APIStatusError) as info:
        if api == "chat":
            llm.chat(messages)
        else:
            await llm.achat(messages)
    check_error(info.value, case)
    assert replayer.served == 1  # max_retries=0
