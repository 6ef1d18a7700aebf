"""``POST /messages``: the Anthropic Messages format over the same brain.

The request is translated to a chat request (system, content blocks, ``tool_use`` /
``tool_result``, tools, ``tool_choice``, ``thinking``), answered by
:func:`tests.emulator.brain.respond`, and rendered as an Anthropic ``message`` or as
its SSE event sequence. ``fallbacks`` (model ids or ``{"model": id}``) and ``models``
fall back like chat's ``models``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .brain import Reply, alnum, respond, split_tokens, text_of
from .chat import generation_record, header_float, header_int, pick_model
from .faults import Fault, anthropic_error, dumps, transport_faults
from .protocol import Request, Response
from .wire import ChatMeta, usage

if TYPE_CHECKING:
    from .server import Emulator

_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def _error(code: int, message: str) -> Response:
    return Response(code, dumps(anthropic_error(code, message)))


def to_chat(body: Mapping[str, Any]) -> dict[str, Any]:
    """The chat-completions request equivalent to an Anthropic Messages request."""
    messages: list[dict[str, Any]] = []
    system = body.get("system")
    if system:
        messages.append({"role": "system", "content": text_of(system)})
    for msg in body.get("messages") or []:
        if not isinstance(msg, Mapping):
            continue
        role, content = str(msg.get("role", "user")), msg.get("content")
        if not isinstance(content, list):
            messages.append({"role": role, "content": text_of(content)})
            continue
        parts: list[dict[str, Any]] = []
        calls: list[dict[str, Any]] = []
        for block in content:
            if not isinstance(block, Mapping):
                continue
            kind = block.get("type")
            if kind == "tool_use":
                args = json.dumps(block.get("input") or {}, ensure_ascii=False)
                calls.append(
                    {
                        "id": block.get("id"),
                        "type": "function",
                        "function": {"name": block.get("name"), "arguments": args},
                    }
                )
            elif kind == "tool_result":
                messages.append(
                    {
                        "role": "tool",
                        "tool_call_id": block.get("tool_use_id"),
                        "content": text_of(block.get("content")),
                    }
                )
            elif kind in ("thinking", "redacted_thinking"):
                continue
            else:
                parts.append(dict(block))
        if parts or calls:
            entry: dict[str, Any] = {"role": role, "content": parts}
            if calls:
                entry["tool_calls"] = calls
            messages.append(entry)
    chat: dict[str, Any] = {"messages": messages, "max_tokens": body.get("max_tokens")}
    tools = [
        {
            "type": "function",
            "function": {
                "name": t.get("name"),
                "description": t.get("description", ""),
                "parameters": t.get("input_schema") or {},
            },
        }
        for t in body.get("tools") or []
        if isinstance(t, Mapping) and t.get("name")
    ]
    if tools:
        chat["tools"] = tools
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping):
        kind = choice.get("type")
        chat["tool_choice"] = {"auto": "auto", "any": "required", "none": "none"}.get(
            str(kind)
        ) or {
            "type": "function",
            "function": {"name": choice.get("name")},
        }
    if body.get("stop_sequences"):
        chat["stop"] = body["stop_sequences"]
    thinking = body.get("thinking")
    if isinstance(thinking, Mapping) and thinking.get("type") in ("enabled", "adaptive"):
        chat["reasoning"] = {"enabled": True}
    fmt = (
        (body.get("output_config") or {}).get("format")
        if isinstance(body.get("output_config"), Mapping)
        else None
    )
    if isinstance(fmt, Mapping) and fmt.get("schema"):
        chat["response_format"] = {
            "type": "json_schema",
            "json_schema": {"name": "output", "schema": fmt["schema"]},
        }
    return chat


def _blocks(reply: Reply, meta: ChatMeta) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reply.reasoning and not reply.reasoning_hidden:
        blocks.append(
            {
                "type": "thinking",
                "thinking": reply.reasoning,
                "signature": alnum(64, "sig", reply.reasoning),
            }
        )
    if reply.content or not reply.tool_calls:
        blocks.append({"type": "text", "text": reply.content, "citations": []})
    for i, call in enumerate(reply.tool_calls):
        blocks.append(
            {
                "type": "tool_use",
                "id": "toolu_" + alnum(24, call.id, i),
                "name": call.name,
                "input": json.loads(call.arguments),
            }
        )
    return blocks


def _usage(reply: Reply, meta: ChatMeta) -> dict[str, Any]:
    chat_usage = usage(reply, meta.model)
    return {
        "input_tokens": reply.prompt_tokens - reply.cached_tokens - reply.cache_write_tokens,
        "output_tokens": reply.completion_tokens,
        "cache_creation_input_tokens": reply.cache_write_tokens,
        "cache_read_input_tokens": reply.cached_tokens,
        "cache_creation": None,
        "inference_geo": None,
        "output_tokens_details": None,
        "server_tool_use": None,
        "service_tier": "standard",
        "cost": chat_usage["cost"],
        "cost_details": chat_usage["cost_details"],
        "is_byok": False,
    }


def message(reply: Reply, meta: ChatMeta, msg_id: str) -> dict[str, Any]:
    return {
        "id": msg_id,
        "type": "message",
        "role": "assistant",
        "container": None,
        "content": _blocks(reply, meta),
        "model": meta.model_id,
        "provider": meta.provider,
        "stop_reason": _STOP.get(reply.finish_reason, "end_turn"),
        "stop_sequence": None,
        "stop_details": None,
        "usage": _usage(reply, meta),
    }


def _event(name: str, payload: dict[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + dumps(payload) + b"\n\n"


def events(reply: Reply, meta: ChatMeta, msg_id: str, comments: int) -> list[bytes]:
    """The SSE event sequence of a streamed message."""
    out: list[bytes] = [b": OPENROUTER PROCESSING\n\n"] * comments
    start = message(reply, meta, msg_id)
    start.update(content=[], stop_reason=None)
    opening = {
        k: v for k, v in start["usage"].items() if k not in ("cost", "cost_details", "is_byok")
    }
    start["usage"] = {**opening, "output_tokens": 1}
    out.append(_event("message_start", {"type": "message_start", "message": start}))
    out.append(_event("ping", {"type": "ping"}))
    for index, block in enumerate(_blocks(reply, meta)):
        kind = block["type"]
        empty: dict[str, dict[str, Any]] = {
            "thinking": {"type": "thinking", "thinking": "", "signature": ""},
            "text": {"type": "text", "text": ""},
        }
        first = empty.get(kind) or {**block, "input": {}}
        out.append(
            _event(
                "content_block_start",
                {"type": "content_block_start", "index": index, "content_block": first},
            )
        )
        if kind == "thinking":
            deltas = [
                {"type": "thinking_delta", "thinking": p} for p in split_tokens(block["thinking"])
            ]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        elif kind == "text":
            deltas = [{"type": "text_delta", "text": p} for p in reply.pieces]
        else:
            deltas = [
                {"type": "input_json_delta", "partial_json": p}
                for p in split_tokens(json.dumps(block["input"], ensure_ascii=False))
            ]
        for delta in deltas:
            out.append(
                _event(
                    "content_block_delta",
                    {"type": "content_block_delta", "index": index, "delta": delta},
                )
            )
        out.append(_event("content_block_stop", {"type": "content_block_stop", "index": index}))
    final = _usage(reply, meta)
    ending: dict[str, Any] = {
        "stop_reason": _STOP.get(reply.finish_reason, "end_turn"),
        "stop_sequence": None,
        "container": None,
        "stop_details": None,
    }
    out.append(_event("message_delta", {"type": "message_delta", "delta": ending, "usage": final}))
    out.append(_event("message_stop", {"type": "message_stop"}))
    return out


def handle(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = req.json
    if not isinstance(body, dict):
        return _error(400, "Invalid JSON in request body")
    if not isinstance(body.get("messages"), list) or not body["messages"]:
        return _error(400, "messages: Required")
    fallbacks = body.get("fallbacks") or []
    if fallbacks and body.get("models"):
        return _error(400, "Use either 'fallbacks' or 'models', not both")
    if len(fallbacks) > 3:
        return _error(400, "fallbacks: Array must contain at most 3 element(s)")
    extra = [f.get("model") if isinstance(f, Mapping) else f for f in fallbacks] + list(
        body.get("models") or []
    )
    model = body.get("model")
    candidates = ([model] if isinstance(model, str) and model else []) + [
        m for m in extra if isinstance(m, str) and m != model
    ]
    stream = bool(body.get("stream"))
    chat_body = to_chat(body)
    picked = pick_model(emu, candidates, faults, chat_body, stream=stream, anthropic=True)
    if isinstance(picked, Response):
        return picked
    served, entry, faults, size = picked.served, picked.model, picked.faults, picked.prompt_tokens
    now = emu.clock()
    meta = ChatMeta(emu.new_generation_id(now), picked.provider, served, int(now), entry)
    reply = respond(
        chat_body,
        served,
        entry,
        chunks=header_int(req, "x-emulator-chunks"),
        cache=emu.prompt_cache,
        prompt_size=size,
    )
    msg_id = "msg_" + alnum(24, meta.gen_id)
    mid = next((f for f in faults if f.name == "mid_stream_error"), None)
    headers = [("X-Generation-Id", meta.gen_id)]
    if stream:
        comments = header_int(req, "x-emulator-comments")
        sse = events(reply, meta, msg_id, emu.processing_comments if comments is None else comments)
        if mid is not None:
            error = anthropic_error(
                mid.code if mid.code != 502 else 529, mid.params.get("message") or "Overloaded"
            )
            keep = min(len(sse) - 2, comments_end(sse) + 2 + mid.after)
            sse = [*sse[:keep], _event("error", error)]
        response = Response(
            200,
            content_type="text/event-stream",
            headers=headers,
            events=sse,
            chunk_delay=header_float(req, "x-emulator-chunk-delay"),
        )
    elif mid is not None:
        response = Response(
            200,
            dumps(anthropic_error(mid.code, mid.params.get("message") or "Overloaded")),
            headers=headers,
        )
    else:
        response = Response(200, dumps(message(reply, meta, msg_id)), headers=headers)
    emu.record_generation(
        meta.gen_id,
        usage(reply, entry)["cost"],
        lambda: generation_record(meta, reply, stream, chat_body, api_type="messages"),
    )
    return transport_faults(faults, response)


def comments_end(sse: list[bytes]) -> int:
    return next((i for i, e in enumerate(sse) if not e.startswith(b":")), 0)
