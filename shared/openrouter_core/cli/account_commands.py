"""``orctl providers``, ``credits``, ``key`` and ``generation ID``."""

from __future__ import annotations

import argparse

from .._sync.client import OpenRouterClient
from .output import money, print_fields, print_json, print_table


def providers(client: OpenRouterClient, args: argparse.Namespace) -> int:
    found = client.list_providers()
    if args.json:
        print_json([p.model_dump(exclude_none=True) for p in found])
        return 0
    rows = [[p.slug or "-", p.name or "-", p.headquarters or "-"] for p in found]
    print_table(["slug", "name", "headquarters"], rows)
    return 0


def credits(client: OpenRouterClient, args: argparse.Namespace) -> int:
    info = client.get_credits()
    if args.json:
        print_json(info.model_dump())
        return 0
    print_fields(
        [
            ("bought", money(info.total_credits)),
            ("used", money(info.total_usage)),
            ("left", money(info.total_credits - info.total_usage)),
        ]
    )
    return 0


def key(client: OpenRouterClient, args: argparse.Namespace) -> int:
    info = client.get_key()  # describes the key; never prints it
    if args.json:
        print_json(info.model_dump(exclude_none=True))
        return 0
    print_fields(
        [
            ("label", info.label),
            ("limit", money(info.limit) if info.limit is not None else "none"),
            ("limit left", money(info.limit_remaining)),
            ("limit resets", info.limit_reset),
            (
                "usage (total / month / week / day)",
                " / ".join(
                    money(v)
                    for v in (info.usage, info.usage_monthly, info.usage_weekly, info.usage_daily)
                ),
            ),
            ("free tier", info.is_free_tier),
            ("expires", info.expires_at),
        ]
    )
    return 0


def generation(client: OpenRouterClient, args: argparse.Namespace) -> int:
    info = client.get_generation(args.generation_id)
    if args.json:
        print_json(info.model_dump(exclude_none=True))
        return 0
    print_fields(
        [
            ("id", info.id),
            ("model", info.model),
            ("provider", info.provider_name),
            ("cost", money(info.total_cost)),
            ("tokens in / out", f"{info.tokens_prompt} / {info.tokens_completion}"),
            ("latency", None if info.latency is None else f"{info.latency} ms"),
            ("finish reason", info.finish_reason),
            ("created", info.created_at),
        ]
    )
    return 0
