"""A finished stream gives its connection back: the next request reuses it instead of
opening a new one (to OpenRouter, a TCP and TLS handshake per streamed call).

The loopback server streams as OpenRouter does (chunked, ``data: [DONE]`` then the
body's end) and counts the connections it accepts."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from llama_index.core.llms import ChatMessage

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import AsyncOpenRouterClient, OpenRouterClient
from tests.deploy.conftest import KEY, reset_server, server_stats

MODEL = "openai/gpt-4o-mini"
BODY = {"model": MODEL, "messages": [{"role": "user", "content": "one two three"}]}
STREAMS = 5


def _connections_opened(server_url: str, run: Callable[[], Any]) -> int:
    """New connections while ``run`` streams (after one warm-up call it makes itself)."""
    reset_server(server_url)
    run()
    return int(server_stats(server_url)["connections"]) - 1  # that request's own connection


def _sync_core(url: str) -> None:
    with OpenRouterClient(api_key=KEY, base_url=url) as client:
        client.chat(BODY)  # the catalog and the first connection
        for _ in range(STREAMS):
            text = "".join(c.content or "" for c in client.chat_stream(BODY))
            assert text == "echo: one two three"


def _async_core(url: str) -> None:
    async def run() -> None:
        async with AsyncOpenRouterClient(api_key=KEY, base_url=url) as client:
            await client.chat(BODY)
            for _ in range(STREAMS):
                stream = await client.chat_stream(BODY)
                assert [c async for c in stream]

    asyncio.run(run())


def _langchain(url: str) -> None:
    llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=url)
    llm.invoke("warm up")
    for _ in range(STREAMS):
        assert "".join(str(c.content) for c in llm.stream("one two")) == "echo: one two"

    async def run() -> None:
        await llm.ainvoke("warm up")
        for _ in range(STREAMS):
            assert [c async for c in llm.astream("one two")]

    asyncio.run(run())


def _llama_index(url: str) -> None:
    llm = OpenRouter(model=MODEL, api_key=KEY, api_base=url)
    messages = [ChatMessage(role="user", content="one two")]
    llm.chat(messages)
    for _ in range(STREAMS):
        assert list(llm.stream_chat(messages))[-1].message.content == "echo: one two"


@pytest.mark.parametrize(
    ("run", "warm_connections"),
    [
        pytest.param(_sync_core, 1, id="core-sync"),
        pytest.param(_async_core, 1, id="core-async"),
        pytest.param(_langchain, 2, id="langchain-sync-and-async"),  # a client each
        pytest.param(_llama_index, 1, id="llama-index"),
    ],
)
def test_streams_reuse_the_connection_of_the_call_before(
    server_url: str, run: Callable[[str], None], warm_connections: int
) -> None:
    assert _connections_opened(server_url, lambda: run(server_url)) == warm_connections


def test_a_stream_left_early_still_leaves_a_working_client(server_url: str) -> None:
    with OpenRouterClient(api_key=KEY, base_url=server_url) as client:
        stream = client.chat_stream(BODY)
        next(iter(stream))
        stream.close()  # unread: this connection is dropped, as it must be
        assert client.chat(BODY).text == "echo: one two three"
