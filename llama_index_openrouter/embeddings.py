"""``OpenRouterEmbedding``: OpenRouter's embedding models as a LlamaIndex ``BaseEmbedding``."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import BaseEmbedding, Embedding
from llama_index.core.bridge.pydantic import ConfigDict, Field, PrivateAttr, model_validator

from openrouter_core import SharedClients
from openrouter_core._http import Call, load_json
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.settings import DEFAULT_BASE_URL, validate_base_url
from openrouter_core.types import EmbeddingsRequest, EmbeddingsResult

from ._peer_compat import (
    fold_request_options,
    keywords_of,
    layered_call_kwargs,
    refuse_unknown_keywords,
)
from ._shared import ClientSource, OwnHTTP, clients_for, resolve_api_base, resolve_api_key

__all__ = ["DEFAULT_EMBEDDING_MODEL", "OpenRouterEmbedding"]

DEFAULT_EMBEDDING_MODEL = "openai/text-embedding-3-small"
#: Constructor keywords that are not fields.
_EXTRA_KEYWORDS = frozenset({"model", "http_client", "async_http_client"})


def _parse(content: bytes) -> EmbeddingsResult:
    return EmbeddingsResult.model_validate(load_json(content))


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
        additional_kwargs: more fields sent in every request body (``encoding_format``,
            ``user``, anything OpenRouter takes); the entries of its ``extra_body`` dict
            go into the top level too. The fields above win over them (``provider``
            dicts are merged key by key).
        http_client, async_http_client: your own ``httpx.Client`` /
            ``httpx.AsyncClient`` for this object's requests (used as given: never
            modified or closed).
        api_key, api_base, max_retries, timeout, app_url, app_title, app_categories,
        default_headers, rate_limit:
            as for :class:`~llama_index_openrouter.OpenRouter`; the HTTP clients,
            retries and typed errors are the same shared ones.
        reuse_client, api_version: accepted for compatibility, unused.

    Unknown keywords are refused, naming the closest valid ones. A missing key
    raises ``openrouter_core.ConfigurationError`` when a request is sent.

    Example:
        .. code-block:: python

            from llama_index.core import Settings, VectorStoreIndex
            from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

            Settings.embed_model = OpenRouterEmbedding(model_name="openai/text-embedding-3-small")
            Settings.llm = OpenRouter(model="openai/gpt-4o-mini")
            index = VectorStoreIndex.from_documents(documents)
            print(index.as_query_engine().query("What does the report conclude?"))
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    model_name: str = Field(default=DEFAULT_EMBEDDING_MODEL, description="Embedding model id.")
    embed_batch_size: int = Field(default=100, gt=0, le=2048)
    dimensions: int | None = Field(default=None, gt=0)
    input_type: str | None = None
    provider: dict[str, Any] | None = None
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="More fields sent in every request body."
    )
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
    reuse_client: bool = Field(default=True, description="Unused: clients are always pooled.")
    api_version: str | None = Field(default=None, description="Unused by OpenRouter.")
    _own_http: OwnHTTP | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        own = OwnHTTP(data.pop("http_client", None), data.pop("async_http_client", None))
        super().__init__(**data)
        self._note_key_source(data)
        # After validation, so the error is ours (and never echoes the URL).
        validate_base_url(self.api_base, allow_insecure_http=True)
        if own:
            self._own_http = own

    @model_validator(mode="before")
    @classmethod
    def _from_env(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            if "model" in data:
                model = data.pop("model")
                data.setdefault("model_name", model)
            fold_request_options(data)
            refuse_unknown_keywords(cls.__name__, data, keywords_of(cls, _EXTRA_KEYWORDS))
            data["api_key"] = resolve_api_key(data.get("api_key"))
            data["api_base"] = resolve_api_base(data.get("api_base"))
        return data

    @classmethod
    def class_name(cls) -> str:
        return "OpenRouterEmbedding"

    def _clients(self) -> ClientSource:
        shared: SharedClients = clients_for(
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
        own = self._own_http
        return own.clients(shared) if own else shared

    def _call(self, texts: list[str]) -> Call[EmbeddingsResult]:
        """One ``POST /embeddings``: ``additional_kwargs`` under this object's fields.
        The fields OpenRouter documents are validated; the others are sent as given."""
        fields: dict[str, Any] = {"model": self.model_name, "input": texts}
        for name in ("dimensions", "input_type", "provider"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = value
        merged = layered_call_kwargs(self.additional_kwargs, fields)
        extra = merged.pop("extra_body", None) or {}
        known = {k: merged.pop(k) for k in list(merged) if k in EmbeddingsRequest.model_fields}
        body = EmbeddingsRequest.model_validate(known).model_dump(exclude_none=True)
        body.update(merged)
        body.update(extra)
        return Call("POST", "/embeddings", _parse, body=body, model=self.model_name)

    # BaseEmbedding splits lists into batches of ``embed_batch_size``; each batch is
    # one request here.

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        if not texts:
            return []
        return self._clients().sync.send(self._call(texts)).vectors()

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        if not texts:
            return []
        client = self._clients().async_client()
        return (await client.send(self._call(texts))).vectors()

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._get_text_embeddings([text])[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aget_text_embeddings([text]))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._get_text_embedding(query)

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return await self._aget_text_embedding(query)
