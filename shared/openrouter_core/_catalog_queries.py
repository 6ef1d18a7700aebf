"""Catalog queries: filter and sort models, find capable substitutes, estimate cost.

Mixed into :class:`~openrouter_core.catalog.Catalog`; pure lookups over the models
in memory (no I/O).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal

from .capabilities import Requirements, missing_capabilities
from .model_ids import is_router, split_variant
from .types.catalog import ModelInfo
from .types.chat import Usage

__all__ = ["CatalogQueries", "SortKey"]

SortKey = Literal["price", "context", "created", "id"]


class CatalogQueries:
    """Queries over ``_models`` (provided by the catalog)."""

    _models: dict[str, ModelInfo]

    def find(self, model_id: str) -> ModelInfo | None:
        raise NotImplementedError

    def query(
        self,
        *,
        supports: Sequence[str] = (),
        input_modalities: Sequence[str] = (),
        output_modalities: Sequence[str] = (),
        min_context: int | None = None,
        max_prompt_price: float | None = None,
        max_completion_price: float | None = None,
        author: str | None = None,
        free: bool | None = None,
        sort: SortKey = "id",
        descending: bool = False,
        limit: int | None = None,
    ) -> list[ModelInfo]:
        """Models matching every filter. Prices are USD per token.

        ``supports`` names ``supported_parameters`` (``"tools"``, ``"structured_outputs"``,
        ``"reasoning"``...). ``sort="price"`` orders by prompt + completion price.
        """
        wanted = frozenset(supports)
        ins, outs = frozenset(input_modalities), frozenset(output_modalities)
        found = []
        for m in self._models.values():
            if wanted and not wanted <= m.parameters:
                continue
            if ins and not ins <= m.input_modalities:
                continue
            if outs and not outs <= m.output_modalities:
                continue
            if min_context is not None and (m.context_window or 0) < min_context:
                continue
            if author is not None and not m.id.startswith(author.rstrip("/") + "/"):
                continue
            if not _price_ok(m.prompt_price, max_prompt_price):
                continue
            if not _price_ok(m.completion_price, max_completion_price):
                continue
            if free is not None and _is_free(m) != free:
                continue
            found.append(m)
        found.sort(key=_SORT_KEYS[sort], reverse=descending)
        return found[:limit] if limit is not None else found

    def capable_models(
        self, needs: Requirements, *, exclude: Iterable[str] = (), prefer_author: str | None = None
    ) -> list[ModelInfo]:
        """Models that can serve ``needs``: same author first, then cheapest."""
        skip = set(exclude)
        capable = [
            m
            for m in self._models.values()
            if m.id not in skip and not m.expiration_date and not missing_capabilities(m, needs)
        ]

        def rank(m: ModelInfo) -> tuple[int, float, str]:
            same = 0 if prefer_author and m.id.startswith(prefer_author + "/") else 1
            return (same, _total_price(m), m.id)

        capable.sort(key=rank)
        return capable

    def substitutes(
        self,
        model_id: str,
        needs: Requirements,
        *,
        limit: int = 3,
        max_price: float | None = None,
    ) -> list[str]:
        """Models to fall back to from ``model_id``: they meet ``needs`` (capabilities,
        modalities, context), cost at most ``max_price`` (USD per prompt+completion
        token; default: no ceiling), are not variants of it, and share its author
        first."""
        base, _ = split_variant(model_id)
        author = base.split("/")[0]
        picks = []
        for m in self.capable_models(needs, exclude=(model_id, base), prefer_author=author):
            if split_variant(m.id)[0] == base or is_router(m.id):
                continue
            if max_price is not None and _total_price(m) > max_price:
                continue
            picks.append(m.id)
            if len(picks) >= limit:
                break
        return picks

    def estimate_cost(self, model_id: str, usage: Usage | Mapping[str, Any]) -> float | None:
        """USD cost of a usage on ``model_id`` from catalog prices (``None`` if unpriced).
        Cached prompt tokens are charged at ``input_cache_read`` when the model has it."""
        model = self.find(model_id)
        if model is None:
            return None
        u = usage if isinstance(usage, Usage) else Usage.model_validate(usage)
        prompt, completion = model.prompt_price, model.completion_price
        if prompt is None or completion is None:
            return None
        cache_read = model.pricing.per_token("input_cache_read")
        cached = u.cached_tokens if cache_read is not None else 0
        cost = (u.prompt_tokens - cached) * prompt + u.completion_tokens * completion
        if cached and cache_read is not None:
            cost += cached * cache_read
        request = model.pricing.per_token("request")
        return cost + (request or 0.0)


def _price_ok(price: float | None, ceiling: float | None) -> bool:
    return ceiling is None or (price is not None and price <= ceiling)


def _is_free(m: ModelInfo) -> bool:
    return m.id.endswith(":free") or (m.prompt_price == 0 and m.completion_price == 0)


def _total_price(m: ModelInfo) -> float:
    if m.prompt_price is None or m.completion_price is None:
        return float("inf")
    return m.prompt_price + m.completion_price


_SORT_KEYS: dict[str, Callable[[ModelInfo], Any]] = {
    "price": _total_price,
    "context": lambda m: m.context_window or 0,
    "created": lambda m: m.created or 0,
    "id": lambda m: m.id,
}
