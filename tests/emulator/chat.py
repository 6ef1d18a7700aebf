"""``POST /chat/completions``: validation, ``models`` fallback, faults, JSON or SSE."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .brain import Reply, prompt_tokens, respond
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
from .protocol import Request, Response
from .textutil import attachments
from .wire import (
    ChatMeta,
    completion_bytes,
    error_chunk,
    errored_completion,
    native_finish,
    stream_events,
    usage,
)

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["generation_record", "handle", "header_float", "header_int", "pick_model"]

#: Faults that fail a model before any content: ``models`` fallback skips past them.
EARLY_FAULTS = ERROR_FAULTS | {"empty_body", "error_in_200"}
#: Request parameters ``provider.require_parameters`` checks against the catalog entry.
_ROUTABLE_PARAMETERS = frozenset(
    {
        "tools",
        "tool_choice",
        "response_format",
        "structured_outputs",
        "reasoning",
        "logprobs",
        "top_logprobs",
        "seed",
        "top_k",
        "min_p",
        "top_a",
        "repetition_penalty",
        "logit_bias",
        "frequency_penalty",
        "presence_penalty",
        "stop",
        "verbosity",
        "web_search_options",
    }
)


def _error(code: int, message: str, metadata: dict[str, Any] | None = None) -> Response:
    return Response(code, dumps(error_payload(code, message, metadata)))


def header_int(req: Request, name: str) -> int | None:
    try:
        return int(req.headers[name]) if name in req.headers else None
    except ValueError:
        return None


def header_float(req: Request, name: str) -> float:
    try:
        return float(req.headers.get(name) or 0)
    except ValueError:
        return 0.0


@dataclass
class Pick:
    """The routing decision: which model and provider serve, with which faults."""

    served: str
    model: Model
    provider: str
    faults: list[Fault]
    prompt_tokens: int


def pick_model(
    emu: Emulator,
    candidates: list[str],
    faults: list[Fault],
    body: Mapping[str, Any],
    *,
    stream: bool,
    anthropic: bool = False,
) -> Pick | Response:
    """The model that serves the request (after ``models`` fallback), or an error response."""
    resolved: list[tuple[str, str, Model]] = []
    for requested in candidates:
        found = emu.catalog.resolve(requested)
        if found is None:
            return _fail(400, f"{requested} is not a valid model ID", anthropic)
        resolved.append((requested, found[0], found[1]))
    if not resolved:
        return _fail(400, "No models provided", anthropic)
    first_served = resolved[0][1]
    early = pre_response(
        faults,
        model=first_served,
        provider=provider_for(first_served),
        stream=stream,
        anthropic=anthropic,
    )
    if early is not None:
        emu.calls_by_model[resolved[0][0]] += 1
        return transport_faults(faults, early)
    size = prompt_tokens(list(body.get("messages") or []), body.get("tools"))
    problem: tuple[int, str, dict[str, Any] | None] = (503, "No instances available", None)
    for i, (requested, served, entry) in enumerate(resolved):
        emu.calls_by_model[requested] += 1
        has_next = i + 1 < len(resolved)
        own = emu.take_model_fault(requested, served)
        fails_early = any(f.name in EARLY_FAULTS for f in own)
        if own and fails_early and has_next and all(f.lets_fallback for f in own):
            continue
        provider = _provider(served, body)
        if own:
            early = pre_response(
                own, model=served, provider=provider or "", stream=stream, anthropic=anthropic
            )
            if early is not None:
                return transport_faults(faults + own, early)
        found_problem = _problem(served, entry, body, size, provider)
        if found_problem is None and provider is not None:
            return Pick(served, entry, provider, faults + own, size)
        problem = found_problem or problem
        if not has_next:
            break
    return _fail(problem[0], problem[1], anthropic, problem[2])


def _provider(served: str, body: Mapping[str, Any]) -> str | None:
    """The provider the routing preferences pick, or ``None`` when none is allowed."""
    prefs = body.get("provider")
    names = list(providers_for(served))
    if not isinstance(prefs, Mapping):
        return names[0]

    def key(name: str) -> set[str]:
        return {name.lower(), PROVIDERS.get(name, (name.lower(),))[0]}

    def wanted(values: Any) -> set[str]:
        return {str(v).lower().split("/")[0] for v in values} if isinstance(values, list) else set()

    only, ignore, order = wanted(prefs.get("only")), wanted(prefs.get("ignore")), prefs.get("order")
    allowed = [n for n in names if (not only or key(n) & only) and not key(n) & ignore]
    for choice in order if isinstance(order, list) else []:
        for name in allowed:
            if str(choice).lower().split("/")[0] in key(name):
                return name
    if isinstance(order, list) and order and prefs.get("allow_fallbacks") is False:
        return None
    return allowed[0] if allowed else None


def _problem(
    served: str, entry: Model, body: Mapping[str, Any], size: int, provider: str | None
) -> tuple[int, str, dict[str, Any] | None] | None:
    """Why ``served`` cannot take this request (as OpenRouter would answer), if it cannot."""
    if provider is None:
        return 404, "No allowed providers are available for the selected model.", None
    params = set(entry.get("supported_parameters") or ())
    tail = (
        " To learn more about provider routing, visit: https://openrouter.ai/docs/provider-routing"
    )
    if body.get("tools") and "tools" not in params:
        return 404, "No endpoints found that support tool use." + tail, None
    inputs = set((entry.get("architecture") or {}).get("input_modalities") or ["text"])
    kinds: set[str] = set()
    for msg in body.get("messages") or []:
        if isinstance(msg, Mapping):
            kinds.update(k for k, n in attachments(msg.get("content")).items() if n)
    if "image" in kinds and "image" not in inputs:
        return 404, "No endpoints found that support image input" + tail, None
    prefs = body.get("provider")
    if isinstance(prefs, Mapping) and prefs.get("require_parameters"):
        asked = {k for k in body if k in _ROUTABLE_PARAMETERS}
        if asked - params:
            return 404, "No endpoints found that can handle the requested parameters." + tail, None
    context = int(entry.get("context_length") or 0)
    if context and size > context:
        message = (
            f"This endpoint's maximum context length is {context} tokens. However, you "
            f"requested about {size} tokens. Please reduce the length of either one, or use "
            'the "middle-out" transform to compress your prompt automatically.'
        )
        metadata = {"provider_name": provider, "error_type": "context_length_exceeded"}
        return 400, message, metadata
    return None


def _fail(
    code: int, message: str, anthropic: bool, metadata: dict[str, Any] | None = None
) -> Response:
    if anthropic:
        return Response(code, dumps(anthropic_error(code, message)))
    return _error(code, message, metadata)


def handle(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = req.json
    if not isinstance(body, dict):
        return _error(400, "Invalid JSON in request body")
    messages = body.get("messages")
    if messages is not None and not isinstance(messages, list):
        return _error(400, "messages: Expected array")
    if not messages and not isinstance(body.get("prompt"), str):
        return _error(400, 'Input required: specify "prompt" or "messages"')
    stream = bool(body.get("stream"))
    model = body.get("model")
    listed = body.get("models")
    extra: list[Any] = listed if isinstance(listed, list) else []
    candidates = ([model] if isinstance(model, str) and model else []) + [
        m for m in extra if isinstance(m, str) and m != model
    ]
    picked = pick_model(emu, candidates, faults, body, stream=stream)
    if isinstance(picked, Response):
        return picked
    served, entry, faults, size = picked.served, picked.model, picked.faults, picked.prompt_tokens
    now = emu.clock()
    meta = ChatMeta(emu.new_generation_id(now), picked.provider, served, int(now), entry)
    reply = respond(
        body,
        served,
        entry,
        chunks=header_int(req, "x-emulator-chunks"),
        cache=emu.prompt_cache,
        prompt_size=size,
    )
    mid = next((f for f in faults if f.name == "mid_stream_error"), None)
    headers = [("X-Generation-Id", meta.gen_id)]
    if stream:
        comments = header_int(req, "x-emulator-comments")
        events = stream_events(
            reply, meta, body, emu.processing_comments if comments is None else comments
        )
        if mid is not None:
            events = _cut_with_error(events, mid, meta)
        response = Response(
            200,
            content_type="text/event-stream",
            headers=headers,
            events=events,
            chunk_delay=header_float(req, "x-emulator-chunk-delay"),
        )
    else:
        if mid is not None:
            payload = errored_completion(reply, meta, body, mid.code, mid.params.get("message"))
            data = dumps(payload)
        else:
            data = completion_bytes(reply, meta, body)
        response = Response(200, data, headers=headers)
    finish = "error" if mid else None
    emu.record_generation(
        meta.gen_id,
        usage(reply, entry)["cost"],
        lambda: generation_record(meta, reply, stream, body, finish),
    )
    return transport_faults(faults, response)


def _cut_with_error(events: list[bytes], fault: Fault, meta: ChatMeta) -> list[bytes]:
    seen = 0
    for i, event in enumerate(events):
        if event.startswith(b"data:"):
            if seen >= fault.after:
                return [*events[:i], error_chunk(meta, fault.code, fault.params.get("message"))]
            seen += 1
    return [*events[:-1], error_chunk(meta, fault.code, fault.params.get("message"))]


def generation_record(
    meta: ChatMeta,
    reply: Reply,
    stream: bool,
    body: Mapping[str, Any],
    finish: str | None = None,
    api_type: str = "completions",
) -> dict[str, Any]:
    """What ``GET /generation?id=`` reports about a finished request."""
    from .wire import usage

    cost = usage(reply, meta.model)["cost"]
    finish = finish or reply.finish_reason
    created = _dt.datetime.fromtimestamp(meta.created, _dt.timezone.utc).isoformat()
    latency = 180 + len(reply.pieces) * 3
    return {
        "id": meta.gen_id,
        "upstream_id": "chatcmpl-" + meta.gen_id.rsplit("-", 1)[-1],
        "total_cost": cost,
        "cache_discount": None,
        "upstream_inference_cost": cost,
        "created_at": created,
        "model": meta.model_id,
        "app_id": None,
        "streamed": stream,
        "cancelled": False,
        "provider_name": meta.provider,
        "latency": latency,
        "moderation_latency": None,
        "generation_time": latency - 60,
        "finish_reason": finish,
        "native_finish_reason": native_finish(meta, finish) if finish != "error" else "error",
        "tokens_prompt": reply.prompt_tokens,
        "tokens_completion": reply.completion_tokens,
        "native_tokens_prompt": reply.prompt_tokens,
        "native_tokens_completion": reply.completion_tokens,
        "native_tokens_completion_images": 0,
        "native_tokens_reasoning": reply.reasoning_tokens,
        "native_tokens_cached": reply.cached_tokens,
        "num_media_prompt": None,
        "num_input_audio_prompt": None,
        "num_media_completion": 0,
        "num_search_results": None,
        "num_fetches": None,
        "web_search_engine": None,
        "origin": "",
        "usage": cost,
        "is_byok": False,
        "external_user": body.get("user") if isinstance(body.get("user"), str) else None,
        "api_type": api_type,
        "preset_id": None,
        "router": None,
        "provider_responses": None,
        "user_agent": None,
        "http_referer": None,
        "data_region": "global",
        "workspace_id": None,
        "request_id": "req-" + meta.gen_id[4:],
        "session_id": body.get("session_id") if isinstance(body.get("session_id"), str) else None,
        "service_tier": None,
    }
