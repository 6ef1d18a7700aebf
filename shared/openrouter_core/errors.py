"""The exception hierarchy, and the one function that maps an HTTP reply to it.

Everything raised by this package derives from :class:`OpenRouterError`:

* :class:`RequestRejectedError` and its subclasses are raised *before* anything
  is sent (bad parameters, unknown model, missing capability).
* :class:`APIConnectionError` / :class:`APITimeoutError` when no reply came.
* :class:`APIStatusError` and one subclass per status OpenRouter documents when a
  reply came with an error (also HTML proxy pages and empty bodies).
* :class:`StreamInterruptedError` when a stream failed after output began; it
  keeps the partial output so nothing is silently lost.
* :class:`AllModelsFailedError` when every model of a fallback route failed.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .types.attempts import Attempt
    from .types.chat import ChatResult
    from .types.responses import ResponsesResult

__all__ = [
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AllModelsFailedError",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "CapabilityError",
    "ClientClosedError",
    "ConfigurationError",
    "ContextLengthExceededError",
    "GoneError",
    "InBandError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidRequestError",
    "ModerationError",
    "NotFoundError",
    "OpenRouterError",
    "OriginTimeoutError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProviderOverloadedError",
    "RateLimitError",
    "RequestRejectedError",
    "RequestTimeoutError",
    "ResponseParseError",
    "ServiceUnavailableError",
    "StreamInterruptedError",
    "UnknownModelError",
    "UnprocessableEntityError",
    "error_from_response",
    "parse_retry_after",
]


class OpenRouterError(Exception):
    """Base class of every error this package raises.

    Every one pickles (errors cross process pools, Celery and Ray): it is rebuilt
    from its message and attributes, whatever its constructor takes.
    """

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore_error, (type(self), self.args), self.__dict__)


def _restore_error(cls: type[OpenRouterError], args: tuple[Any, ...]) -> OpenRouterError:
    error = BaseException.__new__(cls)
    error.args = args
    return error


class ConfigurationError(OpenRouterError, ValueError):
    """The client was configured in a way that cannot work (no key, insecure URL...)."""


# --------------------------------------------------------------------------- before sending


class RequestRejectedError(OpenRouterError, ValueError):
    """A request was refused locally, before anything was sent."""


class InvalidRequestError(RequestRejectedError):
    """A parameter or message is invalid (out of range, wrong role, bad schema...)."""


class UnknownModelError(RequestRejectedError):
    """The model id is not in the catalog. ``suggestions`` holds the closest ids."""

    def __init__(self, model: str, suggestions: Sequence[str]) -> None:
        self.model = model
        self.suggestions = list(suggestions)
        hint = (
            f" Did you mean: {', '.join(self.suggestions)}?"
            if self.suggestions
            else " List models with Catalog.query() or `GET /models`."
        )
        super().__init__(f"Unknown OpenRouter model id {model!r}.{hint}")


class CapabilityError(RequestRejectedError):
    """The catalog says the model cannot serve this request.

    ``missing`` names each missing capability; ``capable_models`` lists models
    from the catalog that have all of them.
    """

    def __init__(
        self, model: str, missing: Sequence[str], capable_models: Sequence[str], total_capable: int
    ) -> None:
        self.model = model
        self.missing = list(missing)
        self.capable_models = list(capable_models)
        self.total_capable = total_capable
        lines = [f"Model {model!r} cannot serve this request: " + "; ".join(self.missing) + "."]
        if self.capable_models:
            more = total_capable - len(self.capable_models)
            extra = f" (and {more} more)" if more > 0 else ""
            lines.append(
                "Models in the catalog that can: " + ", ".join(self.capable_models) + extra + "."
            )
        else:
            lines.append("No model in the catalog has all of these capabilities.")
        lines.append(
            "Fix: choose one of those models, add one as a fallback, or pass "
            "capability_check='warn' (or 'off') to send anyway."
        )
        super().__init__(" ".join(lines))


# --------------------------------------------------------------------------- no reply


class APIConnectionError(OpenRouterError):
    """No usable HTTP reply: connection refused or reset, DNS or TLS failure."""

    def __init__(self, message: str, *, model: str | None = None) -> None:
        self.model = model
        super().__init__(message)


class APITimeoutError(APIConnectionError):
    """The request timed out (connect, read or write)."""


class ClientClosedError(OpenRouterError):
    """The client was closed (``close()`` / ``aclose()`` / ``close_shared_clients()``)
    while or before a request used it. Shared clients are replaced on the next lookup,
    so a retry through a framework object gets a fresh one."""


class ResponseParseError(OpenRouterError, ValueError):
    """A 2xx reply whose body could not be understood (truncated JSON, bad SSE, a
    completion without choices). Also a ``ValueError``, as the official packages raise."""

    def __init__(self, message: str, *, body: str = "", generation_id: str | None = None) -> None:
        self.body = body
        self.generation_id = generation_id
        super().__init__(message)


# --------------------------------------------------------------------------- error replies


class APIStatusError(OpenRouterError):
    """OpenRouter (or a proxy in front of it) answered with an error.

    Attributes mirror OpenRouter's error body: ``status_code``, ``message``,
    ``metadata`` plus the commonly used metadata keys ``provider_name``, ``raw``
    and ``error_type``, the ``generation_id`` when known, and ``body`` (the
    reply text, for non-JSON pages).
    """

    status_code: int = 0
    retryable: bool = False

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        metadata: Mapping[str, Any] | None = None,
        generation_id: str | None = None,
        body: str = "",
        headers: Mapping[str, str] | None = None,
        model: str | None = None,
    ) -> None:
        if status_code is not None:
            self.status_code = status_code
        self.message = message
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.generation_id = generation_id
        self.body = body
        self.headers: dict[str, str] = dict(headers or {})
        self.model = model
        super().__init__(self._describe())

    @property
    def provider_name(self) -> str | None:
        value = self.metadata.get("provider_name")
        return str(value) if value is not None else None

    @property
    def raw(self) -> Any:
        return self.metadata.get("raw")

    @property
    def error_type(self) -> str | None:
        value = self.metadata.get("error_type")
        return str(value) if value is not None else None

    def _describe(self) -> str:
        parts = [f"OpenRouter returned {self.status_code}: {self.message}"]
        if self.model:
            parts.append(f"model={self.model}")
        if self.provider_name:
            parts.append(f"provider={self.provider_name}")
        if self.error_type:
            parts.append(f"error_type={self.error_type}")
        raw = self.raw
        if raw:
            text = raw if isinstance(raw, str) else json.dumps(raw, default=str)
            parts.append(f"upstream={text[:300]}")
        if self.generation_id:
            parts.append(f"generation_id={self.generation_id}")
        return " | ".join(parts)


class BadRequestError(APIStatusError):
    status_code = 400


class ContextLengthExceededError(BadRequestError):
    """The prompt plus ``max_tokens`` does not fit the model's context window."""


