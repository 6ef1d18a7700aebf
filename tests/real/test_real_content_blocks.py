"""Replies' citations and images as standard content blocks: the real web-search
stream's ``url_citation`` annotations, on a stream and on invoke; a generated image."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from langchain_core.messages import AIMessageChunk

from langchain_openrouter import ChatOpenRouter
from tests.real.cases import API_KEY, BASE_URL
from tests.real.replay import Interaction, Replayer, load_cassette

WEB = "test_openrouter_web_search_annotations_stream"


def web_search() -> Interaction:
    (interaction,) = [i for i in load_cassette(WEB) if i.path.endswith("/chat/completions")]
    return interaction


def recorded_citations(interaction: Interaction) -> list[dict[str, Any]]:
    found = []
    for event in interaction.json_events():
        for choice in event.get("choices") or ():
            for note in (choice.get("delta") or {}).get("annotations") or ():
                if note.get("type") == "url_citation":
                    found.append(note["url_citation"])
    return found


def llm(**kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(
        model="openai/gpt-4o", api_key=API_KEY, base_url=BASE_URL, capability_check="off", **kwargs
    )


def test_citations_of_a_real_web_search_stream(replay_httpx: Callable[..., Replayer]) -> None:
    interaction = web_search()
    expected = recorded_citations(interaction)
    assert expected, "the recording carries url_citation annotations"
    replay_httpx([interaction])
    whole: AIMessageChunk | None = None
    for chunk in llm().stream("What happened in the news?"):
        whole = chunk if whole is None else whole + chunk
    assert whole is not None
    (text,) = [b for b in whole.content_blocks if b["type"] == "text"]
    citations = text.get("annotations") or []
    assert [c["url"] for c in citations] == [e["url"] for e in expected]  # type: ignore[typeddict-item]
    assert all(c["type"] == "citation" for c in citations)
    assert whole.additional_kwargs["annotations"]  # the raw data stays where it was


def test_citations_and_images_on_invoke(monkeypatch: pytest.MonkeyPatch) -> None:
    reply = {
        "id": "gen-1",
        "model": "google/gemini-2.5-flash-image",
        "choices": [
            {
                "index": 0,
                "message": {
                    "role": "assistant",
                    "content": "Here is Paris.",
                    "annotations": [
                        {
                            "type": "url_citation",
                            "url_citation": {
                                "url": "https://en.wikipedia.org/wiki/Paris",
                                "title": "Paris",
                                "start_index": 8,
                                "end_index": 13,
                            },
                        }
                    ],
                    "images": [
                        {
                            "type": "image_url",
                            "image_url": {"url": "data:image/png;base64,iVBORw0K"},
                        }
                    ],
                },
                "finish_reason": "stop",
            }
        ],
    }

    def answer(self: Any, request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=json.dumps(reply).encode())

    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", answer)
    message = llm().invoke("Show me Paris")
    blocks = message.content_blocks
    assert blocks[0]["type"] == "text" and blocks[0]["text"] == "Here is Paris."
    assert blocks[0]["annotations"] == [  # type: ignore[typeddict-item]
        {
            "type": "citation",
            "url": "https://en.wikipedia.org/wiki/Paris",
            "title": "Paris",
            "start_index": 8,
            "end_index": 13,
        }
    ]
    assert blocks[1] == {"type": "image", "base64": "iVBORw0K", "mime_type": "image/png"}
    assert message.content == "Here is Paris."  # content and additional_kwargs as before
    assert message.additional_kwargs["images"] == reply["choices"][0]["message"]["images"]  # type: ignore[index]
