"""Images a model generated and the web plugin's sources as LlamaIndex blocks.

``message.images`` become ``ImageBlock``\\ s (hosted URLs as ``url``, ``data:``
URLs as base64 ``image`` data with its MIME type) and ``url_citation``
annotations become ``CitationBlock``\\ s (the cited text, the URL as ``source``,
the title, and the character span of the answer they support). The raw
annotations stay in ``additional_kwargs["annotations"]``; the raw images only in
``response.raw`` (LlamaIndex reads ``additional_kwargs["images"]`` as a list of
``ImageDocument`` objects).
"""

from __future__ import annotations

from typing import Any

from llama_index.core.base.llms.types import CitationBlock, ImageBlock, TextBlock

from openrouter_core.content import reply_images, url_citations

__all__ = ["reply_blocks"]

_SPAN = ("start_index", "end_index")


def _image_block(url: str | None, data: str | None, mime_type: str | None) -> ImageBlock:
    if data is not None:
        return ImageBlock(image=data.encode("ascii"), image_mimetype=mime_type)
    return ImageBlock(url=url)


def _citation_block(found: dict[str, Any]) -> CitationBlock:
    return CitationBlock(
        cited_content=TextBlock(text=found.get("content", "")),
        source=found.get("url", ""),
        title=found.get("title", ""),
        additional_location_info={k: found[k] for k in _SPAN if isinstance(found.get(k), int)},
    )


def reply_blocks(annotations: Any, images: Any) -> list[Any]:
    """The citation blocks, then the image blocks, of a reply (or of a stream so far)."""
    blocks: list[Any] = [_citation_block(c) for c in url_citations(annotations)]
    blocks.extend(_image_block(*image) for image in reply_images(images))
    return blocks
