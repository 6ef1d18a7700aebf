"""Ray Data pipelines over one shared limit, on one local Ray cluster (4 CPUs) for the
whole module, against the loopback server started per scenario with its limits.

Scenarios (the route is gpt-4o-mini, then claude-3.5-haiku; the account's limit is 40
requests/s):

* 400 prompts, 4 workers x 8 in flight: every row answered with its own echo, every id
  back, at most 0.5% 429s, the server busy at >= 95% of the limit in every full second
  on average and never above limit + burst in any second, at most 1.01 requests a row;
* the same with the primary also limited by its provider (10 requests/s): no failed
  row, at most 5% 429s, at most 1.05 requests a row;
* one request in flight per worker, latency-bound (the server waits 0.1 s a reply):
  2 workers >= 1.8x one worker; 4 workers (0.05 s replies) >= 95% of the limit;
* 20,000 chunks embedded under a limit of 10 requests/s: no 429, every vector right.

The server's bucket holds 200 ms of its limit (8 requests at 40/s, 2 at 10/s): the
jitter a request meets between leaving its limiter slot and being counted by a server
on the same two busy cores (see docs/scaling-out.md for figures with smaller buckets).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

ray = pytest.importorskip(
    "ray", reason="Ray is not installed (pip install 'openrouter-integrations[ray]')"
)
pytest.importorskip("ray.data", reason="Ray Data is not installed (pip install 'ray[data]')")

from openrouter_core.ray import SharedRateLimit  # noqa: E402
from tests.scale import harness as h  # noqa: E402

pytestmark = pytest.mark.ray

LIMIT = 40.0  # the account's limit, requests/s
PACE = 0.99 * LIMIT  # what the shared limit is set to: a little under
EMBED_LIMIT = 10.0
#: The pipelines' limit: one actor, re-configured by each scenario (a name per scenario
#: would start an actor process for each).
PIPELINES = "scale-pipelines"


@pytest.fixture(scope="module", autouse=True)
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    h.start_ray(str(tmp_path_factory.mktemp("catalog-cache")))
    try:
        yield
    finally:
        ray.shutdown()


def report(name: str, figures: h.Figures, **extra: Any) -> None:
    print(f"\n{name}: {json.dumps({**figures.as_dict(), **extra})}")


# ---------------------------------------------------------------------- chat


def test_four_workers_share_the_account_limit() -> None:
    limit = SharedRateLimit(PACE, name=PIPELINES)
    rows = h.prompt_rows(400)
    with h.loopback(*h.server_args(LIMIT, h.server_burst(LIMIT))) as server:
        llm = h.chat_model(server.url, rate_limit=limit)
        run = h.run_chat(server, llm, rows, workers=4, in_flight=8, batch_size=50)
    figures = h.chat_figures(run)
    report("shared limit", figures, per_second=h.full_seconds(run.stats["arrivals"], False))
    assert figures.failed == 0, figures.errors[:3]
    assert figures.mismatched == 0
    assert figures.missing_ids == 0
    assert figures.rate_429 <= 0.005
    assert figures.ok_rate >= 0.95 * LIMIT
    assert figures.peak_second <= LIMIT + limit.burst
    assert figures.requests_per_row <= 1.01


def test_a_provider_limited_primary_falls_back_on_every_worker() -> None:
    limit = SharedRateLimit(PACE, name=PIPELINES)
    rows = h.prompt_rows(400)
    args = h.server_args(LIMIT, h.server_burst(LIMIT), {h.PRIMARY: 10})
    with h.loopback(*args) as server:
        llm = h.chat_model(server.url, rate_limit=limit)
        run = h.run_chat(server, llm, rows, workers=4, in_flight=8, batch_size=50)
    figures = h.chat_figures(run)
    stats = limit.stats()
    report("provider-limited primary", figures, limiter=stats)
    assert figures.failed == 0, figures.errors[:3]
    assert figures.mismatched == 0
    assert figures.missing_ids == 0
    assert figures.rate_429 <= 0.05
    assert figures.requests_per_row <= 1.05
    assert figures.account_429 == 0
    assert 0 < figures.on_fallback < figures.rows  # both models served
    assert stats["cools"] >= 1  # the cooldowns went through the shared actor


# ---------------------------------------------------------------------- embeddings


def test_twenty_thousand_chunks_under_ten_requests_a_second() -> None:
    limit = SharedRateLimit(0.99 * EMBED_LIMIT, name=PIPELINES)
    rows = h.text_rows(20_000)
    with h.loopback(*h.server_args(EMBED_LIMIT, h.server_burst(EMBED_LIMIT))) as server:
        emb = h.embedding_model(server.url, rate_limit=limit, batch=500)
        run = h.run_embed(server, emb, rows, workers=2, in_flight=8, batch_size=1000)
    figures = h.embed_figures(run)
    report("embeddings", figures)
    assert figures.account_429 == figures.provider_429 == 0
    assert figures.failed == 0, figures.errors[:3]
    assert figures.mismatched == 0  # each vector recomputed from its own text
    assert figures.missing_ids == 0
    assert figures.requests == 40  # 500 texts a request
    assert figures.peak_second <= EMBED_LIMIT + limit.burst


# ---------------------------------------------------------------------- plain actors


@ray.remote(num_cpus=0.25)
class Host:
    """A worker process of its own: runs a ``ChatUDF`` over rows it is handed, and
    probes a shared limit through its own unpickled copy. Made once for the module
    (four of them), so the scaling runs do not pay a pool's start-up each."""

    def __init__(self) -> None:
        self.udf: Any = None
        self.limit: Any = None

    def use(self, llm: Any, in_flight: int) -> None:
        from openrouter_core.ray import ChatUDF

        if self.udf is not None:
            self.udf.close()
        self.udf = ChatUDF(llm, "prompt", max_concurrency=in_flight)

    def answer(self, rows: list[dict[str, Any]], batch_size: int) -> list[dict[str, Any]]:
        import numpy as np

        out = []
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            batch = {
                "id": np.array([r["id"] for r in chunk]),
                "prompt": np.array([r["prompt"] for r in chunk], dtype=object),
            }
            done = self.udf(batch)
            out += [{k: done[k][i] for k in done} for i in range(len(chunk))]
        return out

    def hold(self, limit: SharedRateLimit) -> None:
        self.limit = limit.connect()

    def cool(self, model: str, seconds: float) -> None:
        self.limit.cooldowns.cool(model, seconds)

    def remaining_after_acquire(self, model: str) -> float:
        self.limit.acquire()
        return float(self.limit.cooldowns.remaining(model))

    def account_429(self, seconds: float) -> None:
        self.limit.on_rate_limited("openai/gpt-4o-mini", seconds, True)

    def timed_acquire(self) -> float:
        import time

        started = time.monotonic()
        self.limit.acquire()
        return time.monotonic() - started

    def slots(self, callers: int, seconds: float) -> list[float]:
        """When ``callers`` concurrent acquirers got their slots over ``seconds``."""
        import time

        async def caller(until: float) -> list[float]:
            got = []
            while time.time() < until:
                await self.limit.aacquire()
                got.append(time.time())
            return got

        async def main() -> list[float]:
            until = time.time() + seconds
            found = await asyncio.gather(*(caller(until) for _ in range(callers)))
            return sorted(t for times in found for t in times)

        return asyncio.run(main())


