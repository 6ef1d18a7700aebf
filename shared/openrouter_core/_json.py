"""JSON in and out of the hot paths, with ``orjson`` when it is installed.

``orjson`` decodes a stream chunk several times faster than the standard
library. It is already present wherever ``langchain-core`` is (``langsmith``
depends on it), so it is used when importable and never required. Where it is
stricter than the standard library (``NaN`` and ``Infinity`` in a reply; integers
beyond 64 bits or dict keys that are not strings in a request), the standard
library takes over, so nothing one accepts is refused by the other. One
difference remains: in a reply, ``orjson`` reads an integer beyond 64 bits as a
float; no field of OpenRouter's API comes near that.
"""

from __future__ import annotations

import json
from typing import Any

__all__ = ["dumps", "loads"]

try:
    import orjson
except ImportError:  # pragma: no cover - exercised by the fallback tests via monkeypatch
    orjson = None  # type: ignore[assignment]


def _std_dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


if orjson is not None:
    _fast_loads = orjson.loads
    _fast_dumps = orjson.dumps

    def loads(data: str | bytes) -> Any:
        """Decode JSON text; raises ``ValueError`` if it is not JSON."""
        try:
            return _fast_loads(data)
        except ValueError:
            return json.loads(data)

    def dumps(value: Any) -> bytes:
        """Compact UTF-8 JSON (no ASCII escaping); raises ``TypeError`` for what JSON can't hold."""
        try:
            return _fast_dumps(value)
        except TypeError:
            return _std_dumps(value)

else:  # pragma: no cover - the standard library only
    loads = json.loads
    dumps = _std_dumps
