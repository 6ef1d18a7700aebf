"""Facts about OpenRouter's message content parts, shared by both adapters.

OpenRouter takes images, PDFs and video as URLs (``data:`` URLs for inline
bytes), and audio only as base64 data with a short format name; these helpers
turn MIME types and raw data into what the wire expects. Going the other way,
:func:`reply_images` and :func:`url_citations` read the images a model generated
(``message.images``) and the web plugin's sources (``url_citation`` annotations)
out of a reply, for the adapters' content blocks.
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = [
    "audio_format",
    "data_url",
    "file_part",
    "image_embedding_inputs",
    "image_url",
    "input_modalities_of",
    "reasoning_details_for_request",
    "reply_images",
    "url_citations",
    "video_mime",
]

#: MIME subtypes whose OpenRouter audio format name differs from the subtype.
_AUDIO_FORMATS = {"mpeg": "mp3", "mpeg3": "mp3", "x-wav": "wav", "wave": "wav", "x-flac": "flac"}
#: The MIME type assumed for base64 video that names none.
DEFAULT_VIDEO_MIME = "video/mp4"


def audio_format(mime_type: str | None, default: str = "wav") -> str:
    """OpenRouter's ``input_audio.format`` for a MIME type (``audio/mpeg`` -> ``mp3``)."""
    if not mime_type:
        return default
    subtype = mime_type.split(";")[0].split("/")[-1].strip().lower()
    return _AUDIO_FORMATS.get(subtype, subtype) or default


def data_url(data: str, mime_type: str | None, kind: str = "content") -> str:
    """A ``data:`` URL for base64 ``data`` (returned as is if it already is one)."""
    if data.startswith("data:"):
        return data
    if not mime_type:
        raise ValueError(f"A base64 {kind} block needs a mime_type")
    return f"data:{mime_type};base64,{data}"


def video_mime(mime_type: str | None) -> str:
    """The MIME type of a video part: as given, else ``video/mp4``."""
    return mime_type or DEFAULT_VIDEO_MIME


def file_part(file_data: str, filename: str | None) -> dict[str, object]:
    """A ``file`` part; without a filename none is sent (OpenRouter does not need one)."""
    file: dict[str, object] = {"file_data": file_data}
    if filename:
        file["filename"] = filename
    return {"type": "file", "file": file}


def reasoning_details_for_request(details: list[Any]) -> list[Any]:
    """``reasoning_details`` of an earlier reply, ready to send back.

    A streamed reply may carry one block in fragments (same ``type`` and ``index``,
    one after another): they are joined into one block, texts concatenated, other
    keys (``signature``, ``format``...) taken from the last fragment that has them.
    Ephemeral ``rs_...`` ids (valid only within the response that made them) are
    removed, at any depth. The input is not changed."""
    merged: list[Any] = []
    for item in details:
        last = merged[-1] if merged else None
        if (
            isinstance(item, dict)
            and isinstance(last, dict)
            and item.get("index") is not None
            and last.get("index") == item.get("index")
            and last.get("type") == item.get("type")
        ):
            joined = dict(last)
            for key, value in item.items():
                if key == "text":
                    if value:
                        joined["text"] = (joined.get("text") or "") + value
                elif value is not None:
                    joined[key] = value
            merged[-1] = joined
        else:
            merged.append(item)
    return [_without_ephemeral_ids(item) for item in merged]


def _without_ephemeral_ids(value: Any) -> Any:
    if isinstance(value, dict):
        return {
            k: _without_ephemeral_ids(v)
            for k, v in value.items()
            if not (k == "id" and isinstance(v, str) and v.startswith("rs_"))
        }
    if isinstance(value, list):
        return [_without_ephemeral_ids(v) for v in value]
    return value


class ReplyImage(NamedTuple):
    """An image in a reply: ``url`` for a hosted one, else ``base64`` data."""

    url: str | None
    base64: str | None
    mime_type: str | None


def reply_images(images: Any) -> list[ReplyImage]:
    """The images of ``message.images`` (``{"type": "image_url", "image_url":
    {"url": ...}}``), ``data:`` URLs split into base64 data and MIME type. Entries
    of another shape are left out here (they stay in the raw reply)."""
    found: list[ReplyImage] = []
    for image in images or ():
        inner = image.get("image_url") if isinstance(image, dict) else None
        url = inner.get("url") if isinstance(inner, dict) else inner
        if not isinstance(url, str) or not url:
            continue
        if url.startswith("data:") and ";base64," in url:
            header, data = url.split(";base64,", 1)
            found.append(ReplyImage(None, data, header[5:] or "image/png"))
        else:
            found.append(ReplyImage(url, None, None))
    return found


def url_citations(annotations: Any) -> list[dict[str, Any]]:
    """The ``url_citation`` annotations of a reply as flat dicts holding those of
    ``url``, ``title``, ``content``, ``start_index``, ``end_index`` it has."""
    found: list[dict[str, Any]] = []
    for annotation in annotations or ():
        if not isinstance(annotation, dict) or annotation.get("type") != "url_citation":
            continue
        source = annotation.get("url_citation") or annotation
        if not isinstance(source, dict):
            continue
        keys = ("url", "title", "content", "start_index", "end_index")
        found.append({k: source[k] for k in keys if source.get(k) is not None})
    return found


def image_url(image: str | bytes, mime_type: str | None = None) -> str:
    """An image as a URL ``/embeddings`` and chat parts accept: an http(s) or ``data:``
    URL as is; raw bytes or a local file path as a ``data:`` URL (the MIME type from
    ``mime_type``, else the file name, else PNG)."""
    import base64
    import mimetypes
    from pathlib import Path

    if isinstance(image, str):
        if image.startswith(("http://", "https://", "data:")):
            return image
        path = Path(image)
        if not path.is_file():
            raise ValueError(
                f"{image!r} is neither an http(s) or data: URL nor a file: pass a URL, a "
                "data: URL, raw bytes or the path of an image file"
            )
        mime_type = mime_type or mimetypes.guess_type(path.name)[0]
        image = path.read_bytes()
    encoded = base64.b64encode(image).decode("ascii")
    return f"data:{mime_type or 'image/png'};base64,{encoded}"


def image_embedding_inputs(
    images: list[str | bytes], texts: list[str | None] | None = None
) -> list[dict[str, Any]]:
    """Multimodal ``/embeddings`` inputs: one ``{"content": [...]}`` per image (with its
    text beside it when ``texts`` gives one)."""
    inputs: list[dict[str, Any]] = []
    for position, image in enumerate(images):
        content: list[dict[str, Any]] = []
        text = texts[position] if texts is not None and position < len(texts) else None
        if text:
            content.append({"type": "text", "text": text})
        content.append({"type": "image_url", "image_url": {"url": image_url(image)}})
        inputs.append({"content": content})
    return inputs


def input_modalities_of(inputs: Any) -> set[str]:
    """What an ``/embeddings`` input holds besides text (``image``, ``audio``...)."""
    kinds = {
        "image_url": "image",
        "input_audio": "audio",
        "input_video": "video",
        "video_url": "video",
        "file": "file",
    }
    found = {"text"}
    for item in inputs if isinstance(inputs, list) else ():
        if isinstance(item, dict):
            for part in item.get("content") or ():
                kind = part.get("type") if isinstance(part, dict) else None
                if kind in kinds:
                    found.add(kinds[kind])
    return found
