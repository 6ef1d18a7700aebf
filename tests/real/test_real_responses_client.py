"""Real ``/responses`` traffic through the core clients (sync and async, JSON and
streamed): what was recorded comes back as typed results, function calls with
their arguments (which real streams send only in ``response.completed``), reasoning
kept, usage and cost; the recording cut short raises with the partial output."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from openrouter_core import AsyncOpenRouterClient, OpenRouterClient, StreamInterruptedError
from tests.real.replay import AI_SDK_DIR, ai_sdk_folders, load_ai_sdk_recording

FOLDERS = ai_sdk_folders("/api/v1/responses")
TRUNCATED = "69A9tNSV4LJ"


def recorded_request(folder: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((AI_SDK_DIR / folder / "request.json").read_text())
    body: dict[str, Any] = data["body"]["json"]
    return body


def final_response(folder: str) -> dict[str, Any]:
    """The recorded result: the JSON body, or the ``response.completed`` event."""
    interaction = load_ai_sdk_recording(folder)
    if not interaction.is_sse:
        reply: dict[str, Any] = json.loads(interaction.text)
        return reply
    for event in reversed(interaction.json_events()):
        if event.get("type") == "response.completed":
            response: dict[str, Any] = event["response"]
            return response
    raise AssertionError("no response.completed event")


def handler(folder: str) -> Any:
    interaction = load_ai_sdk_recording(folder)
    seen: list[dict[str, Any]] = []

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(json.loads(request.content))
        kind = "text/event-stream" if interaction.is_sse else "application/json"
        headers = {"content-type": kind}
        return httpx.Response(200, content=interaction.text.encode(), headers=headers)

    answer.seen = seen  # type: ignore[attr-defined]
    return answer


def texts_of(output: list[dict[str, Any]]) -> str:
    return "".join(
        part.get("text", "")
        for item in output
        if item.get("type") == "message"
        for part in item.get("content") or []
        if part.get("type") == "output_text"
    )


def calls_of(output: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (item["call_id"], item["name"], item.get("arguments") or "")
        for item in output
        if item.get("type") == "function_call"
    ]


@pytest.mark.parametrize("folder", [f for f in FOLDERS if f != TRUNCATED])
def test_sync_client_replays_each_recording(folder: str) -> None:
    answer = handler(folder)
    request = recorded_request(folder)
    expected = final_response(folder)
    http = httpx.Client(transport=httpx.MockTransport(answer))
    with OpenRouterClient(api_key="k", http_client=http, capability_check="off") as client:
        if request.get("stream"):
            with client.responses_stream(request) as stream:
                events = list(stream)
            result = stream.result()
            assert events and {type(e).__name__ for e in events} >= {"ResponseCompleted"}
        else:
            result = client.responses(request)
    assert answer.seen[0]["model"] == request["model"]
    assert bool(answer.seen[0].get("stream")) == bool(request.get("stream"))
    assert result.text == texts_of(expected["output"])
    assert [(c.call_id, c.name, c.arguments) for c in result.function_calls] == calls_of(
        expected["output"]
    )
    if any(item.get("type") == "reasoning" for item in expected["output"]):
        assert result.reasoning
    usage = expected.get("usage") or {}
    assert result.usage is not None
    assert result.usage.input_tokens == usage.get("input_tokens")
    assert result.usage.output_tokens == usage.get("output_tokens")
    assert result.usage.cost == usage.get("cost")
    assert [a.ok for a in result.attempts] == [True]


@pytest.mark.parametrize("folder", [f for f in FOLDERS if f != TRUNCATED])
async def test_async_client_replays_each_recording(folder: str) -> None:
    request = recorded_request(folder)
    expected = final_response(folder)
    http = httpx.AsyncClient(transport=httpx.MockTransport(handler(folder)))
    async with AsyncOpenRouterClient(api_key="k", http_client=http, capability_check="off") as c:
        if request.get("stream"):
            stream = await c.responses_stream(request)
            async with stream:
                deltas: list[str] = []
                async for event in stream:
                    if type(event).__name__ == "OutputTextDelta":
                        deltas.append(event.delta)  # type: ignore[attr-defined]
            result = stream.result()
            assert "".join(deltas) == result.text
        else:
            result = await c.responses(request)
    assert result.text == texts_of(expected["output"])


def test_the_recording_cut_short_raises_with_the_partial_output() -> None:
    request = recorded_request(TRUNCATED)
    http = httpx.Client(transport=httpx.MockTransport(handler(TRUNCATED)))
    with OpenRouterClient(api_key="k", http_client=http, capability_check="off") as client:
        stream = client.responses_stream(request)
        with pytest.raises(StreamInterruptedError) as caught:
            list(stream)
    partial: Any = caught.value.partial
    assert partial is not None
    assert [c.name for c in partial.function_calls] == ["test_tool"]
    assert isinstance(caught.value, ValueError)
