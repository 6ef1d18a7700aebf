"""``ChatOpenRouter(use_responses_api=True)`` on real ``/responses`` traffic: invoke,
stream, a tool round trip, structured output, reasoning kept and sent back."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter
from openrouter_core import InvalidRequestError
from tests.fake_transport import route_httpx
from tests.real.replay import load_ai_sdk_recording
from tests.request_validation import validate_request


def recorded(folder: str) -> tuple[bytes, dict[str, str]]:
    interaction = load_ai_sdk_recording(folder)
    kind = "text/event-stream" if interaction.is_sse else "application/json"
    return interaction.text.encode(), {"content-type": kind}


def final_output(folder: str) -> list[dict[str, Any]]:
    interaction = load_ai_sdk_recording(folder)
    if not interaction.is_sse:
        output: list[dict[str, Any]] = json.loads(interaction.text)["output"]
        return output
    completed = [e for e in interaction.json_events() if e.get("type") == "response.completed"]
    result: list[dict[str, Any]] = completed[-1]["response"]["output"]
    return result


def text_of(output: list[dict[str, Any]]) -> str:
    return "".join(
        p.get("text", "")
        for item in output
        if item["type"] == "message"
        for p in item["content"]
        if p["type"] == "output_text"
    )


class Wire:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []
        self.replies: list[tuple[bytes, dict[str, str]]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        body = json.loads(request.content)
        validate_request("POST", "/api/v1/responses", body)  # the published request schema
        self.bodies.append(body)
        content, headers = self.replies.pop(0)
        return httpx.Response(200, content=content, headers=headers)


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    recorder = Wire()

    route_httpx(monkeypatch, recorder)
    yield recorder


def model(name: str = "anthropic/claude-sonnet-4") -> ChatOpenRouter:
    return ChatOpenRouter(
        model=name, api_key="k", use_responses_api=True, capability_check="off", max_retries=0
    )


def test_invoke(wire: Wire) -> None:
    wire.replies.append(recorded("D3rOk6ni8RG"))
    reply = model().invoke("When will the trains meet?")
    assert reply.content == text_of(final_output("D3rOk6ni8RG"))
    assert reply.usage_metadata is not None and reply.usage_metadata["input_tokens"] > 0
    assert reply.response_metadata["model_name"] == "anthropic/claude-sonnet-4"
    sent = wire.bodies[-1]
    assert sent["input"] == [
        {"type": "message", "role": "user", "content": "When will the trains meet?"}
    ]
    assert "stream" not in sent and "messages" not in sent


async def test_stream_and_astream(wire: Wire) -> None:
    expected = text_of(final_output("CHlILDuJN6g"))
    wire.replies.append(recorded("CHlILDuJN6g"))
    chunks = list(model("openai/gpt-4o-mini").stream("Capital of France?"))
    assert "".join(str(c.content) for c in chunks) == expected
    assert chunks[-1].usage_metadata is not None and chunks[-1].usage_metadata["total_tokens"]
    assert wire.bodies[-1]["stream"] is True
    wire.replies.append(recorded("CHlILDuJN6g"))
    pieces = [c async for c in model("openai/gpt-4o-mini").astream("Capital of France?")]
    assert "".join(str(c.content) for c in pieces) == expected


def test_a_tool_round_trip(wire: Wire) -> None:
    read_sms = {
        "type": "function",
        "function": {
            "name": "readSMS",
            "description": "Read SMS messages",
            "parameters": {"type": "object", "properties": {"phoneNumber": {"type": "string"}}},
        },
    }
    recorded_call = next(i for i in final_output("boFzvlQKph5") if i["type"] == "function_call")
    wire.replies.append(recorded("boFzvlQKph5"))
    bound = model().bind_tools([read_sms], tool_choice="auto")
    reply = bound.invoke("Read my SMS from 808-999-2345")
    (call,) = reply.tool_calls
    assert call["name"] == recorded_call["name"] and call["id"] == recorded_call["call_id"]
    assert call["args"] == json.loads(recorded_call["arguments"])
    sent = wire.bodies[-1]
    assert sent["tools"] == [
        {
            "type": "function",
            "name": "readSMS",
            "description": "Read SMS messages",
            "parameters": read_sms["function"]["parameters"],
        }
    ]
    assert sent["tool_choice"] == "auto"
    wire.replies.append(recorded("D3rOk6ni8RG"))
    turn = [
        HumanMessage("Read my SMS"),
        reply,
        ToolMessage("No messages.", tool_call_id=call["id"]),
    ]
    bound.invoke(turn)
    items = [i for i in wire.bodies[-1]["input"] if i["type"] != "message"]
    assert items[0] == {
        "type": "function_call",
        "call_id": call["id"],
        "name": "readSMS",
        "arguments": recorded_call["arguments"],
    }
    assert items[1] == {
        "type": "function_call_output",
        "call_id": call["id"],
        "output": "No messages.",
    }


def test_reasoning_items_are_kept_and_sent_back(wire: Wire) -> None:
    wire.replies.append(recorded("1vjYj1j6L3O"))
    thinker = model("anthropic/claude-3.7-sonnet:thinking")
    chunks = list(thinker.stream("What is the capital of France?"))
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole = whole + chunk
    assert isinstance(whole, AIMessageChunk)
    assert whole.additional_kwargs.get("reasoning_content")
    items = whole.additional_kwargs["reasoning_items"]
    recorded_items = [i for i in final_output("1vjYj1j6L3O") if i["type"] == "reasoning"]
    assert [i["id"] for i in items] == [i["id"] for i in recorded_items]
    wire.replies.append(recorded("D3rOk6ni8RG"))
    message = AIMessage(str(whole.content), additional_kwargs=whole.additional_kwargs)
    thinker.invoke([HumanMessage("Capital?"), message, HumanMessage("And of Spain?")])
    sent = wire.bodies[-1]["input"]
    assert sent[1] == items[0]  # replayed as received: the API keeps no state


class City(BaseModel):
    city: str


def test_structured_output_uses_text_format(wire: Wire) -> None:
    reply = json.loads(load_ai_sdk_recording("D3rOk6ni8RG").text)
    reply["output"] = [
        {
            "type": "message",
            "role": "assistant",
            "id": "msg_tmp_1",
            "status": "completed",
            "content": [{"type": "output_text", "text": '{"city": "Paris"}', "annotations": []}],
        }
    ]
    wire.replies.append((json.dumps(reply).encode(), {"content-type": "application/json"}))
    answer = model().with_structured_output(City, method="json_schema").invoke("Capital?")
    assert answer == City(city="Paris")
    fmt = wire.bodies[-1]["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["name"] == "City"
    assert fmt["schema"]["properties"] == {"city": {"type": "string"}}


@pytest.mark.parametrize("stateful", [{"store": True}, {"previous_response_id": "resp_1"}])
def test_stateful_requests_are_refused(wire: Wire, stateful: dict[str, Any]) -> None:
    with pytest.raises(InvalidRequestError, match=r"stateless.*session_id"):
        model().invoke("hi", **stateful)
    assert wire.bodies == []
