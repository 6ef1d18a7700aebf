"""Embeddings, images, speech, transcription and the Anthropic-format ``/messages``."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field, model_validator

from ._base import RequestModel, WireModel

__all__ = [
    "AnthropicMessagesRequest",
    "AnthropicMessagesResult",
    "EmbeddingData",
    "EmbeddingsRequest",
    "EmbeddingsResult",
    "ImageGenerationRequest",
    "ImageGenerationResult",
    "SpeechRequest",
    "TranscriptionRequest",
    "TranscriptionResult",
]


class EmbeddingsRequest(RequestModel):
    """``POST /embeddings``. ``extra_body`` carries fields this model does not know;
    they are merged into the JSON last (:meth:`to_json_dict`)."""

    model: str
    input: str | list[str] | list[int] | list[list[int]] | list[dict[str, Any]]
    dimensions: int | None = Field(default=None, ge=1)
    encoding_format: Literal["float", "base64"] | None = None
    input_type: str | None = None
    user: str | None = None
    provider: dict[str, Any] | None = None
    extra_body: dict[str, Any] | None = Field(default=None, exclude=True)

    @model_validator(mode="after")
    def _not_empty(self) -> EmbeddingsRequest:
        if isinstance(self.input, list) and not self.input:
            raise ValueError("input must not be empty")
        return self

    def to_json_dict(self) -> dict[str, Any]:
        """The JSON body: unset fields omitted, ``extra_body`` merged last."""
        body = self.model_dump(exclude_none=True)
        if self.extra_body:
            body.update(self.extra_body)
        return body


class EmbeddingData(WireModel):
    index: int = 0
    embedding: list[float] | str = Field(default_factory=list)
    object: str | None = None


class EmbeddingsResult(WireModel):
    id: str | None = None
    model: str | None = None
    object: str | None = None
    provider: str | None = None
    data: list[EmbeddingData] = Field(default_factory=list)
    usage: dict[str, Any] | None = None

    def vectors(self) -> list[list[float]]:
        """The embeddings in input order (the API may return them shuffled)."""
        ordered = sorted(self.data, key=lambda d: d.index)
        out: list[list[float]] = []
        for item in ordered:
            if isinstance(item.embedding, str):
                import base64
                import struct

                raw = base64.b64decode(item.embedding)
                out.append(list(struct.unpack(f"<{len(raw) // 4}f", raw)))
            else:
                out.append(list(item.embedding))
        return out


class ImageGenerationRequest(RequestModel):
    model: str
    prompt: str = Field(min_length=1)
    n: int | None = Field(default=None, ge=1)
    size: str | None = None
    quality: str | None = None
    response_format: str | None = None
    output_format: str | None = None
    background: str | None = None
    image_config: dict[str, Any] | None = None
    provider: dict[str, Any] | None = None
    user: str | None = None


class ImageGenerationResult(WireModel):
    created: int | None = None
    data: list[dict[str, Any]] = Field(default_factory=list)
    usage: dict[str, Any] | None = None


class SpeechRequest(RequestModel):
    model: str
    input: str = Field(min_length=1)
    voice: str | None = None
    response_format: str | None = None
    speed: float | None = Field(default=None, gt=0)
    instructions: str | None = None
    provider: dict[str, Any] | None = None


class TranscriptionRequest(RequestModel):
    """JSON form: audio as base64 in ``input_audio`` (``{"data", "format"}``)."""

    model: str
    input_audio: dict[str, str]
    language: str | None = None
    prompt: str | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    provider: dict[str, Any] | None = None


class TranscriptionResult(WireModel):
    text: str = ""
    usage: dict[str, Any] | None = None


class AnthropicMessagesRequest(RequestModel):
    """Anthropic Messages format. ``fallbacks`` (at most 3) cannot be mixed with ``models``."""

    model: str
    messages: list[dict[str, Any]] = Field(min_length=1)
    max_tokens: int = Field(ge=1)
    system: str | list[dict[str, Any]] | None = None
    fallbacks: list[str] | None = Field(default=None, max_length=3)
    models: list[str] | None = None
    temperature: float | None = Field(default=None, ge=0, le=1)
    top_p: float | None = Field(default=None, gt=0, le=1)
    top_k: int | None = Field(default=None, ge=0)
    stop_sequences: list[str] | None = None
    tools: list[dict[str, Any]] | None = None
    tool_choice: dict[str, Any] | None = None
    thinking: dict[str, Any] | None = None
    metadata: dict[str, Any] | None = None
    provider: dict[str, Any] | None = None
    stream: bool | None = None

    @model_validator(mode="after")
    def _fallbacks_xor_models(self) -> AnthropicMessagesRequest:
        if self.fallbacks and self.models:
            raise ValueError("use either 'fallbacks' or 'models', not both")
        return self


class AnthropicMessagesResult(WireModel):
    id: str | None = None
    type: str | None = None
    role: str | None = None
    model: str | None = None
    content: list[dict[str, Any]] = Field(default_factory=list)
    stop_reason: str | None = None
    stop_sequence: str | None = None
    usage: dict[str, Any] | None = None

    @property
    def text(self) -> str:
        return "".join(b.get("text", "") for b in self.content if b.get("type") == "text")
