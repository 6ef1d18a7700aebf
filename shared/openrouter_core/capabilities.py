"""What a request needs from a model, and whether a catalog entry has it.

:func:`requirements_of` reads a chat request body once; :func:`missing_capabilities`
compares it with a :class:`~openrouter_core.types.ModelInfo`. Both are pure and
cheap; the catalog and the routing use them to refuse or skip models.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from .types.catalog import ModelInfo

__all__ = [
    "CapabilityPolicy",
    "CapabilityWarning",
    "EmbeddingPurpose",
    "Requirements",
    "estimate_prompt_tokens",
    "missing_capabilities",
    "requirements_of",
    "requirements_of_responses",
]

CapabilityPolicy = Literal["error", "warn", "off"]

#: What a text is embedded for; models that take ``input_type`` embed them apart.
EmbeddingPurpose = Literal["query", "document"]
_INPUT_TYPE_OF: dict[str, str] = {"query": "search_query", "document": "search_document"}

#: Parameters whose absence from ``supported_parameters`` means the model cannot
#: honour the request (sampling knobs are ignored by OpenRouter instead).
CAPABILITY_PARAMETERS = (
    "tools",
    "tool_choice",
    "response_format",
    "structured_outputs",
    "reasoning",
)

_PART_MODALITY = {
    "image_url": "image",
    "file": "file",
    "input_audio": "audio",
    "video_url": "video",
    "input_video": "video",
}

_LABELS = {
    "tools": "tool calling",
    "tool_choice": "tool_choice",
    "response_format": "JSON mode (response_format)",
    "structured_outputs": "structured outputs (json_schema)",
    "reasoning": "reasoning",
}

#: Characters per token for the prompt-size estimate (a common average for
#: English text and code across tokenizers).
CHARS_PER_TOKEN = 4


class CapabilityWarning(UserWarning):
    """Emitted instead of an error when ``capability_check='warn'``."""


@dataclass(frozen=True, slots=True)
class Requirements:
    """What one request needs: parameters, input modalities and token budget."""

    parameters: frozenset[str] = frozenset()
    input_modalities: frozenset[str] = frozenset({"text"})
    output_modalities: frozenset[str] = frozenset({"text"})
    max_output_tokens: int | None = None
    prompt_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + (self.max_output_tokens or 0)


def estimate_prompt_tokens(messages: Sequence[Mapping[str, Any]]) -> int:
    """A quick upper-bound-ish estimate: text length / 4 plus a few tokens a message."""
    chars = 0
    for message in messages:
        chars += 16
        content = message.get("content")
        if isinstance(content, str):
            chars += len(content)
        elif isinstance(content, list):
            for part in content:
                if isinstance(part, Mapping) and part.get("type") == "text":
                    chars += len(part.get("text") or "")
        for call in message.get("tool_calls") or ():
            function = call.get("function") or {}
            chars += len(function.get("arguments") or "") + len(function.get("name") or "")
    return chars // CHARS_PER_TOKEN


def _format_parameter(fmt: Any) -> set[str]:
    """The supported parameter a response format needs (chat's ``response_format``,
    ``/responses``' ``text.format``)."""
    kind = fmt.get("type") if isinstance(fmt, Mapping) else None
    if kind == "json_schema":
        return {"structured_outputs"}
    if kind == "json_object":
        return {"response_format"}
    return set()


def _reasoning_on(reasoning: Any) -> bool:
    """A ``reasoning`` object that asks for reasoning (not disabled, effort not none)."""
    return (
        isinstance(reasoning, Mapping)
        and reasoning.get("enabled") is not False
        and reasoning.get("effort") != "none"
    )


def requirements_of(body: Mapping[str, Any]) -> Requirements:
    """Read what a ``/chat/completions`` body needs from the model."""
    params: set[str] = set()
    if body.get("tools") and any(t.get("type") == "function" for t in body["tools"]):
        params.add("tools")
    choice = body.get("tool_choice")
    if choice not in (None, "auto", "none") and params:
        params.add("tool_choice")
    params.update(_format_parameter(body.get("response_format")))
    if _reasoning_on(body.get("reasoning")) or body.get("reasoning_effort") not in (None, "none"):
        params.add("reasoning")
    provider = body.get("provider")
    if isinstance(provider, Mapping) and provider.get("require_parameters"):
        # The caller asked for providers that honour every parameter: check them all.
        skip = {"model", "models", "messages", "provider", "stream", "stream_options", "route"}
        params.update(k for k in body if k not in skip and k in _KNOWN_SUPPORTED)
    modalities = {"text"}
    messages = body.get("messages") or []
    for message in messages:
        content = message.get("content")
        if isinstance(content, list):
            for part in content:
                kind = part.get("type") if isinstance(part, Mapping) else None
                if kind in _PART_MODALITY:
                    modalities.add(_PART_MODALITY[kind])
    outputs = frozenset(body.get("modalities") or ("text",))
    max_out = body.get("max_completion_tokens") or body.get("max_tokens")
    return Requirements(
        parameters=frozenset(params),
        input_modalities=frozenset(modalities),
        output_modalities=outputs,
        max_output_tokens=max_out,
        prompt_tokens=estimate_prompt_tokens(messages),
    )


#: ``/responses`` input content parts that need an input modality beyond text.
_RESPONSES_PART_MODALITY = {"input_image": "image", "input_file": "file", "input_audio": "audio"}


def _responses_params(body: Mapping[str, Any]) -> set[str]:
    params: set[str] = set()
    tools = body.get("tools") or ()
    if any(isinstance(t, Mapping) and t.get("type") == "function" for t in tools):
        params.add("tools")
        if body.get("tool_choice") not in (None, "auto", "none"):
            params.add("tool_choice")
    text = body.get("text")
    params.update(_format_parameter(text.get("format") if isinstance(text, Mapping) else None))
    if _reasoning_on(body.get("reasoning")):
        params.add("reasoning")
    return params


def requirements_of_responses(body: Mapping[str, Any]) -> Requirements:
    """Read what a ``/responses`` body needs from the model (as :func:`requirements_of`
    does for chat): function tools, ``text.format``, reasoning, the input's media and
    its size."""
    modalities = {"text"}
    items = body.get("input")
    chars = len(items) if isinstance(items, str) else 0
    for item in items if isinstance(items, list) else ():
        if not isinstance(item, Mapping):
            continue
        chars += 16
        for key in ("arguments", "output"):
            if isinstance(item.get(key), str):
                chars += len(item[key])
        content = item.get("content")
        if isinstance(content, str):
            chars += len(content)
        for part in content if isinstance(content, list) else ():
            if not isinstance(part, Mapping):
                continue
            kind = part.get("type")
            if kind in _RESPONSES_PART_MODALITY:
                modalities.add(_RESPONSES_PART_MODALITY[kind])
            elif isinstance(part.get("text"), str):
                chars += len(part["text"])
    if isinstance(body.get("instructions"), str):
        chars += len(body["instructions"])
    return Requirements(
        parameters=frozenset(_responses_params(body)),
        input_modalities=frozenset(modalities),
        max_output_tokens=body.get("max_output_tokens"),
        prompt_tokens=chars // CHARS_PER_TOKEN,
    )


_KNOWN_SUPPORTED = frozenset(
    {
        "temperature", "top_p", "top_k", "min_p", "top_a", "frequency_penalty",
        "presence_penalty", "repetition_penalty", "seed", "max_tokens", "stop",
        "logit_bias", "logprobs", "top_logprobs", "tools", "tool_choice",
        "response_format", "structured_outputs", "reasoning", "include_reasoning",
        "verbosity", "parallel_tool_calls", "web_search_options",
    }
)  # fmt: skip


def missing_capabilities(model: ModelInfo, needs: Requirements) -> list[str]:
    """Human-readable reasons ``model`` cannot serve ``needs`` (empty when it can)."""
    missing: list[str] = []
    have = model.parameters
    for param in sorted(needs.parameters):
        if param in have:
            continue
        if param == "reasoning" and "include_reasoning" in have:
            continue
        label = _LABELS.get(param, f"the '{param}' parameter")
        missing.append(f"{label} ('{param}' is not in its supported_parameters)")
    lacking = needs.input_modalities - model.input_modalities
    if lacking:
        missing.append(
            f"{'/'.join(sorted(lacking))} input "
            f"(it accepts {', '.join(sorted(model.input_modalities))})"
        )
    lacking_out = needs.output_modalities - model.output_modalities
    if lacking_out:
        missing.append(
            f"{'/'.join(sorted(lacking_out))} output "
            f"(it produces {', '.join(sorted(model.output_modalities))})"
        )
    limit = model.max_completion_tokens
    if needs.max_output_tokens and limit and needs.max_output_tokens > limit:
        missing.append(f"max_tokens={needs.max_output_tokens} (its limit is {limit})")
    window = model.context_window
    if window and needs.total_tokens > window:
        budget = f" plus max_tokens={needs.max_output_tokens}" if needs.max_output_tokens else ""
        missing.append(
            f"a prompt of ~{needs.prompt_tokens} tokens{budget} "
            f"(its context window is {window} tokens)"
        )
    return missing


def warn_or_raise(policy: CapabilityPolicy, error: Exception) -> None:
    """Apply the policy to a capability problem."""
    if policy == "error":
        raise error
    if policy == "warn":
        warnings.warn(str(error), CapabilityWarning, stacklevel=4)


def prepare_embeddings(
    catalog: Any, request: Any, policy: CapabilityPolicy, purpose: EmbeddingPurpose | None
) -> Any:
    """An ``EmbeddingsRequest`` checked against the embeddings catalog: media sent
    to a text-only model refused (:func:`check_embedding_inputs`), and ``purpose``
    turned into ``input_type`` when the request sets none and the model's entry
    lists ``input_type`` among its parameters."""
    from .content import input_modalities_of

    needs = input_modalities_of(request.input) - {"text"}
    if needs:
        check_embedding_inputs(catalog, request.model, needs, policy)
    if purpose is None or request.input_type is not None or not len(catalog):
        return request
    info = catalog.find(request.model)
    if info is None or "input_type" not in info.parameters:
        return request
    return request.model_copy(update={"input_type": _INPUT_TYPE_OF[purpose]})


def check_embedding_inputs(
    catalog: Any, model: str, needs: set[str], policy: CapabilityPolicy
) -> None:
    """Refuse (or warn about) images and other media sent to an embedding model the
    catalog lists as text-only, naming the embedding models that take them."""
    from .errors import CapabilityError

    info = catalog.find(model) if len(catalog) else None
    if info is None:
        return  # unknown here: nothing to say (the id check has spoken)
    lacking = sorted(needs - info.input_modalities)
    if not lacking:
        return
    capable = [m.id for m in catalog if set(lacking) <= m.input_modalities]
    error = CapabilityError(
        model,
        [f"{'/'.join(lacking)} input (it embeds {', '.join(sorted(info.input_modalities))})"],
        capable[:8],
        len(capable),
    )
    warn_or_raise(policy, error)
