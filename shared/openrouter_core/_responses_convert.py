"""Chat-shaped requests as ``/responses`` requests, and ``/responses`` results as chat
results: so a framework adapter that speaks chat can use the Responses API with
its own message, tool and output conversions unchanged.

Requests: messages become input items (system / user / assistant messages,
``function_call`` items for an assistant's tool calls, ``function_call_output`` for
tool results, the reasoning items of an earlier reply replayed as received); chat
tools become Responses function tools; ``response_format`` becomes ``text.format``;
``max_tokens`` becomes ``max_output_tokens``. Everything else is passed on, and
what the Responses API does not take is refused by its request model (never
dropped).

Results: the text, function calls (``call_id`` as the tool call id), reasoning text
and items, usage (``input_tokens`` as prompt tokens...) and cost fill a
:class:`~openrouter_core.types.ChatResult`; the reasoning items ride along as
``message.reasoning_items`` so the next turn can send them back.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import InvalidRequestError
from .types.chat import ChatResult
from .types.responses_result import ResponsesResult

__all__ = ["chat_result_from_responses", "responses_body_from_chat"]

#: Chat parameters renamed on the way (the rest keep their names).
_RENAMED = {"max_tokens": "max_output_tokens", "max_completion_tokens": "max_output_tokens"}
#: Chat parameters handled here rather than passed on.
_CONVERTED = frozenset({"messages", "tools", "tool_choice", "response_format", "stream_options"})


def responses_body_from_chat(body: Mapping[str, Any]) -> dict[str, Any]:
    """A ``/responses`` body from a chat body (see the module docs)."""
    out: dict[str, Any] = {}
    for key, value in body.items():
        if key in _CONVERTED or value is None:
            continue
        out[_RENAMED.get(key, key)] = value
    out["input"] = _input_items(body.get("messages") or [])
    if body.get("tools"):
        out["tools"] = [_tool(t) for t in body["tools"]]
    choice = body.get("tool_choice")
    if choice is not None:
        out["tool_choice"] = _tool_choice(choice)
    fmt = body.get("response_format")
    if isinstance(fmt, Mapping):
        out["text"] = {**(out.get("text") or {}), "format": _text_format(fmt)}
    return out


def _input_items(messages: list[Mapping[str, Any]]) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    for message in messages:
        role = message.get("role")
        content = message.get("content")
        if role == "tool":
            items.append(
                {
                    "type": "function_call_output",
                    "call_id": message.get("tool_call_id") or "",
                    "output": _text_of(content),
                }
            )
        elif role == "assistant":
            items.extend(message.get("reasoning_items") or ())
            text = _text_of(content)
            if text:
                items.append({"type": "message", "role": "assistant", "content": text})
            for call in message.get("tool_calls") or ():
                function = call.get("function") or {}
                items.append(
                    {
                        "type": "function_call",
                        "call_id": call.get("id") or "",
                        "name": function.get("name") or "",
                        "arguments": function.get("arguments") or "",
                    }
                )
        elif role in ("system", "developer", "user"):
            items.append({"type": "message", "role": role, "content": _parts(content)})
        else:
            raise InvalidRequestError(f"message role {role!r} cannot be sent to /responses")
    return items


def _text_of(content: Any) -> str:
    if isinstance(content, str):
        return content
    return "".join(part.get("text") or "" for part in content or () if part.get("type") == "text")


def _parts(content: Any) -> str | list[dict[str, Any]]:
    if isinstance(content, str) or content is None:
        return content or ""
    parts: list[dict[str, Any]] = []
    for part in content:
        kind = part.get("type")
        if kind == "text":
            parts.append({"type": "input_text", "text": part.get("text") or ""})
        elif kind == "image_url":
            image = part.get("image_url") or {}
            url = image.get("url") if isinstance(image, Mapping) else image
            detail = image.get("detail") if isinstance(image, Mapping) else None
            parts.append({"type": "input_image", "image_url": url, "detail": detail or "auto"})
        elif kind == "file":
            file = dict(part.get("file") or {})
            data = file.get("file_data") or ""
            item: dict[str, Any] = {"type": "input_file"}
            item["file_data" if data.startswith("data:") else "file_url"] = data
            if file.get("filename"):
                item["filename"] = file["filename"]
            parts.append(item)
        elif kind == "input_audio":
            parts.append({"type": "input_audio", "input_audio": part.get("input_audio")})
        elif kind == "video_url":
            video = part.get("video_url") or {}
            parts.append({"type": "input_video", "video_url": video.get("url")})
        else:
            raise InvalidRequestError(f"a {kind!r} content part cannot be sent to /responses")
    return parts


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool.get("type") != "function":
        return dict(tool)  # server tools pass as they are
    function = tool.get("function") or {}
    out: dict[str, Any] = {"type": "function", "name": function.get("name")}
    for key in ("description", "parameters", "strict"):
        if function.get(key) is not None:
            out[key] = function[key]
    return out


def _tool_choice(choice: Any) -> Any:
    if isinstance(choice, Mapping) and choice.get("type") == "function":
        name = (choice.get("function") or {}).get("name") or choice.get("name")
        return {"type": "function", "name": name}
    return choice


def _text_format(fmt: Mapping[str, Any]) -> dict[str, Any]:
    kind = fmt.get("type")
    if kind == "json_schema":
        spec = fmt.get("json_schema") or {}
        out: dict[str, Any] = {"type": "json_schema", "name": spec.get("name") or "output"}
        for key in ("schema", "description", "strict"):
            if spec.get(key) is not None:
                out[key] = spec[key]
        return out
    return {"type": kind or "text"}


def chat_result_from_responses(result: ResponsesResult) -> ChatResult:
    """A :class:`ChatResult` holding what a ``/responses`` result said (see the module
    docs); ``attempts`` carried over."""
    calls = [
        {
            "id": call.call_id or call.id or "",
            "type": "function",
            "function": {"name": call.name or "", "arguments": call.arguments or ""},
        }
        for call in result.function_calls
    ]
    message: dict[str, Any] = {"role": "assistant", "content": result.text}
    if calls:
        message["tool_calls"] = calls
    if result.reasoning_text:
        message["reasoning"] = result.reasoning_text
    reasoning_items = [i for i in result.as_input_items() if i.get("type") == "reasoning"]
    if reasoning_items:
        message["reasoning_items"] = reasoning_items
    annotations = [a for m in result.messages for a in m.annotations]
    if annotations:
        message["annotations"] = annotations
    if result.refusal:
        message["refusal"] = result.refusal
    finish = "tool_calls" if calls else "length" if result.incomplete_reason else "stop"
    payload: dict[str, Any] = {
        "id": result.id,
        "object": result.object,
        "created": result.created_at,
        "model": result.model,
        "provider": result.provider,
        "choices": [{"index": 0, "message": message, "finish_reason": finish}],
    }
    usage = result.usage
    if usage is not None:
        payload["usage"] = {
            "prompt_tokens": usage.input_tokens,
            "completion_tokens": usage.output_tokens,
            "total_tokens": usage.total_tokens or usage.input_tokens + usage.output_tokens,
            "cost": usage.cost,
            "is_byok": usage.is_byok,
            "cost_details": usage.cost_details,
            "prompt_tokens_details": {"cached_tokens": usage.cached_tokens},
            "completion_tokens_details": {"reasoning_tokens": usage.reasoning_tokens},
        }
    chat = ChatResult.model_validate(payload)
    chat._attempts = result.attempts
    return chat
