"""``/chat/completions``: the request (strict) and the result and stream chunks (lenient)."""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from pydantic import ConfigDict, Field, PrivateAttr, field_validator, model_validator
from typing_extensions import TypedDict

from ._base import RequestModel, WireModel
from .attempts import reply_summary
from .messages import Message

__all__ = [
    "ChatChoice",
    "ChatRequest",
    "ChatResult",
    "CompletionTokensDetails",
    "FunctionTool",
    "PromptTokensDetails",
    "ProviderPreferences",
    "ReasoningConfig",
    "ResponseMessage",
    "Usage",
]

_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class ReasoningConfig(TypedDict, total=False):
    """``reasoning``: either ``effort`` or ``max_tokens``; ``exclude`` hides the text."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    effort: Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"] | None
    max_tokens: int
    exclude: bool
    enabled: bool
    summary: str | None


class MaxPrice(TypedDict, total=False):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    prompt: float | str
    completion: float | str
    image: float | str
    audio: float | str
    request: float | str


class ProviderPreferences(TypedDict, total=False):
    """``provider``: how OpenRouter picks among the providers serving a model."""

    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    order: list[str]
    allow_fallbacks: bool | None
    require_parameters: bool | None
    data_collection: Literal["allow", "deny"] | None
    zdr: bool | None
    enforce_distillable_text: bool | None
    only: list[str]
    ignore: list[str]
    quantizations: list[str]
    sort: str | dict[str, Any] | None
    max_price: MaxPrice
    preferred_min_throughput: float | dict[str, Any] | None
    preferred_max_latency: float | dict[str, Any] | None


class FunctionDefinition(TypedDict, total=False):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    name: str
    description: str
    parameters: dict[str, Any]
    strict: bool | None


class FunctionTool(TypedDict, total=False):
    __pydantic_config__ = ConfigDict(extra="forbid")  # type: ignore[misc]
    type: Literal["function"]
    function: FunctionDefinition
    cache_control: dict[str, Any]


class ServerTool(TypedDict, total=False):
    """An OpenRouter server-side tool such as ``{"type": "openrouter:web_search"}``."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]
    type: str
    parameters: dict[str, Any]


Tool = FunctionTool | ServerTool


