"""The table, the ratios and the targets of a benchmark run."""

from __future__ import annotations

from typing import Any

RAW, CORE = "raw httpx", "openrouter_core"
LC_FLOOR, LI_FLOOR = "langchain-core trivial model", "llama-index-core trivial LLM"
LC, LI = "ChatOpenRouter (ours)", "OpenRouter (ours, LlamaIndex)"
OPENAI, LC_PEER, LI_PEER = (
    "ChatOpenAI(base_url=...)",
    "langchain-openrouter (own venv)",
    "llama-index-llms-openrouter",
)
#: The row suffix of the current code measured beside a baseline commit (``make bench BASELINE=``).
THIS_TREE = "this tree"
METRICS = ("invoke_us", "chunk200_us", "chunk2000_us", "async200_s", "peak_rss_mb")
HEADERS = ("us/invoke", "us/chunk (200)", "us/chunk (2000)", "200 async (s)", "peak RSS MB")


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or value != value else f"{value:,.{digits}f}"


def floors(figures: dict[str, dict[str, float]]) -> dict[str, dict[str, float]]:
    """Framework floor + raw httpx, metric by metric."""
    out = {}
    for name, frame in (
        ("LangChain floor (trivial + raw httpx)", LC_FLOOR),
        ("LlamaIndex floor (trivial + raw httpx)", LI_FLOOR),
    ):
        out[name] = {
            m: figures[frame][m] + figures[RAW][m]
            for m in ("invoke_us", "chunk200_us", "chunk2000_us")
        }
    return out


def table(rows: dict[str, dict[str, float]]) -> list[str]:
    width = max(len(n) for n in rows) + 2
    lines = ["".ljust(width) + "".join(h.rjust(17) for h in HEADERS)]
    for name, row in rows.items():
        digits = [1, 2, 2, 3, 0]
        cells = [_fmt(row.get(m), d) for m, d in zip(METRICS, digits, strict=True)]
        lines.append(name.ljust(width) + "".join(c.rjust(17) for c in cells))
    return lines


def baseline_rows(results: dict[str, Any]) -> list[str]:
    """The rows of the baseline commit's contenders (``make bench BASELINE=...``)."""
    rev = results.get("baseline")
    return [k for k in results["figures"] if rev and k.endswith((f" @ {rev}", f" @ {THIS_TREE}"))]


def against_baseline(results: dict[str, Any]) -> list[tuple[str, float, float, bool]]:
    """Each adapter's ratio to its framework floor, no worse than the baseline's in
    the same run."""
    rev = results.get("baseline")
    if not rev:
        return []
    f = results["figures"]
    fl = floors(f)
    checks = []
    for name, floor in (
        (LC, "LangChain floor (trivial + raw httpx)"),
        (LI, "LlamaIndex floor (trivial + raw httpx)"),
    ):
        then, now = label_at(name, rev), label_at(name, THIS_TREE)
        if then not in f or now not in f:
            continue
        for metric, what in (("invoke_us", "invoke"), ("chunk200_us", "per chunk (200)")):
            limit = f[then][metric] / fl[floor][metric]
            checks.append(
                (
                    f"{now} / floor, {what} <= {rev}'s ({limit:.2f})",
                    f[now][metric] / fl[floor][metric],
                    limit,
                    True,
                )
            )
    return checks


def label_at(name: str, rev: str) -> str:
    """A contender's row name as measured at commit ``rev`` (or :data:`THIS_TREE`) by
    ``benchmarks/baseline.py``."""
    return f"{name.replace(' (ours)', '').replace('ours, ', '')} @ {rev}"


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool]]:
    f = results["figures"]
    fl = floors(f)
    lcf, lif = (
        fl["LangChain floor (trivial + raw httpx)"],
        fl["LlamaIndex floor (trivial + raw httpx)"],
    )
    checks = against_baseline(results)  # (label, value, limit, lower_is_good)
    for metric, label in (
        ("invoke_us", "invoke"),
        ("chunk200_us", "per chunk (200)"),
        ("chunk2000_us", "per chunk (2000)"),
    ):
        checks.append(
            (
                f"ChatOpenRouter / LangChain floor, {label} <= 1.3",
                f[LC][metric] / lcf[metric],
                1.3,
                True,
            )
        )
        checks.append(
            (
                f"OpenRouter (LlamaIndex) / LlamaIndex floor, {label} <= 1.3",
                f[LI][metric] / lif[metric],
                1.3,
                True,
            )
        )
    checks.append(
        (
            "ChatOpenAI / ChatOpenRouter per invoke >= 2",
            f[OPENAI]["invoke_us"] / f[LC]["invoke_us"],
            2,
            False,
        )
    )
    checks.append(
        (
            "ChatOpenAI / ChatOpenRouter per chunk (2000) >= 4",
            f[OPENAI]["chunk2000_us"] / f[LC]["chunk2000_us"],
            4,
            False,
        )
    )
    if f.get(LC_PEER, {}).get("invoke_us"):
        checks.append(
            (
                "langchain-openrouter / ChatOpenRouter per invoke >= 10",
                f[LC_PEER]["invoke_us"] / f[LC]["invoke_us"],
                10,
                False,
            )
        )
    checks.append(
        (
            "llama-index-llms-openrouter / ours per invoke > 1",
            f[LI_PEER]["invoke_us"] / f[LI]["invoke_us"],
            1,
            False,
        )
    )
    checks.append(
        (
            "llama-index-llms-openrouter / ours per chunk (2000) > 1",
            f[LI_PEER]["chunk2000_us"] / f[LI]["chunk2000_us"],
            1,
            False,
        )
    )
    imp = results["imports_ms"]
    checks.append(
        (
            "import langchain_openrouter adds to langchain-core's (ms) <= 150",
            imp["langchain_openrouter_added"],
            150,
            True,
        )
    )
    checks.append(("capability lookup (us) < 10", results["catalog"]["lookup_us"], 10, True))
    for name in (LC, LI, CORE):
        checks.append(
            (
                f"{name}: per chunk 2000 / per chunk 200 <= 1.2 (linear)",
                f[name]["chunk2000_us"] / f[name]["chunk200_us"],
                1.2,
                True,
            )
        )
    return [
        (label, f"{value:,.2f}", value <= limit if low else value >= limit)
        for label, value, limit, low in checks
    ]


