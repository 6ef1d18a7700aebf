"""A lean loopback OpenRouter for benchmarks: pre-rendered, real-shaped replies, keep-alive.

Run in its own process (``python -m benchmarks.server --chunks N``) so that its work
does not share the client's interpreter. Replies are rendered once at start-up, so the
server's cost per request is a dictionary lookup and a socket write:

* ``GET /models``: a catalog of ``--models`` entries (the real 196-model snapshot,
  repeated with suffixed ids to reach the count);
* ``POST /chat/completions``: a completion, or with ``"stream": true`` an SSE body of
  ``--chunks`` content chunks, led by ``: OPENROUTER PROCESSING`` comments and closed by
  a usage chunk and ``[DONE]`` (the shape of OpenRouter's recorded traffic);
* ``POST /embeddings``: two small vectors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MODEL = "openai/gpt-4o-mini"
GEN = "gen-1763900000-Bench0000000000000000"
#: Real OpenRouter replies often omit ``system_fingerprint``; the ``langchain-openrouter``
#: peer (through the ``openrouter`` SDK 0.11) rejects a reply without it ("Field
#: required"), so every reply here carries one, to let the peer be measured at all.
FINGERPRINT = "fp_bench"
USAGE: dict[str, Any] = {
    "prompt_tokens": 12,
    "completion_tokens": 9,
    "total_tokens": 21,
    "cost": 7.2e-06,
    "is_byok": False,
    "prompt_tokens_details": {"cached_tokens": 0, "audio_tokens": 0},
    "cost_details": {"upstream_inference_cost": None},
    "completion_tokens_details": {"reasoning_tokens": 0, "image_tokens": 0},
}


def _dumps(payload: Any) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def completion() -> bytes:
    return _dumps(
        {
            "id": GEN,
            "provider": "OpenAI",
            "model": MODEL,
            "object": "chat.completion",
            "created": 1763900000,
            "system_fingerprint": FINGERPRINT,
            "choices": [
                {
                    "logprobs": None,
                    "finish_reason": "stop",
                    "native_finish_reason": "stop",
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": "The capital of France is Paris.",
                        "refusal": None,
                        "reasoning": None,
                    },
                }
            ],
            "usage": USAGE,
        }
    )


def _chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> bytes:
    body: dict[str, Any] = {
        "id": GEN,
        "provider": "OpenAI",
        "model": MODEL,
        "object": "chat.completion.chunk",
        "created": 1763900000,
        "system_fingerprint": FINGERPRINT,
        "choices": [
            {
                "index": 0,
                "delta": delta,
                "finish_reason": finish,
                "native_finish_reason": finish,
                "logprobs": None,
            }
        ],
    }
    if usage is not None:
        body["usage"] = usage
    return b"data: " + _dumps(body) + b"\n\n"


def stream(chunks: int) -> bytes:
    parts = [b": OPENROUTER PROCESSING\n\n", b": OPENROUTER PROCESSING\n\n"]
    parts.append(_chunk({"role": "assistant", "content": ""}))
    parts.extend(_chunk({"role": "assistant", "content": f"w{i} "}) for i in range(chunks))
    parts.append(_chunk({"role": "assistant", "content": ""}, "stop"))
    parts.append(_chunk({"role": "assistant", "content": ""}, usage=USAGE))
    parts.append(b"data: [DONE]\n\n")
    return b"".join(parts)


def catalog(count: int) -> bytes:
    real = json.loads((ROOT / "tests/data/models.json").read_text())["data"]
    models, round_ = list(real), 1
    while len(models) < count:
        for m in real:
            if len(models) >= count:
                break
            models.append(
                {
                    **m,
                    "id": f"{m['id']}-copy{round_}",
                    "canonical_slug": f"{m.get('canonical_slug', m['id'])}-copy{round_}",
                }
            )
        round_ += 1
    return _dumps({"data": models[:count]})


def embeddings() -> bytes:
    data = [{"object": "embedding", "index": i, "embedding": [0.1, 0.2, 0.3]} for i in range(2)]
    return _dumps(
        {
            "object": "list",
            "data": data,
            "model": "openai/text-embedding-3-small",
            "id": GEN,
            "usage": {"prompt_tokens": 4, "total_tokens": 4},
        }
    )


def _response(body: bytes, content_type: str) -> bytes:
    head = (
        f"HTTP/1.1 200 OK\r\ncontent-type: {content_type}\r\n"
        f"content-length: {len(body)}\r\nconnection: keep-alive\r\n\r\n"
    )
    return head.encode() + body


RERANK_MODEL = "cohere/rerank-v3.5"


def rerankers() -> bytes:
    entry = {
        "id": RERANK_MODEL,
        "architecture": {"input_modalities": ["text"], "output_modalities": ["rerank"]},
    }
    return _dumps({"data": [entry]})


def reranked(documents: int = 100, top_n: int = 10) -> bytes:
    results = [
        {"index": i, "relevance_score": round(1 - i / documents, 4), "document": {"text": f"d{i}"}}
        for i in range(top_n)
    ]
    return _dumps({"id": GEN, "model": RERANK_MODEL, "results": results, "usage": {"cost": 2e-06}})


class Replies:
    def __init__(self, chunks: int, models: int) -> None:
        self.json = _response(completion(), "application/json")
        self.sse = _response(stream(chunks), "text/event-stream")
        self.models = _response(catalog(models), "application/json")
        self.embeddings = _response(embeddings(), "application/json")
        self.rerankers = _response(rerankers(), "application/json")
        self.reranked = _response(reranked(), "application/json")
        self.not_found = b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n"

    def for_request(self, head: bytes, body: bytes) -> bytes:
        path = head.split(b" ", 2)[1]
        if path.endswith(b"/chat/completions"):
            return self.sse if b'"stream":true' in body.replace(b" ", b"") else self.json
        if path.split(b"?")[0].endswith(b"/models"):
            return self.rerankers if b"output_modalities=rerank" in path else self.models
        if path.endswith(b"/rerank"):
            return self.reranked
        if path.endswith(b"/embeddings"):
            return self.embeddings
        return self.not_found


class Connection(asyncio.Protocol):
    def __init__(self, replies: Replies) -> None:
        self.replies = replies
        self.buffer = b""
        self.transport: Any = None

    def connection_made(self, transport: Any) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head = self.buffer[:end]
            length = 0
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            total = end + 4 + length
            if len(self.buffer) < total:
                return
            body = self.buffer[end + 4 : total]
            self.buffer = self.buffer[total:]
            self.transport.write(self.replies.for_request(head, body))


async def serve(port: int, chunks: int, models: int) -> None:
    replies = Replies(chunks, models)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(replies), "127.0.0.1", port, backlog=2048)
    print(f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/api/v1", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--chunks", type=int, default=200)
    parser.add_argument("--models", type=int, default=400)
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.port, args.chunks, args.models))
    except KeyboardInterrupt:
        sys.exit(0)


if __name__ == "__main__":
    main()
