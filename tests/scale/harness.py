"""Scenarios of Ray Data pipelines against the loopback server, shared by the scale
tests (``tests/scale``) and ``python -m benchmarks.scale``.

A scenario starts ``tests.loopback`` as a subprocess with its limits, runs a
``map_batches`` pipeline through it, and reads back both sides: the rows (answers,
models, errors) and what the server saw (every request's arrival time and status).
:class:`Figures` turns them into the numbers the tests assert and the benchmark prints.
Ray must be initialised by the caller; nothing here imports it at module level.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.loopback import embedding_of

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk-or-v1-" + "7" * 64  # key-shaped, so leak checks look for something real
PRIMARY = "openai/gpt-4o-mini"
FALLBACK = "anthropic/claude-3.5-haiku"
EMBED_MODEL = "openai/text-embedding-3-small"


@dataclass
class Server:
    url: str
    proc: subprocess.Popen[str]

    def stats(self, arrivals: bool = True) -> dict[str, Any]:
        query = "?arrivals=1" if arrivals else ""
        reply = httpx.get(f"{self.url}/_stats{query}", timeout=30)
        reply.raise_for_status()
        found: dict[str, Any] = reply.json()
        return found

    def reset(self) -> None:
        httpx.post(f"{self.url}/_reset", timeout=30).raise_for_status()


@contextlib.contextmanager
def loopback(*args: str) -> Iterator[Server]:
    """``python -m tests.loopback ARGS`` in its own process, for one scenario."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.loopback", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        url = proc.stdout.readline().strip()
        if not url.startswith("http"):
            raise RuntimeError(f"the loopback server did not start (said {url!r})")
        yield Server(url, proc)
    finally:
        proc.terminate()
        proc.wait(10)


def server_burst(limit: float) -> int:
    """The server's bucket: 200 ms of its limit (8 requests at 40/s, 2 at 10/s), the
    jitter a request meets between its limiter slot and being counted by a server on
    the same two busy cores (docs/scaling-out.md has figures with smaller buckets)."""
    return max(1, math.ceil(0.2 * limit))


def server_args(
    rate: float | None = None, burst: int = 1, model_rates: dict[str, float] | None = None
) -> list[str]:
    args = [] if rate is None else ["--rate", str(rate), "--burst", str(burst)]
    for model, model_rate in (model_rates or {}).items():
        args += ["--model-rate", f"{model}={model_rate}"]
    return args


# ---------------------------------------------------------------------- inputs


def prompt_rows(count: int, delay: float | None = None) -> list[dict[str, Any]]:
    """Rows ``{"id", "prompt"}``; each answer must be ``"echo: <its prompt>"``."""
    suffix = f" #delay={delay}" if delay else ""
    return [{"id": i, "prompt": f"row {i}: what is {i} + {i}?{suffix}"} for i in range(count)]


def text_rows(count: int) -> list[dict[str, Any]]:
    """Rows ``{"id", "text"}`` of varied lengths; the vector of each is recomputable."""
    words = ["router", "shard", "token", "limit", "actor", "batch", "fallback", "vector"]
    rows = []
    for i in range(count):
        size = 3 + i % 17
        text = " ".join(words[(i * 7 + k) % len(words)] for k in range(size))
        rows.append({"id": i, "text": f"{i}: {text}"})
    return rows


def chat_model(
    url: str,
    framework: str = "langchain",
    rate_limit: Any = None,
    fallback: Sequence[str] = (FALLBACK,),
    max_retries: int = 2,
) -> Any:
    """The route of the scenarios (primary, then the fallback) in either framework."""
    if framework == "langchain":
        from langchain_openrouter import ChatOpenRouter

        return ChatOpenRouter(
            model=PRIMARY,
            fallback_models=list(fallback),
            api_key=KEY,
            base_url=url,
            rate_limit=rate_limit,
            max_retries=max_retries,
        )
    from llama_index_openrouter import OpenRouter

    return OpenRouter(
        model=PRIMARY,
        fallback_models=list(fallback),
        api_key=KEY,
        api_base=url,
        rate_limit=rate_limit,
        max_retries=max_retries,
        timeout=30,
    )


