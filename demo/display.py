"""Terminal output for the demo: headings, tables, a spinner while something waits."""

from __future__ import annotations

import itertools
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

_TTY = sys.stdout.isatty()


def _style(code: str, text: str) -> str:
    return f"\033[{code}m{text}\033[0m" if _TTY else text


def bold(text: str) -> str:
    return _style("1", text)


def dim(text: str) -> str:
    return _style("2", text)


def heading(number: int, title: str) -> None:
    print()
    print(bold(f"{number}. {title}"))
    print(dim("-" * (len(title) + 3)))


def table(headers: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
    print("  " + "  ".join(bold(h.ljust(w)) for h, w in zip(headers, widths, strict=True)))
    for row in rows:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def say(text: str = "") -> None:
    print(text, flush=True)


@contextmanager
def waiting(label: str) -> Iterator[None]:
    """A spinner on a terminal (a plain line otherwise) until the block ends."""
    if not _TTY:
        say(dim(f"  ... {label}"))
        yield
        return
    done = threading.Event()

    def spin() -> None:
        for frame in itertools.cycle("|/-\\"):
            if done.wait(0.1):
                break
            sys.stdout.write(f"\r  {frame} {label}")
            sys.stdout.flush()
        sys.stdout.write("\r" + " " * (len(label) + 4) + "\r")
        sys.stdout.flush()

    thread = threading.Thread(target=spin, daemon=True)
    started = time.perf_counter()
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
        say(dim(f"  {label}: {time.perf_counter() - started:.2f}s"))
