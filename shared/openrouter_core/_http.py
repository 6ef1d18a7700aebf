"""Request building and reply parsing, shared by the sync and async clients.

A :class:`Call` describes one HTTP exchange (method, path or absolute URL, query,
JSON body) and how to parse its reply. The clients only move bytes; everything
else is here. Headers (the key included) and the absolute URL go on each request,
never into an ``httpx`` client's defaults, so a caller's own client is left as it was.
"""

from __future__ import annotations

import math
import ssl
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from . import _json
from ._decode import decode_body
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ClientClosedError,
    InvalidRequestError,
    OpenRouterError,
    ResponseParseError,
    error_from_body,
    error_from_response,
)
from .settings import Settings

__all__ = [
    "Call",
    "OwnedAsyncHTTPClient",
    "OwnedHTTPClient",
    "ReplyCookies",
    "RequestHeaders",
    "build_request",
    "client_closed",
    "encode_json",
    "load_json",
    "make_limits",
    "make_timeout",
    "parse_reply",
    "shared_ssl_context",
    "transport_error",
]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: what to send and how to read the reply body.

    ``path`` is relative to the API base, or an absolute ``https://`` URL (the
    catalog may come from elsewhere). ``parse`` receives the raw body bytes of a
    2xx reply. ``auth=False`` sends no ``Authorization`` header; ``require_key=False``
    sends the key if there is one and does without it otherwise.
    """

    method: str
    path: str
    parse: Callable[[bytes], T]
    params: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    files: Mapping[str, Any] | None = None
    model: str | None = None
    stream: bool = False
    auth: bool = True
    require_key: bool = True
    #: Caps every timeout of this call, in seconds (the catalog's best-effort fetches).
    timeout: float | None = None


def make_timeout(settings: Settings) -> httpx.Timeout:
    t = settings.timeouts
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)


def make_limits(settings: Settings) -> httpx.Limits:
    """Connections to match the in-flight bound, all kept alive between requests."""
    n = settings.max_concurrent_requests
    return httpx.Limits(max_connections=n, max_keepalive_connections=n)


_ssl_lock = threading.Lock()
_ssl_context: ssl.SSLContext | None = None


def shared_ssl_context() -> ssl.SSLContext:
    """One TLS context for every client of the process: loading the CA bundle costs
    ~1 MB and several milliseconds per context, and an app with many keys or event
    loops would otherwise pay it for each client."""
    global _ssl_context
    if _ssl_context is None:
        with _ssl_lock:
            if _ssl_context is None:
                _ssl_context = httpx.create_ssl_context()
    return _ssl_context


class ReplyCookies(httpx.Cookies):
    """``httpx.Cookies`` that reads only the replies that set a cookie.

    ``httpx`` hands every reply to the client's jar, which first copies the request and
    the reply headers into ``urllib``'s formats: about 30 us a request (profiled), spent
    on API replies that almost never set a cookie. Cookies that are set are kept and
    sent back exactly as ``httpx`` would."""

    def extract_cookies(self, response: httpx.Response) -> None:
        headers = response.headers
        if "set-cookie" in headers or "set-cookie2" in headers:
            super().extract_cookies(response)


class _ReplyCookiesJar:
    """Gives an ``httpx`` client a :class:`ReplyCookies` jar (set again if assigned)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reply_cookies = ReplyCookies()

    @property
    def cookies(self) -> httpx.Cookies:
        return self._reply_cookies

    @cookies.setter
    def cookies(self, cookies: Any) -> None:
        self._reply_cookies = ReplyCookies(cookies)


class OwnedHTTPClient(_ReplyCookiesJar, httpx.Client):
    """The ``httpx.Client`` an OpenRouter client opens for itself (never a caller's):
    a plain ``httpx.Client`` whose jar is :class:`ReplyCookies`."""


class OwnedAsyncHTTPClient(_ReplyCookiesJar, httpx.AsyncClient):
    """The async twin of :class:`OwnedHTTPClient`."""