class AuthenticationError(APIStatusError):
    status_code = 401


class InsufficientCreditsError(APIStatusError):
    """402: the account or key is out of credits."""

    status_code = 402


class PermissionDeniedError(APIStatusError):
    status_code = 403


class ModerationError(PermissionDeniedError):
    """403 from a moderation or guardrail check; see ``reasons`` and ``flagged_input``."""

    @property
    def reasons(self) -> list[str]:
        value = self.metadata.get("reasons") or []
        return [str(v) for v in value] if isinstance(value, list) else [str(value)]

    @property
    def flagged_input(self) -> str | None:
        value = self.metadata.get("flagged_input")
        return str(value) if value is not None else None


class NotFoundError(APIStatusError):
    status_code = 404


class GoneError(APIStatusError):
    """410: the endpoint was retired (e.g. ``/credits/coinbase``)."""

    status_code = 410


class RequestTimeoutError(APIStatusError):
    status_code = 408
    retryable = True


class PayloadTooLargeError(APIStatusError):
    status_code = 413


class UnprocessableEntityError(APIStatusError):
    status_code = 422


class RateLimitError(APIStatusError):
    """429. ``retry_after`` holds the server's requested wait in seconds, if sent."""

    status_code = 429
    retryable = True

    @property
    def retry_after(self) -> float | None:
        return parse_retry_after(self.headers.get("retry-after"))


