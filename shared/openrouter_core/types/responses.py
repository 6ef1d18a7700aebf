"""``/responses`` (OpenRouter's Responses API): the request (strict) and the result
(lenient).

The request is checked before sending: input items and their content parts, function
tools in the Responses shape (``name`` and ``parameters`` at the top of the tool, not
under ``function``), ``tool_choice``, ``text.format``, ``reasoning``, ranges and
metadata limits. OpenRouter's Responses API keeps no state, so ``store=True`` and
``previous_response_id`` are refused here with an explanation rather than by a 400
later; a conversation is continued by sending its items again (see
:meth:`ResponsesResult.as_input_items`), and ``session_id`` keeps its requests on one
provider.

The result is read leniently: real replies leave out fields the spec requires
(``status``, ``completed_at``), mark finished messages ``"incomplete"``, carry
temporary ids (``msg_tmp_...``, ``rs_tmp_...``) and an empty top-level
``output_text``; :attr:`ResponsesResult.text` is therefore built from the output items.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, Literal

from pydantic import (
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    field_validator,
    model_validator,
    with_config,
)
from typing_extensions import NotRequired, TypedDict

from ._base import RequestModel, WireModel
from .chat import _TOOL_NAME, ProviderPreferences, _check_json_schema

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
    "OutputContentPart",
    "OutputFunctionCall",
    "OutputItem",
    "OutputMessage",
    "OutputReasoning",
    "OutputRefusalPart",
    "OutputTextPart",
    "ReasoningInput",
    "ReasoningPart",
    "ResponseOutputItem",
    "ResponsesError",
    "ResponsesFunctionTool",
    "ResponsesReasoningConfig",
    "ResponsesRequest",
    "ResponsesResult",
    "ResponsesTextConfig",
    "ResponsesUsage",
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


class ResponsesRequest(RequestModel):
    """``POST /responses``, validated before sending.

    ``input`` is a string (one user message) or a list of items: messages, earlier
    ``function_call`` / ``reasoning`` items and ``function_call_output`` results.
    ``extra_body`` carries what this model does not know yet; it is merged into the
    JSON last.
    """

    model: str | None = None
    models: list[str] | None = None
    input: Input | None = None
    instructions: str | None = None
    tools: list[Tool] | None = None
    tool_choice: ToolChoice | None = None
    parallel_tool_calls: bool | None = None
    max_tool_calls: int | None = Field(default=None, ge=1, le=30)
    text: ResponsesTextConfig | None = None
    reasoning: ResponsesReasoningConfig | None = None
    include: list[Include] | None = None
    max_output_tokens: int | None = Field(default=None, ge=1)
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    top_p: float | None = Field(default=None, gt=0.0, le=1.0)
    top_k: int | None = Field(default=None, ge=0)
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    frequency_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    presence_penalty: float | None = Field(default=None, ge=-2.0, le=2.0)
    modalities: list[Literal["text", "image"]] | None = None
    image_config: dict[str, Any] | None = None
    provider: ProviderPreferences | None = None
    plugins: list[dict[str, Any]] | None = None
    route: Literal["fallback", "sort"] | None = None
    session_id: str | None = Field(default=None, max_length=256)
    user: str | None = Field(default=None, max_length=256)
    safety_identifier: str | None = None
    metadata: dict[str, str] | None = None
    trace: dict[str, Any] | None = None
    prompt: dict[str, Any] | None = None
    prompt_cache_key: str | None = None
    prompt_cache_options: dict[str, Any] | None = None
    cache_control: dict[str, Any] | None = None
    truncation: Literal["auto", "disabled"] | None = None
    service_tier: ServiceTier | None = None
    stop_server_tools_when: dict[str, Any] | None = None
    debug: dict[str, Any] | None = None
    background: bool | None = None
    stream: bool | None = None
    store: bool | None = None
    previous_response_id: Any = None
    extra_body: dict[str, Any] | None = Field(default=None, exclude=True)

    @field_validator("store")
    @classmethod
    def _no_store(cls, value: bool | None) -> bool | None:
        if value:
            raise ValueError(f"store=True cannot work. {STATELESS_HINT}")
        return value

    @field_validator("previous_response_id")
    @classmethod
    def _no_previous(cls, value: Any) -> Any:
        if value is not None:
            raise ValueError(f"previous_response_id is not supported. {STATELESS_HINT}")
        return value

    @field_validator("extra_body")
    @classmethod
    def _no_state_in_extra(cls, value: dict[str, Any] | None) -> dict[str, Any] | None:
        if value and value.get("store"):
            raise ValueError(f"extra_body: store=True cannot work. {STATELESS_HINT}")
        if value and value.get("previous_response_id") is not None:
            raise ValueError(f"extra_body: previous_response_id is not supported. {STATELESS_HINT}")
        return value

    @field_validator("input", mode="before")
    @classmethod
    def _check_input_shapes(cls, value: Any) -> Any:
        if isinstance(value, list):
            if not value:
                raise ValueError("input must not be an empty list")
            for position, item in enumerate(value):
                _check_item_shape(position, item)
        elif isinstance(value, str) and not value.strip():
            raise ValueError("input must not be empty")
        return value

    @field_validator("input")
    @classmethod
    def _check_input(cls, value: str | list[Any] | None) -> str | list[Any] | None:
        if not isinstance(value, list):
            return value
        calls: set[str] = set()
        for position, item in enumerate(value):
            kind = item.get("type", "message")
            if kind == "message":
                _check_message(position, item)
            elif kind == "function_call":
                calls.add(item["call_id"])
            elif kind == "function_call_output" and item["call_id"] not in calls:
                raise ValueError(
                    f"input[{position}]: function_call_output answers call_id "
                    f"{item['call_id']!r}, but no earlier function_call item has that "
                    "call_id; the API keeps no state, so send the model's function_call "
                    "item before its output"
                )
        return value

    @field_validator("tools", mode="before")
    @classmethod
    def _flat_tools(cls, value: Any) -> Any:
        for position, tool in enumerate(value if isinstance(value, list) else ()):
            if isinstance(tool, dict) and tool.get("type") == "function" and "function" in tool:
                raise ValueError(
                    f"tools[{position}] is in the Chat Completions shape; Responses tools "
                    "are flat: {'type': 'function', 'name': ..., 'description': ..., "
                    "'parameters': {...}}"
                )
        return value

    @field_validator("tools")
    @classmethod
    def _check_tools(cls, value: list[Any] | None) -> list[Any] | None:
        seen: set[str] = set()
        for tool in value or ():
            if tool.get("type") != "function":
                continue
            name = tool["name"]
            if name in seen:
                raise ValueError(
                    f"two tools are named {name!r}: the model could not tell them apart; "
                    "give each tool a distinct name"
                )
            seen.add(name)
            if not _TOOL_NAME.match(name):
                raise ValueError(
                    f"tool name {name!r} must be 1-64 characters of letters, digits, '_' or '-'"
                )
            if tool["parameters"] is not None:
                _check_json_schema(name, tool["parameters"])
        return value

    @field_validator("text")
    @classmethod
    def _check_format(cls, value: ResponsesTextConfig | None) -> ResponsesTextConfig | None:
        fmt = (value or {}).get("format")
        if fmt is not None and fmt["type"] == "json_schema" and not _TOOL_NAME.match(fmt["name"]):
            raise ValueError(
                f"text.format.name {fmt['name']!r} must be 1-64 characters of letters, "
                "digits, '_' or '-'"
            )
        return value

    @field_validator("reasoning")
    @classmethod
    def _check_reasoning(
        cls, value: ResponsesReasoningConfig | None
    ) -> ResponsesReasoningConfig | None:
        if value and value.get("effort") is not None and value.get("max_tokens") is not None:
            raise ValueError("reasoning: give either 'effort' or 'max_tokens', not both")
        max_tokens = (value or {}).get("max_tokens")
        if max_tokens is not None and max_tokens < 1:
            raise ValueError("reasoning.max_tokens must be at least 1")
        return value

    @field_validator("plugins")
    @classmethod
    def _check_plugins(cls, value: list[dict[str, Any]] | None) -> list[dict[str, Any]] | None:
        for position, plugin in enumerate(value or ()):
            if not isinstance(plugin.get("id"), str):
                raise ValueError(f"plugins[{position}] needs an 'id' (e.g. 'web', 'file-parser')")
        return value

    @field_validator("metadata")
    @classmethod
    def _check_metadata(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        if value is None:
            return value
        if len(value) > 16:
            raise ValueError(f"metadata holds at most 16 pairs, got {len(value)}")
        for key, item in value.items():
            if len(key) > 64 or "[" in key or "]" in key:
                raise ValueError(
                    f"metadata key {key[:70]!r} must be at most 64 characters, without brackets"
                )
            if len(item) > 512:
                raise ValueError(f"metadata[{key!r}] must be at most 512 characters")
        return value

    @model_validator(mode="after")
    def _check_request(self) -> ResponsesRequest:
        if not self.model and not self.models:
            raise ValueError("either 'model' or 'models' is required")
        if self.input is None and self.prompt is None:
            raise ValueError("'input' is required (a string, or a list of input items)")
        self._check_tool_choice()
        return self

    def _check_tool_choice(self) -> None:
        choice = self.tool_choice
        functions = _function_names(self.tools or ())
        if choice == "required" and not self.tools:
            raise ValueError("tool_choice='required' needs at least one tool in 'tools'")
        if isinstance(choice, dict) and choice.get("type") == "function":
            name = choice.get("name")
            if name not in functions:
                known = ", ".join(sorted(functions)) or "none"
                raise ValueError(
                    f"tool_choice names function {name!r}, which is not among the function "
                    f"tools (declared: {known})"
                )

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON body: unset parameters left out, ``extra_body`` merged last."""
        body = {
            name: value
            for name, value in self.__dict__.items()
            if value is not None and name != "extra_body"
        }
        if self.extra_body:
            body.update(self.extra_body)
        return body


