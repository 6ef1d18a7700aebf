"""Tool calling: which tools a prompt calls, with which arguments, and answers to results."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .synth import STOPWORDS, PromptFacts, proper_nouns, synthesise
from .textutil import alnum, text_of

__all__ = ["ToolCall", "tool_calls", "tool_result_answer"]

_OPERATORS = {
    "add": ("+", "plus", "sum", "add"),
    "sum": ("+", "plus", "sum", "add"),
    "plus": ("+", "plus", "add"),
    "subtract": ("-", "minus", "subtract", "difference"),
    "minus": ("-", "minus", "subtract"),
    "multiply": ("*", "\u00d7", "times", "multipl", "product"),
    "product": ("*", "\u00d7", "times", "multipl", "product"),
    "divide": ("/", "\u00f7", "divid", "quotient"),
}
_GENERIC_NAME_WORDS = frozenset(
    {"get", "set", "tool", "function", "call", "run", "fetch", "do", "make"}
)


@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str


def _fn(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    fn = tool.get("function")
    return fn if isinstance(fn, Mapping) else tool


def _name_words(name: str) -> list[str]:
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    return [w.lower() for w in re.split(r"[_\-\s.]+", spaced) if w]


def _mention(tool: Mapping[str, Any], lower: str) -> tuple[int, int]:
    """``(score, first position)`` of how strongly the prompt mentions a tool by name."""
    name = str(_fn(tool).get("name", ""))
    pos = lower.find(name.lower()) if name else -1
    if pos >= 0:
        return 10, pos
    best, first = 0, len(lower)
    for word in _name_words(name):
        if len(word) < 3 or word in _GENERIC_NAME_WORDS:
            continue
        found = re.search(rf"\b{re.escape(word[:-1] if len(word) > 4 else word)}", lower)
        if found:
            best, first = best + 3, min(first, found.start())
        for hint in _OPERATORS.get(word, ()):
            at = lower.find(hint)
            if at >= 0:
                best, first = best + 3, min(first, at)
                break
    return best, first


def _description_score(tool: Mapping[str, Any], words: set[str]) -> int:
    desc = str(_fn(tool).get("description") or "").lower()
    mine = {w for w in re.findall(r"[a-z]{4,}", desc) if w not in STOPWORDS}
    return min(3, len(mine & words))


def tool_calls(
    tools: list[Mapping[str, Any]],
    tool_choice: Any,
    question: str,
    messages: list[Any],
    parallel: Any,
) -> list[ToolCall]:
    lower = question.lower()
    words = set(re.findall(r"[a-z]{4,}", lower))
    forced = None
    if isinstance(tool_choice, Mapping):
        forced = _fn(tool_choice).get("name") or tool_choice.get("name")
    elif isinstance(tool_choice, str) and tool_choice not in ("auto", "required", "any", "none"):
        forced = tool_choice
    by_name = {str(_fn(t).get("name")): t for t in tools}
    chosen: list[Mapping[str, Any]]
    if forced and forced in by_name:
        chosen = [by_name[forced]]
    else:
        mentions = [(_mention(t, lower), i, t) for i, t in enumerate(tools)]
        named = sorted((m for m in mentions if m[0][0] >= 3), key=lambda m: (m[0][1], m[1]))
        if len(named) >= 2 and parallel is not False:
            chosen = [t for _, _, t in named]
        elif named:
            chosen = [max(named, key=lambda m: (m[0][0], -m[1]))[2]]
        else:
            scored = [(_description_score(t, words), -i, t) for i, t in enumerate(tools)]
            chosen = [max(scored, key=lambda s: (s[0], s[1]))[2]]
    seed = json.dumps(messages, sort_keys=True, default=str)
    calls: list[ToolCall] = []
    facts = PromptFacts(question)
    if len(chosen) == 1 and parallel is not False:
        group = _entity_group(question)
        params = _fn(chosen[0]).get("parameters") or {}
        if len(group) >= 2 and not facts.quoted and _has_string_param(params):
            for entity in group[:5]:
                one = PromptFacts(question)
                one.entities, one.places = [entity], {entity}
                calls.append(_make_call(chosen[0], one, seed, len(calls)))
            return calls
    for tool in chosen:
        calls.append(_make_call(tool, facts, seed, len(calls)))
    return calls


def _make_call(tool: Mapping[str, Any], facts: PromptFacts, seed: str, index: int) -> ToolCall:
    fn = _fn(tool)
    schema = fn.get("parameters") or {"type": "object", "properties": {}}
    args = synthesise(schema, facts, all_properties=False)
    if not isinstance(args, dict):
        args = {}
    return ToolCall(
        id="call_" + alnum(24, seed, index),
        name=str(fn.get("name", "tool")),
        arguments=json.dumps(args, ensure_ascii=False),
    )


def _has_string_param(schema: Mapping[str, Any]) -> bool:
    props = schema.get("properties") or {}
    return any(
        isinstance(p, Mapping) and p.get("type") == "string" and "enum" not in p
        for p in props.values()
    )


def _entity_group(question: str) -> list[str]:
    """Names listed together ("Paris and London", "Tokyo, Paris or Rome")."""
    names = proper_nouns(question)
    if len(names) < 2:
        return []
    pattern = r"\s*(?:,\s*(?:and|or)?|\band\b|\bor\b|&|\bvs\.?|\bversus\b)\s*"
    for i in range(len(names) - 1):
        between = question.split(names[i], 1)[-1].split(names[i + 1], 1)[0]
        if not re.fullmatch(pattern, between):
            return []
    return names


def tool_result_answer(convo: Sequence[Mapping[str, Any]]) -> str:
    names: dict[str, str] = {}
    results: list[tuple[str, str]] = []
    for msg in convo:
        if msg.get("role") == "assistant":
            results = []
            for call in msg.get("tool_calls") or []:
                if isinstance(call, Mapping):
                    names[str(call.get("id"))] = str(_fn(call).get("name", "tool"))
        elif msg.get("role") == "tool":
            name = str(msg.get("name") or names.get(str(msg.get("tool_call_id")), "tool"))
            results.append((name, text_of(msg.get("content")).strip()))
    if not results:
        return "The tool returned no result."
    if len(results) == 1:
        name, content = results[0]
        return f"Based on the {name} tool, the result is {content}."
    joined = "; ".join(f"{name}: {content}" for name, content in results)
    return f"Here are the tool results: {joined}."
