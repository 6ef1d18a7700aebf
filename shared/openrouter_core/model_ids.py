"""Model ids: variant suffixes, router aliases and "did you mean" suggestions."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "ROUTER_IDS",
    "VARIANTS",
    "closest_ids",
    "is_router",
    "split_variant",
]

#: Suffixes OpenRouter accepts after any model id (``openai/gpt-4o:nitro``).
VARIANTS: frozenset[str] = frozenset(
    {"free", "nitro", "floor", "online", "thinking", "exacto", "extended"}
)

#: Ids that name a router rather than one model; their capabilities are not known
#: in advance, so capability checks do not apply to them.
ROUTER_IDS: frozenset[str] = frozenset(
    {"openrouter/auto", "openrouter/free", "openrouter/pareto", "openrouter/bodybuilder"}
)


def split_variant(model_id: str) -> tuple[str, str | None]:
    """``"a/b:nitro"`` -> ``("a/b", "nitro")``; unknown suffixes are left in place."""
    base, sep, suffix = model_id.rpartition(":")
    if sep and base and suffix in VARIANTS:
        return base, suffix
    return model_id, None


def is_router(model_id: str) -> bool:
    return model_id in ROUTER_IDS


def closest_ids(model_id: str, known: Iterable[str], limit: int = 5) -> list[str]:
    """The catalog ids most like ``model_id`` (typos, missing vendor prefix, old names)."""
    ids = list(known)
    wanted = model_id.lower().lstrip("~")
    matches = difflib.get_close_matches(wanted, ids, n=limit, cutoff=0.6)
    slug = wanted.split("/")[-1]
    if len(matches) < limit and slug:
        by_slug = {i.split("/")[-1]: i for i in ids}
        for hit in difflib.get_close_matches(slug, list(by_slug), n=limit, cutoff=0.6):
            if by_slug[hit] not in matches:
                matches.append(by_slug[hit])
    if len(matches) < limit and len(slug) >= 3:
        for candidate in ids:
            if slug in candidate and candidate not in matches:
                matches.append(candidate)
                if len(matches) >= limit:
                    break
    return matches[:limit]
