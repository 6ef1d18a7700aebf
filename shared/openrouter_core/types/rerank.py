"""``/rerank``: the request (strict) and the ranked result (lenient).

A rerank call scores each document against a query. Documents are plain strings or
objects holding ``text`` and/or ``image`` (for multimodal rerankers); the reply lists
results by the position of each document in the request (``index``), its
``relevance_score`` and, usually, the document echoed back.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, overload

from pydantic import ConfigDict, Field, field_validator
from typing_extensions import TypedDict

from ._base import RequestModel, WireModel
from .chat import ProviderPreferences

__all__ = [
    "RerankDocument",
    "RerankItem",
    "RerankRequest",
    "RerankResult",
    "RerankUsage",
    "RerankedDocument",
]

T = TypeVar("T")

#: What an image of a document may be: a web address or an inline image.
_IMAGE_PREFIXES = ("https://", "http://", "data:image/")


class RerankDocument(TypedDict, total=False):
    """A structured document: ``text``, ``image`` (an http(s) URL or a
    ``data:image/...`` URI), or both."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    text: str
    image: str


class RerankRequest(RequestModel):
    """``POST /rerank``: score ``documents`` against ``query`` with ``model``.

    ``top_n`` asks for only the best ``n`` results; ``provider`` takes the same routing
    preferences as chat.
    """

    model: str = Field(min_length=1)
    query: str = Field(min_length=1)
    documents: list[str | RerankDocument] = Field(min_length=1)
    top_n: int | None = Field(default=None, ge=1)
    provider: ProviderPreferences | None = None

    @field_validator("documents")
    @classmethod
    def _check_documents(cls, value: list[str | RerankDocument]) -> list[str | RerankDocument]:
        for position, document in enumerate(value):
            if isinstance(document, str):
                continue
            if "text" not in document and "image" not in document:
                raise ValueError(
                    f"document {position} is an object without 'text' or 'image'; "
                    "give it at least one of them (or pass the text as a plain string)"
                )
            image = document.get("image")
            if image is not None and not image.startswith(_IMAGE_PREFIXES):
                raise ValueError(
                    f"document {position}: 'image' must be an http(s) URL or a "
                    f"'data:image/...' URI, got {image[:40]!r}"
                )
        return value

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON body, unset parameters left out."""
        return self.model_dump(exclude_none=True)


# --------------------------------------------------------------------------- replies


class RerankedDocument(WireModel):
    """The document as the reply echoes it."""

    text: str | None = None
    image: str | None = None


class RerankItem(WireModel):
    """One scored document: ``index`` is its position in the request's ``documents``."""

    index: int | None = None
    relevance_score: float | None = None
    document: RerankedDocument | None = None

    @field_validator("document", mode="before")
    @classmethod
    def _plain_text(cls, value: Any) -> Any:
        # Some rerankers echo a document as the bare string that was sent.
        return {"text": value} if isinstance(value, str) else value

    @property
    def text(self) -> str | None:
        return self.document.text if self.document else None


class RerankUsage(WireModel):
    """What the call used: ``cost`` in USD credits, tokens, Cohere ``search_units``."""

    cost: float | None = None
    total_tokens: int | None = None
    search_units: int | None = None
    is_byok: bool | None = None
    cost_details: dict[str, Any] | None = None


def _score(item: RerankItem) -> float:
    score = item.relevance_score
    return score if score is not None and score == score else float("-inf")


class RerankResult(WireModel):
    """A rerank reply. ``results`` are kept as sent; :meth:`ranked` orders them."""

    id: str | None = None
    model: str | None = None
    provider: str | None = None
    results: list[RerankItem] = Field(default_factory=list)
    usage: RerankUsage | None = None

    @field_validator("results", mode="before")
    @classmethod
    def _list(cls, value: Any) -> Any:
        if not isinstance(value, (list, tuple)):
            return []
        return [item for item in value if isinstance(item, dict)]

    def ranked(self) -> list[RerankItem]:
        """The results, most relevant first (results without a score last; equal
        scores keep the order of the request's documents)."""
        return sorted(
            self.results,
            key=lambda item: (-_score(item), item.index if item.index is not None else 0),
        )

    def picks(self, size: int, top_n: int | None = None) -> list[RerankItem]:
        """The results best first that point at one of ``size`` documents (others are
        left out), at most ``top_n`` of them."""
        valid = [
            item for item in self.ranked() if item.index is not None and 0 <= item.index < size
        ]
        return valid[:top_n] if top_n is not None else valid

    @overload
    def documents(self) -> list[str]: ...
    @overload
    def documents(self, originals: Sequence[T]) -> list[T]: ...
    def documents(self, originals: Sequence[Any] | None = None) -> list[Any]:
        """The documents, most relevant first.

        Without ``originals``: the text each result echoes (``""`` for a result that
        echoed none, e.g. an image-only document). With ``originals`` (the sequence
        the request's documents were made from, any type): those objects, picked by
        each result's ``index``.
        """
        ranked = self.ranked()
        if originals is None:
            return [item.text or "" for item in ranked]
        picked: list[Any] = []
        for item in ranked:
            index = item.index
            if index is None or not 0 <= index < len(originals):
                raise ValueError(
                    f"a rerank result points at document {index!r}, but {len(originals)} "
                    "documents were given: pass the documents the request was made from"
                )
            picked.append(originals[index])
        return picked

    @property
    def cost(self) -> float | None:
        return self.usage.cost if self.usage else None
