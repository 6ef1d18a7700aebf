"""Manual self-test and throughput measurement (not collected by pytest).

``python -m tests.emulator.selftest`` starts an emulator, exercises every endpoint, a
stream, tool calls, structured output, every fault and a 2,000-chunk stream, then
measures keep-alive request rates (server in-process and in a subprocess).
"""

from __future__ import annotations

import asyncio
import base64
import json
import subprocess
import sys
import threading
import time
from typing import Any

import httpx

from .faults import FAULT_NAMES
from .server import Emulator

FAILURES: list[str] = []
AUTH = {"Authorization": "Bearer test-key-not-a-secret"}


def check(name: str, ok: bool, detail: Any = "") -> None:
    print(f"  [{'ok' if ok else 'FAIL'}] {name}" + (f"  {detail}" if not ok and detail else ""))
    if not ok:
        FAILURES.append(name)


def sse_data(text: str) -> list[Any]:
    out = []
    for block in text.split("\n\n"):
        for line in block.split("\n"):
            if line.startswith("data: ") and line != "data: [DONE]":
                try:
                    out.append(json.loads(line[6:]))
                except ValueError:
                    out.append(None)
    return out


def chat(
    c: httpx.Client, content: str, model: str = "openai/gpt-4o", **extra: Any
) -> httpx.Response:
    headers = extra.pop("_headers", None)
    body = {"model": model, "messages": [{"role": "user", "content": content}], **extra}
    return c.post("/chat/completions", json=body, headers=headers)


def message_of(r: httpx.Response) -> dict[str, Any]:
    return dict(r.json()["choices"][0]["message"])


