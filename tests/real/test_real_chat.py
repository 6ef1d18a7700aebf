"""Real recorded ``/chat/completions`` traffic through the core sync and async clients.

Every expectation is read from the recording (:mod:`tests.real.expected`).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import httpx
import pytest

from openrouter_core import (
    APIStatusError,
    AsyncOpenRouterClient,
    ChatResult,
    OpenRouterClient,
    RetryPolicy,
)
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
from tests.real.replay import Replayer, ai_sdk_folders, load_ai_sdk_recording


def sync_client(http: httpx.Client, **kwargs: Any) -> OpenRouterClient:
    return OpenRouterClient(
        api_key=API_KEY, base_url=BASE_URL, http_client=http, capability_check="off", **kwargs
    )


def async_client(http: httpx.AsyncClient, **kwargs: Any) -> AsyncOpenRouterClient:
    return AsyncOpenRouterClient(
        api_key=API_KEY, base_url=BASE_URL, http_client=http, capability_check="off", **kwargs
    )


def same_body(sent: dict[str, Any], recorded: dict[str, Any]) -> bool:
    """The body sent is the recorded one (``"stream": false`` and no ``stream`` are the
    same request)."""

    def norm(body: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in body.items() if not (k == "stream" and not v)}

    return norm(sent) == norm(recorded)


def check_result(result: ChatResult, expected: ExpectedChat) -> None:
    """A merged or whole :class:`ChatResult` says what the recording says."""
    assert result.id == expected.id
    assert result.model == expected.model
    assert result.provider == expected.provider
    assert result.text == expected.content
    choice = result.choices[0]
    message = choice.message
    assert message.content == expected.content
    assert message.reasoning == expected.reasoning
    assert (message.reasoning_details or []) == expected.reasoning_details
    assert (message.annotations or []) == expected.annotations
    calls = [
        (c.id, c.function.name, json.loads(c.function.arguments or "{}"))
        for c in message.tool_calls or []
    ]
    assert calls == [(c.id, c.name, c.args) for c in expected.tool_calls]
    assert choice.finish_reason == expected.finish_reason
    assert choice.native_finish_reason == expected.native_finish_reason
    assert result.usage is not None
    assert result.usage.prompt_tokens == expected.prompt_tokens
    assert result.usage.completion_tokens == expected.completion_tokens
    assert result.usage.total_tokens == expected.total_tokens
    assert result.usage.cost == expected.cost
    assert result.usage.reasoning_tokens == (expected.reasoning_tokens or 0)
    assert result.usage.cached_tokens == (expected.cached_tokens or 0)
    assert result.usage.cache_write_tokens == (expected.cache_write_tokens or 0)
    assert result.usage.is_byok == (expected.usage or {}).get("is_byok")
    assert result.usage.cost_details == (expected.usage or {}).get("cost_details")


@pytest.mark.parametrize("case", chat_params())
def test_core_sync(case: ChatCase) -> None:
    replayer = Replayer([case.interaction])
    expected = case.expected
    with replayer.client() as http, sync_client(http, max_retries=0) as client:
        if case.streamed:
            with client.chat_stream(case.core_request) as stream:
                chunks = list(stream)
            assert [c.content for c in chunks if c.content] == expected.deltas
            result = stream.result()
        else:
            result = client.chat(case.core_request)
    check_result(result, expected)
    assert same_body(replayer.sent_json(), case.request)  # sent what was recorded
    assert replayer.all_served


@pytest.mark.parametrize("case", chat_params())
async def test_core_async(case: ChatCase) -> None:
    replayer = Replayer([case.interaction])
    expected = case.expected
    async with replayer.async_client() as http, async_client(http, max_retries=0) as client:
        if case.streamed:
            async with await client.chat_stream(case.core_request) as stream:
                chunks = [chunk async for chunk in stream]
            assert [c.content for c in chunks if c.content] == expected.deltas
            result = stream.result()
        else:
            result = await client.chat(case.core_request)
    check_result(result, expected)
    assert same_body(replayer.sent_json(), case.request)
    assert replayer.all_served


@pytest.mark.parametrize("chunk_size", [1, 7, 64])
@pytest.mark.parametrize("case", sse_chat_params())
def test_core_stream_cut_anywhere(case: ChatCase, chunk_size: int) -> None:
    """The recorded event streams served in pieces that cut through events, lines and
    multi-byte characters (the o3 reply holds a curly apostrophe) merge to the same reply."""
    replayer = Replayer([case.interaction], chunk_size=chunk_size)
    with replayer.client() as http, sync_client(http, max_retries=0) as client:
        with client.chat_stream(case.core_request) as stream:
            text = "".join(chunk.content for chunk in stream)
        result = stream.result()
    assert text == case.expected.content
    check_result(result, case.expected)


@pytest.mark.parametrize("chunk_size", [1, 7])
@pytest.mark.parametrize("case", sse_chat_params())
async def test_core_async_stream_cut_anywhere(case: ChatCase, chunk_size: int) -> None:
    replayer = Replayer([case.interaction], chunk_size=chunk_size)
    async with replayer.async_client() as http, async_client(http, max_retries=0) as client:
        async with await client.chat_stream(case.core_request) as stream:
            text = "".join([chunk.content async for chunk in stream])
        result = stream.result()
    assert text == case.expected.content
    check_result(result, case.expected)


def keepalive_whitespace() -> bytes:
    """The whitespace OpenRouter sent ahead of a JSON body while the model worked, as
    recorded in the AI SDK's JSON replies."""
    for folder in ai_sdk_folders():
        body = load_ai_sdk_recording(folder).body
        lead = body[: len(body) - len(body.lstrip())]
        if lead:
            return lead
    raise AssertionError("no recorded JSON reply starts with whitespace")


