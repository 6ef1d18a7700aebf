"""Fixtures for the LangChain adapter tests.

* Cassettes of this folder live under ``cassettes/langchain/``.
* ``fake_openrouter``: a scripted in-process OpenRouter (an ``httpx.MockTransport``)
  for the unit tests, which never touch the network or a cassette.
* ``media``: small, locally generated image / PDF / audio files standing in for
  the files langchain-tests downloads from the web, so the standard integration
  tests run offline and their requests are deterministic.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter_core import AsyncOpenRouterClient, Catalog, OpenRouterClient, RetryPolicy
from openrouter_core.routing import CooldownRegistry

ROOT = Path(__file__).resolve().parents[2]
LIVE_BASE_URL = "https://openrouter.ai/api/v1"

if importlib.util.find_spec("langchain_openrouter") is None:
    # The editable install maps only shared/ (hatch dev-mode dirs); the adapter
    # packages sit at the repository root.
    sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def openrouter_cassette_dir() -> Path:
    """This folder's cassettes: ``cassettes/langchain/<module>/<test>.yaml``."""
    return ROOT / "cassettes" / "langchain"


@pytest.fixture(autouse=True)
def _default_base_url(
    request: pytest.FixtureRequest, base_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In cassette tests, models built without ``base_url`` talk to the emulator while
    authoring (replayed cassettes always name openrouter.ai)."""
    if base_url != LIVE_BASE_URL and request.node.get_closest_marker("openrouter_cassette"):
        monkeypatch.setenv("OPENROUTER_BASE_URL", base_url)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The standard ``test_stream_time`` benchmark replays one recorded stream many
    times (standard tests may not be overridden, so the marker is added here)."""
    for item in items:
        if item.name == "test_stream_time" and "langchain" in item.path.parts:
            item.add_marker(pytest.mark.openrouter_cassette(allow_playback_repeats=True))


_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")


def stable_tool_call_ids(request: Any) -> Any:
    """Cassette hook: random (uuid4) tool-call ids in a chat body, such as those
    ``tool_example_to_messages`` makes, become ``uuid-0``, ``uuid-1``... in order of
    appearance, so the recorded body matches the next run's. Only the cassette's
    copy of the request changes, never what is sent."""
    body = request.body
    if not body or b'"tool_call' not in (body if isinstance(body, bytes) else body.encode()):
        return request
    try:
        data = json.loads(body)
    except ValueError:
        return request
    mapping: dict[str, str] = {}

    def stable(value: Any) -> Any:
        if isinstance(value, str) and _UUID.match(value):
            return mapping.setdefault(value, f"uuid-{len(mapping)}")
        return value

    for message in data.get("messages") or () if isinstance(data, dict) else ():
        for call in message.get("tool_calls") or ():
            call["id"] = stable(call.get("id"))
        if "tool_call_id" in message:
            message["tool_call_id"] = stable(message["tool_call_id"])
    if mapping:
        request.body = json.dumps(data, ensure_ascii=False).encode()
    return request


@pytest.fixture
def openrouter_request_hooks(openrouter_request_hooks: list[Any]) -> list[Any]:
    """The project's cassette hooks plus :func:`stable_tool_call_ids`."""
    return [*openrouter_request_hooks, stable_tool_call_ids]


# --------------------------------------------------------------------------- fake server


class FakeOpenRouter:
    """Replies queued by the test, requests recorded for assertions."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.requests: list[dict[str, Any]] = []
        self._replies: list[httpx.Response] = []
        self.transport = httpx.MockTransport(self._handle)
        self.cooldowns = CooldownRegistry()
        #: Accept body fields the published schema does not list (``model_kwargs`` tests).
        self.allow_unknown_fields = False

    # -- scripting
    def reply_json(self, payload: dict[str, Any], status: int = 200, **headers: str) -> None:
        self._replies.append(httpx.Response(status, json=payload, headers=headers))

    def reply_error(self, status: int, message: str, **headers: str) -> None:
        self.reply_json({"error": {"code": status, "message": message}}, status, **headers)

    def reply_stream(self, events: list[dict[str, Any]], *, done: bool = True) -> None:
        text = ": OPENROUTER PROCESSING\n\n"
        text += "".join(f"data: {json.dumps(e)}\n\n" for e in events)
        if done:
            text += "data: [DONE]\n\n"
        self._replies.append(
            httpx.Response(
                200, content=text.encode(), headers={"content-type": "text/event-stream"}
            )
        )

    def _handle(self, request: httpx.Request) -> httpx.Response:
        from request_validation import validate_request

        if request.method == "GET" and request.url.path.endswith("/embeddings/models"):
            models = [{"id": "openai/text-embedding-3-small"}, {"id": "qwen/qwen3-embedding-8b"}]
            return httpx.Response(200, json={"data": models})
        body = json.loads(request.content) if request.content else {}
        # Every body must satisfy OpenRouter's published request schema.
        validate_request(
            request.method, request.url.path, body, allow_unknown_fields=self.allow_unknown_fields
        )
        self.requests.append(body)
        if not self._replies:
            raise AssertionError(f"unexpected request to {request.url}")
        return self._replies.pop(0)

    # -- the pool stand-in
    @property
    def sync(self) -> OpenRouterClient:
        return OpenRouterClient(
            api_key="test-key",
            http_client=httpx.Client(transport=self.transport),
            catalog=self.catalog,
            cooldowns=self.cooldowns,
            retry_policy=RetryPolicy(max_retries=0, sleep=lambda _: None),
        )

    def async_client(self) -> AsyncOpenRouterClient:
        async def no_sleep(_: float) -> None:
            return None

        return AsyncOpenRouterClient(
            api_key="test-key",
            http_client=httpx.AsyncClient(transport=self.transport),
            catalog=self.catalog,
            cooldowns=self.cooldowns,
            retry_policy=RetryPolicy(max_retries=0, async_sleep=no_sleep),
        )


@pytest.fixture
def fake_openrouter(
    catalog_models: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[FakeOpenRouter]:
    """Route every ``ChatOpenRouter`` / ``OpenRouterEmbeddings`` call to a fake server."""
    fake = FakeOpenRouter(Catalog.from_models(catalog_models))
    for module in ("langchain_openrouter.chat_models", "langchain_openrouter.embeddings"):
        monkeypatch.setattr(f"{module}.clients_of", lambda _obj, **_settings: fake)
    yield fake


def completion(
    content: str | None = "Hello!",
    *,
    model: str = "openai/gpt-4o-mini",
    tool_calls: list[dict[str, Any]] | None = None,
    reasoning: str | None = None,
    reasoning_details: list[dict[str, Any]] | None = None,
    finish_reason: str = "stop",
    usage: dict[str, Any] | None = None,
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
        "usage": usage
        or {
            "prompt_tokens": 10,
            "completion_tokens": 5,
            "total_tokens": 15,
            "cost": 0.00002,
            "prompt_tokens_details": {"cached_tokens": 4, "cache_write_tokens": 0},
            "completion_tokens_details": {"reasoning_tokens": 2},
        },
    }


@pytest.fixture
def make_completion() -> Any:
    return completion


# --------------------------------------------------------------------------- media


def _png() -> bytes:
    """A 16x16 solid-colour PNG."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 16, 16, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\x33\x66\x99" * 16 for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _pdf() -> bytes:
    """A one-page PDF whose only text is 'Dummy PDF file'."""
    stream = b"BT /F1 24 Tf 72 720 Td (Dummy PDF file) Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return out


def _wav() -> bytes:
    """Half a second of a 440 Hz tone, 8 kHz mono 16-bit."""
    import io
    import math
    import struct
    import wave

    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(8000)
        frames = b"".join(
            struct.pack("<h", int(8000 * math.sin(2 * math.pi * 440 * i / 8000)))
            for i in range(4000)
        )
        out.writeframes(frames)
    return buffer.getvalue()


MEDIA = {".png": _png, ".pdf": _pdf, ".wav": _wav}


class LocalMedia:
    """Stands in for ``httpx`` inside langchain-tests: known media URLs are served
    from the generated files above; anything else is refused."""

    def get(self, url: str, **_: Any) -> httpx.Response:
        for suffix, make in MEDIA.items():
            if url.endswith(suffix):
                return httpx.Response(200, content=make(), request=httpx.Request("GET", url))
        raise AssertionError(f"no local stand-in for {url}")


@pytest.fixture
def local_media(monkeypatch: pytest.MonkeyPatch) -> None:
    """Serve the standard tests' downloads locally (no network, stable cassettes)."""
    import langchain_tests.integration_tests.chat_models as standard

    monkeypatch.setattr(standard, "httpx", LocalMedia())
    os.environ.setdefault("LANGCHAIN_TESTS_USER_AGENT", "openrouter-integrations-tests")


@pytest.fixture(scope="session", autouse=True)
def openrouter_catalog_cache(
    tmp_path_factory: pytest.TempPathFactory, base_url: str, api_key: str
) -> Path:
    """The project's catalog set-up, tolerant of a missing catalog cassette.

    Replays ``cassettes/catalog/models.yaml`` when it exists (as the root fixture
    does). Otherwise, and while authoring, it loads ``tests/data/models.json``
    straight into the disk cache: the very catalog the emulator serves. Either
    way this folder never writes a cassette outside ``cassettes/langchain``.
    """
    import time

    from openrouter_core.testing.cassettes import use_cassette

    cache_dir = tmp_path_factory.mktemp("catalog-cache")
    os.environ["OPENROUTER_CATALOG_CACHE_DIR"] = str(cache_dir)
    recording = os.environ.get("OPENROUTER_RECORD_MODE", "none") != "none"
    if (ROOT / "cassettes/catalog/models.yaml").exists() and not recording:
        with (
            use_cassette("catalog/models", cassette_dir=ROOT / "cassettes", record_mode="none"),
            OpenRouterClient(api_key=api_key, base_url=base_url) as client,
        ):
            client.catalog.ensure()
            client.ensure_catalog("embeddings")
        return cache_dir
    from openrouter_core._catalog_store import DiskCache
    from tests.emulator.catalog import Catalog as EmulatorCatalog

    chat = json.loads((ROOT / "tests/data/models.json").read_text())
    listings = {
        "/models": chat,
        "/embeddings/models": {"data": EmulatorCatalog(chat["data"]).embedding_models},
    }
    for url in {base_url, LIVE_BASE_URL}:  # unit tests use the default base URL
        for path, payload in listings.items():
            DiskCache(cache_dir, url + path).write(payload, time.time())
    return cache_dir


@pytest.fixture(scope="session")
def media_base64() -> dict[str, str]:
    """The generated media files, base64-encoded, by suffix (``.png``, ``.pdf``, ``.wav``)."""
    import base64

    return {suffix: base64.b64encode(make()).decode() for suffix, make in MEDIA.items()}
