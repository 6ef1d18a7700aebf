"""Reply builders for the unit tests' scripted server."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any


def completion(
    content: str | None = "Hello!",
    *,
    model: str = "openai/gpt-4o-mini",
    tool_calls: list[dict[str, Any]] | None = None,
    reasoning: str | None = None,
    reasoning_details: list[dict[str, Any]] | None = None,
    finish_reason: str = "stop",
) -> dict[str, Any]:
    """A ``/chat/completions`` reply body shaped like OpenRouter's."""
    message: dict[str, Any] = {"role": "assistant", "content": content}
    if tool_calls:
        message["tool_calls"] = tool_calls
    if reasoning:
        message["reasoning"] = reasoning
    if reasoning_details:
        message["reasoning_details"] = reasoning_details
    return {
        "id": "gen-123",
        "object": "chat.completion",
        "created": 1700000000,
        "model": model,
        "provider": "OpenAI",
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": finish_reason,
                "native_finish_reason": finish_reason,
            }
        ],
        "usage": {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "cost": 0.00002,
            "prompt_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    }


def tool_call(call_id: str, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": call_id,
        "type": "function",
        "function": {"name": name, "arguments": json.dumps(arguments)},
    }


def stream_events(
    pieces: list[str],
    *,
    model: str = "openai/gpt-4o-mini",
    reasoning: Sequence[str] = (),
    tool_deltas: Sequence[list[dict[str, Any]]] = (),
) -> list[dict[str, Any]]:
    """SSE ``data`` payloads of a streamed reply: reasoning, text, tool calls, usage."""
    base = {"id": "gen-s", "object": "chat.completion.chunk", "model": model, "provider": "OpenAI"}

    def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "finish_reason": finish}
        return {**base, "choices": [choice]}

    events = [chunk({"role": "assistant", "content": ""})]
    events += [chunk({"reasoning": r}) for r in reasoning]
    events += [chunk({"content": p}) for p in pieces]
    events += [chunk({"tool_calls": d}) for d in tool_deltas]
    events.append(chunk({}, "tool_calls" if tool_deltas else "stop"))
    usage = {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10, "cost": 0.00001}
    events.append({**base, "choices": [], "usage": usage})
    return events


def png(size: int = 16, rgb: tuple[int, int, int] = (200, 30, 30)) -> bytes:
    """A valid solid-colour PNG (``size`` x ``size``)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    row = b"\x00" + bytes(rgb) * size
    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(row * size))
        + chunk(b"IEND", b"")
    )


class MockOpenRouter:
    """An ``httpx.MockTransport`` standing in for OpenRouter, for objects given their
    own ``http_client`` / ``async_http_client``: records every request (method, path,
    headers, JSON body), serves ``/models`` from the catalog snapshot, and answers
    with the queued replies (a plain completion when none is queued)."""

    def __init__(self) -> None:
        from pathlib import Path

        import httpx

        self._httpx = httpx
        self._catalog = (Path(__file__).resolve().parents[1] / "data/models.json").read_bytes()
        self.requests: list[dict[str, Any]] = []
        self.replies: list[Any] = []
        self.transport = httpx.MockTransport(self._handle)

    def _handle(self, request: Any) -> Any:
        httpx = self._httpx
        if request.method == "GET" and request.url.path.endswith("/embeddings/models"):
            # No listing of embedding models here: their ids go unchecked.
            return httpx.Response(404, json={"error": {"code": 404, "message": "not here"}})
        if request.method == "GET" and request.url.path.endswith("/models"):
            return httpx.Response(200, content=self._catalog)
        body = json.loads(request.content) if request.content else None
        self.requests.append(
            {
                "method": request.method,
                "path": request.url.path,
                "headers": dict(request.headers),
                "body": body,
            }
        )
        if self.replies:
            reply = self.replies.pop(0)
        elif isinstance(body, dict) and body.get("stream"):
            reply = stream_events(["ok"])
        else:
            reply = completion("ok")
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, list):  # SSE events
            text = "".join(f"data: {json.dumps(e)}\n\n" for e in reply) + "data: [DONE]\n\n"
            return httpx.Response(
                200, content=text.encode(), headers={"content-type": "text/event-stream"}
            )
        if isinstance(reply, httpx.Response):
            return reply
        return httpx.Response(200, json=reply)

    def client(self, **kwargs: Any) -> Any:
        return self._httpx.Client(transport=self.transport, **kwargs)

    def async_client(self, **kwargs: Any) -> Any:
        return self._httpx.AsyncClient(transport=self.transport, **kwargs)

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [r["body"] for r in self.requests]


def embedding_reply(count: int, dims: int = 3) -> dict[str, Any]:
    """A ``/embeddings`` reply with ``count`` vectors."""
    return {
        "object": "list",
        "model": "openai/text-embedding-3-small",
        "data": [
            {"object": "embedding", "index": i, "embedding": [float(i)] * dims}
            for i in range(count)
        ],
        "usage": {"prompt_tokens": count, "total_tokens": count},
    }
