"""``POST /responses``: OpenRouter's stateless Responses API over the chat brain.

Input items become a chat request (messages, ``function_call`` and
``function_call_output`` items, function tools, ``tool_choice``, ``text.format``,
``reasoning``); the reply is a ``response`` object or its event stream, shaped like the
real recordings in ``tests/real/data/recordings-ai-sdk``:

* temporary item ids (``msg_tmp_...``, ``rs_tmp_...``), a message followed by a
  function call marked ``status: "incomplete"``, no top-level ``status`` in the JSON
  reply and an empty ``output_text``;
* a function call's ``arguments`` are ``""`` in every streamed event and arrive only in
  ``response.completed``;
* reasoning: readable ``reasoning_text`` with a ``signature`` (its item is closed only
  after the message, and named differently in ``response.completed``), or for OpenAI
  models a ``summary`` and ``encrypted_content``;
* ``usage`` with ``cost``; the stream ends with ``[DONE]``.

``store: true`` and ``previous_response_id`` are refused with a 400: nothing is kept.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .brain import Reply, alnum, split_tokens, text_of, tokens
from .catalog import digest, price, vendor
from .chat import answer_chat, candidates
from .faults import Fault, dumps, error_payload, transport_faults
from .protocol import Response
from .wire import DONE, PROCESSING, ChatMeta, generation

if TYPE_CHECKING:
    from .protocol import Request
    from .server import Emulator

__all__ = ["handle", "to_chat"]

_STATELESS = (
    "OpenRouter's Responses API is stateless: it stores no responses, so {what}. "
    "Send the earlier output items back as input instead."
)


def _tmp_id(prefix: str, *seed: object) -> str:
    """A temporary item id; it follows from what was said, so a conversation sending
    it back makes the same requests on every authoring run."""
    number, out = digest(*seed), ""
    while len(out) < 11:
        number, rest = divmod(number, 36)
        out += "0123456789abcdefghijklmnopqrstuvwxyz"[rest]
    return prefix + out


def _opaque(seed: str, n: int) -> str:
    raw = b"".join(digest(seed, i).to_bytes(8, "big") for i in range(n // 8 + 2))
    return base64.urlsafe_b64encode(raw).decode()[:n]


# -- request -----------------------------------------------------------------------------
def to_chat(body: Mapping[str, Any]) -> dict[str, Any]:
    """The chat request equivalent to a ``/responses`` request."""
    raw = body.get("input")
    messages: list[dict[str, Any]] = []
    for item in [{"role": "user", "content": raw}] if isinstance(raw, str) else raw or []:
        kind = item.get("type") or "message"
        if kind == "message":
            messages.append(
                {"role": str(item.get("role") or "user"), "content": text_of(item.get("content"))}
            )
        elif kind == "function_call":
            if not messages or messages[-1]["role"] != "assistant":
                messages.append({"role": "assistant", "content": None})
            function = {"name": item.get("name"), "arguments": item.get("arguments") or ""}
            call = {"id": item.get("call_id"), "type": "function", "function": function}
            messages[-1].setdefault("tool_calls", []).append(call)
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else text_of(output)
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": text})
    chat: dict[str, Any] = {"messages": messages}
    tools = [t for t in body.get("tools") or () if t.get("type") == "function"]
    if tools:
        keys = ("name", "description", "parameters")
        chat["tools"] = [
            {"type": "function", "function": {k: t[k] for k in keys if k in t}} for t in tools
        ]
    if body.get("tool_choice") is not None:
        chat["tool_choice"] = body["tool_choice"]  # the brain reads both shapes
    fmt = (body.get("text") or {}).get("format") or {}
    if fmt.get("type") == "json_schema":
        spec = {k: fmt[k] for k in ("name", "schema", "strict") if k in fmt}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    if isinstance(body.get("reasoning"), Mapping):
        chat["reasoning"] = {k: v for k, v in body["reasoning"].items() if k != "summary"}
    return chat


# -- reply -------------------------------------------------------------------------------
class _Output:
    """The output items of one reply, and what streaming them needs."""

    def __init__(self, reply: Reply, meta: ChatMeta) -> None:
        self.reply, self.meta = reply, meta
        self.openai = vendor(meta.model_id) == "openai"
        self.reasoning = reply.reasoning if reply.reasoning and not reply.reasoning_hidden else ""
        text = reply.content
        if reply.tool_calls and not text:  # a model announcing its call, as in real traffic
            names = " and ".join(c.name for c in reply.tool_calls)
            text = f"I'll use the {names} tool{'s' if len(reply.tool_calls) > 1 else ''}."
        self.text = text
        self.msg_id = _tmp_id("msg_tmp_", meta.model_id, text)
        self.rs_id = _tmp_id("rs_tmp_", meta.model_id, self.reasoning)
        self.message_status = "incomplete" if reply.tool_calls else "completed"

    def reasoning_item(self, final: bool) -> dict[str, Any]:
        if self.openai:
            return {
                "type": "reasoning",
                "id": self.rs_id,
                "summary": [{"type": "summary_text", "text": self.reasoning}],
                "encrypted_content": "gAAAAA" + _opaque(self.reasoning, 240),
                "format": "openai-responses-v1",
            }
        item: dict[str, Any] = {
            "type": "reasoning",
            # The completed response names the item differently from the stream.
            "id": _tmp_id("rs_tmp_", self.meta.model_id, self.reasoning, "final")
            if final
            else self.rs_id,
            "summary": [],
            "content": [{"type": "reasoning_text", "text": self.reasoning}],
        }
        if vendor(self.meta.model_id) == "anthropic":
            item["signature"] = alnum(64, "signature", self.reasoning) + "=="
            item["format"] = "anthropic-claude-v1"
        return item

    def text_part(self) -> dict[str, Any]:
        return {"type": "output_text", "text": self.text, "annotations": []}

    def message_item(self, status: str | None = None) -> dict[str, Any]:
        return {
            "type": "message",
            "status": status or self.message_status,
            "content": [] if status == "in_progress" else [self.text_part()],
            "id": self.msg_id,
            "role": "assistant",
        }

    def items(self) -> list[dict[str, Any]]:
        """The finished output items (``response.completed`` and the JSON reply)."""
        out = [self.reasoning_item(final=True)] if self.reasoning else []
        if self.text:
            out.append(self.message_item())
        for call in self.reply.tool_calls:
            fields = {"call_id": call.id, "name": call.name, "arguments": call.arguments}
            out.append({"type": "function_call", **fields, "id": call.id})
        return out

    def usage(self) -> dict[str, Any]:
        reply, model = self.reply, self.meta.model
        output = reply.completion_tokens + (tokens(self.text) if self.text != reply.content else 0)
        prompt_cost = reply.prompt_tokens * price(model, "prompt")
        output_cost = output * price(model, "completion")
        return {
            "input_tokens": reply.prompt_tokens,
            "input_tokens_details": {"cached_tokens": reply.cached_tokens},
            "output_tokens": output,
            "output_tokens_details": {"reasoning_tokens": reply.reasoning_tokens},
            "total_tokens": reply.prompt_tokens + output,
            "cost": round(prompt_cost + output_cost, 12),
            "is_byok": False,
            "cost_details": {
                "upstream_inference_cost": None,
                "upstream_inference_input_cost": round(prompt_cost, 12),
                "upstream_inference_output_cost": round(output_cost, 12),
            },
        }


def _response(
    meta: ChatMeta,
    body: Mapping[str, Any],
    output: list[dict[str, Any]],
    status: str | None,
    usage: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A ``response`` object; the request's settings are repeated in it, as real
    replies do."""
    head: dict[str, Any] = {
        "object": "response",
        "id": meta.gen_id,
        "created_at": meta.created,
        "model": meta.model_id,
    }
    if status is not None:
        head["status"] = status
    head.update(output=output, output_text="", error=None, incomplete_details=None)
    if usage is not None:
        head["usage"] = usage
    head.update(
        max_tool_calls=body.get("max_tool_calls"),
        tools=list(body.get("tools") or []),
        tool_choice=body.get("tool_choice", "auto"),
        parallel_tool_calls=body.get("parallel_tool_calls", True),
        max_output_tokens=body.get("max_output_tokens"),
        temperature=body.get("temperature"),
        top_p=body.get("top_p"),
        metadata=body.get("metadata") or {},
        background=False,
        previous_response_id=None,
        service_tier=body.get("service_tier") or "auto",
        truncation=body.get("truncation"),
        store=False,
        instructions=body.get("instructions"),
        reasoning=body.get("reasoning"),
        safety_identifier=body.get("safety_identifier"),
        prompt_cache_key=body.get("prompt_cache_key"),
        user=body.get("user"),
    )
    return head