class InternalServerError(APIStatusError):
    status_code = 500
    retryable = True


class BadGatewayError(APIStatusError):
    """502: the model is down or its provider sent an invalid reply."""

    status_code = 502
    retryable = True


class ServiceUnavailableError(APIStatusError):
    """503: no provider meets the routing requirements right now."""

    status_code = 503
    retryable = True


class OriginTimeoutError(APIStatusError):
    """524: the upstream took too long (Cloudflare timeout)."""

    status_code = 524
    retryable = True


class ProviderOverloadedError(APIStatusError):
    """529: the provider is overloaded."""

    status_code = 529
    retryable = True


_BY_STATUS: dict[int, type[APIStatusError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        InsufficientCreditsError,
        PermissionDeniedError,
        NotFoundError,
        RequestTimeoutError,
        GoneError,
        PayloadTooLargeError,
        UnprocessableEntityError,
        RateLimitError,
        InternalServerError,
        BadGatewayError,
        ServiceUnavailableError,
        OriginTimeoutError,
        ProviderOverloadedError,
    )
}

_CONTEXT_WORDS = ("context length", "context_length", "maximum context", "context window")


def status_error_class(
    status: int, message: str, metadata: Mapping[str, Any]
) -> type[APIStatusError]:
    """Pick the most specific error class for a status, message and metadata."""
    if status == 400 and any(w in message.lower() for w in _CONTEXT_WORDS):
        return ContextLengthExceededError
    if status == 403 and ("reasons" in metadata or "flagged_input" in metadata):
        return ModerationError
    cls = _BY_STATUS.get(status)
    if cls is not None:
        return cls
    if status >= 500:
        return InternalServerError
    if status == 429:
        return RateLimitError
    return APIStatusError


def _generic(status: int, message: str, **kwargs: Any) -> APIStatusError:
    cls = status_error_class(status, message, kwargs.get("metadata") or {})
    return cls(message, status_code=status, **kwargs)


class InBandError(ValueError):
    """Mixed into a typed error that arrived inside an HTTP 200 reply (an ``error``
    chunk in a stream, an ``{"error": ...}`` body): ``except RateLimitError`` and
    ``except ValueError`` (what the official packages raise there) both catch it."""

    def __reduce__(self) -> tuple[Any, ...]:
        # The class is made at run time; rebuild it by its base's name on unpickling.
        base = next(c for c in type(self).__mro__[1:] if issubclass(c, APIStatusError))
        return (_rebuild_in_band, (base.__name__, self.args), self.__dict__)


_IN_BAND: dict[str, type[APIStatusError]] = {}


def in_band_class(cls: type[APIStatusError]) -> type[APIStatusError]:
    """``cls`` made also an :class:`InBandError` (one class per status class)."""
    made = _IN_BAND.get(cls.__name__)
    if made is None or not issubclass(made, cls):
        namespace = {
            "__module__": __name__,
            "__doc__": cls.__doc__,
            "__reduce__": InBandError.__reduce__,  # before OpenRouterError's in the MRO
        }
        made = _IN_BAND[cls.__name__] = type(cls.__name__, (cls, InBandError), namespace)
    return made


def _rebuild_in_band(base_name: str, args: tuple[Any, ...]) -> APIStatusError:
    cls = in_band_class(globals()[base_name])
    error: APIStatusError = BaseException.__new__(cls)
    error.args = args
    return error


