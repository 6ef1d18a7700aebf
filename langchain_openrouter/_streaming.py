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

from collections.abc import AsyncIterator, Iterator
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from openrouter_core import AsyncResponsesStream, ChatResult, ChatStreamChunk, ResponsesStream
from openrouter_core._responses_convert import chat_result_from_responses
from openrouter_core._responses_events import (
    OutputTextDelta,
    ReasoningSummaryTextDelta,
    ReasoningTextDelta,
    ResponsesEvent,
)
from openrouter_core.types.chat import ChatChoice

from ._messages import choice_metadata, message_extras, usage_to_metadata

__all__ = ["StreamConverter", "aresponses_chunks", "responses_chunks"]


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

    def event(self, event: ResponsesEvent) -> ChatGenerationChunk | None:
        """A ``/responses`` stream event as a chunk: text and reasoning deltas (function
        calls come whole in :meth:`final_chunk`, their arguments only arrive at the end)."""
        if isinstance(event, OutputTextDelta) and event.delta:
            return ChatGenerationChunk(message=AIMessageChunk(content=event.delta, id=self.id))
        if isinstance(event, (ReasoningTextDelta, ReasoningSummaryTextDelta)) and event.delta:
            extra = {"reasoning_content": event.delta}
            return ChatGenerationChunk(
                message=AIMessageChunk(content="", additional_kwargs=extra, id=self.id)
            )
        return None

    def final_chunk(self, result: ChatResult, *, whole_calls: bool = False) -> ChatGenerationChunk:
        """The closing chunk: usage and the metadata of the whole (merged) stream;
        ``whole_calls``: the tool calls too (a ``/responses`` stream)."""
        choice = result.choices[0] if result.choices else ChatChoice()
        metadata, info = choice_metadata(result, choice)
        if self.object:
            metadata["object"] = self.object  # what the stream's chunks said they are
        additional = message_extras(choice.message)
        additional.pop("reasoning_content", None)  # streamed chunk by chunk already
        calls: list[ToolCallChunk] = []
        if whole_calls:
            deltas = [
                {**c.model_dump(exclude_none=True), "index": i}
                for i, c in enumerate(choice.message.tool_calls or ())
            ]
            calls = _tool_call_chunks(deltas)
        message = AIMessageChunk(
            content="",
            tool_call_chunks=calls,
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


def responses_chunks(stream: ResponsesStream) -> Iterator[ChatGenerationChunk]:
    """The chunks of a ``/responses`` stream, then the closing chunk."""
    converter = StreamConverter()
    try:
        for event in stream:
            chunk = converter.event(event)
            if chunk is not None:
                yield chunk
    finally:
        stream.close()
    yield converter.final_chunk(chat_result_from_responses(stream.result()), whole_calls=True)


async def aresponses_chunks(stream: AsyncResponsesStream) -> AsyncIterator[ChatGenerationChunk]:
    """Async :func:`responses_chunks`."""
    converter = StreamConverter()
    try:
        async for event in stream:
            chunk = converter.event(event)
            if chunk is not None:
                yield chunk
    finally:
        await stream.aclose()
    yield converter.final_chunk(chat_result_from_responses(stream.result()), whole_calls=True)
