"""What a recorded reply says, read straight from the recording.

These readers are deliberately independent of the package (plain dicts, the tests'
own SSE reading in :func:`tests.real.replay.sse_data`), so the tests compare what
the clients return with what OpenRouter actually sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from tests.real.replay import Interaction

__all__ = ["ExpectedChat", "ExpectedError", "ExpectedToolCall", "expected_chat", "expected_error"]


@dataclass(frozen=True)
class ExpectedToolCall:
    id: str | None
    name: str
    arguments: str

    @property
    def args(self) -> Any:
        return json.loads(self.arguments) if self.arguments.strip() else {}


@dataclass
class ExpectedChat:
    """The reply of one recorded chat completion (streamed replies merged)."""

    source: str
    streamed: bool
    id: str | None = None
    model: str | None = None
    provider: str | None = None
    content: str = ""
    reasoning: str | None = None
    reasoning_details: list[dict[str, Any]] = field(default_factory=list)
    tool_calls: list[ExpectedToolCall] = field(default_factory=list)
    annotations: list[dict[str, Any]] = field(default_factory=list)
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    usage: dict[str, Any] | None = None
    deltas: list[str] = field(default_factory=list)

    @property
    def prompt_tokens(self) -> int:
        return int((self.usage or {})["prompt_tokens"])

    @property
    def completion_tokens(self) -> int:
        return int((self.usage or {})["completion_tokens"])

    @property
    def total_tokens(self) -> int:
        return int((self.usage or {})["total_tokens"])

    @property
    def cost(self) -> float | None:
        return (self.usage or {}).get("cost")

    @property
    def cached_tokens(self) -> int | None:
        details = (self.usage or {}).get("prompt_tokens_details") or {}
        return details.get("cached_tokens")

    @property
    def cache_write_tokens(self) -> int | None:
        details = (self.usage or {}).get("prompt_tokens_details") or {}
        return details.get("cache_write_tokens")

    @property
    def reasoning_tokens(self) -> int | None:
        details = (self.usage or {}).get("completion_tokens_details") or {}
        return details.get("reasoning_tokens")


@dataclass(frozen=True)
class ExpectedError:
    source: str
    status: int
    code: Any
    message: str
    metadata: dict[str, Any]

    @property
    def provider_name(self) -> str | None:
        return self.metadata.get("provider_name")

    @property
    def raw(self) -> Any:
        return self.metadata.get("raw")


def expected_chat(interaction: Interaction) -> ExpectedChat:
    """The reply a recorded ``/chat/completions`` interaction holds."""
    if interaction.is_sse:
        return _from_stream(interaction)
    body = interaction.json()
    choice = body["choices"][0]
    message = choice.get("message") or {}
    return ExpectedChat(
        source=interaction.source,
        streamed=False,
        id=body.get("id"),
        model=body.get("model"),
        provider=body.get("provider"),
        content=message.get("content") or "",
        reasoning=message.get("reasoning") or None,
        reasoning_details=list(message.get("reasoning_details") or []),
        tool_calls=[
            ExpectedToolCall(
                id=call.get("id"),
                name=call["function"]["name"],
                arguments=call["function"].get("arguments") or "",
            )
            for call in message.get("tool_calls") or []
        ],
        annotations=list(message.get("annotations") or []),
        finish_reason=choice.get("finish_reason"),
        native_finish_reason=choice.get("native_finish_reason"),
        usage=body.get("usage"),
    )


def _from_stream(interaction: Interaction) -> ExpectedChat:
    chunks = interaction.json_events()
    expected = ExpectedChat(source=interaction.source, streamed=True)
    reasoning: list[str] = []
    calls: dict[int, dict[str, Any]] = {}
    for chunk in chunks:
        for key in ("id", "model", "provider"):
            if getattr(expected, key) is None and chunk.get(key):
                setattr(expected, key, chunk[key])
        if chunk.get("usage"):
            expected.usage = chunk["usage"]
        for choice in chunk.get("choices") or []:
            if choice.get("index", 0) != 0:
                continue
            delta = choice.get("delta") or {}
            if delta.get("content"):
                expected.content += delta["content"]
                expected.deltas.append(delta["content"])
            if delta.get("reasoning"):
                reasoning.append(delta["reasoning"])
            expected.reasoning_details.extend(delta.get("reasoning_details") or [])
            expected.annotations.extend(delta.get("annotations") or [])
            for position, piece in enumerate(delta.get("tool_calls") or []):
                call = calls.setdefault(
                    piece.get("index", position), {"id": None, "name": "", "arguments": ""}
                )
                function = piece.get("function") or {}
                call["id"] = call["id"] or piece.get("id")
                call["name"] = call["name"] or function.get("name") or ""
                call["arguments"] += function.get("arguments") or ""
            if choice.get("finish_reason"):
                expected.finish_reason = choice["finish_reason"]
            if choice.get("native_finish_reason"):
                expected.native_finish_reason = choice["native_finish_reason"]
    expected.reasoning = "".join(reasoning) or None
    expected.tool_calls = [ExpectedToolCall(**calls[i]) for i in sorted(calls)]
    return expected


def expected_error(interaction: Interaction) -> ExpectedError:
    """The error a recorded error reply holds."""
    error = interaction.json()["error"]
    return ExpectedError(
        source=interaction.source,
        status=interaction.status,
        code=error.get("code"),
        message=error.get("message", ""),
        metadata=dict(error.get("metadata") or {}),
    )
