"""OpenRouter's chat-completion shapes: the JSON body, the SSE events, ``usage`` and
what ``GET /generation`` says about a call.

As in the recorded real traffic: ``provider`` and ``native_finish_reason`` everywhere,
``logprobs: null``, ``refusal`` / ``reasoning`` on the message, no
``system_fingerprint``; a stream opens with ``: OPENROUTER PROCESSING`` comments, every
delta carries ``role``, web citations come first (one a chunk), then text, tool calls,
images, a finish chunk, a usage chunk, and ``data: [DONE]``.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .brain import Reply, split_tokens
from .catalog import price, supports, vendor
from .media import png

__all__ = ["ChatMeta", "completion", "dumps", "error_chunk", "generation", "stream_events", "usage"]

PROCESSING = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"
#: In-band stream errors: default message and ``error_type`` by code.
_ERRORS = {
    400: ("Provider returned error", "invalid_request"),
    429: ("Rate limit exceeded", "rate_limit_exceeded"),
    500: ("Internal Server Error", "server"),
    502: ("Provider disconnected mid-stream", "provider_unavailable"),
    503: ("Provider is temporarily overloaded", "provider_overloaded"),
    504: ("Provider timed out", "timeout"),
}


@dataclass
class ChatMeta:
    """Who answers: generation id, provider, served model id, time, catalog entry."""

    gen_id: str
    provider: str
    model_id: str
    created: int
    model: Mapping[str, Any]


def dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def native_finish(meta: ChatMeta, finish: str) -> str:
    """The finish reason in the words of the vendor's own API."""
    if vendor(meta.model_id) == "anthropic":
        return {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}.get(
            finish, finish
        )
    if vendor(meta.model_id) == "google":
        return {"length": "MAX_TOKENS"}.get(finish, "STOP")
    if vendor(meta.model_id) == "openai" and supports(meta.model, "reasoning"):
        return {"length": "max_output_tokens"}.get(finish, "completed")
    return finish


def usage(reply: Reply, model: Mapping[str, Any]) -> dict[str, Any]:
    """The ``usage`` object: tokens, cache, and the cost at the catalog's prices."""
    if reply.usage is not None:
        return reply.usage
    cached, written = reply.cached_tokens, reply.cache_write_tokens
    per_token = price(model, "prompt")
    prompt_cost = (
        (reply.prompt_tokens - cached - written) * per_token
        + cached * (price(model, "input_cache_read") or per_token)
        + written * (price(model, "input_cache_write") or per_token)
    )
    completion_cost = reply.completion_tokens * price(model, "completion")
    cost = round(prompt_cost + completion_cost, 12)
    reply.usage = {
        "prompt_tokens": reply.prompt_tokens,
        "completion_tokens": reply.completion_tokens,
        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
        "cost": cost,
        "is_byok": False,
        "prompt_tokens_details": {
            "cached_tokens": cached,
            "cache_write_tokens": written,
            "audio_tokens": 0,
            "video_tokens": 0,
        },
        "cost_details": {
            "upstream_inference_cost": cost,
            "upstream_inference_prompt_cost": round(prompt_cost, 12),
            "upstream_inference_completions_cost": round(completion_cost, 12),
        },
        "completion_tokens_details": {
            "reasoning_tokens": reply.reasoning_tokens,
            "image_tokens": 1290 if reply.want_image else 0,
            "audio_tokens": 0,
        },
    }
    return reply.usage


def _reasoning_details(text: str) -> list[dict[str, Any]]:
    return [{"type": "reasoning.text", "text": text, "format": "unknown", "index": 0}]


def _image(reply: Reply, meta: ChatMeta) -> dict[str, Any]:
    data = base64.b64encode(png(f"{meta.model_id}|{reply.content}", 16)).decode()
    return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}, "index": 0}


def _visible_reasoning(reply: Reply) -> str | None:
    return reply.reasoning if reply.reasoning and not reply.reasoning_hidden else None


def completion(reply: Reply, meta: ChatMeta) -> dict[str, Any]:
    """The ``chat.completion`` body."""
    message: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    message["reasoning"] = _visible_reasoning(reply)
    if message["reasoning"]:
        message["reasoning_details"] = _reasoning_details(message["reasoning"])
    if reply.tool_calls:
        message["tool_calls"] = [
            {
                "index": i,
                "id": c.id,
                "type": "function",
                "function": {"name": c.name, "arguments": c.arguments},
            }
            for i, c in enumerate(reply.tool_calls)
        ]
    if reply.annotations:
        message["annotations"] = reply.annotations
    if reply.want_image:
        message["images"] = [_image(reply, meta)]
    choice = {
        "logprobs": None,
        "finish_reason": reply.finish_reason,
        "native_finish_reason": native_finish(meta, reply.finish_reason),
        "index": 0,
        "message": message,
    }
    return {
        **_head(meta, "chat.completion"),
        "choices": [choice],
        "usage": usage(reply, meta.model),
    }


