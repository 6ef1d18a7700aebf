"""``orctl models`` and ``orctl model ID``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._sync.client import OpenRouterClient
from ..types.catalog import ModelInfo
from .output import per_million, print_fields, print_json, print_table


def _split(values: list[str] | None) -> list[str]:
    return [v.strip() for item in values or () for v in item.split(",") if v.strip()]


def _summary(m: ModelInfo) -> dict[str, Any]:
    return {
        "id": m.id,
        "name": m.name,
        "context_length": m.context_window,
        "max_completion_tokens": m.max_completion_tokens,
        "prompt_price_per_million": None if m.prompt_price is None else m.prompt_price * 1e6,
        "completion_price_per_million": (
            None if m.completion_price is None else m.completion_price * 1e6
        ),
        "input_modalities": sorted(m.input_modalities),
        "output_modalities": sorted(m.output_modalities),
        "supported_parameters": sorted(m.parameters),
    }


def list_models(client: OpenRouterClient, args: argparse.Namespace) -> int:
    catalog = client.catalog.ensure()
    supports = _split(args.supports)
    known = sorted({p for m in catalog for p in m.parameters})
    unknown = [name for name in supports if name not in known]
    if unknown:
        print(
            f"orctl: --supports {', '.join(unknown)}: no model of the catalog lists "
            f"{'it' if len(unknown) == 1 else 'them'}. Valid names: {', '.join(known)}.",
            file=sys.stderr,
        )
        return 2
    per_token = None if args.max_price is None else args.max_price / 1e6
    found = catalog.query(
        supports=supports,
        input_modalities=_split(args.input),
        output_modalities=_split(args.output),
        min_context=args.min_context,
        max_prompt_price=per_token,
        author=args.author,
        free=args.free,
        sort=args.sort,
        descending=args.desc,
        limit=args.limit,
    )
    if args.json:
        print_json([_summary(m) for m in found])
        return 0
    rows = [
        [
            m.id,
            f"{m.context_window or 0:,}",
            per_million(m.prompt_price),
            per_million(m.completion_price),
            ",".join(sorted(m.input_modalities)),
            "yes" if m.supports_tools else "",
            "yes" if m.supports_structured_outputs else "",
        ]
        for m in found
    ]
    print_table(["model", "context", "in $/M", "out $/M", "inputs", "tools", "schema"], rows)
    print(f"{len(found)} of {len(catalog)} models")
    return 0


def show_model(client: OpenRouterClient, args: argparse.Namespace) -> int:
    info = client.catalog.ensure().get(args.model_id)  # unknown ids: closest ids in the error
    endpoints = client.list_model_endpoints(info.id).endpoints
    if args.json:
        print_json(
            {**_summary(info), "endpoints": [e.model_dump(exclude_none=True) for e in endpoints]}
        )
        return 0
    print_fields(
        [
            ("id", info.id),
            ("name", info.name),
            ("context", f"{info.context_window or 0:,} tokens"),
            ("max output", info.max_completion_tokens),
            (
                "price in / out",
                f"{per_million(info.prompt_price)} / "
                f"{per_million(info.completion_price)} per million tokens",
            ),
            ("inputs", ", ".join(sorted(info.input_modalities))),
            ("outputs", ", ".join(sorted(info.output_modalities))),
            ("tools", info.supports_tools),
            ("structured outputs", info.supports_structured_outputs),
            ("reasoning", info.supports_reasoning),
            ("parameters", ", ".join(sorted(info.parameters))),
        ]
    )
    print()
    rows = [
        [
            e.provider_name or "-",
            e.tag or "-",
            f"{e.context_length or 0:,}",
            str(e.max_completion_tokens or "-"),
            e.quantization or "-",
        ]
        for e in endpoints
    ]
    print_table(["provider", "tag", "context", "max output", "quantization"], rows)
    return 0
