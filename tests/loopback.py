"""A small OpenRouter-shaped HTTP/1.1 server on loopback, for deployment, load and
rate-limit tests (real sockets, keep-alive, chunked SSE; no mocks in the client).

It answers in the shapes of OpenRouter's recorded traffic, and makes each answer
checkable by its caller:

* ``POST /chat/completions`` echoes the last user message (``"echo: <text>"``), as
  one JSON reply or an SSE stream of word chunks (led by ``: OPENROUTER PROCESSING``,
  closed by a usage chunk and ``[DONE]``);
* ``POST /embeddings`` gives each input ``[len(text), sum of its code points, 1.0]``;
* ``GET /models`` serves the real catalog snapshot (``tests/data/models.json``);
  ``GET /embeddings/models`` a catalog of the embedding models in :data:`EMBEDDING_MODELS`;
* ``GET /_stats`` reports what it saw (requests, 429s, requests per second, models,
  catalog reads (``catalog_requests``, not counted in ``requests``),
  the largest number of requests it was serving at once, the TCP connections it
  accepted); ``GET /_stats?arrivals=1``
  adds every counted request as ``[time.time(), status, model]``, in arrival order;
  ``keys`` counts the requests by key, as the first 16 hex digits of the SHA-256 of
  their ``Authorization`` header (never the key); ``POST /_reset`` clears it.

Behaviour a test can ask for, in the last user message or an embedding input:
``#retry_after=N`` (429 with ``Retry-After: N``), ``#delay=S`` (answer after S
seconds), ``#no_tool_ids`` (two tool calls without ids), ``#bad_args`` (a tool call
whose arguments are not JSON), ``#reject`` (400, not retryable; chat or an embedding
input), ``#once429=account`` / ``#once429=provider`` (the first
request carrying this exact message gets an account-wide 429, with ``X-RateLimit-*``
headers, or a provider's 429, without them; ``Retry-After: 0.1``; later ones pass).

Limits (command line, or :class:`Config`): ``rate``/``burst`` is an account-wide
limit (beyond it: 429 with ``Retry-After`` and ``X-RateLimit-*`` headers, as
OpenRouter sends for an account's limit); ``model_rates`` limits single models
(beyond it: a provider's 429, without ``X-RateLimit-*``).

Run in-process with :func:`running` (a thread), or as its own process with
``python -m tests.loopback [--rate R --burst B --model-rate MODEL=R]``, which prints
its base URL.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
GEN = "gen-1764000000-Loopback"
_DIRECTIVE = re.compile(r"#(\w+)(?:=([\w.]+))?")


@dataclass
class Config:
    rate: float | None = None
    burst: int = 1
    model_rates: dict[str, float] = field(default_factory=dict)
    chunk_delay: float = 0.0


class Bucket:
    """Requests per second with a burst: the server side of a rate limit."""

    def __init__(self, rate: float, burst: int) -> None:
        self.rate, self.burst = rate, max(1, burst)
        self.tokens = float(self.burst)
        self.stamp = time.monotonic()

    def take(self) -> float:
        """0 if a request may pass now, else seconds until one may."""
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


class Stats:
    def __init__(self) -> None:
        self.active = 0
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.account_429 = 0
        self.provider_429 = 0
        self.ok = 0
        self.per_second: Counter[int] = Counter()
        self.ok_per_second: Counter[int] = Counter()
        self.models: Counter[str] = Counter()
        self.keys: Counter[str] = Counter()
        #: ``GET`` of a catalog (not counted in ``requests``).
        self.catalog_requests = 0
        self.peak_active = 0
        #: TCP connections accepted.
        self.connections = 0
        self.started = time.time()
        #: ``[time.time(), status, model]`` of every counted request.
        self.arrivals: list[tuple[float, int, str]] = []
        self.once_seen: set[str] = set()

    def as_dict(self, arrivals: bool = False) -> dict[str, Any]:
        found = {
            "requests": self.requests,
            "ok": self.ok,
            "account_429": self.account_429,
            "provider_429": self.provider_429,
            "per_second": {str(k): v for k, v in sorted(self.per_second.items())},
            "ok_per_second": {str(k): v for k, v in sorted(self.ok_per_second.items())},
            "models": dict(self.models),
            "keys": dict(self.keys),
            "catalog_requests": self.catalog_requests,
            "peak_active": self.peak_active,
            "connections": self.connections,
        }
        if arrivals:
            found["arrivals"] = self.arrivals
        return found


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def _head(status: str, content_type: str, extra: dict[str, str] | None = None) -> bytes:
    lines = [f"HTTP/1.1 {status}", f"content-type: {content_type}", "connection: keep-alive"]
    lines += [f"{k}: {v}" for k, v in (extra or {}).items()]
    return ("\r\n".join(lines) + "\r\n").encode()


def whole(
    status: str, body: bytes, content_type: str, extra: dict[str, str] | None = None
) -> bytes:
    return _head(status, content_type, {**(extra or {}), "content-length": str(len(body))}) + (
        b"\r\n" + body
    )


#: The embedding models ``GET /embeddings/models`` lists.
EMBEDDING_MODELS = (
    "openai/text-embedding-3-small",
    "openai/text-embedding-3-large",
    "mistralai/mistral-embed-2312",
)


def _embedding_model(model_id: str) -> dict[str, Any]:
    """A ``/embeddings/models`` entry: text in, embeddings out."""
    return {
        "id": model_id,
        "name": model_id.split("/")[-1],
        "created": 1700000000,
        "context_length": 8192,
        "architecture": {
            "modality": "text->embeddings",
            "input_modalities": ["text"],
            "output_modalities": ["embeddings"],
            "tokenizer": "Other",
        },
        "pricing": {"prompt": "0.00000002", "completion": "0"},
        "top_provider": {"context_length": 8192, "max_completion_tokens": None},
        "supported_parameters": [],
    }


USAGE = {"prompt_tokens": 5, "completion_tokens": 3, "total_tokens": 8, "cost": 1.2e-6}


class App:
    """What the server answers; shared by every connection."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.stats = Stats()
        self.account = Bucket(config.rate, config.burst) if config.rate else None
        self.model_buckets = {m: Bucket(r, 1) for m, r in config.model_rates.items()}
        self.models_body = whole(
            "200 OK", (ROOT / "tests/data/models.json").read_bytes(), "application/json"
        )
        self.embedding_models_body = whole(
            "200 OK",
            _dumps({"data": [_embedding_model(m) for m in EMBEDDING_MODELS]}),
            "application/json",
        )

    # -- limits

    def _limited(self, model: str | None) -> bytes | None:
        if self.account is not None:
            wait = self.account.take()
            if wait > 0:
                self.stats.account_429 += 1
                reset_ms = int((time.time() + wait) * 1000)
                return self._error(
                    429,
                    "Rate limit exceeded: limit_rpm/account",
                    {
                        "retry-after": str(max(1, math.ceil(wait))),
                        "x-ratelimit-limit": str(int(self.account.rate)),
                        "x-ratelimit-remaining": "0",
                        "x-ratelimit-reset": str(reset_ms),
                    },
                )
        bucket = self.model_buckets.get(model or "")
        if bucket is not None:
            wait = bucket.take()
            if wait > 0:
                self.stats.provider_429 += 1
                return self._error(
                    429,
                    f"{model} is temporarily rate-limited upstream",
                    {"retry-after": str(max(1, math.ceil(wait)))},
                    metadata={"provider_name": "Upstream", "raw": "rate limited"},
                )
        return None

    def _rejected(self, payload: dict[str, Any]) -> bytes | None:
        """``#reject`` in the last user message or any embedding input: a 400."""
        inputs = payload.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        texts.append(_last_user_text(payload.get("messages") or []))
        if any(isinstance(t, str) and "#reject" in t for t in texts):
            return self._error(400, "rejected on request (#reject)", {})
        return None

    def _once(self, payload: dict[str, Any]) -> bytes | None:
        """``#once429=account|provider``: a 429 for the first request with this text."""
        text = _last_user_text(payload.get("messages") or [])
        kind = _directives(text).get("once429")
        if kind not in ("account", "provider") or text in self.stats.once_seen:
            return None
        self.stats.once_seen.add(text)
        if kind == "account":
            self.stats.account_429 += 1
            headers = {
                "retry-after": "0.1",
                "x-ratelimit-limit": "1",
                "x-ratelimit-remaining": "0",
                "x-ratelimit-reset": str(int((time.time() + 0.1) * 1000)),
            }
            return self._error(429, "Rate limit exceeded: limit_rpm/account", headers)
        self.stats.provider_429 += 1
        return self._error(
            429,
            f"{payload.get('model')} is temporarily rate-limited upstream",
            {"retry-after": "0.1"},
            metadata={"provider_name": "Upstream", "raw": "rate limited"},
        )

    def _error(
        self,
        code: int,
        message: str,
        headers: dict[str, str],
        metadata: dict[str, Any] | None = None,
    ) -> bytes:
        error: dict[str, Any] = {"code": code, "message": message}
        if metadata:
            error["metadata"] = metadata
        status = {429: "429 Too Many Requests"}.get(code, f"{code} Error")
        return whole(status, _dumps({"error": error}), "application/json", headers)

    # -- routes

    async def handle(
        self, method: str, path: str, body: bytes, auth: str = ""
    ) -> bytes | AsyncIterator[bytes]:
        path, _, query = path.partition("?")
        if path.endswith("/_stats"):
            detail = self.stats.as_dict(arrivals="arrivals=1" in query)
            return whole("200 OK", _dumps(detail), "application/json")
        if path.endswith("/_reset"):
            self.stats.reset()
            return whole("200 OK", b"{}", "application/json")
        if method == "GET" and path.endswith("/embeddings/models"):
            self.stats.catalog_requests += 1
            return self.embedding_models_body
        if method == "GET" and path.endswith("/models"):
            self.stats.catalog_requests += 1
            return self.models_body
        self.stats.requests += 1
        self.stats.keys[key_digest(auth)] += 1
        now = time.time()
        second = int(now)
        self.stats.per_second[second] += 1
        payload = json.loads(body) if body else {}
        model = payload.get("model")
        limited = self._limited(model) or self._once(payload)
        rejected = None if limited is not None else self._rejected(payload)
        status = 429 if limited is not None else 400 if rejected is not None else 200
        self.stats.arrivals.append((now, status, model or "?"))
        if limited is not None:
            return limited
        if rejected is not None:
            return rejected
        self.stats.models[model or "?"] += 1
        if path.endswith("/embeddings"):
            self.stats.ok += 1
            self.stats.ok_per_second[second] += 1
            return await self._embeddings(payload)
        if path.endswith("/chat/completions"):
            self.stats.ok += 1
            self.stats.ok_per_second[second] += 1
            return await self._chat(payload)
        return whole("404 Not Found", b"{}", "application/json")

    async def _embeddings(self, payload: dict[str, Any]) -> bytes:
        inputs = payload.get("input")
        texts = [inputs] if isinstance(inputs, str) else list(inputs or [])
        delay = max(
            (_directives(t).get("delay", 0.0) for t in texts if isinstance(t, str)), default=0
        )
        if delay:
            await asyncio.sleep(float(delay))
        data = [
            {"object": "embedding", "index": i, "embedding": embedding_of(t)}
            for i, t in enumerate(texts)
        ]
        reply = {"object": "list", "data": data, "model": payload.get("model"), "usage": USAGE}
        return whole("200 OK", _dumps(reply), "application/json")

    async def _chat(self, payload: dict[str, Any]) -> bytes | AsyncIterator[bytes]:
        text = _last_user_text(payload.get("messages") or [])
        directives = _directives(text)
        if "retry_after" in directives:
            self.stats.provider_429 += 1
            return self._error(429, "slow down", {"retry-after": str(directives["retry_after"])})
        if "delay" in directives:
            await asyncio.sleep(float(directives["delay"]))
        model = payload.get("model") or "openai/gpt-4o-mini"
        calls = _tool_calls(directives)
        answer = "" if calls else f"echo: {text}"
        if payload.get("stream"):
            return self._stream(model, answer, calls)
        message: dict[str, Any] = {"role": "assistant", "content": answer}
        if calls:
            message["tool_calls"] = calls
        reply = {
            "id": GEN,
            "provider": "Loopback",
            "model": model,
            "object": "chat.completion",
            "created": 1764000000,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": "tool_calls" if calls else "stop",
                    "native_finish_reason": "stop",
                }
            ],
            "usage": USAGE,
        }
        return whole("200 OK", _dumps(reply), "application/json")

    async def _stream(
        self, model: str, answer: str, calls: list[dict[str, Any]]
    ) -> AsyncIterator[bytes]:
        def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
            body = {
                "id": GEN,
                "provider": "Loopback",
                "model": model,
                "object": "chat.completion.chunk",
                "created": 1764000000,
                "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                **extra,
            }
            return b"data: " + _dumps(body) + b"\n\n"

        yield b": OPENROUTER PROCESSING\n\n"
        yield chunk({"role": "assistant", "content": ""})
        for word in re.findall(r"\S+\s*", answer):
            if self.config.chunk_delay:
                await asyncio.sleep(self.config.chunk_delay)
            yield chunk({"content": word})
        for index, call in enumerate(calls):
            head = {**call, "index": index}
            arguments = head["function"]["arguments"]
            head["function"] = {"name": call["function"]["name"], "arguments": ""}
            yield chunk({"tool_calls": [head]})
            yield chunk({"tool_calls": [{"index": index, "function": {"arguments": arguments}}]})
        yield chunk({}, "tool_calls" if calls else "stop")
        body = {"id": GEN, "model": model, "object": "chat.completion.chunk", "choices": []}
        yield b"data: " + _dumps({**body, "usage": USAGE}) + b"\n\n"
        yield b"data: [DONE]\n\n"


