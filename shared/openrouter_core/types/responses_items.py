r"""The parts of a ``/responses`` request: content parts, input items, tools, text
format and reasoning settings (``TypedDict``\ s, validated by
:class:`~openrouter_core.types.responses.ResponsesRequest`)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    with_config,
)
from typing_extensions import NotRequired, TypedDict

__all__ = [
    "STATELESS_HINT",
    "FunctionCallInput",
    "FunctionCallOutputInput",
    "InputAudioPart",
    "InputFilePart",
    "InputImagePart",
    "InputItem",
    "InputMessage",
    "InputTextPart",
    "InputVideoPart",
    "OutputRefusalPart",
    "OutputTextPart",
    "ReasoningInput",
    "ResponsesFunctionTool",
    "ResponsesReasoningConfig",
    "ResponsesTextConfig",
]

_PART = ConfigDict(extra="allow")
_ITEM = ConfigDict(extra="forbid")

ItemStatus = Literal["completed", "incomplete", "in_progress"]
ReasoningEffort = Literal["max", "xhigh", "high", "medium", "low", "minimal", "none"]

#: Why ``store`` and ``previous_response_id`` are refused, and what to do instead.
STATELESS_HINT = (
    "OpenRouter's Responses API is stateless: it stores no responses, so nothing can be "
    "kept or referred back to. Send the whole conversation in 'input' (earlier output "
    "items included, e.g. ResponsesResult.as_input_items()), and pass 'session_id' to "
    "keep the requests of one conversation on the same provider (sticky routing, for "
    "prompt caching)."
)

# --------------------------------------------------------------------------- content parts


@with_config(_PART)
class InputTextPart(TypedDict):
    type: Literal["input_text"]
    text: str
    prompt_cache_breakpoint: NotRequired[dict[str, Any] | None]


@with_config(_PART)
class InputImagePart(TypedDict):
    """An image by URL or ``data:`` URI. ``detail`` is required by OpenRouter's schema
    (``"auto"`` lets the provider choose)."""

    type: Literal["input_image"]
    detail: Literal["auto", "high", "low", "original"]
    image_url: NotRequired[str | None]


@with_config(_PART)
class InputFilePart(TypedDict):
    """A file (e.g. a PDF): inline as ``file_data`` (a ``data:`` URI), by ``file_url``,
    or by ``file_id``; ``filename`` names it."""

    type: Literal["input_file"]
    file_data: NotRequired[str]
    file_url: NotRequired[str]
    file_id: NotRequired[str | None]
    filename: NotRequired[str]


@with_config(_PART)
class AudioData(TypedDict):
    data: str
    format: Literal["mp3", "wav"]


@with_config(_PART)
class InputAudioPart(TypedDict):
    type: Literal["input_audio"]
    input_audio: AudioData


@with_config(_PART)
class InputVideoPart(TypedDict):
    type: Literal["input_video"]
    video_url: str


@with_config(_PART)
class OutputTextPart(TypedDict):
    """Text an assistant produced earlier, sent back as part of the conversation."""

    type: Literal["output_text"]
    text: str
    annotations: NotRequired[list[dict[str, Any]]]
    logprobs: NotRequired[list[dict[str, Any]]]


@with_config(_PART)
class OutputRefusalPart(TypedDict):
    type: Literal["refusal"]
    refusal: str


MessagePart = Annotated[
    InputTextPart
    | InputImagePart
    | InputFilePart
    | InputAudioPart
    | InputVideoPart
    | OutputTextPart
    | OutputRefusalPart,
    Field(discriminator="type"),
]
ToolOutputPart = Annotated[
    InputTextPart | InputImagePart | InputFilePart, Field(discriminator="type")
]


def _text_or_parts(value: Any) -> str:
    return "text" if isinstance(value, str) else "parts"


#: Message content: a string, or a list of parts.
MessageContent = Annotated[
    Annotated[str, Tag("text")] | Annotated[list[MessagePart], Tag("parts")],
    Discriminator(_text_or_parts),
]
#: A function's result: a string, or a list of text / image / file parts.
ToolOutput = Annotated[
    Annotated[str, Tag("text")] | Annotated[list[ToolOutputPart], Tag("parts")],
    Discriminator(_text_or_parts),
]

_INPUT_PARTS = frozenset({"input_text", "input_image", "input_file", "input_audio", "input_video"})
_OUTPUT_PARTS = frozenset({"output_text", "refusal"})


@with_config(_PART)
class SummaryTextPart(TypedDict):
    type: Literal["summary_text"]
    text: str


@with_config(_PART)
class ReasoningTextPart(TypedDict):
    type: Literal["reasoning_text"]
    text: str


# --------------------------------------------------------------------------- input items


@with_config(_ITEM)
class InputMessage(TypedDict):
    """A message of the conversation. ``type`` may be left out. Content is a string or
    a list of parts: ``input_*`` parts for any role; ``output_text`` / ``refusal``
    parts only for an assistant message replayed from an earlier output (which then
    needs its ``id`` and ``type: "message"``, as it was received)."""

    role: Literal["user", "system", "developer", "assistant"]
    content: MessageContent
    type: NotRequired[Literal["message"]]
    id: NotRequired[str]
    status: NotRequired[ItemStatus]
    phase: NotRequired[Literal["commentary", "final_answer"] | None]


@with_config(_ITEM)
class FunctionCallInput(TypedDict):
    """A function call the model made earlier; ``arguments`` is its JSON text."""

    type: Literal["function_call"]
    call_id: str
    name: str
    arguments: str
    id: NotRequired[str]
    status: NotRequired[ItemStatus]
    namespace: NotRequired[str]


@with_config(_ITEM)
class FunctionCallOutputInput(TypedDict):
    """The result of a function call, answering the call with the same ``call_id``."""

    type: Literal["function_call_output"]
    call_id: str
    output: ToolOutput
    id: NotRequired[str | None]
    status: NotRequired[ItemStatus | None]


@with_config(_ITEM)
class ReasoningInput(TypedDict):
    """A reasoning item from an earlier output, sent back so that the provider can
    continue from it (``encrypted_content`` / ``signature`` carry its opaque state)."""

    type: Literal["reasoning"]
    id: str
    summary: list[SummaryTextPart]
    content: NotRequired[list[ReasoningTextPart] | None]
    encrypted_content: NotRequired[str | None]
    signature: NotRequired[str | None]
    format: NotRequired[str | None]
    status: NotRequired[ItemStatus]


class OtherInputItem(TypedDict):
    """Any other input item type OpenRouter's schema lists (server-tool calls and
    their outputs, ``item_reference``, ...), passed through as given."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]
    type: str


