"""LangChain messages and content blocks as OpenRouter messages and parts."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage

from langchain_openrouter._messages import content_to_parts, to_openrouter_messages
from openrouter_core import ChatRequest

B64 = "aGVsbG8="


@pytest.mark.parametrize(
    ("block", "part"),
    [
        (
            {"type": "image", "url": "https://x.test/a.png"},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
        ),
        (
            {"type": "image", "base64": B64, "mime_type": "image/png"},
            {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{B64}"}},
        ),
        (
            {"type": "image", "source_type": "base64", "data": B64, "mime_type": "image/jpeg"},
            {"type": "image_url", "image_url": {"url": f"data:image/jpeg;base64,{B64}"}},
        ),
        (
            {"type": "image", "source": {"type": "base64", "media_type": "image/gif", "data": B64}},
            {"type": "image_url", "image_url": {"url": f"data:image/gif;base64,{B64}"}},
        ),
        (
            {"type": "image_url", "image_url": {"url": "https://x.test/b.png", "detail": "low"}},
            {"type": "image_url", "image_url": {"url": "https://x.test/b.png", "detail": "low"}},
        ),
        (
            {"type": "file", "base64": B64, "mime_type": "application/pdf"},
            # No filename given: none is sent (as the official package does).
            {"type": "file", "file": {"file_data": f"data:application/pdf;base64,{B64}"}},
        ),
        (
            {"type": "file", "url": "https://x.test/doc.pdf", "extras": {"filename": "doc.pdf"}},
            {
                "type": "file",
                "file": {"filename": "doc.pdf", "file_data": "https://x.test/doc.pdf"},
            },
        ),
        (
            {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:..."}},
            {"type": "file", "file": {"filename": "a.pdf", "file_data": "data:..."}},
        ),
        (
            {"type": "audio", "base64": B64, "mime_type": "audio/mpeg"},
            {"type": "input_audio", "input_audio": {"data": B64, "format": "mp3"}},
        ),
        (
            {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}},
            {"type": "input_audio", "input_audio": {"data": B64, "format": "wav"}},
        ),
        (
            {"type": "video", "url": "https://x.test/v.mp4"},
            {"type": "video_url", "video_url": {"url": "https://x.test/v.mp4"}},
        ),
        (
            {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
            {"type": "text", "text": "hi", "cache_control": {"type": "ephemeral"}},
        ),
    ],
)
def test_content_blocks_become_openrouter_parts(block: dict[str, Any], part: Any) -> None:
    assert content_to_parts([block]) == [part]


def test_unknown_block_and_file_ids_are_refused() -> None:
    with pytest.raises(ValueError, match="Unsupported content block"):
        content_to_parts([{"type": "hologram"}])
    with pytest.raises(ValueError, match="file ids"):
        content_to_parts([{"type": "file", "file_id": "file-1"}])


def test_conversation_round_trip_is_a_valid_request() -> None:
    details = [{"type": "reasoning.encrypted", "data": "opaque", "format": "x", "index": 0}]
    messages = [
        SystemMessage("be nice"),
        HumanMessage(
            [{"type": "text", "text": "look"}, {"type": "image", "url": "https://x/a.png"}]
        ),
        AIMessage(
            [
                {"type": "text", "text": "calling"},
                {"type": "tool_use", "id": "t1", "name": "f", "input": {"a": 1}},
            ],
            tool_calls=[{"name": "f", "args": {"a": "你好"}, "id": "t1", "type": "tool_call"}],
            additional_kwargs={"reasoning_details": details},
        ),
        ToolMessage("3", tool_call_id="t1"),
        HumanMessage("thanks", name="bob"),
    ]
    wire = to_openrouter_messages(messages)
    assert wire[2] == {
        "role": "assistant",
        "content": [{"type": "text", "text": "calling"}],  # list content keeps its text blocks
        "tool_calls": [
            {
                "id": "t1",
                "type": "function",
                "function": {"name": "f", "arguments": '{"a": "你好"}'},
            }
        ],
        "reasoning_details": details,  # sent back unchanged
    }
    assert wire[3] == {"role": "tool", "tool_call_id": "t1", "content": "3"}
    assert wire[4] == {"role": "user", "content": "thanks", "name": "bob"}
    ChatRequest.model_validate({"model": "m", "messages": wire})


def test_anthropic_thinking_blocks_become_reasoning_details() -> None:
    message = AIMessage(
        [
            {"type": "thinking", "thinking": "hmm", "signature": "sig"},
            {"type": "text", "text": "Hello"},
        ]
    )
    (wire,) = to_openrouter_messages([message])
    assert wire["content"] == [{"type": "text", "text": "Hello"}]
    assert wire["reasoning_details"] == [
        {
            "type": "reasoning.text",
            "text": "hmm",
            "signature": "sig",
            "format": "anthropic-claude-v1",
        }
    ]
