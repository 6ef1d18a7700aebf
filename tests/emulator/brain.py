"""What the emulated model says: :func:`respond` turns a chat request into a
:class:`Reply` (text, tool calls, structured output, reasoning, web citations, an
image, token counts); :mod:`tests.emulator.wire` renders it as OpenRouter JSON or SSE.

The answers are rules, not a model: a capital for "capital of X", a greeting for a
greeting, the best-matching context sentence for a retrieval prompt, a summary of the
tool results after a tool turn, a joke when asked for one, and otherwise a sentence
that restates the question. Tests check structure and behaviour, so only the few
facts they look for (capitals, tool results quoted back) need to be right.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .catalog import digest, supports
from .synth import STOPWORDS, PromptFacts, synthesise

__all__ = ["PromptCache", "Reply", "ToolCall", "alnum", "prompt_tokens", "respond", "text_of"]

_PIECE = re.compile(r"\s*(?:\w+|[^\w\s])|\s+")
_ECHO = re.compile(
    r"\b(?:say|reply with|respond with|answer with|repeat|output|print|return)\b"
    r"[^'\"\u201c]{0,30}['\"\u201c]([^'\"\u201d]+)['\"\u201d]",
    re.IGNORECASE,
)
_BARE_ECHO = re.compile(
    r"^(?:say|reply with|respond with)\s+(?:exactly\s+|only\s+|just\s+)?(?:the word\s+)?"
    r"([\w-]+)[.!]?$"
)
_GREETING = re.compile(r"^\W*(hello|hi|hey|greetings|good (morning|afternoon|evening)|howdy)\b")
_RAG_PROMPT = re.compile(
    r"context information is below.*?-{3,}\n(?P<context>.*?)\n-{3,}.*?query:\s*(?P<query>.+?)"
    r"\s*(?:\nanswer:|$)",
    re.IGNORECASE | re.DOTALL,
)
_CAPITALS = {
    "france": "Paris",
    "germany": "Berlin",
    "italy": "Rome",
    "spain": "Madrid",
    "japan": "Tokyo",
    "canada": "Ottawa",
}
#: Words of tool names too common to say which tool a prompt means.
_GENERIC_WORDS = frozenset(["get", "set", "tool", "function", "call", "run", "fetch", "make"])
_ATTACHMENT_NOTES = {
    "image": "I can see the image you shared; it appears to be a simple picture.",
    "file": "I have read the document you attached.",
    "audio": "I listened to the audio clip you provided.",
    "video": "I watched the video you provided.",
}
_PART_KINDS = {
    "image_url": "image",
    "image": "image",
    "input_image": "image",
    "file": "file",
    "document": "file",
    "input_file": "file",
    "input_audio": "audio",
    "audio": "audio",
    "video_url": "video",
    "video": "video",
}


# -- text helpers ------------------------------------------------------------------------
def tokens(text: str) -> int:
    """Roughly four characters a token, at least one."""
    return max(1, (len(text) + 3) // 4)


def split_tokens(text: str) -> list[str]:
    """Word-sized pieces that join back to exactly ``text`` (the chunks of a stream)."""
    return _PIECE.findall(text)


def alnum(n: int, *parts: object) -> str:
    """``n`` letters and digits derived from ``parts`` (for ids)."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    data = hashlib.blake2b(raw, digest_size=min(64, (n * 3 + 3) // 4)).digest()
    return base64.b64encode(data).translate(bytes.maketrans(b"+/=", b"xKq"))[:n].decode()


