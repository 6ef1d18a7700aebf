"""``python -m demo`` (``make demo``).

Without ``OPENROUTER_API_KEY`` it replays the recorded session in ``cassettes/demo/``
(no network); with the key it talks to openrouter.ai. ``--record`` re-records the
session live (needs the key); ``--record-emulated`` re-authors it against the loopback
emulator in ``tests/emulator`` (how the committed cassette was made).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from demo.display import bold, dim, say
from demo.scenes import PRIMARY, Connection, agent_scene, catalog_scene, rag_scene

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT / "cassettes"
SESSION = "demo/session"
REPLAY_KEY = "demo-replay-key"


def _mode(args: argparse.Namespace, key: str) -> str:
    if args.record_emulated:
        return "record-emulated"
    if args.record:
        if not key:
            sys.exit("--record needs OPENROUTER_API_KEY (it re-records the session live).")
        return "record"
    return "live" if key and not args.replay else "replay"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo", description=__doc__.split("\n")[0])
    group = parser.add_mutually_exclusive_group()
    group.add_argument("--replay", action="store_true", help="replay even if a key is set")
    group.add_argument("--record", action="store_true", help="re-record cassettes/demo live")
    group.add_argument(
        "--record-emulated", action="store_true", help="re-author cassettes/demo on the emulator"
    )
    args = parser.parse_args(argv)
    key = os.environ.get("OPENROUTER_API_KEY", "")
    mode = _mode(args, key)

    with ExitStack() as stack:
        conn = Connection(api_key=key or REPLAY_KEY, base_url=None)
        if mode != "live":
            # A private catalog cache, so the catalog request is part of the session.
            cache = stack.enter_context(tempfile.TemporaryDirectory())
            os.environ["OPENROUTER_CATALOG_CACHE_DIR"] = cache
        if mode == "record-emulated":
            from tests.emulator import Emulator

            emulator = Emulator()
            conn.base_url = emulator.start()
            stack.callback(emulator.stop)
            conn.api_key = "test-key-not-a-secret"
            conn.on_first_tool = lambda: emulator.fail_model(PRIMARY, "rate_limit", times=1)
        if mode != "live":
            from openrouter_core.testing.cassettes import use_cassette

            stack.enter_context(
                use_cassette(
                    SESSION,
                    cassette_dir=CASSETTES,
                    record_mode="none" if mode == "replay" else "all",
                    rewrite_from=conn.base_url,
                )
            )
        say(bold("openrouter-integrations demo"))
        if mode == "replay":
            say(
                "OFFLINE REPLAY: no OPENROUTER_API_KEY is set, so this replays the recorded "
                "session in cassettes/demo/ (authored against the local emulator, not "
                "openrouter.ai; see cassettes/README.md). No network is used. Set "
                "OPENROUTER_API_KEY to run it live."
            )
        elif mode == "live":
            say("LIVE: OPENROUTER_API_KEY is set; talking to openrouter.ai (costs a few cents).")
        else:
            say(f"RECORDING ({mode}) into cassettes/{SESSION}.yaml")
        catalog_scene(conn)
        agent_scene(conn, live=mode in ("live", "record"))
        rag_scene(conn)
        say()
        say(bold(f"Total: {len(conn.costs)} model calls, ${sum(conn.costs):.6f}"))
        if mode == "replay":
            say(dim("(costs above are the recorded usage accounting, not charged now)"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
