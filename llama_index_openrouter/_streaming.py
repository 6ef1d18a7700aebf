"""Streamed replies as LlamaIndex responses, built without per-chunk validation.

Each chunk's ``ChatResponse`` holds the reply so far (LlamaIndex's convention) and
its ``delta``; reasoning pieces arrive as ``additional_kwargs["thinking_delta"]``
(what ``FunctionAgent`` streams as ``AgentStream.thinking_delta``). After the last
chunk one more response carries the whole reply with usage, cost, the serving model
and the fallback attempts.
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)

from openrouter_core import AsyncChatStream, ChatResult, ChatStream, ChatStreamChunk

from ._messages import result_to_chat_response, result_to_completion_response, tool_block

__all__ = [
    "ChatStreamState",
    "achat_chunks",
    "acompletion_chunks",
    "chat_chunks",
    "completion_chunks",
]

_ASSISTANT = MessageRole.ASSISTANT


class ChatStreamState:
    """Turns streamed chunks into LlamaIndex responses holding the reply so far.

    Each response is built with ``model_construct`` (no validation): the text block
    is new for every chunk, the thinking and tool-call blocks only when they change.
    Chunks that carry no output (role-only, usage, finish) give ``None``.
    """

    __slots__ = ("_calls", "_thinking", "_tool_blocks", "reasoning", "text")

    def __init__(self) -> None:
        self.text = ""
        self.reasoning = ""
        self._thinking: ThinkingBlock | None = None
        self._calls: dict[int, list[Any]] = {}
        self._tool_blocks: list[ToolCallBlock] = []

    def _feed(self, chunk: ChatStreamChunk) -> tuple[str, str] | None:
        choices = chunk.data.get("choices")
        if not choices:
            return None
        delta = choices[0].get("delta")
        if not delta:
            return None
        text = delta.get("content") or ""
        reasoning = delta.get("reasoning") or ""
        calls = delta.get("tool_calls")
        if not (text or reasoning or calls):
            return None
        if text:
            self.text += text
        if reasoning:
            self.reasoning += reasoning
            self._thinking = ThinkingBlock.model_construct(
                content=self.reasoning, num_tokens=None, additional_information={}
            )
        if calls:
            self._merge_calls(calls)
        return text, reasoning

    def _merge_calls(self, deltas: list[dict[str, Any]]) -> None:
        for position, delta in enumerate(deltas):
            index = delta.get("index", position)
            function = delta.get("function") or {}
            call = self._calls.get(index)
            if call is None:
                call = self._calls[index] = [delta.get("id"), function.get("name") or "", ""]
            else:
                if delta.get("id") and not call[0]:
                    call[0] = delta["id"]
                if function.get("name") and not call[1]:
                    call[1] = function["name"]
            if function.get("arguments"):
                call[2] += function["arguments"]
        self._tool_blocks = [
            tool_block(c[0], c[1], c[2], final=False)
            for _, c in sorted(self._calls.items(), key=lambda item: item[0])
        ]

    def _blocks(self) -> list[Any]:
        blocks: list[Any] = [self._thinking] if self._thinking is not None else []
        if self.text or not self._tool_blocks:
            blocks.append(TextBlock.model_construct(text=self.text))
        blocks.extend(self._tool_blocks)
        return blocks

    def chat_chunk(self, chunk: ChatStreamChunk) -> ChatResponse | None:
        """The ``ChatResponse`` for one chunk (``None`` if it carries no output)."""
        fed = self._feed(chunk)
        if fed is None:
            return None
        text, reasoning = fed
        message = ChatMessage.model_construct(
            role=_ASSISTANT, blocks=self._blocks(), additional_kwargs={}
        )
        return ChatResponse.model_construct(
            message=message,
            delta=text,
            raw=chunk.data,
            logprobs=None,
            additional_kwargs={"thinking_delta": reasoning} if reasoning else {},
        )

    def completion_chunk(self, chunk: ChatStreamChunk) -> CompletionResponse | None:
        """The ``CompletionResponse`` for one chunk (``None`` if it carries no text)."""
        fed = self._feed(chunk)
        if fed is None or not fed[0]:
            return None
        return CompletionResponse.model_construct(
            text=self.text, delta=fed[0], raw=chunk.data, logprobs=None, additional_kwargs={}
        )

    @staticmethod
    def final_chat(result: ChatResult) -> ChatResponse:
        """The last response of a stream: the whole reply with usage, cost and route."""
        response = result_to_chat_response(result)
        response.delta = ""
        return response

    @staticmethod
    def final_completion(result: ChatResult) -> CompletionResponse:
        response = result_to_completion_response(result)
        response.delta = ""
        return response


def chat_chunks(stream: ChatStream) -> ChatResponseGen:
    state = ChatStreamState()
    convert = state.chat_chunk
    try:
        for chunk in stream:
            response = convert(chunk)
            if response is not None:
                yield response
        yield state.final_chat(stream.result())
    finally:
        stream.close()


async def achat_chunks(stream: AsyncChatStream) -> ChatResponseAsyncGen:
    state = ChatStreamState()
    convert = state.chat_chunk
    try:
        async for chunk in stream:
            response = convert(chunk)
            if response is not None:
                yield response
        yield state.final_chat(stream.result())
    finally:
        await stream.aclose()


def completion_chunks(stream: ChatStream) -> CompletionResponseGen:
    state = ChatStreamState()
    convert = state.completion_chunk
    try:
        for chunk in stream:
            response = convert(chunk)
            if response is not None:
                yield response
        yield state.final_completion(stream.result())
    finally:
        stream.close()


async def acompletion_chunks(stream: AsyncChatStream) -> CompletionResponseAsyncGen:
    state = ChatStreamState()
    convert = state.completion_chunk
    try:
        async for chunk in stream:
            response = convert(chunk)
            if response is not None:
                yield response
        yield state.final_completion(stream.result())
    finally:
        await stream.aclose()