def _function_names(tools: Iterable[Mapping[str, object]]) -> set[str]:
    return {str(tool.get("name")) for tool in tools if tool.get("type") == "function"}


def _check_message(position: int, message: dict[str, Any]) -> None:
    content = message.get("content")
    if not isinstance(content, list):
        return
    kinds = {part["type"] for part in content}
    replayed = kinds & _OUTPUT_PARTS
    if not replayed:
        return
    where = f"input[{position}]"
    if message["role"] != "assistant":
        raise ValueError(
            f"{where}: {sorted(replayed)} parts belong to assistant messages only; "
            f"a {message['role']} message takes input_text / input_image / input_file parts"
        )
    if kinds & _INPUT_PARTS:
        raise ValueError(
            f"{where}: an assistant message holds either output parts (output_text, refusal) "
            "or input parts, not both"
        )
    if message.get("type") != "message" or not message.get("id"):
        raise ValueError(
            f"{where}: an assistant message with output_text / refusal parts is an earlier "
            "output item and needs its 'id' and type 'message' as received; or send the "
            "text as a plain string content"
        )


# --------------------------------------------------------------------------- replies


def _count(value: Any) -> Any:
    """A token count read leniently: null or junk becomes 0, ``12.0`` becomes 12."""
    if isinstance(value, bool) or value is None:
        return 0
    if isinstance(value, int):
        return value
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0
    return int(number) if number == number and abs(number) != float("inf") else 0


