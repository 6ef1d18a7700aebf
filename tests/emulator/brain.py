"""Deterministic scripted responder for ``POST /chat/completions``.

:func:`respond` decides *what* the model says (text, tool calls, structured output,
reasoning, finish reason, token counts); :mod:`tests.emulator.wire` turns a
:class:`Reply` into OpenRouter's JSON and SSE shapes.
"""

from __future__ import annotations

import json
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import digest, supports
from .synth import STOPWORDS, PromptFacts, synthesise
from .textutil import alnum, attachments, split_tokens, text_of, tokens
from .tools import ToolCall, tool_calls, tool_result_answer

__all__ = [
    "PromptCache",
    "Reply",
    "ToolCall",
    "alnum",
    "prompt_tokens",
    "respond",
    "split_tokens",
    "text_of",
    "tokens",
]

_OPS = r"\+|-|\*|/|x|\u00d7|\u00f7|plus|minus|times|multiplied by|divided by"
_ARITH = re.compile(rf"(-?\d+(?:\.\d+)?)\s*({_OPS})\s*(-?\d+(?:\.\d+)?)")
_ECHO = re.compile(
    r"\b(?:say|reply with|respond with|answer with|repeat|output|print|return)\b"
    r"[^'\"\u201c]{0,30}['\"\u201c]([^'\"\u201d]+)['\"\u201d]",
    re.IGNORECASE,
)
_BARE_ECHO = re.compile(
    r"^(?:say|reply with|respond with)\s+(?:exactly\s+|only\s+|just\s+)?(?:the word\s+)?"
    r"([\w-]+)[.!]?$"
)
_CAPITALS = {
    "france": "Paris",
    "germany": "Berlin",
    "italy": "Rome",
    "spain": "Madrid",
    "japan": "Tokyo",
    "united kingdom": "London",
    "england": "London",
    "the uk": "London",
    "canada": "Ottawa",
    "australia": "Canberra",
    "china": "Beijing",
    "india": "New Delhi",
    "brazil": "Brasília",
    "united states": "Washington, D.C.",
    "usa": "Washington, D.C.",
}
_LOREM = str.split(
    "the quick brown fox jumps over lazy dogs while streaming tokens arrive in order and "
    "every chunk carries one small word for the benchmark"
)


@dataclass
class Reply:
    content: str
    finish_reason: str = "stop"
    tool_calls: list[ToolCall] = field(default_factory=list)
    reasoning: str | None = None
    reasoning_hidden: bool = False
    pieces: list[str] = field(default_factory=list)
    annotations: list[dict[str, Any]] | None = None
    want_image: bool = False
    prompt_tokens: int = 1
    completion_tokens: int = 1
    reasoning_tokens: int = 0
    cached_tokens: int = 0
    cache_write_tokens: int = 0
    usage: dict[str, Any] | None = None


