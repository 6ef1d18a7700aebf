"""Chat messages and content parts, as sent to ``/chat/completions``.

They are ``TypedDict``s: users may pass plain dicts, validation (by
:class:`~openrouter_core.types.chat.ChatRequest`) keeps them plain dicts, and
serialising them costs nothing. Roles are checked strictly; content parts allow
extra keys (e.g. ``cache_control``) because providers add new ones often.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Discriminator, Field, Tag, with_config
from typing_extensions import NotRequired, TypedDict

__all__ = [
    "AssistantMessage",
    "AudioPart",
    "ContentPart",
    "DeveloperMessage",
    "FilePart",
    "ImagePart",
    "Message",
    "SystemMessage",
    "TextPart",
    "ToolCall",
    "ToolMessage",
    "UserMessage",
    "VideoPart",
]

_PART = ConfigDict(extra="allow")
_MESSAGE = ConfigDict(extra="forbid")


@with_config(_PART)
class TextPart(TypedDict):
    type: Literal["text"]
    text: str
    cache_control: NotRequired[dict[str, Any]]


@with_config(_PART)
class ImageURL(TypedDict):
    url: str
    detail: NotRequired[Literal["auto", "low", "high"]]


@with_config(_PART)
class ImagePart(TypedDict):
    type: Literal["image_url"]
    image_url: ImageURL


@with_config(_PART)
class FileData(TypedDict, total=False):
    filename: str
    file_data: str
    file_id: str


@with_config(_PART)
class FilePart(TypedDict):
    type: Literal["file"]
    file: FileData


@with_config(_PART)
class InputAudio(TypedDict):
    data: str
    format: str


@with_config(_PART)
class AudioPart(TypedDict):
    type: Literal["input_audio"]
    input_audio: InputAudio


@with_config(_PART)
class VideoURL(TypedDict):
    url: str


@with_config(_PART)
class VideoPart(TypedDict):
    type: Literal["video_url"]
    video_url: VideoURL


ContentPart = Annotated[
    TextPart | ImagePart | FilePart | AudioPart | VideoPart,
    Field(discriminator="type"),
]
Content = str | list[ContentPart]


@with_config(_PART)
class FunctionCall(TypedDict):
    name: str
    arguments: str


@with_config(_PART)
class ToolCall(TypedDict):
    id: str
    type: Literal["function"]
    function: FunctionCall


@with_config(_MESSAGE)
class SystemMessage(TypedDict):
    role: Literal["system"]
    content: Content
    name: NotRequired[str]


@with_config(_MESSAGE)
class DeveloperMessage(TypedDict):
    role: Literal["developer"]
    content: Content
    name: NotRequired[str]


@with_config(_MESSAGE)
class UserMessage(TypedDict):
    role: Literal["user"]
    content: Content
    name: NotRequired[str]


@with_config(_MESSAGE)
class AssistantMessage(TypedDict):
    role: Literal["assistant"]
    content: NotRequired[Content | None]
    name: NotRequired[str]
    tool_calls: NotRequired[list[ToolCall]]
    refusal: NotRequired[str | None]
    reasoning: NotRequired[str | None]
    reasoning_details: NotRequired[list[dict[str, Any]]]
    images: NotRequired[list[dict[str, Any]]]
    annotations: NotRequired[list[dict[str, Any]]]


@with_config(_MESSAGE)
class ToolMessage(TypedDict):
    role: Literal["tool"]
    content: Content
    tool_call_id: str
    name: NotRequired[str]


def _role_of(value: Any) -> str | None:
    if isinstance(value, dict):
        role = value.get("role")
        return role if isinstance(role, str) else None
    return None


Message = Annotated[
    Annotated[SystemMessage, Tag("system")]
    | Annotated[DeveloperMessage, Tag("developer")]
    | Annotated[UserMessage, Tag("user")]
    | Annotated[AssistantMessage, Tag("assistant")]
    | Annotated[ToolMessage, Tag("tool")],
    Discriminator(
        _role_of,
        custom_error_type="invalid_role",
        custom_error_message=(
            "message role must be one of 'system', 'developer', 'user', 'assistant', 'tool'"
        ),
    ),
]
