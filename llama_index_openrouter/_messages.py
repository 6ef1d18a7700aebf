"""LlamaIndex ``ChatMessage``\\ s to OpenRouter's chat format, and OpenRouter replies back.

Input: every LlamaIndex role and content block. Text, image, audio, video and
document blocks become OpenRouter content parts (``text``, ``image_url``,
``input_audio``, ``video_url``, ``file``); a ``CachePoint`` marks the part before
it with ``cache_control``; an assistant turn's ``ToolCallBlock``\\ s become
``tool_calls`` and its reasoning (``reasoning_details`` as received, else the
``ThinkingBlock`` text) travels back so multi-turn reasoning keeps working.

Output: a :class:`~openrouter_core.ChatResult` becomes a ``ChatResponse`` whose
message holds a ``ThinkingBlock`` (reasoning), a ``TextBlock`` and one
``ToolCallBlock`` per tool call; usage, cost, the serving model and the fallback
attempts go into ``ChatResponse.additional_kwargs``. Streams are converted in
:mod:`._streaming`.
"""

from __future__ import annotations

import json
import mimetypes
from collections.abc import Sequence
from typing import Any

from llama_index.core.base.llms.types import (
    AudioBlock,
    CachePoint,
    ChatMessage,
    ChatResponse,
    CitableBlock,
    CompletionResponse,
    DocumentBlock,
    ImageBlock,
    LogProb,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
    VideoBlock,
)
from llama_index.core.llms.utils import parse_partial_json

from openrouter_core import ChatResult
from openrouter_core.content import audio_format

from ._reply_blocks import reply_blocks

__all__ = [
    "logprobs_of",
    "parse_tool_kwargs",
    "result_info",
    "result_to_chat_response",
    "result_to_completion_response",
    "to_openrouter_message",
    "to_openrouter_messages",
    "tool_block",
]

_ROLES = {
    MessageRole.SYSTEM: "system",
    MessageRole.DEVELOPER: "developer",
    MessageRole.USER: "user",
    MessageRole.ASSISTANT: "assistant",
    MessageRole.CHATBOT: "assistant",
    MessageRole.MODEL: "assistant",
    MessageRole.TOOL: "tool",
    MessageRole.FUNCTION: "tool",
}
_ASSISTANT = MessageRole.ASSISTANT


# --------------------------------------------------------------------------- input


def to_openrouter_messages(messages: Sequence[ChatMessage]) -> list[dict[str, Any]]:
    """A LlamaIndex conversation as OpenRouter chat messages."""
    return [to_openrouter_message(m) for m in messages]


def to_openrouter_message(message: ChatMessage) -> dict[str, Any]:
    """One ``ChatMessage`` as an OpenRouter message dict."""
    role = _ROLES.get(message.role)
    if role is None:
        raise ValueError(f"OpenRouter cannot take a message with role {message.role!r}")
    extra = message.additional_kwargs
    if role == "assistant":
        return _assistant_message(message)
    out: dict[str, Any] = {"role": role, "content": _content(message.blocks)}
    if role == "tool":
        call_id = extra.get("tool_call_id")
        if not call_id:
            raise ValueError(
                "A tool message needs additional_kwargs['tool_call_id'] (the id of the "
                "assistant's tool call it answers)."
            )
        out["tool_call_id"] = str(call_id)
    name = extra.get("name")
    if isinstance(name, str) and name:
        out["name"] = name
    return out


def _content(blocks: Sequence[Any]) -> str | list[dict[str, Any]]:
    """Message content: a plain string for a single text block, else a list of parts."""
    if len(blocks) == 1 and isinstance(blocks[0], TextBlock):
        return blocks[0].text
    if not blocks:
        return ""
    parts: list[dict[str, Any]] = []
    for block in blocks:
        _add_part(block, parts)
    return parts


def _add_part(block: Any, parts: list[dict[str, Any]]) -> None:
    if isinstance(block, TextBlock):
        parts.append({"type": "text", "text": block.text})
    elif isinstance(block, ImageBlock):
        parts.append(_image_part(block))
    elif isinstance(block, DocumentBlock):
        parts.append(_document_part(block))
    elif isinstance(block, AudioBlock):
        parts.append(_audio_part(block))
    elif isinstance(block, VideoBlock):
        url = _plain_url(block.url, block.video, block.path) or block.inline_url()
        parts.append({"type": "video_url", "video_url": {"url": url}})
    elif isinstance(block, CachePoint):
        if parts:
            control: dict[str, Any] = {"type": block.cache_control.type}
            if block.cache_control.ttl and block.cache_control.ttl != "5m":
                control["ttl"] = block.cache_control.ttl
            parts[-1]["cache_control"] = control
    elif isinstance(block, CitableBlock):
        for inner in block.content:
            _add_part(inner, parts)
    # Thinking, tool-call and citation blocks describe a reply; they are not input.


