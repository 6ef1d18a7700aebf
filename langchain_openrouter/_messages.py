"""LangChain messages to OpenRouter's chat format, and OpenRouter replies back.

Input: system / human / AI / tool messages; content may be a string or a list
of blocks in any of LangChain's formats (standard v1 blocks, the older v0 data
blocks, OpenAI Chat Completions parts, Anthropic-style blocks). Each block
becomes one OpenRouter content part (``text``, ``image_url``, ``file``,
``input_audio``, ``video_url``). An assistant turn's ``reasoning_details``
travel back unchanged, so multi-turn reasoning keeps working.

Output: a non-streamed :class:`~openrouter_core.ChatResult` becomes a LangChain
``ChatResult`` with text, tool calls, usage, reasoning and response metadata.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, cast

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    ChatMessage,
    HumanMessage,
    InvalidToolCall,
    SystemMessage,
    ToolCall,
    ToolMessage,
)
from langchain_core.messages.ai import InputTokenDetails, OutputTokenDetails, UsageMetadata
from langchain_core.messages.tool import invalid_tool_call, tool_call
from langchain_core.outputs import ChatGeneration, ChatResult as LCChatResult

from openrouter_core import ChatResult, Usage
from openrouter_core.content import (
    audio_format,
    data_url,
    file_part,
    reasoning_details_for_request,
    video_mime,
)
from openrouter_core.types.chat import ChatChoice, ResponseMessage, ResponseToolCall

__all__ = [
    "MODEL_PROVIDER",
    "content_to_parts",
    "message_to_openrouter",
    "parse_tool_calls",
    "result_to_chat_result",
    "to_openrouter_messages",
    "usage_to_metadata",
]

#: ``response_metadata["model_provider"]`` of every message this package makes.
MODEL_PROVIDER = "openrouter"

_ROLES = {"human": "user", "user": "user", "ai": "assistant", "assistant": "assistant"}
_ROLES.update({"system": "system", "developer": "developer", "tool": "tool"})

#: Blocks that describe an assistant's own output; they are not sent as content.
_ASSISTANT_ONLY = frozenset(
    {
        "tool_use",
        "tool_call",
        "tool_call_chunk",
        "invalid_tool_call",
        "server_tool_call",
        "server_tool_result",
        "thinking",
        "redacted_thinking",
        "reasoning",
        "function_call",
    }
)


# --------------------------------------------------------------------------- input


def to_openrouter_messages(messages: Sequence[BaseMessage]) -> list[dict[str, Any]]:
    """Convert a LangChain conversation into OpenRouter chat messages."""
    return [message_to_openrouter(m) for m in messages]


def message_to_openrouter(message: BaseMessage) -> dict[str, Any]:
    """One LangChain message as an OpenRouter message dict."""
    if isinstance(message, ChatMessage):
        role = _ROLES.get(message.role, message.role)
        if role == "assistant":
            out = _assistant_message(message)
        else:
            out = {"role": role, "content": content_to_parts(message.content)}
    elif isinstance(message, AIMessage):
        out = _assistant_message(message)
    elif isinstance(message, ToolMessage):
        out = {
            "role": "tool",
            "tool_call_id": message.tool_call_id,
            "content": content_to_parts(message.content),
        }
    elif isinstance(message, HumanMessage):
        out = {"role": "user", "content": content_to_parts(message.content)}
    elif isinstance(message, SystemMessage):
        out = {"role": "system", "content": content_to_parts(message.content)}
    else:
        raise TypeError(
            f"Got unknown type {type(message).__name__}: OpenRouter takes system, human, AI, "
            "tool and chat messages."
        )
    # A tool message's name is the tool's (already known by tool_call_id): not sent.
    name = message.additional_kwargs.get("name") or (
        message.name if out["role"] != "tool" else None
    )
    if isinstance(name, str) and name:
        out["name"] = name
    return out


def _assistant_message(message: AIMessage | ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    calls: list[dict[str, Any]] = []
    if isinstance(message, AIMessage):
        calls = [_tool_call_to_wire(c) for c in message.tool_calls]
        calls += [_invalid_call_to_wire(c) for c in message.invalid_tool_calls if c.get("id")]
    extra = message.additional_kwargs
    if not calls and extra.get("tool_calls"):
        calls = list(extra["tool_calls"])
    content = _assistant_content(message.content)
    out["content"] = content if content or not calls else None
    if calls:
        out["tool_calls"] = calls
    reasoning = extra.get("reasoning_content")
    if isinstance(reasoning, str) and reasoning:
        out["reasoning"] = reasoning
    details = extra.get("reasoning_details")
    if details:
        # Sent back as received (providers verify signatures and encrypted blobs), with
        # streamed fragments joined and response-scoped rs_ ids removed.
        out["reasoning_details"] = reasoning_details_for_request(details)
    elif isinstance(message.content, list):
        thinking = _thinking_to_reasoning_details(message.content)
        if thinking:
            out["reasoning_details"] = thinking
    return out


def _assistant_content(content: str | list[str | dict[Any, Any]]) -> str | list[dict[str, Any]]:
    """An assistant turn's content: a string as is; a list keeps its text blocks with
    their extra keys (``cache_control``...), as the official package sends it, or
    ``""`` when it has none. Other blocks (reasoning, tool calls, images of the
    reply) are not sent as content."""
    if isinstance(content, str):
        return content
    blocks: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            if block:
                blocks.append({"type": "text", "text": block})
        elif block.get("type") == "text" and isinstance(block.get("text"), str):
            blocks.append({k: v for k, v in block.items() if k not in ("id", "annotations")})
    return blocks or ""


def _thinking_to_reasoning_details(content: list[Any]) -> list[dict[str, Any]]:
    """Anthropic ``thinking`` blocks (with their signature) as ``reasoning_details``."""
    details: list[dict[str, Any]] = []
    for block in content:
        if not isinstance(block, dict):
            continue
        kind = block.get("type")
        if kind == "thinking" and block.get("thinking"):
            detail = {"type": "reasoning.text", "text": block["thinking"]}
            if block.get("signature"):
                detail["signature"] = block["signature"]
            detail["format"] = "anthropic-claude-v1"
            details.append(detail)
        elif kind == "redacted_thinking" and block.get("data"):
            details.append(
                {
                    "type": "reasoning.encrypted",
                    "data": block["data"],
                    "format": "anthropic-claude-v1",
                }
            )
    return details


def _tool_call_to_wire(call: ToolCall) -> dict[str, Any]:
    return {
        "id": call.get("id") or "",
        "type": "function",
        "function": {
            "name": call["name"],
            "arguments": json.dumps(call.get("args") or {}, ensure_ascii=False),
        },
    }


def _invalid_call_to_wire(call: InvalidToolCall) -> dict[str, Any]:
    return {
        "id": call.get("id") or "",
        "type": "function",
        "function": {"name": call.get("name") or "", "arguments": call.get("args") or ""},
    }


def content_to_parts(content: str | list[str | dict[Any, Any]]) -> str | list[dict[str, Any]]:
    """Message content as OpenRouter content: a string, or a list of parts."""
    if isinstance(content, str):
        return content
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
            continue
        part = block_to_part(block)
        if part is not None:
            parts.append(part)
    return parts


def block_to_part(block: dict[str, Any]) -> dict[str, Any] | None:
    """One content block as an OpenRouter part (``None`` for blocks that are not input)."""
    kind = block.get("type")
    if kind == "text":
        part: dict[str, Any] = {"type": "text", "text": block.get("text") or ""}
        if "cache_control" in block:
            part["cache_control"] = block["cache_control"]
        return part
    if kind == "image_url":
        image = block["image_url"]
        return {
            "type": "image_url",
            "image_url": {"url": image} if isinstance(image, str) else image,
        }
    if kind in ("input_audio", "video_url") or (kind == "file" and "file" in block):
        # Already OpenRouter-shaped; keep only the payload (not LangChain's block ids).
        return {"type": kind, kind: block[kind]}
    if kind == "text-plain":
        return {"type": "text", "text": block.get("text") or _decoded_text(block)}
    if kind == "non_standard":
        value = block.get("value")
        return dict(value) if isinstance(value, dict) else None
    if kind in ("image", "file", "document", "audio", "video"):
        return _data_block_to_part(kind, block)
    if kind in _ASSISTANT_ONLY:
        return None
    raise ValueError(
        f"Unsupported content block type {kind!r}. Use text, image, file, audio or video "
        "blocks (LangChain standard content blocks) or OpenAI-style parts."
    )


def _decoded_text(block: dict[str, Any]) -> str:
    import base64

    data = block.get("base64") or block.get("data") or ""
    return base64.b64decode(data).decode("utf-8", errors="replace") if data else ""


def _source_of(block: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """``(url, base64_data, mime_type)`` of a data block in any LangChain format."""
    mime = block.get("mime_type")
    source = block.get("source")
    if isinstance(source, dict):  # Anthropic style
        if source.get("type") == "base64":
            return None, source.get("data"), source.get("media_type") or mime
        if source.get("type") == "url":
            return source.get("url"), None, mime
    source_type = block.get("source_type")  # v0 data blocks
    if source_type == "url":
        return block.get("url"), None, mime
    if source_type == "base64":
        return None, block.get("data"), mime
    if block.get("base64"):
        return None, block["base64"], mime
    if block.get("url"):
        return block["url"], None, mime
    if block.get("file_id") or source_type == "id":
        raise ValueError(
            "OpenRouter does not accept uploaded-file ids; pass the data as base64 or a URL."
        )
    raise ValueError(f"A {block.get('type')!r} block needs a url or base64 data")


def _data_block_to_part(kind: str, block: dict[str, Any]) -> dict[str, Any]:
    url, data, mime = _source_of(block)
    if kind == "image":
        return {"type": "image_url", "image_url": {"url": url or data_url(data or "", mime, kind)}}
    if kind in ("file", "document"):
        filename = (
            block.get("filename")
            or (block.get("extras") or {}).get("filename")
            or (block.get("metadata") or {}).get("filename")
            or block.get("title")
        )
        file_data = url or data_url(data or "", mime or "application/octet-stream", kind)
        return file_part(file_data, filename)
    if kind == "audio":
        if data is None:
            raise ValueError("OpenRouter takes audio as base64 data, not a URL")
        return {
            "type": "input_audio",
            "input_audio": {"data": data, "format": audio_format(mime)},
        }
    # video: base64 without a MIME type is taken as MP4
    return {
        "type": "video_url",
        "video_url": {"url": url or data_url(data or "", video_mime(mime))},
    }


# --------------------------------------------------------------------------- output


def parse_tool_calls(
    raw_calls: Sequence[ResponseToolCall],
) -> tuple[list[ToolCall], list[InvalidToolCall]]:
    """Tool calls of a reply; calls whose arguments are not a JSON object are invalid."""
    valid: list[ToolCall] = []
    invalid: list[InvalidToolCall] = []
    for raw in raw_calls:
        name = raw.function.name or ""
        arguments = raw.function.arguments or ""
        try:
            args = json.loads(arguments) if arguments.strip() else {}
        except ValueError as exc:
            invalid.append(invalid_tool_call(name=name, args=arguments, id=raw.id, error=str(exc)))
            continue
        if not isinstance(args, dict):
            error = f"arguments must be a JSON object, got {type(args).__name__}"
            invalid.append(invalid_tool_call(name=name, args=arguments, id=raw.id, error=error))
            continue
        valid.append(tool_call(name=name, args=args, id=raw.id))
    return valid, invalid


def usage_to_metadata(usage: Usage) -> UsageMetadata:
    """OpenRouter usage as LangChain ``UsageMetadata`` (cache and reasoning details included)."""
    # A plain dict, cast at the end: langchain-core marks the detail keys with
    # ``typing.NotRequired``, which type checkers targeting Python 3.10 do not read.
    metadata: dict[str, Any] = {
        "input_tokens": usage.prompt_tokens,
        "output_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens or usage.prompt_tokens + usage.completion_tokens,
    }
    prompt = usage.prompt_tokens_details
    if prompt is not None:
        inputs = InputTokenDetails()
        if prompt.cached_tokens is not None:
            inputs["cache_read"] = prompt.cached_tokens
        if prompt.cache_write_tokens is not None:
            inputs["cache_creation"] = prompt.cache_write_tokens
        if prompt.audio_tokens is not None:
            inputs["audio"] = prompt.audio_tokens
        if inputs:
            metadata["input_token_details"] = inputs
    completion = usage.completion_tokens_details
    if completion is not None:
        outputs = OutputTokenDetails()
        if completion.reasoning_tokens is not None:
            outputs["reasoning"] = completion.reasoning_tokens
        if completion.audio_tokens is not None:
            outputs["audio"] = completion.audio_tokens
        if outputs:
            metadata["output_token_details"] = outputs
    return cast("UsageMetadata", metadata)


#: Reply-message fields that go to ``additional_kwargs``, and the key each goes under.
_MESSAGE_EXTRAS = (
    ("reasoning", "reasoning_content"),
    ("reasoning_details", "reasoning_details"),
    ("refusal", "refusal"),
    ("annotations", "annotations"),
    ("images", "images"),
    ("audio", "audio"),
    ("reasoning_items", "reasoning_items"),
)


def message_extras(wire: ResponseMessage) -> dict[str, Any]:
    """The ``additional_kwargs`` of a reply message: what it says beside text and tool calls."""
    extras: dict[str, Any] = {}
    for field, key in _MESSAGE_EXTRAS:
        value = getattr(wire, field, None)
        if value:
            extras[key] = value
    return extras


def choice_metadata(
    result: ChatResult, choice: ChatChoice
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The ``response_metadata`` and ``generation_info`` of one choice of a reply
    (shared by invoke and the last chunk of a stream), from the core's summary of
    the reply: only what the reply carried (``cost`` only when sent, and so on)."""
    summary = result.summary(choice.index if choice.index < len(result.choices) else 0)
    metadata: dict[str, Any] = {
        "model_provider": MODEL_PROVIDER,
        "model_name": summary.pop("model", None) or "",
        **summary,
    }
    info: dict[str, Any] = {"finish_reason": choice.finish_reason}
    if choice.logprobs:
        metadata["logprobs"] = info["logprobs"] = choice.logprobs
    return metadata, info


