"""Streamed chat completions: chunk objects and the accumulator that merges them.

Chunks stay thin wrappers over the decoded JSON (no validation per chunk: a
stream may have thousands). :class:`StreamAccumulator` merges them into a
:class:`~openrouter_core.types.ChatResult`: text, reasoning, ``reasoning_details``,
tool calls merged by ``index`` (arguments arrive as JSON text split across
chunks), logprobs, the final usage chunk. An in-band ``error`` chunk becomes a
:class:`~openrouter_core.errors.StreamInterruptedError` carrying the partial result.
"""

from __future__ import annotations

import uuid
from typing import Any

from . import _json
from ._sse import DONE, ServerSentEvent
from ._stream_failures import StreamFailures
from .types.chat import ChatResult, Usage

__all__ = ["ChatStreamChunk", "StreamAccumulator", "new_tool_call_id"]

_EMPTY: dict[str, Any] = {}
_NO_ITEMS: list[Any] = []


def new_tool_call_id() -> str:
    """An id for a tool call the reply gave none (some providers omit them), so that
    results can be sent back and told apart."""
    return f"call_{uuid.uuid4().hex[:24]}"


class ChatStreamChunk:
    """One streamed chunk: ``data`` is the decoded JSON; the first choice's delta is
    read once, here, into ``content``, ``reasoning``, ``reasoning_details``,
    ``tool_call_deltas``, ``images`` and ``annotations`` (the adapters read these,
    never the JSON again)."""

    __slots__ = (
        "_usage",
        "annotations",
        "content",
        "data",
        "finish_reason",
        "images",
        "logprobs",
        "reasoning",
        "reasoning_details",
        "tool_call_deltas",
    )

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._usage: Usage | None = None
        self.content = ""
        self.reasoning = ""
        self.reasoning_details: list[dict[str, Any]] = _NO_ITEMS
        self.tool_call_deltas: list[dict[str, Any]] = _NO_ITEMS
        #: Images a model generated, and ``url_citation`` annotations, in this chunk.
        self.images: list[dict[str, Any]] = _NO_ITEMS
        self.annotations: list[dict[str, Any]] = _NO_ITEMS
        self.finish_reason: str | None = None
        #: The first choice's token logprobs in this chunk (``logprobs.content``).
        self.logprobs: list[dict[str, Any]] = _NO_ITEMS
        choices = data.get("choices")
        if not choices:
            return
        first = choices[0]
        if not isinstance(first, dict):
            return
        self.finish_reason = first.get("finish_reason")
        logprobs = first.get("logprobs")
        if isinstance(logprobs, dict) and logprobs.get("content"):
            self.logprobs = logprobs["content"]
        delta = first.get("delta")
        if not delta:
            return
        # One pass over the keys present (usually just role and content).
        for key, value in delta.items():
            if not value:
                continue
            if key == "content":
                self.content = value if isinstance(value, str) else str(value)
            elif key == "reasoning":
                self.reasoning = value if isinstance(value, str) else str(value)
            elif key == "tool_calls":
                self.tool_call_deltas = value
            elif key == "reasoning_details":
                self.reasoning_details = value
            elif key == "images":
                self.images = value
            elif key == "annotations":
                self.annotations = value

    def __repr__(self) -> str:
        return f"ChatStreamChunk({self.data!r})"

    @property
    def id(self) -> str | None:
        return self.data.get("id")

    @property
    def model(self) -> str | None:
        return self.data.get("model")

    @property
    def provider(self) -> str | None:
        return self.data.get("provider")

    @property
    def choices(self) -> list[dict[str, Any]]:
        return self.data.get("choices") or []

    @property
    def delta(self) -> dict[str, Any]:
        """The first choice's delta (empty when the chunk has no choice)."""
        choices = self.data.get("choices")
        if choices and isinstance(choices[0], dict):
            return choices[0].get("delta") or _EMPTY
        return _EMPTY

    @property
    def native_finish_reason(self) -> str | None:
        choices = self.data.get("choices")
        return choices[0].get("native_finish_reason") if choices else None

    @property
    def usage(self) -> Usage | None:
        raw = self.data.get("usage")
        if raw and self._usage is None:
            self._usage = Usage.model_validate(raw)
        return self._usage

    @property
    def error(self) -> dict[str, Any] | None:
        err = self.data.get("error")
        return err if isinstance(err, dict) else None

    @property
    def has_output(self) -> bool:
        """True if this chunk carries model output (text, reasoning or a tool call)."""
        return bool(
            self.content or self.reasoning or self.tool_call_deltas or self.reasoning_details
        )


