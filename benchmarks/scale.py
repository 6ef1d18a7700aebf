"""``python -m benchmarks.scale``: Ray Data pipelines against a rate-limited loopback
server, one shared limit versus the naive ways, and ``ray.data.llm``'s HTTP processor.

Every run is a ``map_batches`` pipeline on a local Ray cluster (4 CPUs) against
``tests.loopback`` started with the scenario's limits (account-wide 40 requests/s unless
said otherwise; the server's bucket holds 200 ms of it). For each run it prints what the
rows say (failed, answered by the fallback model) and what the server saw (requests,
429s, requests per second, the busiest second), and the wall time (actor start-up
included; ``span`` is first to last request).

Contenders, each given to the chat model as ``rate_limit=``:

* ``none``: no pacing; each worker retries (same model after an account-wide 429) and
  falls back on its own, with its own cooldowns;
* ``bucket/worker=40``: a ``TokenBucket`` at the account's limit, which every worker
  gets its own copy of (a pickled bucket starts afresh in each process);
* ``bucket/worker=10``: the limit split by hand, a quarter per worker;
* ``shared=39.6``: one ``SharedRateLimit`` at 99% of the limit.

``--quick`` runs the main scenario only. Results also go to
``benchmarks/results-scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.scale import harness as h

HERE = Path(__file__).resolve().parent
LIMIT = 40.0
WORKERS, IN_FLIGHT, BATCH = 4, 8, 50


def machine() -> dict[str, Any]:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = None
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f"{pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    import ray

    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory": memory,
        "python": platform.python_version(),
        "ray": ray.__version__,
        "platform": platform.platform(),
        "load_average_at_start": os.getloadavg(),
    }


def contenders(limit: float, workers: int) -> dict[str, Callable[[], Any]]:
    from openrouter_core import TokenBucket
    from openrouter_core.ray import SharedRateLimit

    pace = 0.99 * limit
    return {
        "none": lambda: None,
        f"bucket/worker={limit:g}": lambda: TokenBucket(limit),
        f"bucket/worker={limit / workers:g}": lambda: TokenBucket(limit / workers),
        f"shared={pace:g}": lambda: SharedRateLimit(pace, name=f"bench-{time.monotonic_ns()}"),
    }


def row_of(name: str, figures: h.Figures, **extra: Any) -> dict[str, Any]:
    return {"contender": name, **figures.as_dict(), **extra}


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
    print(f"\n## {title}\n")
    head = (
        f"{'contender':<28} {'failed':>6} {'429s':>6} {'429%':>6} {'req/row':>7} "
        f"{'ok/s':>6} {'peak/s':>6} {'fallback':>8} {'span s':>7} {'wall s':>7}"
    )
    print(head)
    print("-" * len(head))
    for r in rows:
        if "skipped" in r:
            print(f"{r['contender']:<28} {r['skipped']}")
            continue
        limited = r["account_429"] + r["provider_429"]
        print(
            f"{r['contender']:<28} {r['failed']:>6} {limited:>6} {100 * r['rate_429']:>5.1f}% "
            f"{r['requests_per_row']:>7.3f} {r['ok_rate']:>6.1f} {r['peak_second']:>6} "
            f"{r['on_fallback']:>8} {r['span_s']:>7.1f} {r['wall_s']:>7.1f}"
        )
        if r.get("note"):
            print(f"{'':<28} {r['note']}")


def chat_scenario(
    title: str, rows: int, model_rates: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    found = []
    for name, make in contenders(LIMIT, WORKERS).items():
        args = h.server_args(LIMIT, h.server_burst(LIMIT), model_rates)
        with h.loopback(*args) as server:
            llm = h.chat_model(server.url, rate_limit=make())
            run = h.run_chat(
                server,
                llm,
                h.prompt_rows(rows),
                workers=WORKERS,
                in_flight=IN_FLIGHT,
                batch_size=BATCH,
            )
        found.append(row_of(name, h.chat_figures(run)))
        print(f"  {title} / {name}: done", file=sys.stderr, flush=True)
    return found


def uneven_scenario() -> list[dict[str, Any]]:
    """Nine batches on four workers: the last one runs alone. A limit split by hand
    leaves it a quarter of the account; a shared one gives it all that is free."""
    from openrouter_core import TokenBucket
    from openrouter_core.ray import SharedRateLimit

    makers: dict[str, Callable[[], Any]] = {
        f"bucket/worker={LIMIT / WORKERS:g}": lambda: TokenBucket(LIMIT / WORKERS),
        f"shared={0.99 * LIMIT:g}": lambda: SharedRateLimit(0.99 * LIMIT, name="bench-uneven"),
    }
    found = []
    for name, make in makers.items():
        with h.loopback(*h.server_args(LIMIT, h.server_burst(LIMIT))) as server:
            llm = h.chat_model(server.url, rate_limit=make())
            run = h.run_chat(
                server,
                llm,
                h.prompt_rows(9 * BATCH),
                workers=WORKERS,
                in_flight=8,
                batch_size=BATCH,
            )
        found.append(row_of(name, h.chat_figures(run)))
    return found


def server_bucket_scenario(rows: int) -> list[dict[str, Any]]:
    """The shared limit against servers whose bucket holds 1, 2, 4 or 8 requests."""
    from openrouter_core.ray import SharedRateLimit

    found = []
    for burst in (1, 2, 4, 8):
        limit = SharedRateLimit(0.99 * LIMIT, name=f"bench-burst-{burst}")
        with h.loopback(*h.server_args(LIMIT, burst)) as server:
            llm = h.chat_model(server.url, rate_limit=limit)
            run = h.run_chat(
                server, llm, h.prompt_rows(rows), workers=WORKERS, in_flight=8, batch_size=BATCH
            )
        gaps = h.gaps_ms(run.stats["arrivals"])
        note = f"arrival gaps ms: min {gaps['min']:.1f}, 1st pct {gaps['p1']:.1f}"
        found.append(row_of(f"shared, server bucket {burst}", h.chat_figures(run), note=note))
    return found


def scaling_scenario() -> list[dict[str, Any]]:
    """One request in flight per worker; the server answers after ``delay``."""
    from openrouter_core.ray import SharedRateLimit

    found = []
    for workers, delay, count in ((1, 0.1, 50), (2, 0.1, 100), (4, 0.1, 200), (4, 0.05, 200)):
        limit = SharedRateLimit(0.99 * LIMIT, name=f"bench-scale-{workers}-{delay}")
        with h.loopback(*h.server_args(LIMIT, h.server_burst(LIMIT))) as server:
            llm = h.chat_model(server.url, rate_limit=limit)
            run = h.run_chat(
                server,
                llm,
                h.prompt_rows(count, delay=delay),
                workers=workers,
                in_flight=1,
                batch_size=10,
            )
        name = f"{workers} worker(s), {delay:g} s replies"
        found.append(row_of(name, h.chat_figures(run)))
    return found


def embedding_scenario(chunks: int) -> list[dict[str, Any]]:
    from openrouter_core import TokenBucket
    from openrouter_core.ray import SharedRateLimit

    found = []
    limit = 10.0
    makers: dict[str, Callable[[], Any]] = {
        "none": lambda: None,
        "bucket/worker=10": lambda: TokenBucket(limit),
        "shared=9.9": lambda: SharedRateLimit(0.99 * limit, name="bench-embed"),
    }
    for name, make in makers.items():
        with h.loopback(*h.server_args(limit, h.server_burst(limit))) as server:
            emb = h.embedding_model(server.url, rate_limit=make(), batch=500)
            run = h.run_embed(
                server, emb, h.text_rows(chunks), workers=2, in_flight=8, batch_size=1000
            )
        found.append(row_of(name, h.embed_figures(run)))
    return found


def ray_data_llm_scenario(rows: int) -> list[dict[str, Any]]:
    """``ray.data.llm``'s HTTP request processor against the same server: per-worker
    ``qps`` (a quarter of the limit each), its own retries, no fallback."""
    name = "ray.data.llm qps=10/worker"
    try:
        from ray.data.llm import HttpRequestProcessorConfig, build_processor
    except ImportError as exc:
        return [{"contender": name, "skipped": f"not installable here: {exc}"}]
    import ray.data

    with h.loopback(*h.server_args(LIMIT, h.server_burst(LIMIT))) as server:
        config = HttpRequestProcessorConfig(
            url=f"{server.url}/chat/completions",
            headers={"Authorization": f"Bearer {h.KEY}"},
            qps=int(LIMIT / WORKERS),
            max_retries=3,
            concurrency=WORKERS,
            batch_size=BATCH,
        )

        def pre(row: dict[str, Any]) -> dict[str, Any]:
            message = {"role": "user", "content": row["prompt"]}
            return {**row, "payload": {"model": h.PRIMARY, "messages": [message]}}

        def post(row: dict[str, Any]) -> dict[str, Any]:
            reply = row.get("http_response") or {}
            choices = reply.get("choices") or [{}]
            answer = (choices[0].get("message") or {}).get("content")
            error = row.get("__inference_error__") or None
            return {
                "id": row["id"],
                "prompt": row["prompt"],
                "answer": answer,
                "model": reply.get("model"),
                "error": error,
            }

        processor = build_processor(config, preprocess=pre, postprocess=post)
        server.reset()
        started = time.perf_counter()
        prompts = h.prompt_rows(rows)
        dataset = ray.data.from_items(prompts, override_num_blocks=rows // BATCH)
        try:
            out = processor(dataset).take_all()
        except Exception as exc:  # a row out of retries fails the whole job
            stats = server.stats()
            note = f"job failed: {type(exc).__name__}: {str(exc).splitlines()[0][:120]}"
            run = h.Run([], stats, time.perf_counter() - started, [r["id"] for r in prompts])
            return [row_of(name, h.chat_figures(run), note=note)]
        run = h.Run(out, server.stats(), time.perf_counter() - started, [r["id"] for r in prompts])
    return [row_of(name, h.chat_figures(run))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="the main scenario only")
    parser.add_argument("--rows", type=int, default=400)
    parser.add_argument("--chunks", type=int, default=20_000)
    args = parser.parse_args()

    import ray

    cache = tempfile.mkdtemp(prefix="openrouter-scale-")
    h.start_ray(cache)
    results: dict[str, Any] = {"machine": machine()}
    try:
        print("# Ray Data pipelines over one shared limit")
        print(json.dumps(results["machine"], indent=1))
        title = f"{args.rows} prompts, {WORKERS} workers x {IN_FLIGHT} in flight, limit 40/s"
        main_rows = chat_scenario(title, args.rows) + ray_data_llm_scenario(args.rows)
        results["chat"] = main_rows
        print_table(title, main_rows)
        if not args.quick:
            title = "the same, primary also limited by its provider to 10/s"
            results["provider_limited"] = chat_scenario(title, args.rows, {h.PRIMARY: 10})
            print_table(title, results["provider_limited"])
            title = "uneven work: 450 prompts in 9 batches of 50 on 4 workers"
            results["uneven"] = uneven_scenario()
            print_table(title, results["uneven"])
            title = "shared limit vs the server's bucket size (limit 40/s)"
            results["server_bucket"] = server_bucket_scenario(args.rows)
            print_table(title, results["server_bucket"])
            title = "scaling: 1 request in flight per worker"
            results["scaling"] = scaling_scenario()
            print_table(title, results["scaling"])
            title = f"embeddings: {args.chunks:,} chunks, 2 workers, limit 10/s, 500 a request"
            results["embeddings"] = embedding_scenario(args.chunks)
            print_table(title, results["embeddings"])
    finally:
        ray.shutdown()
    out = HERE / "results-scale.json"
    out.write_text(json.dumps(results, indent=1, default=str))
    print(f"\nwritten: {out.relative_to(HERE.parent)}")


if __name__ == "__main__":
    main()