class RequestHeaders:
    """The headers of one client's requests, built once: plain, JSON body, stream.

    ``direct``: the client sends through an ``httpx`` client of its own (never a
    caller's), so a request can be built without ``httpx.Client.build_request``: its
    default headers merged with ours once, not on every call (half the cost of
    building a request when profiled)."""

    __slots__ = ("_merged", "_timeout", "direct", "json", "plain", "public", "stream")

    def __init__(self, settings: Settings) -> None:
        self.plain = settings.request_headers()
        self.json = {**self.plain, "Content-Type": "application/json"}
        self.stream = {**self.json, "Accept": "text/event-stream"}
        self.public = {k: v for k, v in self.plain.items() if k != "Authorization"}
        self.direct = False
        self._merged: dict[bool, httpx.Headers] = {}
        self._timeout: dict[str, Any] | None = None

    def merged(self, client: httpx.Client | httpx.AsyncClient, stream: bool) -> httpx.Headers:
        """The client's default headers overlaid with ours for a JSON body."""
        found = self._merged.get(stream)
        if found is None:
            found = httpx.Headers(client.headers)
            found.update(self.stream if stream else self.json)
            self._merged[stream] = found
        return found

    def timeout(self, client: httpx.Client | httpx.AsyncClient) -> dict[str, Any]:
        """The client's timeouts (read once from a client of our own; a caller's
        client is read on every call, as ``httpx`` itself would)."""
        if not self.direct:
            return client.timeout.as_dict()
        if self._timeout is None:
            self._timeout = client.timeout.as_dict()
        return self._timeout


@lru_cache(maxsize=512)
def _absolute_url(base_url: str, path: str) -> httpx.URL:
    """``path`` joined to the base URL, parsed once (URL parsing was the largest cost
    of building a request when profiled)."""
    if path.startswith(("https://", "http://")):
        return httpx.URL(path)
    return httpx.URL(base_url + "/" + path.lstrip("/"))


def build_request(
    client: httpx.Client | httpx.AsyncClient,
    settings: Settings,
    headers: RequestHeaders,
    call: Call[Any],
) -> httpx.Request:
    """An ``httpx.Request`` for ``call``; JSON is checked and encoded once."""
    params = {k: v for k, v in (call.params or {}).items() if v is not None} or None
    url = _absolute_url(settings.base_url, call.path)
    timeout = headers.timeout(client)
    if call.timeout is not None:
        cap = call.timeout
        timeout = {k: cap if v is None else min(v, cap) for k, v in timeout.items()}
    plain = headers.plain if call.auth else headers.public
    if call.files is not None:
        return client.build_request(
            call.method,
            url,
            params=params,
            data=call.body,
            files=call.files,
            headers=plain,
            timeout=httpx.Timeout(**timeout),
        )
    if call.body is None:
        return client.build_request(
            call.method, url, params=params, headers=plain, timeout=httpx.Timeout(**timeout)
        )
    content = encode_json(call.body)
    if headers.direct and params is None and not client.cookies:
        return httpx.Request(
            call.method,
            url,
            content=content,
            headers=headers.merged(client, call.stream),
            extensions={"timeout": timeout},
        )
    return client.build_request(
        call.method,
        url,
        params=params,
        content=content,
        headers=headers.stream if call.stream else headers.json,
        timeout=httpx.Timeout(**timeout),
    )


# --------------------------------------------------------------------------- the body


def encode_json(body: Mapping[str, Any]) -> bytes:
    """``body`` as compact UTF-8 JSON, refusing what JSON cannot carry faithfully.

    ``NaN`` and infinities would go out as ``null`` (silently lifting, say, a price
    cap), lone surrogates cannot be encoded as UTF-8 at all: both raise
    :class:`InvalidRequestError` naming where they are, before anything is sent."""
    where = _non_finite(body)
    if where is not None:
        raise InvalidRequestError(
            "The request holds a number JSON cannot carry (NaN or infinity) at "
            f"{where or 'the body'}. It would be sent as null; pass a finite number or "
            "leave the field out."
        )
    try:
        return _json.dumps(body)
    except (TypeError, ValueError) as exc:
        raise _unencodable(body, exc) from exc


