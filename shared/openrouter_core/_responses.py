"""Streamed ``/responses``: typed events and the accumulator that merges them.

Each SSE ``data`` payload is one event with a ``type`` (``response.created``,
``response.output_text.delta``, ...). :func:`parse_event_data` wraps the decoded JSON
in the class for its type (a thin wrapper, nothing validated per event), or in
:class:`GenericEvent` for types not modelled here. :class:`ResponsesStreamAccumulator`
takes SSE events, returns the typed events and keeps the output so far: items by
``output_index``, text and reasoning by content part, function-call arguments.

What real streams do, and how it is handled:

* function-call ``arguments`` are ``""`` in every delta and ``.done`` event and arrive
  only in ``response.completed``: the final result is built from that event, with the
  streamed state used only where it carries something the final event lacks;
* ``response.completed`` may be cut off (undecodable JSON) and followed by
  ``[DONE]``: that is an interruption, raised with the partial output;
* a stream that ends, or says ``[DONE]``, without a terminal event
  (``response.completed`` / ``response.incomplete``) was cut, never a short answer;
* an ``error`` event or ``response.failed`` raises a typed
  :class:`~openrouter_core.errors.APIStatusError` before any output (safe to fall back
  on), a :class:`~openrouter_core.errors.StreamInterruptedError` after.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from . import _json
from ._responses_events import (
    ContentPartAdded,
    ContentPartDone,
    ErrorEvent,
    FunctionCallArgumentsDelta,
    FunctionCallArgumentsDone,
    OutputItemAdded,
    OutputItemEvent,
    OutputTextAnnotationAdded,
    OutputTextDelta,
    OutputTextDone,
    ReasoningSummaryPartDone,
    ReasoningSummaryTextDelta,
    ReasoningSummaryTextDone,
    ReasoningTextDelta,
    ReasoningTextDone,
    RefusalDelta,
    RefusalDone,
    ResponseCompleted,
    ResponseFailed,
    ResponseIncomplete,
    ResponsesEvent,
    ResponseSnapshotEvent,
    _code,
    _error_body,
    _ItemPartEvent,
    _object,
    _parts,
    _SummaryEvent,
    _text,
    parse_event_data,
)
from ._sse import DONE, ServerSentEvent
from ._stream_failures import StreamFailures
from .errors import APIStatusError
from .types.responses import OutputFunctionCall, ResponsesResult

__all__ = ["ResponsesStreamAccumulator"]


# --------------------------------------------------------------------------- accumulation


class _Part:
    """One content part (text, refusal or reasoning text) of an item, as streamed."""

    __slots__ = ("annotations", "final", "kind", "pieces")

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.pieces: list[str] = []
        self.final: str | None = None
        self.annotations: list[dict[str, Any]] = []

    @property
    def text(self) -> str:
        return self.final if self.final is not None else "".join(self.pieces)

    def as_dict(self) -> dict[str, Any]:
        if self.kind == "refusal":
            return {"type": "refusal", "refusal": self.text}
        if self.kind == "output_text":
            return {"type": "output_text", "text": self.text, "annotations": self.annotations}
        return {"type": self.kind, "text": self.text}


class _Item:
    """One output item, as streamed: the item object (from ``added``, updated by
    ``done``), its parts, summary parts and function-call arguments."""

    __slots__ = ("arguments", "arguments_done", "done", "item", "parts", "summary")

    def __init__(self, item: dict[str, Any]) -> None:
        self.item = dict(item)
        self.parts: dict[int, _Part] = {}
        self.summary: dict[int, _Part] = {}
        self.arguments: list[str] = []
        self.arguments_done = ""
        self.done = False

    @property
    def type(self) -> str:
        return _text(self.item.get("type"))

    def part(self, index: int | None, kind: str) -> _Part:
        key = index or 0
        found = self.parts.get(key)
        if found is None:
            found = self.parts[key] = _Part(kind)
        return found

    def summary_part(self, index: int | None) -> _Part:
        key = index or 0
        found = self.summary.get(key)
        if found is None:
            found = self.summary[key] = _Part("summary_text")
        return found

    def merge_done(self, item: dict[str, Any]) -> None:
        """The finished item: its non-empty values win (an empty ``arguments`` or a
        missing ``id`` does not erase what ``added`` said)."""
        for key, value in item.items():
            if value is None or value == "" or value == []:
                continue
            self.item[key] = value
        self.done = True

    def arguments_text(self) -> str:
        streamed = "".join(self.arguments)
        return self.arguments_done or _text(self.item.get("arguments")) or streamed

    def build(self) -> dict[str, Any]:
        """The item as a result holds it."""
        item = dict(self.item)
        kind = self.type
        if kind == "message":
            if self.parts and not (self.done and item.get("content")):
                item["content"] = [self.parts[i].as_dict() for i in sorted(self.parts)]
            item.setdefault("content", [])
        elif kind == "reasoning":
            if self.parts and not (self.done and item.get("content")):
                item["content"] = [self.parts[i].as_dict() for i in sorted(self.parts)]
            if self.summary and not (self.done and item.get("summary")):
                item["summary"] = [self.summary[i].as_dict() for i in sorted(self.summary)]
            item.setdefault("summary", [])
        elif kind == "function_call":
            item["arguments"] = self.arguments_text()
        return item


#: Item types whose ``added`` event is not output yet (they start empty).
_CONTAINERS = frozenset({"message", "reasoning"})


class ResponsesStreamAccumulator(StreamFailures):
    """Feed it SSE events (:meth:`parse_event`); it returns typed events and keeps the
    output so far. :meth:`result` gives the final :class:`ResponsesResult` once the
    stream has ended (or the partial one if it has not).

    The interface matches the chat :class:`~openrouter_core._stream.StreamAccumulator`
    (``parse_event`` returning ``None`` at ``[DONE]``, ``output_started``,
    ``interrupted``, ``check_complete``, ``provider``), so the same client loop can
    drive either.
    """

    def __init__(self, model: str | None = None) -> None:
        self.requested_model = model
        self.events = 0
        self.done = False
        self.output_started = False
        #: The terminal event (``response.completed`` / ``response.incomplete``) once seen.
        self.final: ResponseSnapshotEvent | None = None
        self._snapshot: dict[str, Any] = {}
        self._items: dict[int, _Item] = {}
        self._by_id: dict[str, int] = {}

    # ------------------------------------------------------------------ reading

    @property
    def completed(self) -> bool:
        """True once a terminal event arrived (the stream is whole)."""
        return self.final is not None

    @property
    def response_id(self) -> str | None:
        value = self._snapshot.get("id")
        return value if isinstance(value, str) else None

    @property
    def model(self) -> str | None:
        value = self._snapshot.get("model")
        return value if isinstance(value, str) else self.requested_model

    @property
    def provider(self) -> str | None:
        """The provider serving the stream, when the events name it."""
        value = self._snapshot.get("provider")
        return value if isinstance(value, str) else None

    def parse_event(self, event: ServerSentEvent) -> ResponsesEvent | None:
        """Decode one SSE event and merge it; ``None`` for ``[DONE]``.

        Raises :class:`StreamInterruptedError` for an undecodable event or a
        ``[DONE]`` before the terminal event, and the error of an ``error`` /
        ``response.failed`` event (see the module docstring)."""
        data = event.data
        if data == DONE:
            self.done = True
            if self.final is None:
                raise self.interrupted(
                    "the stream said [DONE] before response.completed: the response is not whole"
                )
            return None
        try:
            payload = _json.loads(data)
        except ValueError as exc:
            raise self.interrupted(
                f"undecodable stream event: {data[:200]!r}", cause=exc, status_code=502
            ) from exc
        if not isinstance(payload, dict):
            raise self.interrupted(f"unexpected stream event: {data[:200]!r}", status_code=502)
        parsed = parse_event_data(payload)
        self.add(parsed)
        return parsed

    def iter_events(self, events: Iterable[ServerSentEvent]) -> Iterator[ResponsesEvent]:
        """Every typed event of ``events`` (decoded SSE), then a completeness check."""
        for event in events:
            parsed = self.parse_event(event)
            if parsed is None:
                return
            yield parsed
        self.check_complete()

    def add(self, event: ResponsesEvent) -> None:
        """Merge one typed event into the state."""
        self.events += 1
        if isinstance(event, _ItemPartEvent):
            self._add_part_event(event)
        elif isinstance(event, OutputItemEvent):
            self._add_item_event(event)
        elif isinstance(event, _SummaryEvent):
            self._add_summary_event(event)
        elif isinstance(event, ResponseSnapshotEvent):
            self._add_snapshot(event)
        elif isinstance(event, ErrorEvent):
            raise self._failure(event.code, event.message, event.metadata)

    def _add_snapshot(self, event: ResponseSnapshotEvent) -> None:
        if event.response:
            self._snapshot = event.response
        if isinstance(event, ResponseFailed):
            error = _object(event.response.get("error"))
            raise self._failure(
                _code(error.get("code")),
                _text(error.get("message")) or "the response failed",
                _object(error.get("metadata")),
            )
        if isinstance(event, (ResponseCompleted, ResponseIncomplete)):
            self.final = event

    def _item(self, output_index: int | None, item_id: str | None, kind: str) -> _Item:
        """The item an event is about, created if its ``added`` event was missed."""
        if output_index is None and item_id is not None:
            output_index = self._by_id.get(item_id)
        if output_index is None:
            output_index = max(self._items, default=-1) + 1
        found = self._items.get(output_index)
        if found is None:
            found = self._items[output_index] = _Item({"type": kind})
            if item_id is not None:
                found.item["id"] = item_id
                self._by_id[item_id] = output_index
        return found

    def _add_item_event(self, event: OutputItemEvent) -> None:
        item = event.item
        item_id = event.item_id
        index = event.output_index
        if index is None:
            index = self._by_id.get(item_id) if item_id else None
        if index is None:
            index = max(self._items, default=-1) + 1
        if item_id is not None:
            self._by_id[item_id] = index
        state = self._items.get(index)
        if isinstance(event, OutputItemAdded):
            if state is None:
                self._items[index] = _Item(item)
            else:
                state.item.update({k: v for k, v in item.items() if v not in (None, "")})
            if event.item_type not in _CONTAINERS:
                self.output_started = True
            return
        if state is None:
            state = self._items[index] = _Item(item)
        state.merge_done(item)
        if item.get("content") or item.get("arguments") or event.item_type not in _CONTAINERS:
            self.output_started = True

    def _add_part_event(self, event: _ItemPartEvent) -> None:
        index = event.content_index
        if isinstance(event, OutputTextDelta):
            if event.delta:
                self._item(event.output_index, event.item_id, "message").part(
                    index, "output_text"
                ).pieces.append(event.delta)
                self.output_started = True
        elif isinstance(event, ReasoningTextDelta):
            if event.delta:
                self._item(event.output_index, event.item_id, "reasoning").part(
                    index, "reasoning_text"
                ).pieces.append(event.delta)
                self.output_started = True
        elif isinstance(event, FunctionCallArgumentsDelta):
            if event.delta:
                state = self._item(event.output_index, event.item_id, "function_call")
                state.arguments.append(event.delta)
                self.output_started = True
        elif isinstance(event, OutputTextDone):
            self._finish_part(event, "message", "output_text", event.text)
        elif isinstance(event, ReasoningTextDone):
            self._finish_part(event, "reasoning", "reasoning_text", event.text)
        elif isinstance(event, RefusalDelta):
            if event.delta:
                self._item(event.output_index, event.item_id, "message").part(
                    index, "refusal"
                ).pieces.append(event.delta)
                self.output_started = True
        elif isinstance(event, RefusalDone):
            self._finish_part(event, "message", "refusal", event.refusal)
        elif isinstance(event, FunctionCallArgumentsDone):
            state = self._item(event.output_index, event.item_id, "function_call")
            if event.arguments:
                state.arguments_done = event.arguments
                self.output_started = True
            if event.name and not state.item.get("name"):
                state.item["name"] = event.name
        elif isinstance(event, (ContentPartAdded, ContentPartDone)):
            kind = _text(event.part.get("type")) or "output_text"
            container = "reasoning" if kind == "reasoning_text" else "message"
            part = self._item(event.output_index, event.item_id, container).part(index, kind)
            if isinstance(event, ContentPartDone):
                text = event.part.get("refusal" if kind == "refusal" else "text")
                if isinstance(text, str) and text:
                    part.final = text
                    self.output_started = True
            annotations = event.part.get("annotations")
            if isinstance(annotations, list) and annotations and not part.annotations:
                part.annotations = [a for a in annotations if isinstance(a, dict)]
        elif isinstance(event, OutputTextAnnotationAdded):
            part = self._item(event.output_index, event.item_id, "message").part(
                index, "output_text"
            )
            part.annotations.append(event.annotation)

    def _finish_part(self, event: _ItemPartEvent, container: str, kind: str, text: str) -> None:
        part = self._item(event.output_index, event.item_id, container).part(
            event.content_index, kind
        )
        if text:
            part.final = text
            self.output_started = True

    def _add_summary_event(self, event: _SummaryEvent) -> None:
        state = self._item(event.output_index, event.item_id, "reasoning")
        part = state.summary_part(event.summary_index)
        if isinstance(event, ReasoningSummaryTextDelta):
            if event.delta:
                part.pieces.append(event.delta)
                self.output_started = True
        elif isinstance(event, ReasoningSummaryTextDone):
            if event.text:
                part.final = event.text
                self.output_started = True
        elif isinstance(event, ReasoningSummaryPartDone):
            text = event.part.get("text")
            if isinstance(text, str) and text:
                part.final = text
                self.output_started = True

    # ------------------------------------------------------------------ the output so far

    def output_items(self) -> list[dict[str, Any]]:
        """The output items as streamed so far, in output order."""
        return [self._items[i].build() for i in sorted(self._items)]

    @property
    def text(self) -> str:
        """The text of every message so far."""
        pieces: list[str] = []
        for index in sorted(self._items):
            item = self._items[index]
            if item.type != "message":
                continue
            content = item.item.get("content")
            if item.parts and not (item.done and content):
                parts = item.parts
                pieces += [parts[k].text for k in sorted(parts) if parts[k].kind == "output_text"]
            else:  # the finished item's own content (as build() uses it)
                pieces += [
                    _text(part.get("text"))
                    for part in _parts(content)
                    if part.get("type") == "output_text"
                ]
        return "".join(pieces)

    @property
    def reasoning_text(self) -> str:
        """The reasoning so far: each reasoning item's text (or, without text, its
        summary), separated by blank lines, as :attr:`ResponsesResult.reasoning_text`."""
        texts: list[str] = []
        for index in sorted(self._items):
            item = self._items[index]
            if item.type != "reasoning":
                continue
            built = item.build()
            text = "".join(_text(p.get("text")) for p in _parts(built.get("content")))
            text = text or "\n\n".join(
                t for p in _parts(built.get("summary")) if (t := _text(p.get("text")))
            )
            if text:
                texts.append(text)
        return "\n\n".join(texts)

    def function_calls(self) -> list[OutputFunctionCall]:
        """The function calls so far (arguments may still be empty: OpenRouter sends
        them only in ``response.completed``)."""
        return self.partial().function_calls

    def partial(self) -> ResponsesResult:
        """The result as streamed so far, from the events' own state (not from the
        terminal event)."""
        body = {k: v for k, v in self._snapshot.items() if k != "output"}
        body["output"] = self.output_items()
        body.setdefault("model", self.requested_model)
        return ResponsesResult.model_validate(body)

    def result(self) -> ResponsesResult:
        """The final result: the terminal event's response, completed from the streamed
        state where it lacks something (no output at all, or a function call without
        arguments). Before the terminal event, the same as :meth:`partial`."""
        if self.final is None or not self.final.response:
            return self.partial()
        body = dict(self.final.response)
        streamed = self.output_items()
        output = body.get("output")
        if not isinstance(output, list) or not output:
            body["output"] = streamed
        else:
            body["output"] = _fill_arguments(output, streamed)
        body.setdefault("model", self.model)
        return ResponsesResult.model_validate(body)

    # ------------------------------------------------------------------ failures

    def _failure(
        self, code: str | int | None, message: str, metadata: dict[str, Any]
    ) -> APIStatusError:
        payload = _error_body(code, message, metadata)
        return self.in_band_failure(payload, generation_id=self.response_id, model=self.model)

    def partial_or_none(self) -> ResponsesResult | None:
        return self.partial() if self.events else None

    def error_ids(self) -> tuple[str | None, str | None]:
        return self.response_id, self.model

    def check_complete(self) -> None:
        """At the end of input: without a terminal event the stream was cut off."""
        if self.final is None:
            raise self.interrupted("stream ended before response.completed: the connection was cut")


def _fill_arguments(final: list[Any], streamed: list[dict[str, Any]]) -> list[Any]:
    """The final output, with a function call's empty ``arguments`` taken from the
    streamed call of the same ``call_id`` (the reverse of OpenRouter's usual quirk)."""
    by_call = {
        item.get("call_id"): item.get("arguments")
        for item in streamed
        if item.get("type") == "function_call" and item.get("arguments")
    }
    if not by_call:
        return final
    filled: list[Any] = []
    for item in final:
        if (
            isinstance(item, dict)
            and item.get("type") == "function_call"
            and not item.get("arguments")
            and by_call.get(item.get("call_id"))
        ):
            item = {**item, "arguments": by_call[item.get("call_id")]}
        filled.append(item)
    return filled
