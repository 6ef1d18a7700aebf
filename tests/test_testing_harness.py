"""The record/replay harness (openrouter_core.testing) and request validation, against a
tiny HTTP server on 127.0.0.1. Key-shaped strings are made at run time, never stored."""

from __future__ import annotations

import gzip
import json
import os
import secrets
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import yaml
from vcr.request import Request

import openrouter_core
from openrouter_core.testing import LIVE_BASE_URL, cassettes as oc, resolve_record_mode, rewrite_uri
from openrouter_core.testing.cassettes import CassetteMissError, scrub_text, use_cassette


@pytest.fixture(autouse=True)
def _the_harness_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests exercise the recorder itself, each with its own record mode: the
    suite's mode (``make cassettes`` sets ``all``) must not reach them, or they would
    try the network."""
    for name in (
        "OPENROUTER_RECORD_MODE",
        "OPENROUTER_EMULATE",
        "OPENROUTER_CASSETTE_REWRITE_FROM",
    ):
        monkeypatch.delenv(name, raising=False)


try:
    from tests import request_validation as rv
except ImportError:  # tests/ is not a package: it is on sys.path itself
    import request_validation as rv  # type: ignore[no-redef]

pytest_plugins = ["pytester"]

PLUGIN = "openrouter_core.testing.pytest_plugin"
REDACTED = "<redacted-openrouter-key>"
SSE = (
    ': OPENROUTER PROCESSING\n\ndata: {"id":"g","choices":[{"delta":{"content":"Hel"}}]}\n\n'
    'data: {"id":"g","choices":[{"delta":{"content":"lo ✓"}}]}\n\ndata: [DONE]\n\n'
)
AUDIO = bytes(range(256)) * 4
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}


def make_key() -> str:
    return "sk-" + "or-v1-" + secrets.token_hex(32)


class _Server(ThreadingHTTPServer):
    key = url = ""
    seen: list[bytes]


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _send(self, status: int, ctype: str, body: bytes, **headers: str) -> None:
        self.send_response(status)
        extra = {"Set-Cookie": "s=1; HttpOnly", "CF-Ray": "8f-AMS", "X-Generation-Id": "gen-42"}
        for name, value in {"Content-Type": ctype, **extra, **headers}.items():
            self.send_header(name.replace("_", "-"), value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.server.seen.append(body)
        if self.path.endswith("/audio/speech"):
            return self._send(200, "audio/mpeg", AUDIO)
        request = json.loads(body)
        if request.get("stream"):
            return self._send(200, "text/event-stream", SSE.encode())
        said = request["messages"][-1]["content"]
        reply = {"id": "gen-42", "choices": [{"message": {"role": "assistant", "content": said}}]}
        packed = gzip.compress(json.dumps(reply).encode())
        self._send(200, "application/json", packed, Content_Encoding="gzip")

    def do_GET(self) -> None:
        self.server.seen.append(b"")
        if urlsplit(self.path).path.endswith("/key"):
            label = self.server.key[:12] + "..." + self.server.key[-3:]
            return self._send(200, "application/json", json.dumps({"label": label}).encode())
        self._send(429, "application/json", b'{"error":{"code":429}}', Retry_After="7")


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server(("127.0.0.1", 0), _Handler)
    srv.key, srv.seen, srv.url = make_key(), [], f"http://127.0.0.1:{srv.server_address[1]}/api/v1"
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    yield srv
    srv.shutdown()
    srv.server_close()


def exercise(client: httpx.Client, key: str) -> dict[str, Any]:
    """One exchange of each kind; returns what the client received."""
    return {
        "chat": client.post("/chat/completions", json={**CHAT, "user": key}).json(),
        "stream": client.post("/chat/completions", json={**CHAT, "stream": True}).text,
        "speech": client.post("/audio/speech", json={"model": "m", "input": "hi"}).content,
        "key": client.get("/key", params={"probe": key}).json(),
        "limited": client.get("/credits").headers.get("retry-after"),
    }


def test_record_then_replay(tmp_path: Path, server: _Server) -> None:
    key = server.key
    auth = {"Authorization": f"Bearer {key}", "Cookie": "a=b", "X-Api-Key": key}
    record = {"cassette_dir": tmp_path, "record_mode": "once", "rewrite_from": server.url}
    with use_cassette("flow/all", **record), httpx.Client(base_url=server.url, headers=auth) as c:
        live = exercise(c, key)
    assert live["stream"] == SSE and live["speech"] == AUDIO and live["limited"] == "7"
    text = (tmp_path / "flow" / "all.yaml").read_text()
    assert key not in text and key[:20] not in text and "127.0.0.1" not in text
    data = yaml.safe_load(text)["interactions"]
    assert {name for i in data for name in i["request"]["headers"]} == {"accept", "content-type"}
    response_headers = {name for i in data for name in i["response"]["headers"]}
    assert response_headers == {"content-type", "x-generation-id", "retry-after"}
    assert {i["request"]["uri"] for i in data} >= {LIVE_BASE_URL + "/chat/completions"}
    assert "string: |" in text and '\n        data: {"id":"g"' in text and "!!binary" in text
    assert data[0]["request"]["parsed_body"] == {**CHAT, "user": REDACTED}
    assert data[0]["response"]["parsed_body"]["choices"][0]["message"]["content"] == "Hi"
    assert data[3]["response"]["parsed_body"] == {"label": REDACTED}
    recorded = len(server.seen)
    with (
        use_cassette("flow/all", cassette_dir=tmp_path, record_mode="none") as cassette,
        httpx.Client(base_url=LIVE_BASE_URL, headers={"Authorization": "Bearer x"}) as c,
    ):
        replayed = exercise(c, key)
        assert cassette.all_played
    assert len(server.seen) == recorded  # nothing reached the network
    assert replayed == {**live, "key": {"label": REDACTED}}


async def test_async_replay_and_miss(tmp_path: Path, server: _Server) -> None:
    record = {"cassette_dir": tmp_path, "record_mode": "once", "rewrite_from": server.url}
    with use_cassette("a", **record), httpx.Client(base_url=server.url) as client:
        client.post("/chat/completions", json=CHAT)
    with use_cassette("a", cassette_dir=tmp_path) as cassette:
        async with httpx.AsyncClient(base_url=LIVE_BASE_URL) as aclient:
            reordered = {"messages": CHAT["messages"], "model": CHAT["model"]}
            reply = await aclient.post("/chat/completions", json=reordered)
            assert reply.json()["id"] == "gen-42"
            with pytest.raises(CassetteMissError) as miss:
                await aclient.post("/chat/completions", json={**CHAT, "model": "other/model"})
    assert cassette.all_played and len(cassette.misses) == 1
    message = str(miss.value)
    assert "a.yaml" in message and "OPENROUTER_RECORD_MODE=new_episodes" in message
    assert '$.model: sent "other/model", recorded "openai/gpt-4o-mini"' in message


def test_missing_cassette_says_how_to_record(tmp_path: Path) -> None:
    with (
        use_cassette("nope", cassette_dir=tmp_path, record_command="make rec MODE={mode}"),
        httpx.Client() as client,
        pytest.raises(CassetteMissError, match=r"does not exist yet[\s\S]*make rec MODE=once"),
    ):
        client.get(LIVE_BASE_URL + "/models")
    assert not (tmp_path / "nope.yaml").exists()


def _cassette(request: Any, response: Any, rtype: str, qtype: str = "application/json") -> Any:
    req = {"method": "POST", "uri": LIVE_BASE_URL + "/x", "body": request}
    req["headers"] = {"content-type": [qtype]}
    resp = {"status": {"code": 200, "message": "OK"}, "body": {"string": response}}
    resp["headers"] = {"content-type": [rtype], "Content-Length": ["1"]}
    return {"version": 1, "interactions": [{"request": req, "response": resp}]}


def round_trip(cassette: Any) -> tuple[str, Any]:
    """The YAML text written for a cassette, and its first interaction as loaded back."""
    text = oc.serializer.serialize(cassette)
    return text, oc.serializer.deserialize(text)["interactions"][0]


def test_serializer_json_bodies_keep_values_and_key_order() -> None:
    payload = {"z": 1, "a": [1.5, -0.0, 1e300, None, True], "u": "é ✓ 𝄞", "n": {"y": "yes"}}
    request = json.dumps({"b": 1, "a": "x"})
    text, loaded = round_trip(_cassette(request, json.dumps(payload), "application/json"))
    stored = yaml.safe_load(text)["interactions"][0]
    assert list(stored["response"]["parsed_body"]) == ["z", "a", "u", "n"]
    assert "body" not in stored["request"] and "é ✓ 𝄞" in text
    assert loaded["request"]["body"] == '{"b":1,"a":"x"}'
    body = loaded["response"]["body"]["string"]
    assert json.loads(body) == payload and list(json.loads(body)) == ["z", "a", "u", "n"]
    assert loaded["response"]["headers"]["Content-Length"] == [str(len(body.encode()))]


STREAMS = [SSE, "a\r\n\r\nb\r\n\r\n", "trailing space \n\n", "x\u2028y\x85\n", "  indent\nz\n"]


@pytest.mark.parametrize("stream", STREAMS)
def test_serializer_sse_round_trips_exactly(stream: str) -> None:
    text, loaded = round_trip(_cassette(None, stream, "text/event-stream"))
    assert loaded["response"]["body"]["string"] == stream
    assert stream != SSE or "string: |" in text


def test_serializer_binary_bodies_stay_bytes_and_text_is_scrubbed() -> None:
    small = b"ID3 ascii-only audio"  # vcrpy hands over utf-8-decodable bodies as text
    for raw, given in ((AUDIO, AUDIO), (small, small.decode())):
        text, loaded = round_trip(_cassette(b"\x00\xff", given, "audio/mpeg", "application/x"))
        assert "!!binary" in text and loaded["response"]["body"]["string"] == raw
        assert loaded["request"]["body"] == b"\x00\xff"
    key = make_key()  # the serializer scrubs even without the vcrpy hooks
    text, _ = round_trip(_cassette(json.dumps({"k": key}), f"data: {key}\n", "text/event-stream"))
    assert key not in text and text.count(REDACTED) == 2


def test_scrub_text_covers_key_shapes(monkeypatch: pytest.MonkeyPatch) -> None:
    key, custom = make_key(), "custom-" + secrets.token_hex(8)
    other = "sk-" + "ant-api03-" + secrets.token_urlsafe(30)
    monkeypatch.setenv("OPENROUTER_API_KEY", custom)
    text = f"a {key}. b {key[:12]}...{key[-3:]} c {other} d Bearer {custom}x e bearer abcdefghij"
    scrubbed = scrub_text(text + f" f {custom}")
    for secret in (key, key[:12], other, custom, "abcdefghij"):
        assert secret not in scrubbed
    assert scrubbed.startswith(f"a {REDACTED}. b {REDACTED} c <redacted-key> d Bearer <redacted-")
    assert "bearer <redacted>" in scrubbed and scrub_text(scrubbed) == scrubbed
    assert scrub_text("task-" + "x" * 30 + " sk-short") == "task-" + "x" * 30 + " sk-short"


def test_request_filter_drops_secret_and_volatile_headers() -> None:
    key = make_key()
    headers = {"Authorization": f"Bearer {key}", "Cookie": "c=1", "X-Api-Key": key}
    headers |= {"User-Agent": "OpenRouter/1.2.3", "Content-Length": "9", "Connection": "close"}
    headers |= {"Content-Type": "application/json", "HTTP-Referer": f"https://app.example/?k={key}"}
    headers["X-OpenRouter-Title"] = "demo"
    body = json.dumps({"api_key": key}).encode()
    request = Request("POST", f"http://127.0.0.1:9/v1/chat/completions?key={key}", body, headers)
    clean = oc.make_request_filter("http://127.0.0.1:9/v1")(request)
    assert clean.uri == f"{LIVE_BASE_URL}/chat/completions?key={REDACTED}"
    assert set(clean.headers) == {"Content-Type", "HTTP-Referer", "X-OpenRouter-Title"}
    assert clean.headers["HTTP-Referer"] == f"https://app.example/?k={REDACTED}"
    assert json.loads(clean.body) == {"api_key": REDACTED}


def test_response_filter_keeps_useful_headers_and_decodes() -> None:
    kept = {"Content-Type": "application/json", "Retry-After": "3", "X-Generation-Id": "gen-1"}
    kept["X-RateLimit-Remaining"] = "0"
    dropped = {"Content-Encoding": "gzip", "Set-Cookie": "s=1", "Date": "Mon", "CF-Ray": "x"}
    headers = {name: [value] for name, value in {**kept, **dropped}.items()}
    body = gzip.compress(b'{"error":{"code":429}}')
    response = {"status": {"code": 429, "message": "Too Many"}, "headers": headers}
    clean = oc.filter_response({**response, "body": {"string": body}})
    assert clean["headers"] == {name: [value] for name, value in kept.items()}
    assert clean["body"]["string"] == b'{"error":{"code":429}}'
    assert oc.filter_response(clean) == clean  # vcrpy re-applies it when loading


def test_rewrite_uri_and_record_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    emulator, other = "http://127.0.0.1:8080", "http://127.0.0.1:9999/api/v1/models"
    assert rewrite_uri(emulator + "/api/v1/models?x=1", emulator) == LIVE_BASE_URL + "/models?x=1"
    assert rewrite_uri(emulator + "/v1/models", emulator + "/v1/") == LIVE_BASE_URL + "/models"
    assert rewrite_uri(other, emulator) == other
    assert rewrite_uri(LIVE_BASE_URL + "/models", "") == LIVE_BASE_URL + "/models"
    monkeypatch.setenv("OPENROUTER_CASSETTE_REWRITE_FROM", f"http://localhost:1, {emulator}/api/v1")
    assert rewrite_uri(emulator + "/api/v1/key") == LIVE_BASE_URL + "/key"

    monkeypatch.delenv("OPENROUTER_RECORD_MODE", raising=False)
    assert resolve_record_mode() == "none"
    monkeypatch.setenv("OPENROUTER_RECORD_MODE", "New_Episodes")
    assert resolve_record_mode() == "new_episodes" and resolve_record_mode("all") == "all"
    with pytest.raises(ValueError, match="unknown OpenRouter record mode 'any'"):
        resolve_record_mode("any")


def _req(body: bytes | str | None, ctype: str = "application/json") -> Request:
    return Request("POST", LIVE_BASE_URL + "/chat/completions", body, {"Content-Type": ctype})


def test_json_body_matcher() -> None:
    oc.json_body_matcher(_req('{"a": 1, "b": [1, 2.0]}'), _req(b'{"b":[1,2],"a":1}'))
    oc.json_body_matcher(_req(None), _req(b""))
    oc.json_body_matcher(_req(b"raw", "text/plain"), _req(b"raw", "text/plain"))
    with pytest.raises(AssertionError, match=r"\$\.a: sent true, recorded 1"):
        oc.json_body_matcher(_req('{"a": true}'), _req('{"a": 1}'))
    with pytest.raises(AssertionError, match=r"\$\.b: only in the recorded request"):
        oc.json_body_matcher(_req('{"a": 1}'), _req('{"a": 1, "b": 2}'))
    with pytest.raises(AssertionError, match="bodies differ"):
        oc.json_body_matcher(_req(b"raw", "text/plain"), _req(b"other", "text/plain"))
    form = "--{b}\r\nContent-Disposition: form-data; name=model\r\n\r\nm\r\n--{b}--\r\n"
    one, two = (_req(form.format(b=b), f"multipart/form-data; boundary={b}") for b in "xy")
    oc.json_body_matcher(one, two)  # the random boundary does not matter


INNER = """
import os, httpx, pytest
BASE = os.environ.get("INNER_BASE", "https://openrouter.ai/api/v1")
CHAT = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Hi"}]}
SEEN = []
@pytest.fixture
def openrouter_request_hooks():
    return [lambda request: SEEN.append(request.uri) or request]
