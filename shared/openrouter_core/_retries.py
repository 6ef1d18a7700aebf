"""Bounded exponential backoff with jitter, honouring ``Retry-After`` within a budget.

Which failures are retryable is decided here and only here: 408, 429 and 5xx
replies, timeouts and connection errors. 400/401/402/403 and other 4xx never are.
Whether to retry, move to the next model or raise is decided in
:func:`openrouter_core.routing.decide`. The sleeps and the random source are
injectable so tests run without real waiting.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from .errors import APIConnectionError, APIStatusError, RateLimitError, parse_retry_after

__all__ = ["RetryPolicy", "is_account_limited", "is_retryable", "retry_after_of"]


def is_retryable(error: BaseException) -> bool:
    """True for failures worth another try: timeouts, dropped connections, 408/429/5xx."""
    if isinstance(error, APIConnectionError):
        return True
    if isinstance(error, APIStatusError):
        return error.retryable
    return False


def retry_after_of(error: BaseException) -> float | None:
    """The server's requested wait (``Retry-After``) in seconds, if it sent one."""
    if isinstance(error, RateLimitError):
        return error.retry_after
    if isinstance(error, APIStatusError):
        return parse_retry_after(error.headers.get("retry-after"))
    return None


def is_account_limited(error: BaseException) -> bool:
    """A 429 for the account (it carries ``X-RateLimit-*`` headers), not one model's
    provider limit: every model shares it, so falling back does not help."""
    if not isinstance(error, RateLimitError):
        return False
    return any(name.startswith("x-ratelimit-") for name in error.headers)


@dataclass
class RetryPolicy:
    """How many times to retry and how long to wait between tries.

    The n-th wait (n from 0) is ``min(max_delay, base_delay * 2**n)`` scaled by a
    random factor in ``[1 - jitter, 1]``; a ``Retry-After`` from the server replaces
    it. ``max_retry_wait`` is the budget: a ``Retry-After`` longer than it is not
    waited for at all (see :func:`openrouter_core.routing.decide`).
    """

    max_retries: int = 2
    base_delay: float = 0.5
    max_delay: float = 8.0
    jitter: float = 0.5
    max_retry_wait: float = 60.0
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    async_sleep: Callable[[float], Awaitable[None]] = field(default=asyncio.sleep, repr=False)
    random: Callable[[], float] = field(default=random.random, repr=False)

    def delay(self, attempt: int, error: BaseException | None = None) -> float:
        """Seconds to wait before retry number ``attempt`` (0-based)."""
        if error is not None:
            hinted = retry_after_of(error)
            if hinted is not None:
                return min(hinted, self.max_retry_wait)
        backoff = min(self.max_delay, self.base_delay * (2**attempt))
        return float(backoff * (1.0 - self.jitter * self.random()))

    def over_budget(self, error: BaseException) -> bool:
        """The server asks for a wait longer than the retry budget."""
        hinted = retry_after_of(error)
        return hinted is not None and hinted > self.max_retry_wait

    def should_retry(self, attempt: int, error: BaseException) -> bool:
        return attempt < self.max_retries and is_retryable(error) and not self.over_budget(error)
