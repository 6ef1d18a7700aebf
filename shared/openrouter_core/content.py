"""Facts about OpenRouter's message content parts, shared by both adapters.

OpenRouter takes images, PDFs and video as URLs (``data:`` URLs for inline
bytes), and audio only as base64 data with a short format name; these helpers
turn MIME types and raw data into what the wire expects.
"""

from __future__ import annotations

__all__ = ["audio_format", "data_url", "file_part", "video_mime"]

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
