"""The catalog offline-first: no network at bind time, odd entries, stale copies, an
empty reply, a future date, proxies without ``/models``, the missing key, the disk
cache's eviction, and unknown ids judged by the catalog's freshness."""

from __future__ import annotations

import json
import os
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter_core import (
    Catalog,
    CatalogWarning,
    ConfigurationError,
    OpenRouterClient,
    UnknownModelError,
    catalog as catalog_module,
)
from openrouter_core._catalog_store import KEEP_FILES, DiskCache, parse_models

ROOT = Path(__file__).resolve().parents[2]
MODELS = json.loads((ROOT / "tests/data/models.json").read_text())
MODEL = "openai/gpt-4o-mini"
USER = [{"role": "user", "content": "hi"}]
REPLY = {
    "id": "gen-1",
    "model": MODEL,
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
}


class Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


class Server:
    """Answers by path; counts what was asked."""

    def __init__(self, routes: dict[str, Callable[[httpx.Request], httpx.Response]]) -> None:
        self.routes = routes
        self.seen: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(f"{request.method} {request.url}")
        for suffix, answer in self.routes.items():
            if str(request.url).endswith(suffix):
                return answer(request)
        return httpx.Response(404, text="<html><title>Not Found</title></html>")


def ok(payload: Any) -> Callable[[httpx.Request], httpx.Response]:
    return lambda _: httpx.Response(200, json=payload)


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "OPENROUTER_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.delenv("OPENROUTER_CATALOG_URL", raising=False)
    saved = dict(catalog_module._registry)
    catalog_module._registry.clear()
    yield
    catalog_module._registry.clear()
    catalog_module._registry.update(saved)


def client(server: Server, **kwargs: Any) -> OpenRouterClient:
    http = httpx.Client(transport=httpx.MockTransport(server))
    return OpenRouterClient(**{"api_key": "k", "http_client": http, **kwargs})


