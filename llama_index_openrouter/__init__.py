"""OpenRouter for LlamaIndex: ``OpenRouter`` (a ``FunctionCallingLLM``),
``OpenRouterEmbedding`` (a ``MultiModalEmbedding``) and ``OpenRouterRerank`` (a
node postprocessor over ``/rerank``), all on the shared ``openrouter_core`` client
(pooled connections, typed errors, catalog-driven capability checks and fallback
routing).

.. code-block:: python

    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding, OpenRouterRerank
"""

from .embeddings import OpenRouterEmbedding
from .llms import OpenRouter
from .rerank import OpenRouterRerank

__all__ = ["OpenRouter", "OpenRouterEmbedding", "OpenRouterRerank"]
