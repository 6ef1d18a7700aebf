"""Thousands of concurrent calls through one shared client; closing clients under
load; a long ``Retry-After``."""

from __future__ import annotations

import asyncio
import json
import time

import httpx
import pytest

from langchain_openrouter import ChatOpenRouter
from openrouter_core import (
    AllModelsFailedError,
    ClientClosedError,
    OpenRouterClient,
    RateLimitError,
    aclose_shared_clients,
    close_shared_clients,
)
from tests.deploy.conftest import KEY, reset_server, server_stats

MODEL = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"


async def test_two_thousand_concurrent_streams_and_a_thousand_invokes_all_complete(
    server_url: str,
) -> None:
    llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=server_url, timeout=30_000)  # ms
    reset_server(server_url)

    async def stream(i: int) -> str:
        return "".join([str(c.content) async for c in llm.astream(f"#delay=0.01 s{i}")])

    async def invoke(i: int) -> str:
        return str((await llm.ainvoke(f"#delay=0.01 i{i}")).content)

    started = time.perf_counter()
    streams, invokes = await asyncio.gather(
        asyncio.gather(*(stream(i) for i in range(2000))),
        asyncio.gather(*(invoke(i) for i in range(1000))),
    )
    elapsed = time.perf_counter() - started
    assert streams == [f"echo: #delay=0.01 s{i}" for i in range(2000)]
    assert invokes == [f"echo: #delay=0.01 i{i}" for i in range(1000)]
    stats = server_stats(server_url)
    print(f"3,000 concurrent calls in {elapsed:.1f}s; server peak in flight {stats['peak_active']}")
    # The client's own bound, not httpcore's queue, held them: never more at once.
    client = llm._clients().async_client()
    assert 2 <= stats["peak_active"] <= client.settings.max_concurrent_requests


async def test_closing_shared_clients_under_load_raises_a_typed_error_then_recovers(
    server_url: str,
) -> None:
    llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=server_url, max_retries=0)
    await llm.ainvoke("warm up")  # the catalog and the client, so the calls go straight out
    reset_server(server_url)
    calls = [asyncio.ensure_future(llm.ainvoke(f"#delay=2 q{i}")) for i in range(20)]
    deadline = time.monotonic() + 10
    while server_stats(server_url)["peak_active"] < len(calls) and time.monotonic() < deadline:
        await asyncio.sleep(0.02)  # until the server holds every call
    await aclose_shared_clients()
    outcomes = await asyncio.gather(*calls, return_exceptions=True)
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert errors, "closing under load must fail the calls in flight"
    assert all(isinstance(e, ClientClosedError) for e in errors), errors
    # The closed client was replaced: the same model object works again.
    assert (await llm.ainvoke("again")).content == "echo: again"
    close_shared_clients()
    assert llm.invoke("sync again").content == "echo: sync again"


def test_a_closed_client_raises_a_typed_error(server_url: str) -> None:
    client = OpenRouterClient(api_key=KEY, base_url=server_url, capability_check="off")
    client.close()
    with pytest.raises(ClientClosedError):
        client.chat({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]})


def test_retry_after_beyond_the_budget_fails_fast(server_url: str) -> None:
    reset_server(server_url)
    llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=server_url)  # defaults
    started = time.perf_counter()
    with pytest.raises(RateLimitError) as caught:
        llm.invoke("#retry_after=86400")
    assert time.perf_counter() - started < 2
    assert caught.value.retry_after == 86400
    assert server_stats(server_url)["requests"] == 1  # asked once, not three times

    # The model now cools down for that long: the next call of these settings skips
    # it without asking. With a fallback (other settings here, so nothing is cooling),
    # the route moves on at once; the backup is limited too.
    reset_server(server_url)
    routed = ChatOpenRouter(
        model=MODEL, api_key=KEY + "x", base_url=server_url, fallback_models=[BACKUP]
    )
    started = time.perf_counter()
    with pytest.raises(AllModelsFailedError):
        routed.invoke("#retry_after=86400")
    assert time.perf_counter() - started < 2
    assert server_stats(server_url)["requests"] == 2


def test_a_callers_http_client_is_never_modified(server_url: str) -> None:
    seen: list[httpx.Request] = []

    def record(request: httpx.Request) -> None:
        seen.append(request)

    own = httpx.Client(event_hooks={"request": [record]}, headers={"X-Mine": "1"})
    before = (str(own.base_url), dict(own.headers))
    client = OpenRouterClient(
        api_key=KEY, base_url=server_url, http_client=own, capability_check="off"
    )
    result = client.chat({"model": MODEL, "messages": [{"role": "user", "content": "hi"}]})
    assert result.text == "echo: hi"
    assert (str(own.base_url), dict(own.headers)) == before
    assert seen[-1].headers["authorization"] == f"Bearer {KEY}"
    # Any other request the caller's client makes carries no OpenRouter key.
    own.get(f"{server_url}/_stats")
    assert "authorization" not in seen[-1].headers
    assert json.loads(own.get(f"{server_url}/_stats").content)["requests"] >= 1
    client.close()
    assert not own.is_closed  # and it stays the caller's to close
    own.close()
