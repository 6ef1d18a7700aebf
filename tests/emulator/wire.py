"""OpenRouter wire shapes for chat completions: the JSON body and the SSE event list.

Field order and presence follow the recorded real traffic: ``provider`` and
``native_finish_reason`` everywhere, ``logprobs: null``, ``refusal``/``reasoning`` on the
message, no ``system_fingerprint``, every stream delta carrying ``role``, a finish chunk,
then a usage chunk whose single choice holds an empty delta, then ``[DONE]``.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any

from .brain import Reply, alnum, split_tokens
from .catalog import digest, price, supports, vendor
from .media import png

__all__ = ["ChatMeta", "completion", "error_chunk", "stream_events", "usage"]

PROCESSING = b": OPENROUTER PROCESSING\n\n"
DONE = b"data: [DONE]\n\n"
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
    """Per-response identity: generation id, provider, served model, time, catalog entry."""

    gen_id: str
    provider: str
    model_id: str
    created: int
    model: Mapping[str, Any]


def dumps(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def native_finish(meta: ChatMeta, finish: str) -> str:
    v = vendor(meta.model_id)
    if v == "openai" and supports(meta.model, "reasoning"):
        return {"length": "max_output_tokens"}.get(finish, "completed")
    if v == "anthropic":
        return {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}.get(
            finish, finish
        )
    if v == "google":
        return {"length": "MAX_TOKENS"}.get(finish, "STOP")
    return finish


def usage(reply: Reply, model: Mapping[str, Any]) -> dict[str, Any]:
    """The ``usage`` object (computed once per reply)."""
    if reply.usage is None:
        reply.usage = _usage(reply, model)
    return reply.usage


def _usage(reply: Reply, model: Mapping[str, Any]) -> dict[str, Any]:
    cached, written = reply.cached_tokens, reply.cache_write_tokens
    p = price(model, "prompt")
    read_price = price(model, "input_cache_read") or p
    write_price = price(model, "input_cache_write") or p
    prompt_cost = (
        (reply.prompt_tokens - cached - written) * p + cached * read_price + written * write_price
    )
    completion_cost = reply.completion_tokens * price(model, "completion")
    cost = round(prompt_cost + completion_cost, 12)
    return {
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


def reasoning_details(meta: ChatMeta, text: str, piece: str | None = None) -> list[dict[str, Any]]:
    """Reasoning blocks as the vendor's models return them (``piece`` for a stream delta)."""
    v = vendor(meta.model_id)
    chunk = text if piece is None else piece
    if v == "openai":
        return [
            {
                "type": "reasoning.summary",
                "summary": chunk,
                "format": "openai-responses-v1",
                "index": 0,
            }
        ]
    block: dict[str, Any] = {"type": "reasoning.text", "text": chunk}
    if v == "anthropic" and piece is None:
        block["signature"] = _opaque(text, 64)
    block["format"] = "anthropic-claude-v1" if v == "anthropic" else "unknown"
    block["index"] = 0
    return [block]


def encrypted_block(meta: ChatMeta, text: str) -> dict[str, Any]:
    return {
        "type": "reasoning.encrypted",
        "data": "gAAAAA" + _opaque(text, 240),
        "id": "rs_" + format(digest(meta.gen_id, text), "016x") * 3,
        "format": "openai-responses-v1",
        "index": 0,
    }


