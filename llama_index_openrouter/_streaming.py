"""Streamed replies as LlamaIndex responses, built without per-chunk validation.

Each response holds the reply so far (LlamaIndex's convention) and its ``delta``;
reasoning pieces arrive as ``additional_kwargs["thinking_delta"]`` (what
``FunctionAgent`` streams as ``AgentStream.thinking_delta``). Tool-call pieces are
merged once, by the shared client's stream accumulator; this module only turns
the merged calls into ``ToolCallBlock``\\ s. When the request asked for logprobs,
each response's ``logprobs`` holds those of the reply so far. After the last chunk
one more response carries the whole reply with usage, cost, the serving model and
the fallback attempts.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator, Generator
from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    CompletionResponse,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from openrouter_core import AsyncChatStream, ChatResult, ChatStream, ChatStreamChunk
from openrouter_core._stream import StreamAccumulator

from ._messages import (
    logprobs_of,
    result_to_chat_response,
    result_to_completion_response,
    tool_block,
)
from ._reply_blocks import reply_blocks

__all__ = ["ChatStreamState", "astream_responses", "stream_responses", "wants_logprobs"]

_ASSISTANT = MessageRole.ASSISTANT
Response = ChatResponse | CompletionResponse


def wants_logprobs(body: dict[str, Any]) -> bool:
    """Whether a request body asks for logprobs (by name or through ``extra_body``)."""
    return bool(body.get("logprobs") or (body.get("extra_body") or {}).get("logprobs"))


class ChatStreamState:
    """Turns streamed chunks into LlamaIndex responses holding the reply so far.

    Each response is built with ``model_construct`` (no validation): the text block
    is new for every chunk, the thinking and tool-call blocks only when they change.
    Chunks that carry no output (role-only, usage, finish) give ``None``. With
    ``logprobs=True`` (the request asked for them) each chunk's token logprobs are
    read too; otherwise the chunk's JSON is not looked at again.
    """

    __slots__ = (
        "_annotations",
        "_images",
        "_logprobs",
        "_reply_blocks",
        "_thinking",
        "_tool_blocks",
        "chat",
        "reasoning",
        "text",
    )

    def __init__(self, *, chat: bool = True, logprobs: bool = False) -> None:
        self.chat = chat
        self.text = ""
        self.reasoning = ""
        self._thinking: ThinkingBlock | None = None
        self._tool_blocks: list[ToolCallBlock] = []
        # Citations and generated images so far, and their blocks.
        self._annotations: list[Any] = []
        self._images: list[Any] = []
        self._reply_blocks: list[Any] = []
        self._logprobs: list[list[LogProb]] | None = [] if logprobs else None

    def _read_logprobs(self, chunk: ChatStreamChunk) -> list[list[LogProb]] | None:
        """The logprobs of the reply so far, this chunk's added (``None`` if not asked)."""
        seen = self._logprobs
        if seen is None:
            return None
        if chunk.logprobs:
            seen.extend(logprobs_of(chunk.logprobs))
        return list(seen)

    def _blocks(self) -> list[Any]:
        blocks: list[Any] = [self._thinking] if self._thinking is not None else []
        if self.text or not self._tool_blocks:
            blocks.append(TextBlock.model_construct(text=self.text))
        blocks.extend(self._reply_blocks)
        blocks.extend(self._tool_blocks)
        return blocks

    def convert(self, chunk: ChatStreamChunk, acc: StreamAccumulator | None) -> Response | None:
        """The response for one chunk (``None`` if it carries nothing to show)."""
        text, reasoning, calls = chunk.content, chunk.reasoning, chunk.tool_call_deltas
        new_blocks = bool(chunk.images or chunk.annotations)
        if new_blocks:
            self._images.extend(chunk.images)
            self._annotations.extend(chunk.annotations)
            self._reply_blocks = reply_blocks(self._annotations, self._images)
        if not (text or reasoning or calls or (new_blocks and self.chat)):
            if self._logprobs is not None:
                self._read_logprobs(chunk)
            return None
        if text:
            self.text += text
        logprobs = self._read_logprobs(chunk)
        if not self.chat:
            if not text:
                return None
            return CompletionResponse.model_construct(
                text=self.text, delta=text, raw=chunk.data, logprobs=logprobs, additional_kwargs={}
            )
        if reasoning:
            self.reasoning += reasoning
            self._thinking = ThinkingBlock.model_construct(
                content=self.reasoning, num_tokens=None, additional_information={}
            )
        if calls and acc is not None:
            self._tool_blocks = [
                tool_block(c["id"], c["function"]["name"], c["function"]["arguments"], final=False)
                for c in acc.tool_calls()
            ]
        message = ChatMessage.model_construct(
            role=_ASSISTANT, blocks=self._blocks(), additional_kwargs={}
        )
        return ChatResponse.model_construct(
            message=message,
            delta=text,
            raw=chunk.data,
            logprobs=logprobs,
            additional_kwargs={"thinking_delta": reasoning} if reasoning else {},
        )

    def final(self, result: ChatResult) -> Response:
        """The last response of a stream: the whole reply with usage, cost and route."""
        response: Response = (
            result_to_chat_response(result) if self.chat else result_to_completion_response(result)
        )
        response.delta = ""
        return response


def stream_responses(
    stream: ChatStream, *, chat: bool, logprobs: bool = False
) -> Generator[Any, None, None]:
    """Chat (``chat=True``) or completion responses of a sync stream."""
    state = ChatStreamState(chat=chat, logprobs=logprobs)
    convert = state.convert
    try:
        for chunk in stream:
            response = convert(chunk, stream.accumulator)
            if response is not None:
                yield response
        yield state.final(stream.result())
    finally:
        stream.close()


async def astream_responses(
    stream: AsyncChatStream, *, chat: bool, logprobs: bool = False
) -> AsyncGenerator[Any, None]:
    """Chat (``chat=True``) or completion responses of an async stream."""
    state = ChatStreamState(chat=chat, logprobs=logprobs)
    convert = state.convert
    try:
        async for chunk in stream:
            response = convert(chunk, stream.accumulator)
            if response is not None:
                yield response
        yield state.final(stream.result())
    finally:
        await stream.aclose()