@pytest.fixture(scope="module")
def hosts() -> list[Any]:
    found = [Host.remote() for _ in range(4)]  # type: ignore[attr-defined]
    ray.get([host.__ray_ready__.remote() for host in found])
    return found


def run_on_hosts(
    server: h.Server, hosts: list[Any], llm: Any, rows: list[dict[str, Any]], in_flight: int
) -> h.Run:
    """``rows`` dealt round-robin to ``hosts``, each running its ``ChatUDF``."""
    import time

    ray.get([host.use.remote(llm, in_flight) for host in hosts])
    server.reset()
    started = time.perf_counter()
    shares = [rows[i :: len(hosts)] for i in range(len(hosts))]
    done = ray.get(
        [host.answer.remote(share, 10) for host, share in zip(hosts, shares, strict=True)]
    )
    wall = time.perf_counter() - started
    return h.Run(
        [row for part in done for row in part], server.stats(), wall, [r["id"] for r in rows]
    )


def test_workers_scale_until_the_limit_binds(hosts: list[Any]) -> None:
    """One request in flight per worker, latency-bound (the server answers after
    0.1 s): two workers do at least 1.8x what one does; four (0.05 s replies) reach
    95% of the limit."""
    rates = {}
    for workers, delay, count in ((1, 0.1, 50), (2, 0.1, 100), (4, 0.05, 200)):
        limit = SharedRateLimit(PACE, name=PIPELINES)
        with h.loopback(*h.server_args(LIMIT, h.server_burst(LIMIT))) as server:
            llm = h.chat_model(server.url, rate_limit=limit)
            rows = h.prompt_rows(count, delay=delay)
            run = run_on_hosts(server, hosts[:workers], llm, rows, in_flight=1)
        figures = h.chat_figures(run)
        report(f"{workers} worker(s), 1 in flight", figures)
        assert figures.failed == 0, figures.errors[:3]
        assert figures.mismatched == 0
        assert figures.missing_ids == 0
        rates[workers] = figures.ok_rate
    assert rates[2] >= 1.8 * rates[1], rates
    assert rates[4] >= 0.95 * LIMIT, rates