class _Choice:
    __slots__ = (
        "annotations",
        "content",
        "finish_reason",
        "images",
        "logprobs",
        "native_finish_reason",
        "reasoning",
        "reasoning_details",
        "refusal",
        "role",
        "tool_calls",
    )

    def __init__(self) -> None:
        self.role = "assistant"
        self.content: list[str] = []
        self.reasoning: list[str] = []
        self.refusal: list[str] = []
        self.reasoning_details: list[dict[str, Any]] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.annotations: list[dict[str, Any]] = []
        self.images: list[dict[str, Any]] = []
        self.logprobs: list[dict[str, Any]] = []
        self.finish_reason: str | None = None
        self.native_finish_reason: str | None = None


def merge_reasoning_details(target: list[dict[str, Any]], pieces: list[dict[str, Any]]) -> None:
    """Merge streamed ``reasoning_details`` pieces: same ``index`` and ``type`` extend
    the text fields of the block already started; anything else starts a new block."""
    for piece in pieces:
        index, kind = piece.get("index"), piece.get("type")
        for block in reversed(target):
            if index is not None and block.get("index") == index and block.get("type") == kind:
                for key, value in piece.items():
                    if key in ("text", "summary", "data") and isinstance(value, str):
                        block[key] = (block.get(key) or "") + value
                    elif value is not None and key not in ("index", "type"):
                        block[key] = value
                break
        else:
            target.append(dict(piece))


