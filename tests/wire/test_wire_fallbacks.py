"""Each fallback path of the client-side route (and the server-side pass-through).

While authoring, the emulator is told which model fails and how; the cassettes then
hold exactly the requests the route made, so replay proves which models were tried.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from openrouter_core import (
    AllModelsFailedError,
    AsyncOpenRouterClient,
    CooldownRegistry,
    FallbackPolicy,
    InsufficientCreditsError,
    OpenRouterClient,
    StreamInterruptedError,
)
from tests.wire.conftest import live_recording, no_sleep_policy

PRIMARY = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"
NO_TOOLS = "openai/gpt-5-chat"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "Current weather of a city.",
            "parameters": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
            },
        },
    }
]

pytestmark = [pytest.mark.openrouter_cassette, live_recording]


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def script(emulator: Any, model: str, fault: str, times: int | None = 1) -> None:
    """Make ``model`` fail (only while authoring; replay has the outcome recorded)."""
    if emulator is not None:
        emulator.fail_model(model, fault, times=times)


def ask(text: str, **extra: Any) -> dict[str, Any]:
    return {"model": PRIMARY, "messages": [{"role": "user", "content": text}], **extra}


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def client(base_url: str, api_key: str, clock: FakeClock) -> Iterator[OpenRouterClient]:
    with OpenRouterClient(
        api_key=api_key,
        base_url=base_url,
        retry_policy=no_sleep_policy(),
        cooldowns=CooldownRegistry(30.0, clock=clock),
    ) as c:
        yield c


@pytest.fixture
def sent(client: OpenRouterClient) -> list[dict[str, Any]]:
    """The chat request bodies ``client`` actually sent (recording or replaying)."""
    bodies: list[dict[str, Any]] = []

    def hook(request: httpx.Request) -> None:
        if request.url.path.endswith("/chat/completions"):
            bodies.append(json.loads(request.content))

    client.http_client.event_hooks["request"].append(hook)
    return bodies


def models_of(bodies: list[dict[str, Any]]) -> list[str]:
    return [str(b["model"]) for b in bodies]


def test_rate_limited_model_falls_back_then_cools_down(
    client: OpenRouterClient, clock: FakeClock, emulator: Any, sent: list[dict[str, Any]]
) -> None:
    script(emulator, PRIMARY, "rate_limit;retry_after=20")
    first = client.chat(ask("Capital of France?"), fallback_models=[BACKUP])
    assert first.model == BACKUP and first.provider
    failed, served = first.attempts
    assert (failed.model, failed.status_code, failed.error_type) == (PRIMARY, 429, "RateLimitError")
    assert served.ok and served.model == BACKUP and served.duration_s >= 0

    second = client.chat(ask("Capital of Spain?"), fallback_models=[BACKUP])
    assert second.model == BACKUP
    assert second.attempts[0].skipped and "cool" in (second.attempts[0].reason or "")

    clock.now += 21  # the Retry-After has passed: the primary is tried again
    third = client.chat(ask("Capital of Italy?"), fallback_models=[BACKUP])
    assert third.model.startswith(PRIMARY) and len(third.attempts) == 1
    assert models_of(sent) == [PRIMARY, BACKUP, BACKUP, PRIMARY]


def test_server_error_moves_on(client: OpenRouterClient, emulator: Any) -> None:
    script(emulator, PRIMARY, "status:503")  # not the last model: no retries, move on
    result = client.chat(ask("Capital of Portugal?"), fallback_models=[BACKUP])
    assert result.model == BACKUP
    assert result.attempts[0].status_code == 503


def test_model_that_cannot_serve_is_skipped_without_a_request(
    client: OpenRouterClient, sent: list[dict[str, Any]]
) -> None:
    request = {**ask("Weather in Paris?"), "model": NO_TOOLS, "tools": TOOLS}
    result = client.chat(request, fallback_models=[PRIMARY])
    skipped = result.attempts[0]
    assert skipped.model == NO_TOOLS and skipped.skipped and "tool" in (skipped.reason or "")
    assert result.model.startswith(PRIMARY)
    assert models_of(sent) == [PRIMARY]


def test_auto_fallback_picks_a_capable_substitute(client: OpenRouterClient, emulator: Any) -> None:
    script(emulator, PRIMARY, "status:502")
    result = client.chat(ask("Weather in Paris?", tools=TOOLS), fallback="auto")
    catalog = client.catalog.ensure()
    assert not result.model.startswith(PRIMARY)
    assert "tools" in catalog.get(result.model).parameters
    assert result.attempts[0].model == PRIMARY and result.attempts[0].status_code == 502


def test_auto_fallback_respects_a_price_ceiling(client: OpenRouterClient, emulator: Any) -> None:
    script(emulator, PRIMARY, "status:502")
    ceiling = 1e-6
    result = client.chat(ask("Capital of Peru?"), fallback="auto", max_fallback_price=ceiling)
    info = client.catalog.ensure().get(result.model)
    assert (info.prompt_price or 0) + (info.completion_price or 0) <= ceiling


def test_payment_required_moves_on_only_when_asked(
    base_url: str, api_key: str, emulator: Any
) -> None:
    script(emulator, PRIMARY, "status:402")
    with (
        OpenRouterClient(api_key=api_key, base_url=base_url) as strict,
        pytest.raises(InsufficientCreditsError),
    ):
        strict.chat(ask("Capital of Chile?"), fallback_models=[BACKUP])
    script(emulator, PRIMARY, "status:402")
    with OpenRouterClient(
        api_key=api_key,
        base_url=base_url,
        fallback_policy=FallbackPolicy(on_payment_required=True),
    ) as lenient:
        result = lenient.chat(ask("Capital of Chile?"), fallback_models=[BACKUP])
    assert result.model == BACKUP and result.attempts[0].status_code == 402


def test_every_model_failing_reports_every_attempt(
    client: OpenRouterClient, emulator: Any, sent: list[dict[str, Any]]
) -> None:
    script(emulator, PRIMARY, "status:500")
    script(emulator, BACKUP, "status:529", times=3)  # the last model: first try + 2 retries
    with pytest.raises(AllModelsFailedError) as caught:
        client.chat(ask("Capital of Japan?"), fallback_models=[BACKUP])
    attempts = caught.value.attempts
    assert models_of(sent) == [PRIMARY, BACKUP, BACKUP, BACKUP]
    # Every HTTP attempt is listed, the retries of the last model included.
    assert [(a.model, a.status_code) for a in attempts] == [
        (PRIMARY, 500),
        (BACKUP, 529),
        (BACKUP, 529),
        (BACKUP, 529),
    ]
    assert PRIMARY in str(caught.value) and BACKUP in str(caught.value)


def test_server_side_models_and_provider_pass_through(
    client: OpenRouterClient, emulator: Any, sent: list[dict[str, Any]]
) -> None:
    script(emulator, PRIMARY, "status:503")
    provider = {"order": ["OpenAI", "Azure"], "allow_fallbacks": True, "sort": "price"}
    result = client.chat(ask("Capital of Kenya?", models=[PRIMARY, BACKUP], provider=provider))
    assert result.model == BACKUP  # OpenRouter itself walked the models list
    assert len(result.attempts) == 1  # one client-side attempt
    (body,) = sent
    assert body["models"] == [PRIMARY, BACKUP] and body["provider"] == provider


def test_stream_falls_back_before_the_first_token(client: OpenRouterClient, emulator: Any) -> None:
    script(emulator, PRIMARY, "rate_limit")
    stream = client.chat_stream(ask("Capital of Norway?"), fallback_models=[BACKUP])
    text = "".join(chunk.content for chunk in stream)
    result = stream.result()
    assert text and result.model == BACKUP and result.text == text
    assert result.attempts[0].status_code == 429


def test_stream_never_switches_after_the_first_token(
    client: OpenRouterClient, emulator: Any, sent: list[dict[str, Any]]
) -> None:
    script(emulator, PRIMARY, "mid_stream_error;after=3")
    stream = client.chat_stream(
        ask("Tell me about the Keel Island ferry in detail."), fallback_models=[BACKUP]
    )
    shown: list[str] = []
    with pytest.raises(StreamInterruptedError) as caught:
        for chunk in stream:
            shown.append(chunk.content)
    assert caught.value.partial is not None and caught.value.partial.text == "".join(shown)
    assert models_of(sent) == [PRIMARY]  # the backup was never asked


async def test_async_route_falls_back(base_url: str, api_key: str, emulator: Any) -> None:
    script(emulator, PRIMARY, "rate_limit;retry_after=5")
    async with AsyncOpenRouterClient(
        api_key=api_key, base_url=base_url, retry_policy=no_sleep_policy()
    ) as client:
        result = await client.chat(ask("Capital of Egypt?"), fallback_models=[BACKUP])
    assert result.model == BACKUP and result.attempts[0].status_code == 429