def report(results: dict[str, Any]) -> None:
    f = results["figures"]
    m = results["machine"]
    print(f"\nMachine: {m['cores']} cores, {m['cpu']}, Python {m['python']}, {m['platform']}")
    print(
        f"Timings: best of {results['rounds']} interleaved rounds (medians below the targets)."
        " Peak RSS: one fresh process each.\n"
    )
    rows = {**{k: f[k] for k in (RAW, CORE, LC_FLOOR, LI_FLOOR) if k in f}, **floors(f)}
    rows |= {k: f[k] for k in (LC, LI, *baseline_rows(results), OPENAI, LC_PEER, LI_PEER) if k in f}
    print("\n".join(table(rows)))
    cat = results["catalog"]
    print(
        f"\nCatalog of {cat['models']:.0f} models: cold load {cat['catalog_cold_ms']:.1f} ms "
        f"(loopback network), warm {cat['catalog_warm_ms']:.1f} ms (disk cache); capability "
        f"lookup {cat['lookup_us']:.2f} us; filtered query {cat['query_us']:.1f} us"
    )
    imp = results["imports_ms"]
    print(
        "Import in a fresh interpreter, bytecode compiled (ms, incl. interpreter start "
        + f"{imp['python']:.0f} ms): "
        + ", ".join(
            f"{k} {v:.0f}" for k, v in imp.items() if k != "python" and not k.endswith("_added")
        )
    )
    print(
        f"Added on top of the framework's own import (timed in-process after it, median): "
        f"langchain_openrouter {imp['langchain_openrouter_added']:.0f} ms, "
        f"llama_index_openrouter {imp['llama_index_openrouter_added']:.0f} ms"
    )
    print("\nTargets (best of the rounds):")
    for label, value, ok in targets(results):
        print(f"  [{'met' if ok else 'MISSED'}] {label}: {value}")
    medians = results.get("figures_median")
    if medians:
        # The same ratios from the medians of the rounds: how much the machine's noise moves them.
        print("\nThe same targets from the medians of the rounds:")
        for label, value, ok in targets({**results, "figures": medians}):
            print(f"  [{'met' if ok else 'MISSED'}] {label}: {value}")
    more = results.get("more")
    if more:
        print("\n".join(more_lines(more)))


def more_lines(more: dict[str, Any]) -> list[str]:
    """Concurrency, cold starts, the catalog snapshot and reranking."""
    lines = ["", "Beyond per-call speed:"]
    conc = more.get("concurrency")
    if conc:
        for kind in ("ainvoke", "astream"):
            row = conc[kind]
            lines.append(
                f"  {conc['calls']:,} concurrent {kind} through one shared client: "
                f"{row['wall_s']:.1f} s wall, {row['failed']} failed, "
                f"peak RSS {row['peak_rss_mb']:.0f} MB"
            )
    cold = more.get("cold_start_ms")
    if cold:
        lines.append("  Cold start (fresh process: import + one invoke, median ms):")
        lines += [f"    {name}: {ms:.0f}" for name, ms in cold.items()]
    snap = more.get("snapshot")
    if snap:
        lines.append(
            f"  Bundled catalog snapshot: {snap['bytes'] / 1024:.1f} KiB, {snap['models']:.0f} "
            f"models, read and parsed in {snap['load_parse_ms']:.0f} ms (fresh process, median)"
        )
    rr = more.get("rerank_100_docs")
    if rr:
        lines.append(
            f"  Rerank of 100 documents: compress_documents {rr['compress_documents_us']:.0f} us "
            f"vs raw httpx {rr['raw_httpx_us']:.0f} us per call "
            f"(ratio {rr['compress_documents_us'] / rr['raw_httpx_us']:.2f})"
        )
    return lines
