"""Request building and response parsing, shared by the sync and async clients.

A :class:`Call` describes one HTTP exchange (method, path, query, JSON body) and
how to parse its reply. The clients only move bytes; everything else is here.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import httpx
import pydantic

from . import _json
from .config import ClientConfig
from .errors import (
    APIConnectionError,
    APITimeoutError,
    ResponseParseError,
    error_from_body,
    error_from_response,
)

__all__ = ["Call", "build_request", "make_limits", "make_timeout", "parse_reply", "transport_error"]

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Call(Generic[T]):
    """One API call: what to send and how to read the reply body.

    ``parse`` receives the raw body bytes of a 2xx reply.
    """

    method: str
    path: str
    parse: Callable[[bytes], T]
    params: Mapping[str, Any] | None = None
    body: Mapping[str, Any] | None = None
    files: Mapping[str, Any] | None = None
    model: str | None = None
    stream: bool = False


def make_timeout(config: ClientConfig) -> httpx.Timeout:
    t = config.timeouts
    return httpx.Timeout(connect=t.connect, read=t.read, write=t.write, pool=t.pool)


def make_limits(config: ClientConfig) -> httpx.Limits:
    return httpx.Limits(
        max_connections=config.max_connections,
        max_keepalive_connections=config.max_keepalive_connections,
    )


_JSON_HEADERS = {"Content-Type": "application/json"}
_STREAM_HEADERS = {"Content-Type": "application/json", "Accept": "text/event-stream"}


_URLS: weakref.WeakKeyDictionary[httpx.Client | httpx.AsyncClient, dict[str, httpx.URL]] = (
    weakref.WeakKeyDictionary()
)


def _absolute_url(client: httpx.Client | httpx.AsyncClient, path: str) -> httpx.URL:
    """``path`` joined to the client's base URL, parsed once per client and path
    (profiling showed URL parsing and merging as the largest cost of building a request)."""
    urls = _URLS.get(client)
    if urls is None:
        urls = _URLS.setdefault(client, {})
    url = urls.get(path)
    if url is None:
        # httpx keeps base_url with a trailing slash and joins relative paths onto it.
        url = urls[path] = httpx.URL(str(client.base_url) + path.lstrip("/"))
    return url


def build_request(client: httpx.Client | httpx.AsyncClient, call: Call[Any]) -> httpx.Request:
    """An ``httpx.Request`` for ``call``; JSON is encoded compactly, once."""
    params = {k: v for k, v in (call.params or {}).items() if v is not None}
    url = _absolute_url(client, call.path)
    if call.files is not None:
        return client.build_request(
            call.method, url, params=params, data=call.body, files=call.files
        )
    if call.body is None:
        return client.build_request(call.method, url, params=params)
    content = _json.dumps(call.body)
    headers = _STREAM_HEADERS if call.stream else _JSON_HEADERS
    return client.build_request(
        call.method, url, params=params or None, content=content, headers=headers
    )


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
    if not content.strip():
        raise ResponseParseError("OpenRouter sent an empty reply body")
    try:
        payload = _json.loads(content)
    except ValueError as exc:
        text = content.decode("utf-8", errors="replace")
        raise ResponseParseError(
            f"OpenRouter sent a reply that is not valid JSON ({len(content)} bytes): "
            f"{text[:200]!r}",
            body=text,
        ) from exc
    if (
        isinstance(payload, dict)
        and payload.get("error") is not None
        and not payload.get("choices")
    ):
        raise error_from_body(payload, http_status=502)
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
