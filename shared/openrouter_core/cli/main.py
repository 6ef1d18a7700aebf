"""Argument parsing and dispatch for ``orctl``."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

from .._sync.client import OpenRouterClient
from ..errors import ConfigurationError, OpenRouterError
from . import account_commands, catalog_commands, chat_command, rerank_command

Command = Callable[[OpenRouterClient, argparse.Namespace], int]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orctl",
        description="OpenRouter from the command line (key from $OPENROUTER_API_KEY).",
    )
    parser.add_argument(
        "--base-url",
        help="API base URL (default $OPENROUTER_BASE_URL or https://openrouter.ai/api/v1)",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, command: Command, help_text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help_text, description=help_text)
        p.set_defaults(run=command)
        p.add_argument("--json", action="store_true", help="print JSON")
        return p

    models = add("models", catalog_commands.list_models, "list and filter the model catalog")
    models.add_argument(
        "--supports",
        action="append",
        metavar="PARAMS",
        help="supported parameters, comma-separated (tools,structured_outputs)",
    )
    models.add_argument(
        "--input",
        action="append",
        metavar="MODALITIES",
        help="input modalities the model must take (image,file,audio,video)",
    )
    models.add_argument(
        "--output",
        action="append",
        metavar="MODALITIES",
        help="output modalities (text,image,audio,embeddings)",
    )
    models.add_argument("--min-context", type=int, metavar="TOKENS")
    models.add_argument(
        "--max-price",
        type=float,
        metavar="USD",
        help="highest prompt price, USD per million tokens",
    )
    models.add_argument("--author", help="vendor prefix, e.g. anthropic")
    free = models.add_mutually_exclusive_group()
    free.add_argument("--free", action="store_const", const=True, dest="free", default=None)
    free.add_argument("--paid", action="store_const", const=False, dest="free")
    models.add_argument("--sort", choices=["id", "price", "context", "created"], default="id")
    models.add_argument("--desc", action="store_true", help="sort descending")
    models.add_argument("--limit", type=int)

    model = add("model", catalog_commands.show_model, "one model: capabilities and endpoints")
    model.add_argument("model_id")
    add("providers", account_commands.providers, "the providers OpenRouter routes to")
    add("credits", account_commands.credits, "credits bought and used")
    add("key", account_commands.key, "the current key's limits and usage")
    gen = add("generation", account_commands.generation, "a past call's cost, by generation id")
    gen.add_argument("generation_id")

    ranked = add("rerank", rerank_command.rerank, "rank the lines of a file against a query")
    ranked.add_argument("file", help="a text file, one document per line ('-': stdin)")
    ranked.add_argument("-q", "--query", required=True)
    ranked.add_argument("-m", "--model", default="cohere/rerank-v3.5")
    ranked.add_argument("--top", type=int, metavar="N", help="keep the N best lines")

    chat = sub.add_parser("chat", help="one streamed answer, with fallbacks")
    chat.set_defaults(run=chat_command.chat)
    chat.add_argument("prompt")
    chat.add_argument("-m", "--model", default="openai/gpt-4o-mini")
    chat.add_argument(
        "--fallback",
        action="append",
        metavar="MODEL",
        help="a model to try next if the previous one fails (repeatable)",
    )
    chat.add_argument(
        "--auto", action="store_true", help="add capable substitutes from the catalog to the route"
    )
    chat.add_argument("--system", help="a system message")
    chat.add_argument("--max-tokens", type=int)
    chat.add_argument("--temperature", type=float)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        with OpenRouterClient(base_url=args.base_url, app_title="orctl") as client:
            code: int = args.run(client, args)
            return code
    except ConfigurationError as exc:
        print(f"orctl: {exc}", file=sys.stderr)
        return 2
    except OpenRouterError as exc:
        print(f"orctl: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
