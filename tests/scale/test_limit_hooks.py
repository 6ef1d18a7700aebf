"""What a cluster-wide limit relies on, checked without Ray (this module never imports
it): the adapters ask ``rate_limit=`` exactly once per HTTP attempt and before the
route picks its model; an account-wide 429 retries the same model while a provider's
429 moves to the fallback (and both are reported to the limit); every model class
survives a pickle into a spawned process with its explicit key, which is the key sent.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import pickle
import sys
import threading
from typing import Any

import pytest

from tests.loopback import Running, embedding_of, key_digest
from tests.scale.harness import EMBED_MODEL, FALLBACK, KEY, PRIMARY

ENV_KEY = "sk-or-v1-" + "e" * 64  # the environment's key: a pickle must not pick it up


class RecordingCooldowns:
    def __init__(self, events: list[tuple[Any, ...]]) -> None:
        self.events = events

    def remaining(self, model: str) -> float:
        self.events.append(("choose", model))
        return 0.0

    def cool(self, model: str, seconds: float | None = None) -> None:
        self.events.append(("cool", model, seconds))


class RecordingLimit:
    """A ``rate_limit=`` that grants at once and writes down what it is asked and told."""

    def __init__(self) -> None:
        self.events: list[tuple[Any, ...]] = []
        self._lock = threading.Lock()
        self.cooldowns = RecordingCooldowns(self.events)

    def acquire(self, blocking: bool = True) -> bool:
        with self._lock:
            self.events.append(("acquire",))
        return True

    async def aacquire(self, blocking: bool = True) -> bool:
        return self.acquire(blocking)

    def on_rate_limited(
        self, model: str | None, retry_after: float | None, account_wide: bool
    ) -> None:
        self.events.append(("429", model, retry_after, account_wide))

    @property
    def acquired(self) -> int:
        return sum(1 for e in self.events if e[0] == "acquire")


def langchain_chat(url: str, limit: Any) -> Any:
    from langchain_openrouter import ChatOpenRouter

    return ChatOpenRouter(
        model=PRIMARY,
        fallback_models=[FALLBACK],
        api_key=KEY,
        base_url=url,
        rate_limit=limit,
        capability_check="off",
    )


def llama_index_chat(url: str, limit: Any) -> Any:
    from llama_index_openrouter import OpenRouter

    return OpenRouter(
        model=PRIMARY,
        fallback_models=[FALLBACK],
        api_key=KEY,
        api_base=url,
        rate_limit=limit,
        capability_check="off",
    )


def ask(llm: Any, text: str, mode: str) -> tuple[str, str]:
    """One chat call through ``llm`` (sync or async): ``(answer, serving model)``."""
    if hasattr(llm, "ainvoke"):
        message = llm.invoke(text) if mode == "sync" else asyncio.run(llm.ainvoke(text))
        return str(message.content), message.response_metadata["model_name"]
    from llama_index.core.base.llms.types import ChatMessage

    messages = [ChatMessage(role="user", content=text)]
    reply = llm.chat(messages) if mode == "sync" else asyncio.run(llm.achat(messages))
    return str(reply.message.content), reply.additional_kwargs["model"]


CHATS = [
    pytest.param(langchain_chat, "sync", id="langchain-invoke"),
    pytest.param(langchain_chat, "async", id="langchain-ainvoke"),
    pytest.param(llama_index_chat, "sync", id="llama-index-chat"),
    pytest.param(llama_index_chat, "async", id="llama-index-achat"),
]


@pytest.mark.parametrize(("make", "mode"), CHATS)
def test_asked_once_per_attempt_before_the_model_is_chosen_and_a_provider_429_falls_back(
    server: Running, stats: Any, make: Any, mode: str
) -> None:
    limit = RecordingLimit()
    text = f"provider-limited once ({mode}) #once429=provider"
    answer, model = ask(make(server.base_url, limit), text, mode)
    assert (answer, model) == (f"echo: {text}", FALLBACK)
    # Two HTTP attempts, two slots; each asked for before that attempt's model is
    # picked; the 429 reported as a provider's (not account-wide) and the model cooled.
    assert [status for _, status, _ in stats.arrivals] == [429, 200]
    assert [m for _, _, m in stats.arrivals] == [PRIMARY, FALLBACK]
    assert limit.events == [
        ("acquire",),
        ("choose", PRIMARY),
        ("429", PRIMARY, 0.1, False),
        ("cool", PRIMARY, 0.1),
        ("acquire",),
        ("choose", FALLBACK),
    ]
    assert limit.acquired == stats.requests


@pytest.mark.parametrize(("make", "mode"), CHATS)
def test_an_account_wide_429_retries_the_same_model(
    server: Running, stats: Any, make: Any, mode: str
) -> None:
    limit = RecordingLimit()
    text = f"account-limited once ({mode}) #once429=account"
    answer, model = ask(make(server.base_url, limit), text, mode)
    assert (answer, model) == (f"echo: {text}", PRIMARY)
    assert [(m, status) for _, status, m in stats.arrivals] == [(PRIMARY, 429), (PRIMARY, 200)]
    # Paused (told it was account-wide), asked again for the retry; the model is kept
    # (not chosen again) and not cooled: falling back would not escape the account's limit.
    assert limit.events == [
        ("acquire",),
        ("choose", PRIMARY),
        ("429", PRIMARY, 0.1, True),
        ("acquire",),
    ]
    assert limit.acquired == stats.requests == 2


def test_each_embedding_request_is_paced(server: Running, stats: Any) -> None:
    from langchain_openrouter import OpenRouterEmbeddings
    from llama_index_openrouter import OpenRouterEmbedding

    texts = [f"text {i}" for i in range(5)]
    expected = [embedding_of(t) for t in texts]
    lc_limit, li_limit = RecordingLimit(), RecordingLimit()
    lc = OpenRouterEmbeddings(
        model=EMBED_MODEL, api_key=KEY, base_url=server.base_url, batch_size=2, rate_limit=lc_limit
    )
    assert lc.embed_documents(texts) == expected
    assert asyncio.run(lc.aembed_documents(texts)) == expected
    # 3 batches, twice; and the embedding catalog, read once to check the model id.
    assert stats.requests == 6
    assert lc_limit.acquired == stats.requests + stats.catalog_requests
    stats.reset()
    li = OpenRouterEmbedding(
        model_name=EMBED_MODEL,
        api_key=KEY,
        api_base=server.base_url,
        embed_batch_size=2,
        rate_limit=li_limit,
    )
    assert li.get_text_embedding_batch(texts) == expected
    assert asyncio.run(li.aget_text_embedding_batch(texts)) == expected
    assert stats.requests == 6
    assert li_limit.acquired == stats.requests + stats.catalog_requests


# ---------------------------------------------------------------------- pickles


def _models(url: str) -> list[Any]:
    from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

    return [
        ChatOpenRouter(model=PRIMARY, api_key=KEY, base_url=url, capability_check="off"),
        OpenRouterEmbeddings(model=EMBED_MODEL, api_key=KEY, base_url=url),
        OpenRouter(model=PRIMARY, api_key=KEY, api_base=url, capability_check="off"),
        OpenRouterEmbedding(model_name=EMBED_MODEL, api_key=KEY, api_base=url),
    ]


def _use_in_child(blobs: list[bytes]) -> list[dict[str, Any]]:
    """In the spawned process: unpickle each model, report its key and use it once;
    then check that neither that nor the Ray integration's import brought Ray in."""
    import os

    found: list[dict[str, Any]] = []
    for blob in blobs:
        obj = pickle.loads(blob)
        key = getattr(obj, "openrouter_api_key", None) or getattr(obj, "api_key", None)
        key = key.get_secret_value() if hasattr(key, "get_secret_value") else key
        if hasattr(obj, "ainvoke"):
            result: Any = obj.invoke("from a spawned worker").content
        elif hasattr(obj, "embed_documents"):
            result = obj.embed_documents(["spawned"])
        elif hasattr(obj, "achat"):
            from llama_index.core.base.llms.types import ChatMessage

            reply = obj.chat([ChatMessage(role="user", content="from a spawned worker")])
            result = reply.message.content
        else:
            result = obj.get_text_embedding_batch(["spawned"])
        found.append(
            {
                "type": type(obj).__name__,
                "key": key,
                "env_key": os.environ.get("OPENROUTER_API_KEY"),
                "result": result,
            }
        )
    from openrouter_core.ray import SharedRateLimit

    SharedRateLimit(10)  # no cluster here: nothing connects, nothing imports Ray
    found.append({"ray_imported": "ray" in sys.modules})
    return found


