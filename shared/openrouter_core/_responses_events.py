"""Typed events of a streamed ``/responses`` reply, and the parsing of a whole reply.

Each SSE ``data`` payload is one event with a ``type``; :func:`parse_event_data` wraps
the decoded JSON in the class for its type (a thin wrapper: nothing is validated per
event), or in :class:`GenericEvent` for types not modelled here.
"""

from __future__ import annotations

from typing import Any

from ._decode import decode_body
from .errors import (
    ResponseParseError,
    error_from_body,
)
from .types.responses import ResponsesResult

__all__ = [
    "EVENT_TYPES",
    "ContentPartAdded",
    "ContentPartDone",
    "ErrorEvent",
    "FunctionCallArgumentsDelta",
    "FunctionCallArgumentsDone",
    "GenericEvent",
    "OutputItemAdded",
    "OutputItemDone",
    "OutputItemEvent",
    "OutputTextAnnotationAdded",
    "OutputTextDelta",
    "OutputTextDone",
    "ReasoningSummaryPartAdded",
    "ReasoningSummaryPartDone",
    "ReasoningSummaryTextDelta",
    "ReasoningSummaryTextDone",
    "ReasoningTextDelta",
    "ReasoningTextDone",
    "RefusalDelta",
    "RefusalDone",
    "ResponseCompleted",
    "ResponseCreated",
    "ResponseFailed",
    "ResponseInProgress",
    "ResponseIncomplete",
    "ResponseQueued",
    "ResponseSnapshotEvent",
    "ResponsesEvent",
    "parse_event_data",
    "parse_responses",
]


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _parts(value: Any) -> list[dict[str, Any]]:
    return [p for p in value if isinstance(p, dict)] if isinstance(value, list) else []


# --------------------------------------------------------------------------- events


class ResponsesEvent:
    """One stream event: its ``type``, ``sequence_number`` and decoded JSON (``data``)."""

    __slots__ = ("data", "sequence_number", "type")

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.type = _text(data.get("type"))
        self.sequence_number = _int(data.get("sequence_number"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.data!r})"


class GenericEvent(ResponsesEvent):
    """An event of a type not modelled here (server-tool progress, debug, ...)."""

    __slots__ = ()


class ResponseSnapshotEvent(ResponsesEvent):
    """An event carrying the whole response as it stands (``response``);
    :attr:`result` reads it as a :class:`ResponsesResult`."""

    __slots__ = ("_result", "response")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.response = _object(data.get("response"))
        self._result: ResponsesResult | None = None

    @property
    def result(self) -> ResponsesResult:
        if self._result is None:
            self._result = ResponsesResult.model_validate(self.response)
        return self._result


class ResponseCreated(ResponseSnapshotEvent):
    __slots__ = ()


class ResponseQueued(ResponseSnapshotEvent):
    __slots__ = ()


class ResponseInProgress(ResponseSnapshotEvent):
    __slots__ = ()


class ResponseCompleted(ResponseSnapshotEvent):
    """The final event of a successful stream: the whole result, usage included."""

    __slots__ = ()


class ResponseIncomplete(ResponseSnapshotEvent):
    """The final event of a stream that stopped early by design (e.g. at
    ``max_output_tokens``); ``response.incomplete_details`` says why."""

    __slots__ = ()


class ResponseFailed(ResponseSnapshotEvent):
    """The response failed; ``response.error`` says why."""

    __slots__ = ()


class OutputItemEvent(ResponsesEvent):
    """An output item started (``added``) or finished (``done``)."""

    __slots__ = ("item", "output_index")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.output_index = _int(data.get("output_index"))
        self.item = _object(data.get("item"))

    @property
    def item_type(self) -> str:
        return _text(self.item.get("type"))

    @property
    def item_id(self) -> str | None:
        value = self.item.get("id")
        return value if isinstance(value, str) else None


class OutputItemAdded(OutputItemEvent):
    __slots__ = ()


class OutputItemDone(OutputItemEvent):
    __slots__ = ()


