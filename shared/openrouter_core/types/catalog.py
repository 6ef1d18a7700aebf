"""Catalog entries (``/models``) and the facts derived from them.

:class:`ModelInfo` precomputes what capability checks need (parameter set,
modality sets, prices as floats) once, at load, so a lookup is a dict access.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from pydantic import Field, field_validator

from ._base import WireModel

__all__ = ["Architecture", "ModelEndpoint", "ModelEndpoints", "ModelInfo", "Pricing", "TopProvider"]


def _price(value: Any) -> float | None:
    """A USD-per-unit price string as a float; ``None`` if missing, unknown or negative
    (routers such as ``openrouter/auto`` publish ``"-1"``)."""
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _text_list(value: Any) -> Any:
    """A list of names with nulls and non-strings dropped (real entries hold odd values)."""
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    if isinstance(value, str):
        return [value]
    return value


def _whole_number(value: Any) -> Any:
    """An integer read leniently: ``1.7e9`` or ``"128000"`` become ints; junk becomes None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number == number and abs(number) != float("inf") else None


def _object(value: Any) -> Any:
    """A nested object that may be null (or of the wrong type): an empty one then."""
    return value if isinstance(value, dict) else {}


class Architecture(WireModel):
    modality: str | None = None
    input_modalities: list[str] | None = None
    output_modalities: list[str] | None = None
    tokenizer: str | None = None
    instruct_type: str | None = None

    _lists = field_validator("input_modalities", "output_modalities", mode="before")(
        classmethod(lambda cls, v: _text_list(v))
    )


class Pricing(WireModel):
    """USD per token (prompt, completion, cache) or per unit (request, image), as strings."""

    prompt: str | None = None
    completion: str | None = None
    request: str | None = None
    image: str | None = None
    audio: str | None = None
    web_search: str | None = None
    internal_reasoning: str | None = None
    input_cache_read: str | None = None
    input_cache_write: str | None = None

    @field_validator("*", mode="before")
    @classmethod
    def _as_text(cls, value: Any) -> Any:
        # Prices are strings on the wire, but numbers turn up too.
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return repr(value) if isinstance(value, float) else str(value)
        return value if isinstance(value, str) or value is None else None

    def per_token(self, field: str) -> float | None:
        return _price(getattr(self, field, None))


class TopProvider(WireModel):
    context_length: int | None = None
    max_completion_tokens: int | None = None
    is_moderated: bool | None = None

    _numbers = field_validator("context_length", "max_completion_tokens", mode="before")(
        classmethod(lambda cls, v: _whole_number(v))
    )


class ModelInfo(WireModel):
    """One catalog entry. Any field may be null; accessors give safe defaults."""

    id: str
    canonical_slug: str | None = None
    name: str | None = None
    created: int | None = None
    context_length: int | None = None
    architecture: Architecture = Field(default_factory=Architecture)
    pricing: Pricing = Field(default_factory=Pricing)
    top_provider: TopProvider = Field(default_factory=TopProvider)
    per_request_limits: dict[str, Any] | None = None
    supported_parameters: list[str] | None = None
    default_parameters: dict[str, Any] | None = None
    expiration_date: str | None = None

    _numbers = field_validator("created", "context_length", mode="before")(
        classmethod(lambda cls, v: _whole_number(v))
    )
    _objects = field_validator("architecture", "pricing", "top_provider", mode="before")(
        classmethod(lambda cls, v: _object(v))
    )
    _names = field_validator("supported_parameters", mode="before")(
        classmethod(lambda cls, v: _text_list(v))
    )

    @field_validator("per_request_limits", "default_parameters", mode="before")
    @classmethod
    def _optional_object(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else None

    @field_validator("expiration_date", "canonical_slug", "name", mode="before")
    @classmethod
    def _optional_text(cls, value: Any) -> Any:
        return value if isinstance(value, str) else None

    @cached_property
    def parameters(self) -> frozenset[str]:
        """``supported_parameters`` as a set."""
        return frozenset(self.supported_parameters or ())

    @cached_property
    def input_modalities(self) -> frozenset[str]:
        mods = self.architecture.input_modalities
        if mods is None:
            # Older entries only carry "text+image->text".
            spec = (self.architecture.modality or "text->text").split("->")[0]
            mods = spec.split("+")
        return frozenset(mods)

    @cached_property
    def output_modalities(self) -> frozenset[str]:
        mods = self.architecture.output_modalities
        if mods is None:
            spec = (self.architecture.modality or "text->text").split("->")[-1]
            mods = spec.split("+")
        return frozenset(mods)

    @property
    def max_completion_tokens(self) -> int | None:
        return self.top_provider.max_completion_tokens

    @property
    def context_window(self) -> int | None:
        return self.context_length or self.top_provider.context_length

    @property
    def supports_tools(self) -> bool:
        return "tools" in self.parameters

    @property
    def supports_structured_outputs(self) -> bool:
        return "structured_outputs" in self.parameters

    @property
    def supports_response_format(self) -> bool:
        return "response_format" in self.parameters or self.supports_structured_outputs

    @property
    def supports_reasoning(self) -> bool:
        return "reasoning" in self.parameters or "include_reasoning" in self.parameters

    @cached_property
    def prompt_price(self) -> float | None:
        """USD per prompt token, ``None`` when unknown (e.g. routers)."""
        return self.pricing.per_token("prompt")

    @cached_property
    def completion_price(self) -> float | None:
        return self.pricing.per_token("completion")


class ModelEndpoint(WireModel):
    """One provider serving a model (``/models/{author}/{slug}/endpoints``)."""

    name: str | None = None
    model_id: str | None = None
    provider_name: str | None = None
    tag: str | None = None
    context_length: int | None = None
    max_completion_tokens: int | None = None
    max_prompt_tokens: int | None = None
    quantization: str | None = None
    status: int | None = None
    supported_parameters: list[str] | None = None
    pricing: Pricing = Field(default_factory=Pricing)
    uptime_last_30m: float | None = None
    latency_last_30m: dict[str, Any] | None = None
    throughput_last_30m: dict[str, Any] | None = None


class ModelEndpoints(WireModel):
    id: str | None = None
    name: str | None = None
    created: int | None = None
    architecture: Architecture = Field(default_factory=Architecture)
    endpoints: list[ModelEndpoint] = Field(default_factory=list)
