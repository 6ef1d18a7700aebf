"""An earlier commit of this project, measured in the same run as the current code.

``make bench BASELINE=<git rev>`` answers "is this change slower than that commit?" on
the machine at hand: figures from another machine or another day do not compare (the
same code moves by 10-40% between runs here). The commit's three packages are
extracted under ``.bench-venvs/baseline-<sha>/`` and, each round, this file runs in a
fresh interpreter with that tree first on ``sys.path``, measures ``openrouter_core``,
``ChatOpenRouter`` and LlamaIndex ``OpenRouter`` with ``bench.py``'s contenders, servers
and round, and prints one JSON line. The current tree is measured the same way in the
same round (in turns), so the two compare like with like.

    python benchmarks/baseline.py TREE BASE200 BASE2000 [--quick]
"""

from __future__ import annotations

import json
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
PACKAGES = ("shared", "langchain_openrouter", "llama_index_openrouter")
#: The contenders of ``contenders.py`` measured for the baseline too.
MEASURED = ("core", "chat_openrouter", "llama_openrouter")


def extract(rev: str) -> tuple[Path, str]:
    """The packages of commit ``rev`` in a folder of their own (made once per commit);
    returns it and the short commit id."""
    sha = subprocess.run(
        ["git", "rev-parse", "--short", f"{rev}^{{commit}}"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    tree = ROOT / ".bench-venvs" / f"baseline-{sha}"
    if not (tree / "shared" / "openrouter_core").is_dir():
        archive = subprocess.run(
            ["git", "archive", "--format=tar", sha, *PACKAGES],
            cwd=ROOT,
            check=True,
            capture_output=True,
        ).stdout
        tree.mkdir(parents=True, exist_ok=True)
        with tarfile.open(fileobj=BytesIO(archive)) as tar:
            tar.extractall(tree, filter="data")
    return tree, sha


def one_round(tree: Path, rev: str, base200: str, base2000: str, quick: bool) -> dict[str, Any]:
    """One round of ``MEASURED`` from the packages in ``tree`` (the commit ``rev``'s, or
    this tree's), in a fresh interpreter; rows named by ``report.label_at``."""
    from benchmarks.report import label_at

    args = [sys.executable, str(HERE / "baseline.py"), str(tree), base200, base2000]
    done = subprocess.run(
        [*args, *(["--quick"] if quick else [])],
        check=True,
        capture_output=True,
        text=True,
        cwd=tempfile.gettempdir(),
    )
    samples: dict[str, dict[str, list[float]]] = json.loads(done.stdout.strip().splitlines()[-1])
    return {label_at(name, rev): metrics for name, metrics in samples.items()}


def main() -> None:
    tree, base200, base2000 = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    # The baseline's packages first, then the project root for ``benchmarks`` (its own
    # package folders come after the baseline's, so they are never the ones imported).
    sys.path[:0] = [str(tree / "shared"), str(tree), str(ROOT)]
    import langchain_openrouter
    import llama_index_openrouter
    import openrouter_core

    for module in (openrouter_core, langchain_openrouter, llama_index_openrouter):
        assert str(tree) in str(module.__file__), module.__file__

    from benchmarks import contenders
    from benchmarks.bench import measure

    build = [getattr(contenders, kind) for kind in MEASURED]
    # Two rounds, the first only warming up (connections, caches): the current code's
    # contenders run all their rounds in one interpreter, so only its first is cold.
    samples = measure(build, base200, base2000, 2, "--quick" in sys.argv)
    print(json.dumps({name: {k: v[1:] for k, v in m.items()} for name, m in samples.items()}))


if __name__ == "__main__":
    main()
