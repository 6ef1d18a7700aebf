"""A ``/responses`` reply, read leniently: real replies lack fields the spec
requires, carry ``msg_tmp_`` ids and ``status: "incomplete"`` on finished messages."""

from __future__ import annotations

import json
from typing import Annotated, Any

from pydantic import (
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
)

from ._base import WireModel
from .attempts import reply_summary

__all__ = [
    "OutputContentPart",
    "OutputFunctionCall",
    "OutputItem",
    "OutputMessage",
    "OutputReasoning",
    "ReasoningPart",
    "ResponseOutputItem",
    "ResponsesError",
    "ResponsesResult",
    "ResponsesUsage",
]

# --------------------------------------------------------------------------- replies


def _count(value: Any) -> Any:
    """A token count read leniently: null or junk becomes 0, ``12.0`` becomes 12."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return int(number) if number == number and abs(number) != float("inf") else 0


def _objects(value: Any) -> Any:
    """A list of objects read leniently: a non-list becomes empty, non-objects are dropped."""
    if not isinstance(value, (list, tuple)):
        return []
    return [item for item in value if isinstance(item, dict)]


class OutputContentPart(WireModel):
    """A part of an output message: ``output_text`` (``text``, ``annotations`` such as
    URL citations, ``logprobs``) or ``refusal``."""

    type: str | None = None
    text: str | None = None
    annotations: list[dict[str, Any]] | None = None
    logprobs: list[dict[str, Any]] | None = None
    refusal: str | None = None


class ReasoningPart(WireModel):
    """A piece of reasoning: ``summary_text`` or ``reasoning_text``."""

    type: str | None = None
    text: str | None = None


class ResponseOutputItem(WireModel):
    """What every output item has; also the model of item types not modelled further
    (server-tool calls and the like), whose fields stay in ``model_extra``."""

    type: str | None = None
    id: str | None = None
    status: str | None = None


class OutputMessage(ResponseOutputItem):
    role: str | None = "assistant"
    content: list[OutputContentPart] = Field(default_factory=list)
    phase: str | None = None

    _parts = field_validator("content", mode="before")(classmethod(lambda cls, v: _objects(v)))

    @property
    def text(self) -> str:
        return "".join(p.text or "" for p in self.content if p.type == "output_text")

    @property
    def refusal(self) -> str:
        return "".join(p.refusal or "" for p in self.content if p.type == "refusal")

    @property
    def annotations(self) -> list[dict[str, Any]]:
        return [a for p in self.content for a in p.annotations or ()]


class OutputFunctionCall(ResponseOutputItem):
    """A call of one of the request's function tools. ``arguments`` is JSON text."""

    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    namespace: str | None = None

    def parsed_arguments(self) -> Any:
        """The arguments decoded (``{}`` when empty); ``ValueError`` if not JSON."""
        text = self.arguments or ""
        return json.loads(text) if text.strip() else {}


class OutputReasoning(ResponseOutputItem):
    """Reasoning: readable ``content`` and/or a ``summary``, and opaque state
    (``encrypted_content``, ``signature``, ``format``) to send back next turn."""

    summary: list[ReasoningPart] = Field(default_factory=list)
    content: list[ReasoningPart] = Field(default_factory=list)
    encrypted_content: str | None = None
    signature: str | None = None
    format: str | None = None

    _parts = field_validator("summary", "content", mode="before")(
        classmethod(lambda cls, v: _objects(v))
    )

    @property
    def summary_text(self) -> str:
        return "\n\n".join(p.text for p in self.summary if p.text)

    @property
    def text(self) -> str:
        """The reasoning text, or its summary when the text itself was not sent."""
        full = "".join(p.text or "" for p in self.content)
        return full or self.summary_text


def _output_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else None
    return kind if kind in ("message", "function_call", "reasoning") else "other"


OutputItem = Annotated[
    Annotated[OutputMessage, Tag("message")]
    | Annotated[OutputFunctionCall, Tag("function_call")]
    | Annotated[OutputReasoning, Tag("reasoning")]
    | Annotated[ResponseOutputItem, Tag("other")],
    Discriminator(_output_tag),
]


class InputTokensDetails(WireModel):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class OutputTokensDetails(WireModel):
    reasoning_tokens: int | None = None


