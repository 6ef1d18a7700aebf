"""Streamed chat completions: chunk objects and the accumulator that merges them.

Chunks stay thin wrappers over the decoded JSON (no validation per chunk: a
stream may have thousands). :class:`StreamAccumulator` merges them into a
:class:`~openrouter_core.types.ChatResult`: text, reasoning, ``reasoning_details``,
tool calls merged by ``index`` (arguments arrive as JSON text split across
chunks), logprobs, the final usage chunk. An in-band ``error`` chunk becomes a
:class:`~openrouter_core.errors.StreamInterruptedError` carrying the partial result.
"""

from __future__ import annotations

from typing import Any

from . import _json
from .errors import APIStatusError, ResponseParseError, StreamInterruptedError, error_from_body
from .sse import DONE, ServerSentEvent
from .types.chat import ChatResult, Usage

__all__ = ["ChatStreamChunk", "StreamAccumulator"]

_EMPTY: dict[str, Any] = {}


class ChatStreamChunk:
    """One streamed chunk. ``data`` is the decoded JSON; accessors read the first choice."""

    __slots__ = ("_usage", "data")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self._usage: Usage | None = None

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
        if choices:
            return choices[0].get("delta") or _EMPTY
        return _EMPTY

    @property
    def content(self) -> str:
        return self.delta.get("content") or ""

    @property
    def reasoning(self) -> str:
        return self.delta.get("reasoning") or ""

    @property
    def reasoning_details(self) -> list[dict[str, Any]]:
        return self.delta.get("reasoning_details") or []

    @property
    def tool_call_deltas(self) -> list[dict[str, Any]]:
        return self.delta.get("tool_calls") or []

    @property
    def finish_reason(self) -> str | None:
        choices = self.data.get("choices")
        return choices[0].get("finish_reason") if choices else None

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
        delta = self.delta
        return bool(
            delta.get("content")
            or delta.get("reasoning")
            or delta.get("tool_calls")
            or delta.get("reasoning_details")
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


class StreamAccumulator:
    """Feed it decoded SSE events; it keeps the merged result so far."""

    def __init__(self, model: str | None = None) -> None:
        self.requested_model = model
        self._choices: dict[int, _Choice] = {}
        self._meta: dict[str, Any] = {}
        self.usage: Usage | None = None
        self.done = False
        self.chunks = 0
        self.output_started = False

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
            for key in ("id", "model", "provider", "created", "object"):
                if data.get(key) is not None:
                    self._meta[key] = data[key]
        elif "provider" not in self._meta and data.get("provider"):
            self._meta["provider"] = data["provider"]
        for raw in data.get("choices") or ():
            self._add_choice(raw)
        if data.get("usage"):
            self.usage = chunk.usage
        if data.get("error") is not None:
            raise self._error_chunk(data)

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
        for position, delta in enumerate(deltas):
            index = delta.get("index", position)
            call = choice.tool_calls.get(index)
            function = delta.get("function") or _EMPTY
            if call is None:
                call = choice.tool_calls[index] = {
                    "id": delta.get("id"),
                    "type": delta.get("type") or "function",
                    "index": index,
                    "function": {"name": function.get("name") or "", "arguments": ""},
                }
            elif delta.get("id") and not call["id"]:
                call["id"] = delta["id"]
            if function.get("name") and not call["function"]["name"]:
                call["function"]["name"] = function["name"]
            if function.get("arguments"):
                call["function"]["arguments"] += function["arguments"]

    def _error_chunk(self, data: dict[str, Any]) -> APIStatusError:
        error = error_from_body(
            data, http_status=502, generation_id=data.get("id"), model=data.get("model")
        )
        if not self.output_started:
            # Nothing was produced: a plain typed error, safe to fall back on.
            return error
        return self.interrupted(
            f"stream failed after output began: {error.message}",
            status_code=error.status_code,
            metadata=error.metadata,
        )

    def interrupted(
        self,
        message: str,
        *,
        cause: BaseException | None = None,
        status_code: int = 502,
        metadata: dict[str, Any] | None = None,
    ) -> StreamInterruptedError:
        """An error for a stream that broke; it carries the partial result."""
        partial = self.result() if self.chunks else None
        err = StreamInterruptedError(
            message,
            partial=partial,
            status_code=status_code,
            metadata=metadata,
            generation_id=self._meta.get("id"),
            model=self._meta.get("model") or self.requested_model,
        )
        err.__cause__ = cause
        return err

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


def parse_error_in_200(payload: Any, *, generation_id: str | None, model: str | None) -> None:
    """Raise if a 200 JSON body is really an ``{"error": ...}`` object."""
    if (
        isinstance(payload, dict)
        and payload.get("error") is not None
        and not payload.get("choices")
    ):
        raise error_from_body(payload, http_status=502, generation_id=generation_id, model=model)


def decode_json(body: bytes, *, generation_id: str | None) -> Any:
    try:
        return _json.loads(body)
    except ValueError as exc:
        text = body.decode("utf-8", errors="replace")
        raise ResponseParseError(
            f"OpenRouter sent a reply that is not valid JSON ({len(body)} bytes): {text[:200]!r}",
            body=text,
            generation_id=generation_id,
        ) from exc
