"""``OpenRouterRerank``: a document compressor over ``POST /rerank``, in a RAG chain."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever

from langchain_openrouter import OpenRouterRerank
from openrouter_core import UnknownModelError
from tests.request_validation import validate_request

RERANKERS = {
    "data": [
        {
            "id": "cohere/rerank-v3.5",
            "architecture": {"input_modalities": ["text"], "output_modalities": ["rerank"]},
        },
        {
            "id": "nvidia/llama-nemotron-rerank-vl-1b-v2",
            "architecture": {
                "input_modalities": ["text", "image"],
                "output_modalities": ["rerank"],
            },
        },
    ]
}
DOCS = [
    Document("Paris is the capital of France.", metadata={"source": "a"}, id="1"),
    Document("Bananas are yellow.", metadata={"source": "b"}, id="2"),
    Document(
        "The Eiffel Tower is in Paris.",
        metadata={"source": "c", "image_url": "https://x.test/eiffel.png"},
        id="3",
    ),
]


class RerankServer:
    """Scores documents by how many query words they share; records requests."""

    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/models"):
            assert request.url.params.get("output_modalities") == "rerank"
            return httpx.Response(200, json=RERANKERS)
        body = json.loads(request.content)
        validate_request("POST", "/api/v1/rerank", body)
        self.bodies.append(body)
        words = set(body["query"].lower().split())
        scores = []
        for index, doc in enumerate(body["documents"]):
            text = doc if isinstance(doc, str) else doc.get("text", "")
            overlap = len(words & set(text.lower().rstrip(".").split()))
            scores.append({"index": index, "relevance_score": overlap / 10})
        top = sorted(scores, key=lambda r: -r["relevance_score"])[: body.get("top_n")]
        usage = {"cost": 0.0001, "search_units": 1}
        return httpx.Response(200, json={"model": body["model"], "results": top, "usage": usage})


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[RerankServer]:
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_API_BASE", "OPENROUTER_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    fake = RerankServer()

    def handle(self: Any, request: httpx.Request) -> httpx.Response:
        request.read()
        return fake(request)

    async def ahandle(self: Any, request: httpx.Request) -> httpx.Response:
        return handle(self, request)

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle)
    monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", ahandle)
    yield fake


def test_compress_documents_ranks_best_first_without_touching_the_originals(
    server: RerankServer,
) -> None:
    reranker = OpenRouterRerank(model="cohere/rerank-v3.5", top_n=2, api_key="k")
    ranked = reranker.compress_documents(DOCS, "capital of France Paris")
    assert [d.id for d in ranked] == ["1", "3"]
    assert ranked[0].metadata["relevance_score"] > ranked[1].metadata["relevance_score"]
    assert ranked[0].metadata["source"] == "a"
    assert all("relevance_score" not in d.metadata for d in DOCS)  # originals unchanged
    sent = server.bodies[-1]
    assert sent["top_n"] == 2 and sent["model"] == "cohere/rerank-v3.5"
    assert all(isinstance(d, str) for d in sent["documents"])  # a text-only reranker


async def test_images_go_to_a_multimodal_reranker_and_async_works(server: RerankServer) -> None:
    reranker = OpenRouterRerank(
        model_name="nvidia/llama-nemotron-rerank-vl-1b-v2",
        top_n=None,
        openrouter_api_key="k",
        provider={"order": ["nvidia"]},
    )
    ranked = await reranker.acompress_documents(DOCS, "Eiffel Tower")
    assert len(ranked) == 3 and ranked[0].id == "3"
    sent = server.bodies[-1]
    assert sent["documents"][2] == {
        "text": "The Eiffel Tower is in Paris.",
        "image": "https://x.test/eiffel.png",
    }
    assert sent["provider"] == {"order": ["nvidia"]} and "top_n" not in sent


def test_unknown_rerank_models_are_refused_with_suggestions(server: RerankServer) -> None:
    with pytest.raises(UnknownModelError) as caught:
        OpenRouterRerank(model="cohere/rerank-v35", api_key="k").compress_documents(DOCS, "x")
    assert "cohere/rerank-v3.5" in caught.value.suggestions
    assert server.bodies == []
    assert (
        OpenRouterRerank(model="cohere/rerank-v3.5", api_key="k").compress_documents([], "x") == []
    )


def test_in_a_contextual_compression_retriever_rag_chain(server: RerankServer) -> None:
    from langchain_classic.retrievers import ContextualCompressionRetriever
    from langchain_core.callbacks import CallbackManagerForRetrieverRun

    class Everything(BaseRetriever):
        def _get_relevant_documents(
            self, query: str, *, run_manager: CallbackManagerForRetrieverRun
        ) -> list[Document]:
            return list(DOCS)

    retriever = ContextualCompressionRetriever(
        base_compressor=OpenRouterRerank(model="cohere/rerank-v3.5", top_n=1, api_key="k"),
        base_retriever=Everything(),
    )
    (best,) = retriever.invoke("capital of France")
    assert best.id == "1" and best.metadata["relevance_score"] > 0
