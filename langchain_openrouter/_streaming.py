"""Streamed chunks from OpenRouter as LangChain ``ChatGenerationChunk`` objects.

The hot path: one call per SSE chunk, reading the decoded JSON directly (no
model validation), building an ``AIMessageChunk`` only when the chunk carries
output (text, reasoning or a tool-call piece). Everything said once per stream
(usage, finish reason, the model and provider that served, cost, logprobs, the
merged ``reasoning_details``, the fallback attempts) goes on one final chunk
with ``chunk_position="last"``, so aggregating chunks never double-counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.messages import AIMessageChunk
from langchain_core.messages.tool import ToolCallChunk
from langchain_core.outputs import ChatGenerationChunk

from openrouter_core import ChatStreamChunk, Usage
from openrouter_core.stream import merge_reasoning_details

from ._messages import response_metadata, usage_to_metadata

__all__ = ["StreamConverter"]


class StreamConverter:
    """Turns the chunks of one stream into generation chunks, keeping the stream's totals."""

    __slots__ = (
        "created",
        "finish_reason",
        "id",
        "logprobs",
        "model",
        "native_finish_reason",
        "provider",
        "reasoning_details",
        "usage",
    )

    def __init__(self) -> None:
        self.id: str | None = None
        self.model: str | None = None
        self.provider: str | None = None
        self.created: int | None = None
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None
        self.usage: Usage | None = None
        self.logprobs: list[dict[str, Any]] = []
        self.reasoning_details: list[dict[str, Any]] = []

    def convert(self, chunk: ChatStreamChunk) -> ChatGenerationChunk | None:
        """The generation chunk for ``chunk``; ``None`` when it carries no output."""
        data = chunk.data
        if self.id is None:
            self.id = data.get("id")
            self.model = data.get("model")
            self.created = data.get("created")
        if self.provider is None and data.get("provider"):
            self.provider = data["provider"]
        if data.get("usage"):
            self.usage = chunk.usage
        choices = data.get("choices")
        if not choices:
            return None
        choice = choices[0]
        if choice.get("finish_reason"):
            self.finish_reason = choice["finish_reason"]
            self.native_finish_reason = choice.get("native_finish_reason")
        logprobs = choice.get("logprobs")
        if logprobs and logprobs.get("content"):
            self.logprobs.extend(logprobs["content"])
        delta = choice.get("delta")
        if not delta:
            return None
        text = delta.get("content") or ""
        reasoning = delta.get("reasoning")
        details = delta.get("reasoning_details")
        tool_deltas = delta.get("tool_calls")
        if details:
            merge_reasoning_details(self.reasoning_details, details)
        if not (text or reasoning or tool_deltas):
            return None
        message = AIMessageChunk(
            content=text,
            additional_kwargs={"reasoning_content": reasoning} if reasoning else {},
            tool_call_chunks=_tool_call_chunks(tool_deltas) if tool_deltas else [],
            id=self.id,
        )
        return ChatGenerationChunk(message=message)

    def final_chunk(self, attempts: Sequence[Any]) -> ChatGenerationChunk:
        """The closing chunk: usage and the metadata of the whole stream."""
        metadata = response_metadata(
            self.id,
            self.model,
            self.provider,
            finish_reason=self.finish_reason,
            native_finish_reason=self.native_finish_reason,
            usage=self.usage,
            attempts=attempts,
            created=self.created,
        )
        info: dict[str, Any] = {"finish_reason": self.finish_reason}
        if self.logprobs:
            metadata["logprobs"] = info["logprobs"] = {"content": self.logprobs}
        message = AIMessageChunk(
            content="",
            additional_kwargs=(
                {"reasoning_details": self.reasoning_details} if self.reasoning_details else {}
            ),
            usage_metadata=usage_to_metadata(self.usage) if self.usage is not None else None,
            response_metadata=metadata,
            chunk_position="last",
            id=self.id,
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