@pytest.mark.parametrize("case", json_chat_params())
def test_core_json_after_keepalive_whitespace(case: ChatCase) -> None:
    """A recorded chat reply preceded by recorded keep-alive whitespace parses the same."""
    lead = keepalive_whitespace()
    assert len(lead) > 100
    interaction = dataclasses.replace(
        case.interaction,
        body=lead + case.interaction.body,
        chunks=(lead, case.interaction.body),
    )
    replayer = Replayer([interaction])
    with replayer.client() as http, sync_client(http, max_retries=0) as client:
        result = client.chat(case.core_request)
    check_result(result, case.expected)


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize("case", error_params())
def test_core_error_sync(case: ErrorCase) -> None:
    replayer = Replayer(case.interactions)
    with (
        replayer.client() as http,
        sync_client(http, max_retries=0) as client,
        pytest.raises(APIStatusError) as info,
    ):
        client.chat(case.core_request)
    check_error(info.value, case)
    assert replayer.served == 1  # max_retries=0: no retry


@pytest.mark.parametrize("case", error_params())
async def test_core_error_async(case: ErrorCase) -> None:
    replayer = Replayer(case.interactions)
    async with replayer.async_client() as http, async_client(http, max_retries=0) as client:
        with pytest.raises(APIStatusError) as info:
            await client.chat(case.core_request)
    check_error(info.value, case)
    assert replayer.served == 1


@pytest.mark.parametrize("case", error_params())
def test_core_error_after_retries(case: ErrorCase) -> None:
    """The recording holds the first try and every retry of the recorder's client; a
    client allowed as many retries uses them all, then raises the typed error."""
    retries = len(case.interactions) - 1
    waits: list[float] = []
    policy = RetryPolicy(max_retries=retries, sleep=waits.append)
    replayer = Replayer(case.interactions)
    with (
        replayer.client() as http,
        sync_client(http, retry_policy=policy) as client,
        pytest.raises(APIStatusError) as info,
    ):
        client.chat(case.core_request)
    check_error(info.value, case)
    assert replayer.all_served
    assert len(waits) == retries
