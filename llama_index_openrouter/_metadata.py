"""``OpenRouter.metadata`` from the catalog: the facts along the route, memoised per
object until its settings or the catalog change."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from llama_index.core.base.llms.types import LLMMetadata

from openrouter_core import Catalog, ModelInfo, OpenRouterError

__all__ = ["MetadataCache", "RouteFacts", "route_metadata"]


class RouteFacts(Protocol):
    """What the metadata of an LLM is computed from."""

    @property
    def model(self) -> str: ...
    @property
    def models(self) -> list[str] | None: ...
    @property
    def fallback_models(self) -> list[str]: ...
    @property
    def fallback(self) -> str | None: ...
    @property
    def max_tokens(self) -> int | None: ...
    @property
    def context_window(self) -> int | None: ...
    @property
    def is_chat_model(self) -> bool: ...
    @property
    def is_function_calling_model(self) -> bool | None: ...
    @property
    def capability_check(self) -> str: ...
    @property
    def catalog(self) -> Catalog: ...
    @property
    def model_info(self) -> ModelInfo | None: ...


class MetadataCache:
    """The last metadata of one object and what it was computed from."""

    __slots__ = ("_key", "_value")

    def __init__(self) -> None:
        self._key: tuple[Any, ...] | None = None
        self._value: LLMMetadata | None = None

    def get(self, llm: RouteFacts) -> LLMMetadata:
        """The metadata of ``llm`` (recomputed only when an input changed). Without a
        catalog at hand an explicit ``context_window`` still gives metadata."""
        try:
            catalog: Catalog | None = llm.catalog
        except OpenRouterError:
            if llm.context_window is None:
                raise
            catalog = None
        facts: dict[str, Any] = {
            "model": llm.model,
            "models": tuple(llm.models or ()),
            "fallback_models": tuple(llm.fallback_models),
            "auto_fallback": llm.fallback == "auto",
            "max_tokens": llm.max_tokens,
            "context_window": llm.context_window,
            "is_chat_model": llm.is_chat_model,
            "is_function_calling_model": llm.is_function_calling_model,
        }
        key = (
            *facts.values(),
            llm.capability_check,
            id(catalog),
            (catalog.fetched_at, catalog.refresh_count) if catalog is not None else None,
        )
        if self._value is not None and self._key == key:
            return self._value
        primary = llm.model_info if catalog is not None else None
        self._value = route_metadata(catalog, primary, **facts)
        self._key = key
        return self._value


def route_metadata(
    catalog: Catalog | None,
    primary: ModelInfo | None,
    *,
    model: str,
    models: Sequence[str],
    fallback_models: Sequence[str],
    auto_fallback: bool,
    max_tokens: int | None,
    context_window: int | None,
    is_chat_model: bool,
    is_function_calling_model: bool | None,
) -> LLMMetadata:
    """The metadata of a route (``primary`` is the catalog entry of ``model``).

    ``context_window`` is the smallest along the route (the catalog's smallest for a
    model without fixed facts); ``num_output`` is ``max_tokens``, else the smallest
    output limit capped at half the window; tool calling is there when the model,
    or a model of ``fallback_models``, lists ``tools``, or ``auto_fallback`` can find
    one. Explicit ``context_window`` and ``is_function_calling_model`` win.
    """
    window = context_window
    limits: list[int] = []
    windows: list[int] = []
    tools = True
    if catalog is not None:
        tools = primary is None or primary.supports_tools or auto_fallback
        for model_id in dict.fromkeys([model, *models, *fallback_models]):
            info = primary if model_id == model else catalog.find(model_id)
            if info is None:
                continue
            if model_id in fallback_models and info.supports_tools:
                tools = True
            if info.context_window:
                windows.append(info.context_window)
            if info.max_completion_tokens:
                limits.append(info.max_completion_tokens)
        if window is None:
            windows = windows or [m.context_window for m in catalog if m.context_window]
            window = min(windows)
    assert window is not None
    output = max_tokens or min(min(limits, default=window), window // 2)
    return LLMMetadata(
        context_window=window,
        num_output=output,
        is_chat_model=is_chat_model,
        is_function_calling_model=(
            tools if is_function_calling_model is None else is_function_calling_model
        ),
        model_name=model,
    )
