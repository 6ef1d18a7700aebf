"""LangChain integration for OpenRouter: ``ChatOpenRouter`` and ``OpenRouterEmbeddings``.

Both run on the shared ``openrouter_core`` client: one connection pool per
configuration, the model catalog for capability checks and model profiles, and
client-side fallback routing.
"""

from openrouter_core import CapabilityError, StreamInterruptedError

from .chat_models import ChatOpenRouter
from .embeddings import OpenRouterEmbeddings

__all__ = ["CapabilityError", "ChatOpenRouter", "OpenRouterEmbeddings", "StreamInterruptedError"]
