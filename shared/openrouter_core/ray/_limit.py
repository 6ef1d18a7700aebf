"""``SharedRateLimit``: one rate limit and one set of model cooldowns for every worker
of a Ray cluster, behind a small picklable handle."""

from __future__ import annotations

import asyncio
import importlib
import sys
import threading
import time
from typing import TYPE_CHECKING, Any

from ._actor import LimiterActor, Reply
from ._schedule import SlotSchedule

if TYPE_CHECKING:
    from langchain_core.rate_limiters import BaseRateLimiter as _LimiterBase
else:  # a LangChain rate limiter too, when LangChain is there
    try:
        from langchain_core.rate_limiters import BaseRateLimiter as _LimiterBase
    except ImportError:
        _LimiterBase = object

__all__ = ["SharedCooldowns", "SharedRateLimit"]

#: Cooldowns read locally are refreshed in the background when older than this.
_STALE_AFTER = 1.0
_INSTALL_HINT = 'openrouter_core.ray needs Ray: pip install "openrouter-integrations[ray]"'
_actor_class: Any = None


def _import_ray() -> Any:
    """Ray, imported on first use (by name, so type checks do not need it installed)."""
    try:
        return importlib.import_module("ray")
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc


def _ray_is_up() -> bool:
    """Ray is imported and connected in this process (never imports it)."""
    ray = sys.modules.get("ray")
    return ray is not None and bool(ray.is_initialized())


def _remote_class(ray: Any) -> Any:
    global _actor_class
    if _actor_class is None:
        _actor_class = ray.remote(LimiterActor)
    return _actor_class


