"""A small, fast HTTP/1.1 server core on ``asyncio`` streams.

Requests: request line, headers, a ``Content-Length`` or chunked body, ``Expect:
100-continue``, pipelining and keep-alive. Responses: ``Content-Length`` bodies, or
chunked transfer-encoding for SSE (one HTTP chunk per event), plus the transport-level
misbehaviours fault injection needs (delays, stalls, dropped connections).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import parse_qsl

__all__ = ["REASONS", "RecordedRequest", "Request", "Response", "serve_connection"]

REASONS = {
    200: "OK",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    402: "Payment Required",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    408: "Request Timeout",
    410: "Gone",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
    524: "A Timeout Occurred",
    529: "Site Overloaded",
}

_NO_JSON = object()
_COMMON = b"access-control-allow-origin: *\r\nvary: Accept-Encoding\r\n"
_BIG_BUFFER = 1 << 20


class RecordedRequest(NamedTuple):
    """A request the emulator received: ``(method, path, headers, json)``.

    ``path`` is the raw target (with any query string); ``headers`` have lower-case
    names; ``json`` is the decoded body, or ``None`` when there was none or it was not JSON.
    """

    method: str
    path: str
    headers: dict[str, str]
    json: Any

    @property
    def url_path(self) -> str:
        return self.path.split("?", 1)[0]


class Request:
    """One parsed request; ``json`` is decoded on first use."""

    __slots__ = ("_json", "body", "headers", "method", "path", "query", "target")

    def __init__(self, method: str, target: str, headers: dict[str, str], body: bytes) -> None:
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        path, _, query = target.partition("?")
        self.path = path
        self.query: dict[str, str] = dict(parse_qsl(query, keep_blank_values=True)) if query else {}
        self._json: Any = _NO_JSON

    @property
    def json(self) -> Any:
        if self._json is _NO_JSON:
            try:
                self._json = json.loads(self.body) if self.body else None
            except ValueError:
                self._json = None
        return self._json

    @property
    def json_ok(self) -> bool:
        """The body is empty or valid JSON."""
        return not self.body or self.json is not None or self.body.strip() == b"null"


@dataclass
class Response:
    """What to send back, including deliberate transport misbehaviour."""

    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: SSE events (each a complete ``data: ...\n\n`` or comment); sent chunked.
    events: list[bytes] | None = None
    first_byte_delay: float = 0.0
    chunk_delay: float = 0.0
    #: Pause ``stall_seconds`` before event index / body offset ``stall_at``.
    stall_at: int | None = None
    stall_seconds: float = 0.0
    #: Drop the connection before event index / body offset ``cut_at``.
    cut_at: int | None = None
    #: Close the connection without answering at all.
    drop: bool = False
    #: Close with a TCP reset instead of an orderly shutdown.
    reset: bool = False


Handler = Callable[[Request], Response]


async def serve_connection(
    handler: Handler,
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    on_close: Callable[[asyncio.StreamWriter], None] | None = None,
) -> None:
    """Serve requests on one connection until it closes or asks to."""
    try:
        while True:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except asyncio.IncompleteReadError:
                break
            except asyncio.LimitOverrunError:
                writer.write(
                    b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\n\r\n"
                )
                break
            lines = head[:-4].decode("latin-1").split("\r\n")
            parts = lines[0].split(" ")
            if len(parts) != 3:
                writer.write(
                    b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
                )
                break
            method, target, version = parts
            headers: dict[str, str] = {}
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                value = value.strip()
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
            if headers.get("expect", "").lower() == "100-continue":
                writer.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            if "chunked" in headers.get("transfer-encoding", "").lower():
                body = await _read_chunked(reader)
            else:
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
            connection = headers.get("connection", "").lower()
            keep = (
                "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
            )
            try:
                response = handler(Request(method, target, headers, body))
            except Exception as exc:  # a handler bug must not kill the connection silently
                payload = {"error": {"code": 500, "message": f"emulator error: {exc!r}"}}
                response = Response(500, json.dumps(payload).encode())
            if not await _send(writer, response, keep, method == "HEAD"):
                return
            if not keep:
                break
    except (ConnectionError, asyncio.IncompleteReadError, ValueError):
        pass
    finally:
        if on_close is not None:
            on_close(writer)
        if not writer.is_closing():
            writer.close()


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size_line = await reader.readuntil(b"\r\n")
        size = int(size_line.split(b";", 1)[0].strip() or b"0", 16)
        if size == 0:
            while (await reader.readuntil(b"\r\n")) != b"\r\n":
                pass
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _head(response: Response, keep: bool, extra: bytes) -> bytes:
    reason = REASONS.get(response.status, "Unknown")
    lines = [f"HTTP/1.1 {response.status} {reason}\r\n".encode(), _COMMON]
    if response.content_type:
        lines.append(b"content-type: " + response.content_type.encode() + b"\r\n")
    for name, value in response.headers:
        lines.append(f"{name}: {value}\r\n".encode("latin-1", "replace"))
    lines.append(b"connection: keep-alive\r\n" if keep else b"connection: close\r\n")
    lines.append(extra)
    lines.append(b"\r\n")
    return b"".join(lines)


def _abort(writer: asyncio.StreamWriter, reset: bool) -> None:
    if reset:
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
    else:
        writer.close()


async def _flush(writer: asyncio.StreamWriter) -> None:
    if writer.transport.get_write_buffer_size() > _BIG_BUFFER:
        await writer.drain()


async def _send(
    writer: asyncio.StreamWriter, response: Response, keep: bool, head_only: bool = False
) -> bool:
    """Write ``response``; ``False`` when the connection is gone or was dropped on purpose."""
    if response.first_byte_delay > 0:
        await asyncio.sleep(response.first_byte_delay)
    if response.drop:
        _abort(writer, response.reset)
        return False
    if response.events is None:
        body = b"" if head_only else response.body
        head = _head(response, keep, b"content-length: %d\r\n" % len(response.body))
        split = response.cut_at if response.cut_at is not None else response.stall_at
        if split is None:
            writer.write(head + body)
            await _flush(writer)
            return True
        writer.write(head + body[:split])
        await writer.drain()
        if response.cut_at is not None:
            _abort(writer, response.reset)
            return False
        await asyncio.sleep(response.stall_seconds)
        writer.write(body[split:])
        await _flush(writer)
        return True
    head = _head(response, keep, b"cache-control: no-cache\r\ntransfer-encoding: chunked\r\n")
    frames = [b"%x\r\n%b\r\n" % (len(e), e) for e in response.events if e]
    if response.chunk_delay <= 0 and response.stall_at is None and response.cut_at is None:
        writer.write(head + b"".join(frames) + b"0\r\n\r\n")
        await _flush(writer)
        return True
    writer.write(head)
    for i, frame in enumerate(frames):
        if response.cut_at is not None and i >= response.cut_at:
            await writer.drain()
            _abort(writer, response.reset)
            return False
        if response.stall_at is not None and i == response.stall_at:
            await writer.drain()
            await asyncio.sleep(response.stall_seconds)
        writer.write(frame)
        if response.chunk_delay > 0:
            await writer.drain()
            await asyncio.sleep(response.chunk_delay)
        else:
            await _flush(writer)
    writer.write(b"0\r\n\r\n")
    await _flush(writer)
    return True
