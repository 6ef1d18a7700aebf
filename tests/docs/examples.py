"""The Python examples of the docs, extracted and run as a reader would run them.

Markdown files: every fenced block whose info string starts with ``python`` (or ``py``,
``python3``); other languages, ``bash`` and ``text`` included, are not run. Docstrings: every
``.. code-block:: python`` directive. Blocks of one source run in order, in one
namespace; a block with a top-level ``await`` runs in the source's event loop.

Directives, in an HTML comment on the line before a fence (Markdown only):

* ``<!-- docs-run: skip (why) -->``: the block is not run; the test reports the reason;
* ``<!-- docs-run: setup`` ... ``-->``: hidden code run at that point (for data a
  reader would have; use sparingly).

A block importing an optional package that is not installed (:data:`OPTIONAL`) is
skipped, naming the package, and so is every later block of its source (they build on it).
"""

from __future__ import annotations

import ast
import asyncio
import importlib.util
import inspect
import re
import textwrap
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from types import CodeType
from typing import Any

__all__ = [
    "OPTIONAL",
    "Block",
    "ExampleError",
    "Outcome",
    "docstring_blocks",
    "markdown_blocks",
    "run_blocks",
]

#: Optional packages a block may need; without them the block is skipped, saying so.
OPTIONAL = {"ray": "pip install 'ray[data]'"}

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`]*)$")
_DIRECTIVE = re.compile(r"^\s*<!--\s*docs-run:\s*(?P<kind>skip|setup)\b(?P<rest>.*)$")
_CODE_BLOCK = re.compile(r"^(?P<indent>\s*)\.\. code-block::\s*(?P<lang>\S+)\s*$")


@dataclass(frozen=True)
class Block:
    """One example: its code, the file and 1-based line it starts at (for tracebacks),
    and whether to skip it."""

    source: str
    path: Path
    line: int
    code: str
    skip: str | None = None
    hidden: bool = False

    @property
    def where(self) -> str:
        return f"{self.source}:{self.line}"


class ExampleError(Exception):
    """An example raised: :meth:`report` is its traceback from the example's own line."""

    def __init__(self, block: Block, error: BaseException) -> None:
        super().__init__(f"the example at {block.where} raised {type(error).__name__}")
        self.block, self.error = block, error

    def report(self) -> str:
        tb = self.error.__traceback__
        first = tb
        while first is not None and first.tb_frame.f_code.co_filename != str(self.block.path):
            first = first.tb_next
        lines = traceback.format_exception(type(self.error), self.error, first or tb)
        return f"{self}:\n" + "".join(lines)


@dataclass
class Outcome:
    """What running a source's blocks did."""

    ran: int = 0
    skipped: list[str] = field(default_factory=list)

    def skip_reason(self) -> str | None:
        if not self.skipped:
            return None
        return f"ran {self.ran} block(s); skipped " + "; ".join(self.skipped)


def markdown_blocks(path: Path, name: str | None = None) -> list[Block]:
    """The Python blocks of a Markdown file (and its hidden setup code), in order."""
    lines = path.read_text(encoding="utf-8").splitlines()
    source = name or path.name
    blocks: list[Block] = []
    skip: str | None = None
    i = 0
    while i < len(lines):
        line = lines[i]
        directive = _DIRECTIVE.match(line)
        if directive:
            rest = directive["rest"]
            if directive["kind"] == "skip":
                skip = rest.split("-->")[0].strip().strip("()").strip() or "no reason given"
                i += 1
                continue
            start, body = i + 1, [rest]
            while "-->" not in body[-1] and i + 1 < len(lines):
                i += 1
                body.append(lines[i])
            body[-1] = body[-1].split("-->")[0]
            code = textwrap.dedent("\n".join(body))
            blocks.append(Block(source, path, start, code, hidden=True))
            i += 1
            continue
        fence = _FENCE.match(line)
        if not fence:
            if line.strip():
                skip = None  # a skip applies to the fence right after it only
            i += 1
            continue
        indent, marker = fence["indent"], fence["fence"]
        lang = (fence["info"].split() or [""])[0].lower()
        start, body = i + 2, []
        i += 1
        while i < len(lines):
            closing = lines[i].strip()
            if closing.startswith(marker) and not closing.strip(marker[0]):
                break
            text = lines[i]
            body.append(text[len(indent) :] if text.startswith(indent) else text.lstrip())
            i += 1
        i += 1
        if lang in ("python", "py", "python3"):
            blocks.append(Block(source, path, start, "\n".join(body) + "\n", skip=skip))
        skip = None
    return blocks


def docstring_blocks(obj: Any, name: str | None = None) -> list[Block]:
    """The ``.. code-block:: python`` examples of ``obj``'s docstring, in order."""
    doc = inspect.getdoc(obj) or ""
    source = name or f"{obj.__module__}.{obj.__qualname__}"
    path, first_line = _docstring_position(obj)
    lines = doc.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        match = _CODE_BLOCK.match(lines[i])
        i += 1
        if not match or match["lang"].lower() not in ("python", "py", "python3"):
            continue
        depth = len(match["indent"])
        start, body = i + 1, []
        while i < len(lines):
            text = lines[i]
            if text.strip() and len(text) - len(text.lstrip()) <= depth:
                break
            body.append(text)
            i += 1
        while body and not body[0].strip():
            body.pop(0)
            start += 1
        code = textwrap.dedent("\n".join(body)).rstrip("\n") + "\n"
        blocks.append(Block(source, path, first_line + start - 1, code))
    return blocks


def _docstring_position(obj: Any) -> tuple[Path, int]:
    """The file holding ``obj``'s docstring and the line its text starts on."""
    path = Path(inspect.getsourcefile(obj) or "<unknown>")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    if inspect.ismodule(obj):
        first_node = tree.body[0] if tree.body else None
        return path, first_node.lineno if isinstance(first_node, ast.Expr) else 1
    _, start = inspect.getsourcelines(obj)
    for node in ast.walk(tree):
        if isinstance(node, (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            first = node.decorator_list[0].lineno if node.decorator_list else node.lineno
            if first == start and node.body and isinstance(node.body[0], ast.Expr):
                return path, node.body[0].lineno
    return path, start


def _compile(block: Block) -> CodeType:
    flags = ast.PyCF_ALLOW_TOP_LEVEL_AWAIT
    tree = compile(block.code, str(block.path), "exec", flags=flags | ast.PyCF_ONLY_AST)
    ast.increment_lineno(tree, block.line - 1)  # tracebacks point into the source file
    return compile(tree, str(block.path), "exec", flags=flags)


def _missing_optional(block: Block) -> str | None:
    try:
        tree = ast.parse(block.code)
    except SyntaxError:
        return None  # compiling reports it
    for node in ast.walk(tree):
        names: Iterable[str] = ()
        if isinstance(node, ast.Import):
            names = (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names = (node.module,)
        for module in names:
            top = module.split(".")[0]
            if top in OPTIONAL and importlib.util.find_spec(top) is None:
                return f"{top} is not installed ({OPTIONAL[top]})"
    return None


def run_blocks(
    blocks: list[Block], namespace: dict[str, Any], loop: asyncio.AbstractEventLoop
) -> Outcome:
    """Run ``blocks`` in order in ``namespace``; those with a top-level ``await`` run to
    completion in ``loop``. A failure raises :class:`ExampleError`."""
    outcome = Outcome()
    missing: str | None = None  # later blocks build on a block that could not run
    for block in blocks:
        missing = missing or _missing_optional(block)
        reason = block.skip or missing
        if reason is not None:
            outcome.skipped.append(f"{block.where} ({reason})")
            continue
        try:
            code = _compile(block)
            if code.co_flags & inspect.CO_COROUTINE:
                loop.run_until_complete(eval(code, namespace))
            else:
                exec(code, namespace)
        except Exception as exc:
            raise ExampleError(block, exc) from exc
        if not block.hidden:
            outcome.ran += 1
    return outcome
