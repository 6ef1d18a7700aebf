"""JSON values made from a JSON Schema, filled from the words of the prompt.

Tool-call arguments and structured output both come from here: numbers the prompt
mentions fill numeric properties in order, quoted strings and capitalised names fill
string properties (a place for ``city``-like names, a person for ``name``-like ones),
``setup`` / ``punchline`` get a joke, descriptions echo the request. Objects, arrays,
enums, ``const``, ``anyOf`` / ``oneOf`` and local ``$ref`` are followed, so the value
is valid for the common schemas; nothing cleverer is attempted.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["STOPWORDS", "PromptFacts", "synthesise"]

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_QUOTED = re.compile(
    r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u300c([^\u300d]+)\u300d|\u2018([^\u2019]+)\u2019"
    r"|(?<![\w])'([^']+)'(?![\w])"
)
_PROPER = re.compile(r"[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|de|of|la|del|von))*")
_STATE = re.compile(r"^[A-Z]{2}$")
_CONTRACTION = re.compile(r"['\u2019](?:s|re|ll|d|ve|m|t)?$")
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return text.split()


#: Capitalised words that open a sentence rather than name something.
_NOT_NAMES = frozenset(
    _words(
        "a an and are as at be can could compare call check create describe did do does "
        "explain find for from generate get give hello hey hi how i if in is it let list look "
        "make me my no not of on please provide return say search send show so tell thanks "
        "the then this to translate use using what when where which who why will with would "
        "write yes you your ok okay sure given now also summarize find answer reply respond"
    )
)
STOPWORDS = frozenset(
    _words(
        "a about an and any are as at be by can could do does for from get give has have how "
        "i in into is it its me my of on or please show tell that the their them then there "
        "these this to tool use using was what when where which who why will with would you "
        "your value values given return returns input inputs output function"
    )
)
_JOKES = {
    "cat": ("Why did the cat sit on the computer?", "To keep an eye on the mouse!"),
    "dog": ("Why did the dog sit in the shade?", "Because he didn't want to be a hot dog!"),
    "program": ("Why do programmers prefer dark mode?", "Because light attracts bugs!"),
    "python": ("Why did the Python developer need glasses?", "Because they couldn't C#!"),
}
_DEFAULT_JOKE = ("Why did the scarecrow win an award?", "Because he was outstanding in his field!")
_NUMBER_GUESSES: dict[str, int | float] = {
    "age": 30,
    "year": 2024,
    "confidence": 0.9,
    "score": 8,
    "rating": 4,
    "temperature": 21,
    "price": 9.99,
    "percent": 50,
    "count": 3,
    "quantity": 2,
    "limit": 5,
}
_PLACE_KEYS = _words("city location place country address destination origin region")
_PERSON_KEYS = _words("name person customer user author company title")
_STYLE_KEYS = _words("style tone mood language persona voice")
_PROSE_KEYS = _words("description summary explanation reason detail note comment body")


class PromptFacts:
    """What a prompt offers to fill values with; numbers, quotes and names are used
    up in order as values are made."""

    def __init__(self, prompt: str, answer: str = "") -> None:
        self.prompt = prompt.strip()
        self.answer = answer
        self.lower = self.prompt.lower()
        self.numbers = [float(n) if "." in n else int(n) for n in _NUMBER.findall(self.prompt)]
        self.quoted: list[str] = [next(g for g in m if g) for m in _QUOTED.findall(self.prompt)]
        self.entities = proper_nouns(self.prompt)
        self.places = {
            e
            for e in self.entities
            if re.search(rf"\b(?:in|at|from|to|near|of|visit)\s+{re.escape(e)}", self.prompt, re.I)
        }
        self.used: set[str] = set()
        self._numbers_used = self._quoted_used = 0
        words = _WORD.findall(self.lower)
        self.words = set(words)
        content = [w for w in words if w not in STOPWORDS and not w.isdigit()]
        self.topic = _topic(self.lower) or (content[-1] if content else "that")

    def next_number(self) -> int | float | None:
        if self._numbers_used == len(self.numbers):
            return None
        self._numbers_used += 1
        return self.numbers[self._numbers_used - 1]

    def next_quoted(self) -> str | None:
        if self._quoted_used == len(self.quoted):
            return None
        self._quoted_used += 1
        return self.quoted[self._quoted_used - 1]

    def next_entity(self, place: bool = False) -> str | None:
        """The next unused name (a place first when ``place``)."""
        pool = [e for e in self.entities if e not in self.used]
        if place:
            pool = [e for e in pool if e in self.places] or pool
        if not pool:
            return None
        self.used.add(pool[0])
        return pool[0]

    def joke(self) -> tuple[str, str]:
        return next((j for key, j in _JOKES.items() if key in self.lower), _DEFAULT_JOKE)


def proper_nouns(text: str) -> list[str]:
    """Capitalised names in ``text`` ("San Francisco, CA", "Paris"), without the words
    that merely open a sentence."""
    found: list[str] = []
    for match in _PROPER.finditer(text):
        words = match.group(0).rstrip(".'\u2019").split()
        while words and _CONTRACTION.sub("", words[0].lower()) in _NOT_NAMES:
            words = words[1:]
        if not words or (len(words) == 1 and text[match.end() : match.end() + 1] == ":"):
            continue
        name = " ".join(words)
        if found and _STATE.match(name) and text[: match.start()].rstrip().endswith(","):
            continue  # the state of the previous name, already attached to it
        state = re.match(r",\s*([A-Z]{2})\b", text[match.end() :])
        if state:
            name = f"{name}, {state.group(1)}"
        if name not in found and len(name) > 1:
            found.append(name)
    return found


def synthesise(
    schema: Any,
    facts: PromptFacts,
    *,
    name: str = "",
    root: dict[str, Any] | None = None,
    all_properties: bool = True,
    depth: int = 0,
) -> Any:
    """A value valid against ``schema``; ``all_properties=False`` leaves optional
    properties out (tool arguments), else every property is filled."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 12:
        return facts.topic

    def inner(sub: Any, key: str) -> Any:
        return synthesise(
            sub, facts, name=key, root=root, all_properties=all_properties, depth=depth + 1
        )

    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        values = list(schema["enum"])
        said = (v for v in values if isinstance(v, str) and v and _said(v, facts.lower))
        return next(said, values[0])
    options = schema.get("anyOf") or schema.get("oneOf")
    if options:
        resolved = [_resolve(o, root) for o in options]
        return inner(next((o for o in resolved if _type(o) != "null"), resolved[0]), name)
    kind = _type(schema)
    if kind == "object":
        required = set(schema.get("required") or ())
        return {
            key: inner(sub, key)
            for key, sub in (schema.get("properties") or {}).items()
            if all_properties or key in required or key in ("setup", "punchline")
        }
    if kind == "array":
        count = max(1, int(schema.get("minItems") or 0))
        return [inner(schema.get("items") or {}, name.removesuffix("s")) for _ in range(count)]
    if kind in ("integer", "number"):
        value = facts.next_number()
        if value is None:
            value = next((v for k, v in _NUMBER_GUESSES.items() if k in name.lower()), 1)
        return round(value) if kind == "integer" else value
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _string(name.lower(), facts)


