"""OpenRouterEmbeddings against a scripted server: batching, order, async."""

from __future__ import annotations

from typing import Any

import pytest

from langchain_openrouter import OpenRouterEmbeddings
from openrouter_core import RateLimitError


def _reply(fake: Any, count: int, start: float) -> None:
    data = [
        {"object": "embedding", "index": i, "embedding": [start + i, 0.5]}
        for i in reversed(range(count))  # the API may answer out of order
    ]
    fake.reply_json({"object": "list", "model": "openai/text-embedding-3-small", "data": data})


def test_embed_documents_in_batches(fake_openrouter: Any) -> None:
    _reply(fake_openrouter, 2, 1.0)
    _reply(fake_openrouter, 1, 3.0)
    embeddings = OpenRouterEmbeddings(api_key="k", batch_size=2, dimensions=2)
    assert embeddings.embed_documents(["a", "b", "c"]) == [[1.0, 0.5], [2.0, 0.5], [3.0, 0.5]]
    assert [r["input"] for r in fake_openrouter.requests] == [["a", "b"], ["c"]]
    assert fake_openrouter.requests[0]["dimensions"] == 2
    assert embeddings.embed_documents([]) == []


async def test_async_embeddings(fake_openrouter: Any) -> None:
    _reply(fake_openrouter, 1, 7.0)
    embeddings = OpenRouterEmbeddings(api_key="k")
    assert await embeddings.aembed_query("q") == [7.0, 0.5]


def test_errors_are_typed(fake_openrouter: Any) -> None:
    fake_openrouter.reply_error(429, "slow down")
    with pytest.raises(RateLimitError):
        OpenRouterEmbeddings(api_key="k").embed_query("q")
