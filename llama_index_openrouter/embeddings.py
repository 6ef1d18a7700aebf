"""``OpenRouterEmbedding``: OpenRouter's embedding models as a LlamaIndex ``BaseEmbedding``."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import ConfigDict, Field, model_validator

from openrouter_core import SharedClients
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.settings import DEFAULT_BASE_URL, validate_base_url

from ._shared import clients_for, resolve_api_base, resolve_api_key

__all__ = ["DEFAULT_EMBEDDING_MODEL", "OpenRouterEmbedding"]

DEFAULT_EMBEDDING_MODEL = "openai/text-embedding-3-small"


class OpenRouterEmbedding(ExplicitKeyPickling, BaseEmbedding):
    """OpenRouter embedding models (``POST /embeddings``), sync and async, batched.

    Setup:
        .. code-block:: bash

            pip install "openrouter-integrations[llama-index]"
            export OPENROUTER_API_KEY="sk-or-..."

    Args:
        model_name: embedding model id (alias ``model``), e.g.
            ``"openai/text-embedding-3-small"``.
        embed_batch_size: texts per request (LlamaIndex splits longer lists).
        dimensions: output size, for models that can shorten their vectors.
        input_type: hint for models that embed queries and documents differently.
        provider: provider preferences.
        api_key, api_base, max_retries, timeout, app_url, app_title, app_categories,
        default_headers:
            as for :class:`~llama_index_openrouter.OpenRouter`; the HTTP clients,
            retries and typed errors are the same shared ones.

    Example:
        .. code-block:: python

            from llama_index.core import Settings, VectorStoreIndex
            from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

            Settings.embed_model = OpenRouterEmbedding(model_name="openai/text-embedding-3-small")
            Settings.llm = OpenRouter(model="openai/gpt-4o-mini")
            index = VectorStoreIndex.from_documents(documents)
            print(index.as_query_engine().query("What does the report conclude?"))
    """

    model_config = ConfigDict(hide_input_in_errors=True)

    model_name: str = Field(default=DEFAULT_EMBEDDING_MODEL, description="Embedding model id.")
    embed_batch_size: int = Field(default=100, gt=0, le=2048)
    dimensions: int | None = Field(default=None, gt=0)
    input_type: str | None = None
    provider: dict[str, Any] | None = None
    max_retries: int = Field(default=2, ge=0)
    timeout: float | None = Field(default=None, gt=0)
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    api_base: str = Field(default=DEFAULT_BASE_URL)
    app_url: str | None = None
    app_title: str | None = None
    app_categories: list[str] | None = None
    default_headers: dict[str, str] | None = None
    rate_limit: Any = Field(
        default=None, exclude=True, description="Asked before every HTTP attempt."
    )

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        # After validation, so the error is ours (and never echoes the URL).
        validate_base_url(self.api_base, allow_insecure_http=True)

    @model_validator(mode="before")
    @classmethod
    def _from_env(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if "model" in data and "model_name" not in data:
                data["model_name"] = data.pop("model")
            data["api_key"] = resolve_api_key(data.get("api_key"))
            data["api_base"] = resolve_api_base(data.get("api_base"))
        return data

    @classmethod
    def class_name(cls) -> str:
        return "OpenRouterEmbedding"

    def _clients(self) -> SharedClients:
        return clients_for(
            api_key=self.api_key,
            api_base=self.api_base,
            timeout=self.timeout,
            max_retries=self.max_retries,
            app_url=self.app_url,
            app_title=self.app_title,
            app_categories=self.app_categories,
            default_headers=self.default_headers,
            rate_limit=self.rate_limit,
        )

    def _request(self, texts: list[str]) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model_name, "input": texts}
        if self.dimensions is not None:
            request["dimensions"] = self.dimensions
        if self.input_type is not None:
            request["input_type"] = self.input_type
        if self.provider is not None:
            request["provider"] = self.provider
        return request

    # BaseEmbedding splits lists into batches of ``embed_batch_size``; each batch is
    # one request here.

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        if not texts:
            return []
        return self._clients().sync.create_embeddings(self._request(texts)).vectors()

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        if not texts:
            return []
        client = self._clients().async_client()
        return (await client.create_embeddings(self._request(texts))).vectors()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await self._aget_text_embedding(query)
