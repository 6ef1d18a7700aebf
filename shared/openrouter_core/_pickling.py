"""Pickles that never carry the API key.

Framework objects (a LangChain chat model, a LlamaIndex LLM) are pickled by
multiprocessing, caches and checkpointers. :class:`KeyNotPickled` leaves the key out of
the pickle; on load it is read again from ``$OPENROUTER_API_KEY``, as LangChain's own
deserialisation does for secrets.
"""

from __future__ import annotations

import os
from typing import Any

from .settings import API_KEY_ENV

__all__ = ["KeyNotPickled"]


class KeyNotPickled:
    """Mix into a pydantic model whose ``api_key`` field holds the key."""

    def __getstate__(self) -> dict[Any, Any]:
        state: dict[Any, Any] = super().__getstate__()  # type: ignore[misc]
        fields = dict(state.get("__dict__", {}))
        if fields.get("api_key") is not None:
            fields["api_key"] = None
        return {**state, "__dict__": fields}

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)  # type: ignore[misc]
        if self.__dict__.get("api_key") is None and os.environ.get(API_KEY_ENV):
            self.__dict__["api_key"] = self._key_from_env(os.environ[API_KEY_ENV])

    def _key_from_env(self, value: str) -> Any:
        return value
