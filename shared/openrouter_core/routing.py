"""Client-side fallback routing: which model to try next, and which to skip.

A route is an ordered list of models. :func:`plan_route` checks each against the
catalog (skipping those that cannot serve the request) and
:class:`RouteRun` walks it: a model cooling down after a recent failure is
skipped, a retryable failure (429, 5xx, timeout, dropped connection; 402 if
asked) moves on to the next model and cools the failed one down (for
``Retry-After`` seconds when the server sent it). Every try and skip is
recorded as an :class:`Attempt`.

The decisions live here once; the sync and async clients only run the loop.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from .capabilities import CapabilityPolicy, Requirements, missing_capabilities, warn_or_raise
from .catalog import Catalog
from .errors import (
    AllModelsFailedError,
    APIStatusError,
    CapabilityError,
    ContextLengthExceededError,
    InsufficientCreditsError,
    ModerationError,
    StreamInterruptedError,
)
from .model_ids import is_router
from .retries import is_retryable, retry_after_of

__all__ = ["Attempt", "CooldownRegistry", "FallbackPolicy", "RouteRun", "plan_route"]


@dataclass
class Attempt:
    """One model of a route: tried (with its outcome) or skipped (with the reason)."""

    model: str
    ok: bool = False
    skipped: bool = False
    reason: str | None = None
    error_type: str | None = None
    status_code: int | None = None
    provider: str | None = None
    duration_s: float = 0.0

    def describe(self) -> str:
        if self.skipped:
            return f"{self.model}: skipped ({self.reason})"
        if self.ok:
            return f"{self.model}: ok via {self.provider or '?'} in {self.duration_s:.3f}s"
        return f"{self.model}: {self.error_type} ({self.reason}) after {self.duration_s:.3f}s"

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "ok": self.ok,
            "skipped": self.skipped,
            "reason": self.reason,
            "error_type": self.error_type,
            "status_code": self.status_code,
            "provider": self.provider,
            "duration_s": round(self.duration_s, 6),
        }


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

    Retryable failures always do. ``on_payment_required`` adds 402 (another model may
    be cheaper or free); context-length and moderation refusals are model-specific,
    so they move on too.
    """

    on_payment_required: bool = False
    cooldown_seconds: float = 30.0

    def moves_on(self, error: BaseException) -> bool:
        if isinstance(error, StreamInterruptedError):
            return False  # output was already shown: never switch models silently
        if is_retryable(error):
            return True
        if isinstance(error, (ContextLengthExceededError, ModerationError)):
            return True
        return isinstance(error, InsufficientCreditsError) and self.on_payment_required


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
    (under policy ``error``); if no candidate can serve the request the primary's
    :class:`CapabilityError` is raised (or warned about, and the route kept).
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
        if policy == "warn" and catalog.find(model_id) is None:
            warn_or_raise("warn", catalog_unknown(catalog, model_id))
            usable.append(model_id)
            continue
        info = catalog.get(model_id)  # raises UnknownModelError with suggestions
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


def catalog_unknown(catalog: Catalog, model_id: str) -> Exception:
    try:
        catalog.get(model_id)
    except Exception as exc:
        return exc
    return RuntimeError(model_id)  # pragma: no cover - get() found it after all


@dataclass
class RouteRun:
    """Walks one request's candidates, recording attempts and cooling failures down."""

    candidates: list[str]
    cooldowns: CooldownRegistry
    policy: FallbackPolicy = field(default_factory=FallbackPolicy)
    attempts: list[Attempt] = field(default_factory=list)
    clock: Callable[[], float] = time.monotonic
    _position: int = 0
    _last_error: BaseException | None = None

    def __iter__(self) -> RouteRun:
        return self

    def __next__(self) -> str:
        """The next model to try; cooling models are skipped unless all of them are."""
        while self._position < len(self.candidates):
            model = self.candidates[self._position]
            self._position += 1
            wait = self.cooldowns.remaining(model)
            later = self.candidates[self._position :]
            if wait > 0 and any(self.cooldowns.remaining(m) <= 0 for m in later):
                self.attempts.append(
                    Attempt(model, skipped=True, reason=f"cooling down for {wait:.1f}s more")
                )
                continue
            return model
        raise StopIteration

    @property
    def is_last(self) -> bool:
        return self._position >= len(self.candidates)

    def retries_for(self, max_retries: int) -> int:
        """With fallbacks left, fail over at once instead of retrying the same model."""
        return max_retries if self.is_last else 0

    def succeeded(self, model: str, provider: str | None, started: float) -> None:
        self.attempts.append(
            Attempt(model, ok=True, provider=provider, duration_s=self.clock() - started)
        )

    def failed(self, model: str, error: BaseException, started: float) -> bool:
        """Record a failure; True if the route should go on to the next model."""
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
        moves_on = self.policy.moves_on(error)
        if moves_on:
            hinted = retry_after_of(error)
            self.cooldowns.cool(model, hinted if hinted is not None else None)
        return moves_on and not self.is_last

    def exhausted(self) -> AllModelsFailedError:
        return AllModelsFailedError(self.attempts, self._last_error)


RouteMode = Literal["auto"]