class ResponsesUsage(WireModel):
    """Token counts and cost (USD credits) of one response."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: dict[str, Any] | None = None
    input_tokens_details: InputTokensDetails | None = None
    output_tokens_details: OutputTokensDetails | None = None
    server_tool_use_details: dict[str, Any] | None = None

    _counts = field_validator("input_tokens", "output_tokens", "total_tokens", mode="before")(
        classmethod(lambda cls, v: _count(v))
    )

    @property
    def cached_tokens(self) -> int:
        details = self.input_tokens_details
        return (details.cached_tokens or 0) if details else 0

    @property
    def reasoning_tokens(self) -> int:
        details = self.output_tokens_details
        return (details.reasoning_tokens or 0) if details else 0


class ResponsesError(WireModel):
    """``error`` of a failed response: a string ``code`` and a ``message``."""

    code: str | int | None = None
    message: str | None = None
    metadata: dict[str, Any] | None = None


class ResponsesResult(WireModel):
    """A ``/responses`` result. ``attempts`` (not on the wire) lists every model tried.

    Helpers: :attr:`text` (the output text of every message), :attr:`function_calls`,
    :attr:`reasoning_text`, :meth:`as_input_items` (the output, ready to be sent back
    as input of the next turn).
    """

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    completed_at: int | None = None
    model: str | None = None
    provider: str | None = None
    status: str | None = None
    output: list[OutputItem] = Field(default_factory=list)
    output_text: str | None = None
    error: ResponsesError | None = None
    incomplete_details: dict[str, Any] | None = None
    usage: ResponsesUsage | None = None
    _attempts: list[Any] = PrivateAttr(default_factory=list)

    _items = field_validator("output", mode="before")(classmethod(lambda cls, v: _objects(v)))

    @field_validator("created_at", "completed_at", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> Any:
        return None if value is None else _count(value) or None

    @field_validator("error", "incomplete_details", "usage", mode="before")
    @classmethod
    def _object(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else None

    @property
    def attempts(self) -> list[Any]:
        """Every model tried or skipped for this result, in order."""
        private = self.__pydantic_private__
        return private["_attempts"] if private else []

    @property
    def generation_id(self) -> str | None:
        """The id to look the call up with (``GET /generation``)."""
        return self.id

    @property
    def messages(self) -> list[OutputMessage]:
        return [item for item in self.output if isinstance(item, OutputMessage)]

    @property
    def text(self) -> str:
        """The text of every output message, in order (``''`` if none). The top-level
        ``output_text`` is used only when there is no message item (OpenRouter sends
        it empty)."""
        if not any(isinstance(item, OutputMessage) for item in self.output):
            return self.output_text or ""
        return "".join(item.text for item in self.messages)

    @property
    def refusal(self) -> str:
        return "".join(item.refusal for item in self.messages)

    @property
    def function_calls(self) -> list[OutputFunctionCall]:
        return [item for item in self.output if isinstance(item, OutputFunctionCall)]

    @property
    def reasoning(self) -> list[OutputReasoning]:
        return [item for item in self.output if isinstance(item, OutputReasoning)]

    @property
    def reasoning_text(self) -> str:
        """The text (or summary) of every reasoning item, separated by blank lines."""
        return "\n\n".join(text for item in self.reasoning if (text := item.text))

    @property
    def incomplete_reason(self) -> str | None:
        details = self.incomplete_details or {}
        reason = details.get("reason")
        return reason if isinstance(reason, str) else None

    def as_input_items(self) -> list[dict[str, Any]]:
        """The output as input items for the next request of the conversation (the
        API keeps no state): messages, function calls and reasoning, each as the
        request schema expects it. Other item types are left out."""
        items: list[dict[str, Any]] = []
        for item in self.output:
            if isinstance(item, OutputMessage):
                items.append(_message_input(item))
            elif isinstance(item, OutputFunctionCall):
                call: dict[str, Any] = {
                    "type": "function_call",
                    "call_id": item.call_id or "",
                    "name": item.name or "",
                    "arguments": item.arguments or "",
                }
                if item.id:
                    call["id"] = item.id
                items.append(call)
            elif isinstance(item, OutputReasoning) and item.id:
                items.append(_reasoning_input(item))
        return items

    def summary(self) -> dict[str, Any]:
        """Who served this reply, how it ended, what it cost and which models were
        tried (keys without a value are left out; ``fallback_attempts`` is always
        there)."""
        usage = self.usage
        found: dict[str, Any] = {
            "id": self.id,
            "object": self.object,
            "model": self.model,
            "provider": self.provider,
            "created_at": self.created_at,
            "status": self.status,
            "incomplete_reason": self.incomplete_reason,
        }
        return reply_summary(found, usage, self.attempts)


_ITEM_STATUSES = frozenset({"completed", "incomplete", "in_progress"})


def _message_input(item: OutputMessage) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for part in item.content:
        if part.type == "output_text":
            parts.append(
                {
                    "type": "output_text",
                    "text": part.text or "",
                    "annotations": part.annotations or [],
                }
            )
        elif part.type == "refusal":
            parts.append({"type": "refusal", "refusal": part.refusal or ""})
    if not item.id:
        # Without an id it cannot be replayed as an output item: send its text.
        return {"role": "assistant", "content": item.text}
    message: dict[str, Any] = {
        "type": "message",
        "role": "assistant",
        "id": item.id,
        "content": parts,
    }
    if item.status in _ITEM_STATUSES:
        message["status"] = item.status
    return message


def _reasoning_input(item: OutputReasoning) -> dict[str, Any]:
    reasoning: dict[str, Any] = {
        "type": "reasoning",
        "id": item.id,
        "summary": [{"type": "summary_text", "text": p.text or ""} for p in item.summary],
    }
    if item.content:
        reasoning["content"] = [
            {"type": "reasoning_text", "text": p.text or ""} for p in item.content
        ]
    for key in ("encrypted_content", "signature", "format"):
        value = getattr(item, key)
        if value is not None:
            reasoning[key] = value
    return reasoning
