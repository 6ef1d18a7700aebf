"""``python -m tests.emulator [--port N] [--host H] [--catalog PATH] [--catalog-size N]``.

Serves in the foreground (Ctrl-C stops it) and prints the base URL on the first line,
so a benchmark can start it in another process and read where to connect.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from .server import Emulator


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument(
        "--catalog", default=None, help="models JSON (default tests/data/models.json)"
    )
    parser.add_argument("--catalog-size", type=int, default=None)
    parser.add_argument("--record-requests", action="store_true", help="keep requests in memory")
    parser.add_argument("--no-auth", action="store_true", help="do not require a bearer token")
    parser.add_argument("--uvloop", action="store_true", help="use uvloop when it is installed")
    args = parser.parse_args(argv)
    emulator = Emulator(
        args.catalog,
        catalog_size=args.catalog_size,
        host=args.host,
        port=args.port,
        record_requests=args.record_requests,
        require_auth=not args.no_auth,
    )

    async def serve() -> None:
        task = asyncio.ensure_future(emulator.serve_forever())
        while emulator._server is None and not task.done():
            await asyncio.sleep(0.005)
        print(emulator.base_url, flush=True)
        await task

    if args.uvloop:
        with contextlib.suppress(ImportError):
            import uvloop  # type: ignore[import-not-found]

            uvloop.install()
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
