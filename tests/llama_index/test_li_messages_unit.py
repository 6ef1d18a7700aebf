"""``ChatMessage`` blocks to OpenRouter messages, and ``OpenRouterEmbedding`` batching."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from li_helpers import png
from llama_index.core.base.llms.types import (
    AudioBlock,
    CacheControl,
    CachePoint,
    ChatMessage,
    DocumentBlock,
    ImageBlock,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    VideoBlock,
)

from llama_index_openrouter import OpenRouterEmbedding
from llama_index_openrouter._messages import to_openrouter_message

PNG = png()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF"
WAV = b"RIFF$\x00\x00\x00WAVEfmt " + b"\x00" * 32


def test_multimodal_user_message() -> None:
    message = ChatMessage(
        role=MessageRole.USER,
        blocks=[
            TextBlock(text="Look:"),
            ImageBlock(image=PNG, detail="low"),
            ImageBlock(url="https://example.com/cat.png"),
            DocumentBlock(data=PDF, document_mimetype="application/pdf", title="report"),
            DocumentBlock(url="https://example.com/paper.pdf", title="paper.pdf"),
            AudioBlock(audio=WAV, format="wav"),
            VideoBlock(url="https://example.com/clip.mp4"),
        ],
    )
    parts = to_openrouter_message(message)["content"]
    assert parts[0] == {"type": "text", "text": "Look:"}
    assert parts[1]["image_url"]["url"].startswith("data:image/png;base64,")
    assert parts[1]["image_url"]["detail"] == "low"
    assert parts[2] == {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}
    assert parts[3]["file"]["filename"] == "report.pdf"
    assert parts[3]["file"]["file_data"].startswith("data:application/pdf;base64,")
    assert base64.b64decode(parts[3]["file"]["file_data"].split(",", 1)[1]) == PDF
    assert parts[4]["file"] == {
        "filename": "paper.pdf",
        "file_data": "https://example.com/paper.pdf",
    }
    assert parts[5]["input_audio"]["format"] == "wav"
    assert base64.b64decode(parts[5]["input_audio"]["data"]) == WAV
    assert parts[6] == {"type": "video_url", "video_url": {"url": "https://example.com/clip.mp4"}}


def test_cache_point_marks_the_previous_part() -> None:
    message = ChatMessage(
        role="system",
        blocks=[
            TextBlock(text="Long instructions"),
            CachePoint(cache_control=CacheControl(type="ephemeral")),
            TextBlock(text="Short tail"),
        ],
    )
    parts = to_openrouter_message(message)["content"]
    assert parts[0]["cache_control"] == {"type": "ephemeral"}
    assert "cache_control" not in parts[1]


def test_roles_and_names() -> None:
    named = ChatMessage(role="user", content="hi", additional_kwargs={"name": "ada"})
    assert to_openrouter_message(named) == {"role": "user", "content": "hi", "name": "ada"}
    assert to_openrouter_message(ChatMessage(role="developer", content="x"))["role"] == "developer"
    assert to_openrouter_message(ChatMessage(role="model", content="x"))["role"] == "assistant"
    function = ChatMessage(role="function", content="3", additional_kwargs={"tool_call_id": "c"})
    assert to_openrouter_message(function) == {"role": "tool", "content": "3", "tool_call_id": "c"}
    with pytest.raises(ValueError, match="tool_call_id"):
        to_openrouter_message(ChatMessage(role="tool", content="3"))


def test_assistant_reasoning_goes_back() -> None:
    thinking = ThinkingBlock(content="Let me think.")
    message = ChatMessage(role="assistant", blocks=[thinking, TextBlock(text="42")])
    assert to_openrouter_message(message) == {
        "role": "assistant",
        "content": "42",
        "reasoning": "Let me think.",
    }
    details = [{"type": "reasoning.text", "text": "t", "signature": "s"}]
    signed = ThinkingBlock(content="t", additional_information={"reasoning_details": details})
    message = ChatMessage(role="assistant", blocks=[signed, TextBlock(text="42")])
    assert to_openrouter_message(message)["reasoning_details"] == details


def test_legacy_tool_calls_in_additional_kwargs() -> None:
    call = {"id": "c1", "type": "function", "function": {"name": "add", "arguments": '{"a":1}'}}
    message = ChatMessage(role="assistant", content="", additional_kwargs={"tool_calls": [call]})
    assert to_openrouter_message(message) == {
        "role": "assistant",
        "content": None,
        "tool_calls": [call],
    }


def test_audio_url_is_refused() -> None:
    message = ChatMessage(role="user", blocks=[AudioBlock(url="https://example.com/a.wav")])
    with pytest.raises(ValueError, match="base64"):
        to_openrouter_message(message)


# --------------------------------------------------------------------------- embeddings


def _embeddings(vectors: list[list[float]]) -> dict[str, Any]:
    return {
        "object": "list",
        "model": "openai/text-embedding-3-small",
        "data": [
            {"object": "embedding", "index": i, "embedding": v} for i, v in enumerate(vectors)
        ],
        "usage": {"prompt_tokens": 3, "total_tokens": 3},
    }


def test_embedding_batches(fake_server: Any) -> None:
    fake_server.reply_json(_embeddings([[1.0, 0.0], [0.0, 1.0]]))
    fake_server.reply_json(_embeddings([[0.5, 0.5]]))
    embed = OpenRouterEmbedding(api_key="k", embed_batch_size=2, dimensions=2)
    vectors = embed.get_text_embedding_batch(["a", "b", "c"])
    assert vectors == [[1.0, 0.0], [0.0, 1.0], [0.5, 0.5]]
    assert [r["input"] for r in fake_server.requests] == [["a", "b"], ["c"]]
    assert fake_server.requests[0] == {
        "model": "openai/text-embedding-3-small",
        "input": ["a", "b"],
        "dimensions": 2,
    }
    assert OpenRouterEmbedding.class_name() == "OpenRouterEmbedding"
    assert "sk-" not in str(OpenRouterEmbedding(api_key="sk-or-v1-x").to_dict())


async def test_embedding_async(fake_server: Any) -> None:
    fake_server.reply_json(_embeddings([[0.25, 0.75]]))
    fake_server.reply_json(_embeddings([[0.1, 0.9], [0.9, 0.1]]))
    embed = OpenRouterEmbedding(model="qwen/qwen3-embedding-8b", api_key="k")
    assert embed.model_name == "qwen/qwen3-embedding-8b"
    assert await embed.aget_query_embedding("q") == [0.25, 0.75]
    assert await embed.aget_text_embedding_batch(["x", "y"]) == [[0.1, 0.9], [0.9, 0.1]]