def _non_finite(value: Any, path: str = "") -> str | None:
    kind = type(value)
    if kind is float:
        return path if not math.isfinite(value) else None
    if kind is dict:
        for key, item in value.items():
            if type(item) in _SCALARS:
                if type(item) is float and not math.isfinite(item):
                    return f"{path}.{key}" if path else str(key)
                continue
            found = _non_finite(item, f"{path}.{key}" if path else str(key))
            if found is not None:
                return found
        return None
    if kind is list or kind is tuple:
        for index, item in enumerate(value):
            if type(item) in _SCALARS and type(item) is not float:
                continue
            found = _non_finite(item, f"{path}[{index}]")
            if found is not None:
                return found
        return None
    if isinstance(value, float):
        return path if not math.isfinite(value) else None
    if isinstance(value, Mapping):
        return _non_finite(dict(value), path)
    return None


_SCALARS = frozenset({str, int, bool, type(None), float})


def _unencodable(body: Any, exc: BaseException) -> InvalidRequestError:
    where = _find(body, "", _bad_text)
    if where is not None:
        path, text = where
        index = next(i for i, ch in enumerate(text) if 0xD800 <= ord(ch) <= 0xDFFF)
        return InvalidRequestError(
            f"Text at {path or 'the body'} holds a lone surrogate ({text[index]!r} at position "
            f"{index}), which cannot be encoded as UTF-8. It usually comes from decoding bytes "
            "with errors='surrogateescape' or from a broken emoji; clean the text first, e.g. "
            "text.encode('utf-8', 'replace').decode('utf-8')."
        )
    where = _find(body, "", _bad_value)
    if where is not None:
        path, value = where
        return InvalidRequestError(
            f"The request holds a {type(value).__name__} at {path or 'the body'}, which is not "
            "JSON; pass strings, numbers, booleans, lists and dicts only."
        )
    return InvalidRequestError(f"The request cannot be encoded as JSON: {exc}")


def _bad_text(value: Any) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _bad_value(value: Any) -> bool:
    return not isinstance(value, (str, int, float, bool, type(None), list, tuple, dict, Mapping))


def _find(value: Any, path: str, bad: Callable[[Any], bool]) -> tuple[str, Any] | None:
    if bad(value):
        return path, value
    if isinstance(value, Mapping):
        for key, item in value.items():
            if _bad_text(key):
                return f"{path}.<key>" if path else "<key>", key
            found = _find(item, f"{path}.{key}" if path else str(key), bad)
            if found is not None:
                return found
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            found = _find(item, f"{path}[{index}]", bad)
            if found is not None:
                return found
    return None


# --------------------------------------------------------------------------- the reply


def parse_reply(call: Call[T], status: int, headers: httpx.Headers, content: bytes) -> T:
    """Turn a complete reply into a result or a typed error."""
    if status >= 400:
        raise error_from_response(status, content, headers, model=call.model)
    generation_id = headers.get("x-generation-id")
    try:
        return call.parse(content)
    except ResponseParseError as exc:
        exc.generation_id = exc.generation_id or generation_id
        raise
    except OpenRouterError:
        raise  # a typed error found in the body (some are also ValueErrors)
    except (ValueError, pydantic.ValidationError) as exc:
        text = content.decode("utf-8", errors="replace")
        raise ResponseParseError(
            f"Could not parse OpenRouter's reply to {call.method} {call.path} "
            f"({len(content)} bytes): {str(exc).splitlines()[0]}",
            body=text,
            generation_id=generation_id,
        ) from exc


def load_json(content: bytes) -> Any:
    """Decode a 2xx JSON body; an ``{"error": ...}`` object becomes a typed error."""
    payload = decode_body(content)
    if (
        isinstance(payload, dict)
        and payload.get("error") is not None
        and not payload.get("choices")
    ):
        raise error_from_body(payload, http_status=502, in_band=True)
    return payload


def transport_error(exc: httpx.HTTPError, call: Call[Any]) -> APIConnectionError:
    """Map an httpx failure (no usable reply) to our error types."""
    where = f"{call.method} {call.path}"
    if isinstance(exc, httpx.TimeoutException):
        return APITimeoutError(
            f"Request timed out ({type(exc).__name__}): {where}", model=call.model
        )
    return APIConnectionError(
        f"Connection to OpenRouter failed ({type(exc).__name__}: {exc}): {where}", model=call.model
    )


def client_closed(exc: BaseException | None = None) -> ClientClosedError:
    error = ClientClosedError(
        "The OpenRouter client was closed. Create a new client (shared clients are "
        "replaced automatically on the next call)."
    )
    error.__cause__ = exc
    return error
