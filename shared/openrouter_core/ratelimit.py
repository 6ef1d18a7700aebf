"""Pacing requests: the ``rate_limit=`` option and the in-process :class:`TokenBucket`.

Any object with ``acquire(blocking=True)`` and ``async aacquire(blocking=True)`` is a
valid ``rate_limit=`` (LangChain's ``BaseRateLimiter`` is one). The client asks it
before every HTTP attempt: each retry, each fallback, each stream and each embedding
batch, and before the route picks the model. If it also has
``on_rate_limited(model, retry_after, account_wide)``, it is told about every 429;
if it has a ``cooldowns`` attribute (``remaining(model)`` / ``cool(model, seconds)``),
model cooldowns are kept there instead of per client, so one worker's provider 429
spares the others (``openrouter_core.ray.SharedRateLimit`` does both, cluster-wide).
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

__all__ = ["RateLimit", "TokenBucket"]


@runtime_checkable
class RateLimit(Protocol):
    """What ``rate_limit=`` takes."""

    def acquire(self, blocking: bool = True) -> bool: ...

    async def aacquire(self, blocking: bool = True) -> bool: ...


class TokenBucket:
    """At most ``requests_per_second`` on average, ``burst`` at once, for every
    client of this process that shares the object (thread-safe, and usable from any
    event loop).

    An account-wide 429 (the server's ``X-RateLimit-*`` headers) pauses the bucket for
    its ``Retry-After``, so every caller waits instead of piling on more 429s.
    A pickled bucket arrives empty and unpaused in the other process: to share one
    limit across processes use ``openrouter_core.ray.SharedRateLimit``.

    Example::

        from openrouter_core import TokenBucket
        from langchain_openrouter import ChatOpenRouter

        limit = TokenBucket(requests_per_second=8, burst=2)
        llm = ChatOpenRouter(model="openai/gpt-4o-mini", rate_limit=limit)
    """

    def __init__(
        self,
        requests_per_second: float,
        burst: int = 1,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not requests_per_second > 0:
            raise ValueError(f"requests_per_second must be > 0, got {requests_per_second!r}")
        if burst < 1:
            raise ValueError(f"burst must be >= 1, got {burst!r}")
        self.requests_per_second = float(requests_per_second)
        self.burst = int(burst)
        self._clock = clock
        self._lock = threading.Lock()
        self._tokens = float(self.burst)
        self._stamp = clock()
        self._paused_until = 0.0
        #: Slots granted so far (diagnostics).
        self.granted = 0

    def __repr__(self) -> str:
        return f"TokenBucket(requests_per_second={self.requests_per_second}, burst={self.burst})"

    def __getstate__(self) -> dict[str, Any]:
        return {"requests_per_second": self.requests_per_second, "burst": self.burst}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__init__(state["requests_per_second"], state["burst"])  # type: ignore[misc]

    def _take(self) -> float:
        """Take a slot if one is free (0.0), else the seconds until one may be."""
        with self._lock:
            now = self._clock()
            if now < self._paused_until:
                return self._paused_until - now
            elapsed = max(0.0, now - self._stamp)
            self._tokens = min(self.burst, self._tokens + elapsed * self.requests_per_second)
            self._stamp = now
            if self._tokens >= 1:
                self._tokens -= 1
                self.granted += 1
                return 0.0
            return (1 - self._tokens) / self.requests_per_second

    def acquire(self, blocking: bool = True) -> bool:
        """Wait for a slot (``blocking=False``: take one only if free now)."""
        while True:
            wait = self._take()
            if wait <= 0:
                return True
            if not blocking:
                return False
            time.sleep(wait)

    async def aacquire(self, blocking: bool = True) -> bool:
        """Async :meth:`acquire`: waits without blocking the event loop."""
        while True:
            wait = self._take()
            if wait <= 0:
                return True
            if not blocking:
                return False
            await asyncio.sleep(wait)

    def on_rate_limited(
        self, model: str | None, retry_after: float | None, account_wide: bool
    ) -> None:
        """An account-wide 429 pauses every caller for ``retry_after`` seconds."""
        if not account_wide:
            return
        with self._lock:
            until = self._clock() + (retry_after if retry_after is not None else 1.0)
            self._paused_until = max(self._paused_until, until)
            self._tokens = 0.0
