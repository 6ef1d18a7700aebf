"""``OpenRouterRerank``: OpenRouter's rerank models as a LangChain document compressor."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import Callbacks
from langchain_core.documents import BaseDocumentCompressor, Document
from langchain_core.utils import from_env, secret_from_env
from pydantic import AliasChoices, ConfigDict, Field, SecretStr

from openrouter_core import SharedClients
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.capabilities import CapabilityPolicy
from openrouter_core.types.rerank import RerankResult

from ._client import check_connection, clients_of
from ._construction import timeout_seconds

__all__ = ["OpenRouterRerank"]


class OpenRouterRerank(ExplicitKeyPickling, BaseDocumentCompressor):
    """Rerank retrieved documents with an OpenRouter rerank model (``POST /rerank``).

    Setup:
        ``pip install "openrouter-integrations[langchain]"`` and set ``OPENROUTER_API_KEY``.

    Key init args:
        model: str
            Rerank model id (alias ``model_name``), e.g. ``"cohere/rerank-v3.5"``;
            checked against the catalog's rerank models before sending.
        top_n: int | None
            How many documents to keep, best first (default 3; ``None``: all).
        openrouter_api_key (alias api_key), openrouter_api_base (alias base_url),
        openrouter_provider (alias provider), app_url, app_title, app_categories,
        default_headers, request_timeout (alias timeout, milliseconds), max_retries,
        rate_limit:
            As for :class:`~langchain_openrouter.ChatOpenRouter`.

    Documents whose ``metadata["image_url"]`` is set are sent as ``{"text", "image"}``
    when the catalog says the model takes images. The returned documents are copies,
    best first, each with ``metadata["relevance_score"]``; the caller's are unchanged.

    Example:
        .. code-block:: python

            from langchain_classic.retrievers import ContextualCompressionRetriever
            from langchain_core.vectorstores import InMemoryVectorStore
            from langchain_openrouter import OpenRouterEmbeddings, OpenRouterRerank

            vector_store = InMemoryVectorStore.from_texts(
                [
                    "A rate-limited model hands the request to the next one of its route.",
                    "The catalog lists each model's context window and prices.",
                    "Streams never switch models after their first token.",
                ],
                embedding=OpenRouterEmbeddings(model="openai/text-embedding-3-small"),
            )
            reranker = OpenRouterRerank(model="cohere/rerank-v3.5", top_n=2)
            retriever = ContextualCompressionRetriever(
                base_compressor=reranker,
                base_retriever=vector_store.as_retriever(search_kwargs={"k": 20}),
            )
            docs = retriever.invoke("How do fallbacks work?")
            docs[0].metadata["relevance_score"]
    """

    model_config = ConfigDict(
        populate_by_name=True, protected_namespaces=(), extra="forbid", hide_input_in_errors=True
    )

    _key_field = "openrouter_api_key"
    _key_names = ("openrouter_api_key", "api_key")

    model: str = Field(validation_alias=AliasChoices("model", "model_name"))
    top_n: int | None = Field(default=3, ge=1)
    openrouter_api_key: SecretStr | None = Field(
        alias="api_key", default_factory=secret_from_env("OPENROUTER_API_KEY", default=None)
    )
    openrouter_api_base: str | None = Field(
        alias="base_url",
        default_factory=from_env(["OPENROUTER_API_BASE", "OPENROUTER_BASE_URL"], default=None),
    )
    openrouter_provider: dict[str, Any] | None = Field(
        default=None, validation_alias=AliasChoices("openrouter_provider", "provider")
    )
    app_url: str | None = Field(
        default_factory=from_env("OPENROUTER_APP_URL", default="https://docs.langchain.com")
    )
    app_title: str | None = Field(
        default_factory=from_env("OPENROUTER_APP_TITLE", default="LangChain")
    )
    app_categories: list[str] | None = None
    request_timeout: int | None = Field(default=None, alias="timeout")
    """Milliseconds (as the official package reads it)."""
    max_retries: int = 2
    capability_check: CapabilityPolicy | None = None
    default_headers: dict[str, str] | None = Field(default=None, exclude=True)
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """More fields of the rerank request, sent as given."""
    rate_limit: Any = Field(default=None, exclude=True)
    max_concurrent_requests: int | None = Field(default=None, ge=1)
    """Requests in flight at once per shared client (default 64)."""

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        check_connection(self)

    def _key_from_env(self, value: str) -> Any:
        return SecretStr(value)

    @property
    def _llm_type(self) -> str:
        return "openrouter-rerank"

    def _clients(self) -> SharedClients:
        return clients_of(
            self,
            timeout=timeout_seconds(self.request_timeout),
            capability_check=self.capability_check or "error",
        )

    def _request(self, documents: Sequence[Document], query: str, images: bool) -> dict[str, Any]:
        payload: list[Any] = []
        for doc in documents:
            image = doc.metadata.get("image_url") if images else None
            payload.append(
                {"text": doc.page_content, "image": image} if image else doc.page_content
            )
        request: dict[str, Any] = {"model": self.model, "query": query, "documents": payload}
        if self.top_n is not None:
            request["top_n"] = min(self.top_n, len(documents))
        if self.openrouter_provider is not None:
            request["provider"] = self.openrouter_provider
        request.update(self.model_kwargs)
        return request

    def _ranked(self, documents: Sequence[Document], result: RerankResult) -> list[Document]:
        ranked = []
        for item in result.picks(len(documents), self.top_n):
            original = documents[item.index or 0]
            metadata = {**original.metadata, "relevance_score": item.relevance_score}
            ranked.append(
                Document(page_content=original.page_content, metadata=metadata, id=original.id)
            )
        return ranked

    def rerank(self, documents: Sequence[Document], query: str) -> list[Document]:
        """The documents most relevant to ``query``, best first (copies)."""
        if not documents:
            return []
        client = self._clients().sync
        request = self._request(documents, query, client.rerank_takes_images(self.model))
        return self._ranked(documents, client.rerank(request))

    def compress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """Rerank ``documents`` against ``query`` and keep the ``top_n`` best."""
        return self.rerank(documents, query)

    async def acompress_documents(
        self, documents: Sequence[Document], query: str, callbacks: Callbacks | None = None
    ) -> Sequence[Document]:
        """Async :meth:`compress_documents`."""
        if not documents:
            return []
        client = self._clients().async_client()
        images = await client.rerank_takes_images(self.model)
        return self._ranked(documents, await client.rerank(self._request(documents, query, images)))