#: Input item types of OpenRouter's schema that are not modelled field by field here.
_OTHER_ITEM_TYPES = frozenset(
    {
        "additional_tools",
        "agent_message",
        "apply_patch_call",
        "apply_patch_call_output",
        "code_interpreter_call",
        "compaction",
        "computer_call",
        "context_compaction",
        "custom_tool_call",
        "custom_tool_call_output",
        "file_search_call",
        "image_generation_call",
        "item_reference",
        "local_shell_call",
        "local_shell_call_output",
        "mcp_approval_request",
        "mcp_approval_response",
        "mcp_call",
        "mcp_list_tools",
        "shell_call",
        "shell_call_output",
        "web_search_call",
    }
)
_ITEM_TAGS = ("message", "function_call", "function_call_output", "reasoning")


def _item_tag(value: Any) -> str:
    if isinstance(value, dict):
        kind = value.get("type")
        if kind is None:
            return "message"
        if kind in _ITEM_TAGS:
            return str(kind)
    return "other"


InputItem = Annotated[
    Annotated[InputMessage, Tag("message")]
    | Annotated[FunctionCallInput, Tag("function_call")]
    | Annotated[FunctionCallOutputInput, Tag("function_call_output")]
    | Annotated[ReasoningInput, Tag("reasoning")]
    | Annotated[OtherInputItem, Tag("other")],
    Discriminator(_item_tag),
]


#: ``input``: one user message as a string, or a list of items.
Input = Annotated[
    Annotated[str, Tag("text")] | Annotated[list[InputItem], Tag("items")],
    Discriminator(lambda value: "text" if isinstance(value, str) else "items"),
]