@pytest.mark.openrouter_cassette
def test_marker_only(openrouter_api_key):
    assert openrouter_api_key == os.environ.get("EXPECTED_KEY", "test-key-not-a-secret")
    with httpx.Client(base_url=BASE) as client:
        assert client.post("/chat/completions", json=CHAT).json()["id"] == "gen-42"
    assert SEEN[-1] == "https://openrouter.ai/api/v1/chat/completions"
@pytest.mark.openrouter_cassette("shared/named", allow_playback_repeats=True)
async def test_named_async(openrouter_cassette, openrouter_record_mode):
    async with httpx.AsyncClient(base_url=BASE) as client:
        assert "Hel" in (await client.post("/chat/completions", json={**CHAT, "stream": 1})).text
    assert openrouter_cassette.all_played or openrouter_record_mode != "none"
class TestGroup:
    @pytest.mark.parametrize("n", [1])
    def test_in_class(self, openrouter_cassette, n):
        assert httpx.get(BASE + "/key").status_code == 200
"""

UNRECORDED = """
import httpx, pytest
@pytest.mark.openrouter_cassette
def test_unrecorded():
    httpx.get("https://openrouter.ai/api/v1/models")
@pytest.mark.openrouter_cassette
def test_swallowed():
    try:
        httpx.get("https://openrouter.ai/api/v1/models")
    except Exception:
        pass
