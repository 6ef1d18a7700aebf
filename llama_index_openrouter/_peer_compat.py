"""What lets code written for ``llama-index-llms-openrouter`` run unchanged.

* :func:`fold_peer_keywords`: the peer's constructor keywords that have no field of
  their own here (``order``, ``allow_fallbacks``, ``max_new_tokens``, ``extra_body``)
  become the fields that carry their meaning;
* :func:`refuse_unknown_keywords`: any other keyword is refused, naming the closest
  valid ones (a typo must not be dropped in silence);
* :func:`layered_call_kwargs`: the constructor's settings, ``additional_kwargs`` and
  the call's keywords merged into one set of request keywords, later layers first,
  each layer's ``extra_body`` flattened into it;
* :func:`asked_by_tool_calling_entry_point`: whether LlamaIndex code that asks for
  tool calling (``FunctionAgent``, ``predict_and_call``...) is reading the metadata.
"""

from __future__ import annotations

import difflib
import sys
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticCustomError

from openrouter_core import InvalidRequestError

__all__ = [
    "PREFERENCE_DICTS",
    "asked_by_tool_calling_entry_point",
    "fold_peer_keywords",
    "fold_request_options",
    "keywords_of",
    "layered_call_kwargs",
    "refuse_request_options",
    "refuse_unknown_keywords",
]

#: Request fields that hold preferences: merged key by key across layers, so a call
#: that sets ``provider={"sort": "price"}`` keeps the constructor's ``order``.
PREFERENCE_DICTS = frozenset({"provider", "reasoning"})

#: The OpenAI SDK's request options (not body fields) a peer user may pass.
_SDK_OPTIONS = frozenset({"extra_headers", "extra_query", "timeout"})

#: Keywords of the peer (or of its openai-like base) that cannot work here, and why.
_NOT_SUPPORTED = {
    "openai_client": "this package does not use the openai SDK; pass http_client=",
    "async_openai_client": "this package does not use the openai SDK; pass async_http_client=",
}


def fold_peer_keywords(data: dict[str, Any]) -> None:
    """Rewrite the peer's constructor keywords in ``data`` (a copy of the caller's
    keywords) into this package's fields. The caller's own dicts are never changed.

    * ``order`` / ``allow_fallbacks`` go into ``provider``, keeping its other keys;
      when ``additional_kwargs["extra_body"]["provider"]`` holds provider preferences
      they go there too (so what the caller reads back agrees with what is sent).
    * ``max_new_tokens`` is the peer's old name of ``max_tokens``; ``api_type`` (the
      openai SDK's API flavour, which OpenRouter does not have) is dropped.
    * ``extra_body`` is merged into ``additional_kwargs["extra_body"]``.
    * The OpenAI SDK's request options in ``additional_kwargs``: see
      :func:`fold_request_options`.
    """
    # The openai SDK's API flavour ("open_ai", "azure"...): OpenRouter has one API.
    data.pop("api_type", None)
    if "max_new_tokens" in data:
        value = data.pop("max_new_tokens")
        if data.get("max_tokens") is None:
            data["max_tokens"] = value
    fold_request_options(data)
    additional = data.get("additional_kwargs")
    extra = data.pop("extra_body", None)
    if extra:
        if not isinstance(extra, Mapping):
            raise ValueError(f"extra_body must be a dict of request fields, got {type(extra)}")
        additional = dict(additional or {})
        additional["extra_body"] = {**(additional.get("extra_body") or {}), **extra}
        data["additional_kwargs"] = additional
    routing: dict[str, Any] = {}
    for name in ("order", "allow_fallbacks"):
        value = data.pop(name, None)
        if value is not None:
            routing[name] = value
    if not routing:
        return
    provider = data.get("provider")
    if provider is not None and not isinstance(provider, Mapping):
        raise ValueError(f"provider must be a dict of provider preferences, got {type(provider)}")
    data["provider"] = {**(provider or {}), **routing}
    nested = (additional or {}).get("extra_body") or {}
    if "provider" in nested:
        if not isinstance(nested["provider"], Mapping):
            raise ValueError(
                "additional_kwargs['extra_body']['provider'] must be a dict of provider "
                f"preferences, got {type(nested['provider'])}"
            )
        extra_body = {**nested, "provider": {**nested["provider"], **routing}}
        data["additional_kwargs"] = {**(additional or {}), "extra_body": extra_body}


def fold_request_options(data: dict[str, Any]) -> None:
    """The OpenAI SDK's request options in ``data["additional_kwargs"]`` become what
    they meant there (they are not body fields): ``extra_headers`` joins
    ``default_headers``, ``timeout`` fills an unset ``timeout``; ``extra_query`` is
    refused (OpenRouter's chat and embeddings endpoints take no query)."""
    additional = data.get("additional_kwargs")
    if not isinstance(additional, Mapping) or not _SDK_OPTIONS & set(additional):
        return
    additional = dict(additional)
    if additional.pop("extra_query", None):
        raise ValueError(
            "additional_kwargs['extra_query'] cannot be sent: OpenRouter's chat and "
            "embeddings endpoints take no query parameters"
        )
    headers = additional.pop("extra_headers", None) or {}
    if headers:
        data["default_headers"] = {**(data.get("default_headers") or {}), **headers}
    timeout = additional.pop("timeout", None)
    if timeout is not None and data.get("timeout") is None:
        data["timeout"] = timeout
    data["additional_kwargs"] = additional


