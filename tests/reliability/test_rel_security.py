"""The key never leaks; it never follows a redirect; plain http is refused."""

from __future__ import annotations

import logging
import pickle
import re
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import pytest

from openrouter_core import ConfigurationError, OpenRouterClient, OpenRouterError
from tests.reliability.conftest import KEY, PRIMARY

ROOT = Path(__file__).resolve().parents[2]
KEY_SHAPES = re.compile(
    r"sk-or-v1-[0-9a-f]{16,}|sk-[A-Za-z0-9_-]{20,}|Bearer\s+[A-Za-z0-9._-]{12,}"
)


def test_no_cassette_holds_anything_key_shaped() -> None:
    files = list((ROOT / "cassettes").rglob("*.yaml"))
    assert len(files) > 50
    hits = [(p.name, m.group(0)[:12]) for p in files for m in KEY_SHAPES.finditer(p.read_text())]
    assert not hits
    text = "\n".join(p.read_text() for p in files).lower()
    assert "authorization" not in text and "cookie" not in text


def test_core_client_never_shows_the_key(emu: Any, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    with OpenRouterClient(api_key=KEY, base_url=emu.base_url, max_retries=0) as client:
        assert KEY not in repr(client) and KEY not in str(client)
        assert KEY not in repr(client.settings) and KEY not in str(client.settings)
        with pytest.raises(TypeError):
            pickle.dumps(client)
        emu.fail_model(PRIMARY, "status:401", times=1)
        with pytest.raises(OpenRouterError) as caught:
            client.chat({"model": PRIMARY, "messages": [{"role": "user", "content": "hi"}]})
        assert KEY not in str(caught.value) and KEY not in repr(caught.value)
    assert KEY not in caplog.text


OTHER = "sk-or-v1-" + "8" * 64


def test_langchain_model_never_shows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from langchain_core.load import dumpd, dumps

    from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings

    monkeypatch.setenv("OPENROUTER_API_KEY", OTHER)
    for cls in (ChatOpenRouter, OpenRouterEmbeddings):
        obj = cls(model="openai/gpt-4o-mini", api_key=KEY)
        assert KEY not in repr(obj) and KEY not in str(obj)
        assert KEY not in str(dumpd(obj)) and KEY not in dumps(obj)
        # A pickle is process transport: the explicit key travels, the environment's
        # key on the other side does not replace it.
        loaded = pickle.loads(pickle.dumps(obj))
        assert loaded.openrouter_api_key.get_secret_value() == KEY
        # A key read from the environment is not pickled: it is read again on load.
        from_env = pickle.dumps(cls(model="openai/gpt-4o-mini"))
        assert OTHER.encode() not in from_env
        monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
        assert pickle.loads(from_env).openrouter_api_key.get_secret_value() == KEY
        monkeypatch.setenv("OPENROUTER_API_KEY", OTHER)


def test_llama_index_model_never_shows_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

    monkeypatch.setenv("OPENROUTER_API_KEY", OTHER)
    for cls in (OpenRouter, OpenRouterEmbedding):
        obj = cls(api_key=KEY)
        assert KEY not in repr(obj) and KEY not in str(obj)
        assert KEY not in obj.to_json() and KEY not in str(obj.model_dump())
        assert pickle.loads(pickle.dumps(obj)).api_key == KEY
        from_env = pickle.dumps(cls())
        assert OTHER.encode() not in from_env
        monkeypatch.setenv("OPENROUTER_API_KEY", KEY)
        assert pickle.loads(from_env).api_key == KEY
        monkeypatch.setenv("OPENROUTER_API_KEY", OTHER)


class _Recorder(BaseHTTPRequestHandler):
    seen: list[dict[str, str]] = []
    target = ""

    def do_POST(self) -> None:
        type(self).seen.append({k.lower(): v for k, v in self.headers.items()})
        if self.target:
            self.send_response(307)
            self.send_header("Location", self.target + self.path)
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            body = b'{"error": {"code": 500, "message": "should never be reached"}}'
            self.send_response(500)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def redirecting() -> Iterator[tuple[str, type[_Recorder]]]:
    class Other(_Recorder):
        seen: list[dict[str, str]] = []

    other = HTTPServer(("127.0.0.2", 0), Other)

    class First(_Recorder):
        seen: list[dict[str, str]] = []
        target = f"http://127.0.0.2:{other.server_port}"

    first = HTTPServer(("127.0.0.1", 0), First)
    threads = [threading.Thread(target=s.serve_forever, daemon=True) for s in (first, other)]
    for t in threads:
        t.start()
    try:
        yield f"http://127.0.0.1:{first.server_port}/api/v1", Other
    finally:
        for s in (first, other):
            s.shutdown()
            s.server_close()


def test_authorization_never_follows_a_redirect(redirecting: tuple[str, type[_Recorder]]) -> None:
    base_url, other = redirecting
    with (
        OpenRouterClient(
            api_key=KEY, base_url=base_url, max_retries=0, capability_check="off"
        ) as client,
        pytest.raises(OpenRouterError),
    ):
        client.chat({"model": PRIMARY, "messages": [{"role": "user", "content": "hi"}]})
    assert other.seen == []  # redirects are not followed at all: the key stays home


@pytest.mark.parametrize("url", ["http://openrouter.ai/api/v1", "http://10.0.0.8:8080/api/v1"])
def test_plain_http_is_refused_unless_allowed(url: str) -> None:
    with pytest.raises(ConfigurationError, match="https"):
        OpenRouterClient(api_key=KEY, base_url=url)
    OpenRouterClient(api_key=KEY, base_url=url, allow_insecure_http=True).close()
    OpenRouterClient(api_key=KEY, base_url="http://127.0.0.1:9/api/v1").close()  # loopback