def _objects(value: Any) -> Any:
    """A list of objects read leniently: a non-list becomes empty, non-objects are dropped."""
    if not isinstance(value, (list, tuple)):
        return []
    return [item for item in value if isinstance(item, dict)]


class OutputContentPart(WireModel):
    """A part of an output message: ``output_text`` (``text``, ``annotations`` such as
    URL citations, ``logprobs``) or ``refusal``."""

    type: str | None = None
    text: str | None = None
    annotations: list[dict[str, Any]] | None = None
    logprobs: list[dict[str, Any]] | None = None
    refusal: str | None = None


class ReasoningPart(WireModel):
    """A piece of reasoning: ``summary_text`` or ``reasoning_text``."""

    type: str | None = None
    text: str | None = None


class ResponseOutputItem(WireModel):
    """What every output item has; also the model of item types not modelled further
    (server-tool calls and the like), whose fields stay in ``model_extra``."""

    type: str | None = None
    id: str | None = None
    status: str | None = None


class OutputMessage(ResponseOutputItem):
    role: str | None = "assistant"
    content: list[OutputContentPart] = Field(default_factory=list)
    phase: str | None = None

    _parts = field_validator("content", mode="before")(classmethod(lambda cls, v: _objects(v)))

    @property
    def text(self) -> str:
        return "".join(p.text or "" for p in self.content if p.type == "output_text")

    @property
    def refusal(self) -> str:
        return "".join(p.refusal or "" for p in self.content if p.type == "refusal")

    @property
    def annotations(self) -> list[dict[str, Any]]:
        return [a for p in self.content for a in p.annotations or ()]


