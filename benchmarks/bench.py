"""``make bench``: every contender against the same loopback server, in one run.

Prints a table of absolute figures and ratios, checks the targets of BENCHMARKS.md and
writes ``benchmarks/results.json``. ``--quick`` runs fewer rounds (a smoke test).
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from benchmarks import baseline as base_line, contenders as c, extra
from benchmarks.report import THIS_TREE, report
from benchmarks.timing import concurrent_s, median, per_call_us, per_chunk_us

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEER_PYTHON = ROOT / ".bench-venvs/peer/bin/python"
#: What a framework needs imported to run a chat model at all (both import lazily).
LC_BASE = "from langchain_core.language_models import BaseChatModel"
LI_BASE = "from llama_index.core.llms import CustomLLM"


@contextmanager
def server(chunks: int) -> Iterator[str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.server", "--chunks", str(chunks)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        yield proc.stdout.readline().strip()
    finally:
        proc.terminate()
        proc.wait()


def _run_ms(statement: str) -> float:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", statement], check=True, cwd=ROOT)
    return (time.perf_counter() - start) * 1e3


def compile_bytecode() -> None:
    """Write the ``.pyc`` files an ordinary ``pip install`` writes (uv and editable
    installs don't, and this machine sets ``PYTHONDONTWRITEBYTECODE``), so that import
    times measure importing, not compiling every module from source on every run."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    targets = sorted({p for p in sys.path if p.endswith("site-packages")})
    targets += [str(ROOT / d) for d in ("shared", "langchain_openrouter", "llama_index_openrouter")]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *targets],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )


def import_ms(statement: str, rounds: int) -> float:
    """Median wall time of a fresh interpreter running ``statement`` (start-up included)."""
    _run_ms(statement)  # one untimed run warms the OS file cache
    return median([_run_ms(statement) for _ in range(rounds)])


