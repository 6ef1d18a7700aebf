"""Route planning and walking, independent of HTTP."""

from __future__ import annotations

import warnings

import pytest

from openrouter_core import (
    CapabilityError,
    CapabilityWarning,
    Catalog,
    RateLimitError,
    StreamInterruptedError,
    UnknownModelError,
    errors,
)
from openrouter_core._retries import RetryPolicy
from openrouter_core.capabilities import Requirements
from openrouter_core.errors import (
    AuthenticationError,
    ContextLengthExceededError,
    InsufficientCreditsError,
    ModerationError,
)
from openrouter_core.routing import Action, CooldownRegistry, FallbackPolicy, RouteRun, plan_route

TOOLS = Requirements(parameters=frozenset({"tools"}))


class Clock:
    now = 0.0

    def __call__(self) -> float:
        return self.now


def test_incapable_models_are_skipped(catalog: Catalog) -> None:
    route, skipped = plan_route(
        catalog, ["meta-llama/llama-guard-4-12b", "openai/gpt-4o-mini"], TOOLS, policy="error"
    )
    assert route == ["openai/gpt-4o-mini"]
    assert skipped[0].skipped and "tool calling" in (skipped[0].reason or "")


def test_no_capable_model_raises_with_capable_list(catalog: Catalog) -> None:
    with pytest.raises(CapabilityError) as info:
        plan_route(catalog, ["meta-llama/llama-guard-4-12b"], TOOLS, policy="error")
    assert info.value.capable_models and info.value.capable_models[0].startswith("meta-llama/")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        route, _ = plan_route(catalog, ["meta-llama/llama-guard-4-12b"], TOOLS, policy="warn")
    assert route == ["meta-llama/llama-guard-4-12b"]
    assert caught and issubclass(caught[0].category, CapabilityWarning)
    assert plan_route(catalog, ["meta-llama/llama-guard-4-12b"], TOOLS, policy="off")[0]


def test_warn_policy_warns_about_skips_and_unknown_ids(catalog: Catalog) -> None:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        route, _ = plan_route(
            catalog,
            ["meta-llama/llama-guard-4-12b", "openai/gpt-4o", "who/knows"],
            TOOLS,
            policy="warn",
        )
    assert route == ["openai/gpt-4o", "who/knows"]
    assert len(caught) == 2


def test_unknown_model_and_routers(catalog: Catalog) -> None:
    with pytest.raises(UnknownModelError):
        plan_route(catalog, ["openai/gpt-9"], TOOLS, policy="error")
    assert plan_route(catalog, ["openrouter/auto"], TOOLS, policy="error")[0] == ["openrouter/auto"]
    assert plan_route(None, ["a/b", "a/b", "c/d"], TOOLS, policy="error")[0] == ["a/b", "c/d"]


def test_auto_fallback_picks_capable_substitutes(catalog: Catalog) -> None:
    needs = Requirements(
        parameters=frozenset({"tools", "structured_outputs"}),
        input_modalities=frozenset({"text", "image"}),
        prompt_tokens=200_000,
    )
    route, _ = plan_route(
        catalog, ["openai/gpt-4.1-mini"], needs, policy="error", auto=True, auto_limit=3
    )
    assert route[0] == "openai/gpt-4.1-mini" and len(route) == 4
    for model_id in route[1:]:
        model = catalog.get(model_id)
        assert {"tools", "structured_outputs"} <= model.parameters
        assert "image" in model.input_modalities and (model.context_window or 0) >= 200_000
    ceiling = 0.000001
    cheap = catalog.substitutes("openai/gpt-4.1-mini", needs, max_price=ceiling)
    for model_id in cheap:
        m = catalog.get(model_id)
        assert (m.prompt_price or 0) + (m.completion_price or 0) <= ceiling


def test_fallback_policy() -> None:
    policy = FallbackPolicy()
    assert policy.moves_on(RateLimitError("x"))
    assert policy.moves_on(ContextLengthExceededError("x"))
    assert policy.moves_on(ModerationError("x"))
    assert not policy.moves_on(AuthenticationError("x"))
    assert not policy.moves_on(InsufficientCreditsError("x"))
    assert FallbackPolicy(on_payment_required=True).moves_on(InsufficientCreditsError("x"))
    assert not policy.moves_on(StreamInterruptedError("x", partial=None))


def test_route_run_cools_down_and_skips() -> None:
    clock = Clock()
    cooldowns = CooldownRegistry(default_seconds=30, clock=clock)
    run = RouteRun(["a/1", "b/2"], cooldowns, clock=clock)
    first = run.next_model()
    error = RateLimitError("slow", headers={"retry-after": "5"})
    decision, _ = run.failed(first, error, 0.0)
    assert decision.action is Action.NEXT  # a fallback is left: no retry of the same model
    assert cooldowns.remaining("a/1") == 5
    second = run.next_model()
    assert second == "b/2" and not run.has_next
    run.succeeded(second, "P", 0.0)
    assert [a.describe().split(":")[0] for a in run.attempts] == ["a/1", "b/2"]
    assert run.attempts[1].as_dict()["provider"] == "P"

    # The next request skips the cooling model...
    later = RouteRun(["a/1", "b/2"], cooldowns, clock=clock)
    assert later.next_model() == "b/2" and later.attempts[0].skipped
    assert "cooling down" in later.attempts[0].describe()
    # ...until the cooldown ends.
    clock.now += 6
    assert RouteRun(["a/1", "b/2"], cooldowns, clock=clock).next_model() == "a/1"


def test_cooling_model_is_still_tried_when_nothing_else_is_left() -> None:
    cooldowns = CooldownRegistry()
    cooldowns.cool("a/1")
    cooldowns.cool("b/2")
    run = RouteRun(["a/1", "b/2"], cooldowns)
    assert run.next_model() == "a/1"
    cooldowns.clear("a/1")
    assert cooldowns.remaining("a/1") == 0
    cooldowns.clear()
    assert cooldowns.remaining("b/2") == 0


def test_last_model_failure_stops_the_route() -> None:
    run = RouteRun(["a/1"], CooldownRegistry(), retry=RetryPolicy(max_retries=1))
    model = run.next_model()
    decision, _ = run.failed(model, RateLimitError("x"), 0.0)
    assert decision.action is Action.RETRY  # the last model: retried
    assert run.next_model() == model
    decision, error = run.failed(model, AuthenticationError("bad key"), 0.0)
    assert decision.action is Action.RAISE and isinstance(error, AuthenticationError)
    exhausted = run.exhausted()
    assert "a/1: RateLimitError" in str(exhausted) and exhausted.last_error is not None


@pytest.mark.parametrize(
    ("error", "cools"),
    [
        (errors.RateLimitError("slow down", status_code=429), True),
        (errors.ServiceUnavailableError("down", status_code=503), True),
        (errors.ContextLengthExceededError("too long", status_code=400), False),
        (errors.ModerationError("flagged", status_code=403), False),
        (errors.InsufficientCreditsError("no credits", status_code=402), False),
    ],
    ids=lambda v: type(v).__name__ if isinstance(v, Exception) else str(v),
)
def test_only_failures_of_the_model_cool_it_for_everyone(error: Exception, cools: bool) -> None:
    """A context-length or moderation error is about one request: the route moves on
    (another model may take it) but other requests keep using the model."""
    cooldowns = CooldownRegistry(default_seconds=30)
    run = RouteRun(["a/1", "b/2"], cooldowns, policy=FallbackPolicy(on_payment_required=True))
    decision, _ = run.failed(run.next_model(), error, 0.0)
    assert decision.action is Action.NEXT
    assert (cooldowns.remaining("a/1") > 0) is cools
