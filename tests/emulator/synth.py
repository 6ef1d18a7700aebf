"""Synthesise JSON values from a JSON Schema, guided by the words of a prompt.

Used for tool-call arguments and for structured output: numbers mentioned in the
prompt fill number/integer properties in order, quoted strings and proper nouns fill
string properties, enums pick a value the prompt mentions (else the default, else the
first), ``$ref``/``$defs``/``anyOf``/``oneOf``/``allOf`` are followed.
"""

from __future__ import annotations

import hashlib
import re
import uuid
from typing import Any

__all__ = ["PromptFacts", "synthesise"]

_NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?![\w])")
_QUOTED = re.compile(
    r"\"([^\"]+)\"|\u201c([^\u201d]+)\u201d|\u300c([^\u300d]+)\u300d|\u2018([^\u2019]+)\u2019|(?<![\w])'([^']+)'(?![\w])"
)
_PROPER = re.compile(r"[A-Z][\w'\u2019.-]*(?:\s+(?:[A-Z][\w'\u2019.-]*|de|of|la|del|von))*")
_STATE = re.compile(r"^[A-Z]{2}$")
_CONTRACTION = re.compile(r"['\u2019](?:s|re|ll|d|ve|m|t)?$")
_WORD = re.compile(r"[a-z0-9]+")


def _words(text: str) -> list[str]:
    return text.split()


