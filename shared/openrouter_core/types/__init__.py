"""Typed models of OpenRouter's requests (strict) and replies (lenient).

The chat and catalog models load with the package; the account and media models
(used only by the endpoint helpers) load on first use, to keep import time low.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .attempts import Attempt
from .catalog import Architecture, ModelEndpoint, ModelEndpoints, ModelInfo, Pricing, TopProvider
from .chat import (
    ChatChoice,
    ChatRequest,
    ChatResult,
    CompletionTokensDetails,
    PromptTokensDetails,
    ProviderPreferences,
    ReasoningConfig,
    ResponseMessage,
    ResponseToolCall,
    Usage,
)
from .messages import Message

if TYPE_CHECKING:
    from .account import CoinbaseChargeRequest, Credits, Generation, KeyInfo, Provider
    from .media import (
        AnthropicMessagesRequest,
        AnthropicMessagesResult,
        EmbeddingsRequest,
        EmbeddingsResult,
        ImageGenerationRequest,
        ImageGenerationResult,
        SpeechRequest,
        TranscriptionRequest,
        TranscriptionResult,
    )

#: Names loaded on first access, and the submodule that holds each.
_LAZY = {
    **dict.fromkeys(
        ["CoinbaseChargeRequest", "Credits", "Generation", "KeyInfo", "Provider"], "account"
    ),
    **dict.fromkeys(
        [
            "AnthropicMessagesRequest",
            "AnthropicMessagesResult",
            "EmbeddingsRequest",
            "EmbeddingsResult",
            "ImageGenerationRequest",
            "ImageGenerationResult",
            "SpeechRequest",
            "TranscriptionRequest",
            "TranscriptionResult",
        ],
        "media",
    ),
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


__all__ = [
    "AnthropicMessagesRequest",
    "AnthropicMessagesResult",
    "Architecture",
    "Attempt",
    "ChatChoice",
    "ChatRequest",
    "ChatResult",
    "CoinbaseChargeRequest",
    "CompletionTokensDetails",
    "Credits",
    "EmbeddingsRequest",
    "EmbeddingsResult",
    "Generation",
    "ImageGenerationRequest",
    "ImageGenerationResult",
    "KeyInfo",
    "Message",
    "ModelEndpoint",
    "ModelEndpoints",
    "ModelInfo",
    "Pricing",
    "PromptTokensDetails",
    "Provider",
    "ProviderPreferences",
    "ReasoningConfig",
    "ResponseMessage",
    "ResponseToolCall",
    "SpeechRequest",
    "TopProvider",
    "TranscriptionRequest",
    "TranscriptionResult",
    "Usage",
]