def refuse_request_options(call: Mapping[str, Any]) -> None:
    """Refuse the OpenAI SDK's request options given to one call: the shared clients
    send every call of an object with the same headers and timeout."""
    found = sorted(_SDK_OPTIONS & set(call))
    if found:
        raise InvalidRequestError(
            f"{', '.join(found)} cannot be given per call: set default_headers= / "
            "timeout= on the constructor (or additional_kwargs['extra_headers'])"
        )


def keywords_of(cls: type[BaseModel], extra: Iterable[str] = ()) -> set[str]:
    """Every keyword a model class takes: its fields, their aliases and ``extra``."""
    names = set(extra)
    for name, info in cls.model_fields.items():
        names.add(name)
        if info.alias:
            names.add(info.alias)
    return names


def refuse_unknown_keywords(owner: str, data: Mapping[str, Any], valid: Iterable[str]) -> None:
    """Raise a validation error naming every unknown keyword and its closest valid
    names (LlamaIndex's own classes drop unknown keywords without a word)."""
    known = sorted(set(valid))
    accepted = set(known)
    unknown = [name for name in data if name not in accepted]
    if not unknown:
        return
    problems = []
    for name in unknown:
        if name in _NOT_SUPPORTED:
            problems.append(f"{name!r} (not supported: {_NOT_SUPPORTED[name]})")
            continue
        close = [repr(c) for c in difflib.get_close_matches(name, known, n=3, cutoff=0.6)]
        if len(close) > 1:
            close[-2:] = [f"{close[-2]} or {close[-1]}"]
        problems.append(f"{name!r} (did you mean {', '.join(close)}?)" if close else repr(name))
    raise PydanticCustomError(
        "unexpected_keyword",
        "unexpected keyword argument(s) for {owner}: {problems}; "
        "see help({owner}) for every keyword it takes",
        {"owner": owner, "problems": ", ".join(problems)},
    )


def _flatten(layer: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A layer's own keywords and its ``extra_body`` (``reasoning_effort`` folded into
    ``reasoning``)."""
    own = dict(layer)
    extra = own.pop("extra_body", None) or {}
    if not isinstance(extra, Mapping):
        raise InvalidRequestError(
            f"extra_body must be a dict of request fields, got {type(extra).__name__}"
        )
    effort = own.pop("reasoning_effort", None)
    if effort is not None:
        reasoning = own.get("reasoning")
        own["reasoning"] = {
            **(reasoning if isinstance(reasoning, Mapping) else {}),
            "effort": effort,
        }
    return own, dict(extra)


def layered_call_kwargs(*layers: Mapping[str, Any]) -> dict[str, Any]:
    """Merge request keywords: a later layer wins; within a layer its ``extra_body``
    entries win over its own keywords (as the OpenAI SDK sends them). ``provider``
    and ``reasoning`` dicts are merged key by key. Entries that came from an
    ``extra_body`` are returned under ``extra_body`` again, to be sent as given."""
    top: dict[str, Any] = {}
    raw: dict[str, Any] = {}
    for layer in layers:
        own, extra = _flatten(layer)
        for source, target in ((own, top), (extra, raw)):
            for key, value in source.items():
                if key in PREFERENCE_DICTS and isinstance(value, Mapping):
                    prior = top.get(key, raw.get(key))
                    if isinstance(prior, Mapping):
                        value = {**prior, **value}
                top.pop(key, None)
                raw.pop(key, None)
                target[key] = value
    if raw:
        top["extra_body"] = raw
    return top


# --------------------------------------------------------------------------- tool-calling callers

#: (module, class, method): LlamaIndex code that asks for tool calling but reads
#: ``is_function_calling_model`` first, and without it refuses the LLM with a
#: generic ``ValueError`` (``FunctionAgent``, ``FunctionCallingProgram``) or turns
#: to a text-prompted emulation (``predict_and_call``).
_TOOL_ONLY = (
    ("llama_index.core.agent.workflow.function_agent", "FunctionAgent", "take_step"),
    ("llama_index.core.program.function_program", "FunctionCallingProgram", "from_defaults"),
    ("llama_index.core.llms.function_calling", "FunctionCallingLLM", "predict_and_call"),
    ("llama_index.core.llms.function_calling", "FunctionCallingLLM", "apredict_and_call"),
)


def _entry_point_codes() -> set[Any]:
    codes = set()
    for module_name, class_name, method in _TOOL_ONLY:
        module = sys.modules.get(module_name)
        owner = getattr(module, class_name, None) if module is not None else None
        function = getattr(owner, method, None)
        function = getattr(function, "__func__", function)
        while getattr(function, "__wrapped__", None) is not None:
            function = function.__wrapped__  # type: ignore[union-attr]
        code = getattr(function, "__code__", None)
        if code is not None:
            codes.add(code)
    return codes


def asked_by_tool_calling_entry_point(depth: int = 1) -> bool:
    """True when the code ``depth`` frames above the function calling this one (by
    default: whoever called it) is LlamaIndex code that asks for tool calling (see
    ``_TOOL_ONLY``), so that its request can reach the capability check."""
    codes = _entry_point_codes()
    if not codes:
        return False
    try:
        frame = sys._getframe(depth + 1)
    except ValueError:  # a shallower stack than that
        return False
    return frame.f_code in codes
