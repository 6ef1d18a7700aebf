"""Typed models of OpenRouter's requests (strict) and replies (lenient)."""

from .account import CoinbaseChargeRequest, Credits, Generation, KeyInfo, Provider
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
from .messages import Message

__all__ = [
    "AnthropicMessagesRequest",
    "AnthropicMessagesResult",
    "Architecture",
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
