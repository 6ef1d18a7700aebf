"""The figures of ``make bench`` beyond per-call speed: thousands of concurrent calls
through one shared client, cold starts, the bundled catalog snapshot, and reranking.

Each scenario that measures memory or start-up runs in a fresh interpreter (its
peak RSS and import cost are its own); the loopback server runs in its own process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.timing import median

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PEER_PYTHON = ROOT / ".bench-venvs/peer/bin/python"

#: 5,000 concurrent calls through one shared ``ChatOpenRouter`` (one event loop).
CONCURRENCY = """
import asyncio, json, sys, time
from benchmarks import timing
from langchain_openrouter import ChatOpenRouter
n, kind, base = int(sys.argv[1]), sys.argv[2], sys.argv[3]
llm = ChatOpenRouter(model="openai/gpt-4o-mini", api_key="x", base_url=base, timeout=120_000)

async def one(i):
    if kind == "ainvoke":
        return (await llm.ainvoke(f"q{i}")).content
    return "".join([str(c.content) async for c in llm.astream(f"q{i}")])

async def main():
    await one(-1)
    start = time.perf_counter()
    out = await asyncio.gather(*(one(i) for i in range(n)), return_exceptions=True)
    wall = time.perf_counter() - start
    failed = sum(isinstance(o, BaseException) for o in out)
    print(json.dumps({"wall_s": wall, "failed": failed, "peak_rss_mb": timing.peak_rss_mb()}))

asyncio.run(main())
"""

#: A fresh process: import, build the model, one invoke (the catalog as the env says).
COLD_OURS = """
import json, sys, time
start = time.perf_counter()
from langchain_openrouter import ChatOpenRouter
llm = ChatOpenRouter(model="openai/gpt-4o-mini", api_key="x", base_url=sys.argv[1])
llm.invoke("hi")
print(json.dumps({"ms": (time.perf_counter() - start) * 1e3}))
"""
COLD_OPENAI = """
import json, sys, time
start = time.perf_counter()
from langchain_openai import ChatOpenAI
llm = ChatOpenAI(model="openai/gpt-4o-mini", api_key="x", base_url=sys.argv[1])
llm.invoke("hi")
print(json.dumps({"ms": (time.perf_counter() - start) * 1e3}))
"""

SNAPSHOT = """
import json, time
from openrouter_core._snapshot import load_snapshot
from openrouter_core.catalog import parse_models
start = time.perf_counter()
snap = load_snapshot()
models = parse_models(snap.payload)
print(json.dumps({"ms": (time.perf_counter() - start) * 1e3, "models": len(models)}))
"""


def _json_line(args: list[str], env: dict[str, str] | None = None) -> dict[str, Any]:
    done = subprocess.run(
        args, check=True, capture_output=True, text=True, cwd=ROOT, env=env or dict(os.environ)
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def concurrency(base_url: str, n: int = 5000) -> dict[str, dict[str, float]]:
    """Wall seconds, failures and peak RSS of ``n`` concurrent ``ainvoke`` and ``astream``."""
    return {
        kind: _json_line([sys.executable, "-c", CONCURRENCY, str(n), kind, base_url])
        for kind in ("ainvoke", "astream")
    }


def _ms(args: list[str], env: dict[str, str], rounds: int) -> float:
    return median([float(_json_line(args, env)["ms"]) for _ in range(rounds)])


def cold_start(base_url: str, rounds: int) -> dict[str, float]:
    """Import plus first call in a fresh process: ours with an empty catalog cache (the
    catalog fetched), with no catalog source reachable (the bundled snapshot), with a
    warm disk cache; ``ChatOpenAI(base_url=...)`` and ``langchain-openrouter`` beside."""
    figures: dict[str, float] = {}
    ours = [sys.executable, "-c", COLD_OURS, base_url]
    with tempfile.TemporaryDirectory() as empty_root:

        def each_with_an_empty_cache(label: str, **more_env: str) -> float:
            samples = []
            for i in range(rounds):
                cache = f"{empty_root}/{label}{i}"
                env = {**os.environ, **more_env, "OPENROUTER_CATALOG_CACHE_DIR": cache}
                samples.append(float(_json_line(ours, env)["ms"]))
            return median(samples)

        figures["ours, catalog fetched (empty cache)"] = each_with_an_empty_cache("fetched")
        figures["ours, snapshot only (no catalog source)"] = each_with_an_empty_cache(
            "offline", OPENROUTER_CATALOG_URL="http://127.0.0.1:9/models"
        )
        env = {**os.environ, "OPENROUTER_CATALOG_CACHE_DIR": f"{empty_root}/warm"}
        _json_line(ours, env)  # fills the cache
        figures["ours, warm disk cache"] = _ms(ours, env, rounds)
    figures["ChatOpenAI(base_url=...)"] = _ms(
        [sys.executable, "-c", COLD_OPENAI, base_url], dict(os.environ), rounds
    )
    if PEER_PYTHON.exists():
        with tempfile.TemporaryDirectory() as outside:
            done = [
                subprocess.run(
                    [str(PEER_PYTHON), "-c", COLD_OURS, base_url],
                    check=True,
                    capture_output=True,
                    text=True,
                    cwd=outside,  # not this checkout: its own langchain_openrouter
                )
                for _ in range(rounds)
            ]
        figures["langchain-openrouter (own venv)"] = median(
            [float(json.loads(d.stdout.strip().splitlines()[-1])["ms"]) for d in done]
        )
    return figures


def snapshot(rounds: int) -> dict[str, float]:
    """The bundled snapshot: bytes on disk and the time to read and parse it (after
    ``openrouter_core`` is imported: what the first offline lookup costs)."""
    path = ROOT / "shared/openrouter_core/data/catalog_snapshot.json.gz"
    runs = [_json_line([sys.executable, "-c", SNAPSHOT]) for _ in range(rounds)]
    return {
        "bytes": float(path.stat().st_size),
        "models": float(runs[0]["models"]),
        "load_parse_ms": median([float(r["ms"]) for r in runs]),
    }


def rerank(base_url: str, rounds: int, calls: int = 200) -> dict[str, float]:
    """``OpenRouterRerank.compress_documents`` over 100 documents vs the same request
    through raw httpx (microseconds per call, best of ``rounds``)."""
    import httpx
    from langchain_core.documents import Document

    from benchmarks.timing import per_call_us
    from langchain_openrouter import OpenRouterRerank

    documents = [Document(f"document number {i} about routing") for i in range(100)]
    reranker = OpenRouterRerank(
        model="cohere/rerank-v3.5", top_n=10, api_key="x", base_url=base_url
    )
    reranker.compress_documents(documents, "routing")  # warm: catalog, connection
    client = httpx.Client(headers={"Authorization": "Bearer x"})
    body = {
        "model": "cohere/rerank-v3.5",
        "query": "routing",
        "documents": [d.page_content for d in documents],
        "top_n": 10,
    }

    def raw() -> Any:
        reply = client.post(base_url + "/rerank", json=body).json()
        return [documents[r["index"]] for r in reply["results"]]

    ours, theirs = [], []
    for _ in range(rounds):
        ours.append(per_call_us(lambda: reranker.compress_documents(documents, "routing"), calls))
        theirs.append(per_call_us(raw, calls))
    return {"compress_documents_us": min(ours), "raw_httpx_us": min(theirs)}


def timed(label: str, fn: Any, *args: Any) -> Any:
    start = time.perf_counter()
    value = fn(*args)
    print(f"  ({label}: {time.perf_counter() - start:.1f}s)", file=sys.stderr)
    return value
