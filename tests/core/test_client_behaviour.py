"""Retries, fallbacks and stream failures through the real clients, driven by an
in-process transport (no sockets, no real sleeping)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from openrouter_core import (
    AllModelsFailedError,
    APIConnectionError,
    APITimeoutError,
    AsyncOpenRouterClient,
    AuthenticationError,
    BadGatewayError,
    CapabilityError,
    Catalog,
    InvalidRequestError,
    OpenRouterClient,
    RateLimitError,
    ResponseParseError,
    RetryPolicy,
    StreamInterruptedError,
    UnknownModelError,
)

from .conftest import Script, completion, sse

MSG = [{"role": "user", "content": "hi"}]
TOOL = {
    "type": "function",
    "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
}


def err(
    status: int, message: str = "boom", headers: dict[str, str] | None = None
) -> httpx.Response:
    return httpx.Response(
        status, json={"error": {"code": status, "message": message}}, headers=headers
    )


def make(
    script: Script,
    catalog: Catalog,
    sleeps: list[float],
    *,
    cls: Callable[..., Any] = OpenRouterClient,
    **kw: Any,
) -> Any:
    async def asleep(seconds: float) -> None:
        sleeps.append(seconds)

    transport = httpx.MockTransport(script)
    http = (
        httpx.AsyncClient(transport=transport)
        if cls is AsyncOpenRouterClient
        else httpx.Client(transport=transport)
    )
    policy = RetryPolicy(
        max_retries=kw.pop("max_retries", 2),
        sleep=sleeps.append,
        async_sleep=asleep,
        random=lambda: 0.0,
    )
    return cls(api_key="test-key", catalog=catalog, http_client=http, retry_policy=policy, **kw)


def test_success_reports_model_provider_attempts(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on(
        "openai/gpt-4o-mini",
        httpx.Response(
            200,
            json=completion("openai/gpt-4o-mini", "hello", "Azure"),
            headers={"X-Generation-Id": "gen-h"},
        ),
    )
    result = make(script, catalog, sleeps).chat({"model": "openai/gpt-4o-mini", "messages": MSG})
    assert (result.text, result.model, result.provider) == ("hello", "openai/gpt-4o-mini", "Azure")
    assert [a.ok for a in result.attempts] == [True]
    assert result.usage.cost == 0.00001 and result.generation_id == "gen-1"


def test_retries_with_backoff_then_succeeds(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on(
        "openai/gpt-4o", err(502), err(503), httpx.Response(200, json=completion("openai/gpt-4o"))
    )
    result = make(script, catalog, sleeps).chat({"model": "openai/gpt-4o", "messages": MSG})
    assert result.text == "ok" and len(script.bodies) == 3
    assert sleeps == [0.5, 1.0]


def test_retry_after_is_honoured(script: Script, catalog: Catalog, sleeps: list[float]) -> None:
    script.on(
        "openai/gpt-4o",
        err(429, headers={"Retry-After": "3"}),
        httpx.Response(200, json=completion("openai/gpt-4o")),
    )
    make(script, catalog, sleeps).chat({"model": "openai/gpt-4o", "messages": MSG})
    assert sleeps == [3.0]


def test_retries_are_bounded(script: Script, catalog: Catalog, sleeps: list[float]) -> None:
    script.on("openai/gpt-4o", err(500))
    with pytest.raises(Exception) as info:
        make(script, catalog, sleeps, max_retries=3).chat(
            {"model": "openai/gpt-4o", "messages": MSG}
        )
    assert type(info.value).__name__ == "InternalServerError"
    assert len(script.bodies) == 4 and len(sleeps) == 3


@pytest.mark.parametrize("status", [400, 401, 402, 403])
def test_client_errors_are_never_retried(
    status: int, script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", err(status))
    with pytest.raises(Exception) as info:
        make(script, catalog, sleeps).chat({"model": "openai/gpt-4o", "messages": MSG})
    assert getattr(info.value, "status_code", None) == status
    assert len(script.bodies) == 1 and sleeps == []


def test_connection_errors_and_timeouts_are_retried_then_typed(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", httpx.ConnectError("refused"), httpx.ReadTimeout("slow"))
    with pytest.raises(APITimeoutError):
        make(script, catalog, sleeps, max_retries=1).chat(
            {"model": "openai/gpt-4o", "messages": MSG}
        )
    script.replies.clear()
    script.on("openai/gpt-4o", httpx.ConnectError("refused"))
    with pytest.raises(APIConnectionError, match="ConnectError"):
        make(script, catalog, sleeps, max_retries=0).chat(
            {"model": "openai/gpt-4o", "messages": MSG}
        )


def test_fallback_on_rate_limit_moves_on_and_cools_down(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", err(429, "rate limited", {"Retry-After": "20"}))
    script.on(
        "anthropic/claude-3.5-haiku",
        httpx.Response(
            200, json=completion("anthropic/claude-3.5-haiku", "from haiku", "Anthropic")
        ),
    )
    client = make(script, catalog, sleeps)
    request = {"model": "openai/gpt-4o", "messages": MSG}
    result = client.chat(request, fallback_models=["anthropic/claude-3.5-haiku"])
    assert result.model == "anthropic/claude-3.5-haiku" and result.text == "from haiku"
    assert [(a.model, a.ok, a.status_code) for a in result.attempts] == [
        ("openai/gpt-4o", False, 429),
        ("anthropic/claude-3.5-haiku", True, None),
    ]
    assert sleeps == []  # failed over at once instead of retrying
    # The next call skips the cooling model without a request.
    before = len(script.bodies)
    again = client.chat(request, fallback_models=["anthropic/claude-3.5-haiku"])
    assert script.models[before:] == ["anthropic/claude-3.5-haiku"]
    assert again.attempts[0].skipped and "cooling down" in (again.attempts[0].reason or "")


def test_all_models_failing_lists_every_attempt(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", err(503))
    script.on("openai/gpt-4o-mini", err(502))
    with pytest.raises(AllModelsFailedError) as info:
        make(script, catalog, sleeps, max_retries=1).chat(
            {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
        )
    # Every HTTP attempt is listed: the last model was retried once (max_retries=1).
    assert [(a.model, a.status_code) for a in info.value.attempts] == [
        ("openai/gpt-4o", 503),
        ("openai/gpt-4o-mini", 502),
        ("openai/gpt-4o-mini", 502),
    ]
    assert isinstance(info.value.__cause__, BadGatewayError)


def test_non_retryable_error_stops_the_route(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", err(401, "bad key"))
    with pytest.raises(AuthenticationError):
        make(script, catalog, sleeps).chat(
            {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
        )
    assert script.models == ["openai/gpt-4o"]


def test_capability_and_unknown_model_fail_before_sending(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    client = make(script, catalog, sleeps)
    with pytest.raises(CapabilityError) as info:
        client.chat({"model": "meta-llama/llama-guard-4-12b", "messages": MSG, "tools": [TOOL]})
    assert "tool calling" in str(info.value) and info.value.capable_models
    with pytest.raises(UnknownModelError, match="openai/gpt-4o"):
        client.chat({"model": "openai/gpt4o", "messages": MSG})
    with pytest.raises(UnknownModelError):
        client.chat({"models": ["openai/gpt4o"], "messages": MSG})
    with pytest.raises(InvalidRequestError, match="messages"):
        client.chat({"model": "openai/gpt-4o", "messages": []})
    with pytest.raises(InvalidRequestError, match="role"):
        client.chat({"model": "openai/gpt-4o", "messages": [{"role": "robot", "content": "x"}]})
    assert script.bodies == []
    # A capable fallback is used instead of the incapable primary.
    result = client.chat(
        {"model": "meta-llama/llama-guard-4-12b", "messages": MSG, "tools": [TOOL]},
        fallback_models=["openai/gpt-4o-mini"],
    )
    assert script.models == ["openai/gpt-4o-mini"] and result.attempts[0].skipped
    # Policy off sends anyway.
    client.chat(
        {"model": "meta-llama/llama-guard-4-12b", "messages": MSG, "tools": [TOOL]},
        capability_check="off",
    )
    assert script.models[-1] == "meta-llama/llama-guard-4-12b"


def test_auto_fallback(script: Script, catalog: Catalog, sleeps: list[float]) -> None:
    script.on("openai/gpt-4o-mini", err(503))
    result = make(script, catalog, sleeps).chat(
        {"model": "openai/gpt-4o-mini", "messages": MSG, "tools": [TOOL]}, fallback="auto"
    )
    assert result.model != "openai/gpt-4o-mini" and "tools" in catalog.get(result.model).parameters
    assert len(result.attempts) == 2


def test_server_side_models_pass_through(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    provider = {"order": ["openai"], "allow_fallbacks": False, "sort": "price"}
    make(script, catalog, sleeps).chat(
        {
            "models": ["openai/gpt-4o", "openai/gpt-4o-mini"],
            "messages": MSG,
            "provider": provider,
            "route": "fallback",
        }
    )
    assert script.bodies[0]["models"] == ["openai/gpt-4o", "openai/gpt-4o-mini"]
    assert script.bodies[0]["provider"] == provider and "model" not in script.bodies[0]


@pytest.mark.parametrize(
    ("reply", "error"),
    [
        (httpx.Response(200, content=b'{"id": "gen", "choices": [{"mess'), ResponseParseError),
        (httpx.Response(200, content=b""), ResponseParseError),
        (
            httpx.Response(200, json={"error": {"code": 502, "message": "upstream died"}}),
            BadGatewayError,
        ),
        (
            httpx.Response(
                502,
                content=b"<html><title>Bad gateway</title></html>",
                headers={"content-type": "text/html"},
            ),
            BadGatewayError,
        ),
    ],
)
def test_bad_bodies_become_typed_errors(
    reply: httpx.Response, error: type, script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", reply)
    with pytest.raises(error):
        make(script, catalog, sleeps, max_retries=0).chat(
            {"model": "openai/gpt-4o", "messages": MSG}
        )


def stream_reply(*events: Any) -> httpx.Response:
    return httpx.Response(200, content=sse(*events), headers={"content-type": "text/event-stream"})


def delta(text: str, model: str = "openai/gpt-4o", finish: str | None = None) -> dict[str, Any]:
    return {
        "id": "gen-s",
        "model": model,
        "provider": "OpenAI",
        "choices": [{"index": 0, "delta": {"content": text}, "finish_reason": finish}],
    }


USAGE = {
    "id": "gen-s",
    "choices": [],
    "usage": {"prompt_tokens": 2, "completion_tokens": 2, "total_tokens": 4, "cost": 0.0001},
}


def test_stream_collects_chunks_and_usage(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on(
        "openai/gpt-4o", stream_reply(delta("Hel"), delta("lo", finish="stop"), USAGE, "[DONE]")
    )
    with make(script, catalog, sleeps).chat_stream(
        {"model": "openai/gpt-4o", "messages": MSG}
    ) as stream:
        texts = [c.content for c in stream]
    assert "".join(texts) == "Hello"
    result = stream.result()
    assert result.text == "Hello" and result.usage is not None and result.usage.cost == 0.0001
    assert script.bodies[0]["stream"] is True and script.bodies[0]["stream_options"] == {
        "include_usage": True
    }
    assert stream.attempts[0].ok


def test_stream_falls_back_before_first_token(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on(
        "openai/gpt-4o",
        stream_reply(
            {"id": "g", "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]},
            {
                "error": {"code": 429, "message": "rate limited"},
                "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}],
            },
        ),
    )
    script.on(
        "openai/gpt-4o-mini",
        stream_reply(delta("fine", "openai/gpt-4o-mini", "stop"), USAGE, "[DONE]"),
    )
    stream = make(script, catalog, sleeps).chat_stream(
        {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
    )
    assert "".join(c.content for c in stream) == "fine"
    assert [a.ok for a in stream.attempts] == [False, True]


def test_stream_never_switches_models_after_output(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on(
        "openai/gpt-4o",
        stream_reply(
            delta("The answer"),
            {
                "id": "gen-s",
                "error": {"code": 502, "message": "Provider disconnected"},
                "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}],
            },
        ),
    )
    stream = make(script, catalog, sleeps).chat_stream(
        {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
    )
    seen: list[str] = []
    with pytest.raises(StreamInterruptedError) as info:
        for chunk in stream:
            seen.append(chunk.content)
    assert seen == ["The answer"] and script.models == ["openai/gpt-4o"]
    assert info.value.partial is not None and info.value.partial.text == "The answer"


def test_stream_cut_off_is_not_a_clean_answer(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", stream_reply(delta("half an ans")))
    with pytest.raises(StreamInterruptedError, match="DONE"):
        list(make(script, catalog, sleeps).chat_stream({"model": "openai/gpt-4o", "messages": MSG}))


def test_stream_http_error_is_retried_then_falls_back(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", err(503))
    script.on(
        "openai/gpt-4o-mini",
        err(500),
        stream_reply(delta("ok", "openai/gpt-4o-mini", "stop"), "[DONE]"),
    )
    stream = make(script, catalog, sleeps).chat_stream(
        {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
    )
    assert "".join(c.content for c in stream) == "ok"
    assert script.models == [
        "openai/gpt-4o",
        "openai/gpt-4o-mini",
        "openai/gpt-4o-mini",
    ] and sleeps == [0.5]


def test_stream_json_body_instead_of_events(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on(
        "openai/gpt-4o", httpx.Response(200, json={"error": {"code": 401, "message": "No auth"}})
    )
    with pytest.raises(AuthenticationError):
        list(make(script, catalog, sleeps).chat_stream({"model": "openai/gpt-4o", "messages": MSG}))


async def test_async_chat_fallback_and_stream(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", err(429, headers={"Retry-After": "1"}))
    script.on(
        "openai/gpt-4o-mini", httpx.Response(200, json=completion("openai/gpt-4o-mini", "async ok"))
    )
    async with make(script, catalog, sleeps, cls=AsyncOpenRouterClient) as client:
        result = await client.chat(
            {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
        )
        assert result.text == "async ok" and result.attempts[0].status_code == 429
        script.replies.clear()
        script.on(
            "openai/gpt-4o-mini",
            err(502),
            stream_reply(
                delta("a", "openai/gpt-4o-mini"),
                delta("b", "openai/gpt-4o-mini", "stop"),
                USAGE,
                "[DONE]",
            ),
        )
        stream = await client.chat_stream({"model": "openai/gpt-4o-mini", "messages": MSG})
        assert "".join([c.content async for c in stream]) == "ab"
        assert stream.result().usage is not None and sleeps == [0.5]


async def test_async_stream_interruption_and_exhaustion(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    script.on("openai/gpt-4o", stream_reply(delta("partial")))
    async with make(script, catalog, sleeps, cls=AsyncOpenRouterClient) as client:
        stream = await client.chat_stream({"model": "openai/gpt-4o", "messages": MSG})
        with pytest.raises(StreamInterruptedError):
            async for _ in stream:
                pass
        script.replies.clear()
        script.on("openai/gpt-4o", err(503))
        script.on("openai/gpt-4o-mini", err(503))
        with pytest.raises(AllModelsFailedError):
            await client.chat(
                {"model": "openai/gpt-4o", "messages": MSG}, fallback_models=["openai/gpt-4o-mini"]
            )
        with pytest.raises(RateLimitError):
            script.on("openai/gpt-4.1", err(429))
            await client.chat({"model": "openai/gpt-4.1", "messages": MSG}, capability_check="off")


def test_request_body_is_compact_json_with_only_set_fields(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    client = make(script, catalog, sleeps)
    client.chat(
        {"model": "openai/gpt-4o", "messages": MSG, "temperature": 0.1, "extra_body": {"custom": 1}}
    )
    assert script.bodies[0] == {
        "model": "openai/gpt-4o",
        "messages": MSG,
        "temperature": 0.1,
        "custom": 1,
    }
    assert json.dumps(script.bodies[0])


def _responses_reply(body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(
        200,
        json={
            "id": "resp_1",
            "object": "response",
            "model": body["model"],
            "output": [
                {
                    "type": "message",
                    "id": "msg_1",
                    "role": "assistant",
                    "content": [{"type": "output_text", "text": "ok", "annotations": []}],
                }
            ],
        },
    )


RESPONSES_TOOL = {"type": "function", "name": "f", "parameters": {"type": "object"}}


def test_responses_route_like_chat(script: Script, catalog: Catalog, sleeps: list[float]) -> None:
    """``/responses`` takes chat's routing options: ``fallback="auto"`` finds a
    substitute that can serve the request (function tools here)."""
    script.on("openai/gpt-4o-mini", err(429))
    body = {"model": "openai/gpt-4o-mini", "input": "hi", "tools": [RESPONSES_TOOL]}
    for model in {m.id for m in catalog}:
        if model != "openai/gpt-4o-mini":
            script.on(model, _responses_reply)
    result = make(script, catalog, sleeps).responses(body, fallback="auto")
    assert result.model != "openai/gpt-4o-mini"
    assert "tools" in catalog.get(result.model).parameters
    assert result.attempts[0].model == "openai/gpt-4o-mini"


def test_responses_check_capabilities_before_sending(
    script: Script, catalog: Catalog, sleeps: list[float]
) -> None:
    no_tools = next(m.id for m in catalog if "tools" not in m.parameters)
    with pytest.raises(CapabilityError) as caught:
        make(script, catalog, sleeps).responses(
            {"model": no_tools, "input": "hi", "tools": [RESPONSES_TOOL]}
        )
    assert caught.value.capable_models and not script.bodies