def test_untouched(openrouter_record_mode, openrouter_api_key, openrouter_cassette_dir):
    assert (openrouter_record_mode, openrouter_api_key) == ("none", "test-key-not-a-secret")
    assert openrouter_cassette_dir.name == "recorded"
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    ini = "[pytest]\nasyncio_mode = auto\nasyncio_default_fixture_loop_scope = function\n"
    pytester.makeini(ini + "openrouter_cassette_dir = recorded\nopenrouter_catalog = false\n")
    for name in ("RECORD_MODE", "API_KEY", "CASSETTE_REWRITE_FROM"):
        monkeypatch.delenv("OPENROUTER_" + name, raising=False)
    return pytester


def run_inner(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    # Blocks the installed entry point ("openrouter_vcr"), which would load it twice.
    plugins = ("-p", "no:openrouter_vcr", "-p", PLUGIN, "-p", "no:cacheprovider")
    return pytester.runpytest_inprocess(*plugins, *args)


def test_plugin_records_then_replays(
    inner: pytest.Pytester, server: _Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    inner.makepyfile(test_inner=INNER)
    env = {"INNER_BASE": server.url, "OPENROUTER_CASSETTE_REWRITE_FROM": server.url}
    env |= {"OPENROUTER_API_KEY": server.key, "EXPECTED_KEY": server.key}
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    run_inner(inner, "--openrouter-record-mode=once").assert_outcomes(passed=3)
    files = sorted((inner.path / "recorded").rglob("*.yaml"))
    names = [str(p.relative_to(inner.path / "recorded")) for p in files]
    in_class, marker_only = "TestGroup.test_in_class-1.yaml", "test_marker_only.yaml"
    assert names == ["shared/named.yaml", f"test_inner/{in_class}", f"test_inner/{marker_only}"]
    assert all(server.key not in p.read_text() for p in files)

    for name in env:
        monkeypatch.delenv(name)
    recorded = len(server.seen)
    run_inner(inner).assert_outcomes(passed=3)
    monkeypatch.setenv("OPENROUTER_RECORD_MODE", "none")
    run_inner(inner, "-k", "marker_only").assert_outcomes(passed=1)
    assert len(server.seen) == recorded


def test_plugin_explains_misses(inner: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> None:
    inner.makepyfile(test_unrecorded=UNRECORDED)
    result = run_inner(inner)
    result.assert_outcomes(passed=2, failed=1, errors=1)
    out = result.stdout.str()
    cassette = inner.path / "recorded/test_unrecorded/test_unrecorded.yaml"
    assert f"GET {LIVE_BASE_URL}/models is not recorded in cassette '{cassette}'" in out
    command = "pytest --openrouter-record-mode=once 'test_unrecorded.py::test_unrecorded'"
    assert f"OPENROUTER_API_KEY=... {command}" in out
    assert "1 request(s) missing from the cassette were swallowed by the code under test" in out
    monkeypatch.setenv("OPENROUTER_RECORD_MODE", "sometimes")
    run_inner(inner, "-k", "untouched").assert_outcomes(errors=1)
    assert "--openrouter-record-mode" in run_inner(inner, "--help").stdout.str()


def test_plugin_imports_without_vcrpy() -> None:
    code = f"import sys; sys.modules['vcr'] = None; import {PLUGIN} as p; p.openrouter_cassette"
    shared = str(Path(openrouter_core.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([shared, os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


TOOLS = [{"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}]
CALL = {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}
TURNS = [
    {"role": "system", "content": "Be brief."},
    {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:,"}}]},
    {"role": "assistant", "content": None, "tool_calls": [CALL]},
    {"role": "tool", "tool_call_id": "c1", "content": "42"},
]
STT = {"data": "AAAA", "format": "wav"}
ROUTING = {"models": ["a/b"], "provider": {"order": ["openai"], "sort": "price"}}


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/chat/completions", CHAT),
        ("POST", LIVE_BASE_URL + "/chat/completions", {**CHAT, "verbosity": "low"}),  # in docs
        ("POST", "/chat/completions", {**CHAT, "messages": TURNS, "tools": TOOLS, **ROUTING}),
        ("POST", "/chat/completions", {**CHAT, "reasoning": {"effort": "high"}, "stream": True}),
        ("POST", "/messages", {"model": "m", "max_tokens": 9, "messages": CHAT["messages"]}),
        ("POST", "/embeddings", {"model": "m", "input": ["a", "b"], "dimensions": 8}),
        ("POST", "/images", {"model": "m", "prompt": "a cat"}),
        ("POST", "/audio/speech", {"model": "m", "input": "hi", "voice": "alloy"}),
        ("POST", "/audio/transcriptions", {"model": "m", "input_audio": STT}),
        ("POST", "/credits/coinbase", {"amount": 10}),  # deprecated: no body schema in the spec
        ("GET", "/models", None),
    ],
)
def test_validation_accepts(method: str, path: str, body: Any) -> None:
    rv.validate_request(method, path, body)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"temperature": "hot"}, "$.temperature: 'hot' is not of type 'number', 'null' [spec]"),
        ({"messages": [{"role": "bot"}]}, "$.messages[0].role: 'bot' is not one of"),
        ({"tempurature": 0.5}, "$.tempurature: not a field of this request in the spec"),
        ({"messages": []}, "$.messages: [] should be non-empty"),
        ({"tool_choice": "maybe"}, "'maybe' is none of: 'none', 'auto', 'required', type object"),
        ({"stream": "yes"}, "$.stream: 'yes' is not of type 'boolean'"),
        ({"provider": {"max_price": {"prompt": 1}}}, "max_price.prompt: 1 is not of type 'string'"),
    ],
)
def test_validation_rejects(change: dict[str, Any], expected: str) -> None:
    with pytest.raises(AssertionError) as error:
        rv.validate_request("POST", "/api/v1/chat/completions", {**CHAT, **change})
    assert "POST /chat/completions request body breaks" in str(error.value)
    assert expected in str(error.value)


def test_validation_details() -> None:
    body = {**CHAT, "bogus": 1}
    assert rv.request_violations("POST", "/chat/completions", body, allow_unknown_fields=True) == []
    missing = rv.request_violations("POST", "/chat/completions", None)
    assert missing == ["$: the request has no body; the spec requires one [spec]"]
    # Lax SDK models coerce "8"; strict mode and the spec both refuse it (reported once).
    embedding = {"model": "m", "input": "x", "dimensions": "8"}
    problems = rv.request_violations("POST", "/embeddings", embedding)
    assert problems == ["$.dimensions: '8' is not of type 'integer' [spec]"]
    assert rv.endpoint_key("post", "http://h:1/api/v1/audio/speech/") == "POST /audio/speech"
    assert rv.endpoint_key("GET", "/chat/completions") is None

    # multipart: field names, required fields and enum values
    url, files = LIVE_BASE_URL + "/audio/transcriptions", {"file": ("a.wav", b"RIFF", "audio/wav")}
    good = httpx.Request("POST", url, data={"model": "m", "temperature": "0.2"}, files=files)
    assert rv.http_request_violations("POST", url, good.headers["content-type"], good.read()) == []
    bad = httpx.Request("POST", url, data={"response_format": "xml", "speed": "1"}, files=files)
    problems = rv.http_request_violations("POST", url, bad.headers["content-type"], bad.read())
    assert "$: 'model' is a required property [spec]" in problems
    assert "$.response_format: 'xml' is not one of ['json', 'verbose_json'] [spec]" in problems
    assert "$.speed: not a form field of this request in the spec [spec]" in problems


def test_validating_hook_runs_when_recording_and_replaying(tmp_path: Path, server: _Server) -> None:
    errors: list[str] = []
    record: Any = {"cassette_dir": tmp_path, "record_mode": "once", "rewrite_from": server.url}
    with (
        use_cassette("v", before_record_request=rv.make_validating_hook(errors), **record),
        httpx.Client(base_url=server.url) as client,
    ):
        client.post("/chat/completions", json=CHAT)
        client.post("/chat/completions", json={**CHAT, "temperature": "warm"})
    assert len(errors) == 1 and "$.temperature: 'warm' is not of type" in errors[0]
    assert errors[0].startswith(f"POST {LIVE_BASE_URL}/chat/completions breaks")
    with use_cassette("w", **record), httpx.Client(base_url=server.url) as client:
        client.post("/chat/completions", json=CHAT)

    # Replaying, vcrpy runs the hook on each request before matching it ...
    strict = rv.make_validating_hook()
    with (
        use_cassette("w", cassette_dir=tmp_path, before_record_request=strict),
        httpx.Client(base_url=LIVE_BASE_URL) as client,
    ):
        assert client.post("/chat/completions", json=CHAT).status_code == 200
        with pytest.raises(AssertionError, match=r"\$\.messages\[0\]\.role: 'bot' is not one of"):
            client.post("/chat/completions", json={**CHAT, "messages": [{"role": "bot"}]})
    # ... and on each recorded request when it loads the cassette.
    with pytest.raises(AssertionError, match="'warm' is not of type"):  # noqa: SIM117
        with use_cassette("v", cassette_dir=tmp_path, before_record_request=strict):
            pass
