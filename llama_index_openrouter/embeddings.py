"""``OpenRouterEmbedding``: OpenRouter's embedding models as a LlamaIndex ``BaseEmbedding``."""

from __future__ import annotations

from typing import Any

from llama_index.core.base.embeddings.base import Embedding
from llama_index.core.bridge.pydantic import ConfigDict, Field, PrivateAttr, model_validator
from llama_index.core.embeddings import MultiModalEmbedding
from llama_index.core.schema import ImageType

from openrouter_core import SharedClients
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.capabilities import CapabilityPolicy, EmbeddingPurpose
from openrouter_core.content import image_embedding_inputs
from openrouter_core.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    validate_base_url,
)
from openrouter_core.types import EmbeddingsRequest

from ._peer_compat import (
    fold_request_options,
    keywords_of,
    layered_call_kwargs,
    refuse_unknown_keywords,
)
from ._shared import ClientSource, OwnHTTP, clients_of, resolve_api_base, resolve_api_key

__all__ = ["DEFAULT_EMBEDDING_MODEL", "OpenRouterEmbedding"]

DEFAULT_EMBEDDING_MODEL = "openai/text-embedding-3-small"
#: Constructor keywords that are not fields.
_EXTRA_KEYWORDS = frozenset({"model", "http_client", "async_http_client"})


class OpenRouterEmbedding(ExplicitKeyPickling, MultiModalEmbedding):
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
        input_type: sent with every request when given. Otherwise, for a model whose
            catalog entry lists ``input_type`` among its supported parameters, queries
            are sent as ``"search_query"`` and documents as ``"search_document"``.
        capability_check: ``"error"`` (default): an unknown model id is refused (with
            the closest ids) against the live embeddings catalog, and images sent to a
            model that takes none; ``"off"``: not checked.
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

    Image embeddings (``MultiModalEmbedding``): ``get_image_embedding(path_or_url)``
    and ``aget_image_embedding`` take a file path, an http(s) or ``data:`` URL, or
    a ``BytesIO``, for models the catalog lists with image input.

    Unknown keywords are refused, naming the closest valid ones. A missing key
    raises ``openrouter_core.ConfigurationError`` when a request is sent.

    Example:
        .. code-block:: python

            from llama_index.core import Document, Settings, VectorStoreIndex
            from llama_index_openrouter import OpenRouter, OpenRouterEmbedding

            Settings.embed_model = OpenRouterEmbedding(model_name="openai/text-embedding-3-small")
            Settings.llm = OpenRouter(model="openai/gpt-4o-mini")
            documents = [
                Document(text="The report concludes that sales grew 12% in 2024."),
                Document(text="The appendix lists every store by region."),
            ]
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
    capability_check: CapabilityPolicy = "error"
    rate_limit: Any = Field(
        default=None, exclude=True, description="Asked before every HTTP attempt."
    )
    max_concurrent_requests: int = Field(
        default=DEFAULT_MAX_CONCURRENT_REQUESTS,
        ge=1,
        description="Requests in flight at once per shared client.",
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
        shared: SharedClients = clients_of(self)
        own = self._own_http
        return own.clients(shared) if own else shared

    def _request(self, inputs: list[Any]) -> EmbeddingsRequest:
        """One ``POST /embeddings``: ``additional_kwargs`` under this object's fields
        (validated), the fields OpenRouter does not document sent as given."""
        fields: dict[str, Any] = {"model": self.model_name, "input": inputs}
        for name in ("dimensions", "input_type", "provider"):
            value = getattr(self, name)
            if value is not None:
                fields[name] = value
        merged = layered_call_kwargs(self.additional_kwargs, fields)
        extra = merged.pop("extra_body", None) or {}
        known = {k: merged.pop(k) for k in list(merged) if k in EmbeddingsRequest.model_fields}
        return EmbeddingsRequest.model_validate({**known, "extra_body": {**merged, **extra}})

    def _embed(self, inputs: list[Any], purpose: EmbeddingPurpose) -> list[Embedding]:
        if not inputs:
            return []
        result = self._clients().sync.embed(self._request(inputs), purpose=purpose)
        return result.vectors()

    async def _aembed(self, inputs: list[Any], purpose: EmbeddingPurpose) -> list[Embedding]:
        if not inputs:
            return []
        client = self._clients().async_client()
        result = await client.embed(self._request(inputs), purpose=purpose)
        return result.vectors()

    # BaseEmbedding splits lists into batches of ``embed_batch_size``; each batch is
    # one request here.

    def _get_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return self._embed(texts, "document")

    async def _aget_text_embeddings(self, texts: list[str]) -> list[Embedding]:
        return await self._aembed(texts, "document")

    def _get_text_embedding(self, text: str) -> Embedding:
        return self._embed([text], "document")[0]

    async def _aget_text_embedding(self, text: str) -> Embedding:
        return (await self._aembed([text], "document"))[0]

    def _get_query_embedding(self, query: str) -> Embedding:
        return self._embed([query], "query")[0]

    async def _aget_query_embedding(self, query: str) -> Embedding:
        return (await self._aembed([query], "query"))[0]

    def _get_image_embeddings(self, img_file_paths: list[ImageType]) -> list[Embedding]:
        return self._embed(_image_inputs(img_file_paths), "document")

    async def _aget_image_embeddings(self, img_file_paths: list[ImageType]) -> list[Embedding]:
        return await self._aembed(_image_inputs(img_file_paths), "document")

    def _get_image_embedding(self, img_file_path: ImageType) -> Embedding:
        return self._get_image_embeddings([img_file_path])[0]

    async def _aget_image_embedding(self, img_file_path: ImageType) -> Embedding:
        return (await self._aget_image_embeddings([img_file_path]))[0]


def _image_inputs(images: list[ImageType]) -> list[dict[str, Any]]:
    """Images (paths, URLs, ``BytesIO``) as multimodal ``/embeddings`` inputs."""
    return image_embedding_inputs(
        [image if isinstance(image, str) else image.getvalue() for image in images]
    )