def import_added_ms(base: str, module: str, rounds: int) -> float:
    """What ``import module`` adds once ``base`` has run: timed inside a fresh
    interpreter (median over rounds), so that start-up and the framework's own import,
    which dwarf it and vary by tens of milliseconds between runs, stay out of it."""
    code = (
        f"{base}\nimport time\nstart = time.perf_counter()\nimport {module}\n"
        "print((time.perf_counter() - start) * 1e3)"
    )
    samples = []
    for _ in range(rounds + 1):
        done = subprocess.run(
            [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
        )
        samples.append(float(done.stdout.strip().splitlines()[-1]))
    return median(samples[1:])  # the first run only warms the OS file cache


def rss_mb(kind: str, base_url: str) -> float:
    code = (
        "import sys; from benchmarks import contenders as c, timing as t;"
        f"k = c.{kind}({base_url!r}); [k.invoke() for _ in range(200)];"
        "print(t.peak_rss_mb())"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True, text=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def peer(mode: str, base200: str, base2000: str, rounds: int) -> dict[str, Any]:
    if not PEER_PYTHON.exists():
        return {}
    done = subprocess.run(
        [
            str(PEER_PYTHON),
            str(HERE / "peer_langchain_openrouter.py"),
            mode,
            base200,
            base2000,
            str(rounds),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _no_network() -> Any:
    raise AssertionError("the warm catalog load must not fetch")


def catalog_figures(base_url: str, rounds: int) -> dict[str, float]:
    from openrouter_core import Catalog, OpenRouterClient
    from openrouter_core.capabilities import missing_capabilities, requirements_of

    cold, warm = [], []
    for _ in range(rounds):
        with tempfile.TemporaryDirectory() as cache:
            # What a new process does: a catalog with nothing in memory, loaded over the
            # network (cold), then another reading what the first left on disk (warm).
            with OpenRouterClient(api_key="x", base_url=base_url) as client:
                source = client.catalog.source
                catalog = Catalog(cache_key=source, cache_dir=cache, snapshot=False)
                catalog.adopt_fetcher(client)
                start = time.perf_counter()
                catalog.ensure()
                cold.append((time.perf_counter() - start) * 1e3)
            assert catalog.origin == "live"
            fresh = Catalog(cache_key=source, cache_dir=cache, snapshot=False)
            start = time.perf_counter()
            fresh.ensure(fetch=_no_network)
            warm.append((time.perf_counter() - start) * 1e3)
            assert fresh.origin == "disk" and len(fresh) == len(catalog)
    needs = requirements_of(
        {
            **c.BODY,
            "tools": [
                {"type": "function", "function": {"name": "f", "parameters": {"type": "object"}}}
            ],
        }
    )

    def lookup() -> None:
        missing_capabilities(catalog.get(c.MODEL), needs)

    def query() -> None:
        catalog.query(supports=["tools", "structured_outputs"], min_context=100_000, sort="price")

    return {
        "models": float(len(catalog)),
        "catalog_cold_ms": median(cold),
        "catalog_warm_ms": median(warm),
        "lookup_us": median([per_call_us(lookup, 20_000) for _ in range(rounds)]),
        "query_us": median([per_call_us(query, 500) for _ in range(rounds)]),
    }


Samples = dict[str, dict[str, list[float]]]


def measure(
    build: list[Callable[[str], c.Contender]],
    base200: str,
    base2000: str,
    rounds: int,
    quick: bool,
    also: Callable[[], Samples] | None = None,
) -> Samples:
    """Every sample of every contender; rounds interleave the contenders (and ``also``,
    run once a round: the contenders measured in another interpreter), so that the
    machine's drift hits all alike."""
    small = [b(base200) for b in build]
    large = [b(base2000) for b in build]
    samples: Samples = {k.name: {} for k in small}
    n_invoke = 60 if quick else 300
    for _ in range(rounds):
        for name, metrics in (also() if also is not None else {}).items():
            for metric, values in metrics.items():
                samples.setdefault(name, {}).setdefault(metric, []).extend(values)
        for s, big in zip(small, large, strict=True):
            got = samples[s.name]
            got.setdefault("invoke_us", []).append(per_call_us(s.invoke, n_invoke))
            got.setdefault("chunk200_us", []).append(per_chunk_us(s.stream, 3))
            got.setdefault("chunk2000_us", []).append(per_chunk_us(big.stream, 1))
            if s.ainvoke is not None:
                got.setdefault("async200_s", []).append(concurrent_s(s.ainvoke))
    return samples


def summarise(
    samples: dict[str, dict[str, list[float]]], pick: Callable[[list[float]], float]
) -> dict[str, dict[str, float]]:
    return {name: {k: pick(v) for k, v in m.items()} for name, m in samples.items()}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true")
    parser.add_argument(
        "--baseline", metavar="REV", help="also measure this commit's code, in the same rounds"
    )
    args = parser.parse_args()
    rounds = 3 if args.quick else 9
    os.environ.setdefault("OPENROUTER_CATALOG_CACHE_DIR", tempfile.mkdtemp())
    with server(200) as base200, server(2000) as base2000:

        def sized(make: Callable[[int], c.Contender]) -> Callable[[str], c.Contender]:
            # The trivial models stream as many chunks as the server they stand beside.
            return lambda base: make(200 if base == base200 else 2000)

        builders: list[Callable[[str], c.Contender]] = [
            sized(c.langchain_floor),
            sized(c.llama_floor),
            c.raw_httpx,
            c.core,
            c.chat_openrouter,
            c.llama_openrouter,
            c.chat_openai,
            c.llama_peer,
        ]
        also, baseline_sha = None, None
        if args.baseline:
            tree, baseline_sha = base_line.extract(args.baseline)
            # This tree too, by the same driver: both in fresh interpreters of the same
            # size (this process holds every contender, a larger heap), in turns.
            pairs = [(tree, baseline_sha), (ROOT, THIS_TREE)]
            turns = itertools.count()

            def also() -> Samples:
                order = pairs if next(turns) % 2 == 0 else pairs[::-1]
                out: Samples = {}
                for where, rev in order:
                    out |= base_line.one_round(where, rev, base200, base2000, args.quick)
                return out

        samples = measure(builders, base200, base2000, rounds, args.quick, also)
        samples["langchain-openrouter (own venv)"] = {
            k: v for k, v in peer("time", base200, base2000, rounds).items() if isinstance(v, list)
        }
        figures = summarise(samples, min)
        medians = summarise(samples, median)
        rss = {
            "raw httpx": rss_mb("raw_httpx", base200),
            "openrouter_core": rss_mb("core", base200),
            "ChatOpenRouter (ours)": rss_mb("chat_openrouter", base200),
            "OpenRouter (ours, LlamaIndex)": rss_mb("llama_openrouter", base200),
            "ChatOpenAI(base_url=...)": rss_mb("chat_openai", base200),
            "llama-index-llms-openrouter": rss_mb("llama_peer", base200),
            "langchain-openrouter (own venv)": peer("rss", base200, base2000, 1).get(
                "rss_mb", float("nan")
            ),
        }
        for name, value in rss.items():
            figures.setdefault(name, {})["peak_rss_mb"] = value
        catalog = catalog_figures(base200, rounds)
        more: dict[str, Any] = {
            "cold_start_ms": extra.timed("cold starts", extra.cold_start, base200, rounds),
            "rerank_100_docs": extra.timed("rerank", extra.rerank, base200, rounds),
        }
    with server(20) as base20:
        n = 1000 if args.quick else 5000
        figures_n = extra.timed("concurrency", extra.concurrency, base20, n)
        more["concurrency"] = {"calls": n, **figures_n}
    more["snapshot"] = extra.snapshot(rounds)
    compile_bytecode()
    imports = {
        "langchain_core": import_ms(
            "from langchain_core.language_models import BaseChatModel", rounds
        ),
        "langchain_openrouter": import_ms("import langchain_openrouter", rounds),
        "llama_index.core": import_ms(LI_BASE, rounds),
        "llama_index_openrouter": import_ms("import llama_index_openrouter", rounds),
        "python": import_ms("pass", rounds),
    }
    imports["langchain_openrouter_added"] = import_added_ms(
        LC_BASE, "langchain_openrouter", 2 * rounds + 1
    )
    imports["llama_index_openrouter_added"] = import_added_ms(
        LI_BASE, "llama_index_openrouter", 2 * rounds + 1
    )
    results = {
        "machine": {
            "python": platform.python_version(),
            "cpu": platform.processor() or platform.machine(),
            "cores": os.cpu_count(),
            "platform": platform.platform(),
        },
        "rounds": rounds,
        "baseline": baseline_sha,
        "figures": figures,
        "figures_median": medians,
        "catalog": catalog,
        "imports_ms": imports,
        "more": more,
    }
    (HERE / ("results-quick.json" if args.quick else "results.json")).write_text(
        json.dumps(results, indent=2)
    )
    report(results)


if __name__ == "__main__":
    main()
