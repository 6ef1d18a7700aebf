"""SSE decoding edge cases: comments, multi-line data, split bytes, line endings."""

from __future__ import annotations

import pytest

from openrouter_core._sse import SSEDecoder


def decode_all(chunks: list[bytes]) -> list[str]:
    decoder = SSEDecoder()
    out = [e.data for chunk in chunks for e in decoder.feed(chunk)]
    out += [e.data for e in decoder.flush()]
    return out


def test_comments_are_skipped_and_counted() -> None:
    decoder = SSEDecoder()
    events = decoder.feed(b": OPENROUTER PROCESSING\n\n: OPENROUTER PROCESSING\n\ndata: {}\n\n")
    assert [e.data for e in events] == ["{}"]
    assert decoder.comments_seen == 2


def test_multi_line_data_is_joined_with_newlines() -> None:
    assert decode_all([b"data: line one\ndata: line two\n\n"]) == ["line one\nline two"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n", b"\r"])
def test_every_line_ending(newline: bytes) -> None:
    raw = b"data: a" + newline + newline + b"data: b" + newline + newline
    assert decode_all([raw]) == ["a", "b"]


def test_bytes_split_anywhere_including_inside_utf8_and_crlf() -> None:
    raw = "data: héllo ✓\r\n\r\ndata: [DONE]\r\n\r\n".encode()
    for size in range(1, 8):
        chunks = [raw[i : i + size] for i in range(0, len(raw), size)]
        assert decode_all(chunks) == ["héllo ✓", "[DONE]"]


def test_final_event_without_blank_line_is_flushed() -> None:
    assert decode_all([b"data: tail"]) == ["tail"]


def test_event_and_id_fields_and_no_space_after_colon() -> None:
    decoder = SSEDecoder()
    (event,) = decoder.feed(b"event: update\nid: 7\nretry: 10\ndata:x\n\n")
    assert (event.event, event.id, event.data) == ("update", "7", "x")


def test_blank_lines_without_data_produce_nothing() -> None:
    assert decode_all([b"\n\n\n: ping\n\n"]) == []
