"""Every Python example of README.md, docs/*.md and the public classes' docstrings runs
as written, against the loopback emulator.

One test per source: its blocks run in order in one namespace (top-level ``await``
included), in a temporary working directory, with ``OPENROUTER_BASE_URL`` pointing at
the emulator, a fake key and a catalog cache of its own. Sockets may only reach
loopback: an example that would touch the network fails. Markers and skips are
described in ``tests/docs/examples.py``.
"""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import ipaddress
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.docs.examples import Block, ExampleError, docstring_blocks, markdown_blocks, run_blocks

ROOT = Path(__file__).resolve().parents[2]
FAKE_KEY = "sk-or-v1-docs-example-not-a-secret"
#: The public modules and classes whose docstring examples run.
DOCSTRINGS = (
    "llama_index_openrouter",
    "langchain_openrouter:ChatOpenRouter",
    "langchain_openrouter:OpenRouterEmbeddings",
    "langchain_openrouter:OpenRouterRerank",
    "llama_index_openrouter:OpenRouter",
    "llama_index_openrouter:OpenRouterEmbedding",
    "llama_index_openrouter:OpenRouterRerank",
)
#: Environment a reader's shell might hold that would change where requests go.
_CLEARED_ENV = (
    "OPENROUTER_API_BASE",
    "OPENROUTER_CATALOG_URL",
    "OPENROUTER_SESSION_ID",
    "OPENROUTER_APP_URL",
    "OPENROUTER_APP_TITLE",
    "LANGSMITH_TRACING",
    "LANGCHAIN_TRACING_V2",
    "LANGSMITH_API_KEY",
    "LANGCHAIN_API_KEY",
)


def _markdown_sources() -> list[str]:
    return ["README.md", *(f"docs/{p.name}" for p in sorted((ROOT / "docs").glob("*.md")))]


def _sources() -> list[Any]:
    """Every source; those starting a local Ray cluster (tens of seconds) marked ``ray``."""
    marked = []
    for source in [*_markdown_sources(), *DOCSTRINGS]:
        text = (ROOT / source).read_text(encoding="utf-8") if source.endswith(".md") else ""
        slow = "ray.init(" in text
        marked.append(pytest.param(source, marks=pytest.mark.ray) if slow else source)
    return marked


def _load(source: str) -> list[Block]:
    if source.endswith(".md"):
        return markdown_blocks(ROOT / source, source)
    module_name, _, qualname = source.partition(":")
    module = importlib.import_module(module_name)
    return docstring_blocks(getattr(module, qualname) if qualname else module, source)


@pytest.fixture(scope="module")
def emulator_url() -> Iterator[str]:
    from tests.emulator import Emulator

    emu = Emulator(record_requests=False)
    try:
        yield emu.start()
    finally:
        emu.stop()


def _is_loopback(host: Any) -> bool:
    if not isinstance(host, str):
        return False
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@pytest.fixture
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse (and record) every connection and name lookup beyond loopback."""
    attempts: list[str] = []
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def refuse(host: Any) -> OSError:
        attempts.append(str(host))
        return ConnectionRefusedError(f"a docs example tried to reach {host!r} (not loopback)")

    def guarded(real: Callable[..., Any]) -> Callable[..., Any]:
        def connect(self: socket.socket, address: Any, *args: Any) -> Any:
            # TCP only: a UDP "connect" sends nothing (some libraries use one to learn
            # their own address).
            tcp = self.family in (socket.AF_INET, socket.AF_INET6) and (
                self.type == socket.SOCK_STREAM
            )
            if tcp and not _is_loopback(address[0]):
                raise refuse(address[0])
            return real(self, address, *args)

        return connect

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if host is not None and not _is_loopback(
            host.decode() if isinstance(host, bytes) else host
        ):
            raise refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", guarded(real_connect))
    monkeypatch.setattr(socket.socket, "connect_ex", guarded(real_connect_ex))
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return attempts


@pytest.fixture
def reader_environment(
    emulator_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """What a reader has set up: a key, the API base (here: the emulator), a working
    directory of their own; LlamaIndex's global ``Settings`` restored afterwards."""
    for name in _CLEARED_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    monkeypatch.setenv("OPENROUTER_BASE_URL", emulator_url)
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path / "catalog-cache"))
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    from llama_index.core import Settings

    saved = dict(vars(Settings))
    try:
        yield
    finally:
        vars(Settings).clear()
        vars(Settings).update(saved)
        ray = sys.modules.get("ray")
        if ray is not None and ray.is_initialized():
            ray.shutdown()


def _quiet_local_ray(monkeypatch: pytest.MonkeyPatch) -> None:
    """A local cluster started by an example: no dashboard, workers at normal priority
    (Ray renices them, which starves them on a busy machine), no usage report."""
    import ray

    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    monkeypatch.setenv("RAY_worker_niceness", "0")
    init = ray.init

    def quiet_init(*args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("include_dashboard", False)
        kwargs.setdefault("log_to_driver", False)
        return init(*args, **kwargs)

    monkeypatch.setattr(ray, "init", quiet_init)


def _uses(blocks: list[Block], module: str) -> bool:
    return any(f"import {module}" in b.code or f"from {module}" in b.code for b in blocks)


@pytest.mark.parametrize("source", _sources())
def test_examples_run_as_written(
    source: str, reader_environment: None, loopback_only: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    blocks = _load(source)
    if _uses(blocks, "ray") and importlib.util.find_spec("ray") is not None:
        _quiet_local_ray(monkeypatch)
    assert blocks or source in ("docs/migration.md",), f"{source}: no Python example found"
    namespace: dict[str, Any] = {"__name__": "__docs__"}
    loop = asyncio.new_event_loop()
    failure: ExampleError | None = None
    try:
        outcome = run_blocks(blocks, namespace, loop)
    except ExampleError as error:
        failure = error
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
    if failure is not None:
        pytest.fail(failure.report(), pytrace=False)
    assert not loopback_only, f"{source}: examples tried to reach {loopback_only}"
    reason = outcome.skip_reason()
    if reason is not None:
        pytest.skip(f"{source}: {reason}")


def test_the_guard_refuses_everything_beyond_loopback(loopback_only: list[str]) -> None:
    with pytest.raises(OSError):
        socket.getaddrinfo("example.com", 443)
    with socket.socket() as sock, pytest.raises(OSError):
        sock.connect(("192.0.2.1", 80))  # TEST-NET-1: refused before any packet
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
        udp.connect(("192.0.2.1", 80))  # sends nothing: allowed
    assert socket.getaddrinfo("127.0.0.1", 80)
    assert loopback_only == ["example.com", "192.0.2.1"]
