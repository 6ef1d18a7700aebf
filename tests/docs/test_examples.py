"""How ``tests/docs/examples.py`` finds and runs examples: fences, directives, docstrings,
top-level ``await``, failures that point at the example, optional packages."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.docs import examples
from tests.docs.examples import ExampleError, docstring_blocks, markdown_blocks, run_blocks

PAGE = """# A page

```python
x = 1
```

```bash
pip install something
```

* A list item:

  ```python
  y = x + 1
  ```

<!-- docs-run: skip (needs a GPU) -->
```python
raise RuntimeError("not run")
```

<!-- docs-run: setup
z = 10
-->
```py
total = await add(y, z)
```

```text
not code
```
"""


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def page(tmp_path: Path, text: str = PAGE) -> Path:
    path = tmp_path / "page.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_python_fences_directives_and_lines(tmp_path: Path) -> None:
    blocks = markdown_blocks(page(tmp_path), "page.md")
    assert [(b.line, b.code, b.skip, b.hidden) for b in blocks] == [
        (4, "x = 1\n", None, False),
        (14, "y = x + 1\n", None, False),  # dedented out of the list item
        (19, 'raise RuntimeError("not run")\n', "needs a GPU", False),
        (22, "\nz = 10\n", None, True),
        (26, "total = await add(y, z)\n", None, False),
    ]


def test_blocks_share_a_namespace_and_await_runs_in_the_loop(
    tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> None:
    async def add(a: int, b: int) -> int:
        await asyncio.sleep(0)
        return a + b

    namespace = {"add": add}
    outcome = run_blocks(markdown_blocks(page(tmp_path), "page.md"), namespace, loop)
    assert namespace["total"] == 12
    assert outcome.ran == 3
    assert outcome.skip_reason() == "ran 3 block(s); skipped page.md:19 (needs a GPU)"


def test_a_failure_points_at_the_example(tmp_path: Path, loop: asyncio.AbstractEventLoop) -> None:
    path = page(tmp_path, "Text\n\n```python\nvalue = 1\nvalue.missing\n```\n")
    with pytest.raises(ExampleError) as caught:
        run_blocks(markdown_blocks(path, "page.md"), {}, loop)
    report = caught.value.report()
    assert "the example at page.md:4 raised AttributeError" in report
    assert f'File "{path}", line 5' in report
    assert "value.missing" in report  # the line itself, read from the page


def test_a_missing_optional_package_skips_the_rest_of_the_source(
    tmp_path: Path, loop: asyncio.AbstractEventLoop, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(examples.OPTIONAL, "no_such_package_here", "pip install it")
    path = page(
        tmp_path,
        "```python\na = 1\n```\n\n```python\nimport no_such_package_here\n```\n\n"
        "```python\nb = no_such_package_here.thing\n```\n",
    )
    namespace: dict[str, object] = {}
    outcome = run_blocks(markdown_blocks(path, "page.md"), namespace, loop)
    assert namespace["a"] == 1 and "b" not in namespace
    assert outcome.ran == 1
    assert outcome.skipped == [
        "page.md:6 (no_such_package_here is not installed (pip install it))",
        "page.md:10 (no_such_package_here is not installed (pip install it))",
    ]


class Documented:
    """A class with examples.

    Example:
        .. code-block:: python

            answer = 6 * 7

        Text between.

        .. code-block:: bash

            echo not run

        .. code-block:: python

            assert answer == 42
    """


def test_docstring_code_blocks_with_their_file_lines(loop: asyncio.AbstractEventLoop) -> None:
    blocks = docstring_blocks(Documented, "Documented")
    assert [b.code for b in blocks] == ["answer = 6 * 7\n", "assert answer == 42\n"]
    lines = Path(__file__).read_text(encoding="utf-8").splitlines()
    assert [lines[b.line - 1].strip() for b in blocks] == [
        "answer = 6 * 7",
        "assert answer == 42",
    ]
    assert run_blocks(blocks, {}, loop).ran == 2