class SharedRateLimit(_LimiterBase):
    """Pace every HTTP attempt of every worker of a Ray cluster under one limit, and
    share model cooldowns between them.

    The state lives in one named Ray actor (get-or-create by ``name``); this object is a
    handle on it, small and picklable, so it travels inside the framework objects it is
    given to (``rate_limit=``) to every worker. Each HTTP attempt (first try, retry,
    fallback, embedding batch) reserves a slot; slots are handed out first come, first
    served across the cluster, at most ``requests_per_second`` on average and ``burst``
    at once, so the server sees at most limit + burst requests in any second.

    * An account-wide 429 (``on_rate_limited(..., account_wide=True)``) pauses every
      worker for its ``Retry-After``; slots already queued are given again after it.
    * ``cooldowns`` holds model cooldowns for the whole cluster: a provider 429 on one
      worker sends every worker's next request to the fallback model. They are read
      locally, from the copy that comes back with each reservation (no extra call).
    * It is also a LangChain ``BaseRateLimiter`` (``rate_limiter=``), paced once per
      ``invoke`` there, rather than once per HTTP attempt as with ``rate_limit=``.

    The actor is created by the first process that connects: on construction when Ray
    is already initialised, else when the handle is first pickled or used. It lives as
    long as the job that created it (``detached=True``: until :meth:`kill`, shared by
    every job in ``namespace``). Constructing another ``SharedRateLimit`` with the same
    name re-configures the running actor; unpickled copies only attach to it.

    Args:
        requests_per_second: the account's limit, or a little under it.
        burst: slots that may be used at once after an idle spell (the server sees at
            most limit + burst in any second).
        name: the actor's name; one limit per name.
        namespace: the Ray namespace of the actor (needed to share it across jobs).
        detached: keep the actor after the creating job ends.
        cooldown_seconds: a failed model's cooldown when the server gives no
            ``Retry-After``.
        reply_lead: how long before its slot the actor answers a reservation; the
            caller waits the rest on its own clock. Cover the call's return trip.

    Example::

        import ray
        from langchain_openrouter import ChatOpenRouter
        from openrouter_core.ray import ChatUDF, SharedRateLimit

        limit = SharedRateLimit(requests_per_second=38)
        llm = ChatOpenRouter(model="openai/gpt-4o-mini", rate_limit=limit,
                             fallback_models=["anthropic/claude-3.5-haiku"])
        answers = ray.data.read_parquet("prompts.parquet").map_batches(
            ChatUDF, fn_constructor_kwargs={"llm": llm, "prompt_column": "prompt"},
            concurrency=4, batch_size=50)
    """

    def __init__(
        self,
        requests_per_second: float,
        burst: int = 1,
        name: str = "openrouter",
        *,
        namespace: str | None = None,
        detached: bool = False,
        cooldown_seconds: float = 30.0,
        reply_lead: float = 0.05,
    ) -> None:
        SlotSchedule(requests_per_second, burst, cooldown_seconds)  # validates
        if not isinstance(name, str) or not name:
            raise ValueError(f"name must be a non-empty string, got {name!r}")
        if not 0 <= reply_lead <= 1:
            raise ValueError(f"reply_lead must be between 0 and 1 second, got {reply_lead!r}")
        self.requests_per_second = float(requests_per_second)
        self.burst = int(burst)
        self.name = name
        self.namespace = namespace
        self.detached = bool(detached)
        self.cooldown_seconds = float(cooldown_seconds)
        self.reply_lead = float(reply_lead)
        self._setup_local(configure=True)
        if _ray_is_up():
            self.connect()

    def _setup_local(self, *, configure: bool) -> None:
        """Per-process state: never pickled."""
        self._lock = threading.Lock()
        self._ray: Any = None
        self._actor: Any = None
        self._configure = configure
        #: The actor's clock minus ours (0 on the actor's own node).
        self.clock_offset = 0.0
        self._cooling: dict[str, float] = {}  # from the actor, on our clock
        self._own_cooling: dict[str, float] = {}  # set here, maybe not there yet
        self._cooling_seen = float("-inf")
        self._refreshing = False
        self._paused_until = float("-inf")
        #: Later than this for a slot, queue again (half an interval, at least 10 ms).
        self._late_after = max(0.5 / self.requests_per_second, 0.01)
        self.cooldowns = SharedCooldowns(self)

    def __repr__(self) -> str:
        return (
            f"SharedRateLimit(requests_per_second={self.requests_per_second}, "
            f"burst={self.burst}, name={self.name!r})"
        )

    # ------------------------------------------------------------------ pickling

    def __getstate__(self) -> dict[str, Any]:
        if self._actor is None and _ray_is_up():
            self.connect()  # the pickling process (the driver, usually) owns the actor
        return {
            "requests_per_second": self.requests_per_second,
            "burst": self.burst,
            "name": self.name,
            "namespace": self.namespace,
            "detached": self.detached,
            "cooldown_seconds": self.cooldown_seconds,
            "reply_lead": self.reply_lead,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._setup_local(configure=False)

    # ------------------------------------------------------------------ the actor

    def connect(self) -> SharedRateLimit:
        """Find or create the actor now (else done on first use), and line this
        process's clock up with it. Starts Ray (``ray.init()``) if it is not running."""
        self._handle()
        return self

    def _handle(self) -> Any:
        actor = self._actor
        if actor is not None:
            return actor
        with self._lock:
            if self._actor is None:
                self._attach()
            return self._actor

    def _attach(self) -> None:
        ray = _import_ray()
        if not ray.is_initialized():
            ray.init()
        try:
            actor = ray.get_actor(self.name, namespace=self.namespace)
        except ValueError:
            options: dict[str, Any] = {
                "name": self.name,
                "namespace": self.namespace,
                "get_if_exists": True,
                "num_cpus": 0,
                "max_concurrency": 10_000,
                "max_restarts": -1,
                "max_task_retries": 3,
            }
            if self.detached:
                options["lifetime"] = "detached"
            actor = (
                _remote_class(ray)
                .options(**options)
                .remote(
                    self.requests_per_second, self.burst, self.cooldown_seconds, self.reply_lead
                )
            )
        if self._configure:
            ray.get(actor.configure.remote(self.requests_per_second, self.burst))
            self._configure = False
        self.clock_offset = _clock_offset(ray, actor)
        self._ray, self._actor = ray, actor

    def stats(self) -> dict[str, Any]:
        """The actor's counters: slots granted, pauses, cooldowns, callers waiting."""
        result: dict[str, Any] = self._ray_get(self._handle().stats.remote())
        return result

    def kill(self) -> None:
        """End the actor (its state is lost; the next use creates a new one)."""
        actor = self._handle()
        self._ray.kill(actor)
        with self._lock:
            self._actor = None

    def _ray_get(self, ref: Any) -> Any:
        return self._ray.get(ref)

    # ------------------------------------------------------------------ the rate_limit protocol

    def acquire(self, blocking: bool = True) -> bool:
        """Wait for this process's next shared slot (``blocking=False``: take one only
        if one is free now)."""
        actor = self._handle()
        requeued = False
        while True:
            paused = self._pause_left()
            if paused > 0:
                if not blocking:
                    return False
                time.sleep(paused)
                continue
            due = self._absorb(self._ray_get(actor.reserve.remote(blocking)))
            if due is None:
                return False
            wait = due - time.time()
            if wait > 0:
                time.sleep(wait)
            verdict = self._verdict(due, blocking, requeued)
            if verdict is not None:
                return verdict
            requeued = True

    async def aacquire(self, blocking: bool = True) -> bool:
        """Async :meth:`acquire`: waits without blocking the event loop."""
        actor = self._actor
        if actor is None:
            actor = await asyncio.to_thread(self._handle)
        requeued = False
        while True:
            paused = self._pause_left()
            if paused > 0:
                if not blocking:
                    return False
                await asyncio.sleep(paused)
                continue
            due = self._absorb(await actor.reserve.remote(blocking))
            if due is None:
                return False
            wait = due - time.time()
            if wait > 0:
                await asyncio.sleep(wait)
            verdict = self._verdict(due, blocking, requeued)
            if verdict is not None:
                return verdict
            requeued = True

    def _verdict(self, due: float, blocking: bool, requeued: bool) -> bool | None:
        """After waiting for a slot: go (True), give up (False) or queue again (None).

        Queue again if a pause began meanwhile, or if we are so late for the slot
        (a stalled process, a slow reply) that we would arrive on top of the next
        ones: once, so a process that is always late still sends."""
        if self._pause_left() > 0:
            return False if not blocking else None
        if blocking and not requeued and time.time() - due > self._late_after:
            return None
        return True

    def on_rate_limited(
        self, model: str | None, retry_after: float | None, account_wide: bool
    ) -> None:
        """An account-wide 429 pauses every worker for ``retry_after`` (1 s if none).
        A provider's 429 is handled by the route, through :attr:`cooldowns`."""
        if not account_wide:
            return
        seconds = 1.0 if retry_after is None else max(0.0, retry_after)
        with self._lock:
            self._paused_until = max(self._paused_until, time.time() + seconds)
        self._handle().pause.remote(seconds)

    def _pause_left(self) -> float:
        return self._paused_until - time.time()

    def _absorb(self, reply: Reply) -> float | None:
        """Take in a reservation's reply: the cooldowns it carries, and when its slot
        is on our clock (``None``: no slot)."""
        slot, actor_now, cooling = reply
        now = time.time()
        offset = self.clock_offset
        with self._lock:
            self._cooling = {model: until - offset for model, until in cooling.items()}
            self._cooling_seen = now
        if slot is None:
            return None
        # On our clock the slot is ``slot - offset``; the reply's own "slot - actor_now"
        # bounds it from above should the offset be off (the reply took some time).
        return min(slot - offset, now + slot - actor_now)

    # ------------------------------------------------------------------ cooldowns

    def _remaining(self, model: str) -> float:
        now = time.time()
        with self._lock:
            until = max(
                self._cooling.get(model, float("-inf")),
                self._own_cooling.get(model, float("-inf")),
            )
            stale = now - self._cooling_seen > _STALE_AFTER and self._actor is not None
        if stale:
            self._refresh_cooling()
        return max(0.0, until - now)

    def _cool(self, model: str, seconds: float | None) -> None:
        length = self.cooldown_seconds if seconds is None else max(0.0, seconds)
        now = time.time()
        with self._lock:
            self._own_cooling = {m: u for m, u in self._own_cooling.items() if u > now}
            self._own_cooling[model] = max(self._own_cooling.get(model, now), now + length)
        self._handle().cool.remote(model, seconds)

    def _refresh_cooling(self) -> None:
        """Fetch the cooldowns in the background (``remaining`` never waits on a call)."""
        with self._lock:
            if self._refreshing or self._actor is None:
                return
            self._refreshing = True
            ref = self._actor.cooling.remote()

        def done(future: Any) -> None:
            try:
                actor_now, cooling = future.result()
                self._absorb((None, actor_now, cooling))
            except Exception:  # a failed refresh leaves the last copy in place
                pass
            finally:
                self._refreshing = False

        ref.future().add_done_callback(done)


class SharedCooldowns:
    """The model cooldowns of a :class:`SharedRateLimit` (``rate_limit.cooldowns``):
    what the route consults instead of its client's own cooldowns."""

    def __init__(self, limit: SharedRateLimit) -> None:
        self._limit = limit

    def remaining(self, model: str) -> float:
        """Seconds before ``model`` should be tried again (0: now), as of the last
        reply from the actor and this process's own reports; never a blocking call."""
        return self._limit._remaining(model)

    def cool(self, model: str, seconds: float | None = None) -> None:
        """Leave ``model`` alone for ``seconds`` (default ``cooldown_seconds``), on
        every worker."""
        self._limit._cool(model, seconds)


def _clock_offset(ray: Any, actor: Any) -> float:
    """The actor's clock minus ours: 0 on the actor's own node, else the estimate from
    the quickest of a few round trips (its error is under half that round trip)."""
    try:
        here: str | None = str(ray.get_runtime_context().get_node_id())
    except Exception:
        here = None
    best: tuple[float, float] | None = None
    for _ in range(3):
        sent = time.time()
        actor_now, node = ray.get(actor.clock.remote())
        back = time.time()
        if node is not None and node == here:
            return 0.0
        trip, offset = back - sent, actor_now - (sent + back) / 2
        if best is None or trip < best[0]:
            best = (trip, offset)
    assert best is not None
    trip, offset = best
    return 0.0 if abs(offset) <= trip / 2 else offset