def _events(out: _Output, body: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The stream's event payloads in order (``sequence_number`` is added later)."""
    meta = out.meta
    started = _response(meta, body, [], "in_progress")
    events: list[dict[str, Any]] = [
        {"type": "response.created", "response": started},
        {"type": "response.in_progress", "response": started},
    ]
    index = 0

    def item_event(kind: str, item: dict[str, Any]) -> dict[str, Any]:
        return {"type": f"response.output_item.{kind}", "output_index": index, "item": item}

    closing: list[dict[str, Any]] = []
    if out.reasoning:
        where = {"item_id": out.rs_id, "output_index": index}
        events.append(item_event("added", {"type": "reasoning", "id": out.rs_id, "summary": []}))
        pieces = split_tokens(out.reasoning)
        chunks = ["".join(pieces[i : i + 3]) for i in range(0, len(pieces), 3)]
        if out.openai:
            summary = {**where, "summary_index": 0}
            whole = {"type": "summary_text", "text": out.reasoning}
            events.append(
                {"type": "response.reasoning_summary_part.added", **summary}
                | {"part": {"type": "summary_text", "text": ""}}
            )
            events += [
                {"type": "response.reasoning_summary_text.delta", **summary, "delta": chunk}
                for chunk in chunks
            ]
            events.append(
                {"type": "response.reasoning_summary_text.done", **summary, "text": out.reasoning}
            )
            events.append(
                {"type": "response.reasoning_summary_part.done", **summary, "part": whole}
            )
            events.append(item_event("done", out.reasoning_item(final=False)))
        else:
            part = {**where, "content_index": 0}
            whole = {"type": "reasoning_text", "text": out.reasoning}
            events.append(
                {"type": "response.content_part.added", **part}
                | {"part": {"type": "reasoning_text", "text": ""}}
            )
            events += [
                {"type": "response.reasoning_text.delta", **part, "delta": chunk}
                for chunk in chunks
            ]
            # Real streams close the reasoning item only after the message.
            closing = [
                {"type": "response.reasoning_text.done", **part, "text": out.reasoning},
                {"type": "response.content_part.done", **part, "part": whole},
                item_event("done", out.reasoning_item(final=False)),
            ]
        index += 1
    if out.text:
        where = {"item_id": out.msg_id, "output_index": index, "content_index": 0}
        events.append(item_event("added", out.message_item("in_progress")))
        empty = {"type": "output_text", "annotations": [], "text": ""}
        events.append({"type": "response.content_part.added", **where, "part": empty})
        pieces = out.reply.pieces if out.text == out.reply.content else split_tokens(out.text)
        events += [
            {"type": "response.output_text.delta", "logprobs": [], **where, "delta": piece}
            for piece in pieces
        ]
        events.append(
            {"type": "response.output_text.done", **where, "text": out.text, "logprobs": []}
        )
        events.append({"type": "response.content_part.done", **where, "part": out.text_part()})
        events.append(item_event("done", out.message_item()))
        index += 1
    for call in out.reply.tool_calls:
        item = {"type": "function_call", "call_id": call.id, "name": call.name, "arguments": ""}
        where = {"item_id": call.id, "output_index": index}
        events.append(item_event("added", {**item, "id": call.id}))
        events.append({"type": "response.function_call_arguments.delta", **where, "delta": ""})
        events.append(
            {"type": "response.function_call_arguments.done", **where}
            | {"name": call.name, "arguments": ""}
        )
        events.append(item_event("done", item))
        index += 1
    final = _response(meta, body, out.items(), "completed", out.usage())
    return [*events, *closing, {"type": "response.completed", "response": final}]


def handle(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = req.json if isinstance(req.json, dict) else {}
    if body.get("store") is True:
        what = "store must be false or left out"
        return Response(400, dumps(error_payload(400, "store: " + _STATELESS.format(what=what))))
    if body.get("previous_response_id"):
        what = "there is no earlier response to continue from"
        message = "previous_response_id: " + _STATELESS.format(what=what)
        return Response(400, dumps(error_payload(400, message)))
    stream = bool(body.get("stream"))
    chat = to_chat(body)
    ids = candidates(body.get("model"), body.get("models"))
    answered = answer_chat(emu, chat, ids, faults, stream=stream)
    if isinstance(answered, Response):
        return answered
    picked, meta, reply = answered
    out = _Output(reply, meta)
    headers = [("X-Generation-Id", meta.gen_id)]
    if stream:
        sse = [PROCESSING, PROCESSING]
        for number, event in enumerate(_events(out, body)):
            sse.append(b"data: " + dumps({**event, "sequence_number": number}) + b"\n\n")
        response = Response(
            200, content_type="text/event-stream", headers=headers, events=[*sse, DONE]
        )
    else:
        payload = _response(meta, body, out.items(), None, out.usage())
        response = Response(200, dumps(payload), headers=headers)
    emu.record_generation(
        meta.gen_id,
        out.usage()["cost"],
        lambda: generation(meta, reply, streamed=stream, body=chat, api_type="responses"),
    )
    return transport_faults(picked.faults, response)
