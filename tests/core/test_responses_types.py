"""``/responses``: the strict request model (checked against OpenRouter's published
request schema), the lenient result, and the stream accumulator, replayed on every
real recording in ``tests/real/data/recordings-ai-sdk`` and on synthetic streams for
the failures the recordings do not show."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest
from pydantic import ValidationError

from openrouter_core._responses import ResponsesStreamAccumulator
from openrouter_core._responses_events import (
    EVENT_TYPES,
    ErrorEvent,
    FunctionCallArgumentsDone,
    GenericEvent,
    OutputItemAdded,
    OutputTextDelta,
    ResponseCompleted,
    ResponsesEvent,
    parse_event_data,
    parse_responses,
)
from openrouter_core._sse import DONE, ServerSentEvent, SSEDecoder
from openrouter_core.errors import (
    APIStatusError,
    BadGatewayError,
    InternalServerError,
    RateLimitError,
    ResponseParseError,
    StreamInterruptedError,
)
from openrouter_core.types.responses import (
    STATELESS_HINT,
    OutputFunctionCall,
    OutputMessage,
    OutputReasoning,
    ResponseOutputItem,
    ResponsesRequest,
    ResponsesResult,
)
from tests.real.replay import ai_sdk_folders, load_ai_sdk_recording, sse_data
from tests.request_validation import request_violations, validate_request

FOLDERS = ai_sdk_folders("/api/v1/responses")
JSON_FOLDERS = [f for f in FOLDERS if not load_ai_sdk_recording(f).is_sse]
SSE_FOLDERS = [f for f in FOLDERS if load_ai_sdk_recording(f).is_sse]
TRUNCATED = "69A9tNSV4LJ"  # its response.completed event was cut off in the recording
WHOLE_SSE = [f for f in SSE_FOLDERS if f != TRUNCATED]


def request_body(**fields: Any) -> dict[str, Any]:
    return ResponsesRequest.model_validate(fields).to_json_dict()


def refused(fields: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        ResponsesRequest.model_validate(fields)
    return str(caught.value)


# =========================================================================== the request


def test_recordings_are_all_here() -> None:
    assert len(FOLDERS) == 5
    assert sorted(JSON_FOLDERS) == ["D3rOk6ni8RG", "boFzvlQKph5"]
    assert sorted(WHOLE_SSE) == ["1vjYj1j6L3O", "CHlILDuJN6g"]


def test_schema_has_the_responses_request() -> None:
    """The extracted spec covers /responses (tests/data/extract_request_schemas.py)."""
    assert request_violations("POST", "/responses", {"model": "m", "store": True})


@pytest.mark.parametrize("folder", FOLDERS)
def test_recorded_requests_validate(folder: str) -> None:
    """What OpenRouter's own AI SDK provider sent (system message with string content,
    ``store: false``, a replayed function call with ``""`` arguments and an output with
    ``status: "incomplete"``, zod schemas with ``$schema``) passes the model unchanged,
    and stays valid against the spec."""
    recorded = load_ai_sdk_recording(folder).request_json
    sent = ResponsesRequest.model_validate(recorded).to_json_dict()
    assert sent == recorded
    validate_request("POST", "/api/v1/responses", sent)


FULL: dict[str, Any] = {
    "model": "openai/gpt-4o-mini",
    "models": ["anthropic/claude-3.5-haiku"],
    "input": [
        {"role": "system", "content": "Be brief."},
        {"type": "message", "role": "developer", "content": [{"type": "input_text", "text": "Hi"}]},
        {
            "role": "user",
            "content": [
                {"type": "input_text", "text": "What is in this picture and this file?"},
                {"type": "input_image", "detail": "auto", "image_url": "https://example.com/a.png"},
                {
                    "type": "input_file",
                    "filename": "a.pdf",
                    "file_data": "data:application/pdf;base64,JVBERi0=",
                },
            ],
        },
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Look first."}],
            "encrypted_content": "opaque",
        },
        {
            "type": "message",
            "role": "assistant",
            "id": "msg_1",
            "status": "completed",
            "content": [{"type": "output_text", "text": "Let me look.", "annotations": []}],
        },
        {
            "type": "function_call",
            "call_id": "call_1",
            "name": "get_weather",
            "arguments": '{"city": "Paris"}',
        },
        {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
    ],
    "instructions": "Answer in French.",
    "tools": [
        {
            "type": "function",
            "name": "get_weather",
            "description": "Weather of a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
            "strict": True,
        },
        {"type": "openrouter:web_search"},
    ],
    "tool_choice": {"type": "function", "name": "get_weather"},
    "parallel_tool_calls": False,
    "text": {
        "format": {
            "type": "json_schema",
            "name": "weather",
            "schema": {"type": "object", "properties": {"summary": {"type": "string"}}},
            "strict": True,
        },
        "verbosity": "low",
    },
    "reasoning": {"effort": "low", "summary": "auto"},
    "include": ["reasoning.encrypted_content"],
    "max_output_tokens": 256,
    "temperature": 0.2,
    "top_p": 0.9,
    "top_k": 40,
    "top_logprobs": 2,
    "frequency_penalty": 0.1,
    "presence_penalty": 0.1,
    "provider": {"order": ["openai"], "allow_fallbacks": True, "sort": "price"},
    "plugins": [{"id": "web", "max_results": 3}],
    "session_id": "conv-42",
    "user": "user-7",
    "safety_identifier": "u7",
    "metadata": {"team": "search"},
    "service_tier": "auto",
    "truncation": "auto",
    "stream": False,
    "store": False,
    "max_tool_calls": 5,
    "modalities": ["text"],
    "prompt_cache_key": "k1",
    "trace": {"trace_id": "t1"},
}


def test_a_request_using_every_feature_is_sent_as_given_and_valid() -> None:
    sent = request_body(**FULL)
    assert sent == FULL
    validate_request("POST", "/responses", sent)


@pytest.mark.parametrize(
    "changes",
    [
        {"input": "Tell me a joke"},
        {"text": {"format": {"type": "json_object"}}},
        {"text": {"format": {"type": "text"}}},
        {"tool_choice": "required"},
        {"tool_choice": "none"},
        {
            "tool_choice": {
                "type": "allowed_tools",
                "mode": "auto",
                "tools": [{"type": "function", "name": "get_weather"}],
            }
        },
        {"reasoning": {"max_tokens": 2000}},
        {"reasoning": {"enabled": True}},
        {"model": None},  # "models" alone
        {"tools": [{"type": "function", "name": "ping", "parameters": None}], "tool_choice": None},
    ],
)
def test_variants_are_valid(changes: dict[str, Any]) -> None:
    fields = {k: v for k, v in {**FULL, **changes}.items() if v is not None}
    validate_request("POST", "/responses", request_body(**fields))


def test_unset_fields_are_left_out_and_extra_body_is_merged_last() -> None:
    request = ResponsesRequest(
        model="m", input="hi", extra_body={"temperature": 0.5, "experimental": True}
    )
    assert request.to_json_dict() == {
        "model": "m",
        "input": "hi",
        "temperature": 0.5,
        "experimental": True,
    }


def test_a_stored_prompt_needs_no_input() -> None:
    assert request_body(model="m", prompt={"id": "pmpt_1"}) == {
        "model": "m",
        "prompt": {"id": "pmpt_1"},
    }


@pytest.mark.parametrize(
    "fields",
    [
        {"model": "m", "input": "hi", "store": True},
        {"model": "m", "input": "hi", "previous_response_id": "resp_123"},
        {"model": "m", "input": "hi", "extra_body": {"store": True}},
        {"model": "m", "input": "hi", "extra_body": {"previous_response_id": "resp_123"}},
    ],
)
def test_state_is_refused_with_an_explanation(fields: dict[str, Any]) -> None:
    message = refused(fields)
    assert "stateless" in message
    assert "session_id" in message
    assert "input" in message


def test_store_false_is_what_the_api_does_and_is_accepted() -> None:
    assert request_body(model="m", input="hi", store=False)["store"] is False
    assert "session_id" in STATELESS_HINT


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"input": "hi"}, "either 'model' or 'models'"),
        ({"model": "m"}, "'input' is required"),
        ({"model": "m", "input": []}, "empty list"),
        ({"model": "m", "input": "  "}, "must not be empty"),
        ({"model": "m", "input": 5}, "valid list"),
        ({"model": "m", "input": "hi", "temprature": 1}, "temprature"),
        ({"model": "m", "input": ["hi"]}, "must be an object"),
        ({"model": "m", "input": [{"content": "hi"}]}, "neither 'type' nor 'role'"),
        ({"model": "m", "input": [{"role": "tool", "content": "4"}]}, "function_call_output"),
        ({"model": "m", "input": [{"role": "bot", "content": "x"}]}, "role"),
        (
            {
                "model": "m",
                "input": [{"role": "assistant", "content": None, "tool_calls": [{"id": "c"}]}],
            },
            "Chat Completions shape",
        ),
        ({"model": "m", "input": [{"type": "funcion_call"}]}, "unknown input item type"),
        ({"model": "m", "input": [{"type": 7}]}, "'type' must be a string"),
        (
            {
                "model": "m",
                "input": [{"type": "function_call_output", "call_id": "c", "output": "x"}],
            },
            "no earlier function_call",
        ),
        (
            {"model": "m", "input": [{"type": "function_call", "call_id": "c", "name": "f"}]},
            "arguments",
        ),
        (
            {"model": "m", "input": [{"role": "user", "content": "hi", "name": "bob"}]},
            "name",
        ),
        (
            {
                "model": "m",
                "input": [
                    {"role": "user", "content": [{"type": "input_image", "image_url": "https://x"}]}
                ],
            },
            "detail",
        ),
        (
            {"model": "m", "input": [{"role": "user", "content": [{"type": "image_url"}]}]},
            "image_url",
        ),
        (
            {
                "model": "m",
                "input": [{"role": "user", "content": [{"type": "output_text", "text": "x"}]}],
            },
            "assistant messages only",
        ),
        (
            {
                "model": "m",
                "input": [{"role": "assistant", "content": [{"type": "output_text", "text": "x"}]}],
            },
            "needs its 'id'",
        ),
        (
            {
                "model": "m",
                "input": [
                    {
                        "type": "message",
                        "id": "msg_1",
                        "role": "assistant",
                        "content": [
                            {"type": "output_text", "text": "x"},
                            {"type": "input_text", "text": "y"},
                        ],
                    }
                ],
            },
            "not both",
        ),
        (
            {"model": "m", "input": [{"type": "reasoning", "summary": []}]},
            "id",
        ),
        (
            {
                "model": "m",
                "input": "hi",
                "tools": [{"type": "function", "function": {"name": "f", "parameters": {}}}],
            },
            "Responses tools are flat",
        ),
        ({"model": "m", "input": "hi", "tools": [{"type": "function", "name": "f"}]}, "parameters"),
        (
            {
                "model": "m",
                "input": "hi",
                "tools": [
                    {"type": "function", "name": "f", "parameters": None},
                    {"type": "function", "name": "f", "parameters": None},
                ],
            },
            "two tools are named 'f'",
        ),
        (
            {
                "model": "m",
                "input": "hi",
                "tools": [{"type": "function", "name": "get weather", "parameters": None}],
            },
            "1-64 characters",
        ),
        (
            {
                "model": "m",
                "input": "hi",
                "tools": [{"type": "function", "name": "f", "parameters": {"type": "array"}}],
            },
            "type 'object'",
        ),
        (
            {
                "model": "m",
                "input": "hi",
                "tools": [{"type": "function", "name": "f", "parameters": None}],
                "tool_choice": {"type": "function", "name": "g"},
            },
            "not among the function tools",
        ),
        ({"model": "m", "input": "hi", "tool_choice": "required"}, "needs at least one tool"),
        ({"model": "m", "input": "hi", "tool_choice": "sometimes"}, "tool_choice"),
        (
            {"model": "m", "input": "hi", "text": {"format": {"type": "json_schema", "name": "x"}}},
            "schema",
        ),
        (
            {
                "model": "m",
                "input": "hi",
                "text": {"format": {"type": "json_schema", "name": "my schema", "schema": {}}},
            },
            "text.format.name",
        ),
        ({"model": "m", "input": "hi", "text": {"format": {"type": "yaml"}}}, "format"),
        (
            {"model": "m", "input": "hi", "reasoning": {"effort": "high", "max_tokens": 100}},
            "not both",
        ),
        ({"model": "m", "input": "hi", "reasoning": {"effort": "extreme"}}, "effort"),
        ({"model": "m", "input": "hi", "reasoning": {"max_tokens": 0}}, "at least 1"),
        ({"model": "m", "input": "hi", "reasoning": {"exclude": True}}, "exclude"),
        ({"model": "m", "input": "hi", "plugins": [{"max_results": 3}]}, "needs an 'id'"),
        ({"model": "m", "input": "hi", "metadata": {"a[0]": "x"}}, "without brackets"),
        ({"model": "m", "input": "hi", "metadata": {"k": "x" * 513}}, "512"),
        (
            {"model": "m", "input": "hi", "metadata": {str(i): "x" for i in range(17)}},
            "at most 16",
        ),
        ({"model": "m", "input": "hi", "temperature": 2.5}, "temperature"),
        ({"model": "m", "input": "hi", "top_p": 0}, "top_p"),
        ({"model": "m", "input": "hi", "max_output_tokens": 0}, "max_output_tokens"),
        ({"model": "m", "input": "hi", "max_tool_calls": 31}, "max_tool_calls"),
        ({"model": "m", "input": "hi", "top_logprobs": 21}, "top_logprobs"),
        ({"model": "m", "input": "hi", "session_id": "s" * 257}, "session_id"),
        ({"model": "m", "input": "hi", "include": ["usage"]}, "include"),
        ({"model": "m", "input": "hi", "provider": {"fastest": True}}, "fastest"),
        ({"model": "m", "input": "hi", "service_tier": "gold"}, "service_tier"),
    ],
)
def test_refusals(fields: dict[str, Any], fragment: str) -> None:
    assert fragment in refused(fields)


@pytest.mark.parametrize(
    "sent",
    [
        {"model": "m", "input": "hi", "store": True},
        {"model": "m", "input": [{"role": "tool", "content": "4"}]},
        {"model": "m", "input": [{"role": "user", "content": [{"type": "input_image"}]}]},
        {"model": "m", "input": [{"type": "reasoning", "summary": []}]},
        {"model": "m", "input": "hi", "tools": [{"type": "function", "name": "f"}]},
        {"model": "m", "input": "hi", "text": {"format": {"type": "json_schema", "name": "x"}}},
        {"model": "m", "input": "hi", "metadata": {"k": "x" * 513}},
        {"model": "m", "input": "hi", "session_id": "s" * 257},
        {"model": "m", "input": "hi", "include": ["usage"]},
        {"model": "m", "input": "hi", "temprature": 1},
    ],
)
def test_the_spec_refuses_these_too(sent: dict[str, Any]) -> None:
    """Where the schema has a rule, the model's refusal agrees with it."""
    assert request_violations("POST", "/responses", sent)