_STOP_CAPS = frozenset(
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
_ALWAYS_FILL = frozenset({"setup", "punchline"})
_ENTITY_LISTS = ("cit", "location", "place", "countr", "name", "people", "person", "compan")
_COLOURS = ("red", "green", "blue", "yellow", "purple", "orange", "black", "white")


class PromptFacts:
    """What the prompt offers for filling values; consumed in order as values are made."""

    def __init__(self, prompt: str, answer: str = "") -> None:
        self.prompt = prompt.strip()
        self.answer = answer
        self.lower = self.prompt.lower()
        self.numbers: list[int | float] = [_num(m) for m in _NUMBER.findall(self.prompt)]
        self.quoted: list[str] = [next(g for g in m if g) for m in _QUOTED.findall(self.prompt)]
        self.entities = proper_nouns(self.prompt)
        self.places = {
            e
            for e in self.entities
            if re.search(rf"\b(?:in|at|from|to|near|of|visit)\s+{re.escape(e)}", self.prompt, re.I)
        }
        self.used: set[str] = set()
        self._n = self._q = 0
        words = _WORD.findall(self.lower)
        self.words = set(words)
        content = [w for w in words if w not in STOPWORDS and not w.isdigit()]
        self.topic = _topic(self.lower) or (content[-1] if content else "that")

    def next_number(self) -> int | float | None:
        if self._n < len(self.numbers):
            self._n += 1
            return self.numbers[self._n - 1]
        return None

    def next_quoted(self) -> str | None:
        if self._q < len(self.quoted):
            self._q += 1
            return self.quoted[self._q - 1]
        return None

    def unused_entities(self) -> list[str]:
        return [e for e in self.entities if e not in self.used]

    def next_entity(self, kind: str | None = None) -> str | None:
        """The next unused name; ``kind`` "place" or "person" says which to prefer."""
        pool = self.unused_entities()
        if not pool:
            return None
        if kind == "place":
            pool = [e for e in pool if e in self.places] or pool
        elif kind == "person":
            pool = [e for e in pool if e not in self.places] or pool
        self.used.add(pool[0])
        return pool[0]

    def mentions(self, word: str) -> bool:
        return word.lower() in self.lower

    def joke(self) -> tuple[str, str]:
        for key, joke in _JOKES.items():
            if key in self.lower:
                return joke
        return _DEFAULT_JOKE


def proper_nouns(text: str) -> list[str]:
    """Capitalised names in ``text`` ("San Francisco, CA", "Paris"), minus sentence openers."""
    found: list[str] = []
    for match in _PROPER.finditer(text):
        words = match.group(0).rstrip(".'\u2019").split()
        while words and _CONTRACTION.sub("", words[0].lower()) in _STOP_CAPS:
            words = words[1:]
        if not words or (len(words) == 1 and text[match.end() : match.end() + 1] == ":"):
            continue
        name = " ".join(words)
        tail = text[match.end() :]
        state = re.match(r",\s*([A-Z]{2})\b", tail)
        if found and _STATE.match(name) and text[: match.start()].rstrip().endswith(","):
            continue
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
    """A value valid against ``schema`` (as far as the common keywords go)."""
    root = root if root is not None else (schema if isinstance(schema, dict) else {})
    schema = _resolve(schema, root)
    if not isinstance(schema, dict) or depth > 12:
        return facts.topic
    if "const" in schema:
        return schema["const"]
    if schema.get("enum"):
        return _pick_enum(schema, facts)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [_resolve(o, root) for o in schema[key]]
            chosen = next((o for o in options if _type(o) != "null"), options[0] if options else {})
            return synthesise(
                chosen, facts, name=name, root=root, all_properties=all_properties, depth=depth + 1
            )
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            part = _resolve(part, root)
            if isinstance(part, dict):
                for k, v in part.items():
                    if k in ("properties", "required") and k in merged:
                        merged[k] = merged[k] + v if k == "required" else {**merged[k], **v}
                    else:
                        merged[k] = v
        rest = {k: v for k, v in schema.items() if k != "allOf"}
        return synthesise(
            {**merged, **rest},
            facts,
            name=name,
            root=root,
            all_properties=all_properties,
            depth=depth + 1,
        )
    kind = _type(schema)
    if kind == "object":
        return _object(schema, facts, root, all_properties, depth)
    if kind == "array":
        return _array(schema, facts, name, root, all_properties, depth)
    if kind in ("integer", "number"):
        return _number(schema, facts, name, kind)
    if kind == "boolean":
        default = schema.get("default")
        return default if isinstance(default, bool) else True
    if kind == "null":
        return None
    return _string(schema, facts, name)


def _object(
    schema: dict[str, Any], facts: PromptFacts, root: dict[str, Any], all_props: bool, depth: int
) -> dict[str, Any]:
    props: dict[str, Any] = schema.get("properties") or {}
    required = set(schema.get("required") or ())
    out: dict[str, Any] = {}
    for key, sub in props.items():
        sub_r = _resolve(sub, root)
        sub_r = sub_r if isinstance(sub_r, dict) else {}
        default = sub_r.get("default")
        wanted = key in required or all_props or key in _ALWAYS_FILL or _named(key, facts)
        if key not in required and default is not None:
            out[key] = default
        elif wanted:
            out[key] = synthesise(
                sub, facts, name=key, root=root, all_properties=all_props, depth=depth + 1
            )
        elif "default" in sub_r:
            out[key] = default
        elif sub_r.get("enum") and any(facts.mentions(str(e)) for e in sub_r["enum"]):
            out[key] = _pick_enum(sub_r, facts)
    extra = schema.get("additionalProperties")
    if not props and isinstance(extra, dict) and extra:
        out["key"] = synthesise(
            extra, facts, name="value", root=root, all_properties=all_props, depth=depth + 1
        )
    return out


def _named(key: str, facts: PromptFacts) -> bool:
    """Whether the prompt mentions a property by (a word of) its name."""
    return any(len(w) > 2 and w in facts.words for w in re.split(r"[_\W]+", key.lower()))


def _array(
    schema: dict[str, Any],
    facts: PromptFacts,
    name: str,
    root: dict[str, Any],
    all_props: bool,
    depth: int,
) -> list[Any]:
    items = _resolve(schema.get("items") or {}, root)
    low = max(1, int(schema.get("minItems") or 0))
    high = int(schema.get("maxItems") or max(low, 10))
    listy = any(k in name.lower() for k in _ENTITY_LISTS)
    if isinstance(items, dict) and _type(items) == "string" and "enum" not in items and listy:
        pool = facts.quoted[facts._q :] or facts.unused_entities()
        if len(pool) >= 2:
            values = pool[: max(low, min(high, len(pool)))]
            return values + [f"{name or 'item'} {i + 1}" for i in range(len(values), low)]
    singular = name[:-1] if name.endswith("s") else name
    return [
        synthesise(
            items, facts, name=singular, root=root, all_properties=all_props, depth=depth + 1
        )
        for _ in range(low)
    ]


def _number(schema: dict[str, Any], facts: PromptFacts, name: str, kind: str) -> int | float:
    value: float | int | None = facts.next_number()
    if value is None:
        default = schema.get("default")
        if isinstance(default, (int, float)) and not isinstance(default, bool):
            value = default
        else:
            value = _number_guess(name.lower())
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    if isinstance(low, (int, float)) and value < low:
        value = low + (1 if "exclusiveMinimum" in schema and "minimum" not in schema else 0)
    if isinstance(high, (int, float)) and value > high:
        value = high - (1 if "exclusiveMaximum" in schema and "maximum" not in schema else 0)
    if kind == "integer":
        return round(value)
    return value


def _number_guess(name: str) -> int | float:
    guesses: dict[str, int | float] = {
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
    return next((v for k, v in guesses.items() if k in name), 1)


def _string(schema: dict[str, Any], facts: PromptFacts, name: str) -> str:
    low = name.lower()
    fmt = schema.get("format")
    value: str | None
    if fmt == "email" or "email" in low:
        value = "jane.doe@example.com"
    elif fmt in ("uri", "url") or low in ("url", "uri", "link", "website"):
        value = "https://example.com"
    elif fmt == "date" or low.endswith("date"):
        value = "2024-05-01"
    elif fmt == "date-time" or low.endswith(("_at", "time", "timestamp")):
        value = "2024-05-01T12:00:00Z"
    elif fmt == "uuid" or low in ("uuid", "guid"):
        value = str(uuid.UUID(bytes=hashlib.md5(facts.prompt.encode()).digest()))
    else:
        value = _string_by_name(low, facts)
    min_len = int(schema.get("minLength") or 0)
    max_len = schema.get("maxLength")
    if len(value) < min_len:
        value = value + "." * (min_len - len(value))
    if isinstance(max_len, int) and len(value) > max_len:
        value = value[:max_len]
    return value


_PLACE_KEYS = _words("city location place country address destination origin region")
_PERSON_KEYS = _words("name person customer user author company title")
_STYLE_KEYS = _words("style tone mood language persona voice")
_ANSWER_KEYS = _words("answer response reply result output")
_PROSE_KEYS = _words("description summary explanation reason detail note comment body")
_TEXT_KEYS = _words("query question prompt text input content message search topic keyword tag")


def _has(low: str, keys: list[str]) -> bool:
    return any(k in low for k in keys)


def _string_by_name(low: str, facts: PromptFacts) -> str:
    if "setup" in low or (low == "question" and "joke" in facts.lower):
        return facts.joke()[0]
    if "punchline" in low:
        return facts.joke()[1]
    if low == "joke":
        return " ".join(facts.joke())
    if "zip" in low or "postal" in low:
        return "10115"
    if "phone" in low:
        return "+1-555-0100"
    if _has(low, _PLACE_KEYS):
        return facts.next_quoted() or facts.next_entity("place") or "Paris"
    if _has(low, _PERSON_KEYS):
        fallback = "Alice" if "name" in low else facts.topic.title()
        return facts.next_quoted() or facts.next_entity("person") or fallback
    if _has(low, _STYLE_KEYS):
        return facts.next_quoted() or facts.next_entity() or "friendly"
    if "unit" in low:
        return "fahrenheit" if "fahrenheit" in facts.lower else "celsius"
    if "colo" in low:
        return next((c for c in _COLOURS if c in facts.words), "blue")
    if _has(low, _ANSWER_KEYS):
        return facts.answer or f"Here is an answer about {facts.topic}."
    if _has(low, _PROSE_KEYS):
        return _describe(facts)
    if _has(low, _TEXT_KEYS):
        if low.startswith(("topic", "keyword", "tag")):
            return facts.topic
        return facts.next_quoted() or facts.prompt or facts.topic
    if _has(low, _words("sentiment category label kind type status")):
        return "positive" if "sentiment" in low else facts.topic
    return facts.next_quoted() or facts.next_entity() or facts.topic


def _describe(facts: PromptFacts) -> str:
    text = facts.prompt
    for quoted in facts.quoted:
        text = text.replace(f"'{quoted}'", "").replace(f'"{quoted}"', "")
    tail = text.split(" - ", 1)[1] if " - " in text else text
    tail = re.sub(r"\s+", " ", tail).strip(" .")
    return tail[:1].upper() + tail[1:] if tail else f"About {facts.topic}"


def _topic(lower: str) -> str | None:
    match = re.search(r"\b(?:about|on|regarding|of|for)\s+((?:[\w'\u2019-]+\s?){1,3})", lower)
    if not match:
        return None
    words = [w for w in _WORD.findall(match.group(1)) if w not in STOPWORDS]
    return " ".join(words[:2]) or None


def _pick_enum(schema: dict[str, Any], facts: PromptFacts) -> Any:
    values = list(schema["enum"])
    for value in values:
        if (
            isinstance(value, str)
            and value
            and re.search(rf"\b{re.escape(value.lower())}\b", facts.lower)
        ):
            return value
    if schema.get("default") in values:
        return schema["default"]
    return values[0]


def _resolve(schema: Any, root: dict[str, Any]) -> Any:
    seen = 0
    while isinstance(schema, dict) and "$ref" in schema and seen < 32:
        ref = str(schema["$ref"])
        target: Any = root
        if ref.startswith("#"):
            for part in [p for p in ref[1:].split("/") if p]:
                target = (
                    target.get(part.replace("~1", "/").replace("~0", "~"), {})
                    if isinstance(target, dict)
                    else {}
                )
        else:
            target = {}
        extra = {k: v for k, v in schema.items() if k != "$ref"}
        schema = {**target, **extra} if isinstance(target, dict) else target
        seen += 1
    return schema


def _type(schema: Any) -> str:
    if not isinstance(schema, dict):
        return "string"
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind:
        return str(kind)
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    return "string"


def _num(text: str) -> int | float:
    return float(text) if "." in text else int(text)
