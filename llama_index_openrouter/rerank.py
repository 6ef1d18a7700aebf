"""``OpenRouterRerank``: OpenRouter's rerank models as a LlamaIndex node postprocessor."""

from __future__ import annotations

from typing import Any

from llama_index.core.bridge.pydantic import ConfigDict, Field, model_validator
from llama_index.core.postprocessor.types import BaseNodePostprocessor
from llama_index.core.schema import ImageNode, MetadataMode, NodeWithScore, QueryBundle

from openrouter_core import SharedClients
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.capabilities import CapabilityPolicy
from openrouter_core.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    validate_base_url,
)
from openrouter_core.types.rerank import RerankResult

from ._peer_compat import keywords_of, refuse_unknown_keywords
from ._shared import clients_of, resolve_api_base, resolve_api_key

__all__ = ["OpenRouterRerank"]


class OpenRouterRerank(ExplicitKeyPickling, BaseNodePostprocessor):
    """Rerank retrieved nodes with an OpenRouter rerank model (``POST /rerank``).

    Setup:
        ``pip install "openrouter-integrations[llama-index]"`` and set ``OPENROUTER_API_KEY``.

    Args:
        model: rerank model id, e.g. ``"cohere/rerank-v3.5"`` (checked against the
            catalog's rerank models before sending).
        top_n: how many nodes to keep, best first (default 3; ``None``: all).
        api_key, api_base, provider, timeout (seconds), max_retries, default_headers,
        app_url, app_title, app_categories, capability_check, rate_limit:
            as for :class:`~llama_index_openrouter.OpenRouter`.

    The returned nodes are the same nodes, best first, each scored with its relevance
    score. Image nodes (``ImageNode.image_url``) go as ``{"text", "image"}`` when the
    catalog says the model takes images.

    Example:
        .. code-block:: python

            from llama_index.core import Document, VectorStoreIndex
            from llama_index_openrouter import OpenRouter, OpenRouterEmbedding, OpenRouterRerank

            index = VectorStoreIndex.from_documents(
                [
                    Document(text="A rate-limited model hands the request to the next one."),
                    Document(text="The catalog lists each model's context window and prices."),
                    Document(text="Streams never switch models after their first token."),
                ],
                embed_model=OpenRouterEmbedding(model_name="openai/text-embedding-3-small"),
            )
            engine = index.as_query_engine(
                llm=OpenRouter(model="openai/gpt-4o-mini"),
                similarity_top_k=10,
                node_postprocessors=[OpenRouterRerank(model="cohere/rerank-v3.5", top_n=2)],
            )
            response = engine.query("How do fallbacks work?")
            [n.score for n in response.source_nodes]   # relevance scores, best first
    """

    model_config = ConfigDict(hide_input_in_errors=True)

    model: str = Field(description="The rerank model id.")
    top_n: int | None = Field(default=3, ge=1)
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    api_base: str = Field(default=DEFAULT_BASE_URL)
    provider: dict[str, Any] | None = None
    timeout: float | None = Field(default=None, gt=0)
    max_retries: int = Field(default=2, ge=0)
    app_url: str | None = None
    app_title: str | None = None
    app_categories: list[str] | None = None
    default_headers: dict[str, str] | None = None
    capability_check: CapabilityPolicy = "error"
    rate_limit: Any = Field(default=None, exclude=True)
    max_concurrent_requests: int = Field(default=DEFAULT_MAX_CONCURRENT_REQUESTS, ge=1)

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        validate_base_url(self.api_base, allow_insecure_http=True)

    @model_validator(mode="before")
    @classmethod
    def _from_env(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            refuse_unknown_keywords(cls.__name__, data, keywords_of(cls))
            data["api_key"] = resolve_api_key(data.get("api_key"))
            data["api_base"] = resolve_api_base(data.get("api_base"))
        return data

    @classmethod
    def class_name(cls) -> str:
        return "OpenRouterRerank"

    def _clients(self) -> SharedClients:
        return clients_of(self)

    def _request(self, nodes: list[NodeWithScore], query: str, images: bool) -> dict[str, Any]:
        documents: list[Any] = []
        for scored in nodes:
            node = scored.node
            text = node.get_content(metadata_mode=MetadataMode.EMBED)
            image = node.image_url if isinstance(node, ImageNode) and images else None
            documents.append({"text": text, "image": image} if image else text)
        request: dict[str, Any] = {"model": self.model, "query": query, "documents": documents}
        if self.top_n is not None:
            request["top_n"] = min(self.top_n, len(nodes))
        if self.provider is not None:
            request["provider"] = self.provider
        return request

    def _ranked(self, nodes: list[NodeWithScore], result: RerankResult) -> list[NodeWithScore]:
        return [
            NodeWithScore(node=nodes[item.index or 0].node, score=item.relevance_score)
            for item in result.picks(len(nodes), self.top_n)
        ]

    def _postprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        if query_bundle is None:
            raise ValueError("OpenRouterRerank needs the query: pass query_str= or query_bundle=")
        if not nodes:
            return []
        client = self._clients().sync
        images = client.rerank_takes_images(self.model)
        request = self._request(nodes, query_bundle.query_str, images)
        return self._ranked(nodes, client.rerank(request))

    async def _apostprocess_nodes(
        self, nodes: list[NodeWithScore], query_bundle: QueryBundle | None = None
    ) -> list[NodeWithScore]:
        if query_bundle is None:
            raise ValueError("OpenRouterRerank needs the query: pass query_str= or query_bundle=")
        if not nodes:
            return []
        client = self._clients().async_client()
        images = await client.rerank_takes_images(self.model)
        request = self._request(nodes, query_bundle.query_str, images)
        return self._ranked(nodes, await client.rerank(request))