# --------------------------------------------------------------------------- offline at bind time


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every httpx transport of the process refuses to connect, and says it was asked."""
    asked: list[str] = []

    def refuse(self: Any, request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        raise httpx.ConnectError("network blocked by the test")

    async def arefuse(self: Any, request: httpx.Request) -> httpx.Response:
        return refuse(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", refuse)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", arefuse)
    return asked


def test_binding_profiles_metadata_and_agents_need_no_network(no_network: list[str]) -> None:
    from langchain.agents import create_agent
    from llama_index.core.agent.workflow import FunctionAgent
    from pydantic import BaseModel

    from langchain_openrouter import ChatOpenRouter
    from llama_index_openrouter import OpenRouter

    class Answer(BaseModel):
        city: str

    def get_weather(city: str) -> str:
        """Weather of a city."""
        return "sunny"

    llm = ChatOpenRouter(model=MODEL, api_key="k")
    assert llm.bind_tools([get_weather], tool_choice="get_weather")
    for method in ("json_schema", "function_calling", "json_mode"):
        assert llm.with_structured_output(Answer, method=method)  # type: ignore[arg-type]
    assert llm.with_structured_output(Answer)
    profile = llm.profile
    assert profile is not None and profile["tool_calling"] is True
    assert profile["max_input_tokens"] == 128000
    assert create_agent(model=llm, tools=[get_weather])
    li = OpenRouter(model=MODEL, api_key="k")
    assert li.metadata.context_window == 128000
    assert li.metadata.is_function_calling_model
    assert FunctionAgent(tools=[get_weather], llm=li)
    assert no_network == []  # not one request: the bundled snapshot answered


def test_unknown_ids_are_warned_about_not_refused_against_the_snapshot(
    no_network: list[str],
) -> None:
    from langchain_openrouter import ChatOpenRouter

    with pytest.warns(CatalogWarning, match=r"not in the bundled catalog of 2026-03-11") as seen:
        ChatOpenRouter(model="vendor/released-yesterday", api_key="k").bind_tools([])
    assert len(seen) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # said once per id, not again
        ChatOpenRouter(model="vendor/released-yesterday", api_key="k").bind_tools([])


# --------------------------------------------------------------------------- odd entries


ODD = [
    ("null pricing", {"pricing": None}, lambda m: m.prompt_price is None),
    ("null architecture", {"architecture": None}, lambda m: m.input_modalities == {"text"}),
    ("null top_provider", {"top_provider": None}, lambda m: m.max_completion_tokens is None),
    (
        "numeric price",
        {"pricing": {"prompt": 0.000001, "completion": 2e-06}},
        lambda m: m.prompt_price == 0.000001,
    ),
    ("float created", {"created": 1.7e9}, lambda m: m.created == 1700000000),
    (
        "null inside input_modalities",
        {"architecture": {"input_modalities": ["text", None, "image"]}},
        lambda m: m.input_modalities == {"text", "image"},
    ),
]


@pytest.mark.parametrize(("case", "oddity", "check"), ODD, ids=[c[0] for c in ODD])
def test_one_odd_entry_is_read_leniently_and_every_model_keeps_working(
    case: str, oddity: dict[str, Any], check: Callable[[Any], bool]
) -> None:
    odd = {**MODELS["data"][0], "id": "vendor/odd", **oddity}
    server = Server({"/models": ok({"data": [*MODELS["data"], odd]}), "/completions": ok(REPLY)})
    with client(server) as c:
        assert c.chat({"model": MODEL, "messages": USER}).text == "ok"
        assert check(c.catalog.get("vendor/odd"))
        assert len(c.catalog) == len(MODELS["data"]) + 1


def test_an_unreadable_entry_is_skipped_with_one_warning() -> None:
    payload = {"data": [{"id": 42}, {"name": "no id"}, *MODELS["data"][:3]]}
    with pytest.warns(CatalogWarning, match="Skipped 2 unreadable entries") as seen:
        models = parse_models(payload)
    assert len(models) == 3 and len(seen) == 1


# --------------------------------------------------------------------------- stale, empty, future


def test_a_failed_or_unreadable_refresh_keeps_the_stale_copy_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    answers: list[Any] = [{"data": MODELS["data"]}, ConnectionError("down"), {"data": "junk"}]

    def fetch() -> Any:
        answer = answers.pop(0) if answers else ConnectionError("down")
        if isinstance(answer, Exception):
            from openrouter_core import APIConnectionError

            raise APIConnectionError(str(answer))
        return answer

    catalog = Catalog(fetch=fetch, cache_dir=tmp_path, ttl=60, clock=clock)
    assert catalog.ensure().origin == "live"
    clock.now += 61
    with caplog.at_level("WARNING", logger="openrouter_core.catalog"):
        assert len(catalog.ensure()) == len(MODELS["data"])  # the stale copy
        clock.now += 61  # the backoff passed: tried again, unreadable this time
        assert len(catalog.ensure()) == len(MODELS["data"])
    assert [r for r in caplog.records if "using the" in r.getMessage()].__len__() == 1
    assert catalog.find(MODEL) is not None


def test_an_empty_catalog_is_never_cached_as_the_truth(tmp_path: Path) -> None:
    clock = Clock()
    replies = [{"data": []}, {"data": MODELS["data"]}]
    catalog = Catalog(fetch=lambda: replies.pop(0), cache_dir=tmp_path, ttl=3600, clock=clock)
    catalog.ensure()
    assert catalog.origin == "snapshot" and not catalog.is_fresh
    assert catalog.cache_path is not None and not catalog.cache_path.exists()
    clock.now += catalog_module.RETRY_FAILED_REFRESH_AFTER + 1
    assert catalog.ensure().origin == "live" and catalog.cache_path.exists()


def test_a_fetched_at_in_the_future_counts_as_stale(tmp_path: Path) -> None:
    clock = Clock()
    disk = DiskCache(tmp_path, "https://openrouter.ai/api/v1/models")
    disk.write({"data": MODELS["data"][:5]}, clock.now + 86400)
    calls: list[int] = []

    def fetch() -> Any:
        calls.append(1)
        return {"data": MODELS["data"]}

    catalog = Catalog(fetch=fetch, cache_dir=tmp_path, clock=clock)
    assert len(catalog.ensure()) == len(MODELS["data"]) and calls == [1]


def test_odd_content_on_disk_does_not_break_calls(tmp_path: Path) -> None:
    disk = DiskCache(tmp_path, "https://openrouter.ai/api/v1/models")
    odd = {**MODELS["data"][0], "id": "vendor/odd", "pricing": None, "created": 1.5}
    disk.write({"data": [*MODELS["data"], odd]}, time.time())
    catalog = Catalog(
        fetch=lambda: pytest.fail("the fresh disk copy is enough"), cache_dir=tmp_path
    )
    assert catalog.ensure().get("vendor/odd").prompt_price is None


def test_the_disk_cache_keeps_one_file_per_source_and_evicts_old_ones(tmp_path: Path) -> None:
    old = time.time() - 40 * 86400
    for i in range(KEEP_FILES + 4):
        cache = DiskCache(tmp_path, f"https://gateway-{i}.example/api/v1/models")
        cache.write({"data": MODELS["data"][:1]}, time.time())
        assert cache.path is not None
        os.utime(
            cache.path, (old if i == 0 else time.time() - i, old if i == 0 else time.time() - i)
        )
    newest = DiskCache(tmp_path, "https://openrouter.ai/api/v1/models")
    newest.write({"data": MODELS["data"][:1]}, time.time())
    files = list(tmp_path.glob("models-*.json"))
    assert len(files) == KEEP_FILES + 1
    assert newest.path in files
    assert DiskCache(tmp_path, "https://gateway-0.example/api/v1/models").path not in files


# --------------------------------------------------------------------------- sources


def test_a_proxy_without_models_takes_the_public_catalog() -> None:
    public = ok({"data": MODELS["data"]})
    server = Server(
        {
            "https://openrouter.ai/api/v1/models": public,
            "proxy.example/api/v1/chat/completions": ok(REPLY),
        }
    )
    with client(server, base_url="https://proxy.example/api/v1") as c:
        result = c.chat({"model": MODEL, "messages": USER})
        assert result.text == "ok" and c.catalog.origin == "live"
        with pytest.raises(UnknownModelError):  # checks work through the proxy
            c.chat({"model": "openai/gpt-4o-mnii", "messages": USER})
    assert server.seen[:2] == [
        "GET https://proxy.example/api/v1/models",
        "GET https://openrouter.ai/api/v1/models",
    ]
    public_request = server.seen[1]
    assert "proxy" not in public_request


def test_catalog_url_sets_the_source(monkeypatch: pytest.MonkeyPatch) -> None:
    server = Server(
        {
            "https://catalog.internal/v1/models": ok({"data": MODELS["data"]}),
            "/chat/completions": ok(REPLY),
        }
    )
    with client(
        server,
        base_url="https://proxy.example/api/v1",
        catalog_url="https://catalog.internal/v1/models",
    ) as c:
        c.chat({"model": MODEL, "messages": USER})
        assert c.catalog.source == "https://catalog.internal/v1/models"
    monkeypatch.setenv("OPENROUTER_CATALOG_URL", "https://catalog.internal/v1/models")
    with client(server, base_url="https://proxy.example/api/v1") as c:
        assert c.catalog_sources() == [("https://catalog.internal/v1/models", False)]


def test_nothing_answers_so_the_snapshot_does(tmp_path: Path) -> None:
    server = Server({"/chat/completions": ok(REPLY)})
    with client(server, base_url="https://proxy.example/api/v1") as c:
        with pytest.warns(CatalogWarning):  # an id the bundled catalog lacks is let through
            c.chat({"model": "vendor/new-model", "messages": USER})
        assert c.catalog.origin == "snapshot"


# --------------------------------------------------------------------------- key and ids


def test_the_missing_key_is_one_error_whether_the_catalog_is_cached_or_not() -> None:
    server = Server({"/models": ok({"data": MODELS["data"]}), "/completions": ok(REPLY)})
    messages = []
    for _ in range(2):  # first with no catalog anywhere, then with it cached
        with client(server, api_key=None) as c, pytest.raises(ConfigurationError) as caught:
            c.chat({"model": MODEL, "messages": USER})
        messages.append(str(caught.value))
    assert messages[0] == messages[1]
    assert "OPENROUTER_API_KEY" in messages[0] and "api_key=" in messages[0]
    assert isinstance(caught.value, ValueError)


def test_unknown_ids_are_refused_against_a_live_catalog_only(tmp_path: Path) -> None:
    clock = Clock()
    catalog = Catalog(
        fetch=lambda: {"data": MODELS["data"]}, cache_dir=tmp_path, clock=clock, ttl=60
    )
    catalog.ensure()
    with pytest.raises(UnknownModelError) as caught:
        catalog.lookup("openai/gpt-4o-mnii")
    assert "openai/gpt-4o-mini" in caught.value.suggestions
    clock.now += 61  # stale now, and the refresh fails
    catalog._fetch = lambda: (_ for _ in ()).throw(ConnectionError("x"))  # type: ignore[assignment]
    with pytest.warns(CatalogWarning, match="stale catalog"):
        assert catalog.lookup("openai/gpt-4o-mnii") is None


def test_embedding_model_ids_are_checked_against_the_embeddings_catalog() -> None:
    embeddings = {"data": [{"id": "openai/text-embedding-3-small"}]}
    vectors = {"data": [{"index": 0, "embedding": [0.5]}], "model": "text-embedding-3-small"}
    server = Server({"/embeddings/models": ok(embeddings), "/embeddings": ok(vectors)})
    with client(server) as c:
        assert c.embed(model="openai/text-embedding-3-small", input=["x"]).vectors() == [[0.5]]
        with pytest.raises(UnknownModelError) as caught:
            c.embed(model="openai/text-embedding-3-smal", input=["x"])
        assert caught.value.suggestions == ["openai/text-embedding-3-small"]
    assert sum(s.endswith("/embeddings") for s in server.seen) == 1  # the typo was not sent


# --------------------------------------------------------------------------- a source out of reach


def test_failed_refreshes_back_off_up_to_the_ttl(tmp_path: Path) -> None:
    clock = Clock()
    tries: list[float] = []

    def fetch() -> Any:
        tries.append(clock.now)
        from openrouter_core import APIConnectionError

        raise APIConnectionError("unreachable")

    catalog = Catalog(fetch=fetch, cache_dir=tmp_path, ttl=3600, clock=clock)
    base = catalog_module.RETRY_FAILED_REFRESH_AFTER
    catalog.ensure()  # the snapshot serves
    for wait in (base, 2 * base, 4 * base):
        clock.now += wait - 1
        catalog.ensure()
        assert len(tries) == 1 + [base, 2 * base, 4 * base].index(wait)  # not yet
        clock.now += 1
        catalog.ensure()
    assert len(tries) == 4 and catalog.origin == "snapshot"
    for _ in range(10):  # the wait never exceeds the TTL
        clock.now += 3600
        catalog.ensure()
    assert len(tries) == 14


def test_while_one_caller_refreshes_the_others_use_the_copy_at_hand(tmp_path: Path) -> None:
    """A stale copy, or any copy after a failed refresh, serves the other callers while
    one refreshes; before the first fetch they wait for it (it decides unknown ids)."""
    import asyncio
    import threading

    clock = Clock()
    started, release = threading.Event(), threading.Event()
    answers: list[Any] = [{"data": MODELS["data"]}]

    def fetch() -> Any:
        if answers:
            return answers.pop(0)
        started.set()
        release.wait(10)
        return {"data": MODELS["data"]}

    catalog = Catalog(fetch=fetch, cache_dir=tmp_path, ttl=60, clock=clock)
    assert catalog.ensure().origin == "live"
    clock.now += 61  # stale now
    refresher = threading.Thread(target=catalog.ensure)
    refresher.start()
    assert started.wait(10)
    try:
        began = time.monotonic()
        assert not catalog.ensure().is_fresh  # the stale copy, at once
        assert not asyncio.run(catalog.aensure()).is_fresh
        assert time.monotonic() - began < 1.0  # neither waited for the refresh
    finally:
        release.set()
        refresher.join(10)
    assert catalog.is_fresh and catalog.refresh_count == 2


def test_before_the_first_fetch_callers_wait_for_it(tmp_path: Path) -> None:
    import threading

    started, release = threading.Event(), threading.Event()
    fetches: list[int] = []

    def slow_fetch() -> Any:
        fetches.append(1)
        started.set()
        release.wait(10)
        return {"data": MODELS["data"]}

    catalog = Catalog(fetch=slow_fetch, cache_dir=tmp_path, ttl=60)
    catalog.current()  # the bundled snapshot is at hand, nothing fetched yet
    first = threading.Thread(target=catalog.ensure)
    first.start()
    assert started.wait(10)
    seen: list[str] = []
    second = threading.Thread(target=lambda: seen.append(catalog.ensure().origin))
    second.start()
    second.join(0.3)
    assert second.is_alive()  # waiting for the first fetch, not using the snapshot
    release.set()
    first.join(10)
    second.join(10)
    assert seen == ["live"] and fetches == [1]


def test_a_catalog_source_that_never_answers_costs_one_capped_attempt(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import socket
    import threading

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []

    def hold() -> None:  # accept and never answer
        while True:
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            accepted.append(conn)

    threading.Thread(target=hold, daemon=True).start()
    port = listener.getsockname()[1]
    monkeypatch.setattr(catalog_module, "CATALOG_FETCH_TIMEOUT", 0.3)
    try:
        with OpenRouterClient(
            api_key="k", catalog_url=f"http://127.0.0.1:{port}/api/v1/models"
        ) as stalled:
            began = time.monotonic()
            catalog = stalled.ensure_catalog()
            elapsed = time.monotonic() - began
    finally:
        listener.close()
        for conn in accepted:
            conn.close()
    assert catalog.origin == "snapshot"  # the bundled copy serves
    assert len(accepted) == 1  # one attempt, no retry
    assert 0.25 <= elapsed < 1.5  # the read timeout capped at 0.3 s, not the client's 60 s