def functional(emu: Emulator) -> None:
    c = httpx.Client(base_url=emu.base_url, headers=AUTH, timeout=10)
    print("chat")
    m = message_of(chat(c, "What is the capital of France?"))
    check("capital of France -> Paris", "Paris" in m["content"], m)
    check("2 + 2 -> 4", "4" in message_of(chat(c, "What is 2 + 2?"))["content"])
    check("greeting", "Hello" in message_of(chat(c, "Hello"))["content"])
    other = message_of(chat(c, "Explain how photosynthesis works in plants"))["content"]
    check("generic references question", "photosynthesis" in other, other)
    r = chat(c, "Tell me everything about the history of Rome", max_tokens=5)
    check("max_tokens -> length", r.json()["choices"][0]["finish_reason"] == "length", r.json())
    r = c.post(
        "/chat/completions",
        json={"model": "acme/nope", "messages": [{"role": "user", "content": "x"}]},
    )
    check("unknown model 400", r.status_code == 400 and "not a valid model ID" in r.text, r.text)
    r = chat(c, "hi", model="openai/gpt-4o:nitro")
    check(
        "variant suffix stripped",
        r.status_code == 200 and r.json()["model"] == "openai/gpt-4o:nitro",
        r.text,
    )
    r = chat(c, "hi", n=2, logprobs=True, top_logprobs=2)
    choices = r.json()["choices"]
    check(
        "n=2 + logprobs",
        len(choices) == 2 and choices[0]["logprobs"]["content"][0]["top_logprobs"],
        choices,
    )
    print("tools")
    divide = {
        "type": "function",
        "function": {
            "name": "divide",
            "description": "Divide two numbers.",
            "parameters": {
                "type": "object",
                "properties": {
                    "numerator": {"type": "number"},
                    "denominator": {"type": "number"},
                    "on_inf": {
                        "type": "string",
                        "enum": ["error", "infinity"],
                        "default": "infinity",
                    },
                },
                "required": ["numerator", "denominator"],
            },
        },
    }
    weather = {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Get the current weather for a city",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
    r = chat(c, "What is 123 / 456?", tools=[divide, weather])
    call = message_of(r)["tool_calls"][0]
    args = json.loads(call["function"]["arguments"])
    check(
        "tool call divide(123, 456)",
        call["function"]["name"] == "divide" and args["numerator"] == 123,
        args,
    )
    check(
        "tool call id shape", call["id"].startswith("call_") and len(call["id"]) == 29, call["id"]
    )
    check("finish tool_calls", r.json()["choices"][0]["finish_reason"] == "tool_calls")
    calls = message_of(chat(c, "What's the weather in Paris and London?", tools=[divide, weather]))[
        "tool_calls"
    ]
    cities = [json.loads(x["function"]["arguments"])["city"] for x in calls]
    check("parallel tool calls per city", cities == ["Paris", "London"], cities)
    history = [
        {"role": "user", "content": "What is 123 / 456?"},
        {"role": "assistant", "content": "", "tool_calls": [call]},
        {"role": "tool", "tool_call_id": call["id"], "content": "0.26973684"},
    ]
    r = c.post(
        "/chat/completions", json={"model": "openai/gpt-4o", "messages": history, "tools": [divide]}
    )
    check("answer after tool result", "0.26973684" in message_of(r)["content"], r.text)
    print("structured output")
    joke = {
        "type": "object",
        "properties": {
            "setup": {"type": "string"},
            "punchline": {"type": "string"},
            "rating": {"type": "integer"},
        },
        "required": ["setup", "punchline", "rating"],
    }
    rf = {"type": "json_schema", "json_schema": {"name": "joke", "schema": joke}}
    value = json.loads(
        message_of(chat(c, "Tell me a joke about cats", response_format=rf))["content"]
    )
    check(
        "json_schema instance",
        set(value) == {"setup", "punchline", "rating"} and "cat" in value["setup"],
        value,
    )
    value = json.loads(
        message_of(chat(c, "Say hi as JSON", response_format={"type": "json_object"}))["content"]
    )
    check("json_object", isinstance(value, dict), value)
    print("reasoning")
    m = message_of(chat(c, "Why is the sky blue?", model="openai/o3", reasoning={"effort": "high"}))
    kinds = [d["type"] for d in m.get("reasoning_details", [])]
    check("openai reasoning details", kinds == ["reasoning.summary", "reasoning.encrypted"], kinds)
    r = chat(c, "Why is the sky blue?", model="anthropic/claude-3.7-sonnet:thinking")
    check(
        "thinking variant reasons",
        r.json()["usage"]["completion_tokens_details"]["reasoning_tokens"] > 0,
    )
    print("streams")
    r = chat(c, "Why is the sky blue?", model="deepseek/deepseek-r1", stream=True, reasoning={})
    events = sse_data(r.text)
    check("stream opens with comment", r.text.startswith(": OPENROUTER PROCESSING"))
    check("stream ends with [DONE]", r.text.rstrip().endswith("data: [DONE]"))
    check(
        "usage chunk last", "usage" in events[-1] and events[-1]["usage"]["cost"] >= 0, events[-1]
    )
    check("reasoning deltas first", "reasoning" in events[1]["choices"][0]["delta"], events[1])
    r = chat(c, "What is 7 / 2?", tools=[divide], stream=True)
    deltas = [
        e["choices"][0]["delta"]
        for e in sse_data(r.text)
        if e["choices"] and "tool_calls" in e["choices"][0]["delta"]
    ]
    joined = "".join(d["tool_calls"][0]["function"].get("arguments", "") for d in deltas)
    check(
        "tool-call deltas rebuild args",
        json.loads(joined)["numerator"] == 7 and len(deltas) > 2,
        joined,
    )
    r = chat(c, "x", stream=True, _headers={"X-Emulator-Chunks": "2000"})
    content = [
        e for e in sse_data(r.text) if e["choices"] and e["choices"][0]["delta"].get("content")
    ]
    check("2,000-chunk stream", len(content) == 2000, len(content))
    print("fallback and per-model faults")
    emu.fail_model("openai/gpt-4o", "rate_limit", times=1)
    r = chat(c, "hi", models=["openai/gpt-4o", "anthropic/claude-sonnet-4.5"])
    check(
        "models fallback serves second",
        r.json().get("model") == "anthropic/claude-sonnet-4.5",
        r.text,
    )
    check("calls_by_model counted", emu.calls_by_model["openai/gpt-4o"] >= 1)
    r = chat(c, "hi")
    check("model recovers after N failures", r.status_code == 200)
    print("routing")
    r = chat(c, "hi", provider={"order": ["azure"]})
    check("provider order", r.json().get("provider") == "Azure", r.text[:200])
    r = chat(c, "hi", model="openai/gpt-audio", tools=[weather])
    check("no tool support -> 404", r.status_code == 404, r.text[:200])
    emu.fail_next("status:500", path="/models")
    check(
        "fail_next on a path", c.get("/models").status_code == 500 and c.get("/models").is_success
    )
    print("other endpoints")
    for path in (
        "/models",
        "/models/count",
        "/models/user",
        "/models/openai/gpt-4o/endpoints",
        "/embeddings/models",
        "/providers",
        "/endpoints/zdr",
        "/credits",
        "/key",
    ):
        r = c.get(path)
        check(f"GET {path}", r.status_code == 200 and "data" in r.json(), r.text[:200])
    r = c.get("/models", params={"supported_parameters": "tools,reasoning"})
    check("/models filter", 0 < len(r.json()["data"]) < len(emu.catalog.models))
    gen = chat(c, "hi").headers["x-generation-id"]
    r = c.get("/generation", params={"id": gen})
    check("GET /generation", r.status_code == 200 and r.json()["data"]["id"] == gen, r.text[:200])
    r = c.post("/credits/coinbase", json={"amount": 10, "sender": "0x0", "chain_id": 1})
    check("coinbase 410", r.status_code == 410)
    r = c.post(
        "/embeddings", json={"model": "openai/text-embedding-3-small", "input": ["a cat", "a dog"]}
    )
    vecs = [d["embedding"] for d in r.json()["data"]]
    check("embeddings unit vectors", len(vecs) == 2 and abs(sum(v * v for v in vecs[0]) - 1) < 1e-4)
    r = c.post("/images", json={"model": "google/gemini-2.5-flash-image", "prompt": "a red fox"})
    check(
        "images",
        base64.b64decode(r.json()["data"][0]["b64_json"]).startswith(b"\x89PNG"),
        r.text[:200],
    )
    speech = c.post(
        "/audio/speech", json={"model": "openai/gpt-4o-mini-tts", "input": "Hello there"}
    )
    check(
        "speech audio/mpeg",
        speech.headers["content-type"] == "audio/mpeg" and len(speech.content) > 100,
    )
    audio = base64.b64encode(speech.content).decode()
    body = {"model": "openai/whisper-1", "input_audio": {"data": audio, "format": "mp3"}}
    r = c.post("/audio/transcriptions", json=body)
    check("transcription round trip", r.json()["text"] == "Hello there", r.text)
    msgs = {
        "model": "anthropic/claude-sonnet-4.5",
        "max_tokens": 100,
        "messages": [{"role": "user", "content": "Hello"}],
    }
    r = c.post("/messages", json={**msgs, "fallbacks": ["anthropic/claude-haiku-4.5"]})
    check("/messages", r.json()["type"] == "message" and r.json()["content"][0]["text"], r.text)
    r = c.post("/messages", json={**msgs, "stream": True})
    check("/messages stream", "event: message_stop" in r.text)
    print("faults")
    faults(c)


def faults(c: httpx.Client) -> None:
    def hit(spec: str, stream: bool = False, timeout: float = 5) -> httpx.Response | Exception:
        try:
            return chat(c, "Tell me about Mars", stream=stream, _headers={"X-Emulator-Fault": spec})
        except Exception as exc:
            return exc

    tested = set()
    r = hit("rate_limit;retry_after=3")
    tested.add("rate_limit")
    ok = (
        isinstance(r, httpx.Response)
        and r.status_code == 429
        and r.headers.get("retry-after") == "3"
    )
    kind = r.json()["error"]["metadata"]["error_type"] if isinstance(r, httpx.Response) else None
    check("rate_limit", ok and kind == "rate_limit_exceeded")
    for code in (400, 401, 402, 403, 404, 408, 413, 422, 500, 502, 503, 524, 529):
        r = hit(f"status:{code}")
        check(
            f"status:{code}",
            isinstance(r, httpx.Response)
            and r.status_code == code
            and r.json()["error"]["code"] == code,
        )
    tested.add("status")
    r = hit("status:403")
    check(
        "403 moderation metadata",
        isinstance(r, httpx.Response) and "reasons" in r.json()["error"]["metadata"],
    )
    for name, stream in (("reset_before", False), ("reset_mid_stream", True)):
        tested.add(name)
        r = hit(name, stream)
        check(name, isinstance(r, httpx.HTTPError), r)
    tested.add("truncated_json")
    r = hit("truncated_json")
    check(
        "truncated_json",
        isinstance(r, httpx.Response) and r.status_code == 200 and _bad_json(r.text),
    )
    tested.add("malformed_sse")
    r = hit("malformed_sse", True)
    check("malformed_sse", isinstance(r, httpx.Response) and None in sse_data(r.text))
    tested.add("slow_first_byte")
    t0 = time.perf_counter()
    hit("slow_first_byte:0.3")
    check("slow_first_byte", time.perf_counter() - t0 >= 0.3)
    tested.add("stall_mid_stream")
    t0 = time.perf_counter()
    r = hit("stall_mid_stream:0.3", True)
    check("stall_mid_stream", time.perf_counter() - t0 >= 0.3 and "[DONE]" in r.text)  # type: ignore[union-attr]
    tested.add("mid_stream_error")
    r = hit("mid_stream_error;after=3", True)
    last = sse_data(r.text)[-1]  # type: ignore[union-attr]
    check(
        "mid_stream_error",
        last["error"]["code"] == 502 and last["choices"][0]["finish_reason"] == "error",
        last,
    )
    tested.add("html_error")
    r = hit("html_error")
    check(
        "html_error",
        isinstance(r, httpx.Response)
        and r.status_code == 502
        and "text/html" in r.headers["content-type"],
    )
    tested.add("empty_body")
    r = hit("empty_body;status=502")
    check("empty_body", isinstance(r, httpx.Response) and r.status_code == 502 and r.content == b"")
    tested.add("error_in_200")
    r = hit("error_in_200")
    check(
        "error_in_200",
        isinstance(r, httpx.Response) and r.status_code == 200 and "error" in r.json(),
    )
    check("every fault exercised", tested == set(FAULT_NAMES), set(FAULT_NAMES) - tested)


def _bad_json(text: str) -> bool:
    try:
        json.loads(text)
    except ValueError:
        return True
    return False


def rate(base_url: str, seconds: float = 3.0, path: str = "/key", body: Any = None) -> float:
    with httpx.Client(base_url=base_url, headers=AUTH) as c:
        n, end = 0, time.perf_counter() + seconds
        start = time.perf_counter()
        while time.perf_counter() < end:
            r = c.post(path, json=body) if body is not None else c.get(path)
            r.raise_for_status()
            n += 1
        return n / (time.perf_counter() - start)


def rate_threads(base_url: str, threads: int, seconds: float = 3.0) -> float:
    counts = [0] * threads

    def work(i: int) -> None:
        counts[i] = int(rate(base_url, seconds) * seconds)

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return sum(counts) / seconds


async def _raw_load(
    base_url: str, request: bytes, connections: int, depth: int, seconds: float
) -> int:
    """Keep-alive load without httpx: each connection pipelines ``depth`` requests at a time."""
    url = httpx.URL(base_url)
    done = 0
    stop = time.perf_counter() + seconds

    async def worker() -> None:
        nonlocal done
        reader, writer = await asyncio.open_connection(url.host, url.port)
        batch = request * depth
        while time.perf_counter() < stop:
            writer.write(batch)
            for _ in range(depth):
                head = await reader.readuntil(b"\r\n\r\n")
                if not head.startswith(b"HTTP/1.1 200"):
                    raise RuntimeError(head[:60])
                length = int(head.lower().split(b"content-length: ", 1)[1].split(b"\r\n", 1)[0])
                await reader.readexactly(length)
            done += depth
        writer.close()

    await asyncio.gather(*(worker() for _ in range(connections)))
    return done


def raw_rate(
    base_url: str, path: str, body: Any = None, connections: int = 8, depth: int = 16
) -> float:
    url = httpx.URL(base_url)
    target = url.raw_path.decode() + path
    if body is None:
        req = (
            f"GET {target} HTTP/1.1\r\nhost: {url.host}\r\nauthorization: Bearer k\r\n\r\n".encode()
        )
    else:
        data = json.dumps(body).encode()
        req = (
            f"POST {target} HTTP/1.1\r\nhost: {url.host}\r\nauthorization: Bearer k\r\n"
            f"content-type: application/json\r\ncontent-length: {len(data)}\r\n\r\n"
        ).encode() + data
    seconds = 3.0
    t0 = time.perf_counter()
    count = asyncio.run(_raw_load(base_url, req, connections, depth, seconds))
    return count / (time.perf_counter() - t0)


def throughput() -> None:
    small = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hello"}]}
    with Emulator(record_requests=False) as emu:
        print(f"in-process server, one httpx client, GET /key:   {rate(emu.base_url):8.0f} req/s")
    cmd = [sys.executable, "-m", "tests.emulator", "--port", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        base = proc.stdout.readline().strip()
        rate(base, 0.5)
        cpu0 = time.process_time()
        n = rate(base)
        client_us = 1e6 * (time.process_time() - cpu0) / (n * 3.0)
        print(f"subprocess, one httpx client, GET /key:          {n:8.0f} req/s")
        print(f"  (httpx client CPU per request: {client_us:.0f} us)")
        chat_rate = rate(base, path="/chat/completions", body=small)
        print(f"subprocess, one httpx client, POST chat:         {chat_rate:8.0f} req/s")
        print(
            f"subprocess, 4 httpx client threads, GET /key:    {rate_threads(base, 4):8.0f} req/s"
        )
        for label, conns, depth in (("1 conn", 1, 1), ("64 conns", 64, 1), ("pipelined", 8, 16)):
            key_rate = raw_rate(base, "/key", None, conns, depth)
            chat_raw = raw_rate(base, "/chat/completions", small, conns, depth)
            print(
                f"subprocess, raw keep-alive {label:>9}: GET /key {key_rate:7.0f} req/s, ", end=""
            )
            print(f"POST chat {chat_raw:6.0f} req/s")
        stream = {**small, "stream": True}
        t0 = time.perf_counter()
        with httpx.Client(base_url=base, headers={**AUTH, "X-Emulator-Chunks": "2000"}) as c:
            size = len(c.post("/chat/completions", json=stream).content)
        took = time.perf_counter() - t0
        print(f"2,000-chunk stream: {size} bytes in {took * 1000:.1f} ms")
    finally:
        proc.terminate()
        proc.wait(5)


def main() -> int:
    with Emulator() as emu:
        functional(emu)
    throughput()
    print("FAILURES:", FAILURES or "none")
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