def _string(key: str, facts: PromptFacts) -> str:
    def has(words: list[str]) -> bool:
        return any(w in key for w in words)

    if "setup" in key or (key == "question" and "joke" in facts.lower):
        return facts.joke()[0]
    if "punchline" in key:
        return facts.joke()[1]
    if has(_PLACE_KEYS):
        return facts.next_quoted() or facts.next_entity(place=True) or "Paris"
    if has(_PERSON_KEYS):
        fallback = "Alice" if "name" in key else facts.topic.title()
        return facts.next_quoted() or facts.next_entity() or fallback
    if has(_STYLE_KEYS):
        return facts.next_quoted() or facts.next_entity() or "friendly"
    if has(_PROSE_KEYS):
        return _describe(facts)
    return facts.next_quoted() or facts.next_entity() or facts.topic


def _describe(facts: PromptFacts) -> str:
    """The request itself, tidied: what a description of it would say."""
    text = facts.prompt
    for quoted in facts.quoted:
        text = text.replace(f"'{quoted}'", "").replace(f'"{quoted}"', "")
    tail = text.split(" - ", 1)[1] if " - " in text else text
    tail = re.sub(r"\s+", " ", tail).strip(" .")
    return tail[:1].upper() + tail[1:] if tail else f"About {facts.topic}"


def _said(word: str, lower: str) -> bool:
    return re.search(rf"\b{re.escape(word.lower())}\b", lower) is not None


def _topic(lower: str) -> str | None:
    match = re.search(r"\b(?:about|on|regarding|of|for)\s+((?:[\w'\u2019-]+\s?){1,3})", lower)
    if not match:
        return None
    words = [w for w in _WORD.findall(match.group(1)) if w not in STOPWORDS]
    return " ".join(words[:2]) or None


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    """Follow local ``$ref`` pointers (``#/$defs/Name``)."""
    for _ in range(32):
        if not isinstance(schema, dict) or "$ref" not in schema:
            break
        target: Any = root
        for part in str(schema["$ref"]).lstrip("#").split("/"):
            if part:
                target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _type(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "string"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind:
        return str(kind)
    if "properties" in schema:
        return "object"
    return "array" if "items" in schema else "string"