class _ItemPartEvent(ResponsesEvent):
    """An event about one output item (``item_id``, ``output_index``) and, for
    content, one of its parts (``content_index``)."""

    __slots__ = ("content_index", "item_id", "output_index")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        item_id = data.get("item_id")
        self.item_id = item_id if isinstance(item_id, str) else None
        self.output_index = _int(data.get("output_index"))
        self.content_index = _int(data.get("content_index"))


class ContentPartAdded(_ItemPartEvent):
    __slots__ = ("part",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.part = _object(data.get("part"))


class ContentPartDone(_ItemPartEvent):
    __slots__ = ("part",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.part = _object(data.get("part"))


class OutputTextDelta(_ItemPartEvent):
    """A piece of a message's text."""

    __slots__ = ("delta",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.delta = _text(data.get("delta"))


class OutputTextDone(_ItemPartEvent):
    """A text part's whole text."""

    __slots__ = ("text",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.text = _text(data.get("text"))


class OutputTextAnnotationAdded(_ItemPartEvent):
    """An annotation (e.g. a URL citation) of a text part."""

    __slots__ = ("annotation", "annotation_index")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.annotation = _object(data.get("annotation"))
        self.annotation_index = _int(data.get("annotation_index"))


class RefusalDelta(_ItemPartEvent):
    __slots__ = ("delta",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.delta = _text(data.get("delta"))


class RefusalDone(_ItemPartEvent):
    __slots__ = ("refusal",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.refusal = _text(data.get("refusal"))


class ReasoningTextDelta(_ItemPartEvent):
    """A piece of a reasoning item's text."""

    __slots__ = ("delta",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.delta = _text(data.get("delta"))


class ReasoningTextDone(_ItemPartEvent):
    __slots__ = ("text",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.text = _text(data.get("text"))


class FunctionCallArgumentsDelta(_ItemPartEvent):
    """A piece of a function call's JSON arguments (OpenRouter sends ``""``)."""

    __slots__ = ("delta",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.delta = _text(data.get("delta"))


class FunctionCallArgumentsDone(_ItemPartEvent):
    """A function call's arguments (OpenRouter sends ``""``: see
    ``response.completed``) and name."""

    __slots__ = ("arguments", "name")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.arguments = _text(data.get("arguments"))
        name = data.get("name")
        self.name = name if isinstance(name, str) else None


class _SummaryEvent(ResponsesEvent):
    """An event about one part (``summary_index``) of a reasoning item's summary."""

    __slots__ = ("item_id", "output_index", "summary_index")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        item_id = data.get("item_id")
        self.item_id = item_id if isinstance(item_id, str) else None
        self.output_index = _int(data.get("output_index"))
        self.summary_index = _int(data.get("summary_index"))


class ReasoningSummaryPartAdded(_SummaryEvent):
    __slots__ = ("part",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.part = _object(data.get("part"))


class ReasoningSummaryPartDone(_SummaryEvent):
    __slots__ = ("part",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.part = _object(data.get("part"))


class ReasoningSummaryTextDelta(_SummaryEvent):
    __slots__ = ("delta",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.delta = _text(data.get("delta"))


class ReasoningSummaryTextDone(_SummaryEvent):
    __slots__ = ("text",)

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        self.text = _text(data.get("text"))


class ErrorEvent(ResponsesEvent):
    """An ``error`` event: ``code`` (a string such as ``"rate_limit_exceeded"``, or
    an HTTP status), ``message``, ``param``; also read from a nested ``error``
    object, the shape OpenRouter's chat streams use."""

    __slots__ = ("code", "message", "metadata", "param")

    def __init__(self, data: dict[str, Any]) -> None:
        super().__init__(data)
        nested = data.get("error")
        source: dict[str, Any] = nested if isinstance(nested, dict) else data
        self.code: str | int | None = _code(source.get("code"))
        self.message = _text(source.get("message")) or "stream error"
        param = source.get("param")
        self.param = param if isinstance(param, str) else None
        self.metadata = _object(source.get("metadata"))


def _code(value: Any) -> str | int | None:
    return value if isinstance(value, (str, int)) and not isinstance(value, bool) else None


#: Event type -> the class that reads it; anything else is a :class:`GenericEvent`.
EVENT_TYPES: dict[str, type[ResponsesEvent]] = {
    "response.created": ResponseCreated,
    "response.queued": ResponseQueued,
    "response.in_progress": ResponseInProgress,
    "response.completed": ResponseCompleted,
    "response.incomplete": ResponseIncomplete,
    "response.failed": ResponseFailed,
    "response.output_item.added": OutputItemAdded,
    "response.output_item.done": OutputItemDone,
    "response.content_part.added": ContentPartAdded,
    "response.content_part.done": ContentPartDone,
    "response.output_text.delta": OutputTextDelta,
    "response.output_text.done": OutputTextDone,
    "response.output_text.annotation.added": OutputTextAnnotationAdded,
    "response.refusal.delta": RefusalDelta,
    "response.refusal.done": RefusalDone,
    "response.reasoning_text.delta": ReasoningTextDelta,
    "response.reasoning_text.done": ReasoningTextDone,
    "response.function_call_arguments.delta": FunctionCallArgumentsDelta,
    "response.function_call_arguments.done": FunctionCallArgumentsDone,
    "response.reasoning_summary_part.added": ReasoningSummaryPartAdded,
    "response.reasoning_summary_part.done": ReasoningSummaryPartDone,
    "response.reasoning_summary_text.delta": ReasoningSummaryTextDelta,
    "response.reasoning_summary_text.done": ReasoningSummaryTextDone,
    "error": ErrorEvent,
}


def parse_event_data(data: dict[str, Any]) -> ResponsesEvent:
    """Wrap one decoded event in the class for its type."""
    return EVENT_TYPES.get(_text(data.get("type")), GenericEvent)(data)


# --------------------------------------------------------------------------- errors

#: HTTP status for the string error codes of the Responses API.
_CODE_STATUS = {
    "rate_limit_exceeded": 429,
    "server_error": 500,
    "vector_store_timeout": 504,
    "invalid_prompt": 400,
    "context_length_exceeded": 400,
    "insufficient_quota": 402,
    "bio_policy": 403,
}


def _status_of(code: str | int | None) -> int | None:
    if isinstance(code, int):
        return code if 100 <= code <= 599 else None
    if code is None:
        return None
    if code.isdigit():
        return _status_of(int(code))
    if code.startswith(("invalid_", "image_", "unsupported_", "empty_", "failed_to_")):
        return 400  # the input was refused: a bad image, prompt or format
    return _CODE_STATUS.get(code)


def _error_body(code: str | int | None, message: str, metadata: dict[str, Any]) -> dict[str, Any]:
    """An OpenRouter ``{"error": {...}}`` body for :func:`error_from_body`; a string
    code is kept in the metadata (``code``)."""
    details = dict(metadata)
    if isinstance(code, str):
        details.setdefault("code", code)
    return {"error": {"code": _status_of(code), "message": message, "metadata": details}}


def parse_responses(content: bytes) -> ResponsesResult:
    """A non-streamed ``/responses`` reply (leading keep-alive whitespace allowed).

    A failed response (``status: "failed"``, or an ``error`` and no output) raises the
    typed error for its code; an undecodable body raises
    :class:`~openrouter_core.errors.ResponseParseError`."""
    payload = decode_body(content, "/responses reply")
    if not isinstance(payload, dict):
        raise ResponseParseError(
            f"a /responses reply must be an object, got {type(payload).__name__}"
        )
    error = payload.get("error")
    if payload.get("status") == "failed" or (error is not None and not payload.get("output")):
        details = _object(error)
        raise error_from_body(
            _error_body(
                _code(details.get("code")),
                _text(details.get("message")) or str(error or "the response failed"),
                _object(details.get("metadata")),
            ),
            http_status=502,
            in_band=True,
            generation_id=payload.get("id") if isinstance(payload.get("id"), str) else None,
            model=payload.get("model") if isinstance(payload.get("model"), str) else None,
        )
    return ResponsesResult.model_validate(payload)
