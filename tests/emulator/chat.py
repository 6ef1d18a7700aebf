"""``POST /chat/completions``, and the routing shared with ``/messages`` and
``/responses``: model ids resolved against the catalog, ``models`` fallback past
models whose scripted fault fails before any output, provider preferences, faults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .brain import prompt_tokens, respond
from .catalog import PROVIDERS, Model, provider_for, providers_for
from .faults import (
    ERROR_FAULTS,
    Fault,
    anthropic_error,
    dumps,
    error_payload,
    pre_response,
    transport_faults,
)
from .protocol import Response
from .wire import (
    ChatMeta,
    completion,
    dumps as dumps_text,
    error_chunk,
    generation,
    stream_events,
    usage,
)

if TYPE_CHECKING:
    from .protocol import Request
    from .server import Emulator

__all__ = ["Pick", "candidates", "handle", "pick_model"]

#: Faults that fail a model before any output: ``models`` fallback moves past them.
EARLY_FAULTS = ERROR_FAULTS | {"empty_body", "error_in_200"}


@dataclass
class Pick:
    """The routing decision: the model and provider that serve, and the faults to apply."""

    served: str
    model: Model
    provider: str
    faults: list[Fault]
    prompt_tokens: int


def candidates(model: Any, extra: Any) -> list[str]:
    """``model`` then the other ids of a ``models`` (or ``fallbacks``) list."""
    first = [model] if isinstance(model, str) and model else []
    rest = extra if isinstance(extra, list) else []
    return first + [m for m in rest if isinstance(m, str) and m != model]


def _fail(code: int, message: str, anthropic: bool) -> Response:
    payload = anthropic_error(code, message) if anthropic else error_payload(code, message)
    return Response(code, dumps(payload))


def pick_model(
    emu: Emulator,
    ids: list[str],
    faults: list[Fault],
    body: Mapping[str, Any],
    *,
    stream: bool,
    anthropic: bool = False,
) -> Pick | Response:
    """The model that serves the request (after ``models`` fallback), or the error."""
    resolved: list[tuple[str, str, Model]] = []
    for requested in ids:
        found = emu.catalog.resolve(requested)
        if found is None:
            return _fail(400, f"{requested} is not a valid model ID", anthropic)
        resolved.append((requested, *found))
    if not resolved:
        return _fail(400, "No models provided", anthropic)
    options = {"stream": stream, "anthropic": anthropic, "mid_stream_handled": stream}
    first = resolved[0][1]
    early = pre_response(faults, model=first, provider=provider_for(first), **options)
    if early is not None:
        emu.calls_by_model[resolved[0][0]] += 1
        return transport_faults(faults, early)
    size = prompt_tokens(list(body.get("messages") or []), body.get("tools"))
    for choice in resolved:
        requested, served, entry = choice
        emu.calls_by_model[requested] += 1
        own = emu.take_model_fault(requested, served)
        moves_on = any(f.name in EARLY_FAULTS for f in own) and all(f.lets_fallback for f in own)
        if not moves_on or choice is resolved[-1]:
            break  # this model answers (or fails as scripted): the last one tried
    provider = _provider(served, body)
    early = pre_response(own, model=served, provider=provider, **options)
    if early is not None:
        return transport_faults(faults + own, early)
    return Pick(served, entry, provider, faults + own, size)


def _provider(served: str, body: Mapping[str, Any]) -> str:
    """The provider that serves, after the ``provider`` preferences (``only``,
    ``ignore``, ``order``)."""
    names = providers_for(served)
    raw = body.get("provider")
    prefs: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}

    def slugs(name: str) -> set[str]:
        return {name.lower(), PROVIDERS.get(name, (name.lower(),))[0]}

    def listed(key: str) -> set[str]:
        values = prefs.get(key)
        return {str(v).lower().split("/")[0] for v in values} if isinstance(values, list) else set()

    only, ignore = listed("only"), listed("ignore")
    allowed = [n for n in names if (not only or slugs(n) & only) and not slugs(n) & ignore]
    for choice in prefs.get("order") or ():
        for name in allowed:
            if str(choice).lower().split("/")[0] in slugs(name):
                return name
    return (allowed or list(names))[0]


def answer_chat(
    emu: Emulator,
    chat: Mapping[str, Any],
    ids: list[str],
    faults: list[Fault],
    *,
    stream: bool,
    anthropic: bool = False,
) -> tuple[Pick, ChatMeta, Any] | Response:
    """Pick the serving model (or the error), stamp a generation and answer ``chat``:
    what every chat-like endpoint (chat, ``/responses``, ``/messages``) starts with."""
    picked = pick_model(emu, ids, faults, chat, stream=stream, anthropic=anthropic)
    if isinstance(picked, Response):
        return picked
    now = emu.clock()
    meta = ChatMeta(
        emu.new_generation_id(now), picked.provider, picked.served, int(now), picked.model
    )
    reply = respond(
        chat, picked.served, picked.model, cache=emu.prompt_cache, prompt_size=picked.prompt_tokens
    )
    return picked, meta, reply


def handle(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = req.json
    if not isinstance(body, dict) or not body.get("messages"):
        return Response(400, dumps(error_payload(400, "messages: Required")))
    stream = bool(body.get("stream"))
    ids = candidates(body.get("model"), body.get("models"))
    answered = answer_chat(emu, body, ids, faults, stream=stream)
    if isinstance(answered, Response):
        return answered
    picked, meta, reply = answered
    broken = next((f for f in picked.faults if f.name == "mid_stream_error"), None)
    headers = [("X-Generation-Id", meta.gen_id)]
    if stream:
        events = stream_events(reply, meta)
        if broken is not None:
            events = _cut(events, broken, meta)
        response = Response(200, content_type="text/event-stream", headers=headers, events=events)
    else:
        response = Response(200, dumps_text(completion(reply, meta)).encode(), headers=headers)
    emu.record_generation(
        meta.gen_id,
        usage(reply, meta.model)["cost"],
        lambda: generation(
            meta, reply, streamed=stream, body=body, finish="error" if broken else None
        ),
    )
    return transport_faults(picked.faults, response)


def _cut(events: list[bytes], fault: Fault, meta: ChatMeta) -> list[bytes]:
    """The stream cut after ``fault.after`` data events by an in-band error event."""
    error = error_chunk(meta, fault.code, fault.params.get("message"))
    data = [i for i, event in enumerate(events) if event.startswith(b"data:")]
    at = data[fault.after] if fault.after < len(data) else len(events) - 1
    return [*events[:at], error]
