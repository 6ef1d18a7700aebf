"""A recording OpenRouter stand-in on a loopback socket (stdlib ``http.server`` in a
thread), for tests where requests must cross a real socket: other processes
(pickled objects in spawned workers) and callers' own ``httpx`` clients.

It serves ``GET /models`` (the catalog snapshot), ``POST /chat/completions`` (a reply
``"pong"``, streamed as SSE when asked) and ``POST /embeddings`` (one vector per
input), and records each request's path, headers and JSON body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

CATALOG = (Path(__file__).resolve().parents[1] / "data/models.json").read_bytes()
# ``GET /embeddings/models`` lists the embedding models (the chat catalog does not).
EMBEDDING_CATALOG = json.dumps(
    {
        "data": [
            {
                "id": "openai/text-embedding-3-small",
                "name": "OpenAI: Text Embedding 3 Small",
                "context_length": 8192,
                "architecture": {"input_modalities": ["text"], "output_modalities": ["embeddings"]},
                "supported_parameters": ["dimensions"],
            }
        ]
    }
).encode()


class RecordingServer:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                return None

            def _send(self, status: int, payload: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def do_GET(self) -> None:
                server._record(self, None)
                if self.path.endswith("/embeddings/models"):
                    self._send(200, EMBEDDING_CATALOG, "application/json")
                elif self.path.endswith("/models"):
                    self._send(200, CATALOG, "application/json")
                else:
                    self._send(
                        404, b'{"error": {"code": 404, "message": "no"}}', "application/json"
                    )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"null")
                server._record(self, body)
                if self.path.endswith("/embeddings"):
                    inputs = body["input"] if isinstance(body["input"], list) else [body["input"]]
                    data = [
                        {"object": "embedding", "index": i, "embedding": [float(len(t)), 1.0]}
                        for i, t in enumerate(inputs)
                    ]
                    reply = {"object": "list", "model": body["model"], "data": data}
                    self._send(200, json.dumps(reply).encode(), "application/json")
                elif body.get("stream"):
                    self._send(200, _sse(body["model"]), "text/event-stream")
                else:
                    self._send(
                        200, json.dumps(_completion(body["model"])).encode(), "application/json"
                    )

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}/api/v1"

    def _record(self, handler: BaseHTTPRequestHandler, body: Any) -> None:
        with self._lock:
            self.requests.append(
                {"path": handler.path, "headers": dict(handler.headers.items()), "body": body}
            )

    def authorizations(self, suffix: str = "") -> list[str | None]:
        """The ``Authorization`` header of every request whose path ends with ``suffix``."""
        return [
            r["headers"].get("Authorization") for r in self.requests if r["path"].endswith(suffix)
        ]

    def start(self) -> None:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def _completion(model: str) -> dict[str, Any]:
    return {
        "id": "gen-local",
        "object": "chat.completion",
        "model": model,
        "provider": "Local",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "pong"},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
    }


def _sse(model: str) -> bytes:
    base = {"id": "gen-local", "object": "chat.completion.chunk", "model": model}
    events = [
        {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "po"}}]},
        {**base, "choices": [{"index": 0, "delta": {"content": "ng"}, "finish_reason": "stop"}]},
        {
            **base,
            "choices": [],
            "usage": {"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4},
        },
    ]
    text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
    return text.encode()


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    server = RecordingServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