def key_digest(authorization: str) -> str:
    """How ``/_stats`` names a key: the start of the SHA-256 of its header value."""
    return hashlib.sha256(authorization.encode()).hexdigest()[:16]


def embedding_of(text: str) -> list[float]:
    """The vector the server gives ``text`` (tests recompute it to check each one)."""
    return [float(len(text)), float(sum(map(ord, text))), 1.0]


def _last_user_text(messages: list[dict[str, Any]]) -> str:
    for message in reversed(messages):
        if message.get("role") == "user":
            content = message.get("content")
            if isinstance(content, str):
                return content
            return " ".join(p.get("text", "") for p in content or [] if isinstance(p, dict))
    return ""


def _directives(text: str) -> dict[str, Any]:
    return {name: value if value else True for name, value in _DIRECTIVE.findall(text)}


def _tool_calls(directives: dict[str, Any]) -> list[dict[str, Any]]:
    if "no_tool_ids" in directives:
        return [
            {"type": "function", "function": {"name": "get_weather", "arguments": '{"city":"A"}'}},
            {"type": "function", "function": {"name": "get_weather", "arguments": '{"city":"B"}'}},
        ]
    if "bad_args" in directives:
        return [
            {
                "id": "call_bad",
                "type": "function",
                "function": {"name": "get_weather", "arguments": '{"city": "Par'},
            }
        ]
    return []


