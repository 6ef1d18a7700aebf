"""Forked workers, an event loop per call, many keys: each process, loop and key gets
its own connections, and nothing piles up."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import traceback
from typing import Any

import pytest

from langchain_openrouter import ChatOpenRouter
from openrouter_core import _pool
from openrouter_core.catalog import _registry as catalog_registry
from tests.deploy.conftest import KEY, open_fds, rss_mb

MODEL = "openai/gpt-4o-mini"
_llm: ChatOpenRouter | None = None  # the forked workers' model, made in the parent


def _own_answers(tag: str, calls: int) -> list[str]:
    """Ask ``calls`` questions; return every answer that was not this question's."""
    assert _llm is not None
    wrong = []
    for i in range(calls):
        question = f"{tag}-{i}"
        answer = _llm.invoke(question).content
        if answer != f"echo: {question}":
            wrong.append(f"{question} -> {answer}")
    return wrong


def _parent_model(server_url: str) -> ChatOpenRouter:
    global _llm
    _llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=server_url)
    # What a gunicorn --preload app does at import time: bind tools and make a call,
    # which leaves a keep-alive connection in the parent's pool.
    _llm.bind_tools([{"type": "function", "function": {"name": "f", "parameters": {}}}])
    assert _llm.invoke("warm-up").content == "echo: warm-up"
    return _llm


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_forked_children_never_share_the_parents_connection(server_url: str) -> None:
    llm = _parent_model(server_url)
    parent_http = llm._clients().sync.http_client
    children = []
    for tag in ("a", "b"):
        pid = os.fork()
        if pid == 0:  # the child
            code = 1
            try:
                wrong = _own_answers(tag, 200)
                # Its own pool: never the parent's client (nor its sockets).
                if llm._clients().sync.http_client is parent_http:
                    wrong.append("the child used the parent's HTTP client")
                code = 0 if not wrong else 3
                if wrong:
                    print(wrong[:5], flush=True)
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        children.append(pid)
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    assert codes == [0, 0], "a forked worker got answers that were not its own"
    # The parent's client still works after its children came and went.
    assert _own_answers("parent", 5) == []


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs the fork start method")
def test_multiprocessing_fork_pool_workers_get_their_own_answers(server_url: str) -> None:
    _parent_model(server_url)
    context = multiprocessing.get_context("fork")
    with context.Pool(2) as workers:
        results = workers.starmap(_own_answers, [("w1", 200), ("w2", 200)])
    assert results == [[], []]


def test_asyncio_run_per_call_leaves_no_sockets_or_memory_behind(server_url: str) -> None:
    llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=server_url)

    async def one(i: int) -> Any:
        return (await llm.ainvoke(f"q{i}")).content

    for i in range(100):  # warm up (imports, caches, the allocator)
        assert asyncio.run(one(i)) == f"echo: q{i}"
    gc.collect()
    fds, rss = open_fds(), rss_mb()
    for i in range(1000):
        assert asyncio.run(one(i)) == f"echo: q{i}"
    gc.collect()
    grown_fds, grown_rss = open_fds() - fds, rss_mb() - rss
    print(f"1,000 asyncio.run calls: fds {grown_fds:+d}, RSS {grown_rss:+.1f} MB")
    assert grown_fds <= 3
    assert grown_rss < 15
    # One async client at most is left in the pool: the closed loops' are gone.
    entry = next(iter(_pool._registry.values()))
    assert len(entry._async) <= 1


def test_a_thousand_keys_keep_memory_flat_and_share_one_catalog(server_url: str) -> None:
    def call(i: int) -> None:
        key = f"sk-or-v1-{i:064d}"
        answer = ChatOpenRouter(model=MODEL, api_key=key, base_url=server_url).invoke("hi")
        assert answer.content == "echo: hi"

    for i in range(150):  # warm up past the pool bound, so evictions are steady
        call(i)
    gc.collect()
    fds, rss = open_fds(), rss_mb()
    for i in range(150, 1150):
        call(i)
    gc.collect()
    grown_fds, grown_rss = open_fds() - fds, rss_mb() - rss
    print(f"1,000 more keys: fds {grown_fds:+d}, RSS {grown_rss:+.1f} MB")
    assert len(_pool._registry) <= _pool.MAX_SHARED
    assert grown_fds <= 3
    assert grown_rss < 15
    sources = {source for source, _ in catalog_registry if server_url in source}
    assert sources == {f"{server_url}/models"}  # one catalog, whatever the key
