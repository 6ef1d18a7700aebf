"""LangChain integration for OpenRouter: ``ChatOpenRouter`` and ``OpenRouterEmbeddings``.

A drop-in for the official ``langchain-openrouter`` (same import path, names and
serialised form), running on the shared ``openrouter_core`` client: one connection
pool per configuration, the model catalog for capability checks and model
profiles, and client-side fallback routing.
"""

from openrouter_core import CapabilityError, StreamInterruptedError
from openrouter_core._version import __version__

from .chat_models import ChatOpenRouter
from .embeddings import OpenRouterEmbeddings
from .rerank import OpenRouterRerank

__all__ = ["ChatOpenRouter", "OpenRouterEmbeddings", "OpenRouterRerank", "__version__"]

# Importable from here too (not in __all__, which lists this package's own classes).
_REEXPORTED = (CapabilityError, StreamInterruptedError)
