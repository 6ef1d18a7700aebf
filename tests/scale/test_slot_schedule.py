"""The arithmetic of the shared limit (``openrouter_core.ray._schedule``), without Ray:
never more than rate x window + burst slots in any window, first come first served,
pauses that void queued slots and restart smoothly, cooldowns that only lengthen."""

from __future__ import annotations

import itertools
import random

import pytest

from openrouter_core.ray import SlotSchedule


def most_in_window(slots: list[float], window: float) -> int:
    """The most slots in any half-open window ``[t, t + window)``."""
    best, start = 0, 0
    for end, slot in enumerate(slots):
        while slot - slots[start] >= window - 1e-9:
            start += 1
        best = max(best, end - start + 1)
    return best


@pytest.mark.parametrize(("rate", "burst"), [(40, 1), (40, 4), (10, 2), (3.5, 1), (1000, 20)])
def test_no_window_holds_more_than_rate_times_window_plus_burst(rate: float, burst: int) -> None:
    schedule = SlotSchedule(rate, burst)
    rng = random.Random(7)
    now, slots = 0.0, []
    for _ in range(3000):  # callers arrive at random, sometimes idle, sometimes in crowds
        now += rng.choice([0.0, 0.0, 0.001, 0.01, 0.3, 2.0]) / rate * 10
        slots.append(schedule.reserve(now))
    assert slots == sorted(slots)
    for window in (1.0, 0.5, 0.1, 10 / rate):
        assert most_in_window(slots, window) <= rate * window + burst
    # Saturated, the spacing is exactly one interval.
    crowd = [schedule.reserve(now) for _ in range(100)]
    gaps = {round(b - a, 9) for a, b in itertools.pairwise(crowd[burst:])}
    assert gaps == {round(1 / rate, 9)}


def test_slots_go_first_come_first_served_and_burst_only_after_idle() -> None:
    schedule = SlotSchedule(10, burst=3)
    first = [schedule.reserve(100.0) for _ in range(5)]
    assert first == pytest.approx([100.0, 100.0, 100.0, 100.1, 100.2])
    # Later askers queue behind, whoever they are.
    assert schedule.reserve(100.05) == pytest.approx(100.3)
    # After a long idle spell the burst is back.
    assert [schedule.reserve(200.0) for _ in range(4)] == pytest.approx(
        [200.0, 200.0, 200.0, 200.1]
    )


def test_take_if_free_takes_nothing_when_busy() -> None:
    schedule = SlotSchedule(2)
    assert schedule.take_if_free(0.0) == 0.0
    assert schedule.take_if_free(0.1) is None
    assert schedule.granted == 1
    assert schedule.take_if_free(0.5) == 0.5


def test_a_pause_voids_queued_slots_and_restarts_without_a_burst() -> None:
    schedule = SlotSchedule(10, burst=4)
    [schedule.reserve(0.0) for _ in range(20)]  # queued up to t = 1.6
    epoch = schedule.epoch
    assert schedule.pause(0.5, 1.0)
    assert schedule.epoch == epoch + 1
    again = [schedule.reserve(0.6) for _ in range(3)]
    assert again == pytest.approx([1.5, 1.6, 1.7])  # from the end of the pause, one by one
    # A shorter pause inside the running one changes nothing.
    assert not schedule.pause(0.7, 0.1)
    assert schedule.epoch == epoch + 1


def test_cooldowns_only_lengthen_and_expire() -> None:
    schedule = SlotSchedule(10, cooldown_seconds=30)
    assert schedule.cool("a", 0.0, 5.0) == 5.0
    assert schedule.cool("a", 1.0, 1.0) == 5.0  # a shorter one keeps the longer
    assert schedule.cool("b", 0.0) == 30.0  # no Retry-After: the default
    assert schedule.cooling(4.0) == {"a": 5.0, "b": 30.0}
    assert schedule.cooling(6.0) == {"b": 30.0}


@pytest.mark.parametrize(
    ("rate", "burst", "cooldown"),
    [(0, 1, 1.0), (-1, 1, 1.0), (float("inf"), 1, 1.0), (1, 0, 1.0), (1, True, 1.0), (1, 1, -1)],
)
def test_bad_limits_are_refused(rate: float, burst: int, cooldown: float) -> None:
    with pytest.raises(ValueError):
        SlotSchedule(rate, burst, cooldown)