def test_every_model_class_pickles_into_a_spawned_process_with_its_explicit_key(
    server: Running, stats: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", ENV_KEY)  # the worker's own environment
    blobs = [pickle.dumps(obj) for obj in _models(server.base_url)]
    assert all(KEY.encode() in blob for blob in blobs)  # the explicit key travels
    context = multiprocessing.get_context("spawn")
    with context.Pool(1) as pool:
        results = pool.apply(_use_in_child, (blobs,))
    assert results.pop() == {"ray_imported": False}  # `import openrouter_core` never does
    assert [r["type"] for r in results] == [
        "ChatOpenRouter",
        "OpenRouterEmbeddings",
        "OpenRouter",
        "OpenRouterEmbedding",
    ]
    for r in results:
        assert r["env_key"] == ENV_KEY
        assert r["key"] == KEY, r["type"]
    assert [r["result"] for r in results] == [
        "echo: from a spawned worker",
        [embedding_of("spawned")],
        "echo: from a spawned worker",
        [embedding_of("spawned")],
    ]
    # What went over the wire: the explicit key, four times; never the environment's.
    assert stats.keys == {key_digest(f"Bearer {KEY}"): 4}


def test_the_shared_limit_is_a_langchain_rate_limiter_too() -> None:
    from langchain_core.rate_limiters import BaseRateLimiter

    from langchain_openrouter import ChatOpenRouter
    from openrouter_core.ray import SharedRateLimit

    limit = SharedRateLimit(10, burst=2, name="hooks")
    assert isinstance(limit, BaseRateLimiter)
    llm = ChatOpenRouter(model=PRIMARY, api_key=KEY, rate_limiter=limit, rate_limit=limit)
    assert llm.rate_limiter is limit
    assert llm.rate_limit is limit
    assert repr(limit) == "SharedRateLimit(requests_per_second=10.0, burst=2, name='hooks')"
    with pytest.raises(ValueError):
        SharedRateLimit(0)
    with pytest.raises(ValueError):
        SharedRateLimit(10, name="")
