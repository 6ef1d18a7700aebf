"""The one process that keeps a shared limit: a Ray async actor around a
:class:`~openrouter_core.ray._schedule.SlotSchedule`.

A reservation is one call, answered shortly (``lead`` seconds) before its slot rather
than at once. Holding the reply buys two things:

* the reply carries the cooldowns and pauses as they are just before the caller sends
  (a provider 429 seen by one worker a moment ago already steers the others' next
  model choice), instead of as they were when the caller joined the queue;
* a pause that arrives while callers wait voids their slots: they are woken and given
  new ones after the pause, in the order they first asked.

The caller then sleeps the remaining ``lead`` on its own clock, so the time its request
leaves does not depend on how long the reply took to travel (see
:meth:`SharedRateLimit._absorb <openrouter_core.ray.SharedRateLimit>`).

Nothing here imports Ray: :mod:`openrouter_core.ray._limit` makes this class an actor.
Every method is a coroutine with no ``await`` between reading and writing the
schedule, so calls never interleave inside one update.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import time
from typing import Any

from ._schedule import SlotSchedule

__all__ = ["LimiterActor", "Reply"]

#: ``(slot or None, the actor's clock when replying, {model: cooldown end})``; times
#: are on the actor's clock (``time.time()`` of its process).
Reply = tuple[float | None, float, dict[str, float]]


class LimiterActor:
    """The state of one :class:`~openrouter_core.ray.SharedRateLimit`, cluster-wide."""

    def __init__(
        self,
        requests_per_second: float,
        burst: int = 1,
        cooldown_seconds: float = 30.0,
        lead: float = 0.05,
    ) -> None:
        self._schedule = SlotSchedule(requests_per_second, burst, cooldown_seconds)
        self._lead = max(0.0, float(lead))
        self._node_id: str | None = None
        self._voided: asyncio.Event | None = None
        self._waiting = 0
        self._replied = 0

    def _void_event(self) -> asyncio.Event:
        if self._voided is None:
            self._voided = asyncio.Event()
        return self._voided

    async def reserve(self, blocking: bool = True) -> Reply:
        """A slot for one HTTP attempt, replied ``lead`` seconds before it.

        ``blocking=False``: a slot only if one is free now (``None`` otherwise)."""
        schedule = self._schedule
        while True:
            now = time.time()
            if not blocking:
                slot = schedule.take_if_free(now)
                return slot, now, schedule.cooling(now)
            slot = schedule.reserve(now)
            voided = self._void_event()
            delay = slot - self._lead - now
            if delay > 0:
                self._waiting += 1
                try:
                    with contextlib.suppress(asyncio.TimeoutError):
                        await asyncio.wait_for(voided.wait(), delay)
                finally:
                    self._waiting -= 1
            if voided.is_set():
                continue  # a pause came while waiting: queue again, after it
            self._replied += 1
            now = time.time()
            return slot, now, schedule.cooling(now)

    async def pause(self, seconds: float) -> None:
        """An account-wide 429: nobody sends for ``seconds``; waiting slots are re-given."""
        if self._schedule.pause(time.time(), seconds) and self._voided is not None:
            self._voided.set()
            self._voided = asyncio.Event()

    async def cool(self, model: str, seconds: float | None = None) -> None:
        """A model failed (a provider's 429, an outage): every worker leaves it alone."""
        self._schedule.cool(model, time.time(), seconds)

    async def cooling(self) -> tuple[float, dict[str, float]]:
        """The actor's clock and the cooling models (no slot taken)."""
        now = time.time()
        return now, self._schedule.cooling(now)

    async def clock(self) -> tuple[float, str | None]:
        """The actor's clock and node, for a caller to line its clock up with it."""
        if self._node_id is None:
            self._node_id = _node_id()
        return time.time(), self._node_id

    async def configure(self, requests_per_second: float, burst: int) -> None:
        self._schedule.configure(requests_per_second, burst)

    async def stats(self) -> dict[str, Any]:
        """Slots granted, pauses, cooldowns set, callers waiting now, the limit."""
        now = time.time()
        return {
            **self._schedule.stats(),
            "waiting": self._waiting,
            "cooling": self._schedule.cooling(now),
            "paused_for": max(0.0, self._schedule.paused_until - now),
        }


def _node_id() -> str | None:
    """The Ray node this process runs on (``None`` outside Ray)."""
    try:
        ray = importlib.import_module("ray")
        return str(ray.get_runtime_context().get_node_id())
    except Exception:  # not in a Ray process: no node to compare with
        return None
