"""Every fault, through the core client and both adapters: the right typed error or a
successful fallback, bounded retries, no hang, no busy connection left, and partial
output never returned as if it were complete."""

from __future__ import annotations

from typing import Any

import pytest

from openrouter_core import (
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    BadGatewayError,
    InternalServerError,
    OpenRouterClient,
    OpenRouterError,
    OriginTimeoutError,
    ProviderOverloadedError,
    RateLimitError,
    ResponseParseError,
    ServiceUnavailableError,
    StreamInterruptedError,
)
from tests.reliability.conftest import BACKUP, KEY, PRIMARY, pool_is_quiet

TIMEOUT = 0.5
MAX_RETRIES = 2

#: Faults that fail before any output: (spec, expected error, retried?)
BEFORE_OUTPUT = [
    ("rate_limit", RateLimitError, True),
    ("rate_limit;retry_after=1", RateLimitError, True),
    ("status:500", InternalServerError, True),
    ("status:502", BadGatewayError, True),
    ("status:503", ServiceUnavailableError, True),
    ("status:524", OriginTimeoutError, True),
    ("status:529", ProviderOverloadedError, True),
    ("reset_before", APIConnectionError, True),
    ("slow_first_byte:3", APITimeoutError, True),
    ("html_error", BadGatewayError, True),
    ("empty_body", (ResponseParseError, StreamInterruptedError), False),
    ("error_in_200", APIStatusError, None),
]
#: Faults that break a stream after output began.
AFTER_OUTPUT = ["reset_mid_stream", "malformed_sse", "stall_mid_stream:3", "mid_stream_error"]
#: Faults that break a non-streamed reply after its headers.
BROKEN_BODY = [
    ("truncated_json", ResponseParseError),
    ("reset_mid_stream", OpenRouterError),
    ("stall_mid_stream:3", OpenRouterError),
]

ASK = "Tell me about the Keel Island ferry in detail."


def core_client(emu: Any) -> OpenRouterClient:
    return OpenRouterClient(
        api_key=KEY, base_url=emu.base_url, timeout=TIMEOUT, max_retries=MAX_RETRIES
    )


def body(model: str = PRIMARY) -> dict[str, Any]:
    return {"model": model, "messages": [{"role": "user", "content": ASK}]}


def tries(emu: Any) -> int:
    return int(emu.calls_by_model[PRIMARY])


# ------------------------------------------------------------------ core client


@pytest.mark.parametrize(
    ("fault", "error", "retried"), BEFORE_OUTPUT, ids=[f[0] for f in BEFORE_OUTPUT]
)
@pytest.mark.parametrize("stream", [False, True], ids=["call", "stream"])
def test_core_fault_before_output(
    emu: Any, fault: str, error: type, retried: bool | None, stream: bool
) -> None:
    emu.fail_model(PRIMARY, fault, times=None)
    with core_client(emu) as client:
        with pytest.raises(error):
            if stream:
                list(client.chat_stream(body()))
            else:
                client.chat(body())
        assert 1 <= tries(emu) <= MAX_RETRIES + 1  # bounded
        if retried is True:
            assert tries(emu) == MAX_RETRIES + 1
        elif retried is False:
            assert tries(emu) == 1
        assert pool_is_quiet(client.http_client)
    if fault in ("empty_body", "error_in_200"):
        return  # a 2xx the server answered: not a reason to switch models
    # The same fault with a backup model (a new client: the first one has cooled the
    # failed model down, and would skip it): the route moves on and succeeds.
    emu.calls_by_model.clear()
    with core_client(emu) as client:
        result = client.chat_stream(body(), fallback_models=[BACKUP]) if stream else None
        if stream:
            assert result is not None
            text = "".join(c.content for c in result)
            final = result.result()
        else:
            final = client.chat(body(), fallback_models=[BACKUP])
            text = final.text
        assert final.model == BACKUP and text and final.attempts[0].model == PRIMARY
        assert tries(emu) == 1  # not the last model of the route: no retries, move on
        assert pool_is_quiet(client.http_client)


@pytest.mark.parametrize("fault", AFTER_OUTPUT)
def test_core_stream_broken_after_output(emu: Any, fault: str) -> None:
    emu.fail_model(PRIMARY, fault, times=None)
    with core_client(emu) as client:
        shown: list[str] = []
        stream = client.chat_stream(body(), fallback_models=[BACKUP])
        with pytest.raises(StreamInterruptedError) as caught:
            for chunk in stream:
                shown.append(chunk.content)
        partial = caught.value.partial
        assert "".join(shown), "output had begun"
        assert partial is not None and partial.text == "".join(shown)
        assert partial.choices[0].finish_reason in (None, "error")  # never "stop"
        assert emu.calls_by_model[BACKUP] == 0 and tries(emu) == 1  # no silent switch
        assert pool_is_quiet(client.http_client)


@pytest.mark.parametrize(("fault", "error"), BROKEN_BODY, ids=[f[0] for f in BROKEN_BODY])
def test_core_broken_body(emu: Any, fault: str, error: type) -> None:
    emu.fail_model(PRIMARY, fault, times=None)
    with core_client(emu) as client:
        with pytest.raises(error):
            client.chat(body())
        assert 1 <= tries(emu) <= MAX_RETRIES + 1
        assert pool_is_quiet(client.http_client)


