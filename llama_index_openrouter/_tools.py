"""Tool calling: LlamaIndex tools as OpenRouter tool schemas, ``tool_choice``, and the
tool calls of a reply as ``ToolSelection``\\ s."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from llama_index.core.base.llms.types import ChatMessage, ChatResponse, MessageRole, ToolCallBlock
from llama_index.core.llms.llm import ToolSelection

from ._messages import parse_tool_kwargs

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = [
    "keep_first_tool_call",
    "prepare_tool_kwargs",
    "tool_choice",
    "tool_selections",
    "tool_specs",
]


def tool_specs(tools: Sequence[BaseTool], strict: bool | None) -> list[dict[str, Any]]:
    """OpenRouter function-tool schemas; ``strict`` (when not ``None``) is stamped on
    each, and a strict schema is closed (``additionalProperties: false``)."""
    specs = []
    for tool in tools:
        spec = tool.metadata.to_openai_tool(skip_length_check=True)
        if strict is not None:
            spec["function"]["strict"] = strict
            if strict:
                spec["function"]["parameters"]["additionalProperties"] = False
        specs.append(spec)
    return specs


def tool_choice(choice: str | dict[str, Any] | None, required: bool) -> str | dict[str, Any]:
    """``tool_choice`` as sent: ``None`` means ``"required"`` if a tool must be called,
    else ``"auto"``; a tool name becomes the object that forces that tool."""
    if choice is None:
        return "required" if required else "auto"
    if isinstance(choice, dict) or choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def prepare_tool_kwargs(
    tools: Sequence[BaseTool],
    user_msg: str | ChatMessage | None,
    chat_history: list[ChatMessage] | None,
    *,
    strict: bool | None,
    choice: str | dict[str, Any] | None,
    required: bool,
    parallel: bool,
    **kwargs: Any,
) -> dict[str, Any]:
    """The ``chat`` keywords of a tool-calling turn: the messages (a copy of
    ``chat_history`` plus ``user_msg``), the tool schemas, ``tool_choice`` and
    ``parallel_tool_calls``; without tools, ``tools`` and ``tool_choice`` are ``None``
    (nothing is sent)."""
    messages = list(chat_history or [])
    if user_msg is not None:
        if isinstance(user_msg, str):
            user_msg = ChatMessage(role=MessageRole.USER, content=user_msg)
        messages.append(user_msg)
    specs = tool_specs(tools, strict)
    prepared: dict[str, Any] = {
        "messages": messages,
        **kwargs,
        "tools": specs or None,
        "tool_choice": tool_choice(choice, required) if specs else None,
    }
    if specs:
        prepared["parallel_tool_calls"] = parallel
    return prepared


def keep_first_tool_call(message: ChatMessage) -> None:
    """Drop every tool call of ``message`` but the first (no parallel tool calls)."""
    calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    if len(calls) <= 1:
        return
    first = calls[0]
    message.blocks = [b for b in message.blocks if not isinstance(b, ToolCallBlock) or b is first]
    raw = message.additional_kwargs.get("tool_calls")
    if raw:
        message.additional_kwargs["tool_calls"] = raw[:1]


def tool_selections(response: ChatResponse, model: str) -> list[ToolSelection]:
    """The tool calls of a reply; arguments that are not a JSON object give ``{}``
    (with a ``UserWarning`` when the reply listed them as invalid)."""
    invalid = {
        c.get("id") for c in response.message.additional_kwargs.get("invalid_tool_calls") or ()
    }
    selections = []
    for block in response.message.blocks:
        if not isinstance(block, ToolCallBlock):
            continue
        arguments = block.tool_kwargs
        if isinstance(arguments, dict):
            parsed = arguments
        elif block.tool_call_id in invalid:
            warnings.warn(
                f"The arguments of {model}'s call to {block.tool_name!r} are not "
                f"valid JSON: {arguments[:200]!r}; the tool gets no arguments. The raw "
                "text is in message.additional_kwargs['invalid_tool_calls'].",
                UserWarning,
                stacklevel=3,
            )
            parsed = {}
        else:
            parsed = parse_tool_kwargs(arguments)
        selections.append(
            ToolSelection(
                tool_id=block.tool_call_id or "", tool_name=block.tool_name, tool_kwargs=parsed
            )
        )
    return selections
