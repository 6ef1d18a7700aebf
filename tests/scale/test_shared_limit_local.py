"""``SharedRateLimit`` and its actor in one process, without Ray: the actor class runs on
an event loop thread of its own (as it would in its actor process) behind a stand-in
for Ray's handle, so the protocol between the two (held replies, pauses that void
queued slots, cooldowns carried by replies, late slots queued again, clock offsets) is
checked deterministically and quickly."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import pickle
import threading
import time
from collections.abc import Coroutine, Iterator
from typing import Any

import pytest

from openrouter_core.ray import SharedRateLimit, _limit as limit_module
from openrouter_core.ray._actor import LimiterActor


class Ref:
    """What ``method.remote()`` returns: awaitable, or waited for with ``FakeRay.get``."""

    def __init__(self, future: concurrent.futures.Future[Any]) -> None:
        self._future = future

    def future(self) -> concurrent.futures.Future[Any]:
        return self._future

    def __await__(self) -> Any:
        return asyncio.wrap_future(self._future).__await__()


class Method:
    def __init__(self, loop: asyncio.AbstractEventLoop, bound: Any) -> None:
        self._loop, self._bound = loop, bound

    def remote(self, *args: Any) -> Ref:
        coroutine: Coroutine[Any, Any, Any] = self._bound(*args)
        return Ref(asyncio.run_coroutine_threadsafe(coroutine, self._loop))


class Handle:
    """A stand-in for an actor handle: the actor's coroutines run on its own loop."""

    def __init__(self, actor: LimiterActor) -> None:
        self.actor = actor
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()

    def __getattr__(self, name: str) -> Method:
        return Method(self.loop, getattr(self.actor, name))

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class FakeRay:
    def __init__(self, node: str = "node-a") -> None:
        self.node = node
        self.killed: list[Any] = []

    def get(self, ref: Ref) -> Any:
        return ref.future().result(10)

    def kill(self, actor: Any) -> None:
        self.killed.append(actor)

    def get_runtime_context(self) -> Any:
        node = self.node

        class Context:
            def get_node_id(self) -> str:
                return node

        return Context()


def attach(limit: SharedRateLimit, handle: Handle, ray: FakeRay | None = None) -> SharedRateLimit:
    """Connect ``limit`` to ``handle`` as ``_attach`` would to a real actor."""
    limit._ray, limit._actor = ray or FakeRay(), handle
    return limit


@pytest.fixture
def handle() -> Iterator[Handle]:
    found = Handle(LimiterActor(20, burst=1, cooldown_seconds=30, lead=0.02))
    try:
        yield found
    finally:
        found.close()


def copies(handle: Handle, count: int = 2) -> list[SharedRateLimit]:
    """``count`` processes' copies of one limit (each unpickled, as a worker's is)."""
    original = SharedRateLimit(20, name="local")
    return [attach(pickle.loads(pickle.dumps(original)), handle) for _ in range(count)]


def test_copies_share_one_schedule(handle: Handle) -> None:
    first, second = copies(handle)
    slots: list[float] = []
    reserve = handle.actor.reserve

    async def recording(blocking: bool = True) -> Any:
        reply = await reserve(blocking)
        slots.append(reply[0])
        return reply

    handle.actor.reserve = recording  # type: ignore[method-assign]

    async def take(limit: SharedRateLimit, count: int) -> list[float]:
        got = []
        for _ in range(count):
            await limit.aacquire()
            got.append(time.time())
        return got

    async def main() -> list[float]:
        a, b = await asyncio.gather(take(first, 5), take(second, 5))
        return sorted(a + b)

    woke = asyncio.run(main())
    # The slots of both copies are one schedule: 20/s, 50 ms apart, whoever asks...
    assert len(slots) == 10
    gaps = [b - a for a, b in itertools.pairwise(sorted(slots))]
    assert min(gaps) == pytest.approx(0.05, abs=1e-6)
    # ...and nobody went before its slot (the i-th return is no earlier than the i-th slot).
    assert all(w >= s - 1e-3 for w, s in zip(woke, sorted(slots), strict=True))


def test_sync_acquire_and_a_nonblocking_one() -> None:
    slow = Handle(LimiterActor(2, lead=0.02))  # a slot every 500 ms
    try:
        limit = attach(SharedRateLimit(2, name="slow"), slow)
        assert limit.acquire()
        assert not limit.acquire(blocking=False)  # the next slot is 500 ms away
        assert asyncio.run(limit.aacquire(blocking=False)) is False
        time.sleep(0.55)
        assert limit.acquire(blocking=False)
        assert slow.actor._schedule.granted == 2  # a refusal takes nothing
    finally:
        slow.close()


def test_an_account_wide_429_pauses_every_copy_and_requeues_the_waiting(handle: Handle) -> None:
    first, second = copies(handle)
    first.acquire()

    async def scenario() -> tuple[float, float]:
        started = time.monotonic()
        waiting = asyncio.ensure_future(second.aacquire())  # queued behind the first
        await asyncio.sleep(0.01)
        first.on_rate_limited("openai/gpt-4o-mini", 0.3, True)
        await waiting
        second_waited = time.monotonic() - started
        started = time.monotonic()
        await first.aacquire()  # the reporter pauses at once, without asking the actor
        return second_waited, time.monotonic() - started

    second_waited, _ = asyncio.run(scenario())
    assert second_waited >= 0.28  # voided, queued again after the pause
    stats = first.stats()
    assert stats["pauses"] == 1
    # A provider's 429 pauses nobody.
    first.on_rate_limited("openai/gpt-4o-mini", 5.0, False)
    assert first.stats()["pauses"] == 1


