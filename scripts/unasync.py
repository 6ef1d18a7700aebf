"""Generate the sync client from the async one (one source, no hand-kept twin).

    python scripts/unasync.py          # write openrouter_core/_sync/*.py
    python scripts/unasync.py --check  # exit 1 if a generated file is out of date

Each file of ``shared/openrouter_core/_async/`` becomes the file of the same name in
``_sync/``: ``async``/``await`` go, async names become their sync twins (the table
below), and the result is formatted with ruff so it passes ``ruff format --check``.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "shared/openrouter_core/_async"
TARGET = ROOT / "shared/openrouter_core/_sync"

#: Whole-word replacements, applied in order.
NAMES = {
    "AsyncOpenRouterClient": "OpenRouterClient",
    "AsyncChatStream": "ChatStream",
    "AsyncResponsesStream": "ResponsesStream",
    "_AsyncStream": "_SyncStream",
    "AsyncSide": "SyncSide",
    "AsyncSlots": "SyncSlots",
    "AsyncIterator": "Iterator",
    "OwnedAsyncHTTPClient": "OwnedHTTPClient",
    "AsyncClient": "Client",
    "Asynchronous": "Synchronous",
    "asynchronous": "synchronous",
    "__aenter__": "__enter__",
    "__aexit__": "__exit__",
    "__aiter__": "__iter__",
    "__anext__": "__next__",
    "StopAsyncIteration": "StopIteration",
    "aclose": "close",
    "aread": "read",
    "aiter_bytes": "iter_bytes",
    "aacquire": "acquire",
    "aensure": "ensure",
    "async_sleep": "sleep",
}
#: Syntax: keywords that disappear or change.
SYNTAX = [
    (re.compile(r"\basync def\b"), "def"),
    (re.compile(r"\basync for\b"), "for"),
    (re.compile(r"\basync with\b"), "with"),
    (re.compile(r"\bawait\s+"), ""),
    (re.compile(r"\bAsyncGenerator\[([^\]]+), None\]"), r"Generator[\1, None, None]"),
    (re.compile(r"\bAsyncGenerator\b"), "Generator"),
]
_WORDS = re.compile(r"\b(" + "|".join(map(re.escape, NAMES)) + r")\b")
#: ``for x in it: yield x`` (what ``async for ...: yield`` becomes) as ``yield from it``.
_YIELD_LOOP = re.compile(r"^( *)for (\w+) in (.+):\n +yield \2\n", re.M)
_DOCSTRING = re.compile(r'\A""".*?"""\n', re.S)


def convert(text: str, source_name: str) -> str:
    header = (
        f'"""GENERATED from ``openrouter_core/_async/{source_name}`` by\n'
        "``scripts/unasync.py``: do not edit; change the async source and run\n"
        '``make unasync``."""\n'
    )
    body = _DOCSTRING.sub("", text, count=1)
    for pattern, replacement in SYNTAX:
        body = pattern.sub(replacement, body)
    body = _WORDS.sub(lambda m: NAMES[m.group(1)], body)
    body = _YIELD_LOOP.sub(r"\1yield from \3\n", body)
    return header + body


def ruff_format(text: str, path: Path) -> str:
    """Imports sorted and code formatted as ``make lint`` wants it."""
    found = Path(sys.executable).with_name("ruff")
    ruff = str(found) if found.exists() else "ruff"
    steps = (
        ["check", "--fix", "--select", "I", "--quiet", "--exit-zero"],
        ["format"],
    )
    for step in steps:
        command = [ruff, *step, "--stdin-filename", str(path), "-"]
        done = subprocess.run(
            command, input=text, capture_output=True, text=True, check=True, cwd=ROOT
        )
        text = done.stdout
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a sync file is stale")
    args = parser.parse_args(argv)
    stale = []
    for source in sorted(SOURCE.glob("*.py")):
        target = TARGET / source.name
        wanted = ruff_format(convert(source.read_text(), source.name), target)
        current = target.read_text() if target.exists() else None
        if current == wanted:
            continue
        if args.check:
            stale.append(target.relative_to(ROOT))
        else:
            target.write_text(wanted)
            print(f"wrote {target.relative_to(ROOT)}")
    if stale:
        names = ", ".join(map(str, stale))
        print(f"out of date (edit _async/ and run `make unasync`): {names}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
