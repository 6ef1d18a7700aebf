"""The arithmetic of one shared limit, with no Ray and no I/O in it.

:class:`SlotSchedule` hands out send times ("slots") by the generic cell rate
algorithm: a theoretical arrival time ``tat`` advances by ``1 / rate`` per slot, and a
slot may be up to ``burst - 1`` intervals ahead of it. Two properties follow, and the
tests check both:

* in any window of ``w`` seconds at most ``rate * w + burst`` slots fall (so the server
  never sees more than limit + burst requests in a second, if sends leave on time);
* slots are handed out in the order they are asked for (first come, first served,
  whichever worker asks).

An account-wide pause voids every slot not yet released: the limit then restarts
smoothly (no burst) when the pause ends. Model cooldowns are kept here too, as
absolute times on the schedule's clock.
"""

from __future__ import annotations

__all__ = ["SlotSchedule"]


class SlotSchedule:
    """Slots at ``rate`` per second with up to ``burst`` at once, pauses and cooldowns.

    Every method takes ``now`` (seconds on one clock, chosen by the caller), so the
    schedule is deterministic under test.
    """

    def __init__(self, rate: float, burst: int = 1, cooldown_seconds: float = 30.0) -> None:
        self.rate = 0.0
        self.burst = 1
        self.interval = 0.0
        self.tolerance = 0.0
        self.configure(rate, burst)
        if not cooldown_seconds >= 0:
            raise ValueError(f"cooldown_seconds must be >= 0, got {cooldown_seconds!r}")
        self.cooldown_seconds = float(cooldown_seconds)
        self.tat = float("-inf")
        self.paused_until = float("-inf")
        #: Bumped by every pause that moves ``paused_until`` later: slots handed out
        #: under an older epoch and not yet released are void.
        self.epoch = 0
        self.granted = 0
        self.pauses = 0
        self.cools = 0
        self._cooling: dict[str, float] = {}

    def configure(self, rate: float, burst: int) -> None:
        """Change the limit (the next slot follows the new spacing)."""
        if not rate > 0 or rate == float("inf"):
            raise ValueError(f"requests_per_second must be > 0, got {rate!r}")
        if isinstance(burst, bool) or not isinstance(burst, int) or burst < 1:
            raise ValueError(f"burst must be an integer >= 1, got {burst!r}")
        self.rate = float(rate)
        self.burst = burst
        self.interval = 1.0 / self.rate
        self.tolerance = (burst - 1) * self.interval

    # ------------------------------------------------------------------ slots

    def next_slot(self, now: float) -> float:
        """The slot a reservation made at ``now`` would get (nothing is taken)."""
        return max(now, self.paused_until, self.tat - self.tolerance)

    def reserve(self, now: float) -> float:
        """Take the next slot: the earliest time the caller may send."""
        slot = self.next_slot(now)
        self.tat = max(slot, self.tat) + self.interval
        self.granted += 1
        return slot

    def take_if_free(self, now: float) -> float | None:
        """Take a slot only if one is free at ``now`` (else ``None``, nothing taken)."""
        if self.next_slot(now) > now:
            return None
        return self.reserve(now)

    def pause(self, now: float, seconds: float) -> bool:
        """Nobody sends for ``seconds`` from ``now`` (an account-wide 429). Returns True
        when this moved the pause later; then slots not yet released are void and the
        limit restarts at the end of the pause, one interval at a time."""
        until = now + max(0.0, seconds)
        if until <= self.paused_until:
            return False
        self.paused_until = until
        self.tat = until + self.tolerance  # the first slot after it is ``until``, no burst
        self.epoch += 1
        self.pauses += 1
        return True

    # ------------------------------------------------------------------ cooldowns

    def cool(self, model: str, now: float, seconds: float | None = None) -> float:
        """Leave ``model`` alone until ``now + seconds`` (default ``cooldown_seconds``);
        a longer cooldown already running is kept. Returns the end of the cooldown."""
        until = now + (self.cooldown_seconds if seconds is None else max(0.0, seconds))
        current = self._cooling.get(model, float("-inf"))
        if until > current:
            self._cooling[model] = until
            self.cools += 1
            return until
        return current

    def cooling(self, now: float) -> dict[str, float]:
        """The models cooling down at ``now`` and when each cooldown ends."""
        expired = [m for m, until in self._cooling.items() if until <= now]
        for model in expired:
            del self._cooling[model]
        return dict(self._cooling)

    def stats(self) -> dict[str, float | int]:
        return {
            "requests_per_second": self.rate,
            "burst": self.burst,
            "granted": self.granted,
            "pauses": self.pauses,
            "cools": self.cools,
        }
