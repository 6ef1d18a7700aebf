"""LangChain on cassettes, the newer features: ``OpenRouterRerank`` in a RAG chain,
``ChatOpenRouter(use_responses_api=True)`` (invoke, stream, a tool round trip,
structured output, reasoning items sent back), ``OpenRouterEmbeddings.embed_images``,
``content_blocks`` with images and citations, and presets.

Cassettes live in ``cassettes/langchain/test_lc_cassettes_more/``; the rerank and
embedding catalogs these tests need are loaded from a cassette of their own first
(``catalogs.yaml``), so the tests replay alone or in any order.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest
from langchain_classic.retrievers import ContextualCompressionRetriever
from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage, HumanMessage
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnablePassthrough
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings, OpenRouterRerank
from openrouter_core import CapabilityError
from tests.wire.conftest import reload_catalogs

pytestmark = pytest.mark.openrouter_cassette

MODEL = "openai/gpt-4o-mini"
THINKER = "anthropic/claude-3.7-sonnet:thinking"
OPENAI_REASONER = "openai/o4-mini"
IMAGE_MAKER = "google/gemini-2.5-flash-image"
RERANKER = "cohere/rerank-v3.5"
IMAGE_RERANKER = "nvidia/llama-nemotron-rerank-vl-1b-v2"
IMAGE_EMBEDDER = "nvidia/llama-nemotron-embed-vl-1b-v2"
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGD4DwABBAEAwS2OUAAAAABJRU5ErkJggg=="
)
LIBRARY = [
    Document("Bananas are yellow and rich in potassium.", metadata={"source": "fruit"}, id="1"),
    Document("Paris is the capital of France.", metadata={"source": "atlas"}, id="2"),
    Document("Berlin is the capital of Germany.", metadata={"source": "atlas"}, id="3"),
    Document(
        "The Eiffel Tower is a landmark in Paris, France.",
        metadata={"source": "guide", "image_url": "https://images.example/eiffel-tower.png"},
        id="4",
    ),
]


@pytest.fixture(scope="module", autouse=True)
def _embedding_and_rerank_catalogs(
    openrouter_cassette_dir: Path, base_url: str, api_key: str, openrouter_catalog_cache: Path
) -> None:
    reload_catalogs(
        "test_lc_cassettes_more/catalogs",
        openrouter_cassette_dir,
        base_url,
        api_key,
        ("embeddings", "rerank"),
    )


def chat(api_key: str, base_url: str, model: str = MODEL, **kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(model=model, api_key=api_key, base_url=base_url, **kwargs)


def responses_model(api_key: str, base_url: str, model: str = MODEL, **kwargs: Any) -> Any:
    return chat(api_key, base_url, model, use_responses_api=True, **kwargs)


def sent_bodies(cassette: Any, path: str) -> list[dict[str, Any]]:
    """The bodies sent to ``path``, oldest first (the last is this run's latest)."""
    return [json.loads(r.body) for r in cassette.requests if r.path.endswith(path)]


def merge(chunks: list[AIMessageChunk]) -> AIMessageChunk:
    whole = chunks[0]
    for chunk in chunks[1:]:
        whole = whole + chunk
    return whole


class Library(BaseRetriever):
    """Returns the whole library: the reranker picks what matters."""

    documents: list[Document]

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        return list(self.documents)


# --------------------------------------------------------------------------- rerank


def test_rerank_in_a_rag_chain(api_key: str, base_url: str) -> None:
    reranker = OpenRouterRerank(model=RERANKER, top_n=2, api_key=api_key, base_url=base_url)
    retriever = ContextualCompressionRetriever(
        base_compressor=reranker, base_retriever=Library(documents=LIBRARY)
    )
    prompt = ChatPromptTemplate.from_template(
        "Context information is below.\n---------------------\n{context}\n"
        "---------------------\nQuery: {question}\nAnswer:"
    )

    def context(inputs: dict[str, Any]) -> dict[str, Any]:
        text = "\n".join(d.page_content for d in inputs["sources"])
        return {"context": text, "question": inputs["question"]}

    answer = context | prompt | chat(api_key, base_url, temperature=0) | StrOutputParser()
    rag = {"sources": retriever, "question": RunnablePassthrough()} | RunnablePassthrough.assign(
        answer=answer
    )
    out = rag.invoke("What is the capital of France?")
    sources: list[Document] = out["sources"]
    assert [d.id for d in sources] == ["2", "4"]  # reranked: best first, top 2
    scores = [d.metadata["relevance_score"] for d in sources]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert [d.metadata["source"] for d in sources] == ["atlas", "guide"]  # metadata kept
    assert all("relevance_score" not in d.metadata for d in LIBRARY)  # originals untouched
    assert "Paris" in out["answer"]


async def test_rerank_images_async(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    reranker = OpenRouterRerank(model=IMAGE_RERANKER, top_n=3, api_key=api_key, base_url=base_url)
    retriever = ContextualCompressionRetriever(
        base_compressor=reranker, base_retriever=Library(documents=LIBRARY)
    )
    found = await retriever.ainvoke("the Eiffel Tower")
    assert found[0].id == "4" and len(found) == 3
    sent = sent_bodies(openrouter_cassette, "/rerank")[-1]
    assert sent["documents"][3] == {
        "text": LIBRARY[3].page_content,
        "image": LIBRARY[3].metadata["image_url"],
    }


# --------------------------------------------------------------------------- /responses


def test_responses_api_invoke(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    reply = responses_model(api_key, base_url).invoke("What is the capital of France?")
    assert isinstance(reply, AIMessage) and "Paris" in reply.text
    assert reply.usage_metadata is not None and reply.usage_metadata["input_tokens"] > 0
    assert reply.response_metadata["model_name"] == MODEL
    sent = sent_bodies(openrouter_cassette, "/responses")[-1]
    assert "messages" not in sent and sent["input"][0]["role"] == "user"


async def test_responses_api_stream_and_astream(api_key: str, base_url: str) -> None:
    llm = responses_model(api_key, base_url)
    chunks = list(llm.stream("What is the capital of Italy?"))
    whole = merge(chunks)
    assert len(chunks) > 2 and "Rome" in whole.text
    assert whole.usage_metadata is not None and whole.usage_metadata["total_tokens"] > 0
    pieces = [c async for c in llm.astream("What is the capital of Spain?")]
    assert "Madrid" in merge(pieces).text


@tool
def get_weather(city: str) -> str:
    """Get the current weather in a city."""
    return f"18 C and sunny in {city}"


def test_responses_api_tool_round_trip(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    llm = responses_model(api_key, base_url).bind_tools([get_weather])
    question = HumanMessage("What is the weather in Paris?")
    first = llm.invoke([question])
    (call,) = first.tool_calls
    assert call["name"] == "get_weather" and call["args"] == {"city": "Paris"} and call["id"]
    result = get_weather.invoke(call)
    history: list[BaseMessage] = [question, first, result]
    second = llm.invoke(history)
    assert "18 C and sunny" in second.text and not second.tool_calls
    sent = sent_bodies(openrouter_cassette, "/responses")[-1]["input"]
    calls = [i for i in sent if i.get("type") == "function_call"]
    outputs = [i for i in sent if i.get("type") == "function_call_output"]
    assert calls[0]["call_id"] == outputs[0]["call_id"] == call["id"]
    assert json.loads(calls[0]["arguments"]) == {"city": "Paris"}


class Capital(BaseModel):
    city: str
    country: str


def test_responses_api_structured_output(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    llm = responses_model(api_key, base_url).with_structured_output(Capital, method="json_schema")
    answer = llm.invoke("Which city is the capital of France? Give the city and country.")
    assert isinstance(answer, Capital) and answer.city and answer.country
    sent = sent_bodies(openrouter_cassette, "/responses")[-1]
    fmt = sent["text"]["format"]
    assert fmt["type"] == "json_schema" and fmt["name"] == "Capital"


def test_responses_api_reasoning_items_are_sent_back(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    thinker = responses_model(api_key, base_url, THINKER)
    question = HumanMessage("What is the capital of France?")
    whole = merge(list(thinker.stream([question])))
    assert whole.additional_kwargs.get("reasoning_content")
    items = whole.additional_kwargs["reasoning_items"]
    assert items and items[0]["type"] == "reasoning" and items[0].get("signature")
    previous = AIMessage(whole.text, additional_kwargs=whole.additional_kwargs)
    follow = thinker.invoke([question, previous, HumanMessage("What is the capital of Germany?")])
    assert "Berlin" in follow.text
    sent = sent_bodies(openrouter_cassette, "/responses")[-1]["input"]
    assert items[0] in sent  # replayed as received: the API keeps no state


def test_responses_api_encrypted_reasoning(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    llm = responses_model(api_key, base_url, OPENAI_REASONER, reasoning={"effort": "low"})
    reply = llm.invoke("What is the capital of Japan?")
    (item,) = reply.additional_kwargs["reasoning_items"]
    assert item["encrypted_content"] and item["summary"]
    assert reply.usage_metadata is not None
    assert reply.usage_metadata.get("output_token_details", {}).get("reasoning", 0) > 0
    llm.invoke([HumanMessage("What is the capital of Japan?"), reply, HumanMessage("Thanks!")])
    sent = sent_bodies(openrouter_cassette, "/responses")[-1]
    assert sent["reasoning"] == {"effort": "low"} and item in sent["input"]


# --------------------------------------------------------------------------- embeddings


async def test_embed_images(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    embedder = OpenRouterEmbeddings(model=IMAGE_EMBEDDER, api_key=api_key, base_url=base_url)
    vectors = embedder.embed_images(["https://images.example/cat.png", PNG])
    assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0
    assert vectors[0] != vectors[1]
    assert len(await embedder.aembed_images([PNG])) == 1
    sent = sent_bodies(openrouter_cassette, "/embeddings")[-2]["input"]
    assert sent[0] == {
        "content": [{"type": "image_url", "image_url": {"url": "https://images.example/cat.png"}}]
    }
    assert sent[1]["content"][0]["image_url"]["url"].startswith("data:image/png;base64,")


def test_images_to_a_text_embedder_fail_before_sending(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    embedder = OpenRouterEmbeddings(
        model="openai/text-embedding-3-small", api_key=api_key, base_url=base_url
    )
    with pytest.raises(CapabilityError) as caught:
        embedder.embed_images(["https://images.example/cat.png"])
    assert IMAGE_EMBEDDER in caught.value.capable_models
    assert not openrouter_cassette.requests


# --------------------------------------------------------------------------- content blocks


def _check_blocks(blocks: list[Any]) -> None:
    (text,) = [b for b in blocks if b["type"] == "text"]
    citations = text.get("annotations") or []
    assert citations and all(c["type"] == "citation" and c["url"] for c in citations)
    (image,) = [b for b in blocks if b["type"] == "image"]
    assert image["mime_type"] == "image/png"
    assert base64.b64decode(image["base64"]).startswith(b"\x89PNG")


def test_content_blocks_with_images_and_citations(api_key: str, base_url: str) -> None:
    llm = chat(
        api_key,
        base_url,
        IMAGE_MAKER,
        plugins=[{"id": "web"}],
        model_kwargs={"modalities": ["image", "text"]},
    )
    reply = llm.invoke("Draw the Eiffel Tower and tell me about it.")
    _check_blocks(reply.content_blocks)
    assert reply.additional_kwargs["images"] and reply.additional_kwargs["annotations"]
    whole = merge(list(llm.stream("Draw the Eiffel Tower and tell me about it.")))
    _check_blocks(whole.content_blocks)


# --------------------------------------------------------------------------- presets


def test_a_preset(api_key: str, base_url: str, openrouter_cassette: Any) -> None:
    reply = chat(api_key, base_url, "@preset/support-bot").invoke("Hello!")
    assert reply.text and reply.usage_metadata is not None
    assert not reply.response_metadata["model_name"].startswith("@")
    sent = sent_bodies(openrouter_cassette, "/chat/completions")[-1]
    assert sent["model"] == "@preset/support-bot"
