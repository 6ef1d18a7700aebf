"""What a request needs, and which models have it."""

from __future__ import annotations

from typing import Any

import pytest

from openrouter_core import Catalog
from openrouter_core.capabilities import Requirements, missing_capabilities, requirements_of

TOOL = {
    "type": "function",
    "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
}


def body(**extra: Any) -> dict[str, Any]:
    return {"model": "m/x", "messages": [{"role": "user", "content": "hi"}], **extra}


def test_plain_text_needs_nothing_special() -> None:
    needs = requirements_of(body())
    assert needs.parameters == frozenset() and needs.input_modalities == {"text"}
    assert needs.prompt_tokens >= 1


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ({"tools": [TOOL]}, {"tools"}),
        ({"tools": [TOOL], "tool_choice": "required"}, {"tools", "tool_choice"}),
        ({"tools": [TOOL], "tool_choice": "auto"}, {"tools"}),
        ({"tools": [{"type": "openrouter:web_search"}]}, set()),
        ({"response_format": {"type": "json_object"}}, {"response_format"}),
        ({"response_format": {"type": "json_schema", "json_schema": {}}}, {"structured_outputs"}),
        ({"reasoning": {"effort": "high"}}, {"reasoning"}),
        ({"reasoning": {"effort": "none"}}, set()),
        ({"reasoning": {"enabled": False}}, set()),
        ({"reasoning_effort": "low"}, {"reasoning"}),
        ({"temperature": 0.2, "provider": {"require_parameters": True}}, {"temperature"}),
        ({"temperature": 0.2}, set()),
    ],
)
def test_parameters_needed(extra: dict[str, Any], expected: set[str]) -> None:
    assert requirements_of(body(**extra)).parameters == expected


def test_modalities_from_content_parts() -> None:
    parts = [
        {"type": "text", "text": "look"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png"}},
        {
            "type": "file",
            "file": {"filename": "a.pdf", "file_data": "data:application/pdf;base64,AA"},
        },
        {"type": "input_audio", "input_audio": {"data": "AA", "format": "wav"}},
        {"type": "video_url", "video_url": {"url": "https://x/v.mp4"}},
    ]
    needs = requirements_of(
        {"messages": [{"role": "user", "content": parts}], "modalities": ["text", "image"]}
    )
    assert needs.input_modalities == {"text", "image", "file", "audio", "video"}
    assert needs.output_modalities == {"text", "image"}


def test_prompt_estimate_counts_text_and_tool_calls() -> None:
    long = {"role": "user", "content": "x" * 4000}
    call = {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "1", "type": "function", "function": {"name": "f", "arguments": "y" * 400}}
        ],
    }
    needs = requirements_of({"messages": [long, call], "max_tokens": 10})
    assert 1000 <= needs.prompt_tokens <= 1200
    assert needs.total_tokens == needs.prompt_tokens + 10


def test_missing_capabilities_explain_themselves(catalog: Catalog) -> None:
    guard = catalog.get("meta-llama/llama-guard-4-12b")
    needs = requirements_of(body(tools=[TOOL], response_format={"type": "json_schema"}))
    missing = missing_capabilities(guard, needs)
    assert any("tool calling" in m for m in missing)
    assert any("structured outputs" in m for m in missing)
    text_only = catalog.get("openai/gpt-3.5-turbo")
    image = Requirements(input_modalities=frozenset({"text", "image"}))
    assert missing_capabilities(text_only, image) == ["image input (it accepts text)"]
    out = Requirements(output_modalities=frozenset({"text", "image"}))
    assert "image output" in missing_capabilities(text_only, out)[0]


def test_token_limits(catalog: Catalog) -> None:
    model = catalog.get("openai/gpt-4o-mini")
    assert model.max_completion_tokens and model.context_window
    too_long_answer = Requirements(max_output_tokens=model.max_completion_tokens + 1)
    assert "max_tokens" in missing_capabilities(model, too_long_answer)[0]
    too_big_prompt = Requirements(prompt_tokens=model.context_window + 1)
    assert "context window" in missing_capabilities(model, too_big_prompt)[0]
    assert missing_capabilities(model, Requirements(prompt_tokens=100, max_output_tokens=100)) == []


def test_reasoning_accepts_include_reasoning_only_models(catalog: Catalog) -> None:
    needs = Requirements(parameters=frozenset({"reasoning"}))
    for model in catalog:
        if "include_reasoning" in model.parameters and "reasoning" not in model.parameters:
            assert missing_capabilities(model, needs) == []
            break
    assert catalog.get("openai/gpt-4o").supports_reasoning is False
