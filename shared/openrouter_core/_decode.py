"""Decoding a reply body that should be JSON, with a clear error when it is not."""

from __future__ import annotations

from typing import Any

from . import _json
from .errors import ResponseParseError

__all__ = ["decode_body"]


def decode_body(content: bytes, what: str = "reply") -> Any:
    """Decode a 2xx JSON body (leading keep-alive whitespace allowed); an empty or
    undecodable one raises :class:`ResponseParseError` quoting its start."""
    if not content.strip():
        raise ResponseParseError(f"OpenRouter sent an empty {what} body")
    try:
        return _json.loads(content)
    except ValueError as exc:
        text = content.decode("utf-8", errors="replace")
        raise ResponseParseError(
            f"OpenRouter sent a {what} that is not valid JSON ({len(content)} bytes): "
            f"{text.strip()[:200]!r}",
            body=text,
        ) from exc
