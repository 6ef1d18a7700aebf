"""Bounds on in-flight requests, and the fork epoch.

Each client admits at most ``max_concurrent_requests`` HTTP exchanges at once
(a stream holds its slot until it ends or is closed); further calls wait here,
not in the connection pool. So thousands of concurrent calls queue cheaply
instead of timing out in httpcore, whose pool assigns queued requests to
connections in time quadratic in their number.

:data:`fork_epoch` changes in a child process after ``fork()`` (gunicorn
``--preload``, Celery prefork, ``multiprocessing`` with the fork start method):
clients compare it with the epoch they were built in and open their own
connections, never reusing the parent's sockets.
"""

from __future__ import annotations

import asyncio
import os
import threading
from types import TracebackType

__all__ = ["AsyncSlots", "SyncSlots", "current_fork_epoch"]

_fork_epoch = 0


def current_fork_epoch() -> int:
    """A number that changes in each child process created by ``fork()``."""
    return _fork_epoch


def _after_fork_in_child() -> None:
    global _fork_epoch
    _fork_epoch += 1


if hasattr(os, "register_at_fork"):  # not on Windows
    os.register_at_fork(after_in_child=_after_fork_in_child)


class SyncSlots:
    """At most ``limit`` holders at a time, across threads; ``in_use`` counts them."""

    __slots__ = ("_count_lock", "_semaphore", "in_use", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self._semaphore = threading.BoundedSemaphore(limit)
        self._count_lock = threading.Lock()

    def __enter__(self) -> None:
        self._semaphore.acquire()
        with self._count_lock:
            self.in_use += 1

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._count_lock:
            self.in_use -= 1
        self._semaphore.release()


class AsyncSlots:
    """At most ``limit`` holders at a time within the running event loop.

    An ``asyncio.Semaphore`` belongs to one loop; a client reused by a later loop
    (``asyncio.run`` called again) gets a fresh one."""

    __slots__ = ("_loop", "_semaphore", "in_use", "limit")

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.in_use = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self._semaphore: asyncio.Semaphore | None = None

    async def __aenter__(self) -> None:
        loop = asyncio.get_running_loop()
        semaphore = self._semaphore
        if semaphore is None or self._loop is not loop:
            semaphore = self._semaphore = asyncio.Semaphore(self.limit)
            self._loop = loop
        await semaphore.acquire()
        self.in_use += 1

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._semaphore is not None
        self.in_use -= 1
        self._semaphore.release()
