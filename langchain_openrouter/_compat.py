"""The module-level helpers of the official ``langchain-openrouter``, by the same
names and with the same behaviour, for code (and tests) written against them.

They are thin: each runs on this package's own conversions (:mod:`._messages`,
the core's reply models), so there is one implementation of each rule.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from typing import Any, cast

from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    BaseMessageChunk,
    ChatMessage,
    ChatMessageChunk,
    HumanMessage,
    HumanMessageChunk,
    SystemMessage,
    SystemMessageChunk,
    ToolMessage,
    ToolMessageChunk,
)
from langchain_core.messages.ai import UsageMetadata
from langchain_core.messages.tool import tool_call_chunk

from openrouter_core.types.chat import ResponseToolCall

from ._messages import MODEL_PROVIDER, block_to_part, message_to_openrouter, parse_tool_calls

__all__ = [
    "_convert_chunk_to_message_chunk",
    "_convert_dict_to_message",
    "_convert_file_block_to_openrouter",
    "_convert_message_to_dict",
    "_convert_video_block_to_openrouter",
    "_create_stream_generation_info",
    "_create_usage_metadata",
    "_format_message_content",
]

_DATA_BLOCKS = frozenset({"image", "file", "audio", "video", "text-plain", "document"})


def _convert_message_to_dict(message: BaseMessage) -> dict[str, Any]:
    """A LangChain message as an OpenRouter message dict."""
    return message_to_openrouter(message)


def _format_message_content(content: Any) -> Any:
    """A user turn's content: LangChain data blocks (image, file, audio, video) become
    OpenRouter parts; strings, ``None`` and other blocks are left as they are."""
    if not isinstance(content, list) or not content:
        return content
    formatted: list[Any] = []
    for block in content:
        if (
            isinstance(block, dict)
            and block.get("type") in _DATA_BLOCKS
            and ("source_type" in block or {"url", "base64", "data", "file_id"} & block.keys())
        ):
            formatted.append(block_to_part(block))
        else:
            formatted.append(block)
    return formatted


def _convert_file_block_to_openrouter(block: dict[str, Any]) -> dict[str, Any]:
    """A LangChain ``file`` block as an OpenRouter ``file`` part."""
    part = block_to_part({**block, "type": "file"})
    assert part is not None
    return part


def _convert_video_block_to_openrouter(block: dict[str, Any]) -> dict[str, Any]:
    """A LangChain ``video`` block as an OpenRouter ``video_url`` part (base64 without a
    MIME type is taken as MP4)."""
    part = block_to_part({**block, "type": "video"})
    assert part is not None
    return part


def _as_int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _create_usage_metadata(usage: Mapping[str, Any]) -> UsageMetadata:
    """OpenRouter (or OpenAI-named) token counts as LangChain ``UsageMetadata``: counts
    cast to int, an explicit 0 kept, a missing total summed, details only when sent."""
    prompt = usage.get("prompt_tokens")
    completion = usage.get("completion_tokens")
    inputs = _as_int(prompt if prompt is not None else usage.get("input_tokens")) or 0
    outputs = _as_int(completion if completion is not None else usage.get("output_tokens")) or 0
    total = usage.get("total_tokens")
    metadata: dict[str, Any] = {
        "input_tokens": inputs,
        "output_tokens": outputs,
        "total_tokens": int(total) if total is not None else inputs + outputs,
    }
    prompt_details = usage.get("prompt_tokens_details") or usage.get("input_tokens_details") or {}
    found = {
        "cache_read": prompt_details.get("cached_tokens"),
        "cache_creation": prompt_details.get("cache_write_tokens"),
    }
    input_details = {k: int(v) for k, v in found.items() if v is not None}
    if input_details:
        metadata["input_token_details"] = input_details
    completion_details = (
        usage.get("completion_tokens_details") or usage.get("output_tokens_details") or {}
    )
    reasoning = completion_details.get("reasoning_tokens")
    if reasoning is not None:
        metadata["output_token_details"] = {"reasoning": int(reasoning)}
    return cast("UsageMetadata", metadata)


def _convert_dict_to_message(message: Mapping[str, Any]) -> BaseMessage:
    """An OpenRouter reply message (a dict) as a LangChain message."""
    role = message.get("role")
    content = message.get("content") or ""
    if role is None:
        raise ValueError(
            "OpenRouter response message is missing the 'role' field. "
            f"Message keys: {sorted(message)}"
        )
    if role == "user":
        return HumanMessage(content=content)
    if role == "system":
        return SystemMessage(content=content)
    if role == "tool":
        extra = {"name": message["name"]} if message.get("name") else {}
        return ToolMessage(
            content=content, tool_call_id=message.get("tool_call_id") or "", additional_kwargs=extra
        )
    if role != "assistant":
        warnings.warn(
            f"Unrecognized message role '{role}' from OpenRouter. Falling back to ChatMessage.",
            UserWarning,
            stacklevel=2,
        )
        return ChatMessage(content=content, role=role)
    additional: dict[str, Any] = {}
    if message.get("reasoning"):
        additional["reasoning_content"] = message["reasoning"]
    if message.get("reasoning_details"):
        additional["reasoning_details"] = message["reasoning_details"]
    raw_calls = [ResponseToolCall.model_validate(c) for c in message.get("tool_calls") or ()]
    valid, invalid = parse_tool_calls(raw_calls)
    return AIMessage(
        content=content,
        id=message.get("id"),
        additional_kwargs=additional,
        tool_calls=valid,
        invalid_tool_calls=invalid,
        response_metadata={"model_provider": MODEL_PROVIDER},
    )


def _convert_chunk_to_message_chunk(
    chunk: Mapping[str, Any], default_class: type[BaseMessageChunk]
) -> BaseMessageChunk:
    """The first choice's delta of a streamed chunk (a dict) as a message chunk."""
    choices = chunk.get("choices") or [{}]
    delta = choices[0].get("delta") or {}
    role = delta.get("role")
    content = delta.get("content") or ""
    if role == "user" or default_class is HumanMessageChunk:
        return HumanMessageChunk(content=content)
    if role == "assistant" or default_class is AIMessageChunk:
        additional: dict[str, Any] = {}
        if delta.get("reasoning"):
            additional["reasoning_content"] = delta["reasoning"]
        if delta.get("reasoning_details"):
            additional["reasoning_details"] = delta["reasoning_details"]
        pieces = []
        for raw in delta.get("tool_calls") or ():
            try:
                function = raw["function"]
                pieces.append(
                    tool_call_chunk(
                        name=function.get("name"),
                        args=function.get("arguments"),
                        id=raw.get("id"),
                        index=raw["index"],
                    )
                )
            except (KeyError, TypeError, AttributeError):
                warnings.warn(
                    "Skipping malformed tool call chunk during streaming: unexpected "
                    f"structure in {raw!r}.",
                    UserWarning,
                    stacklevel=2,
                )
        extra: dict[str, Any] = {}
        usage = chunk.get("usage")
        if usage:
            extra["usage_metadata"] = _create_usage_metadata(usage)
        return AIMessageChunk(
            content=content,
            additional_kwargs=additional,
            tool_call_chunks=pieces,
            response_metadata={"model_provider": MODEL_PROVIDER},
            **extra,
        )
    if role == "system" or default_class is SystemMessageChunk:
        return SystemMessageChunk(content=content)
    if role == "tool" or default_class is ToolMessageChunk:
        return ToolMessageChunk(content=content, tool_call_id=delta.get("tool_call_id") or "")
    if role:
        warnings.warn(
            f"Unrecognized streaming chunk role '{role}' from OpenRouter. "
            "Falling back to ChatMessageChunk.",
            UserWarning,
            stacklevel=2,
        )
        return ChatMessageChunk(content=content, role=role)
    return default_class(content=content)  # type: ignore[call-arg]


def _create_stream_generation_info(
    chunk: Mapping[str, Any], choice: Mapping[str, Any], model_name: str
) -> dict[str, Any]:
    """What a stream's terminal chunk says about the reply (its generation info)."""
    info: dict[str, Any] = {
        "finish_reason": choice.get("finish_reason"),
        "model_name": chunk.get("model") or model_name,
    }
    for key in ("provider", "system_fingerprint", "id", "object"):
        if chunk.get(key):
            info[key] = chunk[key]
    if choice.get("native_finish_reason"):
        info["native_finish_reason"] = choice["native_finish_reason"]
    if chunk.get("created"):
        info["created"] = int(chunk["created"])
    return info