class OutputFunctionCall(ResponseOutputItem):
    """A call of one of the request's function tools. ``arguments`` is JSON text."""

    call_id: str | None = None
    name: str | None = None
    arguments: str | None = None
    namespace: str | None = None

    def parsed_arguments(self) -> Any:
        """The arguments decoded (``{}`` when empty); ``ValueError`` if not JSON."""
        text = self.arguments or ""
        return json.loads(text) if text.strip() else {}


class OutputReasoning(ResponseOutputItem):
    """Reasoning: readable ``content`` and/or a ``summary``, and opaque state
    (``encrypted_content``, ``signature``, ``format``) to send back next turn."""

    summary: list[ReasoningPart] = Field(default_factory=list)
    content: list[ReasoningPart] = Field(default_factory=list)
    encrypted_content: str | None = None
    signature: str | None = None
    format: str | None = None

    _parts = field_validator("summary", "content", mode="before")(
        classmethod(lambda cls, v: _objects(v))
    )

    @property
    def summary_text(self) -> str:
        return "\n\n".join(p.text for p in self.summary if p.text)

    @property
    def text(self) -> str:
        """The reasoning text, or its summary when the text itself was not sent."""
        full = "".join(p.text or "" for p in self.content)
        return full or self.summary_text


def _output_tag(value: Any) -> str:
    kind = value.get("type") if isinstance(value, dict) else None
    return kind if kind in ("message", "function_call", "reasoning") else "other"


OutputItem = Annotated[
    Annotated[OutputMessage, Tag("message")]
    | Annotated[OutputFunctionCall, Tag("function_call")]
    | Annotated[OutputReasoning, Tag("reasoning")]
    | Annotated[ResponseOutputItem, Tag("other")],
    Discriminator(_output_tag),
]


class InputTokensDetails(WireModel):
    cached_tokens: int | None = None
    cache_write_tokens: int | None = None


class OutputTokensDetails(WireModel):
    reasoning_tokens: int | None = None


class ResponsesUsage(WireModel):
    """Token counts and cost (USD credits) of one response."""

    input_tokens: int = 0
    output_tokens: int = 0
    total_tokens: int = 0
    cost: float | None = None
    is_byok: bool | None = None
    cost_details: dict[str, Any] | None = None
    input_tokens_details: InputTokensDetails | None = None
    output_tokens_details: OutputTokensDetails | None = None
    server_tool_use_details: dict[str, Any] | None = None

    _counts = field_validator("input_tokens", "output_tokens", "total_tokens", mode="before")(
        classmethod(lambda cls, v: _count(v))
    )

    @property
    def cached_tokens(self) -> int:
        details = self.input_tokens_details
        return (details.cached_tokens or 0) if details else 0

    @property
    def reasoning_tokens(self) -> int:
        details = self.output_tokens_details
        return (details.reasoning_tokens or 0) if details else 0


class ResponsesError(WireModel):
    """``error`` of a failed response: a string ``code`` and a ``message``."""

    code: str | int | None = None
    message: str | None = None
    metadata: dict[str, Any] | None = None


