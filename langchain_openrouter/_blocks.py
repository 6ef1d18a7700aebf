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

from langchain_core.messages import AIMessage, AIMessageChunk, content as types
from langchain_core.messages.block_translators import register_translator

from openrouter_core.content import ReplyImage, reply_images, url_citations

__all__ = ["register"]

PROVIDER = "openrouter"


def _citation(found: dict[str, Any]) -> dict[str, Any]:
    citation: dict[str, Any] = {"type": "citation"}
    for key in ("url", "title", "start_index", "end_index"):
        if key in found:
            citation[key] = found[key]
    if found.get("content"):
        citation["cited_text"] = found["content"]
    return citation


def _image(image: ReplyImage) -> dict[str, Any]:
    if image.base64 is not None:
        return {"type": "image", "base64": image.base64, "mime_type": image.mime_type}
    return {"type": "image", "url": image.url}


def _blocks(message: AIMessage | AIMessageChunk) -> list[types.ContentBlock]:
    # LangChain's own reading of the message (text, reasoning, tool calls), without
    # this translator (the copy names no provider).
    metadata = {k: v for k, v in message.response_metadata.items() if k != "model_provider"}
    plain = message.model_copy(update={"response_metadata": metadata})
    blocks: list[dict[str, Any]] = [dict(b) for b in plain.content_blocks]
    extra = message.additional_kwargs
    citations = [_citation(c) for c in url_citations(extra.get("annotations"))]
    if citations:
        text = next((b for b in blocks if b.get("type") == "text"), None)
        if text is None:
            text = {"type": "text", "text": ""}
            blocks.append(text)
        text["annotations"] = [*text.get("annotations", []), *citations]
    blocks.extend(_image(image) for image in reply_images(extra.get("images")))
    return cast("list[types.ContentBlock]", blocks)


def _translate(message: AIMessage) -> list[types.ContentBlock]:
    return _blocks(message)


def _translate_chunk(message: AIMessageChunk) -> list[types.ContentBlock]:
    return _blocks(message)


def register() -> None:
    """Make ``content_blocks`` of this package's messages use :func:`_blocks`."""
    register_translator(PROVIDER, _translate, _translate_chunk)
