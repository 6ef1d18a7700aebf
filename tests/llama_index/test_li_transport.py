"""Across real sockets and processes: pickles are process transport (an explicit key
travels, an environment key does not), a caller's ``httpx`` clients carry the
requests, and LlamaIndex's prompt helpers work with no tokenizer download."""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from li_server import RecordingServer, recording_server
from li_workers import load_in_worker
from llama_index.core.base.llms.types import ChatMessage

from llama_index_openrouter import OpenRouter, OpenRouterEmbedding
from openrouter_core import AuthenticationError

ROOT = Path(__file__).resolve().parents[2]
MODEL = "openai/gpt-4o-mini"
K1, K2, K0 = "sk-or-v1-explicit-k1", "sk-or-v1-worker-k2", "sk-or-v1-parent-env-k0"


@pytest.fixture(scope="module")
def server() -> Iterator[RecordingServer]:
    with recording_server() as running:
        yield running


@pytest.fixture(scope="module")
def spawn_pool() -> Iterator[ProcessPoolExecutor]:
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def _objects(base_url: str, **key: str) -> list[Any]:
    return [
        OpenRouter(model=MODEL, api_base=base_url, capability_check="off", **key),
        OpenRouterEmbedding(api_base=base_url, **key),
    ]


# --------------------------------------------------------------------------- pickles


