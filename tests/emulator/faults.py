"""Fault injection: parsing fault specs and building OpenRouter-shaped failures.

A fault spec is ``name[:arg][;key=value...]``; several specs may be joined with commas
(``slow_first_byte:0.2, mid_stream_error;after=5``). They are selected per request with
the ``X-Emulator-Fault`` header, or queued per model with :meth:`Emulator.fail_model` /
for any request with :meth:`Emulator.fail_next`.

=====================  ==================================================================
``rate_limit``          429, provider error body (``error_type: rate_limit_exceeded``);
                        ``retry_after=N`` adds a ``Retry-After`` header
``status:<code>``       that status with an OpenRouter error body (403 carries moderation
                        metadata); ``retry_after=N`` as above; ``message=...``
``reset_before``        close the socket without answering
``reset_mid_stream``    stream ``after=N`` (3) data events, then drop the connection;
                        non-streamed: send half the body, then drop
``truncated_json``      200 whose JSON text is cut short (Content-Length matches the cut)
``malformed_sse``       after ``after=N`` events, a broken ``data:`` line, then the rest
``slow_first_byte:S``   wait S seconds before the status line
``stall_mid_stream:S``  pause S seconds after ``after=N`` events (or half the body)
``mid_stream_error``    200 stream, ``after=N`` events, then a chunk with a top-level
                        ``error`` and ``finish_reason: "error"``; ``code=N`` (502)
``html_error``          an HTML proxy error page, ``status=N`` (502)
``empty_body``          empty body, ``status=N`` (200)
``error_in_200``        HTTP 200 whose JSON body is ``{"error": {...}}``; ``code=N`` (502)
=====================  ==================================================================
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from .protocol import Response

__all__ = [
    "FAULT_NAMES",
    "Fault",
    "anthropic_error",
    "error_payload",
    "fault_error",
    "html_page",
    "parse_faults",
    "pre_response",
    "transport_faults",
]

FAULT_NAMES = frozenset(
    {
        "rate_limit",
        "status",
        "reset_before",
        "reset_mid_stream",
        "truncated_json",
        "malformed_sse",
        "slow_first_byte",
        "stall_mid_stream",
        "mid_stream_error",
        "html_error",
        "empty_body",
        "error_in_200",
    }
)

#: Faults answered with an error status before any body (they let ``models`` fall back).
ERROR_FAULTS = frozenset({"rate_limit", "status", "html_error", "reset_before"})
#: Statuses OpenRouter does not fall back from (they concern the key, not the model).
NO_FALLBACK_STATUSES = frozenset({401, 402})


_MESSAGES: dict[int, tuple[str, str]] = {
    400: ("Provider returned error", "invalid_request"),
    401: ("User not found.", "authentication"),
    402: (
        "This request requires more credits, or fewer max_tokens. You requested up to 4096 "
        "tokens, but can only afford 1024. To increase, visit https://openrouter.ai/settings/"
        "credits and upgrade to a paid account",
        "payment_required",
    ),
    403: ("{model} requires moderation on {provider}. Your input was flagged", "permission_denied"),
    404: ("No endpoints found for {model}.", "not_found"),
    408: ("Request timed out", "timeout"),
    413: ("Request body too large", "payload_too_large"),
    422: ("Provider returned error", "unprocessable"),
    429: ("Provider returned error", "rate_limit_exceeded"),
    500: ("Internal Server Error", "server"),
    502: ("Provider returned error", "provider_unavailable"),
    503: ("No instances available for the requested model", "provider_overloaded"),
    504: ("Provider timed out", "timeout"),
    524: ("Provider timed out", "timeout"),
    529: ("Provider is overloaded", "provider_overloaded"),
}

_RAW: dict[int, str] = {
    429: "{model} is temporarily rate-limited upstream. Please retry shortly, or add your own "
    "key to accumulate your rate limits: https://openrouter.ai/settings/integrations",
    400: '{{"error":{{"message":"Invalid request","type":"invalid_request_error"}}}}',
    422: '{{"error":{{"message":"Unprocessable request","type":"invalid_request_error"}}}}',
    502: "upstream connect error or disconnect/reset before headers. reset reason: "
    "connection termination",
}


@dataclass(frozen=True)
class Fault:
    """One parsed fault spec."""

    name: str
    arg: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @property
    def status(self) -> int:
        """The HTTP status an error-style fault answers with."""
        if self.name == "rate_limit":
            return 429
        if self.name == "status":
            return _to_int(self.arg or self.params.get("code"), 500)
        if self.name in ("html_error",):
            return _to_int(self.params.get("status"), 502)
        if self.name == "empty_body":
            return _to_int(self.params.get("status"), 200)
        return 200

    @property
    def seconds(self) -> float:
        return _to_float(self.arg or self.params.get("seconds"), 1.0)

    @property
    def after(self) -> int:
        return max(0, _to_int(self.params.get("after"), 3))

    @property
    def code(self) -> int:
        return _to_int(self.params.get("code") or self.arg, 502)

    @property
    def retry_after(self) -> str | None:
        return self.params.get("retry_after")

    @property
    def lets_fallback(self) -> bool:
        """Whether ``models`` fallback moves past a model failing this way."""
        return self.name not in ("status",) or self.status not in NO_FALLBACK_STATUSES


def parse_faults(value: str | None) -> list[Fault]:
    """Parse a header value; unknown names raise :class:`ValueError`."""
    out: list[Fault] = []
    for spec in (value or "").split(","):
        spec = spec.strip()
        if not spec:
            continue
        head, *rest = [p.strip() for p in spec.split(";")]
        name, _, arg = head.partition(":")
        name = name.strip().lower()
        if name not in FAULT_NAMES:
            raise ValueError(f"unknown emulator fault {name!r}")
        params: dict[str, str] = {}
        for item in rest:
            key, _, val = item.partition("=")
            if key.strip():
                params[key.strip().lower()] = val.strip()
        out.append(Fault(name, arg.strip() or None, params))
    return out


def error_payload(
    code: int, message: str, metadata: dict[str, Any] | None = None
) -> dict[str, Any]:
    error: dict[str, Any] = {"code": code, "message": message}
    if metadata is not None:
        error["metadata"] = metadata
    return {"error": error}


def fault_error(
    fault: Fault, model: str, provider: str
) -> tuple[int, dict[str, Any], list[tuple[str, str]]]:
    """``(status, body, extra headers)`` for an error-style fault."""
    status = fault.status if fault.name != "error_in_200" else fault.code
    template, error_type = _MESSAGES.get(status, ("Provider returned error", "unmapped"))
    message = fault.params.get("message") or template.format(model=model, provider=provider)
    metadata: dict[str, Any] | None
    if status == 403:
        metadata = {
            "reasons": [fault.params.get("reason", "harassment")],
            "flagged_input": fault.params.get("flagged_input", "...flagged text..."),
            "provider_name": provider,
            "model_slug": model,
        }
    elif status in (401, 402):
        metadata = None
    elif status == 500:
        metadata = {"error_type": "server"}
    else:
        metadata = {
            "provider_name": provider,
            "raw": _RAW.get(status, f"{provider} returned status {status}").format(model=model),
            "error_type": error_type,
        }
    headers: list[tuple[str, str]] = []
    if fault.retry_after is not None:
        headers.append(("Retry-After", fault.retry_after))
    body = error_payload(status, message, metadata)
    if status in (429, 502, 503) and fault.name != "error_in_200":
        body["user_id"] = "user_2emulator0000000000000000"
    return status, body, headers


def anthropic_error(status: int, message: str) -> dict[str, Any]:
    """An error in the Anthropic Messages envelope (``/messages``)."""
    kinds = {
        400: "invalid_request_error",
        401: "authentication_error",
        402: "billing_error",
        403: "permission_error",
        404: "not_found_error",
        408: "timeout_error",
        429: "rate_limit_error",
        503: "overloaded_error",
        529: "overloaded_error",
    }
    error_type = _MESSAGES.get(status, ("", "unmapped"))[1]
    return {
        "type": "error",
        "error": {
            "type": kinds.get(status, "api_error"),
            "message": message,
            "error_type": error_type,
        },
        "request_id": None,
    }


def html_page(status: int) -> bytes:
    from .protocol import REASONS

    reason = REASONS.get(status, "Error")
    return (
        "<!DOCTYPE html>\n<html>\n<head><title>"
        f"{status} {reason}</title></head>\n<body>\n<center><h1>{status} {reason}</h1></center>\n"
        "<hr><center>cloudflare</center>\n</body>\n</html>\n"
    ).encode()


def dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()


def _to_int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


def _to_float(value: str | None, default: float) -> float:
    try:
        return float(value) if value else default
    except ValueError:
        return default


_PROCESSING = b": OPENROUTER PROCESSING\n\n"
_BROKEN_EVENT = (
    b'data: {"id":"gen-broken","object":"chat.completion.chunk",'
    b'"choices":[{"delta":{"content":"\n\n'
)


def pre_response(
    faults: list[Fault],
    *,
    model: str,
    provider: str,
    stream: bool,
    anthropic: bool = False,
    mid_stream_handled: bool = True,
) -> Response | None:
    """The response replacing the real one for faults that fail before any content."""
    for fault in faults:
        name = fault.name
        if name == "reset_before":
            return Response(drop=True, reset=_flag(fault.params.get("rst")))
        if name in ("rate_limit", "status"):
            status, body, headers = fault_error(fault, model, provider)
            if anthropic:
                body = anthropic_error(status, str(body["error"]["message"]))
            return Response(status, dumps(body), headers=headers)
        if name == "html_error":
            return Response(fault.status, html_page(fault.status), content_type="text/html")
        if name == "empty_body":
            if stream and fault.status == 200:
                return Response(200, content_type="text/event-stream", events=[])
            return Response(fault.status, b"")
        if name == "error_in_200" or (name == "mid_stream_error" and not mid_stream_handled):
            _, body, _ = fault_error(Fault("error_in_200", None, fault.params), model, provider)
            if anthropic:
                body = anthropic_error(fault.code, str(body["error"]["message"]))
            if stream:
                events = [_PROCESSING, b"data: " + dumps(body) + b"\n\n"]
                return Response(200, content_type="text/event-stream", events=events)
            return Response(200, dumps(body))
    return None


def transport_faults(faults: list[Fault], response: Response) -> Response:
    """Apply the delay/stall/cut/corruption faults to a ready response."""
    for fault in faults:
        name = fault.name
        if name == "slow_first_byte":
            response.first_byte_delay = fault.seconds
        elif name == "stall_mid_stream":
            response.stall_at = _position(response, fault.after)
            response.stall_seconds = fault.seconds
        elif name == "reset_mid_stream":
            response.cut_at = _position(response, fault.after)
            response.reset = _flag(fault.params.get("rst"))
        elif name == "malformed_sse":
            if response.events is not None:
                response.events.insert(_position(response, fault.after), _BROKEN_EVENT)
            else:
                response.content_type = "text/event-stream"
                response.body = _BROKEN_EVENT
        elif name == "truncated_json":
            if response.events is not None:
                at = min(_position(response, fault.after), len(response.events) - 1)
                event = response.events[at]
                response.events[at] = event[: max(8, len(event) // 2)] + b"\n\n"
            else:
                response.body = response.body[: max(1, len(response.body) // 2)]
    return response


def _position(response: Response, after: int) -> int:
    """Index of the event after ``after`` data events, or the middle of a body."""
    if response.events is None:
        return max(1, len(response.body) // 2)
    seen = 0
    for i, event in enumerate(response.events):
        if seen >= after:
            return i
        if event.startswith(b"data:"):
            seen += 1
    return len(response.events)


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "rst")
