"""Bad input: a clear error naming the fix, raised before anything is sent."""

from __future__ import annotations

from typing import Any

import pytest

from openrouter_core import (
    CapabilityError,
    InvalidRequestError,
    OpenRouterClient,
    RequestRejectedError,
    UnknownModelError,
)
from tests.reliability.conftest import KEY, PRIMARY

NO_SCHEMA = "openai/gpt-5-chat"  # the catalog lists no tool calling for it
USER = [{"role": "user", "content": "hi"}]
BAD_SCHEMA = {"type": "object", "properties": {"a": {"type": "banana"}}}
TOOL = {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}

CASES: list[tuple[str, dict[str, Any], type[Exception], str]] = [
    (
        "unknown model",
        {"model": "openai/gpt4o-mini", "messages": USER},
        UnknownModelError,
        "openai/gpt-4o-mini",
    ),
    ("empty messages", {"model": PRIMARY, "messages": []}, InvalidRequestError, "messages"),
    (
        "invalid role",
        {"model": PRIMARY, "messages": [{"role": "wizard", "content": "hi"}]},
        InvalidRequestError,
        "role",
    ),
    (
        "tool schema not JSON Schema",
        {
            "model": PRIMARY,
            "messages": USER,
            "tools": [{"type": "function", "function": {"name": "f", "parameters": BAD_SCHEMA}}],
        },
        InvalidRequestError,
        "JSON Schema",
    ),
    (
        "structured output on a model without it",
        {
            "model": "anthropic/claude-sonnet-4",
            "messages": USER,
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "x", "schema": {"type": "object"}},
            },
        },
        CapabilityError,
        "structured",
    ),
    (
        "tools on a model without them",
        {"model": NO_SCHEMA, "messages": USER, "tools": [TOOL]},
        CapabilityError,
        "tool calling",
    ),
    (
        "max_tokens over the model's limit",
        {"model": PRIMARY, "messages": USER, "max_tokens": 1_000_000},
        CapabilityError,
        "max_tokens",
    ),
    (
        "temperature out of range",
        {"model": PRIMARY, "messages": USER, "temperature": 7},
        InvalidRequestError,
        "temperature",
    ),
    (
        "prompt beyond the context window",
        {"model": PRIMARY, "messages": [{"role": "user", "content": "word " * 700_000}]},
        CapabilityError,
        "context",
    ),
]


@pytest.mark.parametrize(
    ("request_body", "error", "says"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_refused_before_sending(
    emu: Any, request_body: dict[str, Any], error: type, says: str
) -> None:
    sent_before = len(emu.requests)
    with OpenRouterClient(api_key=KEY, base_url=emu.base_url) as client:
        client.catalog.ensure()
        sent_before = len(emu.requests)
        with pytest.raises(error) as caught:
            client.chat(request_body)
    assert isinstance(caught.value, RequestRejectedError)
    assert says.lower() in str(caught.value).lower()
    assert len(emu.requests) == sent_before  # nothing was sent


def test_capability_errors_name_capable_models(emu: Any) -> None:
    with (
        OpenRouterClient(api_key=KEY, base_url=emu.base_url) as client,
        pytest.raises(CapabilityError) as caught,
    ):
        client.chat({"model": NO_SCHEMA, "messages": USER, "tools": [TOOL]})
    assert caught.value.capable_models
    assert "capability_check" in str(caught.value)  # and how to override


def test_adapters_refuse_before_sending(emu: Any) -> None:
    from llama_index.core.llms import ChatMessage

    from langchain_openrouter import ChatOpenRouter
    from llama_index_openrouter import OpenRouter

    sent_before = len(emu.requests)
    with pytest.raises(UnknownModelError):
        ChatOpenRouter(
            model="anthropic/claude-3.5-haikoo", api_key=KEY, base_url=emu.base_url
        ).invoke("hi")
    with pytest.raises(CapabilityError):
        ChatOpenRouter(model=NO_SCHEMA, api_key=KEY, base_url=emu.base_url).bind_tools([TOOL])
    with pytest.raises(InvalidRequestError):
        OpenRouter(
            model=PRIMARY, api_key=KEY, api_base=emu.base_url, additional_kwargs={"top_p": 3}
        ).chat([ChatMessage(role="user", content="x")])
    sent = [r for r in emu.requests[sent_before:] if not r[1].endswith("/models")]
    assert sent == []
