"""Client-side fallback routing, and the one place that decides what a failure means.

A route is an ordered list of models. :func:`plan_route` checks each against the
catalog (skipping those that cannot serve the request); :class:`RouteRun` walks it
and, for every failed HTTP attempt, asks :func:`decide` whether to retry the same
model, move on to the next one, or raise. Both clients (sync and async, chat,
streams and every other endpoint) run that same loop, so the rules live here once:

* after output has begun, a failure is raised (never a silent switch of models);
* an account-wide 429 (``X-RateLimit-*`` headers) waits ``Retry-After`` on the same
  model: every model shares the account's limit, so falling back would not help;
* a model failure (429, 5xx, timeout, dropped connection, context length,
  moderation; 402 if asked) moves on to the next model while there is one, and
  cools the model down for ``Retry-After`` (or ``cooldown_seconds``);
* on the last model, a retryable failure is retried up to ``max_retries`` times;
* a ``Retry-After`` longer than the retry budget (``max_retry_wait``) is never
  waited for: the route moves on or the error is raised at once.

Every decision is logged at DEBUG on ``openrouter_core.routing`` (model, status,
action, delay; never a secret).
"""

from __future__ import annotations

import enum
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ._retries import RetryPolicy, is_account_limited, is_retryable, retry_after_of
from .capabilities import CapabilityPolicy, Requirements, missing_capabilities, warn_or_raise
from .catalog import Catalog
from .errors import (
    AllModelsFailedError,
    APIStatusError,
    CapabilityError,
    ContextLengthExceededError,
    InsufficientCreditsError,
    ModerationError,
    RateLimitError,
    StreamInterruptedError,
)
from .model_ids import is_router
from .types.attempts import Attempt

__all__ = [
    "Action",
    "Attempt",
    "CooldownRegistry",
    "Decision",
    "FallbackPolicy",
    "RouteRun",
    "decide",
    "plan_route",
]

log = logging.getLogger("openrouter_core.routing")