class Connection(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; requests on one connection are answered in order."""

    def __init__(self, app: App) -> None:
        self.app = app
        self.buffer = b""
        self.transport: Any = None
        self.queue: asyncio.Queue[tuple[str, str, bytes, str] | None] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        self.app.stats.connections += 1
        self.worker = asyncio.get_running_loop().create_task(self._work())

    def connection_lost(self, exc: Exception | None) -> None:
        self.queue.put_nowait(None)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end].decode("latin-1")
            length, auth = 0, ""
            for line in head.split("\r\n")[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
                elif name.strip().lower() == "authorization":
                    auth = value.strip()
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = self.buffer[end + 4 : total]
            self.buffer = self.buffer[total:]
            method, path, _ = head.split(" ", 2)
            self.queue.put_nowait((method, path, body, auth))

    async def _work(self) -> None:
        stats = self.app.stats
        while True:
            item = await self.queue.get()
            if item is None or self.transport.is_closing():
                return
            stats.active += 1
            stats.peak_active = max(stats.peak_active, stats.active)
            try:
                reply = await self.app.handle(*item)
                if isinstance(reply, bytes):
                    self.transport.write(reply)
                    continue
                self.transport.write(
                    _head("200 OK", "text/event-stream", {"transfer-encoding": "chunked"}) + b"\r\n"
                )
                async for piece in reply:
                    if self.transport.is_closing():
                        return
                    self.transport.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
                self.transport.write(b"0\r\n\r\n")
            finally:
                stats.active -= 1


async def serve(config: Config, port: int = 0, ready: Any = None) -> None:
    app = App(config)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(app), "127.0.0.1", port, backlog=4096)
    url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v1"
    if ready is not None:
        ready(url, app, loop, server)
    else:
        print(url, flush=True)
    async with server:
        with contextlib.suppress(asyncio.CancelledError):
            await server.serve_forever()


@dataclass
class Running:
    base_url: str
    app: App
    loop: asyncio.AbstractEventLoop
    thread: threading.Thread

    @property
    def stats(self) -> Stats:
        return self.app.stats


@contextlib.contextmanager
def running(config: Config | None = None) -> Iterator[Running]:
    """The server in a daemon thread of this process."""
    found: dict[str, Any] = {}
    started = threading.Event()

    def ready(url: str, app: App, loop: asyncio.AbstractEventLoop, server: Any) -> None:
        found.update(url=url, app=app, loop=loop, server=server)
        started.set()

    thread = threading.Thread(
        target=lambda: asyncio.run(serve(config or Config(), ready=ready)), daemon=True
    )
    thread.start()
    started.wait(10)
    try:
        yield Running(found["url"], found["app"], found["loop"], thread)
    finally:
        found["loop"].call_soon_threadsafe(found["server"].close)


def main() -> None:
    parser = argparse.ArgumentParser(description="an OpenRouter-shaped loopback server")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--rate", type=float, default=None, help="account-wide requests/s")
    parser.add_argument("--burst", type=int, default=1)
    parser.add_argument("--model-rate", action="append", default=[], help="MODEL=requests/s")
    parser.add_argument("--chunk-delay", type=float, default=0.0)
    args = parser.parse_args()
    rates = {m: float(r) for m, _, r in (item.partition("=") for item in args.model_rate)}
    config = Config(args.rate, args.burst, rates, args.chunk_delay)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(config, args.port))


if __name__ == "__main__":
    main()
