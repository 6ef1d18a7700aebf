"""Constructor keywords of ``ChatOpenRouter``: unknown ones, doubled ones, units.

LangChain's convention (``ChatOpenAI`` follows it, and so does the official
``langchain-openrouter``): a keyword that is not a field is moved into
``model_kwargs`` with a warning, so it is sent to the API rather than dropped; a
keyword given both directly and in ``model_kwargs`` is an error, and so is a field
passed inside ``model_kwargs``. The warning here also names the closest field, so a
misspelt ``temprature=0`` or ``fallback_model=[...]`` is noticed at once.
"""

from __future__ import annotations

import difflib
import warnings
from collections.abc import Mapping
from typing import Any

from pydantic import AliasChoices
from pydantic.fields import FieldInfo

__all__ = [
    "OFFICIAL_FIELDS",
    "known_names",
    "move_unknown_to_model_kwargs",
    "timeout_seconds",
    "warn_short_timeout",
]


#: The constructor names of the official ``langchain-openrouter`` (fields and
#: aliases). Only these are refused inside ``model_kwargs``: this package's extra
#: request fields (``top_k``, ``min_p``...) are request parameters, and code written for
#: the official package passes them through ``model_kwargs``.
OFFICIAL_FIELDS = frozenset(
    {
        "model_name", "model", "openrouter_api_key", "api_key", "openrouter_api_base",
        "base_url", "app_url", "app_title", "app_categories", "request_timeout", "timeout",
        "max_retries", "temperature", "max_tokens", "max_completion_tokens", "top_p",
        "frequency_penalty", "presence_penalty", "seed", "stop", "stop_sequences", "n",
        "streaming", "stream_usage", "reasoning", "openrouter_provider", "route", "plugins",
        "default_headers", "session_id", "trace",
    }
)  # fmt: skip


def known_names(fields: Mapping[str, FieldInfo]) -> set[str]:
    """Every keyword that sets a field: names, aliases and alias choices."""
    names = set(fields)
    for field in fields.values():
        if field.alias:
            names.add(field.alias)
        choices = field.validation_alias
        if isinstance(choices, AliasChoices):
            names.update(c for c in choices.choices if isinstance(c, str))
        elif isinstance(choices, str):
            names.add(choices)
    return names


def move_unknown_to_model_kwargs(
    values: dict[str, Any], known: set[str], framework: set[str]
) -> dict[str, Any]:
    """Apply LangChain's convention to constructor keywords (see the module docs).

    ``framework`` names LangChain's own fields (``metadata``, ``tags``...): inside
    ``model_kwargs`` they mean the request parameter of that name (OpenRouter's
    ``metadata``), so they are not refused there."""
    extra = dict(values.get("model_kwargs") or {})
    for name in list(values):
        if name == "model_kwargs":
            continue
        if name in extra:
            raise ValueError(f"Found {name} supplied twice.")
        if name in known:
            continue
        hint = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.75)
        did_you_mean = f" Did you mean {hint[0]!r}?" if hint else ""
        warnings.warn(
            f"WARNING! {name} is not default parameter. {name} was transferred to "
            f"model_kwargs: it is sent to OpenRouter as a request parameter.{did_you_mean}",
            UserWarning,
            stacklevel=5,
        )
        extra[name] = values.pop(name)
    misplaced = ((known - framework) & OFFICIAL_FIELDS).intersection(extra)
    if misplaced:
        raise ValueError(
            f"Parameters {misplaced} should be specified explicitly. Instead they were "
            "passed in as part of `model_kwargs` parameter."
        )
    values["model_kwargs"] = extra
    return values


def timeout_seconds(milliseconds: float | None) -> float | None:
    """``request_timeout`` is in milliseconds, as the official ``langchain-openrouter``
    reads it; the client wants seconds."""
    return None if milliseconds is None else milliseconds / 1000


def warn_short_timeout(milliseconds: float | None) -> None:
    """A timeout under a second is most likely seconds meant as milliseconds."""
    if milliseconds is not None and milliseconds < 1000:
        warnings.warn(
            f"request_timeout={milliseconds} is read in milliseconds (as langchain-openrouter "
            f"does): {milliseconds / 1000:g} s. Pass e.g. timeout=60_000 for a minute.",
            UserWarning,
            stacklevel=4,
        )