class ChatRequest(RequestModel):
    """Every ``ChatRequest`` parameter of OpenRouter's API, validated before sending.

    Ranges follow OpenRouter's parameter docs. ``extra_body`` carries anything this
    model does not know yet; it is merged into the JSON last.
    """

    model: str | None = None
    messages: list[Message] = Field(min_length=1)
    models: list[str] | None = None
    provider: ProviderPreferences | None = None
    route: Literal["fallback", "sort"] | None = None
    plugins: list[dict[str, Any]] | None = None
    reasoning: ReasoningConfig | None = None
    reasoning_effort: Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"] | None = (
        None
    )
    include_reasoning: bool | None = None
    response_format: dict[str, Any] | None = None
    tools: list[Tool] | None = None
    tool_choice: Literal["none", "auto", "required"] | dict[str, Any] | None = None
    parallel_tool_calls: bool | None = None
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)
    min_p: float | None = Field(default=None, ge=0.0, le=1.0)
    top_a: float | None = Field(default=None, ge=0.0, le=1.0)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    repetition_penalty: float | None = Field(default=None, gt=0.0, le=2.0)
    seed: int | None = None
    max_tokens: int | None = Field(default=None, ge=1)
    max_completion_tokens: int | None = Field(default=None, ge=1)
    stop: str | list[str] | None = None
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    n: int | None = Field(default=None, ge=1)
    verbosity: Literal["low", "medium", "high", "max"] | None = None
    modalities: list[Literal["text", "image", "audio"]] | None = None
    image_config: dict[str, Any] | None = None
    cache_control: dict[str, Any] | None = None
    prediction: dict[str, Any] | None = None
    user: str | None = None
    session_id: str | None = Field(default=None, max_length=256)
    trace: dict[str, Any] | None = None
    metadata: dict[str, str] | None = None
    service_tier: str | None = None
    stream: bool | None = None
    stream_options: dict[str, Any] | None = None
    extra_body: dict[str, Any] | None = Field(default=None, exclude=True)

    @field_validator("stop")
    @classmethod
    def _check_stop(cls, value: str | list[str] | None) -> str | list[str] | None:
        if isinstance(value, list) and len(value) > 4:
            raise ValueError("at most 4 stop sequences are allowed")
        return value

    @field_validator("logit_bias")
    @classmethod
    def _check_bias(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        for token, bias in (value or {}).items():
            if not -100 <= bias <= 100:
                raise ValueError(f"logit_bias[{token}] must be within [-100, 100], got {bias}")
        return value

    @field_validator("tools")
    @classmethod
    def _check_tools(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        seen: set[str] = set()
        for tool in value or []:
            if tool.get("type") != "function":
                continue
            function = tool.get("function") or {}
            name = function.get("name", "")
            if name in seen:
                raise ValueError(
                    f"two tools are named {name!r}: the model could not tell them apart, and "
                    "its calls could not be routed back; give each tool a distinct name"
                )
            seen.add(name)
            if not _TOOL_NAME.match(name):
                raise ValueError(
                    f"tool name {name!r} must be 1-64 characters of letters, digits, '_' or '-'"
                )
            params = function.get("parameters")
            if params is not None:
                _check_json_schema(name, params)
        return value

    @model_validator(mode="after")
    def _check_model(self) -> ChatRequest:
        if not self.model and not self.models:
            raise ValueError("either 'model' or 'models' is required")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON body: unset parameters omitted, ``extra_body`` merged last."""
        body = {
            name: value
            for name, value in self.__dict__.items()
            if value is not None and name != "extra_body"
        }
        if self.extra_body:
            body.update(self.extra_body)
        return body


def _check_json_schema(tool: str, schema: Any) -> None:
    """Reject tool schemas that cannot be JSON Schema objects."""
    if not isinstance(schema, dict):
        raise ValueError(f"tool {tool!r}: parameters must be a JSON Schema object")
    kind = schema.get("type")
    if kind is not None and kind != "object":
        raise ValueError(f"tool {tool!r}: parameters must have type 'object', got {kind!r}")
    props = schema.get("properties", {})
    if not isinstance(props, dict):
        raise ValueError(f"tool {tool!r}: 'properties' must be an object")
    for prop, sub in props.items():
        if not isinstance(sub, (dict, bool)):
            raise ValueError(f"tool {tool!r}: property {prop!r} must be a schema object")
    required = schema.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        raise ValueError(f"tool {tool!r}: 'required' must be a list of property names")
    _check_subschemas(tool, schema, "parameters")
    try:
        json.dumps(schema)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"tool {tool!r}: parameters are not JSON-serialisable: {exc}") from exc


_JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "object", "array", "null"})
_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions")
_SCHEMA_LISTS = ("anyOf", "oneOf", "allOf", "prefixItems")
_SCHEMA_ONES = ("items", "additionalProperties", "not", "if", "then", "else", "contains")


def _check_subschemas(tool: str, node: Any, path: str) -> None:
    """Every nested schema is an object (or boolean) whose ``type`` names JSON types."""
    if isinstance(node, bool):
        return
    if not isinstance(node, dict):
        raise ValueError(f"tool {tool!r}: {path} is not valid JSON Schema (not an object)")
    kind = node.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind is not None else []
    for k in kinds:
        if k not in _JSON_TYPES:
            raise ValueError(
                f"tool {tool!r}: {path} is not valid JSON Schema: type {k!r} is not one of "
                f"{', '.join(sorted(_JSON_TYPES))}"
            )
    for key in _SCHEMA_MAPS:
        for name, sub in (node.get(key) or {}).items():
            _check_subschemas(tool, sub, f"{path}.{key}.{name}")
    for key in _SCHEMA_LISTS:
        for i, sub in enumerate(node.get(key) or ()):
            _check_subschemas(tool, sub, f"{path}.{key}[{i}]")
    for key in _SCHEMA_ONES:
        if key in node:
            _check_subschemas(tool, node[key], f"{path}.{key}")


# --------------------------------------------------------------------------- replies


class PromptTokensDetails(WireModel):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None
    audio_tokens: int | None = None


class CompletionTokensDetails(WireModel):
    reasoning_tokens: int | None = None
    image_tokens: int | None = None
    audio_tokens: int | None = None


class Usage(WireModel):
    """Token counts and cost (USD credits) of one call."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: dict[str, Any] | None = None
    prompt_tokens_details: PromptTokensDetails | None = None
    completion_tokens_details: CompletionTokensDetails | None = None

    @property
    def cached_tokens(self) -> int:
        details = self.prompt_tokens_details
        return (details.cached_tokens or 0) if details else 0

    @property
    def cache_write_tokens(self) -> int:
        details = self.prompt_tokens_details
        return (details.cache_write_tokens or 0) if details else 0

    @property
    def reasoning_tokens(self) -> int:
        details = self.completion_tokens_details
        return (details.reasoning_tokens or 0) if details else 0


class ResponseFunctionCall(WireModel):
    name: str | None = None
    arguments: str | None = None


class ResponseToolCall(WireModel):
    id: str | None = None
    type: str | None = "function"
    index: int | None = None
    function: ResponseFunctionCall = Field(default_factory=ResponseFunctionCall)


class ResponseMessage(WireModel):
    role: str | None = "assistant"
    content: str | None = None
    refusal: str | None = None
    reasoning: str | None = None
    reasoning_details: list[dict[str, Any]] | None = None
    tool_calls: list[ResponseToolCall] | None = None
    images: list[dict[str, Any]] | None = None
    annotations: list[dict[str, Any]] | None = None
    audio: dict[str, Any] | None = None


class ChatChoice(WireModel):
    index: int = 0
    message: ResponseMessage = Field(default_factory=ResponseMessage)
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    logprobs: dict[str, Any] | None = None
    error: dict[str, Any] | None = None


class ChatResult(WireModel):
    """A chat completion. ``attempts`` (not on the wire) lists every model tried."""

    id: str | None = None
    object: str | None = None
    created: int | None = None
    model: str | None = None
    provider: str | None = None
    system_fingerprint: str | None = None
    choices: list[ChatChoice] = Field(default_factory=list)
    usage: Usage | None = None
    _attempts: list[Any] = PrivateAttr(default_factory=list)
    _generation_id: str | None = PrivateAttr(default=None)

    @property
    def attempts(self) -> list[Any]:
        """Every model tried or skipped for this result, in order
        (:class:`~openrouter_core.routing.Attempt`)."""
        # Read the private store directly: ``self._attempts`` takes pydantic's slow
        # ``__getattr__`` path, measurable on every call.
        private = self.__pydantic_private__
        return private["_attempts"] if private else []

    @property
    def generation_id(self) -> str | None:
        return self._generation_id or self.id

    @property
    def text(self) -> str:
        """The first choice's text ('' if none)."""
        return (self.choices[0].message.content or "") if self.choices else ""

    def summary(self, index: int = 0) -> dict[str, Any]:
        """Who served this reply, how it ended, what it cost and which models were
        tried: one dict the framework adapters turn into their own metadata. Keys
        whose value the reply did not carry are left out (``fallback_attempts`` is
        always there)."""
        choice = self.choices[index] if len(self.choices) > index else None
        usage = self.usage
        found: dict[str, Any] = {
            "id": self.id,
            "object": self.object,
            "model": self.model,
            "provider": self.provider,
            "created": self.created,
            "system_fingerprint": self.system_fingerprint,
            "finish_reason": choice.finish_reason if choice else None,
            "native_finish_reason": choice.native_finish_reason if choice else None,
        }
        return reply_summary(found, usage, self.attempts)
