"""Small text helpers shared by the responder modules."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections import Counter
from collections.abc import Mapping
from typing import Any

__all__ = ["alnum", "attachments", "split_tokens", "text_of", "tokens"]

_B64_TO_ALNUM = bytes.maketrans(b"+/=", b"xKq")
_PIECE = re.compile(r"\s*(?:\w+|[^\w\s])|\s+")


def tokens(text: str) -> int:
    """Roughly four characters a token, at least one."""
    return max(1, (len(text) + 3) // 4)


def split_tokens(text: str) -> list[str]:
    """Word-sized pieces that join back to exactly ``text``."""
    return _PIECE.findall(text)


def alnum(n: int, *parts: object) -> str:
    """``n`` deterministic letters and digits derived from ``parts``."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    size = (n * 3 + 3) // 4
    data = hashlib.blake2b(raw, digest_size=min(64, size)).digest()
    while len(data) < size:
        data += hashlib.blake2b(data, digest_size=64).digest()
    return base64.b64encode(data[:size]).translate(_B64_TO_ALNUM)[:n].decode()


def text_of(content: Any) -> str:
    """The text of a message's content (a string or a list of parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        texts = []
        for part in content:
            if isinstance(part, str):
                texts.append(part)
            elif isinstance(part, Mapping) and isinstance(part.get("text"), str):
                texts.append(part["text"])
        return "\n".join(texts)
    return json.dumps(content, ensure_ascii=False)


def attachments(content: Any) -> Counter[str]:
    """How many images, files, audio and video parts ``content`` has."""
    kinds: Counter[str] = Counter()
    if isinstance(content, list):
        for part in content:
            if isinstance(part, Mapping):
                kind = str(part.get("type", ""))
                if kind in ("image_url", "image", "input_image"):
                    kinds["image"] += 1
                elif kind in ("file", "document", "input_file"):
                    kinds["file"] += 1
                elif kind in ("input_audio", "audio"):
                    kinds["audio"] += 1
                elif kind in ("video_url", "video"):
                    kinds["video"] += 1
    return kinds