def _plain_url(url: Any, data: Any, path: Any) -> str | None:
    """The block's URL when the block holds nothing else (so nothing is fetched)."""
    if url is not None and not data and path is None:
        return str(url)
    return None


def _image_part(block: ImageBlock) -> dict[str, Any]:
    url = _plain_url(block.url, block.image, block.path)
    if url is None:
        if not block.image_mimetype:
            raise ValueError("An ImageBlock with data needs an image_mimetype")
        url = block.inline_url()
    image: dict[str, Any] = {"url": url}
    if block.detail:
        image["detail"] = block.detail
    return {"type": "image_url", "image_url": image}


def _document_part(block: DocumentBlock) -> dict[str, Any]:
    data = _plain_url(block.url, block.data, block.path) or block.inline_url()
    filename = block.title or "document"
    if "." not in filename and block.document_mimetype:
        filename += mimetypes.guess_extension(block.document_mimetype) or ""
    return {"type": "file", "file": {"filename": filename, "file_data": data}}


def _audio_part(block: AudioBlock) -> dict[str, Any]:
    url = _plain_url(block.url, block.audio, block.path)
    if url is not None:
        if not url.startswith("data:"):
            raise ValueError(
                "OpenRouter takes audio as base64 data, not a URL: pass the bytes "
                "(AudioBlock(audio=...)) or a path."
            )
        header, _, data = url.partition(",")
        fmt = block.format or audio_format(header[5:])
    else:
        data = block.resolve_audio(as_base64=True).read().decode("ascii")
        fmt = block.format or "wav"
    return {"type": "input_audio", "input_audio": {"data": data, "format": fmt}}


def _assistant_message(message: ChatMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"role": "assistant"}
    texts: list[str] = []
    calls: list[dict[str, Any]] = []
    thinking: list[ThinkingBlock] = []
    for block in message.blocks:
        if isinstance(block, TextBlock):
            texts.append(block.text)
        elif isinstance(block, ToolCallBlock):
            calls.append(_tool_call_to_wire(block))
        elif isinstance(block, ThinkingBlock):
            thinking.append(block)
    extra = message.additional_kwargs
    if not calls and extra.get("tool_calls"):
        calls = [_legacy_tool_call(c) for c in extra["tool_calls"]]
    text = "".join(texts)
    out["content"] = text if text or not calls else None
    if calls:
        out["tool_calls"] = calls
    details = extra.get("reasoning_details")
    if not details:
        details = [
            d
            for block in thinking
            for d in block.additional_information.get("reasoning_details") or ()
        ]
    if details:
        # Providers verify these (signatures, encrypted blobs): send them back as received.
        out["reasoning_details"] = details
    else:
        reasoning = "".join(b.content or "" for b in thinking)
        if reasoning:
            out["reasoning"] = reasoning
    name = extra.get("name")
    if isinstance(name, str) and name:
        out["name"] = name
    return out


def _tool_call_to_wire(block: ToolCallBlock) -> dict[str, Any]:
    kwargs = block.tool_kwargs
    arguments = kwargs if isinstance(kwargs, str) else json.dumps(kwargs, ensure_ascii=False)
    return {
        "id": block.tool_call_id or "",
        "type": "function",
        "function": {"name": block.tool_name, "arguments": arguments},
    }


def _legacy_tool_call(call: Any) -> dict[str, Any]:
    """An OpenAI-style tool call from ``additional_kwargs['tool_calls']`` (dict or object)."""
    if hasattr(call, "model_dump"):
        call = call.model_dump()
    function = call.get("function") or {}
    arguments = function.get("arguments")
    if not isinstance(arguments, str):
        arguments = json.dumps(arguments or {}, ensure_ascii=False)
    return {
        "id": call.get("id") or "",
        "type": "function",
        "function": {"name": function.get("name") or "", "arguments": arguments},
    }


# --------------------------------------------------------------------------- output


def parse_tool_kwargs(arguments: str) -> dict[str, Any]:
    """Tool-call arguments as a dict; partial JSON (mid-stream) is completed, anything
    that is not a JSON object gives ``{}``."""
    if not arguments.strip():
        return {}
    try:
        value = json.loads(arguments)
    except ValueError:
        try:
            value = parse_partial_json(arguments)
        except ValueError:
            return {}
    return value if isinstance(value, dict) else {}


def tool_block(call_id: str | None, name: str, arguments: str, *, final: bool) -> ToolCallBlock:
    kwargs: dict[str, Any] | str = arguments
    if final:
        try:
            value = json.loads(arguments) if arguments.strip() else {}
        except ValueError:
            value = None
        if isinstance(value, dict):
            kwargs = value
    return ToolCallBlock.model_construct(tool_call_id=call_id, tool_name=name, tool_kwargs=kwargs)


