"""Standard content blocks for OpenRouter replies (``message.content_blocks``).

Registered with langchain-core as the translator of ``model_provider="openrouter"``:
on top of LangChain's own reading of the message (text, reasoning, tool calls),
images a model generated (``additional_kwargs["images"]``) become ``image`` blocks
and ``url_citation`` annotations (the web plugin's sources,
``additional_kwargs["annotations"]``) become ``citation`` annotations of the text
block. The raw data stays in ``additional_kwargs`` for code that reads it there.
"""

from __future__ import annotations

from typing import Any, cast

from langchain_core.messages import AIMessage, AIMessageChunk
from langchain_core.messages import content as types
from langchain_core.messages.block_translators import register_translator

__all__ = ["register"]

PROVIDER = "openrouter"


def _citation(annotation: Any) -> dict[str, Any] | None:
    if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
        return None
    source = annotation.get("url_citation") or annotation
    citation: dict[str, Any] = {"type": "citation"}
    for key in ("url", "title", "start_index", "end_index"):
        if source.get(key) is not None:
            citation[key] = source[key]
    if source.get("content"):
        citation["cited_text"] = source["content"]
    return citation


def _image(image: Any) -> dict[str, Any] | None:
    if not isinstance(image, dict):
        return None
    inner = image.get("image_url") or {}
    url = inner.get("url") if isinstance(inner, dict) else inner
    if not isinstance(url, str) or not url:
        return None
    if url.startswith("data:") and ";base64," in url:
        header, data = url.split(";base64,", 1)
        return {"type": "image", "base64": data, "mime_type": header[5:] or "image/png"}
    return {"type": "image", "url": url}


def _blocks(message: AIMessage | AIMessageChunk) -> list[types.ContentBlock]:
    # LangChain's own reading of the message (text, reasoning, tool calls), without
    # this translator (the copy names no provider).
    metadata = {k: v for k, v in message.response_metadata.items() if k != "model_provider"}
    plain = message.model_copy(update={"response_metadata": metadata})
    blocks: list[dict[str, Any]] = [dict(b) for b in plain.content_blocks]
    extra = message.additional_kwargs
    citations = [c for c in map(_citation, extra.get("annotations") or ()) if c]
    if citations:
        text = next((b for b in blocks if b.get("type") == "text"), None)
        if text is None:
            text = {"type": "text", "text": ""}
            blocks.append(text)
        text["annotations"] = [*text.get("annotations", []), *citations]
    blocks.extend(i for i in map(_image, extra.get("images") or ()) if i)
    return cast("list[types.ContentBlock]", blocks)


def _translate(message: AIMessage) -> list[types.ContentBlock]:
    return _blocks(message)


def _translate_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    return _blocks(message)


def register() -> None:
    """Make ``content_blocks`` of this package's messages use :func:`_blocks`."""
    register_translator(PROVIDER, _translate, _translate_chunk)