def _head(meta: ChatMeta, kind: str) -> dict[str, Any]:
    return {
        "id": meta.gen_id,
        "provider": meta.provider,
        "model": meta.model_id,
        "object": kind,
        "created": meta.created,
    }


def stream_events(reply: Reply, meta: ChatMeta, comments: int = 2) -> list[bytes]:
    """Every SSE event of the streamed answer, comments first, ``[DONE]`` last."""
    head = _head(meta, "chat.completion.chunk")

    def chunk(delta: dict[str, Any], finish: str | None = None, **extra: Any) -> bytes:
        choice = {
            "index": 0,
            "delta": delta,
            "finish_reason": finish,
            "native_finish_reason": native_finish(meta, finish) if finish else None,
            "logprobs": None,
        }
        return b"data: " + dumps({**head, "choices": [choice], **extra}).encode() + b"\n\n"

    start = {"role": "assistant", "content": ""}
    events = [PROCESSING] * comments + [chunk(start)]
    reasoning = _visible_reasoning(reply)
    if reasoning:
        pieces = split_tokens(reasoning)
        for at in range(0, len(pieces), 3):
            piece = "".join(pieces[at : at + 3])
            details = _reasoning_details(piece)
            events.append(chunk({**start, "reasoning": piece, "reasoning_details": details}))
    for annotation in reply.annotations or ():  # the web plugin's sources come first
        events.append(chunk({"content": "", "role": "assistant", "annotations": [annotation]}))
    events.extend(chunk({"role": "assistant", "content": piece}) for piece in reply.pieces)
    for i, call in enumerate(reply.tool_calls):
        opening = {"index": i, "id": call.id, "type": "function"}
        opening["function"] = {"name": call.name, "arguments": ""}
        events.append(chunk({"role": "assistant", "content": None, "tool_calls": [opening]}))
        pieces = split_tokens(call.arguments)
        for at in range(0, len(pieces), 4):
            part = {"index": i, "function": {"arguments": "".join(pieces[at : at + 4])}}
            events.append(chunk({"role": "assistant", "content": None, "tool_calls": [part]}))
    if reply.want_image:
        events.append(chunk({**start, "images": [_image(reply, meta)]}))
    events.append(chunk(start, reply.finish_reason))
    events.append(chunk(start, usage=usage(reply, meta.model)))
    return [*events, DONE]


def error_chunk(meta: ChatMeta, code: int, message: str | None = None) -> bytes:
    """The in-band error event of a stream that already began (the status stays 200)."""
    default, error_type = _ERRORS.get(code, ("Provider returned error", "unmapped"))
    payload = {
        "id": meta.gen_id,
        "object": "chat.completion.chunk",
        "created": meta.created,
        "model": meta.model_id,
        "provider": meta.provider,
        "error": {
            "code": code,
            "message": message or default,
            "metadata": {"error_type": error_type},
        },
        "choices": [
            {
                "index": 0,
                "delta": {"content": ""},
                "finish_reason": "error",
                "native_finish_reason": "error",
            }
        ],
    }
    return b"data: " + dumps(payload).encode() + b"\n\n"


def generation(
    meta: ChatMeta,
    reply: Reply,
    *,
    streamed: bool,
    body: Mapping[str, Any],
    api_type: str = "completions",
    finish: str | None = None,
) -> dict[str, Any]:
    """What ``GET /generation?id=`` reports about a finished call."""
    cost = usage(reply, meta.model)["cost"]
    finish = finish or reply.finish_reason
    latency = 180 + len(reply.pieces) * 3

    def given(key: str) -> Any:
        return body.get(key) if isinstance(body.get(key), str) else None

    return {
        "id": meta.gen_id,
        "upstream_id": "chatcmpl-" + meta.gen_id.rsplit("-", 1)[-1],
        "total_cost": cost,
        "cache_discount": None,
        "upstream_inference_cost": cost,
        "created_at": dt.datetime.fromtimestamp(meta.created, dt.timezone.utc).isoformat(),
        "model": meta.model_id,
        "app_id": None,
        "streamed": streamed,
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
        "external_user": given("user"),
        "api_type": api_type,
        "preset_id": None,
        "router": None,
        "provider_responses": None,
        "user_agent": None,
        "http_referer": None,
        "data_region": "global",
        "workspace_id": None,
        "request_id": "req-" + meta.gen_id[4:],
        "session_id": given("session_id"),
        "service_tier": None,
    }