def test_cooldowns_travel_with_replies(handle: Handle) -> None:
    first, second = copies(handle)
    first.cooldowns.cool("openai/gpt-4o-mini", 5.0)
    assert first.cooldowns.remaining("openai/gpt-4o-mini") > 4.9  # at once, locally
    assert second.cooldowns.remaining("openai/gpt-4o-mini") == 0  # not heard of yet
    second.acquire()  # the reply carries the actor's cooldowns
    assert 4.0 < second.cooldowns.remaining("openai/gpt-4o-mini") <= 5.0
    assert second.cooldowns.remaining("anthropic/claude-3.5-haiku") == 0
    first.cooldowns.cool("anthropic/claude-3.5-haiku")  # no Retry-After: the default
    second.acquire()
    assert second.cooldowns.remaining("anthropic/claude-3.5-haiku") > 29


def test_a_stale_copy_refreshes_its_cooldowns_in_the_background(handle: Handle) -> None:
    first, second = copies(handle)
    second.acquire()
    first.cooldowns.cool("openai/gpt-4o-mini", 5.0)
    second._cooling_seen -= 2  # the last reply is two seconds old
    assert second.cooldowns.remaining("openai/gpt-4o-mini") == 0  # never waits for a call
    deadline = time.monotonic() + 2
    while second.cooldowns.remaining("openai/gpt-4o-mini") == 0:
        assert time.monotonic() < deadline, "the background refresh never came"
        time.sleep(0.01)


def test_a_slot_reached_too_late_is_queued_again_once() -> None:
    limit = SharedRateLimit(20, name="late")
    late = time.time() - 1.0
    assert limit._verdict(late, blocking=True, requeued=False) is None
    assert limit._verdict(late, blocking=True, requeued=True) is True
    assert limit._verdict(late, blocking=False, requeued=False) is True
    assert limit._verdict(time.time(), blocking=True, requeued=False) is True


def test_replies_are_placed_on_our_clock() -> None:
    limit = SharedRateLimit(20, name="clock")
    now = time.time()
    # Same clock: the slot is where the actor says.
    assert limit._absorb((now + 0.5, now, {})) == pytest.approx(now + 0.5, abs=0.01)
    # An actor clock 100 s ahead: placed by the measured offset.
    limit.clock_offset = 100.0
    assert limit._absorb((now + 100.5, now + 100.0, {})) == pytest.approx(now + 0.5, abs=0.01)
    # A wrong offset can never push a slot later than the reply itself says.
    limit.clock_offset = -50.0
    assert limit._absorb((now + 0.5, now, {})) <= time.time() + 0.5
    assert limit._absorb((None, now, {"m": now + 1})) is None


def test_the_clock_offset_is_zero_on_the_actors_node_and_measured_elsewhere(
    handle: Handle,
) -> None:
    same = FakeRay("node-a")
    handle.actor._node_id = "node-a"
    assert limit_module._clock_offset(same, handle) == 0.0

    class Ahead(LimiterActor):
        async def clock(self) -> tuple[float, str | None]:
            return time.time() + 100.0, "node-b"

    ahead = Handle(Ahead(20))
    try:
        offset = limit_module._clock_offset(FakeRay("node-a"), ahead)
    finally:
        ahead.close()
    assert offset == pytest.approx(100.0, abs=0.05)


def test_pickles_carry_the_settings_only() -> None:
    limit = SharedRateLimit(12.5, burst=3, name="settings", cooldown_seconds=7, reply_lead=0.1)
    state = limit.__getstate__()
    assert state == {
        "requests_per_second": 12.5,
        "burst": 3,
        "name": "settings",
        "namespace": None,
        "detached": False,
        "cooldown_seconds": 7.0,
        "reply_lead": 0.1,
    }
    copy = pickle.loads(pickle.dumps(limit))
    assert copy._actor is None and copy._configure is False
    assert copy.cooldowns.remaining("anything") == 0
    with pytest.raises(ValueError):
        SharedRateLimit(10, reply_lead=2)


def test_kill_forgets_the_actor(handle: Handle) -> None:
    (limit,) = copies(handle, 1)
    ray = limit._ray
    limit.kill()
    assert ray.killed == [handle]
    assert limit._actor is None


def test_the_actor_reports_its_state(handle: Handle) -> None:
    (limit,) = copies(handle, 1)
    limit.acquire()
    limit.cooldowns.cool("m", 3.0)
    stats = limit.stats()
    assert stats["granted"] == 1
    assert stats["requests_per_second"] == 20.0
    assert set(stats["cooling"]) == {"m"}
    ray = limit._ray
    ray.get(handle.configure.remote(5.0, 2))
    assert limit.stats()["burst"] == 2
    now, cooling = ray.get(handle.cooling.remote())
    assert set(cooling) == {"m"} and now == pytest.approx(time.time(), abs=1)
