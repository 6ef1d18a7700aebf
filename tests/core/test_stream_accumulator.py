"""Merging streamed chunks: text, reasoning, tool-call deltas, usage, in-band errors."""

from __future__ import annotations

import json
from typing import Any

import pytest

from openrouter_core import APIStatusError, RateLimitError, StreamInterruptedError
from openrouter_core._sse import ServerSentEvent
from openrouter_core._stream import StreamAccumulator, merge_reasoning_details


def event(payload: Any) -> ServerSentEvent:
    return ServerSentEvent(payload if isinstance(payload, str) else json.dumps(payload))


def chunk(delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
    choice = {"index": 0, "delta": delta, "finish_reason": extra.pop("finish_reason", None)}
    return {"id": "gen-1", "model": "openai/o3", "provider": "OpenAI", "choices": [choice], **extra}


def feed(acc: StreamAccumulator, *payloads: Any) -> None:
    for payload in payloads:
        acc.parse_event(event(payload))


def test_text_reasoning_and_usage_merge() -> None:
    acc = StreamAccumulator("openai/o3")
    feed(
        acc,
        chunk({"role": "assistant", "content": ""}),
        chunk(
            {
                "reasoning": "think ",
                "reasoning_details": [{"type": "reasoning.text", "text": "think ", "index": 0}],
            }
        ),
        chunk(
            {
                "reasoning": "more",
                "reasoning_details": [{"type": "reasoning.text", "text": "more", "index": 0}],
            }
        ),
        chunk({"content": "Hel"}),
        chunk({"content": "lo"}, finish_reason="stop"),
        {
            "id": "gen-1",
            "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 2, "total_tokens": 5, "cost": 0.001},
        },
        "[DONE]",
    )
    acc.check_complete()
    result = acc.result()
    message = result.choices[0].message
    assert message.content == "Hello"
    assert message.reasoning == "think more"
    assert message.reasoning_details == [
        {"type": "reasoning.text", "text": "think more", "index": 0}
    ]
    assert result.choices[0].finish_reason == "stop"
    assert result.usage is not None and result.usage.cost == 0.001
    assert (result.model, result.provider, result.id) == ("openai/o3", "OpenAI", "gen-1")


def test_tool_call_deltas_merge_by_index() -> None:
    acc = StreamAccumulator()
    feed(
        acc,
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 0,
                        "id": "call_a",
                        "type": "function",
                        "function": {"name": "add", "arguments": ""},
                    }
                ]
            }
        ),
        chunk(
            {
                "tool_calls": [
                    {
                        "index": 1,
                        "id": "call_b",
                        "type": "function",
                        "function": {"name": "mul", "arguments": '{"x"'},
                    }
                ]
            }
        ),
        chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"a": 1,'}}]}),
        chunk(
            {
                "tool_calls": [
                    {"index": 0, "function": {"arguments": ' "b": 2}'}},
                    {"index": 1, "function": {"arguments": ": 3}"}},
                ]
            }
        ),
        chunk({}, finish_reason="tool_calls"),
        "[DONE]",
    )
    calls = acc.result().choices[0].message.tool_calls
    assert calls is not None
    assert [(c.id, c.function.name, json.loads(c.function.arguments or "")) for c in calls] == [
        ("call_a", "add", {"a": 1, "b": 2}),
        ("call_b", "mul", {"x": 3}),
    ]


def test_error_chunk_before_output_is_a_plain_typed_error() -> None:
    acc = StreamAccumulator()
    feed(acc, chunk({"role": "assistant", "content": ""}))
    with pytest.raises(RateLimitError) as info:
        feed(
            acc,
            {
                "id": "gen-1",
                "error": {"code": 429, "message": "slow down"},
                "choices": [{"index": 0, "delta": {}, "finish_reason": "error"}],
            },
        )
    assert not isinstance(info.value, StreamInterruptedError)


def test_error_chunk_after_output_keeps_partial_output() -> None:
    acc = StreamAccumulator("m/x")
    feed(acc, chunk({"content": "The answer is"}))
    with pytest.raises(StreamInterruptedError) as info:
        feed(
            acc,
            {
                "id": "gen-1",
                "error": {
                    "code": 502,
                    "message": "Provider disconnected",
                    "metadata": {"provider_name": "P"},
                },
                "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
            },
        )
    err = info.value
    assert err.partial is not None and err.partial.text == "The answer is"
    assert err.status_code == 502 and err.provider_name == "P"
    assert "Provider disconnected" in str(err)


def test_undecodable_event_is_an_interruption() -> None:
    acc = StreamAccumulator()
    with pytest.raises(StreamInterruptedError, match="undecodable"):
        acc.parse_event(event('{"id": "gen", "choices": [{"delta": {"content": "x"'))


def test_non_object_event_is_an_interruption() -> None:
    with pytest.raises(StreamInterruptedError, match="unexpected"):
        StreamAccumulator().parse_event(event("[1, 2]"))


def test_stream_cut_without_done_is_detected() -> None:
    acc = StreamAccumulator()
    feed(acc, chunk({"content": "partial"}))
    with pytest.raises(StreamInterruptedError, match="no \\[DONE\\]") as info:
        acc.check_complete()
    assert info.value.partial is not None and info.value.partial.text == "partial"


def test_finish_and_usage_without_done_counts_as_complete() -> None:
    acc = StreamAccumulator()
    feed(
        acc,
        chunk({"content": "x"}, finish_reason="stop"),
        {"choices": [], "usage": {"prompt_tokens": 1}},
    )
    acc.check_complete()


def test_logprobs_annotations_refusal_and_multiple_choices() -> None:
    acc = StreamAccumulator()
    feed(
        acc,
        {
            "choices": [
                {
                    "index": 0,
                    "delta": {"content": "a", "annotations": [{"type": "url_citation"}]},
                    "logprobs": {"content": [{"token": "a", "logprob": -0.1}]},
                }
            ]
        },
        {
            "choices": [
                {
                    "index": 1,
                    "delta": {"refusal": "no", "images": [{"type": "image_url"}]},
                    "finish_reason": "stop",
                    "native_finish_reason": "end_turn",
                }
            ]
        },
        "[DONE]",
    )
    result = acc.result()
    assert result.choices[0].logprobs == {"content": [{"token": "a", "logprob": -0.1}]}
    assert result.choices[0].message.annotations == [{"type": "url_citation"}]
    assert result.choices[1].message.refusal == "no"
    assert result.choices[1].native_finish_reason == "end_turn"


def test_reasoning_details_of_other_index_or_type_start_new_blocks() -> None:
    blocks: list[dict[str, Any]] = []
    merge_reasoning_details(blocks, [{"type": "reasoning.text", "text": "a", "index": 0}])
    merge_reasoning_details(blocks, [{"type": "reasoning.encrypted", "data": "xx", "index": 1}])
    merge_reasoning_details(
        blocks, [{"type": "reasoning.text", "text": "b", "index": 0, "signature": "s"}]
    )
    assert blocks == [
        {"type": "reasoning.text", "text": "ab", "index": 0, "signature": "s"},
        {"type": "reasoning.encrypted", "data": "xx", "index": 1},
    ]


def test_error_statuses_from_chunks_keep_their_code() -> None:
    acc = StreamAccumulator()
    with pytest.raises(APIStatusError) as info:
        feed(acc, {"error": {"code": 503, "message": "no provider"}})
    assert info.value.status_code == 503