def _check_item_shape(position: int, item: Any) -> None:
    """Clear errors for the mistakes pydantic would report obscurely."""
    where = f"input[{position}]"
    if not isinstance(item, dict):
        raise ValueError(f"{where} must be an object (an input item), got {type(item).__name__}")
    kind = item.get("type")
    if kind is None:
        role = item.get("role")
        if role == "tool":
            raise ValueError(
                f"{where}: there is no 'tool' role in the Responses API; send a function's "
                "result as {'type': 'function_call_output', 'call_id': ..., 'output': ...}"
            )
        if role is None:
            raise ValueError(f"{where} has neither 'type' nor 'role'")
        if item.get("tool_calls"):
            raise ValueError(
                f"{where}: 'tool_calls' is the Chat Completions shape; in the Responses API "
                "each call is its own {'type': 'function_call', ...} item"
            )
        return
    if not isinstance(kind, str):
        raise ValueError(f"{where}: 'type' must be a string")
    if kind in _ITEM_TAGS or kind in _OTHER_ITEM_TYPES or kind.startswith("openrouter:"):
        return
    raise ValueError(
        f"{where}: unknown input item type {kind!r}; the common ones are "
        + ", ".join(repr(t) for t in _ITEM_TAGS)
    )


# --------------------------------------------------------------------------- tools & options


@with_config(_ITEM)
class ResponsesFunctionTool(TypedDict):
    """A function the model may call. Flat, unlike Chat Completions: ``name`` and
    ``parameters`` (a JSON Schema object, or ``None`` for no arguments) sit on the
    tool itself."""

    type: Literal["function"]
    name: str
    parameters: dict[str, Any] | None
    description: NotRequired[str | None]
    strict: NotRequired[bool | None]
    defer_loading: NotRequired[bool]


class ServerTool(TypedDict):
    """A server-side tool (``{"type": "openrouter:web_search"}``, ``web_search``, ...),
    passed through as given."""

    __pydantic_config__ = ConfigDict(extra="allow")  # type: ignore[misc]
    type: str


def _tool_tag(value: Any) -> str:
    if isinstance(value, dict) and value.get("type") == "function":
        return "function_tool"
    return "server_tool"


Tool = Annotated[
    Annotated[ResponsesFunctionTool, Tag("function_tool")]
    | Annotated[ServerTool, Tag("server_tool")],
    Discriminator(_tool_tag),
]


@with_config(_ITEM)
class ToolChoiceFunction(TypedDict):
    type: Literal["function"]
    name: str


ToolChoice = Literal["auto", "none", "required"] | ToolChoiceFunction | dict[str, Any]


@with_config(_ITEM)
class FormatText(TypedDict):
    type: Literal["text"]


@with_config(_ITEM)
class FormatJsonObject(TypedDict):
    type: Literal["json_object"]


@with_config(_ITEM)
class FormatJsonSchema(TypedDict):
    """Structured output: the reply's text must match ``schema``."""

    type: Literal["json_schema"]
    name: str
    schema: dict[str, Any]
    description: NotRequired[str]
    strict: NotRequired[bool | None]


TextFormat = Annotated[
    FormatText | FormatJsonObject | FormatJsonSchema, Field(discriminator="type")
]


@with_config(_ITEM)
class ResponsesTextConfig(TypedDict, total=False):
    """``text``: the reply's ``format`` (plain text, any JSON object, or a JSON
    Schema) and its ``verbosity``."""

    format: TextFormat
    verbosity: Literal["low", "medium", "high", "xhigh", "max"] | None


@with_config(_ITEM)
class ResponsesReasoningConfig(TypedDict, total=False):
    """``reasoning``: ``effort`` or ``max_tokens`` (not both), ``summary`` to ask for a
    summary of the reasoning, ``enabled`` to turn it on with defaults."""

    effort: ReasoningEffort | None
    max_tokens: int | None
    summary: Literal["auto", "concise", "detailed"] | None
    enabled: bool | None
    context: Literal["auto", "all_turns", "current_turn"] | None
    mode: Literal["standard", "pro"] | None


Include = Literal[
    "file_search_call.results",
    "message.input_image.image_url",
    "computer_call_output.output.image_url",
    "reasoning.encrypted_content",
    "code_interpreter_call.outputs",
]
ServiceTier = Literal["auto", "default", "fast", "flex", "priority", "scale"]


# --------------------------------------------------------------------------- the request