class CooldownRegistry:
    """Models that failed recently, and until when to leave them alone.

    Shared by every request of a client (thread-safe), so one call's 429 spares
    the next calls a wasted round trip.
    """

    def __init__(self, default_seconds: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.default_seconds = default_seconds
        self._clock = clock
        self._until: dict[str, float] = {}
        self._lock = threading.Lock()

    def cool(self, model: str, seconds: float | None = None) -> None:
        until = self._clock() + (self.default_seconds if seconds is None else seconds)
        with self._lock:
            self._until[model] = max(until, self._until.get(model, 0.0))

    def remaining(self, model: str) -> float:
        until = self._until.get(model)
        if until is None:
            return 0.0
        left = until - self._clock()
        if left <= 0:
            with self._lock:
                self._until.pop(model, None)
            return 0.0
        return left

    def clear(self, model: str | None = None) -> None:
        with self._lock:
            if model is None:
                self._until.clear()
            else:
                self._until.pop(model, None)


@dataclass
class FallbackPolicy:
    """Which failures move a route on to its next model.

    Retryable failures do (except an account-wide 429, see :func:`decide`).
    ``on_payment_required`` adds 402 (another model may be cheaper or free);
    context-length and moderation refusals are model-specific, so they move on too.
    """

    on_payment_required: bool = False
    cooldown_seconds: float = 30.0

    def moves_on(self, error: BaseException) -> bool:
        if isinstance(error, StreamInterruptedError):
            return False  # output was already shown: never switch models silently
        if is_account_limited(error):
            return False  # the account's limit applies to every model alike
        if is_retryable(error):
            return True
        if isinstance(error, (ContextLengthExceededError, ModerationError)):
            return True
        return isinstance(error, InsufficientCreditsError) and self.on_payment_required


def cools_model(error: BaseException) -> bool:
    """Whether a failure says the model itself is unavailable for a while (rate
    limited on its own, overloaded, down, timing out), so that every request sharing
    the client skips it until it cools. A failure about this one request (context
    too long, moderation) or the account (account-wide 429, no credits) does not."""
    if isinstance(error, StreamInterruptedError) or is_account_limited(error):
        return False
    return is_retryable(error)


class Action(enum.Enum):
    RETRY = "retry"
    NEXT = "next model"
    RAISE = "raise"


@dataclass(frozen=True)
class Decision:
    """What to do after a failed attempt; ``delay`` is the wait before a retry."""

    action: Action
    delay: float = 0.0


def decide(
    error: BaseException,
    *,
    retries_done: int,
    has_next: bool,
    retry: RetryPolicy,
    fallback: FallbackPolicy,
    output_started: bool = False,
) -> Decision:
    """Retry the same model, move to the next one, or raise (see the module docs)."""
    if output_started or isinstance(error, StreamInterruptedError):
        return Decision(Action.RAISE)
    if not is_account_limited(error) and has_next and fallback.moves_on(error):
        return Decision(Action.NEXT)
    if retry.should_retry(retries_done, error):
        return Decision(Action.RETRY, retry.delay(retries_done, error))
    return Decision(Action.RAISE)


def plan_route(
    catalog: Catalog | None,
    models: Sequence[str],
    needs: Requirements,
    *,
    policy: CapabilityPolicy,
    auto: bool = False,
    auto_limit: int = 2,
    max_price: float | None = None,
) -> tuple[list[str], list[Attempt]]:
    """Order the candidates and drop those the catalog says cannot serve ``needs``.

    Returns ``(candidates, skipped)``. Unknown ids raise ``UnknownModelError``
    (under policy ``error``, against a fresh catalog); if no candidate can serve the
    request the primary's :class:`CapabilityError` is raised (or warned about, and
    the route kept).
    """
    candidates = list(dict.fromkeys(models))
    if catalog is None or policy == "off":
        return candidates, []
    if auto and candidates:
        for sub in catalog.substitutes(candidates[0], needs, limit=auto_limit, max_price=max_price):
            if sub not in candidates:
                candidates.append(sub)
    usable: list[str] = []
    skipped: list[Attempt] = []
    first_error: CapabilityError | None = None
    for model_id in candidates:
        if is_router(model_id):
            usable.append(model_id)
            continue
        info = catalog.lookup(model_id, policy=policy)
        if info is None:  # unknown, but allowed through (warned about once)
            usable.append(model_id)
            continue
        missing = missing_capabilities(info, needs)
        if not missing:
            usable.append(model_id)
            continue
        if first_error is None:
            capable = catalog.capable_models(needs, prefer_author=model_id.split("/")[0])
            first_error = CapabilityError(
                model_id, missing, [m.id for m in capable[:8]], len(capable)
            )
        skipped.append(Attempt(model_id, skipped=True, reason="; ".join(missing)))
    if not usable and first_error is not None:
        warn_or_raise(policy, first_error)
        return candidates, []
    if skipped and policy == "warn" and first_error is not None:
        warn_or_raise("warn", first_error)
    return usable, skipped


#: Told about every 429: ``(model, retry_after, account_wide)``.
RateLimitListener = Callable[[str | None, float | None, bool], None]


@dataclass
class RouteRun:
    """One request's walk along its route: which model to try next, what each
    failure means (:func:`decide`), every attempt recorded, failed models cooled."""

    candidates: list[str]
    cooldowns: CooldownRegistry | None = None
    policy: FallbackPolicy = field(default_factory=FallbackPolicy)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    attempts: list[Attempt] = field(default_factory=list)
    on_rate_limited: RateLimitListener | None = None
    clock: Callable[[], float] = time.monotonic
    _position: int = 0
    _current: str | None = None
    _retries: int = 0
    _last_error: BaseException | None = None

    def next_model(self) -> str:
        """The model for the next HTTP attempt: the same one while retrying, else the
        next candidate, skipping a cooling model unless every later one cools too."""
        if self._current is not None:
            return self._current
        cooldowns = self.cooldowns
        while self._position < len(self.candidates):
            model = self.candidates[self._position]
            self._position += 1
            if cooldowns is not None:
                wait = cooldowns.remaining(model)
                later = self.candidates[self._position :]
                if wait > 0 and any(cooldowns.remaining(m) <= 0 for m in later):
                    self.attempts.append(
                        Attempt(model, skipped=True, reason=f"cooling down for {wait:.1f}s more")
                    )
                    continue
            self._current, self._retries = model, 0
            return model
        raise self.exhausted()

    @property
    def has_next(self) -> bool:
        return self._position < len(self.candidates)

    def succeeded(self, model: str, provider: str | None, started: float) -> None:
        self.attempts.append(
            Attempt(model, ok=True, provider=provider, duration_s=self.clock() - started)
        )

    def failed(
        self, model: str, error: BaseException, started: float, *, output_started: bool = False
    ) -> tuple[Decision, BaseException]:
        """Record a failed attempt and decide; returns the decision and, for
        :attr:`Action.RAISE`, the error to raise."""
        status = error.status_code if isinstance(error, APIStatusError) else None
        reason = getattr(error, "message", None) or str(error)
        self.attempts.append(
            Attempt(
                model,
                reason=reason[:300],
                error_type=type(error).__name__,
                status_code=status,
                provider=getattr(error, "provider_name", None),
                duration_s=self.clock() - started,
            )
        )
        self._last_error = error
        decision = decide(
            error,
            retries_done=self._retries,
            has_next=self.has_next,
            retry=self.retry,
            fallback=self.policy,
            output_started=output_started,
        )
        hinted = retry_after_of(error)
        account_wide = is_account_limited(error)
        if isinstance(error, RateLimitError) and self.on_rate_limited is not None:
            self.on_rate_limited(model or None, hinted, account_wide)
        if self.cooldowns is not None and model and cools_model(error):
            self.cooldowns.cool(model, hinted)
        log.debug(
            "model=%s status=%s error=%s action=%s delay=%.3f retry_after=%s account_wide=%s",
            model or "-",
            status,
            type(error).__name__,
            decision.action.value,
            decision.delay,
            hinted,
            account_wide,
        )
        if decision.action is Action.RETRY:
            self._retries += 1
        elif decision.action is Action.NEXT:
            self._current = None
        return decision, self.give_up(error) if decision.action is Action.RAISE else error

    def give_up(self, error: BaseException) -> BaseException:
        """The error to raise when the route stops: the error itself when one model
        was tried, else :class:`AllModelsFailedError` listing every attempt."""
        tried = {a.model for a in self.attempts if not a.skipped}
        if len(tried) <= 1:
            return error
        failure = self.exhausted()
        failure.__cause__ = error
        return failure

    def exhausted(self) -> AllModelsFailedError:
        return AllModelsFailedError(self.attempts, self._last_error)


def describe_attempts(attempts: Sequence[Attempt]) -> list[dict[str, Any]]:
    """Attempts as plain dicts (what adapters put in response metadata)."""
    return [a.as_dict() for a in attempts]
