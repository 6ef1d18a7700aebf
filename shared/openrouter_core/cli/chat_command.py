"""``orctl chat PROMPT``: one streamed answer along a fallback route."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from .._sync.client import OpenRouterClient
from .output import money


def chat(client: OpenRouterClient, args: argparse.Namespace) -> int:
    messages: list[dict[str, Any]] = []
    if args.system:
        messages.append({"role": "system", "content": args.system})
    messages.append({"role": "user", "content": args.prompt})
    request: dict[str, Any] = {"model": args.model, "messages": messages}
    if args.max_tokens is not None:
        request["max_tokens"] = args.max_tokens
    if args.temperature is not None:
        request["temperature"] = args.temperature
    stream = client.chat_stream(
        request, fallback_models=args.fallback or (), fallback="auto" if args.auto else None
    )
    for chunk in stream:
        if chunk.content:
            sys.stdout.write(chunk.content)
            sys.stdout.flush()
    sys.stdout.write("\n")
    result = stream.result()
    for attempt in result.attempts:
        print(f"  {attempt.describe()}", file=sys.stderr)
    if result.generation_id:
        print(f"  generation {result.generation_id}", file=sys.stderr)
    usage = result.usage
    if usage is not None:
        print(
            f"  {usage.prompt_tokens} in / {usage.completion_tokens} out tokens, "
            f"cost {money(usage.cost)}",
            file=sys.stderr,
        )
    return 0