# =========================================================================== the result


def recorded_json(folder: str) -> tuple[bytes, dict[str, Any]]:
    body = load_ai_sdk_recording(folder).body
    return body, json.loads(body.strip())


def raw_text(output: list[dict[str, Any]]) -> str:
    return "".join(
        part["text"]
        for item in output
        if item.get("type") == "message"
        for part in item["content"]
        if part.get("type") == "output_text"
    )


def raw_calls(output: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [
        (item["name"], item["arguments"], item["call_id"])
        for item in output
        if item.get("type") == "function_call"
    ]


def check_usage(result: ResponsesResult, usage: dict[str, Any]) -> None:
    assert result.usage is not None
    assert result.usage.input_tokens == usage["input_tokens"]
    assert result.usage.output_tokens == usage["output_tokens"]
    assert result.usage.total_tokens == usage["total_tokens"]
    assert result.usage.cost == usage["cost"]
    assert result.usage.is_byok == usage["is_byok"]
    assert result.usage.cost_details == usage["cost_details"]
    assert result.usage.cached_tokens == usage["input_tokens_details"]["cached_tokens"]
    assert result.usage.reasoning_tokens == usage["output_tokens_details"]["reasoning_tokens"]


@pytest.mark.parametrize("folder", JSON_FOLDERS)
def test_recorded_json_results(folder: str) -> None:
    body, raw = recorded_json(folder)
    assert body[:1].isspace()  # the recorded keep-alive whitespace
    result = ResponsesResult.model_validate(json.loads(body.strip()))
    assert ResponsesResult.model_validate_json(body) == result
    assert result.id == raw["id"]
    assert result.model == raw["model"] == load_ai_sdk_recording(folder).request_json["model"]
    assert result.created_at == raw["created_at"]
    assert "status" not in raw and result.status is None  # required by the spec, not sent
    assert "completed_at" not in raw and result.completed_at is None
    assert raw["output_text"] == "" and result.output_text == ""  # empty on the wire...
    assert result.text == raw_text(raw["output"]) != ""  # ...so .text reads the items
    assert [(c.name, c.arguments, c.call_id) for c in result.function_calls] == raw_calls(
        raw["output"]
    )
    for message in result.messages:
        assert message.id is not None and message.id.startswith("msg_tmp_")
    check_usage(result, raw["usage"])
    assert result.generation_id == raw["id"]
    assert result.summary()["cost"] == raw["usage"]["cost"]
    assert result.summary()["fallback_attempts"] == []


def test_recorded_function_call_result() -> None:
    _, raw = recorded_json("boFzvlQKph5")
    result = ResponsesResult.model_validate(raw)
    message, call = result.output
    assert isinstance(message, OutputMessage)
    assert message.status == "incomplete"  # a finished message, as recorded
    assert message.text.startswith("I'll check if the SMS was delivered")
    assert isinstance(call, OutputFunctionCall)
    assert call.name == "readSMS"
    assert call.call_id == call.id == "toolu_vrtx_01A4YFwYvRw6PGKMD4JNjMVh"
    assert call.arguments == '{"phoneNumber": "808-999-2345", "index": 1}'
    assert call.parsed_arguments() == {"phoneNumber": "808-999-2345", "index": 1}
    assert result.usage is not None and result.usage.cost == 0.003825


@pytest.mark.parametrize("folder", JSON_FOLDERS)
def test_a_result_continues_the_conversation(folder: str) -> None:
    """The API keeps no state: the next turn sends the recorded input, the output as
    input items and the tool results; all of it passes the model and the spec."""
    request = dict(load_ai_sdk_recording(folder).request_json)
    result = ResponsesResult.model_validate(recorded_json(folder)[1])
    items = result.as_input_items()
    assert [item["type"] for item in items] == [item.type for item in result.output]
    answers = [
        {"type": "function_call_output", "call_id": call.call_id, "output": "delivered"}
        for call in result.function_calls
    ]
    request["input"] = [*request["input"], *items, *answers]
    sent = ResponsesRequest.model_validate(request).to_json_dict()
    validate_request("POST", "/responses", sent)


def test_lenient_result() -> None:
    result = ResponsesResult.model_validate(
        {
            "id": "gen-1",
            "output": [
                {"type": "message", "content": None, "id": "msg_1"},
                {"type": "openrouter:web_search", "id": "ws_1", "status": "completed", "q": "x"},
                {"type": "function_call", "name": "f", "arguments": None},
                {"type": "reasoning", "summary": [{"type": "summary_text", "text": "short"}]},
                "junk",
            ],
            "usage": {"input_tokens": None, "output_tokens": 2.0, "total_tokens": "7", "cost": 0},
            "created_at": 1767766547.0,
            "error": "nope",
            "surprise": {"kept": True},
        }
    )
    assert [type(item) for item in result.output] == [
        OutputMessage,
        ResponseOutputItem,
        OutputFunctionCall,
        OutputReasoning,
    ]
    assert result.output[1].model_extra == {"q": "x"}
    assert result.text == ""
    assert result.function_calls[0].parsed_arguments() == {}
    assert result.reasoning_text == "short"  # the summary when the text was not sent
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (0, 2)
    assert result.usage.total_tokens == 7
    assert result.created_at == 1767766547
    assert result.error is None
    assert result.model_extra == {"surprise": {"kept": True}}
    assert ResponsesResult.model_validate({}).text == ""
    assert ResponsesResult.model_validate({"output": None}).output == []


def test_output_text_is_used_only_without_message_items() -> None:
    assert ResponsesResult.model_validate({"output": [], "output_text": "hi"}).text == "hi"
    both = {
        "output_text": "stale",
        "output": [{"type": "message", "content": [{"type": "output_text", "text": "fresh"}]}],
    }
    assert ResponsesResult.model_validate(both).text == "fresh"


def test_refusal_annotations_and_summary() -> None:
    result = ResponsesResult.model_validate(
        {
            "id": "gen-2",
            "model": "openai/gpt-4o",
            "provider": "OpenAI",
            "status": "incomplete",
            "incomplete_details": {"reason": "max_output_tokens"},
            "output": [
                {
                    "type": "message",
                    "id": "msg_1",
                    "content": [
                        {
                            "type": "output_text",
                            "text": "See ",
                            "annotations": [{"type": "url_citation", "url": "https://a"}],
                        },
                        {"type": "refusal", "refusal": "I cannot."},
                    ],
                }
            ],
            "usage": {"input_tokens": 1, "output_tokens": 1, "total_tokens": 2, "cost": 0.5},
        }
    )
    assert result.text == "See "
    assert result.refusal == "I cannot."
    assert result.messages[0].annotations == [{"type": "url_citation", "url": "https://a"}]
    assert result.incomplete_reason == "max_output_tokens"
    assert result.summary() == {
        "id": "gen-2",
        "model": "openai/gpt-4o",
        "provider": "OpenAI",
        "status": "incomplete",
        "incomplete_reason": "max_output_tokens",
        "cost": 0.5,
        "fallback_attempts": [],
    }
    (item,) = result.as_input_items()
    assert item["content"][1] == {"type": "refusal", "refusal": "I cannot."}


def test_invalid_arguments_are_reported() -> None:
    call = OutputFunctionCall(type="function_call", arguments="{not json")
    with pytest.raises(ValueError):
        call.parsed_arguments()


# =========================================================================== streams


def decoded(chunks: Iterable[bytes]) -> list[ServerSentEvent]:
    decoder = SSEDecoder()
    events = [event for chunk in chunks for event in decoder.feed(chunk)]
    return events + decoder.flush()


def recording_events(folder: str, size: int | None = None) -> list[ServerSentEvent]:
    """The recorded stream decoded by the package's SSE decoder, fed in the recorded
    network chunks, or re-cut into pieces of ``size`` bytes."""
    interaction = load_ai_sdk_recording(folder)
    if size is None:
        return decoded(interaction.chunks)
    body = interaction.body
    return decoded(body[i : i + size] for i in range(0, len(body), size))


def raw_events(folder: str) -> list[dict[str, Any]]:
    interaction = load_ai_sdk_recording(folder)
    return [
        json.loads(d) for d in sse_data(interaction.text) if d not in (DONE, *interaction.truncated)
    ]


def deltas(folder: str, kind: str) -> str:
    return "".join(e["delta"] for e in raw_events(folder) if e["type"] == kind)


def completed_response(folder: str) -> dict[str, Any]:
    (event,) = [e for e in raw_events(folder) if e["type"] == "response.completed"]
    response: dict[str, Any] = event["response"]
    return response


@pytest.mark.parametrize("folder", WHOLE_SSE)
@pytest.mark.parametrize("size", [None, 1, 7, 4096])
def test_recorded_streams(folder: str, size: int | None) -> None:
    acc = ResponsesStreamAccumulator("requested/model")
    events = list(acc.iter_events(recording_events(folder, size)))
    assert acc.completed and acc.done
    assert all(isinstance(e, ResponsesEvent) and not isinstance(e, GenericEvent) for e in events)
    assert [e.sequence_number for e in events] == list(range(len(events)))
    assert isinstance(events[-1], ResponseCompleted)
    final = completed_response(folder)
    result = acc.result()
    # The text: the concatenated deltas, the recorded completed output, what the
    # accumulator kept while streaming, and what .done events said: all the same.
    streamed = deltas(folder, "response.output_text.delta")
    assert streamed
    assert result.text == streamed == raw_text(final["output"]) == acc.text
    assert acc.partial().text == streamed
    assert "".join(e.delta for e in events if isinstance(e, OutputTextDelta)) == streamed
    assert result.id == final["id"] == acc.response_id
    assert result.model == final["model"]
    assert result.status == "completed"
    check_usage(result, final["usage"])
    assert result.function_calls == []
    for message in result.messages:
        assert message.id is not None and message.id.startswith("msg_tmp_")
    # Valid as the next turn's input.
    validate_request("POST", "/responses", request_body(model="m", input=result.as_input_items()))


def test_recorded_reasoning_stream() -> None:
    folder = "1vjYj1j6L3O"
    acc = ResponsesStreamAccumulator()
    list(acc.iter_events(recording_events(folder)))
    result = acc.result()
    reasoning_deltas = deltas(folder, "response.reasoning_text.delta")
    assert reasoning_deltas.startswith("The capital of France is Paris.")
    (item,) = result.reasoning
    assert result.reasoning_text == reasoning_deltas == acc.reasoning_text
    (recorded,) = [i for i in completed_response(folder)["output"] if i["type"] == "reasoning"]
    # Kept from response.completed: the provider's signature and format, needed to
    # send the reasoning back next turn.
    assert item.signature == recorded["signature"] != ""
    assert item.format == "anthropic-claude-v1"
    assert item.summary == []
    assert result.usage is not None and result.usage.reasoning_tokens == 27
    # An oddity of the recording: the reasoning item's id in response.completed is
    # not the one its streamed events used (both temporary ids).
    (streamed,) = acc.partial().reasoning
    assert streamed.id == "rs_tmp_klcbryreh8c"
    assert item.id == recorded["id"] == "rs_tmp_nko7ahyvgxc"
    assert [i.type for i in result.output] == ["reasoning", "message"]
    (replayed, _) = result.as_input_items()
    assert replayed["signature"] == recorded["signature"]
    assert replayed["content"] == [{"type": "reasoning_text", "text": reasoning_deltas}]


def test_recorded_plain_stream_usage() -> None:
    acc = ResponsesStreamAccumulator()
    list(acc.iter_events(recording_events("CHlILDuJN6g")))
    result = acc.result()
    assert result.text == "Paris."
    assert result.usage is not None
    assert (result.usage.input_tokens, result.usage.output_tokens) == (19, 2)
    assert result.usage.cost == 4.05e-06


@pytest.mark.parametrize("size", [None, 1, 7])
def test_truncated_recording_is_an_interruption(size: int | None) -> None:
    """69A9tNSV4LJ: the function call's response.completed was cut off mid-JSON and
    followed by [DONE]. That is never a clean (argument-less) answer: it raises
    StreamInterruptedError carrying what arrived."""
    acc = ResponsesStreamAccumulator("anthropic/claude-sonnet-4.5")
    seen: list[ResponsesEvent] = []
    with pytest.raises(StreamInterruptedError) as caught:
        seen.extend(acc.iter_events(recording_events(TRUNCATED, size)))
    error = caught.value
    assert "undecodable stream event" in str(error)
    assert isinstance(error.__cause__, ValueError)
    assert error.retryable is False
    assert error.status_code == 502
    assert error.generation_id == "gen-1767766555-y9ohAWaVMG3LKH3oZa0I"
    assert error.model == "anthropic/claude-sonnet-4.5"
    assert not acc.completed
    # What arrived before the cut was yielded, typed.
    added = [e for e in seen if isinstance(e, OutputItemAdded)]
    assert [e.item_type for e in added] == ["function_call"]
    (args_done,) = [e for e in seen if isinstance(e, FunctionCallArgumentsDone)]
    assert (args_done.name, args_done.arguments) == ("test_tool", "")
    # The partial output: the call's name and id, no arguments (they were in the lost
    # response.completed event).
    partial = error.partial
    assert isinstance(partial, ResponsesResult)
    assert partial.id == "gen-1767766555-y9ohAWaVMG3LKH3oZa0I"
    (call,) = partial.function_calls
    assert (call.name, call.call_id) == ("test_tool", "toolu_vrtx_011qmry8xLNAiAcoRohnxbPu")
    assert call.id == "toolu_vrtx_011qmry8xLNAiAcoRohnxbPu"  # from .added (.done has none)
    assert call.arguments == ""
    assert partial.text == ""
    assert acc.output_started


def test_function_call_arguments_come_from_response_completed() -> None:
    """The same recording with its response.completed event made whole from the
    recorded piece (whose ``output`` array is complete): the deltas and the
    ``.done`` events carry ``""``, and the arguments are taken from the final event."""
    interaction = load_ai_sdk_recording(TRUNCATED)
    (piece,) = interaction.truncated
    start = piece.index('"output":') + len('"output":')
    output, _ = json.JSONDecoder().raw_decode(piece, start)
    assert output[0]["arguments"] == '{"message": "Hello from the user!"}'
    whole = [e for e in recording_events(TRUNCATED) if e.data not in (piece, DONE)]
    snapshot = next(json.loads(e.data)["response"] for e in whole if "in_progress" in e.data)
    completed = {
        "type": "response.completed",
        "response": {**snapshot, "status": "completed", "output": output},
        "sequence_number": 5,
    }
    whole += [ServerSentEvent(json.dumps(completed)), ServerSentEvent(DONE)]
    acc = ResponsesStreamAccumulator()
    list(acc.iter_events(whole))
    assert deltas(TRUNCATED, "response.function_call_arguments.delta") == ""
    assert [c.arguments for c in acc.partial().function_calls] == [""]
    (call,) = acc.result().function_calls
    assert call.name == "test_tool"
    assert call.call_id == "toolu_vrtx_011qmry8xLNAiAcoRohnxbPu"
    assert call.parsed_arguments() == {"message": "Hello from the user!"}
    assert acc.function_calls()[0].arguments == ""  # the streamed state, as streamed


# --------------------------------------------------------------------------- synthetic streams


def ev(payload: Any) -> ServerSentEvent:
    return ServerSentEvent(payload if isinstance(payload, str) else json.dumps(payload))


SNAPSHOT = {"id": "gen-9", "object": "response", "model": "openai/gpt-4o", "status": "in_progress"}


def created() -> dict[str, Any]:
    return {"type": "response.created", "response": {**SNAPSHOT, "output": []}}


def message_added(index: int = 0, item_id: str = "msg_1") -> dict[str, Any]:
    item = {"type": "message", "id": item_id, "role": "assistant", "content": []}
    return {"type": "response.output_item.added", "output_index": index, "item": item}


def text_delta(delta: str, index: int = 0, item_id: str = "msg_1") -> dict[str, Any]:
    return {
        "type": "response.output_text.delta",
        "output_index": index,
        "item_id": item_id,
        "content_index": 0,
        "delta": delta,
    }


def completed(output: list[dict[str, Any]] | None = None, **extra: Any) -> dict[str, Any]:
    response = {**SNAPSHOT, "status": "completed", **extra}
    if output is not None:
        response["output"] = output
    return {"type": "response.completed", "response": response}


def run(*payloads: Any) -> tuple[ResponsesStreamAccumulator, list[ResponsesEvent]]:
    acc = ResponsesStreamAccumulator("openai/gpt-4o")
    events = list(acc.iter_events(ev(p) for p in payloads))
    return acc, events


def test_every_known_event_type_has_its_class() -> None:
    for name, cls in EVENT_TYPES.items():
        assert type(parse_event_data({"type": name})) is cls
    other = parse_event_data({"type": "response.web_search_call.searching", "item_id": "x"})
    assert type(other) is GenericEvent
    assert other.data["item_id"] == "x"
    assert type(parse_event_data({})) is GenericEvent


def test_unknown_events_are_kept_and_change_nothing() -> None:
    acc, events = run(
        created(),
        message_added(),
        {"type": "response.web_search_call.searching", "output_index": 1, "item_id": "ws"},
        text_delta("Hi"),
        completed(),
        DONE,
    )
    assert isinstance(events[2], GenericEvent)
    assert acc.result().text == "Hi"
    assert acc.events == 5


def test_completed_without_output_uses_the_streamed_output() -> None:
    acc, _ = run(created(), message_added(), text_delta("Hel"), text_delta("lo"), completed(), DONE)
    result = acc.result()
    assert result.text == "Hello"
    assert result.status == "completed"
    assert result.messages[0].id == "msg_1"


def test_done_events_are_authoritative_and_deltas_without_added_items_count() -> None:
    acc, _ = run(
        created(),
        text_delta("Hel", item_id="msg_x"),
        {
            "type": "response.output_text.done",
            "item_id": "msg_x",
            "output_index": 0,
            "content_index": 0,
            "text": "Hello!",
        },
        {
            "type": "response.output_text.annotation.added",
            "item_id": "msg_x",
            "output_index": 0,
            "content_index": 0,
            "annotation": {"type": "url_citation", "url": "https://a"},
            "annotation_index": 0,
        },
        completed(),
    )
    result = acc.result()
    assert result.text == "Hello!"
    assert result.messages[0].id == "msg_x"
    assert result.messages[0].annotations == [{"type": "url_citation", "url": "https://a"}]


def test_reasoning_summary_and_refusal_streams() -> None:
    reasoning = {"type": "reasoning", "id": "rs_1", "summary": []}
    summary = {"item_id": "rs_1", "output_index": 0, "summary_index": 0}
    refusal = {"item_id": "msg_1", "output_index": 1, "content_index": 0}
    acc, _ = run(
        created(),
        {"type": "response.output_item.added", "output_index": 0, "item": reasoning},
        {
            "type": "response.reasoning_summary_part.added",
            **summary,
            "part": {"type": "summary_text", "text": ""},
        },
        {"type": "response.reasoning_summary_text.delta", **summary, "delta": "Think "},
        {"type": "response.reasoning_summary_text.delta", **summary, "delta": "first."},
        message_added(1),
        {"type": "response.refusal.delta", **refusal, "delta": "No"},
        {"type": "response.refusal.done", **refusal, "refusal": "No."},
        completed(),
    )
    result = acc.result()
    assert result.reasoning[0].summary_text == "Think first."
    assert result.reasoning_text == "Think first." == acc.reasoning_text
    assert result.refusal == "No."
    assert result.text == ""


def test_function_call_arguments_streamed_as_deltas() -> None:
    call = {
        "type": "function_call",
        "id": "fc_1",
        "call_id": "call_1",
        "name": "f",
        "arguments": "",
    }
    piece = {"item_id": "fc_1", "output_index": 0}
    acc, _ = run(
        created(),
        {"type": "response.output_item.added", "output_index": 0, "item": call},
        {"type": "response.function_call_arguments.delta", **piece, "delta": '{"a":'},
        {"type": "response.function_call_arguments.delta", **piece, "delta": " 1}"},
        # the final event lost them (the reverse of OpenRouter's quirk): kept anyway
        completed([{**call, "arguments": ""}]),
        DONE,
    )
    (result_call,) = acc.result().function_calls
    assert result_call.parsed_arguments() == {"a": 1}
    assert acc.function_calls()[0].arguments == '{"a": 1}'


def test_incomplete_is_a_terminal_event_not_an_error() -> None:
    acc, _ = run(
        created(),
        message_added(),
        text_delta("Once upon"),
        {
            "type": "response.incomplete",
            "response": {
                **SNAPSHOT,
                "status": "incomplete",
                "incomplete_details": {"reason": "max_output_tokens"},
            },
        },
        DONE,
    )
    result = acc.result()
    assert result.status == "incomplete"
    assert result.incomplete_reason == "max_output_tokens"
    assert result.text == "Once upon"


def test_error_before_output_is_a_typed_error() -> None:
    acc = ResponsesStreamAccumulator("openai/gpt-4o")
    events = [
        created(),
        message_added(),
        {"type": "error", "code": "rate_limit_exceeded", "message": "slow down", "param": None},
    ]
    with pytest.raises(APIStatusError) as caught:
        list(acc.iter_events(ev(p) for p in events))
    error = caught.value
    assert isinstance(error, RateLimitError)
    assert not isinstance(error, StreamInterruptedError)
    assert error.message == "slow down"
    assert error.metadata["code"] == "rate_limit_exceeded"
    assert error.generation_id == "gen-9"
    assert error.model == "openai/gpt-4o"


@pytest.mark.parametrize(
    ("payload", "expected"),
    [
        (
            {
                "type": "error",
                "error": {
                    "code": 502,
                    "message": "Provider returned error",
                    "metadata": {"provider_name": "OpenAI"},
                },
            },
            BadGatewayError,
        ),
        ({"type": "error", "code": "server_error", "message": "boom"}, InternalServerError),
        ({"type": "error", "code": "429", "message": "slow"}, RateLimitError),
        ({"type": "error", "code": None, "message": "?"}, BadGatewayError),
        ({"type": "error", "code": "invalid_image_url", "message": "bad"}, APIStatusError),
    ],
)
def test_error_event_shapes(payload: dict[str, Any], expected: type[APIStatusError]) -> None:
    with pytest.raises(expected) as caught:
        run(created(), payload)
    if "error" in payload:
        assert caught.value.provider_name == "OpenAI"
    if payload.get("code") == "invalid_image_url":
        assert caught.value.status_code == 400


def test_error_after_output_is_an_interruption_with_the_partial_output() -> None:
    with pytest.raises(StreamInterruptedError) as caught:
        run(
            created(),
            message_added(),
            text_delta("Hel"),
            {"type": "error", "code": "rate_limit_exceeded", "message": "slow down"},
        )
    error = caught.value
    assert error.status_code == 429
    assert "stream failed after output began: slow down" in str(error)
    assert isinstance(error.partial, ResponsesResult)
    assert error.partial.text == "Hel"
    assert error.partial.id == "gen-9"


def test_response_failed_before_and_after_output() -> None:
    failed = {
        "type": "response.failed",
        "response": {
            **SNAPSHOT,
            "status": "failed",
            "error": {"code": "server_error", "message": "down"},
        },
    }
    with pytest.raises(InternalServerError) as before:
        run(created(), failed)
    assert not isinstance(before.value, StreamInterruptedError)
    with pytest.raises(StreamInterruptedError) as after:
        run(created(), message_added(), text_delta("Hi"), failed)
    assert after.value.status_code == 500
    assert isinstance(after.value.partial, ResponsesResult)
    assert after.value.partial.text == "Hi"


def cut_points() -> Iterator[int]:
    yield from range(len(raw_events("CHlILDuJN6g")))


@pytest.mark.parametrize("cut", list(cut_points()))
@pytest.mark.parametrize("ending", ["eof", "done"])
def test_a_cut_stream_is_never_a_short_answer(cut: int, ending: str) -> None:
    """Every prefix of a real stream without its response.completed event, ended by
    the connection closing or by a bare [DONE]: an interruption, with the text so far."""
    events = [ev(e) for e in raw_events("CHlILDuJN6g")[:cut]]
    if ending == "done":
        events.append(ev(DONE))
    acc = ResponsesStreamAccumulator()
    with pytest.raises(StreamInterruptedError) as caught:
        list(acc.iter_events(events))
    so_far = "".join(
        e["delta"] for e in raw_events("CHlILDuJN6g")[:cut] if e["type"].endswith("text.delta")
    )
    partial = caught.value.partial
    if cut == 0:
        assert partial is None  # nothing had arrived
    else:
        assert isinstance(partial, ResponsesResult)
        assert partial.text in (so_far, "Paris.")  # .done events may complete the text
        assert partial.text.startswith(so_far)


def test_undecodable_and_non_object_events() -> None:
    for bad in ("{not json", "[1, 2]"):
        acc = ResponsesStreamAccumulator()
        with pytest.raises(StreamInterruptedError):
            list(acc.iter_events([ev(created()), ev(bad)]))


def test_snapshot_events_parse_their_response_lazily() -> None:
    event = parse_event_data(
        completed([{"type": "message", "content": [{"type": "output_text", "text": "x"}]}])
    )
    assert isinstance(event, ResponseCompleted)
    assert event.result is event.result
    assert event.result.text == "x"
    error = parse_event_data(
        {"type": "error", "code": "server_error", "message": "m", "param": "p"}
    )
    assert isinstance(error, ErrorEvent)
    assert (error.code, error.message, error.param) == ("server_error", "m", "p")
    assert "ErrorEvent" in repr(error)


def test_an_item_finished_without_deltas_still_counts() -> None:
    item = {
        "type": "message",
        "id": "msg_1",
        "content": [{"type": "output_text", "text": "Whole.", "annotations": []}],
    }
    acc = ResponsesStreamAccumulator()
    acc.parse_event(ev(created()))
    acc.parse_event(ev({"type": "response.output_item.done", "output_index": 0, "item": item}))
    assert acc.output_started
    assert acc.text == "Whole." == acc.partial().text
    with pytest.raises(StreamInterruptedError) as caught:
        acc.check_complete()
    assert caught.value.partial is not None and caught.value.partial.text == "Whole."


# --------------------------------------------------------------------------- parse_responses


@pytest.mark.parametrize("folder", JSON_FOLDERS)
def test_parse_responses_reads_the_recorded_bodies(folder: str) -> None:
    body, raw = recorded_json(folder)
    result = parse_responses(body)  # leading whitespace and all
    assert result == ResponsesResult.model_validate(raw)


def test_parse_responses_failures() -> None:
    failed = {
        "id": "gen-3",
        "status": "failed",
        "error": {"code": "rate_limit_exceeded", "message": "slow"},
    }
    with pytest.raises(RateLimitError) as caught:
        parse_responses(json.dumps(failed).encode())
    assert caught.value.generation_id == "gen-3"
    with pytest.raises(BadGatewayError):
        parse_responses(b'{"error": {"code": 502, "message": "Provider returned error"}}')
    for bad in (b"", b"   \n ", b'{"object": "resp', b"[1]"):
        with pytest.raises(ResponseParseError):
            parse_responses(bad)
    incomplete = {"status": "incomplete", "incomplete_details": {"reason": "content_filter"}}
    assert parse_responses(json.dumps(incomplete).encode()).incomplete_reason == "content_filter"
