"""The real ``/responses`` recordings load, and their event streams rebuild into events
whose JSON parses. (The clients have no ``/responses`` support yet; this checks the
loader, :func:`tests.real.replay.load_responses_recording`, that such support will be
tested with.)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.real.replay import (
    AI_SDK_DIR,
    ai_sdk_folders,
    load_ai_sdk_recording,
    load_responses_recording,
    rebuild_sse,
    sse_comment_count,
    sse_data,
)

FOLDERS = ai_sdk_folders("/api/v1/responses")


def raw_items(folder: str) -> list[dict[str, Any]]:
    path = AI_SDK_DIR / folder / "response.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_every_responses_recording_is_found() -> None:
    assert len(FOLDERS) == 5


@pytest.mark.parametrize("folder", FOLDERS)
def test_responses_recording_loads(folder: str) -> None:
    request, status, headers, body = load_responses_recording(folder)
    meta = json.loads((AI_SDK_DIR / folder / "response.meta.json").read_text())
    assert isinstance(request, dict)
    assert request["model"]
    assert request["input"]
    assert status == meta["status"] == 200
    assert "content-encoding" not in headers  # bodies are stored decoded
    streamed = bool(meta["is_sse"])
    assert ("text/event-stream" in headers["content-type"]) == streamed
    assert streamed == bool(request.get("stream"))
    if not streamed:
        assert isinstance(body, bytes)
        assert body == (AI_SDK_DIR / folder / "response.json").read_bytes()  # as recorded
        reply = json.loads(body)  # leading keep-alive whitespace and all
        assert reply["object"] == "response"
        assert reply["output"]
        assert reply["model"]
        return
    assert isinstance(body, str)
    interaction = load_ai_sdk_recording(folder)
    events = sse_data(body)
    assert events[-1] == "[DONE]"
    parsed = []
    for data in events[:-1]:
        if data in interaction.truncated:
            continue  # cut off in the recording itself; see the test below
        parsed.append(json.loads(data))
    assert all(isinstance(event, dict) and event.get("type") for event in parsed)
    assert parsed[0]["type"] == "response.created"
    numbers = [event["sequence_number"] for event in parsed]
    assert numbers == sorted(numbers)
    assert len(set(numbers)) == len(numbers)
    # Every item the recorder could decode comes through unchanged and in order.
    decoded = [item["json"] for item in raw_items(folder) if "json" in item]
    assert [event for event in parsed if event in decoded] == decoded
    assert sse_comment_count(body) == sum("comment" in item for item in raw_items(folder))
    # The network chunks concatenate to the whole stream.
    assert b"".join(interaction.chunks) == body.encode()


@pytest.mark.parametrize("folder", FOLDERS)
def test_split_events_are_joined(folder: str) -> None:
    """Every event the recorder stored in pieces (it crossed a network chunk) and that
    completes is served as one ``data`` line whose JSON parses."""
    interaction = load_ai_sdk_recording(folder)
    if not interaction.is_sse:
        pytest.skip("not an event stream")
    pieces = [item["text"] for item in raw_items(folder) if "text" in item]
    starts = [p for p in pieces if p != "[DONE]" and not p.endswith("\n\n")]
    events = sse_data(interaction.text)
    for start in starts:
        (event,) = [e for e in events if e.startswith(start)]
        if event in interaction.truncated:
            continue
        assert json.loads(event)["type"]


def test_cut_off_event_is_reported() -> None:
    """One recording (a streamed function call) lost the end of its
    ``response.completed`` event: the piece recorded before the chunk boundary is
    followed directly by ``[DONE]``. The loader must not glue ``[DONE]`` onto it, and
    says which event is incomplete."""
    cut = {folder: load_ai_sdk_recording(folder).truncated for folder in FOLDERS}
    assert {folder: len(pieces) for folder, pieces in cut.items() if pieces} == {"69A9tNSV4LJ": 1}
    (piece,) = cut["69A9tNSV4LJ"]
    assert piece.startswith('{"type":"response.completed"')
    with pytest.raises(ValueError):
        json.loads(piece)
    events = sse_data(load_ai_sdk_recording("69A9tNSV4LJ").text)
    assert events[-2:] == [piece, "[DONE]"]


# --------------------------------------------------------------------------- rebuild_sse


def test_rebuild_joins_split_event_and_keeps_chunks() -> None:
    built = rebuild_sse(
        [
            {"comment": ": OPENROUTER PROCESSING\n\n"},
            {"text": '{"type":"a","n"'},
            {"delay_ms": 3},
            {"text": ":1}\n\n"},
            {"json": {"type": "b"}},
            {"delay_ms": 0},
            {"text": "[DONE]"},
        ]
    )
    assert built.text == (
        ': OPENROUTER PROCESSING\n\ndata: {"type":"a","n":1}\n\ndata: {"type":"b"}\n\n'
        "data: [DONE]\n\n"
    )
    assert built.chunks == [
        ': OPENROUTER PROCESSING\n\ndata: {"type":"a","n"',
        ':1}\n\ndata: {"type":"b"}\n\n',
        "data: [DONE]\n\n",
    ]
    assert built.truncated == []


def test_rebuild_joins_event_split_in_three() -> None:
    built = rebuild_sse([{"text": '{"a"'}, {"text": ":[1,"}, {"text": "2]}"}, {"text": "[DONE]"}])
    assert sse_data(built.text) == ['{"a":[1,2]}', "[DONE]"]
    assert built.truncated == []


def test_rebuild_reports_an_event_that_never_completes() -> None:
    built = rebuild_sse([{"text": '{"type":"x","cut'}, {"delay_ms": 0}, {"text": "[DONE]"}])
    assert sse_data(built.text) == ['{"type":"x","cut', "[DONE]"]
    assert built.truncated == ['{"type":"x","cut']


def test_rebuild_rejects_unknown_items() -> None:
    with pytest.raises(ValueError):
        rebuild_sse([{"surprise": 1}])