def result_to_chat_result(result: ChatResult) -> LCChatResult:
    """A complete OpenRouter reply as a LangChain ``ChatResult`` (one generation a choice)."""
    usage = usage_to_metadata(result.usage) if result.usage is not None else None
    generations = []
    for choice in result.choices:
        wire = choice.message
        additional = message_extras(wire)
        calls, invalid = parse_tool_calls(wire.tool_calls or ())
        metadata, info = choice_metadata(result, choice)
        fields: dict[str, Any] = {}  # only what is there: each field given costs validation
        if additional:
            fields["additional_kwargs"] = additional
        if calls:
            fields["tool_calls"] = calls
        if invalid:
            fields["invalid_tool_calls"] = invalid
        message = AIMessage(
            content=wire.content or "",
            usage_metadata=usage,
            response_metadata=metadata,
            id=result.id,
            **fields,
        )
        generations.append(ChatGeneration(message=message, generation_info=info))
    llm_output: dict[str, Any] = {
        "model_name": result.model,
        "model_provider": MODEL_PROVIDER,
        "id": result.id,
        "provider": result.provider,
    }
    if result.created is not None:
        llm_output["created"] = result.created
    if result.object:
        llm_output["object"] = result.object
    if usage is not None:
        llm_output["token_usage"] = dict(usage)
    return LCChatResult(generations=generations, llm_output=llm_output)