class PromptCache:
    """Remembers prompt prefixes so a repeated prefix reports ``cached_tokens``."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def account(
        self, model_id: str, body: Mapping[str, Any], messages: Sequence[Any]
    ) -> tuple[int, int]:
        """``(cached_tokens, cache_write_tokens)`` for this request."""
        marked = -1
        for i, msg in enumerate(messages):
            if isinstance(msg, Mapping) and _has_cache_marker(msg):
                marked = i
        if marked < 0 and body.get("cache_control") and messages:
            marked = len(messages) - 1
        explicit = marked >= 0
        if not explicit:
            if model_id.split("/")[0] not in ("openai", "deepseek", "google") or len(messages) < 2:
                return 0, 0
            marked = len(messages) - 2
        prefix = list(messages[: marked + 1])
        size = prompt_tokens(prefix)
        if not explicit and size < 1024:
            return 0, 0
        key = digest(model_id, json.dumps(prefix, sort_keys=True, default=str))
        with self._lock:
            if key in self._seen:
                return size, 0
            self._seen.add(key)
        return 0, (size if explicit else 0)


def _has_cache_marker(msg: Mapping[str, Any]) -> bool:
    if msg.get("cache_control"):
        return True
    content = msg.get("content")
    return isinstance(content, list) and any(
        isinstance(p, Mapping) and p.get("cache_control") for p in content
    )


def prompt_tokens(messages: Sequence[Any], tools: Any = None) -> int:
    chars = 0
    extra = 0
    for msg in messages:
        if not isinstance(msg, Mapping):
            continue
        content = msg.get("content")
        if isinstance(content, str):
            chars += len(content)
        else:
            chars += len(text_of(content))
            kinds = attachments(content)
            extra += 85 * kinds["image"] + 250 * kinds["file"]
            extra += 100 * (kinds["audio"] + kinds["video"])
        if msg.get("tool_calls"):
            chars += len(json.dumps(msg["tool_calls"], ensure_ascii=False))
        extra += 4
    if tools:
        chars += len(json.dumps(tools, ensure_ascii=False))
    return max(1, (chars + 3) // 4 + extra)


def respond(
    body: Mapping[str, Any],
    model_id: str,
    model: Mapping[str, Any],
    *,
    chunks: int | None = None,
    cache: PromptCache | None = None,
    prompt_size: int | None = None,
) -> Reply:
    """Decide the reply to a chat request for ``model_id`` (already resolved)."""
    messages: list[Any] = list(body.get("messages") or [])
    if not messages and isinstance(body.get("prompt"), str):
        messages = [{"role": "user", "content": body["prompt"]}]
    convo = [
        m
        for m in messages
        if isinstance(m, Mapping) and m.get("role") not in ("system", "developer")
    ]
    last = convo[-1] if convo else {"role": "user", "content": ""}
    question = (
        text_of(last.get("content")) if last.get("role") == "user" else _last_user_text(convo)
    )
    tools = [
        t
        for t in body.get("tools") or []
        if isinstance(t, Mapping) and t.get("type", "function") == "function"
    ]
    tool_choice = body.get("tool_choice")
    reply = Reply(content="")

    if chunks is not None:
        words = [_LOREM[i % len(_LOREM)] for i in range(max(0, chunks))]
        reply.pieces = [w if i == 0 else " " + w for i, w in enumerate(words)]
        reply.content = "".join(reply.pieces)
    elif tools and last.get("role") == "user" and tool_choice != "none":
        reply.tool_calls = tool_calls(
            tools, tool_choice, question, messages, body.get("parallel_tool_calls")
        )
        reply.finish_reason = "tool_calls"
    elif last.get("role") == "tool":
        reply.content = tool_result_answer(convo)
    else:
        asked = last if last.get("role") == "user" else {"role": "user", "content": question}
        reply.content = answer(convo, asked)

    if not reply.tool_calls and chunks is None:
        reply.content = _apply_format(body.get("response_format"), question, reply.content)

    reasoning_on = _reasoning_enabled(body, model_id, model)
    if reasoning_on:
        reply.reasoning = _reasoning_text(question, reply, body)
        reply.reasoning_hidden = bool((body.get("reasoning") or {}).get("exclude"))
        reply.reasoning_tokens = tokens(reply.reasoning)

    if not reply.tool_calls and chunks is None:
        _apply_stop(reply, body.get("stop"))
        _apply_max_tokens(reply, body.get("max_completion_tokens") or body.get("max_tokens"))
    if not reply.pieces:
        reply.pieces = split_tokens(reply.content)

    if wants_web(body, model_id) and reply.content:
        reply.annotations = citations(PromptFacts(question).topic, len(reply.content))
    out_modalities = (model.get("architecture") or {}).get("output_modalities") or []
    reply.want_image = "image" in (body.get("modalities") or []) and "image" in out_modalities

    if prompt_size is None:
        prompt_size = prompt_tokens(messages, body.get("tools"))
    reply.prompt_tokens = prompt_size
    args_text = "".join(c.name + c.arguments for c in reply.tool_calls)
    visible = tokens(reply.content) if reply.content else 0
    reply.completion_tokens = max(
        1, visible + (tokens(args_text) if args_text else 0) + reply.reasoning_tokens
    )
    if cache is not None:
        cached, written = cache.account(model_id, body, messages)
        reply.cached_tokens = min(cached, reply.prompt_tokens)
        reply.cache_write_tokens = min(written, reply.prompt_tokens - reply.cached_tokens)
    return reply


def wants_web(body: Mapping[str, Any], model_id: str) -> bool:
    """The web plugin is on: ``plugins: [{"id": "web"}]``, a ``:online`` model or the
    ``openrouter:web_search`` server tool."""
    plugins = body.get("plugins") or []
    tools = body.get("tools") or []
    return (
        model_id.endswith(":online")
        or any(isinstance(p, Mapping) and p.get("id") == "web" for p in plugins)
        or any(isinstance(t, Mapping) and t.get("type") == "openrouter:web_search" for t in tools)
    )


def citations(topic: str, length: int) -> list[dict[str, Any]]:
    """The ``url_citation`` annotations of a web-searched answer (as the web plugin
    sends them: url, title, the page's text, and where the answer cites it)."""
    slug = "_".join(w.capitalize() for w in topic.split()) or "OpenRouter"
    pages = [
        (f"https://en.wikipedia.org/wiki/{slug}", f"{topic.title()} - Wikipedia", 0, length),
        (f"https://www.britannica.com/topic/{slug.lower()}", f"{topic.title()} | Britannica", 0, 0),
    ]
    return [
        {
            "type": "url_citation",
            "url_citation": {
                "url": url,
                "title": title,
                "start_index": start,
                "end_index": end,
                "content": f"{topic.title()}: an overview of what it is and why it matters.",
            },
        }
        for url, title, start, end in pages
    ]


# -- plain answers -----------------------------------------------------------------------
def answer(convo: Sequence[Mapping[str, Any]], last: Mapping[str, Any]) -> str:
    """A short, deterministic, sensible answer to the last user message."""
    question = text_of(last.get("content")).strip()
    lower = question.lower()
    kinds = attachments(last.get("content"))
    prefix = _attachment_note(kinds)
    if prefix and (
        not question or re.search(r"\b(image|picture|photo|document|pdf|file|audio|video)", lower)
    ):
        return prefix
    grounded = _context_answer(question)
    text = grounded if grounded is not None else _fact_answer(question, lower, convo)
    if "one word" in lower or "single word" in lower:
        text = _one_word(text)
    return (prefix + " " + text).strip() if prefix else text


_RAG_PROMPT = re.compile(
    r"context information is below.*?-{3,}\n(?P<context>.*?)\n-{3,}.*?query:\s*(?P<query>.+?)"
    r"\s*(?:\nanswer:|$)",
    re.IGNORECASE | re.DOTALL,
)


def _context_answer(question: str) -> str | None:
    """Retrieval-augmented prompts (LlamaIndex's "Context information is below ...
    Query: ... Answer:" template): answer with the context sentence sharing the most
    words with the query, as a model grounded in the context would."""
    found = _RAG_PROMPT.search(question)
    if found is None:
        return None
    wanted = {w for w in re.findall(r"[a-z0-9]+", found["query"].lower()) if w not in STOPWORDS}
    best, best_score = "", 0
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", found["context"]):
        words = set(re.findall(r"[a-z0-9]+", sentence.lower()))
        score = len(wanted & words)
        if score > best_score:
            best, best_score = sentence.strip(), score
    if not best:
        return "The provided information does not say."
    return best if best.endswith((".", "!", "?")) else best + "."


def _one_word(text: str) -> str:
    """The key word of an answer ("The capital of France is Paris." -> "Paris.")."""
    if text.startswith(("Hello", "Hi")):
        return "Hello!"
    fact = re.search(r"(?:\bis|=) ([^.,;]+)\.?$", text)
    if fact:
        return fact.group(1).strip() + "."
    words = [w for w in re.findall(r"[\w\u2019']+", text) if w.lower() not in STOPWORDS]
    return (words[0].capitalize() if words else "Yes") + "."


def _fact_answer(question: str, lower: str, convo: Sequence[Mapping[str, Any]]) -> str:
    if re.search(r"\b(what(?:'s| is) my name|do you (?:know|remember) my name|who am i)\b", lower):
        for msg in convo[:-1]:
            if msg.get("role") == "user":
                found = re.search(
                    r"\b(?i:my name is|i am|i'm)\s+([A-Z][\w-]*)", text_of(msg.get("content"))
                )
                if found:
                    return f"Your name is {found.group(1)}."
        return "You haven't told me your name yet."
    echo = _ECHO.search(question)
    if echo:
        return echo.group(1)
    bare = _BARE_ECHO.match(lower)
    if bare:
        return bare.group(1)
    if "capital" in lower:
        for country, city in _CAPITALS.items():
            if re.search(rf"\b{country}\b", lower):
                return f"The capital of {_title(country)} is {city}."
    arith = _ARITH.search(lower)
    if arith:
        return _arithmetic(*arith.groups())
    if re.match(
        r"^\W*(hello|hi|hey|greetings|good (morning|afternoon|evening)|howdy)\b", lower
    ) or re.search(r"\bsay hello\b", lower):
        return "Hello! How can I help you today?"
    if "how are you" in lower:
        return "I'm doing well, thank you for asking! How can I help you today?"
    if re.search(r"\b(who|what) are you\b|\byour name\b", lower):
        return "I'm an AI assistant served through OpenRouter. How can I help you today?"
    if "joke" in lower:
        setup, punchline = PromptFacts(question).joke()
        return f"{setup} {punchline}"
    count = re.search(r"\bcount (?:from 1 )?(?:up )?to (\d+)", lower)
    if count:
        n = min(int(count.group(1)), 200)
        return ", ".join(str(i) for i in range(1, n + 1)) + "."
    if not question:
        return "How can I help you today?"
    facts = PromptFacts(question)
    short = question if len(question) <= 80 else question[:77].rstrip() + "..."
    subject = facts.entities[0] if facts.entities else facts.topic
    return (
        f'You asked: "{short}". In short, {subject} is best understood by looking at what it is, '
        "how it works and why it matters."
    )


def _attachment_note(kinds: Counter[str]) -> str:
    if not kinds:
        return ""
    notes = {
        "image": "I can see the image you shared; it appears to be a simple picture.",
        "file": "I have read the document you attached.",
        "audio": "I listened to the audio clip you provided.",
        "video": "I watched the video you provided.",
    }
    return " ".join(notes[k] for k in ("image", "file", "audio", "video") if kinds[k])


def _arithmetic(a: str, op: str, b: str) -> str:
    x, y = float(a), float(b)
    symbol = {
        "plus": "+",
        "minus": "-",
        "times": "*",
        "x": "*",
        "\u00d7": "*",
        "multiplied by": "*",
    }.get(op, op)
    symbol = {"divided by": "/", "\u00f7": "/"}.get(symbol, symbol)
    if symbol == "/" and y == 0:
        return f"{a} / {b} is undefined: you cannot divide by zero."
    value = {"+": x + y, "-": x - y, "*": x * y, "/": x / y if y else 0.0}[symbol]
    shown = str(int(value)) if value == int(value) else f"{value:.6g}"
    return f"{a} {symbol} {b} = {shown}."


def _title(country: str) -> str:
    return (
        "the UK"
        if country == "the uk"
        else country.upper()
        if country == "usa"
        else country.title()
    )


def _last_user_text(convo: Sequence[Mapping[str, Any]]) -> str:
    for msg in reversed(convo):
        if msg.get("role") == "user":
            return text_of(msg.get("content"))
    return ""


# -- structured output, reasoning, limits ------------------------------------------------
def _apply_format(response_format: Any, question: str, plain: str) -> str:
    if not isinstance(response_format, Mapping):
        return plain
    kind = response_format.get("type")
    facts = PromptFacts(question, answer=plain)
    if kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        value = synthesise(schema or {"type": "object", "properties": {}}, facts)
        return json.dumps(value, ensure_ascii=False)
    if kind == "json_object":
        keys = facts.quoted if re.search(r"\b(keys?|fields?|properties)\b", facts.lower) else []
        if keys:
            props = {k: {"type": "string"} for k in keys}
            value = synthesise(
                {"type": "object", "properties": props}, PromptFacts(question, answer=plain)
            )
        else:
            value = {"answer": plain}
        return json.dumps(value, ensure_ascii=False)
    return plain


def _reasoning_enabled(body: Mapping[str, Any], model_id: str, model: Mapping[str, Any]) -> bool:
    if model_id.endswith(":thinking"):
        return True
    if not (supports(model, "reasoning") or supports(model, "include_reasoning")):
        return False
    config = body.get("reasoning")
    if isinstance(config, Mapping):
        return config.get("enabled") is not False and config.get("effort") != "none"
    effort = body.get("reasoning_effort")
    return body.get("include_reasoning") is True or (effort is not None and effort != "none")


def _reasoning_text(question: str, reply: Reply, body: Mapping[str, Any]) -> str:
    short = question.strip().replace("\n", " ")
    short = short if len(short) <= 100 else short[:97] + "..."
    lines = [f'The user asks: "{short}".']
    if reply.tool_calls:
        names = ", ".join(c.name for c in reply.tool_calls)
        lines.append(
            f"A tool can answer this, so I will call {names} with the values from the request."
        )
    else:
        lines.append("Let me recall the relevant facts and check them before answering.")
    raw = body.get("reasoning")
    config: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    effort = str(config.get("effort") or body.get("reasoning_effort") or "medium")
    if effort in ("medium", "high", "xhigh"):
        lines.append("I should keep the answer short, accurate and directly responsive.")
    if effort in ("high", "xhigh"):
        lines.append(
            "Double-checking: the answer follows from the facts above, so I can reply now."
        )
    text = " ".join(lines)
    budget = config.get("max_tokens")
    if isinstance(budget, int) and budget > 0:
        text = text[: budget * 4]
    return text


def _apply_stop(reply: Reply, stop: Any) -> None:
    stops = [stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str)]
    cut = min((reply.content.find(s) for s in stops if s and s in reply.content), default=-1)
    if cut >= 0:
        reply.content = reply.content[:cut]


def _apply_max_tokens(reply: Reply, limit: Any) -> None:
    if not isinstance(limit, int) or limit <= 0:
        return
    budget = limit - reply.reasoning_tokens
    if tokens(reply.content) <= budget:
        return
    reply.finish_reason = "length"
    cut = reply.content[: max(0, budget) * 4]
    space = cut.rfind(" ")
    reply.content = cut[:space] if space > 0 else cut