class StreamAccumulator(StreamFailures):
    """Feed it decoded SSE events; it keeps the merged result so far."""

    def __init__(self, model: str | None = None) -> None:
        self.requested_model = model
        self._choices: dict[int, _Choice] = {}
        self._meta: dict[str, Any] = {}
        self.usage: Usage | None = None
        self.done = False
        self.chunks = 0
        self.output_started = False

    @property
    def provider(self) -> str | None:
        """The provider that serves the stream (once a chunk has said)."""
        value = self._meta.get("provider")
        return value if isinstance(value, str) else None

    def parse_event(self, event: ServerSentEvent) -> ChatStreamChunk | None:
        """Decode one event; ``None`` for ``[DONE]``. Raises on malformed or error events."""
        data = event.data
        if data == DONE:
            self.done = True
            return None
        try:
            payload = _json.loads(data)
        except ValueError as exc:
            raise self.interrupted(
                f"undecodable stream event: {data[:200]!r}", cause=exc, status_code=502
            ) from exc
        if not isinstance(payload, dict):
            raise self.interrupted(f"unexpected stream event: {data[:200]!r}", status_code=502)
        chunk = ChatStreamChunk(payload)
        self.add(chunk)
        return chunk

    def add(self, chunk: ChatStreamChunk) -> None:
        data = chunk.data
        self.chunks += 1
        if not self._meta:
            for key in ("id", "model", "provider", "created", "object", "system_fingerprint"):
                if data.get(key) is not None:
                    self._meta[key] = data[key]
        else:
            for key in ("provider", "system_fingerprint"):
                if key not in self._meta and data.get(key):
                    self._meta[key] = data[key]
        for raw in data.get("choices") or ():
            self._add_choice(raw)
        if data.get("usage"):
            self.usage = chunk.usage
        if data.get("error") is not None:
            raise self.in_band_failure(data, generation_id=data.get("id"), model=data.get("model"))

    def _add_choice(self, raw: dict[str, Any]) -> None:
        index = raw.get("index") or 0
        choice = self._choices.get(index)
        if choice is None:
            choice = self._choices[index] = _Choice()
        delta = raw.get("delta")
        if delta:
            # One pass over the keys present (usually just role and content).
            for key, value in delta.items():
                if not value:
                    continue
                if key == "content":
                    choice.content.append(value)
                    self.output_started = True
                elif key == "role":
                    choice.role = value
                elif key == "reasoning":
                    choice.reasoning.append(value)
                    self.output_started = True
                elif key == "reasoning_details":
                    merge_reasoning_details(choice.reasoning_details, value)
                    self.output_started = True
                elif key == "tool_calls":
                    self._merge_tool_calls(choice, value)
                    self.output_started = True
                elif key == "refusal":
                    choice.refusal.append(value)
                elif key == "annotations":
                    choice.annotations.extend(value)
                elif key == "images":
                    choice.images.extend(value)
        logprobs = raw.get("logprobs")
        if logprobs and logprobs.get("content"):
            choice.logprobs.extend(logprobs["content"])
        if raw.get("finish_reason"):
            choice.finish_reason = raw["finish_reason"]
        if raw.get("native_finish_reason"):
            choice.native_finish_reason = raw["native_finish_reason"]

    @staticmethod
    def _merge_tool_calls(choice: _Choice, deltas: list[dict[str, Any]]) -> None:
        """Merge tool-call pieces by ``index``. A call that arrives without an id gets
        one (written into the delta too, so every consumer of the chunk sees it);
        later pieces of the same call carry the same id."""
        for position, delta in enumerate(deltas):
            if not isinstance(delta, dict):
                continue
            index = delta.get("index", position)
            call = choice.tool_calls.get(index)
            function = delta.get("function") or _EMPTY
            if call is None:
                call = choice.tool_calls[index] = {
                    "id": delta.get("id") or new_tool_call_id(),
                    "type": delta.get("type") or "function",
                    "index": index,
                    "function": {"name": function.get("name") or "", "arguments": ""},
                }
                delta["id"] = call["id"]
            elif delta.get("id") and delta["id"] != call["id"]:
                delta["id"] = call["id"]
            if function.get("name") and not call["function"]["name"]:
                call["function"]["name"] = function["name"]
            arguments = function.get("arguments")
            if arguments:
                call["function"]["arguments"] += (
                    arguments if isinstance(arguments, str) else _json.dumps(arguments).decode()
                )

    def tool_calls(self, index: int = 0) -> list[dict[str, Any]]:
        """The tool calls of choice ``index`` merged so far, in order."""
        choice = self._choices.get(index)
        if choice is None or not choice.tool_calls:
            return []
        return [choice.tool_calls[i] for i in sorted(choice.tool_calls)]

    def partial_or_none(self) -> ChatResult | None:
        return self.result() if self.chunks else None

    def error_ids(self) -> tuple[str | None, str | None]:
        return self._meta.get("id"), self._meta.get("model") or self.requested_model

    def check_complete(self) -> None:
        """At end of input: a stream without ``[DONE]`` or a finish reason was cut off."""
        if self.done:
            return
        if any(c.finish_reason for c in self._choices.values()) and self.usage is not None:
            return
        raise self.interrupted(
            "stream ended before completion (no [DONE] event): the connection was cut"
        )

    def result(self) -> ChatResult:
        """The merged result so far (complete once the stream has ended)."""
        choices = []
        for index in sorted(self._choices):
            c = self._choices[index]
            message: dict[str, Any] = {
                "role": c.role,
                "content": "".join(c.content),
                "reasoning": "".join(c.reasoning) or None,
            }
            if c.refusal:
                message["refusal"] = "".join(c.refusal)
            if c.reasoning_details:
                message["reasoning_details"] = c.reasoning_details
            if c.tool_calls:
                message["tool_calls"] = [c.tool_calls[i] for i in sorted(c.tool_calls)]
            if c.annotations:
                message["annotations"] = c.annotations
            if c.images:
                message["images"] = c.images
            choice: dict[str, Any] = {
                "index": index,
                "message": message,
                "finish_reason": c.finish_reason,
                "native_finish_reason": c.native_finish_reason,
            }
            if c.logprobs:
                choice["logprobs"] = {"content": c.logprobs}
            choices.append(choice)
        result = ChatResult.model_validate(
            {**self._meta, "object": "chat.completion", "choices": choices}
        )
        result.usage = self.usage
        return result
