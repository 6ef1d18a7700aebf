"""``orctl rerank FILE --query Q``: the lines of a file ranked against a query."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .._sync.client import OpenRouterClient
from .output import money, print_json, print_table


def rerank(client: OpenRouterClient, args: argparse.Namespace) -> int:
    source = sys.stdin if args.file == "-" else Path(args.file).open(encoding="utf-8")  # noqa: SIM115
    with source:
        lines = [line.strip() for line in source if line.strip()]
    if not lines:
        print("orctl: nothing to rank: the file has no non-empty line", file=sys.stderr)
        return 2
    request: dict[str, object] = {"model": args.model, "query": args.query, "documents": lines}
    if args.top is not None:
        request["top_n"] = args.top
    result = client.rerank(request)
    ranked = [(item.index, item.relevance_score) for item in result.ranked()]
    if args.json:
        print_json(
            [
                {"rank": rank, "index": index, "score": score, "text": lines[index]}
                for rank, (index, score) in enumerate(ranked, 1)
                if index is not None
            ]
        )
        return 0
    rows = [
        [str(rank), f"{score:.4f}" if score is not None else "-", lines[index]]
        for rank, (index, score) in enumerate(ranked, 1)
        if index is not None
    ]
    print_table(["rank", "score", "line"], rows)
    print(f"  {result.model or args.model}, cost {money(result.cost)}", file=sys.stderr)
    return 0
