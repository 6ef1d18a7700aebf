"""ChatOpenRouter end to end on cassettes: reasoning, multi-turn reasoning details,
multimodal input, and a stream that breaks after output began."""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from langchain_openrouter import ChatOpenRouter
from openrouter_core import StreamInterruptedError

pytestmark = pytest.mark.openrouter_cassette

REASONER = "google/gemini-2.5-flash"
MODEL = "openai/gpt-4o-mini"

scripted_fault = pytest.mark.skipif(
    os.environ.get("OPENROUTER_RECORD_MODE", "none") != "none"
    and os.environ.get("OPENROUTER_EMULATE") != "1",
    reason="the broken stream is scripted in the emulator; live runs cannot inject it",
)


def _llm(api_key: str, base_url: str, **kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(api_key=api_key, base_url=base_url, **kwargs)


def test_reasoning_is_returned_and_sent_back(
    api_key: str, base_url: str, openrouter_cassette: Any
) -> None:
    llm = _llm(api_key, base_url, model=REASONER, reasoning={"effort": "low"}, max_tokens=2000)
    question = HumanMessage("What is the capital of France? Answer in one sentence.")
    first = llm.invoke([question])
    assert "Paris" in first.text
    assert first.additional_kwargs.get("reasoning_content")
    assert any(b["type"] == "reasoning" for b in first.content_blocks)
    assert first.usage_metadata is not None
    assert first.usage_metadata.get("output_token_details", {}).get("reasoning", 0) > 0
    assert first.response_metadata["model_name"].startswith(REASONER)

    follow_up = llm.invoke([question, first, HumanMessage("What is the capital of Germany?")])
    assert "Berlin" in follow_up.text
    sent = json.loads(openrouter_cassette.requests[-1].body)
    assistant = next(m for m in sent["messages"] if m["role"] == "assistant")
    details = first.additional_kwargs["reasoning_details"]
    assert details and assistant["reasoning_details"] == details  # sent back unchanged


async def test_streamed_reasoning_and_usage(api_key: str, base_url: str) -> None:
    llm = _llm(api_key, base_url, model=REASONER, reasoning={"effort": "low"}, max_tokens=2000)
    full: Any = None
    async for chunk in llm.astream("What is the capital of Italy? One sentence."):
        full = chunk if full is None else full + chunk
    assert "Rome" in full.text
    assert full.additional_kwargs.get("reasoning_content")
    assert full.usage_metadata["output_tokens"] > 0
    assert full.response_metadata["model_provider"] == "openrouter"
    assert full.response_metadata["finish_reason"] == "stop"


def test_image_input(api_key: str, base_url: str, media_base64: dict[str, str]) -> None:
    image = media_base64[".png"]
    message = HumanMessage(
        [
            {"type": "text", "text": "What colour is this image? One word."},
            {"type": "image", "base64": image, "mime_type": "image/png"},
        ]
    )
    reply = _llm(api_key, base_url, model=MODEL, temperature=0).invoke([message])
    assert isinstance(reply, AIMessage) and reply.text


@scripted_fault
def test_stream_broken_after_output_raises(api_key: str, base_url: str, emulator: Any) -> None:
    if emulator is not None:
        emulator.fail_model(MODEL, "mid_stream_error;after=3", times=1)
    llm = _llm(api_key, base_url, model=MODEL, fallback_models=["anthropic/claude-3.5-haiku"])
    received: list[str] = []
    with pytest.raises(StreamInterruptedError) as caught:
        for chunk in llm.stream("Tell me a short story about a lighthouse keeper."):
            received.append(chunk.text)
    assert "".join(received)  # output had begun: no silent switch to the fallback model
    assert caught.value.partial is not None