def embedding_model(
    url: str, framework: str = "langchain", rate_limit: Any = None, batch: int = 500
) -> Any:
    if framework == "langchain":
        from langchain_openrouter import OpenRouterEmbeddings

        return OpenRouterEmbeddings(
            model=EMBED_MODEL,
            api_key=KEY,
            base_url=url,
            rate_limit=rate_limit,
            batch_size=batch,
        )
    from llama_index_openrouter import OpenRouterEmbedding

    return OpenRouterEmbedding(
        model_name=EMBED_MODEL,
        api_key=KEY,
        api_base=url,
        rate_limit=rate_limit,
        embed_batch_size=batch,
        timeout=30,
    )


# ---------------------------------------------------------------------- running


@dataclass
class Run:
    """One pipeline's rows and what the server saw."""

    rows: list[dict[str, Any]]
    stats: dict[str, Any]
    wall_s: float
    expected_ids: list[int] = field(default_factory=list)


#: Ray's setting of its workers' niceness (Ray's names are case-sensitive).
NICENESS = "RAY_worker_niceness"


def start_ray(catalog_cache: str, num_cpus: int = 4) -> None:
    """A local Ray cluster for the scenarios.

    Its workers run at normal priority (Ray renices them to 15 by default), as on a node
    of their own: on two cores shared with the driver and the server, niced workers are
    the ones whose requests leave late. Every process reads the catalog cache given.
    """
    import ray

    if ray.is_initialized():  # left running by an earlier test or example
        ray.shutdown()
    saved = os.environ.get(NICENESS)
    os.environ[NICENESS] = "0"
    try:
        ray.init(
            num_cpus=num_cpus,
            include_dashboard=False,
            log_to_driver=False,
            runtime_env={"env_vars": {"OPENROUTER_CATALOG_CACHE_DIR": catalog_cache}},
        )
    finally:
        if saved is None:
            os.environ.pop(NICENESS, None)
        else:
            os.environ[NICENESS] = saved
    quiet_ray_data()


def quiet_ray_data() -> None:
    import ray.data

    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    # Start every actor of a pool before the first batch, so a run measures the pool
    # at work rather than its start-up.
    context.wait_for_min_actors_s = 300
    with contextlib.suppress(AttributeError):
        context.print_on_execution_start = False


