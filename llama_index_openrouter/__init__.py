"""OpenRouter for LlamaIndex: ``OpenRouter`` (a ``FunctionCallingLLM``) and
``OpenRouterEmbedding`` (a ``BaseEmbedding``), both on the shared ``openrouter_core``
client (pooled connections, typed errors, catalog-driven capability checks and
fallback routing).

.. code-block:: python

    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding
"""

from .embeddings import OpenRouterEmbedding
from .llms import OpenRouter

__all__ = ["OpenRouter", "OpenRouterEmbedding"]
