"""openrouter_core: the shared OpenRouter client behind the LangChain and
LlamaIndex integrations.

Sync (:class:`OpenRouterClient`) and async (:class:`AsyncOpenRouterClient`)
clients share one implementation of request building, response parsing,
retries, capability checks and fallback routing; the :class:`Catalog` of
models is the source of truth for what each model can do.
"""

from ._version import __version__
from .async_client import AsyncChatStream, AsyncOpenRouterClient
from .capabilities import CapabilityPolicy, CapabilityWarning, Requirements, requirements_of
from .catalog import Catalog, CatalogUnavailableError
from .client import ChatStream, OpenRouterClient
from .config import DEFAULT_BASE_URL, ClientConfig, SecretKey, Timeouts
from .errors import (
    AllModelsFailedError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    CapabilityError,
    ConfigurationError,
    ContextLengthExceededError,
    GoneError,
    InsufficientCreditsError,
    InternalServerError,
    InvalidRequestError,
    ModerationError,
    NotFoundError,
    OpenRouterError,
    OriginTimeoutError,
    PayloadTooLargeError,
    PermissionDeniedError,
    ProviderOverloadedError,
    RateLimitError,
    RequestRejectedError,
    RequestTimeoutError,
    ResponseParseError,
    ServiceUnavailableError,
    StreamInterruptedError,
    UnknownModelError,
    UnprocessableEntityError,
)
from .retries import RetryPolicy
from .routing import Attempt, CooldownRegistry, FallbackPolicy
from .stream import ChatStreamChunk, StreamAccumulator
from .types import ChatRequest, ChatResult, ModelInfo, Usage

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AllModelsFailedError",
    "AsyncChatStream",
    "AsyncOpenRouterClient",
    "Attempt",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "CapabilityError",
    "CapabilityPolicy",
    "CapabilityWarning",
    "Catalog",
    "CatalogUnavailableError",
    "ChatRequest",
    "ChatResult",
    "ChatStream",
    "ChatStreamChunk",
    "ClientConfig",
    "ConfigurationError",
    "ContextLengthExceededError",
    "CooldownRegistry",
    "FallbackPolicy",
    "GoneError",
    "InsufficientCreditsError",
    "InternalServerError",
    "InvalidRequestError",
    "ModelInfo",
    "ModerationError",
    "NotFoundError",
    "OpenRouterClient",
    "OpenRouterError",
    "OriginTimeoutError",
    "PayloadTooLargeError",
    "PermissionDeniedError",
    "ProviderOverloadedError",
    "RateLimitError",
    "RequestRejectedError",
    "RequestTimeoutError",
    "Requirements",
    "ResponseParseError",
    "RetryPolicy",
    "SecretKey",
    "ServiceUnavailableError",
    "StreamAccumulator",
    "StreamInterruptedError",
    "Timeouts",
    "UnknownModelError",
    "UnprocessableEntityError",
    "Usage",
    "__version__",
    "requirements_of",
]
