"""The main demo (``make demo``): catalog, a LangChain agent with fallback, LlamaIndex RAG."""
