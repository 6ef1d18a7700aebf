"""Timing helpers (standard library only: the peer's virtual environment imports this too)."""

from __future__ import annotations

import asyncio
import gc
import resource
import statistics
import time
from collections.abc import Awaitable, Callable
from typing import Any


def per_call_us(fn: Callable[[], Any], n: int) -> float:
    """Mean microseconds per call over ``n`` calls (one round)."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


def per_chunk_us(stream: Callable[[], int], n: int = 1) -> float:
    """Microseconds per streamed content chunk over ``n`` whole streams (one round)."""
    gc.collect()
    chunks = 0
    start = time.perf_counter()
    for _ in range(n):
        chunks += stream()
    elapsed = time.perf_counter() - start
    if not chunks:
        raise RuntimeError("the stream yielded no content chunks")
    return elapsed / chunks * 1e6


_LOOP: asyncio.AbstractEventLoop | None = None


def concurrent_s(afn: Callable[[], Awaitable[Any]], n: int = 200) -> float:
    """Wall seconds for ``n`` concurrent calls (one round). Every round of every
    contender runs on the same event loop, so clients bound to a loop stay valid."""
    global _LOOP
    if _LOOP is None:
        _LOOP = asyncio.new_event_loop()

    async def run() -> float:
        await afn()  # warm the connection pool and the loop's client
        start = time.perf_counter()
        await asyncio.gather(*(afn() for _ in range(n)))
        return time.perf_counter() - start

    return _LOOP.run_until_complete(run())


def median(values: list[float]) -> float:
    return statistics.median(values)


def peak_rss_mb() -> float:
    """Peak resident set of this process (``VmHWM``: unlike ``ru_maxrss`` it is not
    inherited from the parent across fork and exec)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
