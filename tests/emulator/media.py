"""Deterministic media: embedding vectors, PNG images and MP3 audio.

Embeddings hash each word of the text into the vector (plus a small per-text
component), so texts sharing words have a positive cosine similarity and retrieval
tests rank sensibly. Audio made by ``/audio/speech`` carries its input text in an
ID3 comment, so ``/audio/transcriptions`` of that audio gives the text back.
"""

from __future__ import annotations

import hashlib
import math
import re
import struct
import zlib

__all__ = ["audio_seconds", "embedding", "mp3", "png", "transcribe"]

_WORDS = re.compile(r"\w+")
_MARK = b"EMULATOR-TEXT:"


def _stream(seed: bytes, n: int) -> list[int]:
    out = bytearray()
    counter = 0
    while len(out) < n:
        out += hashlib.blake2b(seed + counter.to_bytes(4, "big"), digest_size=64).digest()
        counter += 1
    return list(out[:n])


def embedding(text: str, dims: int) -> list[float]:
    """A unit vector of ``dims`` floats (rounded to 7 places) for ``text``."""
    dims = max(1, dims)
    vec = [0.0] * dims
    for word in _WORDS.findall(text.lower()):
        h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")
        for k in range(3):
            slot = (h >> (k * 16)) % dims
            vec[slot] += 1.0 if (h >> (48 + k)) & 1 else -1.0
    noise = _stream(text.encode(), dims)
    for i, byte in enumerate(noise):
        vec[i] += (byte - 127.5) / 1275.0
    norm = math.sqrt(sum(v * v for v in vec)) or 1.0
    return [round(v / norm, 7) for v in vec]


def png(seed: str, size: int = 8) -> bytes:
    """A small solid-colour PNG whose colour depends on ``seed``."""
    r, g, b = _stream(seed.encode(), 3)
    row = b"\x00" + bytes((r, g, b)) * size
    raw = row * size

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return (
            struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def _id3(text: str) -> bytes:
    payload = b"\x03eng\x00" + _MARK + text.encode("utf-8") + b"\x00"
    frame = b"COMM" + len(payload).to_bytes(4, "big") + b"\x00\x00" + payload
    size = len(frame)
    syncsafe = bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))
    return b"ID3\x03\x00\x00" + syncsafe + frame


def mp3(text: str) -> bytes:
    """An ID3-tagged MPEG-1 Layer III stream of silent frames (longer text, more frames)."""
    frame_header = b"\xff\xfb\x90\x64"  # MPEG-1 L3, 128 kbit/s, 44.1 kHz, no padding
    frame = frame_header + b"\x00" * (417 - len(frame_header))
    frames = max(4, min(400, len(text) // 2))
    return _id3(text) + frame * frames


def transcribe(audio: bytes) -> str:
    """The text hidden in audio this module made, else a generic transcript."""
    at = audio.find(_MARK)
    if at >= 0:
        tail = audio[at + len(_MARK) :]
        end = tail.find(b"\x00")
        return tail[: end if end >= 0 else len(tail)].decode("utf-8", errors="replace").strip()
    return "This is a transcription of the audio."


def audio_seconds(audio: bytes) -> float:
    return round(max(0.5, len(audio) / 16000), 2)
