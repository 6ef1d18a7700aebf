"""Every ``orctl`` command, as a table and as JSON, replayed from cassettes."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from openrouter_core import OpenRouterClient
from tests.wire.conftest import live_recording

Run = Callable[..., tuple[int, str, str]]

pytestmark = pytest.mark.openrouter_cassette


def test_models_filtered_cheapest_first(orctl: Run) -> None:
    code, out, _ = orctl(
        "models",
        "--supports",
        "tools,structured_outputs",
        "--paid",
        "--sort",
        "price",
        "--limit",
        "5",
    )
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["model", "context", "in"]
    assert len(lines) == 2 + 5 + 1 and lines[-1].startswith("5 of ")
    code, out, _ = orctl(
        "models", "--supports", "tools,structured_outputs", "--paid", "--sort", "price", "--json"
    )
    models = json.loads(out)
    assert code == 0 and len(models) > 5
    assert all({"tools", "structured_outputs"} <= set(m["supported_parameters"]) for m in models)
    prices = [m["prompt_price_per_million"] + m["completion_price_per_million"] for m in models]
    assert prices == sorted(prices) and prices[0] > 0


def test_models_by_modality_and_context(orctl: Run) -> None:
    code, out, _ = orctl("models", "--input", "image", "--min-context", "200000", "--json")
    models = json.loads(out)
    assert code == 0 and models
    assert all("image" in m["input_modalities"] for m in models)
    assert all(m["context_length"] >= 200_000 for m in models)


def test_one_model_with_endpoints(orctl: Run) -> None:
    code, out, _ = orctl("model", "openai/gpt-4o-mini")
    assert code == 0
    assert "openai/gpt-4o-mini" in out and "tools" in out and "provider" in out
    code, out, _ = orctl("model", "openai/gpt-4o-mini", "--json")
    data = json.loads(out)
    assert data["id"] == "openai/gpt-4o-mini" and data["endpoints"]


def test_unknown_model_names_the_closest_ids(orctl: Run) -> None:
    code, _, err = orctl("model", "openai/gpt4o-mini")
    assert code == 1
    assert "UnknownModelError" in err and "openai/gpt-4o-mini" in err


def test_providers_credits_and_key(orctl: Run, api_key: str) -> None:
    code, out, _ = orctl("providers")
    assert code == 0 and "slug" in out.splitlines()[0]
    code, out, _ = orctl("providers", "--json")
    assert json.loads(out)[0]["slug"]
    code, out, _ = orctl("credits")
    assert code == 0 and "left" in out
    assert {"total_credits", "total_usage"} <= set(json.loads(orctl("credits", "--json")[1]))
    code, out, _ = orctl("key")
    assert code == 0 and "limit" in out and api_key not in out
    assert "usage" in json.loads(orctl("key", "--json")[1])


def test_generation_cost_by_id(orctl: Run, base_url: str, api_key: str) -> None:
    with OpenRouterClient(api_key=api_key, base_url=base_url) as client:
        result = client.chat(
            {"model": "openai/gpt-4o-mini", "messages": [{"role": "user", "content": "Say hi"}]}
        )
    code, out, _ = orctl("generation", result.id)
    assert code == 0 and result.id in out and "cost" in out
    data = json.loads(orctl("generation", result.id, "--json")[1])
    assert data["id"] == result.id


def test_chat_streams_an_answer(orctl: Run) -> None:
    code, out, err = orctl("chat", "What is the capital of France?", "-m", "openai/gpt-4o-mini")
    assert code == 0 and out.strip()
    assert "openai/gpt-4o-mini: ok via" in err and "cost $" in err


@live_recording
def test_chat_falls_back_from_a_rate_limited_model(orctl: Run, emulator: Any) -> None:
    if emulator is not None:
        emulator.fail_model("openai/gpt-4o-mini", "rate_limit")
    code, out, err = orctl(
        "chat", "What is the capital of Spain?", "--fallback", "anthropic/claude-3.5-haiku"
    )
    assert code == 0 and out.strip()
    assert "openai/gpt-4o-mini: RateLimitError" in err
    assert "anthropic/claude-3.5-haiku: ok via" in err


def test_missing_key_says_how_to_fix_it(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from openrouter_core.cli import main

    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    assert main(["credits"]) == 2
    assert "OPENROUTER_API_KEY" in capsys.readouterr().err
