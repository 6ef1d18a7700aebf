"""openrouter_core: the shared OpenRouter client behind the LangChain and
LlamaIndex integrations.

Sync (:class:`OpenRouterClient`) and async (:class:`AsyncOpenRouterClient`)
clients share one implementation of request building, response parsing,
retries, capability checks and fallback routing; the :class:`Catalog` of
models is the source of truth for what each model can do.
"""

from ._async.client import AsyncChatStream, AsyncOpenRouterClient, AsyncResponsesStream
from ._base_client import ChatOptions, split_chat_kwargs
from ._pool import (
    SharedClients,
    aclose_shared_clients,
    close_shared_clients,
    shared_clients,
    shared_clients_for,
)
from ._retries import RetryPolicy
from ._stream import ChatStreamChunk, StreamAccumulator
from ._sync.client import ChatStream, OpenRouterClient, ResponsesStream
from ._version import __version__
from .capabilities import CapabilityPolicy, CapabilityWarning, Requirements, requirements_of
from .catalog import Catalog, CatalogUnavailableError, CatalogWarning
from .errors import (
    AllModelsFailedError,
    APIConnectionError,
    APIStatusError,
    APITimeoutError,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    CapabilityError,
    ClientClosedError,
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
from .ratelimit import RateLimit, TokenBucket
from .routing import CooldownRegistry, FallbackPolicy
from .settings import DEFAULT_BASE_URL, SecretKey, Settings, Timeouts
from .types import Attempt, ChatRequest, ChatResult, ModelInfo, Usage

__all__ = [
    "DEFAULT_BASE_URL",
    "APIConnectionError",
    "APIStatusError",
    "APITimeoutError",
    "AllModelsFailedError",
    "AsyncChatStream",
    "AsyncOpenRouterClient",
    "AsyncResponsesStream",
    "Attempt",
    "AuthenticationError",
    "BadGatewayError",
    "BadRequestError",
    "CapabilityError",
    "CapabilityPolicy",
    "CapabilityWarning",
    "Catalog",
    "CatalogUnavailableError",
    "CatalogWarning",
    "ChatOptions",
    "ChatRequest",
    "ChatResult",
    "ChatStream",
    "ChatStreamChunk",
    "ClientClosedError",
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
    "RateLimit",
    "RateLimitError",
    "RequestRejectedError",
    "RequestTimeoutError",
    "Requirements",
    "ResponseParseError",
    "ResponsesStream",
    "RetryPolicy",
    "SecretKey",
    "ServiceUnavailableError",
    "Settings",
    "SharedClients",
    "StreamAccumulator",
    "StreamInterruptedError",
    "Timeouts",
    "TokenBucket",
    "UnknownModelError",
    "UnprocessableEntityError",
    "Usage",
    "__version__",
    "aclose_shared_clients",
    "close_shared_clients",
    "requirements_of",
    "shared_clients",
    "shared_clients_for",
    "split_chat_kwargs",
]
