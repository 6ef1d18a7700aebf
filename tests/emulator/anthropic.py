"""``POST /messages``: the Anthropic Messages format, answered by the chat brain.

The system prompt and the messages' text become a chat request; the reply is an
Anthropic ``message`` (text block, ``stop_reason``, usage with OpenRouter's ``cost``).
Streaming, tools and thinking are not emulated here: no test authors them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .brain import alnum, text_of
from .chat import answer_chat, candidates
from .faults import Fault, anthropic_error, dumps, transport_faults
from .protocol import Response
from .wire import generation, usage

if TYPE_CHECKING:
    from .protocol import Request
    from .server import Emulator

__all__ = ["handle"]

_STOP = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use"}


def handle(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = req.json
    if not isinstance(body, dict) or not body.get("messages"):
        return Response(400, dumps(anthropic_error(400, "messages: Required")))
    if body.get("stream"):
        return Response(400, dumps(anthropic_error(400, "the emulator does not stream /messages")))
    messages = (
        [{"role": "system", "content": text_of(body["system"])}] if body.get("system") else []
    )
    messages += [
        {"role": str(m.get("role", "user")), "content": text_of(m.get("content"))}
        for m in body["messages"]
        if isinstance(m, dict)
    ]
    chat = {"messages": messages, "max_tokens": body.get("max_tokens")}
    ids = candidates(body.get("model"), body.get("models"))
    answered = answer_chat(emu, chat, ids, faults, stream=False, anthropic=True)
    if isinstance(answered, Response):
        return answered
    picked, meta, reply = answered
    totals = usage(reply, meta.model)
    message = {
        "id": "msg_" + alnum(24, meta.gen_id),
        "type": "message",
        "role": "assistant",
        "container": None,
        "content": [{"type": "text", "text": reply.content, "citations": []}],
        "model": meta.model_id,
        "provider": meta.provider,
        "stop_reason": _STOP.get(reply.finish_reason, "end_turn"),
        "stop_sequence": None,
        "stop_details": None,
        "usage": {
            "input_tokens": reply.prompt_tokens - reply.cached_tokens - reply.cache_write_tokens,
            "output_tokens": reply.completion_tokens,
            "cache_creation_input_tokens": reply.cache_write_tokens,
            "cache_read_input_tokens": reply.cached_tokens,
            "cache_creation": None,
            "inference_geo": None,
            "output_tokens_details": None,
            "server_tool_use": None,
            "service_tier": "standard",
            "cost": totals["cost"],
            "cost_details": totals["cost_details"],
            "is_byok": False,
        },
    }
    emu.record_generation(
        meta.gen_id,
        totals["cost"],
        lambda: generation(meta, reply, streamed=False, body=chat, api_type="messages"),
    )
    response = Response(200, dumps(message), headers=[("X-Generation-Id", meta.gen_id)])
    return transport_faults(picked.faults, response)