def _run_udf(
    server: Server,
    udf: Any,
    udf_kwargs: dict[str, Any],
    rows: list[dict[str, Any]],
    workers: int,
    batch_size: int,
) -> Run:
    """``map_batches(udf)`` over ``rows`` with ``workers`` actors."""
    import ray.data

    server.reset()
    dataset = ray.data.from_items(rows, override_num_blocks=max(1, len(rows) // batch_size))
    started = time.perf_counter()
    out = dataset.map_batches(
        udf,
        fn_constructor_kwargs=udf_kwargs,
        concurrency=workers,
        batch_size=batch_size,
        num_cpus=0.5,
    ).take_all()
    wall = time.perf_counter() - started
    return Run(out, server.stats(), wall, [r["id"] for r in rows])


def run_chat(
    server: Server,
    llm: Any,
    rows: list[dict[str, Any]],
    *,
    workers: int,
    in_flight: int,
    batch_size: int,
) -> Run:
    """``map_batches(ChatUDF)`` over ``rows`` with ``workers`` actors."""
    from openrouter_core.ray import ChatUDF

    kwargs = {"llm": llm, "prompt_column": "prompt", "max_concurrency": in_flight}
    return _run_udf(server, ChatUDF, kwargs, rows, workers, batch_size)


def run_embed(
    server: Server,
    emb: Any,
    rows: list[dict[str, Any]],
    *,
    workers: int,
    in_flight: int,
    batch_size: int,
) -> Run:
    """``map_batches(EmbedUDF)`` over ``rows`` with ``workers`` actors."""
    from openrouter_core.ray import EmbedUDF

    kwargs = {"embeddings": emb, "text_column": "text", "max_concurrency": in_flight}
    return _run_udf(server, EmbedUDF, kwargs, rows, workers, batch_size)


# ---------------------------------------------------------------------- figures


@dataclass
class Figures:
    rows: int
    failed: int
    mismatched: int
    missing_ids: int
    requests: int
    account_429: int
    provider_429: int
    requests_per_row: float
    rate_429: float
    #: Mean requests per full second served OK (first and last partial seconds left out).
    ok_rate: float
    #: The most requests (any status) the server saw in one calendar second.
    peak_second: int
    #: Median OK requests per full second.
    median_ok_second: float
    on_fallback: int
    #: From the first request to the last, on the server's clock.
    span_s: float
    wall_s: float
    errors: list[str]

    def as_dict(self) -> dict[str, Any]:
        found = dict(vars(self))
        found["errors"] = self.errors[:3]
        return found


def full_seconds(arrivals: list[list[Any]], ok_only: bool) -> list[int]:
    """Requests per calendar second, the first and last (partial) seconds left out."""
    if not arrivals:
        return []
    first, last = int(arrivals[0][0]), int(arrivals[-1][0])
    counts = Counter(int(t) for t, status, _ in arrivals if not ok_only or status == 200)
    return [counts.get(second, 0) for second in range(first + 1, last)]


def chat_figures(run: Run) -> Figures:
    rows, stats = run.rows, run.stats
    arrivals = stats.get("arrivals", [])
    failed = [r for r in rows if r.get("error")]
    mismatched = [
        r for r in rows if not r.get("error") and r.get("answer") != f"echo: {r['prompt']}"
    ]
    return _figures(run, failed, mismatched, arrivals, FALLBACK)


def embed_figures(run: Run) -> Figures:
    rows = run.rows
    failed = [r for r in rows if r.get("error")]
    mismatched = [
        r
        for r in rows
        if not r.get("error") and list(r.get("embedding") or []) != embedding_of(r["text"])
    ]
    return _figures(run, failed, mismatched, run.stats.get("arrivals", []), None)


def _figures(
    run: Run,
    failed: list[dict[str, Any]],
    mismatched: list[dict[str, Any]],
    arrivals: list[list[Any]],
    fallback: str | None,
) -> Figures:
    stats = run.stats
    seen = Counter(int(r["id"]) for r in run.rows)
    missing = len(set(run.expected_ids) - set(seen)) + sum(n - 1 for n in seen.values())
    requests = int(stats["requests"])
    limited = int(stats["account_429"]) + int(stats["provider_429"])
    ok_seconds = full_seconds(arrivals, ok_only=True)
    all_counts = Counter(int(t) for t, _, _ in arrivals)
    span = arrivals[-1][0] - arrivals[0][0] if arrivals else 0.0
    return Figures(
        rows=len(run.rows),
        failed=len(failed),
        mismatched=len(mismatched),
        missing_ids=missing,
        requests=requests,
        account_429=int(stats["account_429"]),
        provider_429=int(stats["provider_429"]),
        requests_per_row=requests / max(1, len(run.expected_ids)),
        rate_429=limited / max(1, requests),
        ok_rate=statistics.fmean(ok_seconds) if ok_seconds else 0.0,
        peak_second=max(all_counts.values(), default=0),
        median_ok_second=statistics.median(ok_seconds) if ok_seconds else 0.0,
        on_fallback=sum(1 for r in run.rows if fallback and r.get("model") == fallback),
        span_s=span,
        wall_s=run.wall_s,
        errors=[str(r["error"]) for r in failed],
    )


def steady_rate(arrivals: list[list[Any]], trim: float = 0.5) -> float:
    """OK requests per second between ``trim`` seconds after the first arrival and
    ``trim`` seconds before the last (start-up and the last batch left out)."""
    times = [t for t, status, _ in arrivals if status == 200]
    if len(times) < 2:
        return 0.0
    start, end = times[0] + trim, times[-1] - trim
    if end <= start:
        return (len(times) - 1) / (times[-1] - times[0])
    inside = sum(1 for t in times if start <= t < end)
    return inside / (end - start)


def gaps_ms(arrivals: list[list[Any]]) -> dict[str, float]:
    """Spacing of consecutive arrivals: the shortest and a few percentiles, in ms."""
    times = [t for t, _, _ in arrivals]
    gaps = sorted((b - a) * 1000 for a, b in itertools.pairwise(times))
    if not gaps:
        return {}

    def pct(p: float) -> float:
        return gaps[min(len(gaps) - 1, int(p * len(gaps)))]

    return {"min": gaps[0], "p1": pct(0.01), "p50": pct(0.5), "p99": pct(0.99)}