def test_an_explicit_key_travels_to_a_worker(
    server: RecordingServer, spawn_pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", K0)
    for obj in _objects(server.base_url, api_key=K1):
        payload = pickle.dumps(obj)
        for worker_env in (K2, None):
            loaded = spawn_pool.submit(load_in_worker, payload, worker_env, True).result(60)
            assert loaded["api_key"] == K1 and loaded["pid"] != os.getpid()
            assert loaded["answer"]
    assert server.authorizations("/chat/completions") == [f"Bearer {K1}"] * 2
    assert server.authorizations("/embeddings") == [f"Bearer {K1}"] * 2


def test_an_environment_key_stays_home(
    server: RecordingServer, spawn_pool: ProcessPoolExecutor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", K0)
    for obj in _objects(server.base_url):
        assert obj.api_key == K0
        payload = pickle.dumps(obj)
        assert K0.encode() not in payload
        in_k2 = spawn_pool.submit(load_in_worker, payload, K2, False).result(60)
        assert in_k2["api_key"] == K2
        in_none = spawn_pool.submit(load_in_worker, payload, None, False).result(60)
        assert in_none["api_key"] is None


def test_own_http_clients_are_left_out_of_a_pickle(server: RecordingServer) -> None:
    with httpx.Client() as own:
        llm = OpenRouter(model=MODEL, api_key=K1, api_base=server.base_url, http_client=own)
        loaded = pickle.loads(pickle.dumps(llm))
    assert not loaded._own_http  # the loaded object uses the pooled clients
    assert loaded.api_key == K1


def test_ingestion_pipeline_with_workers(
    server: RecordingServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from llama_index.core import Document
    from llama_index.core.ingestion import IngestionPipeline

    monkeypatch.setenv("OPENROUTER_API_KEY", K2)  # what the workers inherit
    monkeypatch.setattr(multiprocessing, "cpu_count", lambda: 2)
    embed = OpenRouterEmbedding(api_key=K1, api_base=server.base_url, embed_batch_size=2)
    # (no node parser: LlamaIndex's SentenceSplitter does not survive a spawn pickle)
    pipeline = IngestionPipeline(transformations=[embed])
    docs = [Document(text=f"Document number {i}.") for i in range(4)]
    before = len(server.authorizations("/embeddings"))
    nodes = pipeline.run(documents=docs, num_workers=2)
    assert len(nodes) == 4 and all(n.embedding for n in nodes)
    sent = server.authorizations("/embeddings")[before:]
    assert sent and set(sent) == {f"Bearer {K1}"}


# --------------------------------------------------------------------------- the key never shows


def test_the_key_never_shows(server: RecordingServer, caplog: pytest.LogCaptureFixture) -> None:
    llm = OpenRouter(model=MODEL, api_key=K1, api_base=server.base_url, capability_check="off")
    embed = OpenRouterEmbedding(api_key=K1, api_base=server.base_url)
    for obj in (llm, embed):
        for text in (repr(obj), str(obj), str(obj.to_dict()), obj.to_json()):
            assert K1 not in text
    with caplog.at_level(logging.DEBUG):
        llm.chat([ChatMessage(role="user", content="hi")])
        embed.get_query_embedding("hi")
    assert caplog.records and K1 not in caplog.text

    def refuse(request: httpx.Request) -> httpx.Response:
        return httpx.Response(401, json={"error": {"code": 401, "message": "No auth"}})

    bad = OpenRouter(
        model=MODEL, api_key=K1, capability_check="off",
        http_client=httpx.Client(transport=httpx.MockTransport(refuse)),
    )  # fmt: skip
    with pytest.raises(AuthenticationError) as caught:
        bad.complete("hi")
    assert K1 not in str(caught.value) and K1 not in repr(caught.value)
    with pytest.raises(ValueError) as invalid:
        OpenRouter(api_key=K1, temperature=9)
    assert K1 not in str(invalid.value)


# --------------------------------------------------------------------------- a caller's httpx
# (after llama-index-llms-openai's test_http_client: a marker header proves the client carried it)


def test_custom_http_client_is_used(server: RecordingServer) -> None:
    marker = {"X-Test-Marker": "custom-client"}
    with httpx.Client(headers=marker) as own:
        llm = OpenRouter(model=MODEL, api_key=K1, api_base=server.base_url, http_client=own)
        assert llm.chat([ChatMessage(role="user", content="ping")]).message.content == "pong"
        chunks = list(llm.stream_chat([ChatMessage(role="user", content="ping")]))
        assert chunks[-1].message.content == "pong"
        assert not own.is_closed
    seen = [r for r in server.requests if r["path"].endswith("/chat/completions")][-2:]
    assert [r["headers"].get("X-Test-Marker") for r in seen] == ["custom-client"] * 2


def test_custom_async_http_client_is_used(server: RecordingServer) -> None:
    async def run() -> str | None:
        async with httpx.AsyncClient(headers={"X-Test-Marker": "async-client"}) as own:
            llm = OpenRouter(
                model=MODEL, api_key=K1, api_base=server.base_url, async_http_client=own
            )
            response = await llm.achat([ChatMessage(role="user", content="ping")])
            return response.message.content

    assert asyncio.run(run()) == "pong"
    last = [r for r in server.requests if r["path"].endswith("/chat/completions")][-1]
    assert last["headers"].get("X-Test-Marker") == "async-client"


def test_default_transport(server: RecordingServer) -> None:
    llm = OpenRouter(model=MODEL, api_key=K1, api_base=server.base_url)
    assert llm.complete("ping").text == "pong"
    assert "X-Test-Marker" not in server.requests[-1]["headers"]


# --------------------------------------------------------------------------- tokenizers, offline

_OFFLINE = r"""
import socket, sys

def refuse(*args, **kwargs):
    raise OSError("network access attempted")

socket.socket.connect = refuse
socket.create_connection = refuse

from llama_index.core import PromptHelper, Settings
from llama_index.core.memory import ChatMemoryBuffer
from llama_index_openrouter import OpenRouter

llm = OpenRouter(model="openai/gpt-4o-mini", api_key="k")
meta = llm.metadata
helper = PromptHelper.from_llm_metadata(meta)
chunks = helper.repack(__import__("llama_index.core.prompts", fromlist=["PromptTemplate"])
                       .PromptTemplate("Context: {context_str}"), ["word " * 500] * 3)
memory = ChatMemoryBuffer.from_defaults(llm=llm)
assert Settings.tokenizer("hello world")
assert "transformers" not in sys.modules
print(meta.context_window, len(chunks))
"""


def test_prompt_helpers_work_offline_without_downloads(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "shared")])
    done = subprocess.run(
        [sys.executable, "-c", _OFFLINE], env=env, cwd=tmp_path, capture_output=True,
        text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    window, chunks = done.stdout.split()
    assert int(window) == 128000 and int(chunks) >= 1


def test_tokenizer_keyword_is_accepted_and_unused() -> None:
    llm = OpenRouter(tokenizer="some/hf-model-name")
    assert llm.tokenizer == "some/hf-model-name" and "tokenizer" not in llm.to_dict()
    assert "transformers" not in sys.modules