# ---------------------------------------------------------------------- the limit itself


def test_cooldowns_pauses_and_slots_are_shared_between_processes(hosts: list[Any]) -> None:
    limit = SharedRateLimit(20, name="scale-shared")
    first, second = hosts[:2]
    ray.get([first.hold.remote(limit), second.hold.remote(limit)])

    # One worker's provider 429 cools the model for the other.
    ray.get(first.cool.remote("openai/gpt-4o-mini", 5.0))
    assert ray.get(second.remaining_after_acquire.remote("openai/gpt-4o-mini")) > 4.0
    assert ray.get(second.remaining_after_acquire.remote("anthropic/claude-3.5-haiku")) == 0

    # One worker's account-wide 429 pauses the other for Retry-After.
    ray.get(first.account_429.remote(1.0))
    assert ray.get(second.timed_acquire.remote()) >= 0.9

    # Both queue on one schedule, first come first served: equal demand gets equal
    # shares, and together they never go faster than the limit.
    a, b = ray.get([first.slots.remote(4, 2.0), second.slots.remote(4, 2.0)])
    together = sorted(a + b)
    assert abs(len(a) - len(b)) <= 4
    span = together[-1] - together[0]
    assert len(together) - 1 <= 20 * span + limit.burst

    # The driver's own copy paces a LangChain ``rate_limiter=`` (once per invoke).
    from langchain_openrouter import ChatOpenRouter

    before = limit.stats()["granted"]
    with h.loopback() as server:
        llm = ChatOpenRouter(
            model=h.PRIMARY, api_key=h.KEY, base_url=server.url, rate_limiter=limit
        )
        assert llm.invoke("paced once").content == "echo: paced once"
    assert limit.stats()["granted"] >= before + 1


def test_a_pickled_limit_finds_the_same_actor() -> None:
    import pickle

    limit = SharedRateLimit(50, burst=3, name="scale-pickle")
    copy = pickle.loads(pickle.dumps(limit))
    assert repr(copy) == repr(limit)
    copy.acquire()
    limit.acquire()
    assert limit.stats()["granted"] >= 2
    # A new handle of that name re-configures the running actor.
    SharedRateLimit(25, burst=1, name="scale-pickle")
    assert copy.stats()["requests_per_second"] == 25.0