def text_of(content: Any) -> str:
    """The text of a message's content (a string, or the ``text`` of its parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(
            p["text"] for p in content if isinstance(p, Mapping) and isinstance(p.get("text"), str)
        )
    return json.dumps(content, ensure_ascii=False)


def attachments(content: Any) -> Counter[str]:
    """How many image, file, audio and video parts ``content`` has."""
    kinds: Counter[str] = Counter()
    for part in content if isinstance(content, list) else ():
        if isinstance(part, Mapping) and str(part.get("type")) in _PART_KINDS:
            kinds[_PART_KINDS[str(part.get("type"))]] += 1
    return kinds


def prompt_tokens(messages: Sequence[Any], tools: Any = None) -> int:
    """Estimated prompt size: text, attachments, tool calls and tool definitions."""
    chars = extra = 0
    for msg in messages:
        if not isinstance(msg, Mapping):
            continue
        content = msg.get("content")
        chars += len(text_of(content))
        kinds = attachments(content)
        extra += 4 + 85 * kinds["image"] + 250 * kinds["file"]
        extra += 100 * (kinds["audio"] + kinds["video"])
        if msg.get("tool_calls"):
            chars += len(json.dumps(msg["tool_calls"], ensure_ascii=False))
    if tools:
        chars += len(json.dumps(tools, ensure_ascii=False))
    return max(1, (chars + 3) // 4 + extra)


# -- the reply ---------------------------------------------------------------------------
@dataclass
class ToolCall:
    id: str
    name: str
    arguments: str


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
    """Prompt prefixes marked with ``cache_control``: written the first time a model
    sees one, read from the cache after that."""

    def __init__(self) -> None:
        self._seen: set[int] = set()
        self._lock = threading.Lock()

    def account(self, model_id: str, messages: Sequence[Any]) -> tuple[int, int]:
        """``(cached_tokens, cache_write_tokens)`` of a request."""
        marked = [i for i, msg in enumerate(messages) if _cache_marked(msg)]
        if not marked:
            return 0, 0
        prefix = list(messages[: marked[-1] + 1])
        size = prompt_tokens(prefix)
        key = digest(model_id, json.dumps(prefix, sort_keys=True, default=str))
        with self._lock:
            if key in self._seen:
                return size, 0
            self._seen.add(key)
        return 0, size


def _cache_marked(msg: Any) -> bool:
    if not isinstance(msg, Mapping):
        return False
    content = msg.get("content")
    parts = content if isinstance(content, list) else ()
    return bool(msg.get("cache_control")) or any(
        isinstance(p, Mapping) and p.get("cache_control") for p in parts
    )


def respond(
    body: Mapping[str, Any],
    model_id: str,
    model: Mapping[str, Any],
    *,
    cache: PromptCache | None = None,
    prompt_size: int | None = None,
) -> Reply:
    """The reply to a chat request for ``model_id`` (already resolved to ``model``)."""
    messages: list[Any] = list(body.get("messages") or [])
    convo = [
        m
        for m in messages
        if isinstance(m, Mapping) and m.get("role") not in ("system", "developer")
    ]
    last = convo[-1] if convo else {"role": "user", "content": ""}
    question = text_of(
        next((m.get("content") for m in reversed(convo) if m.get("role") == "user"), "")
    )
    tools = [
        t
        for t in body.get("tools") or []
        if isinstance(t, Mapping) and t.get("type", "function") == "function"
    ]
    reply = Reply(content="")
    if tools and last.get("role") == "user" and body.get("tool_choice") != "none":
        parallel = body.get("parallel_tool_calls") is not False
        reply.tool_calls = _tool_calls(tools, body.get("tool_choice"), question, messages, parallel)
        reply.finish_reason = "tool_calls"
    elif last.get("role") == "tool":
        reply.content = _tool_results(convo)
    else:
        reply.content = answer(last if last.get("role") == "user" else {"content": question})
    if not reply.tool_calls:
        reply.content = _formatted(body.get("response_format"), question, reply.content)
        reply.content = _stopped(reply.content, body.get("stop"))
    if _reasoning_on(body, model_id, model):
        reply.reasoning = _reasoning(question, body)
        reply.reasoning_hidden = bool((body.get("reasoning") or {}).get("exclude"))
        reply.reasoning_tokens = tokens(reply.reasoning)
    reply.pieces = split_tokens(reply.content)
    if wants_web(body, model_id) and reply.content:
        reply.annotations = citations(PromptFacts(question).topic, len(reply.content))
    outputs = (model.get("architecture") or {}).get("output_modalities") or []
    reply.want_image = "image" in (body.get("modalities") or []) and "image" in outputs
    reply.prompt_tokens = prompt_size or prompt_tokens(messages, body.get("tools"))
    called = "".join(c.name + c.arguments for c in reply.tool_calls)
    said = (tokens(reply.content) if reply.content else 0) + (tokens(called) if called else 0)
    reply.completion_tokens = max(1, said + reply.reasoning_tokens)
    if cache is not None:
        cached, written = cache.account(model_id, messages)
        reply.cached_tokens = min(cached, reply.prompt_tokens)
        reply.cache_write_tokens = min(written, reply.prompt_tokens - reply.cached_tokens)
    return reply


# -- plain answers -----------------------------------------------------------------------
def answer(last: Mapping[str, Any]) -> str:
    """A short answer to the last user message."""
    question = text_of(last.get("content")).strip()
    lower = question.lower()
    kinds = attachments(last.get("content"))
    note = " ".join(_ATTACHMENT_NOTES[k] for k in _ATTACHMENT_NOTES if kinds[k])
    media = r"\b(image|picture|photo|document|pdf|file|audio|video)"
    if note and (not question or re.search(media, lower)):
        return note
    found = _RAG_PROMPT.search(question)
    text = _from_context(found["context"], found["query"]) if found else _fact(question, lower)
    if "one word" in lower or "single word" in lower:
        key = re.search(r"(?:\bis|=) ([^.,;]+)\.?$", text)
        text = key.group(1).strip() + "." if key else text
    return f"{note} {text}".strip() if note else text


def _from_context(context: str, query: str) -> str:
    """A retrieval prompt ("Context information is below ... Query: ... Answer:"): the
    context sentence sharing the most words with the query."""
    wanted = {w for w in re.findall(r"[a-z0-9]+", query.lower()) if w not in STOPWORDS}
    best, best_score = "The provided information does not say.", 0
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", context):
        score = len(wanted & set(re.findall(r"[a-z0-9]+", sentence.lower())))
        if score > best_score:
            best, best_score = sentence.strip(), score
    return best if best.endswith((".", "!", "?")) else best + "."


def _fact(question: str, lower: str) -> str:
    echo = _ECHO.search(question) or _BARE_ECHO.match(lower)
    if echo:
        return echo.group(1)
    if "capital" in lower:
        for country, city in _CAPITALS.items():
            if re.search(rf"\b{country}\b", lower):
                return f"The capital of {country.title()} is {city}."
    if _GREETING.match(lower) or re.search(r"\bsay hello\b", lower):
        return "Hello! How can I help you today?"
    if "how are you" in lower:
        return "I'm doing well, thank you for asking! How can I help you today?"
    facts = PromptFacts(question)
    if "joke" in lower:
        return " ".join(facts.joke())
    short = question if len(question) <= 80 else question[:77].rstrip() + "..."
    subject = facts.entities[0] if facts.entities else facts.topic
    return (
        f'You asked: "{short}". In short, {subject} is best understood by looking at what it is, '
        "how it works and why it matters."
    )


def _formatted(response_format: Any, question: str, plain: str) -> str:
    """The answer as JSON when a ``response_format`` asks for it."""
    kind = response_format.get("type") if isinstance(response_format, Mapping) else None
    facts = PromptFacts(question, answer=plain)
    if kind == "json_schema":
        spec = response_format.get("json_schema") or {}
        schema = spec.get("schema") if isinstance(spec, Mapping) else None
        value = synthesise(schema or {"type": "object", "properties": {}}, facts)
        return json.dumps(value, ensure_ascii=False)
    if kind == "json_object":
        keys = facts.quoted if re.search(r"\b(keys?|fields?|properties)\b", facts.lower) else []
        schema = {"type": "object", "properties": {k: {"type": "string"} for k in keys}}
        value = synthesise(schema, facts) if keys else {"answer": plain}
        return json.dumps(value, ensure_ascii=False)
    return plain


def _stopped(text: str, stop: Any) -> str:
    stops = [stop] if isinstance(stop, str) else [s for s in stop or [] if isinstance(s, str)]
    cut = min((text.find(s) for s in stops if s and s in text), default=-1)
    return text[:cut] if cut >= 0 else text


# -- tools -------------------------------------------------------------------------------
def _function(tool: Mapping[str, Any]) -> Mapping[str, Any]:
    inner = tool.get("function")
    return inner if isinstance(inner, Mapping) else tool


def _mention(tool: Mapping[str, Any], lower: str) -> tuple[int, int]:
    """``(score, position)``: how strongly, and where first, the prompt names a tool
    (its whole name, or the words of ``get_local_time``-style names)."""
    name = str(_function(tool).get("name", ""))
    if name and name.lower() in lower:
        return 10, lower.find(name.lower())
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name)
    score, first = 0, len(lower)
    for word in (w.lower() for w in re.split(r"[_\-\s.]+", spaced) if w):
        if len(word) < 3 or word in _GENERIC_WORDS:
            continue
        found = re.search(rf"\b{re.escape(word[:-1] if len(word) > 4 else word)}", lower)
        if found:
            score, first = score + 3, min(first, found.start())
    return score, first


def _tool_calls(
    tools: list[Mapping[str, Any]], choice: Any, question: str, messages: list[Any], parallel: bool
) -> list[ToolCall]:
    """The tools a prompt calls: the forced one; else every tool it names, in the order
    named (only the most strongly named one without parallel calls); else the tool
    whose description shares the most words with it."""
    lower = question.lower()
    by_name = {str(_function(t).get("name")): t for t in tools}
    forced = _function(choice).get("name") if isinstance(choice, Mapping) else None
    if forced in by_name:
        chosen = [by_name[str(forced)]]
    else:
        named = sorted(
            ((_mention(t, lower), i, t) for i, t in enumerate(tools) if _mention(t, lower)[0] >= 3),
            key=lambda m: (m[0][1], m[1]),
        )
        if len(named) > 1 and parallel:
            chosen = [t for _, _, t in named]
        elif named:
            chosen = [max(named, key=lambda m: (m[0][0], -m[1]))[2]]
        else:
            words = set(re.findall(r"[a-z]{4,}", lower))

            def overlap(tool: Mapping[str, Any]) -> int:
                text = str(_function(tool).get("description") or "").lower()
                return len(
                    {w for w in re.findall(r"[a-z]{4,}", text) if w not in STOPWORDS} & words
                )

            chosen = [max(tools, key=lambda t: (min(3, overlap(t)), -tools.index(t)))]
    seed = json.dumps(messages, sort_keys=True, default=str)
    facts = PromptFacts(question)
    calls = []
    for index, tool in enumerate(chosen):
        function = _function(tool)
        schema = function.get("parameters") or {"type": "object", "properties": {}}
        arguments = synthesise(schema, facts, all_properties=False)
        calls.append(
            ToolCall(
                id="call_" + alnum(24, seed, index),
                name=str(function.get("name", "tool")),
                arguments=json.dumps(arguments, ensure_ascii=False),
            )
        )
    return calls


def _tool_results(convo: Sequence[Mapping[str, Any]]) -> str:
    """The answer after a tool turn: the latest results, quoted back."""
    names: dict[str, str] = {}
    results: list[tuple[str, str]] = []
    for msg in convo:
        if msg.get("role") == "assistant":
            results = []
            for call in msg.get("tool_calls") or []:
                names[str(call.get("id"))] = str(_function(call).get("name", "tool"))
        elif msg.get("role") == "tool":
            name = str(msg.get("name") or names.get(str(msg.get("tool_call_id")), "tool"))
            results.append((name, text_of(msg.get("content")).strip()))
    if len(results) == 1:
        name, content = results[0]
        return f"Based on the {name} tool, the result is {content}."
    joined = "; ".join(f"{name}: {content}" for name, content in results)
    return f"Here are the tool results: {joined}."


# -- reasoning and the web ---------------------------------------------------------------
def _reasoning_on(body: Mapping[str, Any], model_id: str, model: Mapping[str, Any]) -> bool:
    if model_id.endswith(":thinking"):
        return True
    if not (supports(model, "reasoning") or supports(model, "include_reasoning")):
        return False
    config = body.get("reasoning")
    if isinstance(config, Mapping):
        return config.get("enabled") is not False and config.get("effort") != "none"
    effort = body.get("reasoning_effort")
    return body.get("include_reasoning") is True or (effort is not None and effort != "none")


def _reasoning(question: str, body: Mapping[str, Any]) -> str:
    short = question.strip().replace("\n", " ")
    short = short if len(short) <= 100 else short[:97] + "..."
    text = f'The user asks: "{short}". '
    text += "Let me recall the relevant facts and check them before answering."
    raw = body.get("reasoning")
    config: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
    effort = str(config.get("effort") or body.get("reasoning_effort") or "medium")
    if effort in ("medium", "high", "xhigh"):
        text += " I should keep the answer short, accurate and directly responsive."
    return text


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
    """The ``url_citation`` annotations of a web-searched answer (url, title, the
    page's text, and the span of the answer that cites it)."""
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