async def test_core_async_faults(emu: Any) -> None:
    from openrouter_core import AsyncOpenRouterClient

    async with AsyncOpenRouterClient(
        api_key=KEY, base_url=emu.base_url, timeout=TIMEOUT, max_retries=MAX_RETRIES
    ) as client:
        emu.fail_model(PRIMARY, "slow_first_byte:3", times=None)
        with pytest.raises(APITimeoutError):
            await client.chat(body())
        assert tries(emu) == MAX_RETRIES + 1
        assert pool_is_quiet(client.http_client)
    emu.clear_faults()
    emu.fail_model(PRIMARY, "mid_stream_error", times=None)
    async with AsyncOpenRouterClient(api_key=KEY, base_url=emu.base_url, timeout=TIMEOUT) as client:
        stream = await client.chat_stream(body(), fallback_models=[BACKUP])
        with pytest.raises(StreamInterruptedError) as caught:
            async for _ in stream:
                pass
        assert caught.value.partial is not None and caught.value.partial.text
        assert emu.calls_by_model[BACKUP] == 0
        assert pool_is_quiet(client.http_client)


# ------------------------------------------------------------------ adapters

ADAPTER_FAULTS = ["rate_limit", "status:503", "reset_before", "slow_first_byte:3", "html_error"]


@pytest.mark.parametrize("fault", ADAPTER_FAULTS)
def test_langchain_faults(emu: Any, fault: str) -> None:
    from langchain_openrouter import ChatOpenRouter

    common = {
        "api_key": KEY,
        "base_url": emu.base_url,
        "timeout": TIMEOUT * 1000,  # ChatOpenRouter reads milliseconds
        "max_retries": MAX_RETRIES,
    }
    emu.fail_model(PRIMARY, fault, times=None)
    with pytest.raises(OpenRouterError):
        ChatOpenRouter(model=PRIMARY, **common).invoke(ASK)
    assert tries(emu) == MAX_RETRIES + 1
    emu.calls_by_model.clear()
    routed = ChatOpenRouter(model=PRIMARY, fallback_models=[BACKUP], **common)
    reply = routed.invoke(ASK)
    assert reply.response_metadata["model_name"] == BACKUP and reply.content
    chunks = list(routed.stream(ASK))
    assert "".join(c.text for c in chunks)
    assert chunks[-1].response_metadata["model_name"] == BACKUP
    assert pool_is_quiet(routed._clients().sync.http_client)


@pytest.mark.parametrize("fault", AFTER_OUTPUT)
def test_langchain_stream_broken_after_output(emu: Any, fault: str) -> None:
    from langchain_openrouter import ChatOpenRouter

    emu.fail_model(PRIMARY, fault, times=None)
    model = ChatOpenRouter(
        model=PRIMARY,
        fallback_models=[BACKUP],
        api_key=KEY,
        base_url=emu.base_url,
        timeout=TIMEOUT * 1000,  # milliseconds
    )
    seen: list[str] = []
    with pytest.raises(StreamInterruptedError):
        for chunk in model.stream(ASK):
            seen.append(chunk.text)
    assert "".join(seen) and emu.calls_by_model[BACKUP] == 0
    assert pool_is_quiet(model._clients().sync.http_client)


@pytest.mark.parametrize("fault", ADAPTER_FAULTS)
def test_llama_index_faults(emu: Any, fault: str) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_openrouter import OpenRouter

    messages = [ChatMessage(role="user", content=ASK)]
    common = {
        "api_key": KEY,
        "api_base": emu.base_url,
        "timeout": TIMEOUT,
        "max_retries": MAX_RETRIES,
    }
    emu.fail_model(PRIMARY, fault, times=None)
    with pytest.raises(OpenRouterError):
        OpenRouter(model=PRIMARY, **common).chat(messages)
    assert tries(emu) == MAX_RETRIES + 1
    emu.calls_by_model.clear()
    routed = OpenRouter(model=PRIMARY, fallback_models=[BACKUP], **common)
    reply = routed.chat(messages)
    assert reply.additional_kwargs["model"] == BACKUP and reply.message.content
    last = list(routed.stream_chat(messages))[-1]
    assert last.message.content and last.additional_kwargs["model"] == BACKUP


@pytest.mark.parametrize("fault", AFTER_OUTPUT)
def test_llama_index_stream_broken_after_output(emu: Any, fault: str) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_openrouter import OpenRouter

    emu.fail_model(PRIMARY, fault, times=None)
    llm = OpenRouter(
        model=PRIMARY, fallback_models=[BACKUP], api_key=KEY, api_base=emu.base_url, timeout=TIMEOUT
    )
    seen: list[str] = []
    with pytest.raises(StreamInterruptedError):
        for chunk in llm.stream_chat([ChatMessage(role="user", content=ASK)]):
            seen.append(chunk.delta or "")
    assert "".join(seen) and emu.calls_by_model[BACKUP] == 0