class ResponsesResult(WireModel):
    """A ``/responses`` result. ``attempts`` (not on the wire) lists every model tried.

    Helpers: :attr:`text` (the output text of every message), :attr:`function_calls`,
    :attr:`reasoning_text`, :meth:`as_input_items` (the output, ready to be sent back
    as input of the next turn).
    """

    id: str | None = None
    object: str | None = None
    created_at: int | None = None
    completed_at: int | None = None
    model: str | None = None
    provider: str | None = None
    status: str | None = None
    output: list[OutputItem] = Field(default_factory=list)
    output_text: str | None = None
    error: ResponsesError | None = None
    incomplete_details: dict[str, Any] | None = None
    usage: ResponsesUsage | None = None
    _attempts: list[Any] = PrivateAttr(default_factory=list)

    _items = field_validator("output", mode="before")(classmethod(lambda cls, v: _objects(v)))

    @field_validator("created_at", "completed_at", mode="before")
    @classmethod
    def _timestamp(cls, value: Any) -> Any:
        return None if value is None else _count(value) or None

    @field_validator("error", "incomplete_details", "usage", mode="before")
    @classmethod
    def _object(cls, value: Any) -> Any:
        return value if isinstance(value, dict) else None

    @property
    def attempts(self) -> list[Any]:
        """Every model tried or skipped for this result, in order."""
        private = self.__pydantic_private__
        return private["_attempts"] if private else []

    @property
    def generation_id(self) -> str | None:
        """The id to look the call up with (``GET /generation``)."""
        return self.id

    @property
    def messages(self) -> list[OutputMessage]:
        return [item for item in self.output if isinstance(item, OutputMessage)]

    @property
    def text(self) -> str:
        """The text of every output message, in order (``''`` if none). The top-level
        ``output_text`` is used only when there is no message item (OpenRouter sends
        it empty)."""
        if not any(isinstance(item, OutputMessage) for item in self.output):
            return self.output_text or ""
        return "".join(item.text for item in self.messages)

    @property
    def refusal(self) -> str:
        return "".join(item.refusal for item in self.messages)

    @property
    def function_calls(self) -> list[OutputFunctionCall]:
        return [item for item in self.output if isinstance(item, OutputFunctionCall)]

    @property
    def reasoning(self) -> list[OutputReasoning]:
        return [item for item in self.output if isinstance(item, OutputReasoning)]

    @property
    def reasoning_text(self) -> str:
        """The text (or summary) of every reasoning item, separated by blank lines."""
        return "\n\n".join(text for item in self.reasoning if (text := item.text))

    @property
    def incomplete_reason(self) -> str | None:
        details = self.incomplete_details or {}
        reason = details.get("reason")
        return reason if isinstance(reason, str) else None

    def as_input_items(self) -> list[dict[str, Any]]:
        """The output as input items for the next request of the conversation (the
        API keeps no state): messages, function calls and reasoning, each as the
        request schema expects it. Other item types are left out."""
        items: list[dict[str, Any]] = []
        for item in self.output:
            if isinstance(item, OutputMessage):
                items.append(_message_input(item))
            elif isinstance(item, OutputFunctionCall):
                call: dict[str, Any] = {
                    "type": "function_call",
                    "call_id": item.call_id or "",
                    "name": item.name or "",
                    "arguments": item.arguments or "",
                }
                if item.id:
                    call["id"] = item.id
                items.append(call)
            elif isinstance(item, OutputReasoning) and item.id:
                items.append(_reasoning_input(item))
        return items

    def summary(self) -> dict[str, Any]:
        """Who served this reply, how it ended, what it cost and which models were
        tried (keys without a value are left out; ``fallback_attempts`` is always
        there)."""
        usage = self.usage
        found: dict[str, Any] = {
            "id": self.id,
            "object": self.object,
            "model": self.model,
            "provider": self.provider,
            "created_at": self.created_at,
            "status": self.status,
            "incomplete_reason": self.incomplete_reason,
            "cost": usage.cost if usage else None,
            "cost_details": usage.cost_details if usage else None,
            "is_byok": usage.is_byok if usage else None,
        }
        summary = {k: v for k, v in found.items() if v is not None}
        summary["fallback_attempts"] = [a.as_dict() for a in self.attempts]
        return summary


_ITEM_STATUSES = frozenset({"completed", "incomplete", "in_progress"})


def _message_input(item: OutputMessage) -> dict[str, Any]:
    parts: list[dict[str, Any]] = []
    for part in item.content:
        if part.type == "output_text":
            parts.append(
                {
                    "type": "output_text",
                    "text": part.text or "",
                    "annotations": part.annotations or [],
                }
            )
        elif part.type == "refusal":
            parts.append({"type": "refusal", "refusal": part.refusal or ""})
    if not item.id:
        # Without an id it cannot be replayed as an output item: send its text.
        return {"role": "assistant", "content": item.text}
    message: dict[str, Any] = {
        "type": "message",
        "role": "assistant",
        "id": item.id,
        "content": parts,
    }
    if item.status in _ITEM_STATUSES:
        message["status"] = item.status
    return message


def _reasoning_input(item: OutputReasoning) -> dict[str, Any]:
    reasoning: dict[str, Any] = {
        "type": "reasoning",
        "id": item.id,
        "summary": [{"type": "summary_text", "text": p.text or ""} for p in item.summary],
    }
    if item.content:
        reasoning["content"] = [
            {"type": "reasoning_text", "text": p.text or ""} for p in item.content
        ]
    for key in ("encrypted_content", "signature", "format"):
        value = getattr(item, key)
        if value is not None:
            reasoning[key] = value
    return reasoning
