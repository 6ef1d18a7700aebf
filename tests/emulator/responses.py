"""``POST /responses``: OpenRouter's stateless Responses API over the chat brain.

The request's input items become a chat request (instructions, messages and their
parts, ``function_call`` / ``function_call_output`` items, function tools,
``tool_choice``, ``text.format``, ``reasoning``, ``max_output_tokens``), answered by
:func:`tests.emulator.brain.respond` and rendered as a ``response`` object or as its
event stream. The shapes follow the real recordings in
``tests/real/data/recordings-ai-sdk``:

* temporary item ids (``msg_tmp_...``, ``rs_tmp_...``); a message followed by a
  function call is marked ``status: "incomplete"``; the JSON reply has no top-level
  ``status`` and an empty ``output_text``;
* a function call's ``arguments`` are ``""`` in every streamed event and arrive only
  in ``response.completed``;
* a reasoning model's reasoning item: readable ``reasoning_text`` (closed only after
  the message, with another temporary id in ``response.completed``) and a
  ``signature``; OpenAI models instead stream a ``summary`` and keep
  ``encrypted_content``;
* ``usage`` with ``cost`` and ``cost_details``; the stream ends with ``[DONE]``.

``store: true`` and ``previous_response_id`` are refused with a 400: nothing is kept.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .brain import Reply, alnum, respond, split_tokens, text_of, tokens
from .catalog import digest, price, vendor
from .chat import generation_record, header_float, header_int, pick_model
from .faults import Fault, dumps, error_payload, transport_faults
from .protocol import Request, Response
from .wire import DONE, PROCESSING, ChatMeta, encrypted_block

if TYPE_CHECKING:
    from .server import Emulator

__all__ = ["handle", "to_chat"]

_STATELESS = (
    "OpenRouter's Responses API is stateless: it stores no responses, so {what}. "
    "Send the earlier output items back as input instead."
)
_BASE36 = "0123456789abcdefghijklmnopqrstuvwxyz"


def _error(code: int, message: str) -> Response:
    return Response(code, dumps(error_payload(code, message)))


def _tmp_id(prefix: str, *seed: object) -> str:
    number, out = digest(*seed), ""
    while len(out) < 11:
        number, rest = divmod(number, 36)
        out += _BASE36[rest]
    return prefix + out


# -- request -----------------------------------------------------------------------------
def _part(part: Any) -> dict[str, Any]:
    """An input content part as a chat content part."""
    if not isinstance(part, Mapping):
        return {"type": "text", "text": str(part)}
    kind = part.get("type")
    if kind == "input_image":
        return {"type": "image_url", "image_url": {"url": part.get("image_url") or ""}}
    if kind == "input_file":
        data = part.get("file_data") or part.get("file_url") or ""
        return {"type": "file", "file": {"filename": part.get("filename"), "file_data": data}}
    if kind == "input_audio":
        return {"type": "input_audio", "input_audio": part.get("input_audio")}
    return {"type": "text", "text": str(part.get("text") or part.get("refusal") or "")}


def to_chat(body: Mapping[str, Any]) -> dict[str, Any]:
    """The chat request equivalent to a ``/responses`` request."""
    messages: list[dict[str, Any]] = []
    if body.get("instructions"):
        messages.append({"role": "system", "content": str(body["instructions"])})
    raw = body.get("input")
    items = [{"role": "user", "content": raw}] if isinstance(raw, str) else raw or []
    for item in items:
        if not isinstance(item, Mapping):
            continue
        kind = item.get("type") or "message"
        if kind == "message":
            content = item.get("content")
            role = str(item.get("role") or "user")
            if role == "assistant":
                messages.append({"role": role, "content": text_of(content)})
            elif isinstance(content, list):
                messages.append({"role": role, "content": [_part(p) for p in content]})
            else:
                messages.append({"role": role, "content": str(content or "")})
        elif kind == "function_call":
            if not messages or messages[-1]["role"] != "assistant":
                messages.append({"role": "assistant", "content": None})
            call = {
                "id": item.get("call_id"),
                "type": "function",
                "function": {"name": item.get("name"), "arguments": item.get("arguments") or ""},
            }
            messages[-1].setdefault("tool_calls", []).append(call)
        elif kind == "function_call_output":
            output = item.get("output")
            text = output if isinstance(output, str) else text_of(output)
            messages.append({"role": "tool", "tool_call_id": item.get("call_id"), "content": text})
    chat: dict[str, Any] = {"messages": messages}
    tools: list[dict[str, Any]] = []
    for tool in body.get("tools") or ():
        if isinstance(tool, Mapping) and tool.get("type") == "function":
            function = {k: tool[k] for k in ("name", "description", "parameters") if k in tool}
            tools.append({"type": "function", "function": function})
        elif isinstance(tool, Mapping):
            tools.append(dict(tool))  # server tools (web search): not called by the brain
    if tools:
        chat["tools"] = tools
    choice = body.get("tool_choice")
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        chat["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
    elif choice is not None:
        chat["tool_choice"] = choice
    fmt = (body.get("text") or {}).get("format") if isinstance(body.get("text"), Mapping) else None
    if isinstance(fmt, Mapping) and fmt.get("type") == "json_schema":
        spec = {k: fmt[k] for k in ("name", "schema", "strict") if k in fmt}
        chat["response_format"] = {"type": "json_schema", "json_schema": spec}
    elif isinstance(fmt, Mapping) and fmt.get("type") == "json_object":
        chat["response_format"] = {"type": "json_object"}
    reasoning = body.get("reasoning")
    if isinstance(reasoning, Mapping):
        chat["reasoning"] = {k: v for k, v in reasoning.items() if k != "summary"}
    for key in ("plugins", "parallel_tool_calls", "provider", "modalities"):
        if body.get(key) is not None:
            chat[key] = body[key]
    if body.get("max_output_tokens") is not None:
        chat["max_tokens"] = body["max_output_tokens"]
    return chat


# -- reply -------------------------------------------------------------------------------
class _Output:
    """The output items of one reply, in order, with what streaming needs to know."""

    def __init__(self, reply: Reply, meta: ChatMeta) -> None:
        self.reply, self.meta = reply, meta
        self.openai = vendor(meta.model_id) == "openai"
        self.reasoning = reply.reasoning if reply.reasoning and not reply.reasoning_hidden else ""
        text = reply.content
        if reply.tool_calls and not text:  # a model announcing its call, as in real traffic
            names = " and ".join(c.name for c in reply.tool_calls)
            text = f"I'll use the {names} tool{'s' if len(reply.tool_calls) > 1 else ''}."
        self.text = text
        # Ids follow from what was said, so a conversation that sends them back makes
        # the same requests on every authoring run (and re-recorded cassettes match).
        self.msg_id = _tmp_id("msg_tmp_", meta.model_id, text)
        self.rs_id = _tmp_id("rs_tmp_", meta.model_id, self.reasoning)
        stopped = reply.finish_reason == "length"
        self.message_status = "incomplete" if reply.tool_calls or stopped else "completed"

    def reasoning_item(self, final: bool) -> dict[str, Any]:
        if self.openai:
            return {
                "type": "reasoning",
                "id": self.rs_id,
                "summary": [{"type": "summary_text", "text": self.reasoning}],
                "encrypted_content": encrypted_block(self.meta, self.reasoning)["data"],
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
        return {"type": "output_text", "text": self.text, "annotations": self.annotations()}

    def annotations(self) -> list[dict[str, Any]]:
        out = []
        for note in self.reply.annotations or ():
            cited = note.get("url_citation") or {}
            keys = ("url", "title", "start_index", "end_index")
            out.append({"type": "url_citation", **{k: cited.get(k) for k in keys}})
        return out

    def message_item(self, status: str | None = None) -> dict[str, Any]:
        content = [] if status == "in_progress" else [self.text_part()]
        return {
            "type": "message",
            "status": status or self.message_status,
            "content": content,
            "id": self.msg_id,
            "role": "assistant",
        }

    def items(self) -> list[dict[str, Any]]:
        """The finished output items (``response.completed`` and the JSON reply)."""
        out = [self.reasoning_item(final=True)] if self.reasoning else []
        if self.text:
            out.append(self.message_item())
        for call in self.reply.tool_calls:
            out.append(
                {
                    "type": "function_call",
                    "call_id": call.id,
                    "name": call.name,
                    "arguments": call.arguments,
                    "id": call.id,
                }
            )
        return out


def _usage(reply: Reply, model: Mapping[str, Any], text: str) -> dict[str, Any]:
    output = reply.completion_tokens + (tokens(text) if text != reply.content else 0)
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


def _echo(body: Mapping[str, Any]) -> dict[str, Any]:
    """The request settings every response object repeats."""
    return {
        "max_tool_calls": body.get("max_tool_calls"),
        "tools": list(body.get("tools") or []),
        "tool_choice": body.get("tool_choice", "auto"),
        "parallel_tool_calls": body.get("parallel_tool_calls", True),
        "max_output_tokens": body.get("max_output_tokens"),
        "temperature": body.get("temperature"),
        "top_p": body.get("top_p"),
        "metadata": body.get("metadata") or {},
        "background": False,
        "previous_response_id": None,
        "service_tier": body.get("service_tier") or "auto",
        "truncation": body.get("truncation"),
        "store": False,
        "instructions": body.get("instructions"),
        "reasoning": body.get("reasoning"),
        "safety_identifier": body.get("safety_identifier"),
        "prompt_cache_key": body.get("prompt_cache_key"),
        "user": body.get("user"),
    }


def _response(
    meta: ChatMeta,
    body: Mapping[str, Any],
    output: list[dict[str, Any]],
    status: str | None,
    usage: dict[str, Any] | None = None,
    incomplete: bool = False,
) -> dict[str, Any]:
    head: dict[str, Any] = {
        "object": "response",
        "id": meta.gen_id,
        "created_at": meta.created,
        "model": meta.model_id,
    }
    if status is not None:
        head["status"] = status
    head.update(
        output=output,
        output_text="",
        error=None,
        incomplete_details={"reason": "max_output_tokens"} if incomplete else None,
    )
    if usage is not None:
        head["usage"] = usage
    head.update(_echo(body))
    return head


def _events(out: _Output, meta: ChatMeta, body: Mapping[str, Any], usage: dict[str, Any]) -> list:
    """The payloads of the event stream, in order (``sequence_number`` added later)."""
    events: list[dict[str, Any]] = []
    for kind in ("response.created", "response.in_progress"):
        events.append({"type": kind, "response": _response(meta, body, [], "in_progress")})
    index = 0
    closing: list[dict[str, Any]] = []
    if out.reasoning:
        rid = out.rs_id
        events.append(
            {
                "type": "response.output_item.added",
                "output_index": index,
                "item": {"type": "reasoning", "id": rid, "summary": []},
            }
        )
        pieces = split_tokens(out.reasoning)
        chunks = ["".join(pieces[i : i + 3]) for i in range(0, len(pieces), 3)]
        where = {"item_id": rid, "output_index": index}
        if out.openai:
            part = {"type": "summary_text", "text": ""}
            events.append(
                {"type": "response.reasoning_summary_part.added", **where, "summary_index": 0}
                | {"part": part}
            )
            for chunk in chunks:
                events.append(
                    {"type": "response.reasoning_summary_text.delta", **where}
                    | {"summary_index": 0, "delta": chunk}
                )
            done = {"summary_index": 0, "text": out.reasoning}
            events.append({"type": "response.reasoning_summary_text.done", **where} | done)
            whole = {"type": "summary_text", "text": out.reasoning}
            events.append(
                {"type": "response.reasoning_summary_part.done", **where}
                | {"summary_index": 0, "part": whole}
            )
            item = out.reasoning_item(final=False)
            events.append(
                {"type": "response.output_item.done", "output_index": index} | {"item": item}
            )
        else:
            part = {"type": "reasoning_text", "text": ""}
            events.append(
                {"type": "response.content_part.added", **where, "content_index": 0, "part": part}
            )
            for chunk in chunks:
                events.append(
                    {"type": "response.reasoning_text.delta", **where}
                    | {"content_index": 0, "delta": chunk}
                )
            # Real streams close the reasoning item only after the message.
            closing = [
                {"type": "response.reasoning_text.done", **where}
                | {"content_index": 0, "text": out.reasoning},
                {"type": "response.content_part.done", **where}
                | {"content_index": 0, "part": {"type": "reasoning_text", "text": out.reasoning}},
                {"type": "response.output_item.done", "output_index": index}
                | {"item": out.reasoning_item(final=False)},
            ]
        index += 1
    if out.text:
        where = {"item_id": out.msg_id, "output_index": index, "content_index": 0}
        events.append(
            {"type": "response.output_item.added", "output_index": index}
            | {"item": out.message_item("in_progress")}
        )
        empty = {"type": "output_text", "annotations": [], "text": ""}
        events.append({"type": "response.content_part.added", **where, "part": empty})
        pieces = out.reply.pieces if out.text == out.reply.content else split_tokens(out.text)
        for piece in pieces:
            events.append(
                {"type": "response.output_text.delta", "logprobs": [], **where} | {"delta": piece}
            )
        events.append(
            {"type": "response.output_text.done", **where} | {"text": out.text, "logprobs": []}
        )
        events.append({"type": "response.content_part.done", **where, "part": out.text_part()})
        events.append(
            {"type": "response.output_item.done", "output_index": index}
            | {"item": out.message_item()}
        )
        index += 1
    for call in out.reply.tool_calls:
        item = {"type": "function_call", "call_id": call.id, "name": call.name, "arguments": ""}
        events.append(
            {"type": "response.output_item.added", "output_index": index}
            | {"item": {**item, "id": call.id}}
        )
        where = {"item_id": call.id, "output_index": index}
        events.append({"type": "response.function_call_arguments.delta", **where, "delta": ""})
        events.append(
            {"type": "response.function_call_arguments.done", **where}
            | {"name": call.name, "arguments": ""}
        )
        events.append({"type": "response.output_item.done", "output_index": index, "item": item})
        index += 1
    events.extend(closing)
    stopped = out.reply.finish_reason == "length"
    final = _response(
        meta,
        body,
        out.items(),
        "incomplete" if stopped else "completed",
        usage,
        incomplete=stopped,
    )
    kind = "response.incomplete" if stopped else "response.completed"
    events.append({"type": kind, "response": final})
    return events


def handle(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = req.json
    if not isinstance(body, dict):
        return _error(400, "Invalid JSON in request body")
    if body.get("store") is True:
        return _error(400, "store: " + _STATELESS.format(what="store must be false or left out"))
    if body.get("previous_response_id"):
        what = "there is no earlier response to continue from"
        return _error(400, "previous_response_id: " + _STATELESS.format(what=what))
    raw = body.get("input")
    if not (isinstance(raw, str) and raw) and not (isinstance(raw, list) and raw):
        return _error(400, "input: Required")
    stream = bool(body.get("stream"))
    model = body.get("model")
    listed = body.get("models") if isinstance(body.get("models"), list) else []
    candidates = ([model] if isinstance(model, str) and model else []) + [
        m for m in listed if isinstance(m, str) and m != model
    ]
    chat_body = to_chat(body)
    picked = pick_model(emu, candidates, faults, chat_body, stream=stream)
    if isinstance(picked, Response):
        return picked
    now = emu.clock()
    meta = ChatMeta(
        emu.new_generation_id(now), picked.provider, picked.served, int(now), picked.model
    )
    reply = respond(
        chat_body,
        picked.served,
        picked.model,
        chunks=header_int(req, "x-emulator-chunks"),
        cache=emu.prompt_cache,
        prompt_size=picked.prompt_tokens,
    )
    out = _Output(reply, meta)
    usage = _usage(reply, picked.model, out.text)
    headers = [("X-Generation-Id", meta.gen_id)]
    if stream:
        comments = header_int(req, "x-emulator-comments")
        sse = [PROCESSING] * (emu.processing_comments if comments is None else comments)
        for number, event in enumerate(_events(out, meta, body, usage)):
            sse.append(b"data: " + dumps({**event, "sequence_number": number}) + b"\n\n")
        sse.append(DONE)
        response = Response(
            200,
            content_type="text/event-stream",
            headers=headers,
            events=sse,
            chunk_delay=header_float(req, "x-emulator-chunk-delay"),
        )
    else:
        stopped = reply.finish_reason == "length"
        payload = _response(meta, body, out.items(), None, usage, incomplete=stopped)
        response = Response(200, dumps(payload), headers=headers)
    emu.record_generation(
        meta.gen_id,
        usage["cost"],
        lambda: generation_record(meta, reply, stream, chat_body, api_type="responses"),
    )
    return transport_faults(picked.faults, response)