def _opaque(seed: str, n: int) -> str:
    raw = b"".join(digest(seed, i).to_bytes(8, "big") for i in range(n // 8 + 2))
    return base64.urlsafe_b64encode(raw).decode()[:n]


def _image(meta: ChatMeta) -> dict[str, Any]:
    data = base64.b64encode(png(meta.gen_id, 16)).decode()
    return {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{data}"}, "index": 0}


def _logprobs(pieces: list[str], top: int) -> list[dict[str, Any]]:
    out = []
    for token in pieces:
        lp = -round((digest(token) % 1000) / 2000, 6)
        alts = [
            (token, lp),
            (token.strip().upper() or "A", lp - 1.5),
            (token + "s", lp - 2.25),
            (".", lp - 3.0),
        ]
        out.append(
            {
                "token": token,
                "logprob": lp,
                "bytes": list(token.encode()),
                "top_logprobs": [
                    {"token": t, "logprob": round(v, 6), "bytes": list(t.encode())}
                    for t, v in alts[: max(0, top)]
                ],
            }
        )
    return out


def _tool_call_dicts(reply: Reply) -> list[dict[str, Any]]:
    return [
        {
            "index": i,
            "id": c.id,
            "type": "function",
            "function": {"name": c.name, "arguments": c.arguments},
        }
        for i, c in enumerate(reply.tool_calls)
    ]


def message(reply: Reply, meta: ChatMeta) -> dict[str, Any]:
    msg: dict[str, Any] = {"role": "assistant", "content": reply.content, "refusal": None}
    visible = reply.reasoning if reply.reasoning and not reply.reasoning_hidden else None
    msg["reasoning"] = visible
    if visible:
        details = reasoning_details(meta, visible)
        if vendor(meta.model_id) == "openai":
            details.append(encrypted_block(meta, visible))
        msg["reasoning_details"] = details
    if reply.tool_calls:
        msg["tool_calls"] = _tool_call_dicts(reply)
    if reply.annotations:
        msg["annotations"] = reply.annotations
    if reply.want_image:
        msg["images"] = [_image(meta)]
    return msg


def completion(reply: Reply, meta: ChatMeta, body: Mapping[str, Any]) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` body."""
    n = _n(body)
    lp = (
        {"content": _logprobs(reply.pieces, _top(body)), "refusal": None}
        if body.get("logprobs")
        else None
    )
    msg = message(reply, meta)
    choices = [
        {
            "logprobs": lp,
            "finish_reason": reply.finish_reason,
            "native_finish_reason": native_finish(meta, reply.finish_reason),
            "index": i,
            "message": msg if i == 0 else dict(msg),
        }
        for i in range(n)
    ]
    return {
        "id": meta.gen_id,
        "provider": meta.provider,
        "model": meta.model_id,
        "object": "chat.completion",
        "created": meta.created,
        "choices": choices,
        "usage": usage(reply, meta.model),
    }


_SIMPLE = (
    '{"id":"%s","provider":%s,"model":%s,"object":"chat.completion","created":%d,'
    '"choices":[{"logprobs":null,"finish_reason":"%s","native_finish_reason":%s,"index":0,'
    '"message":{"role":"assistant","content":%s,"refusal":null,"reasoning":null}}],"usage":%s}'
)
_USAGE = (
    '{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d,"cost":%r,"is_byok":false,'
    '"prompt_tokens_details":{"cached_tokens":%d,"cache_write_tokens":%d,"audio_tokens":0,'
    '"video_tokens":0},"cost_details":{"upstream_inference_cost":%r,'
    '"upstream_inference_prompt_cost":%r,"upstream_inference_completions_cost":%r},'
    '"completion_tokens_details":{"reasoning_tokens":%d,"image_tokens":%d,"audio_tokens":0}}'
)


def usage_json(u: Mapping[str, Any]) -> str:
    """``usage`` serialised like ``dumps`` would, without the generic encoder."""
    p, c, d = u["prompt_tokens_details"], u["completion_tokens_details"], u["cost_details"]
    return _USAGE % (
        u["prompt_tokens"],
        u["completion_tokens"],
        u["total_tokens"],
        u["cost"],
        p["cached_tokens"],
        p["cache_write_tokens"],
        d["upstream_inference_cost"],
        d["upstream_inference_prompt_cost"],
        d["upstream_inference_completions_cost"],
        c["reasoning_tokens"],
        c["image_tokens"],
    )


def completion_bytes(reply: Reply, meta: ChatMeta, body: Mapping[str, Any]) -> bytes:
    """The serialised ``chat.completion`` (templated for the common plain-text case)."""
    plain = not (
        reply.tool_calls
        or reply.annotations
        or reply.want_image
        or (reply.reasoning and not reply.reasoning_hidden)
        or body.get("logprobs")
        or _n(body) > 1
    )
    if not plain:
        return dumps(completion(reply, meta, body)).encode()
    text = _SIMPLE % (
        meta.gen_id,
        encode_basestring(meta.provider),
        encode_basestring(meta.model_id),
        meta.created,
        reply.finish_reason,
        encode_basestring(native_finish(meta, reply.finish_reason)),
        encode_basestring(reply.content),
        usage_json(usage(reply, meta.model)),
    )
    return text.encode()


def _n(body: Mapping[str, Any]) -> int:
    n = body.get("n")
    return min(n, 16) if isinstance(n, int) and n > 1 else 1


def _top(body: Mapping[str, Any]) -> int:
    top = body.get("top_logprobs")
    return top if isinstance(top, int) else 0


def stream_events(
    reply: Reply, meta: ChatMeta, body: Mapping[str, Any], comments: int = 2
) -> list[bytes]:
    """Every SSE event of the streamed answer, comments first, ``[DONE]`` last."""
    head = (
        f'data: {{"id":"{meta.gen_id}","provider":{encode_basestring(meta.provider)},'
        f'"model":{encode_basestring(meta.model_id)},"object":"chat.completion.chunk",'
        f'"created":{meta.created},"choices":['
    )
    tail = "]}\n\n"

    def chunk(
        index: int,
        delta: dict[str, Any],
        finish: str | None = None,
        extra: str = "",
        lp: Any = None,
    ) -> bytes:
        nfr = native_finish(meta, finish) if finish else None
        choice = {
            "index": index,
            "delta": delta,
            "finish_reason": finish,
            "native_finish_reason": nfr,
            "logprobs": lp,
        }
        return (head + dumps(choice) + "]" + extra + "}\n\n").encode()

    n = _n(body)
    events: list[bytes] = [PROCESSING] * max(0, comments)
    for i in range(n):
        events.append(chunk(i, {"role": "assistant", "content": ""}))
    visible = reply.reasoning if reply.reasoning and not reply.reasoning_hidden else None
    if visible:
        for piece in _group(split_tokens(visible), 3):
            details = reasoning_details(meta, visible, piece)
            events.append(
                chunk(
                    0,
                    {
                        "role": "assistant",
                        "content": "",
                        "reasoning": piece,
                        "reasoning_details": details,
                    },
                )
            )
        if vendor(meta.model_id) == "openai":
            block = [encrypted_block(meta, visible)]
            events.append(
                chunk(
                    0,
                    {
                        "role": "assistant",
                        "content": "",
                        "reasoning": None,
                        "reasoning_details": block,
                    },
                )
            )
        elif vendor(meta.model_id) == "anthropic":
            sig = [
                {
                    "type": "reasoning.text",
                    "signature": _opaque(visible, 64),
                    "format": "anthropic-claude-v1",
                    "index": 0,
                }
            ]
            events.append(
                chunk(
                    0,
                    {"role": "assistant", "content": "", "reasoning": "", "reasoning_details": sig},
                )
            )
    for annotation in reply.annotations or ():  # the web plugin's sources come first
        delta = {"content": "", "role": "assistant", "annotations": [annotation]}
        events.append(chunk(0, delta))
    want_lp = bool(body.get("logprobs"))
    top = _top(body)
    for piece in reply.pieces:
        if want_lp:
            lp = {"content": _logprobs([piece], top), "refusal": None}
            for i in range(n):
                events.append(chunk(i, {"role": "assistant", "content": piece}, lp=lp))
        else:
            text = encode_basestring(piece)
            for i in range(n):
                events.append(
                    (
                        head + f'{{"index":{i},"delta":{{"role":"assistant","content":{text}}},'
                        '"finish_reason":null,"native_finish_reason":null,"logprobs":null}' + tail
                    ).encode()
                )
    for i, call in enumerate(reply.tool_calls):
        first = {
            "index": i,
            "id": call.id,
            "type": "function",
            "function": {"name": call.name, "arguments": ""},
        }
        events.append(chunk(0, {"role": "assistant", "content": None, "tool_calls": [first]}))
        for frag in _group(split_tokens(call.arguments), 4):
            part = {"index": i, "function": {"arguments": frag}}
            events.append(chunk(0, {"role": "assistant", "content": None, "tool_calls": [part]}))
    if reply.want_image:
        events.append(chunk(0, {"role": "assistant", "content": "", "images": [_image(meta)]}))
    for i in range(n):
        events.append(chunk(i, {"role": "assistant", "content": ""}, reply.finish_reason))
    events.append(
        chunk(
            0,
            {"role": "assistant", "content": ""},
            extra=',"usage":' + usage_json(usage(reply, meta.model)),
        )
    )
    events.append(DONE)
    return events


def _group(pieces: list[str], size: int) -> list[str]:
    return ["".join(pieces[i : i + size]) for i in range(0, len(pieces), size)] or [""]


def error_chunk(meta: ChatMeta, code: int, message: str | None = None) -> bytes:
    """The in-band error event of a stream that already started (HTTP status stays 200)."""
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


def errored_completion(
    reply: Reply, meta: ChatMeta, body: Mapping[str, Any], code: int, message: str | None
) -> dict[str, Any]:
    """A non-streamed body whose generation failed part-way (``finish_reason: "error"``)."""
    out = completion(reply, meta, body)
    default, error_type = _ERRORS.get(code, ("Provider returned error", "unmapped"))
    for choice in out["choices"]:
        partial = str(choice["message"].get("content") or "")
        choice["message"]["content"] = partial[: len(partial) // 2]
        choice["finish_reason"] = "error"
        choice["native_finish_reason"] = "error"
        choice["error"] = {
            "code": code,
            "message": message or default,
            "metadata": {"error_type": error_type},
        }
    return out


def anthropic_tool_id(seed: str, index: int) -> str:
    return "toolu_" + alnum(24, seed, index)