def error_from_body(
    payload: Mapping[str, Any],
    *,
    http_status: int,
    headers: Mapping[str, str] | None = None,
    generation_id: str | None = None,
    body: str = "",
    model: str | None = None,
    in_band: bool = False,
) -> APIStatusError:
    """Build an error from an OpenRouter ``{"error": {...}}`` object.

    The error's own ``code`` wins over the HTTP status (an error inside a 200
    stream or body carries its true code there). ``in_band``: the object came inside
    a 200 reply, so the error is also a ``ValueError`` (:class:`InBandError`).
    """
    err = payload.get("error")
    if not isinstance(err, Mapping):
        err = {"message": str(err)}
    code = err.get("code")
    status = code if isinstance(code, int) and 100 <= code <= 599 else http_status
    if status < 400:
        status = 502
    message = str(err.get("message") or "OpenRouter API returned an error without a message")
    metadata = err.get("metadata")
    cls = status_error_class(status, message, metadata if isinstance(metadata, Mapping) else {})
    if in_band:
        cls = in_band_class(cls)
    return cls(
        message,
        status_code=status,
        metadata=metadata if isinstance(metadata, Mapping) else {},
        generation_id=generation_id,
        body=body,
        headers=headers,
        model=model,
    )


def error_from_response(
    status: int,
    body: bytes,
    headers: Mapping[str, str],
    *,
    model: str | None = None,
) -> APIStatusError:
    """Map an HTTP error reply (JSON, HTML proxy page or empty) to a typed error."""
    lowered = {k.lower(): v for k, v in headers.items()}
    generation_id = lowered.get("x-generation-id")
    text = body.decode("utf-8", errors="replace")
    try:
        payload = json.loads(text) if text.strip() else None
    except ValueError:
        payload = None
    if isinstance(payload, Mapping) and "error" in payload:
        return error_from_body(
            payload,
            http_status=status,
            headers=lowered,
            generation_id=generation_id,
            body=text,
            model=model,
        )
    if not text.strip():
        message = f"empty response body (HTTP {status})"
    elif "html" in lowered.get("content-type", "") or text.lstrip().startswith("<"):
        message = f"non-JSON error page from a proxy (HTTP {status}): {_html_title(text)}"
    else:
        message = text.strip()[:500]
    return _generic(
        status, message, generation_id=generation_id, body=text, headers=lowered, model=model
    )


def _html_title(text: str) -> str:
    lower = text.lower()
    start = lower.find("<title>")
    end = lower.find("</title>")
    if start != -1 and end > start:
        return text[start + 7 : end].strip()[:200]
    return " ".join(text.split())[:200]


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    from email.utils import parsedate_to_datetime

    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    import datetime as _dt

    now = _dt.datetime.now(tz=when.tzinfo or _dt.timezone.utc)
    return max(0.0, (when - now).total_seconds())


# --------------------------------------------------------------------------- streams & routes


class StreamInterruptedError(APIStatusError, ValueError):
    """A stream failed after output had begun (an in-band ``error`` chunk, a reset
    connection or an undecodable event). ``partial`` holds everything received so far
    (a ``ChatResult``, or a ``ResponsesResult`` for ``/responses`` streams); it is
    never returned as if the answer were complete. Also a ``ValueError``, as
    the official packages raise for an error inside a stream."""

    def __init__(
        self,
        message: str,
        *,
        partial: ChatResult | ResponsesResult | None,
        status_code: int = 502,
        metadata: Mapping[str, Any] | None = None,
        generation_id: str | None = None,
        model: str | None = None,
    ) -> None:
        self.partial = partial
        super().__init__(
            message,
            status_code=status_code,
            metadata=metadata,
            generation_id=generation_id,
            model=model,
        )
        self.retryable = False


class AllModelsFailedError(OpenRouterError):
    """Every model of a fallback route failed or was skipped; ``attempts`` lists why."""

    def __init__(self, attempts: Sequence[Attempt], last_error: BaseException | None) -> None:
        self.attempts = list(attempts)
        self.last_error = last_error
        detail = "; ".join(a.describe() for a in self.attempts) or "no model was tried"
        super().__init__(f"Every model of the route failed: {detail}")
