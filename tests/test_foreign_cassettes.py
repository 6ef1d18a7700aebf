"""A VCR cassette recorded without ``/models`` (by the official packages, which never
fetch the catalog, or written by hand) replays through ours, offline: the catalog
fetch fails inside VCR's transport with VCR's own error, and the bundled snapshot
serves, with one warning naming why. Without this, swapping packages would break every
cassette-based test a user already has."""

from __future__ import annotations

import asyncio
import json
import logging
from pathlib import Path
from typing import Any

import pytest

vcr = pytest.importorskip("vcr", reason="vcrpy is a test dependency")

from openrouter_core import catalog as catalog_module  # noqa: E402

BASE = "https://openrouter.ai/api/v1"
MODEL = "openai/gpt-4o-mini"
#: A reply as OpenRouter sends it (no ``system_fingerprint``, ``provider`` set).
CHAT_REPLY = json.loads(
    '{"id": "gen-foreign-1", "object": "chat.completion", "created": 1, "provider": "OpenAI",'
    f' "model": "{MODEL}", "choices": [{{"index": 0, "finish_reason": "stop", "message":'
    ' {"role": "assistant", "content": "hello from a foreign cassette"}}],'
    ' "usage": {"prompt_tokens": 3, "completion_tokens": 5, "total_tokens": 8}}'
)
EMBED_REPLY = {
    "object": "list",
    "model": "openai/text-embedding-3-small",
    "data": [{"object": "embedding", "index": 0, "embedding": [0.25, -0.5, 1.0]}],
    "usage": {"prompt_tokens": 2, "total_tokens": 2},
}


def _interaction(uri: str, reply: dict[str, Any]) -> dict[str, Any]:
    return {
        "request": {"body": None, "headers": {}, "method": "POST", "uri": uri},
        "response": {
            "body": {"string": json.dumps(reply)},
            "headers": {"Content-Type": ["application/json"]},
            "status": {"code": 200, "message": "OK"},
        },
    }


@pytest.fixture
def cassette(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    for name in ("OPENROUTER_BASE_URL", "OPENROUTER_API_BASE", "OPENROUTER_CATALOG_URL"):
        monkeypatch.delenv(name, raising=False)
    # A process that has never fetched the catalog: shared catalogs of its own.
    monkeypatch.setattr(catalog_module, "_registry", {})
    path = tmp_path / "foreign.yaml"
    interactions = [
        _interaction(f"{BASE}/chat/completions", CHAT_REPLY),
        _interaction(f"{BASE}/chat/completions", CHAT_REPLY),
        _interaction(f"{BASE}/embeddings", EMBED_REPLY),
    ]
    path.write_text(json.dumps({"interactions": interactions, "version": 1}))
    return path


def _replaying(path: Path) -> Any:
    return vcr.use_cassette(
        str(path), record_mode="none", match_on=["method", "uri"], allow_playback_repeats=True
    )


def test_langchain_replays_a_cassette_without_the_catalog(
    cassette: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings

    with caplog.at_level(logging.WARNING, logger="openrouter_core.catalog"), _replaying(cassette):
        llm = ChatOpenRouter(model=MODEL, api_key="sk-or-v1-not-a-real-key")
        assert llm.invoke("hi").content == "hello from a foreign cassette"
        reply = asyncio.run(llm.ainvoke("hi again"))
        assert reply.content == "hello from a foreign cassette"
        emb = OpenRouterEmbeddings(
            model="openai/text-embedding-3-small", api_key="sk-or-v1-not-a-real-key"
        )
        assert emb.embed_query("hi") == [0.25, -0.5, 1.0]
    said = [r.getMessage() for r in caplog.records if "catalog refresh" in r.getMessage()]
    assert len(said) == 1  # once, naming VCR's refusal and the snapshot's date
    assert "/models" in said[0] and "snapshot" in said[0]


def test_llama_index_replays_a_cassette_without_the_catalog(cassette: Path) -> None:
    from llama_index.core.llms import ChatMessage

    from llama_index_openrouter import OpenRouter

    with _replaying(cassette):
        llm = OpenRouter(model=MODEL, api_key="sk-or-v1-not-a-real-key")
        reply = llm.chat([ChatMessage(role="user", content="hi")])
    assert reply.message.content == "hello from a foreign cassette"
