"""``max_concurrent_requests`` (the in-flight bound of a shared client) is a setting
of every framework class, never a request parameter."""

from __future__ import annotations

import warnings

import pytest

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings, OpenRouterRerank
from llama_index_openrouter import (
    OpenRouter,
    OpenRouterEmbedding,
    OpenRouterRerank as LIRerank,
)


@pytest.mark.parametrize(
    "make",
    [
        lambda n: ChatOpenRouter(model="openai/gpt-4o-mini", api_key="k", **n),
        lambda n: OpenRouterEmbeddings(api_key="k", **n),
        lambda n: OpenRouterRerank(model="cohere/rerank-v3.5", api_key="k", **n),
        lambda n: OpenRouter(api_key="k", **n),
        lambda n: OpenRouterEmbedding(api_key="k", **n),
        lambda n: LIRerank(model="cohere/rerank-v3.5", api_key="k", **n),
    ],
    ids=["ChatOpenRouter", "OpenRouterEmbeddings", "OpenRouterRerank", "OpenRouter",
         "OpenRouterEmbedding", "llama_index.OpenRouterRerank"],
)  # fmt: skip
def test_every_class_sets_the_in_flight_bound(make: object) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not moved to model_kwargs with a warning
        bounded = make({"max_concurrent_requests": 8})  # type: ignore[operator]
    default = make({})  # type: ignore[operator]
    assert bounded._clients().sync.settings.max_concurrent_requests == 8
    assert default._clients().sync.settings.max_concurrent_requests == 64
    assert "max_concurrent_requests" not in (getattr(bounded, "model_kwargs", None) or {})
