"""LlamaIndex ``OpenRouterRerank``: a node postprocessor over ``POST /rerank``, in a
query engine (sync, async and streaming)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from llama_index.core import Document, VectorStoreIndex
from llama_index.core.embeddings import MockEmbedding
from llama_index.core.schema import NodeWithScore, TextNode

from llama_index_openrouter import OpenRouter
from llama_index_openrouter.rerank import OpenRouterRerank
from openrouter_core import UnknownModelError
from tests.fake_transport import route_httpx
from tests.request_validation import validate_request

BASE = "https://rerank.test/api/v1"
RERANKERS = {
    "data": [
        {
            "id": "cohere/rerank-v3.5",
            "architecture": {"input_modalities": ["text"], "output_modalities": ["rerank"]},
        }
    ]
}
TEXTS = [
    "Bananas are yellow and sweet.",
    "OpenRouter falls back to the next model when one is rate limited.",
    "Paris is the capital of France.",
    "Fallbacks keep an agent running when a model is down.",
]


class Server:
    def __init__(self) -> None:
        self.reranks: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        path = request.url.path
        if path.endswith("/models") and request.url.params.get("output_modalities") == "rerank":
            return httpx.Response(200, json=RERANKERS)
        if path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": "openai/gpt-4o-mini"}]})
        body = json.loads(request.content)
        if path.endswith("/rerank"):
            validate_request("POST", "/api/v1/rerank", body)
            self.reranks.append(body)
            words = set(re.findall(r"\w+", body["query"].lower()))
            scored = [
                {
                    "index": i,
                    "relevance_score": len(words & set(re.findall(r"\w+", d.lower()))) / 10,
                }
                for i, d in enumerate(body["documents"])
            ]
            scored.sort(key=lambda r: -r["relevance_score"])
            return httpx.Response(200, json={"results": scored[: body.get("top_n")]})
        context = body["messages"][-1]["content"]
        answer = "From the sources: " + context[-60:]
        if body.get("stream"):
            chunk = {"id": "g", "choices": [{"index": 0, "delta": {"content": answer}}]}
            end = {"id": "g", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
            text = f"data: {json.dumps(chunk)}\n\ndata: {json.dumps(end)}\n\ndata: [DONE]\n\n"
            return httpx.Response(
                200, content=text.encode(), headers={"content-type": "text/event-stream"}
            )
        message = {"role": "assistant", "content": answer}
        return httpx.Response(200, json={"id": "g", "choices": [{"index": 0, "message": message}]})


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    fake = Server()

    route_httpx(monkeypatch, fake)
    yield fake


def reranker(**kwargs: Any) -> OpenRouterRerank:
    return OpenRouterRerank(
        **{"model": "cohere/rerank-v3.5", "top_n": 2, "api_key": "k", "api_base": BASE, **kwargs}
    )


def test_postprocess_nodes_ranks_best_first(server: Server) -> None:
    nodes = [
        NodeWithScore(node=TextNode(text=t, id_=str(i)), score=0.1) for i, t in enumerate(TEXTS)
    ]
    ranked = reranker().postprocess_nodes(nodes, query_str="next model rate limited")
    assert [n.node.node_id for n in ranked] == ["1", "3"]
    assert ranked[0].score is not None and ranked[0].score > (ranked[1].score or 0)
    assert [n.score for n in nodes] == [0.1] * 4  # the caller's scores are unchanged
    assert server.reranks[-1]["top_n"] == 2
    with pytest.raises(UnknownModelError):
        reranker(model="cohere/rerank-v35").postprocess_nodes(nodes, query_str="x")


async def test_in_a_query_engine_sync_async_and_streaming(server: Server) -> None:
    index = VectorStoreIndex.from_documents(
        [Document(text=t) for t in TEXTS], embed_model=MockEmbedding(embed_dim=8)
    )
    llm = OpenRouter(model="openai/gpt-4o-mini", api_key="k", api_base=BASE, capability_check="off")
    engine = index.as_query_engine(llm=llm, similarity_top_k=4, node_postprocessors=[reranker()])
    question = "which model next when one is rate limited"
    response = engine.query(question)
    sources = [n.node.get_content() for n in response.source_nodes]
    assert sources[0] == TEXTS[1] and len(sources) == 2
    assert response.source_nodes[0].score == 0.7  # the relevance score (7 shared words)
    aresponse = await engine.aquery(question)
    assert [n.node.get_content() for n in aresponse.source_nodes] == sources
    streaming = index.as_query_engine(
        llm=llm, similarity_top_k=4, node_postprocessors=[reranker()], streaming=True
    )
    streamed = streaming.query(question)
    assert "".join(streamed.response_gen).startswith("From the sources")
    assert [n.node.get_content() for n in streamed.source_nodes] == sources


def test_a_misspelt_keyword_is_refused_naming_the_right_one() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="did you mean 'top_n'"):
        OpenRouterRerank(model="cohere/rerank-v3.5", top_nn=3, api_key="k")
