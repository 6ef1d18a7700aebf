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

from collections.abc import Iterable, Mapping
from typing import Any, Literal

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from ._base import RequestModel
from .chat import _TOOL_NAME, ProviderPreferences, _check_json_schema
from .responses_items import (
    _INPUT_PARTS,
    _OUTPUT_PARTS,
    STATELESS_HINT,
    FunctionCallInput,
    FunctionCallOutputInput,
    Include,
    Input,
    InputAudioPart,
    InputFilePart,
    InputImagePart,
    InputItem,
    InputMessage,
    InputTextPart,
    InputVideoPart,
    OutputRefusalPart,
    OutputTextPart,
    ReasoningInput,
    ResponsesFunctionTool,
    ResponsesReasoningConfig,
    ResponsesTextConfig,
    ServiceTier,
    Tool,
    ToolChoice,
    _check_item_shape,
)
from .responses_result import (
    OutputContentPart,
    OutputFunctionCall,
    OutputItem,
    OutputMessage,
    OutputReasoning,
    ReasoningPart,
    ResponseOutputItem,
    ResponsesError,
    ResponsesResult,
    ResponsesUsage,
)

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
