"""Functions run in spawned worker processes (importable by name, as ``spawn`` needs)."""

from __future__ import annotations

import os
import pickle
from typing import Any


def load_in_worker(payload: bytes, env_key: str | None, call: bool) -> dict[str, Any]:
    """Load a pickled ``OpenRouter`` / ``OpenRouterEmbedding`` in a process whose
    ``OPENROUTER_API_KEY`` is ``env_key`` (unset when ``None``); with ``call``, send
    one request with it. Returns the key the object holds and what it answered."""
    if env_key is None:
        os.environ.pop("OPENROUTER_API_KEY", None)
    else:
        os.environ["OPENROUTER_API_KEY"] = env_key
    obj = pickle.loads(payload)
    out: dict[str, Any] = {"api_key": obj.api_key, "pid": os.getpid()}
    if call:
        if obj.class_name() == "OpenRouterEmbedding":
            out["answer"] = obj.get_text_embedding("hello")
        else:
            out["answer"] = obj.complete("ping").text
    return out