def _message(
    content: str,
    reasoning: str | None,
    details: list[dict[str, Any]] | None,
    tool_blocks: list[ToolCallBlock],
    additional: dict[str, Any],
    reasoning_tokens: int | None = None,
    extra_blocks: Sequence[Any] = (),
) -> ChatMessage:
    blocks: list[Any] = []
    if reasoning or details:
        info: dict[str, Any] = {"reasoning_details": details} if details else {}
        blocks.append(
            ThinkingBlock.model_construct(
                content=reasoning, num_tokens=reasoning_tokens, additional_information=info
            )
        )
    if content or not tool_blocks:
        blocks.append(TextBlock.model_construct(text=content))
    blocks.extend(extra_blocks)
    blocks.extend(tool_blocks)
    return ChatMessage.model_construct(role=_ASSISTANT, blocks=blocks, additional_kwargs=additional)


def result_info(result: ChatResult) -> dict[str, Any]:
    """Usage, cost, the serving model and the route of a reply (``additional_kwargs``),
    from the core's summary of the reply plus the token counts."""
    info = result.summary()
    info.setdefault("model", result.model)
    usage = result.usage
    if usage is not None:
        info["prompt_tokens"] = usage.prompt_tokens
        info["completion_tokens"] = usage.completion_tokens
        info["total_tokens"] = usage.total_tokens or usage.prompt_tokens + usage.completion_tokens
        info["reasoning_tokens"] = usage.reasoning_tokens
        info["cached_tokens"] = usage.cached_tokens
        info["cache_write_tokens"] = usage.cache_write_tokens
    return info


def logprobs_of(tokens: Any) -> list[list[LogProb]]:
    """OpenAI-style ``logprobs.content`` entries as LlamaIndex logprobs: one list per
    token holding its ``top_logprobs`` alternatives (tokens without alternatives are
    left out, so ``logprobs=True`` without ``top_logprobs`` gives ``[]``), the shape
    ``llama-index-llms-openai`` gives."""
    out: list[list[LogProb]] = []
    for token in tokens or ():
        if not isinstance(token, dict):
            continue
        alternatives = [
            LogProb.model_construct(
                token=str(alt.get("token") or ""),
                logprob=float(alt.get("logprob") or 0.0),
                bytes=list(alt.get("bytes") or ()),
            )
            for alt in token.get("top_logprobs") or ()
            if isinstance(alt, dict)
        ]
        if alternatives:
            out.append(alternatives)
    return out


def _result_logprobs(result: ChatResult) -> list[list[LogProb]] | None:
    """``None`` unless the reply carries token logprobs."""
    if not result.choices:
        return None
    tokens = (result.choices[0].logprobs or {}).get("content")
    return logprobs_of(tokens) if tokens else None


def _result_message(result: ChatResult) -> ChatMessage:
    if not result.choices:
        return _message("", None, None, [], {})
    wire = result.choices[0].message
    additional: dict[str, Any] = {}
    tool_blocks: list[ToolCallBlock] = []
    if wire.tool_calls:
        raw_calls = []
        invalid = []
        for call in wire.tool_calls:
            name, arguments = call.function.name or "", call.function.arguments or ""
            block = tool_block(call.id, name, arguments, final=True)
            tool_blocks.append(block)
            if isinstance(block.tool_kwargs, str):
                # Kept as received (the model's exact text), and said so.
                invalid.append(
                    {
                        "id": call.id,
                        "name": name,
                        "args": arguments,
                        "error": "the arguments are not valid JSON (an object was expected)",
                    }
                )
            raw_calls.append(
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }
            )
        additional["tool_calls"] = raw_calls
        if invalid:
            additional["invalid_tool_calls"] = invalid
    if wire.reasoning_details:
        additional["reasoning_details"] = wire.reasoning_details
    for key in ("refusal", "annotations", "audio"):
        value = getattr(wire, key)
        if value:
            additional[key] = value
    # Not ``additional_kwargs["images"]``: LlamaIndex reads that key as a list of
    # ``ImageDocument``\ s (and fails on anything else). The images become
    # ``ImageBlock``\ s; the raw list stays in ``response.raw``.
    extra_blocks = reply_blocks(wire.annotations, wire.images)
    usage = result.usage
    return _message(
        wire.content or "",
        wire.reasoning,
        wire.reasoning_details,
        tool_blocks,
        additional,
        usage.reasoning_tokens or None if usage is not None else None,
        extra_blocks,
    )


def result_to_chat_response(result: ChatResult) -> ChatResponse:
    """A complete reply as a ``ChatResponse`` (``raw`` is the :class:`ChatResult`)."""
    return ChatResponse(
        message=_result_message(result),
        raw=result,
        logprobs=_result_logprobs(result),
        additional_kwargs=result_info(result),
    )


def result_to_completion_response(result: ChatResult) -> CompletionResponse:
    """A complete reply as a ``CompletionResponse``."""
    return CompletionResponse(
        text=result.text,
        raw=result,
        logprobs=_result_logprobs(result),
        additional_kwargs=result_info(result),
    )
