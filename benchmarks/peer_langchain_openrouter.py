"""The ``langchain-openrouter`` package, measured in its own virtual environment.

It installs the same import name as ours (``langchain_openrouter``), so it cannot share
an interpreter with this project. ``bench.py`` runs this file by path (so the project's
own ``langchain_openrouter/`` folder is not on ``sys.path``) and reads one JSON line.
"""

from __future__ import annotations

import json
import sys

import timing  # type: ignore[import-not-found]  # beside this file

MODEL = "openai/gpt-4o-mini"
PROMPT = "What is the capital of France?"


def model(base_url: str):  # type: ignore[no-untyped-def]
    from langchain_openrouter import ChatOpenRouter

    return ChatOpenRouter(model=MODEL, api_key="x", base_url=base_url)


def main() -> None:
    mode, base200, base2000, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    import langchain_openrouter

    assert "site-packages" in langchain_openrouter.__file__, langchain_openrouter.__file__
    out: dict[str, object] = {"file": langchain_openrouter.__file__}
    m200, m2000 = model(base200), model(base2000)
    m200.invoke(PROMPT)
    if mode == "rss":
        for _ in range(200):
            m200.invoke(PROMPT)
        out["rss_mb"] = timing.peak_rss_mb()
    else:
        count = lambda m: sum(1 for c in m.stream(PROMPT) if c.content)  # noqa: E731
        out["invoke_us"] = [
            timing.per_call_us(lambda: m200.invoke(PROMPT), 100) for _ in range(rounds)
        ]
        out["chunk200_us"] = [timing.per_chunk_us(lambda: count(m200), 3) for _ in range(rounds)]
        out["chunk2000_us"] = [timing.per_chunk_us(lambda: count(m2000), 1) for _ in range(rounds)]
        out["async200_s"] = [
            timing.concurrent_s(lambda: m200.ainvoke(PROMPT)) for _ in range(max(1, rounds // 2))
        ]
    print(json.dumps(out))


if __name__ == "__main__":
    main()
