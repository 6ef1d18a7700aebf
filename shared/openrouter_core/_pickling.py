"""Pickles are process transport: they keep an explicit key, and only that key.

Framework objects (a LangChain chat model, a LlamaIndex LLM) are pickled to reach
worker processes (multiprocessing, Ray, ``IngestionPipeline(num_workers=...)``).
:class:`ExplicitKeyPickling` keeps a key that was given to the constructor, so the
object works in a worker whose environment holds another key or none; a key that
was read from ``$OPENROUTER_API_KEY`` is left out and read again from the
receiving process's environment, so a worker never sends with the parent's
environment key by surprise. ``repr``, logs and framework serialisation (``dumps``,
``to_json``) never show a key either way.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import BaseModel, PrivateAttr

from .settings import API_KEY_ENV

__all__ = ["ExplicitKeyPickling"]


class ExplicitKeyPickling(BaseModel):
    """Mix into a pydantic model whose :attr:`_key_field` holds the key; call
    :meth:`_note_key_source` from ``__init__`` with the constructor's keywords."""

    _key_field: ClassVar[str] = "api_key"
    #: Every constructor keyword that sets the key.
    _key_names: ClassVar[tuple[str, ...]] = ("api_key",)
    _explicit_key: bool = PrivateAttr(default=False)

    def _note_key_source(self, data: Mapping[str, Any]) -> None:
        self._explicit_key = any(data.get(name) for name in self._key_names)

    def __getstate__(self) -> dict[Any, Any]:
        state: dict[Any, Any] = super().__getstate__()
        if not self._explicit_key:
            fields = dict(state.get("__dict__", {}))
            if fields.get(self._key_field) is not None:
                fields[self._key_field] = None
            state = {**state, "__dict__": fields}
        return state

    def __setstate__(self, state: dict[Any, Any]) -> None:
        super().__setstate__(state)
        if not self._explicit_key and self.__dict__.get(self._key_field) is None:
            value = os.environ.get(API_KEY_ENV)
            if value:
                self.__dict__[self._key_field] = self._key_from_env(value)

    def _key_from_env(self, value: str) -> Any:
        return value
