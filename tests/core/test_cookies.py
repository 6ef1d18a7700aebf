"""The httpx client an OpenRouter client opens for itself keeps cookies as httpx
does, but skips the jar's work on the (usual) replies that set none."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from openrouter_core import AsyncOpenRouterClient, OpenRouterClient
from tests.fake_transport import route_httpx

BODY = {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "hi"}]}
REPLY = {
    "id": "gen-1",
    "model": "openai/gpt-4o-mini",
    "choices": [{"index": 0, "message": {"role": "assistant", "content": "ok"}}],
}


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Request]:
    """Every request sent; the second reply sets a cookie, the others none."""
    requests: list[httpx.Request] = []

    def answer(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        headers = [("set-cookie", "session=abc; Path=/")] if len(requests) == 2 else []
        return httpx.Response(200, json=REPLY, headers=headers)

    route_httpx(monkeypatch, answer)
    return requests


@pytest.fixture
def jar_reads(monkeypatch: pytest.MonkeyPatch) -> list[httpx.Response]:
    """Each reply httpx's own jar code was asked to read."""
    reads: list[httpx.Response] = []
    extract = httpx.Cookies.extract_cookies

    def counting(self: httpx.Cookies, response: httpx.Response) -> None:
        reads.append(response)
        extract(self, response)

    monkeypatch.setattr(httpx.Cookies, "extract_cookies", counting)
    return reads


def test_cookies_set_by_a_reply_are_sent_back_and_others_cost_nothing(
    seen: list[httpx.Request], jar_reads: list[httpx.Response]
) -> None:
    with OpenRouterClient(api_key="sk-or-test", capability_check="off") as client:
        for _ in range(4):
            assert client.chat(BODY).text == "ok"
        assert client.http_client.cookies.get("session") == "abc"
    assert [r.headers.get("cookie") for r in seen] == [None, None, "session=abc", "session=abc"]
    assert len(jar_reads) == 1  # only the reply that set a cookie was parsed


def test_async_clients_keep_cookies_the_same_way(
    seen: list[httpx.Request], jar_reads: list[httpx.Response]
) -> None:
    async def run() -> None:
        async with AsyncOpenRouterClient(api_key="sk-or-test", capability_check="off") as client:
            for _ in range(3):
                assert (await client.chat(BODY)).text == "ok"

    asyncio.run(run())
    assert [r.headers.get("cookie") for r in seen] == [None, None, "session=abc"]
    assert len(jar_reads) == 1


def test_cookies_assigned_to_the_client_are_sent(seen: list[httpx.Request]) -> None:
    with OpenRouterClient(api_key="sk-or-test", capability_check="off") as client:
        client.http_client.cookies = {"team": "a"}
        client.chat(BODY)
    assert seen[0].headers["cookie"] == "team=a"
