"""Streamed chunks from OpenRouter as LangChain ``ChatGenerationChunk`` objects.

The hot path: one call per SSE chunk, reading the decoded JSON directly (no
model validation), building an ``AIMessageChunk`` only when the chunk carries
output (text, reasoning or a tool-call piece). The shared client already merges
the stream (:meth:`openrouter_core.ChatStream.result`), so everything said once
per stream (usage, finish reason, the model and provider that served, cost,
logprobs, the merged ``reasoning_details``, refusal, annotations, images, the
fallback attempts) is read from that merged result onto one final chunk with
``chunk_position="last"``; aggregating the chunks never double-counts.
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from openrouter_core import ChatResult, ChatStreamChunk
from openrouter_core.types.chat import ChatChoice

from ._messages import choice_metadata, message_extras, usage_to_metadata

__all__ = ["StreamConverter"]


class StreamConverter:
    """Turns the chunks of one stream into generation chunks."""

    __slots__ = ("id", "object")

    def __init__(self) -> None:
        self.id: str | None = None
        self.object: str | None = None

    def convert(self, chunk: ChatStreamChunk) -> ChatGenerationChunk | None:
        """The generation chunk for ``chunk``; ``None`` when it carries no output."""
        if self.id is None:
            self.id = chunk.data.get("id")
            self.object = chunk.data.get("object")
        text, reasoning, tool_deltas = chunk.content, chunk.reasoning, chunk.tool_call_deltas
        if reasoning or tool_deltas:
            message = AIMessageChunk(
                content=text,
                additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
                tool_call_chunks=_tool_call_chunks(tool_deltas) if tool_deltas else [],
                id=self.id,
            )
        elif text:
            message = AIMessageChunk(content=text, id=self.id)
        else:
            return None
        return ChatGenerationChunk(message=message)

    def final_chunk(self, result: ChatResult) -> ChatGenerationChunk:
        """The closing chunk: usage and the metadata of the whole (merged) stream."""
        choice = result.choices[0] if result.choices else ChatChoice()
        metadata, info = choice_metadata(result, choice)
        if self.object:
            metadata["object"] = self.object  # what the stream's chunks said they are
        additional = message_extras(choice.message)
        additional.pop("reasoning_content", None)  # streamed chunk by chunk already
        message = AIMessageChunk(
            content="",
            additional_kwargs=additional,
            usage_metadata=usage_to_metadata(result.usage) if result.usage is not None else None,
            response_metadata=metadata,
            chunk_position="last",
            id=self.id or result.id,
        )
        return ChatGenerationChunk(message=message, generation_info=info)


def _tool_call_chunks(deltas: list[dict[str, Any]]) -> list[ToolCallChunk]:
    chunks: list[ToolCallChunk] = []
    for position, delta in enumerate(deltas):
        function = delta.get("function") or {}
        chunks.append(
            ToolCallChunk(
                name=function.get("name"),
                args=function.get("arguments"),
                id=delta.get("id"),
                index=delta.get("index", position),
                type="tool_call_chunk",
            )
        )
    return chunks
