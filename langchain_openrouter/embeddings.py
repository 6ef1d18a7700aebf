"""``OpenRouterEmbeddings``: OpenRouter's embedding models as LangChain ``Embeddings``."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from langchain_core.embeddings import Embeddings
from langchain_core.utils import from_env, secret_from_env
from pydantic import AliasChoices, ConfigDict, Field, SecretStr

from openrouter_core import SharedClients
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.capabilities import CapabilityPolicy, EmbeddingPurpose
from openrouter_core.content import image_embedding_inputs
from openrouter_core.settings import DEFAULT_MAX_CONCURRENT_REQUESTS

from ._client import check_connection, clients_of

__all__ = ["OpenRouterEmbeddings"]


class OpenRouterEmbeddings(ExplicitKeyPickling, Embeddings):
    """OpenRouter embedding models (``POST /embeddings``).

    Setup:
        ``pip install "openrouter-integrations[langchain]"`` and set
        ``OPENROUTER_API_KEY``.

    Key init args:
        model: str
            Embedding model id, e.g. ``"openai/text-embedding-3-small"`` (alias
            ``model_name``).
        dimensions: int | None
            Output size, for models that can shorten their vectors.
        batch_size: int
            Texts per request; longer lists are split (async batches run concurrently,
            at most ``max_concurrent_requests`` at once).
        openrouter_api_key (alias api_key), openrouter_api_base (alias base_url):
            Default ``$OPENROUTER_API_KEY`` and ``$OPENROUTER_API_BASE`` /
            ``$OPENROUTER_BASE_URL``; a missing key fails here, at construction.
        timeout: float | None
            Seconds (as the upstream embeddings read it; default 120 s per read).
        max_retries, wait_time:
            Retries of a retryable failure (default 2) and the fixed wait between
            them in seconds (default: exponential backoff; ``Retry-After`` wins).
        provider, input_type, app_url, app_title, app_categories, default_headers,
        rate_limit:
            Provider preferences, the query/document hint, attribution and headers,
            and a rate limit asked before every request; the HTTP clients, retries
            and typed errors are those of :class:`~langchain_openrouter.ChatOpenRouter`.

    Instantiate and use:
        .. code-block:: python

            from langchain_openrouter import OpenRouterEmbeddings

            embeddings = OpenRouterEmbeddings(model="openai/text-embedding-3-small")
            vectors = embeddings.embed_documents(["OpenRouter", "LangChain"])
            query = embeddings.embed_query("routing")
            query = await embeddings.aembed_query("routing")
    """

    model_config = ConfigDict(
        populate_by_name=True, protected_namespaces=(), extra="forbid", hide_input_in_errors=True
    )

    _key_field = "openrouter_api_key"
    _key_names = ("openrouter_api_key", "api_key")

    model: str = Field(
        default="openai/text-embedding-3-small",
        validation_alias=AliasChoices("model", "model_name"),
    )
    openrouter_api_key: SecretStr | None = Field(
        alias="api_key", default_factory=secret_from_env("OPENROUTER_API_KEY", default=None)
    )
    openrouter_api_base: str | None = Field(
        alias="base_url",
        default_factory=from_env(["OPENROUTER_API_BASE", "OPENROUTER_BASE_URL"], default=None),
    )
    dimensions: int | None = None
    batch_size: int = Field(default=512, ge=1)
    provider: dict[str, Any] | None = None
    """Provider routing preferences."""
    input_type: str | None = None
    """Sent with every request when set. When unset, a model whose catalog entry
    lists ``input_type`` among its parameters gets ``"search_query"`` from
    ``embed_query`` and ``"search_document"`` from ``embed_documents``."""
    timeout: float | None = None
    """Seconds to wait for a reply."""
    max_retries: int = 2
    wait_time: float | None = None
    """Seconds between retries (``None``: exponential backoff)."""
    max_concurrent_requests: int = Field(default=DEFAULT_MAX_CONCURRENT_REQUESTS, ge=1)
    """Requests in flight at once (async batches beyond it wait)."""
    app_url: str | None = Field(default_factory=from_env("OPENROUTER_APP_URL", default=None))
    app_title: str | None = Field(default_factory=from_env("OPENROUTER_APP_TITLE", default=None))
    app_categories: list[str] | None = None
    default_headers: dict[str, str] | None = Field(default=None, exclude=True)
    capability_check: CapabilityPolicy | None = None
    """``"error"`` (default): an unknown model id is refused, with the closest ids,
    against the live embeddings catalog; ``"off"``: not checked."""
    rate_limit: Any = Field(default=None, exclude=True)
    """Asked before every embedding request (see ``ChatOpenRouter.rate_limit``)."""

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        check_connection(self)

    def _key_from_env(self, value: str) -> Any:
        return SecretStr(value)

    @property
    def base_url(self) -> str | None:
        return self.openrouter_api_base

    def _clients(self) -> SharedClients:
        return clients_of(
            self,
            timeout=self.timeout,
            retry_delay=self.wait_time,
            capability_check=self.capability_check or "error",
        )

    def _request(self, texts: list[Any]) -> dict[str, Any]:
        request: dict[str, Any] = {"model": self.model, "input": texts}
        if self.dimensions is not None:
            request["dimensions"] = self.dimensions
        if self.provider is not None:
            request["provider"] = self.provider
        if self.input_type is not None:
            request["input_type"] = self.input_type
        return request

    def _batches(self, texts: list[Any]) -> list[list[Any]]:
        size = self.batch_size
        return [texts[i : i + size] for i in range(0, len(texts), size)]

    def _embed(self, inputs: list[Any], purpose: EmbeddingPurpose) -> list[list[float]]:
        if not inputs:
            return []
        client = self._clients().sync
        vectors: list[list[float]] = []
        for batch in self._batches(inputs):
            vectors.extend(client.embed(self._request(batch), purpose=purpose).vectors())
        return vectors

    async def _aembed(self, inputs: list[Any], purpose: EmbeddingPurpose) -> list[list[float]]:
        if not inputs:
            return []
        client = self._clients().async_client()
        results = await asyncio.gather(
            *(client.embed(self._request(b), purpose=purpose) for b in self._batches(inputs))
        )
        return [vector for result in results for vector in result.vectors()]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """Embed ``texts`` (in batches of ``batch_size``), in order."""
        return self._embed(texts, "document")

    def embed_query(self, text: str) -> list[float]:
        """Embed one query text."""
        return self._embed([text], "query")[0]

    async def aembed_documents(self, texts: list[str]) -> list[list[float]]:
        """Async :meth:`embed_documents`; batches are sent concurrently."""
        return await self._aembed(texts, "document")

    async def aembed_query(self, text: str) -> list[float]:
        """Async :meth:`embed_query`."""
        return (await self._aembed([text], "query"))[0]

    def embed_images(self, images: Sequence[str | bytes]) -> list[list[float]]:
        """Embed images with a model that takes image input (the catalog says which;
        another fails before sending with a ``CapabilityError`` naming those that do).

        Args:
            images: http(s) URLs, ``data:`` URLs, local file paths or raw bytes.
        """
        return self._embed(image_embedding_inputs(list(images)), "document")

    async def aembed_images(self, images: Sequence[str | bytes]) -> list[list[float]]:
        """Async :meth:`embed_images`."""
        return await self._aembed(image_embedding_inputs(list(images)), "document")
