"""The loopback OpenRouter emulator: :class:`Emulator` and its request dispatch.

``Emulator().start()`` serves on an ephemeral ``127.0.0.1`` port from its own event
loop in a daemon thread and returns the base URL (``http://127.0.0.1:PORT/api/v1``).
``python -m tests.emulator --port N`` serves in the foreground (for benchmarks that
need the server in another process).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from . import anthropic, chat, endpoints, responses
from .brain import PromptCache, alnum
from .catalog import Catalog, Model, clone_to_size, load_models
from .faults import Fault, dumps, error_payload, parse_faults, pre_response, transport_faults
from .protocol import RecordedRequest, Request, Response, serve_connection

__all__ = ["API_PREFIX", "Emulator"]

API_PREFIX = "/api/v1"
_ENDPOINTS_PATH = re.compile(r"^/models/([^/]+)/(.+)/endpoints$")
_MAX_GENERATIONS = 20000

Route = Callable[["Emulator", Request, list[Fault]], Response]


@dataclass(frozen=True)
class _RouteInfo:
    handler: Route
    auth: bool = True
    #: The handler applies faults itself (chat, messages); else the generic wrapper does.
    own_faults: bool = False


_ROUTES: dict[tuple[str, str], _RouteInfo] = {
    ("POST", "/chat/completions"): _RouteInfo(chat.handle, own_faults=True),
    ("POST", "/messages"): _RouteInfo(anthropic.handle, own_faults=True),
    ("POST", "/responses"): _RouteInfo(responses.handle, own_faults=True),
    ("POST", "/rerank"): _RouteInfo(endpoints.rerank),
    ("GET", "/models"): _RouteInfo(endpoints.list_models, auth=False),
    ("GET", "/models/count"): _RouteInfo(endpoints.count_models, auth=False),
    ("GET", "/models/user"): _RouteInfo(endpoints.user_models),
    ("GET", "/embeddings/models"): _RouteInfo(endpoints.embedding_models, auth=False),
    ("GET", "/providers"): _RouteInfo(endpoints.providers, auth=False),
    ("GET", "/endpoints/zdr"): _RouteInfo(endpoints.zdr_endpoints, auth=False),
    ("GET", "/credits"): _RouteInfo(endpoints.credits),
    ("GET", "/key"): _RouteInfo(endpoints.key),
    ("GET", "/generation"): _RouteInfo(endpoints.generation),
    ("POST", "/credits/coinbase"): _RouteInfo(endpoints.coinbase, auth=False),
    ("POST", "/embeddings"): _RouteInfo(endpoints.embeddings),
    ("POST", "/images"): _RouteInfo(endpoints.images),
    ("POST", "/audio/speech"): _RouteInfo(endpoints.speech),
    ("POST", "/audio/transcriptions"): _RouteInfo(endpoints.transcription),
}
_MODEL_ENDPOINTS = _RouteInfo(endpoints.model_endpoints, auth=False)


class Emulator:
    """An OpenRouter-shaped HTTP server on loopback.

    Args:
        catalog: model dicts, or a path to a ``{"data": [...]}`` JSON file; default
            ``tests/data/models.json`` in this repository.
        catalog_size: serve exactly this many models (cloning real entries under new ids).
        host, port: where to listen (port 0: an ephemeral port).
        record_requests: keep every request in :attr:`requests` (off for benchmarks).
        require_auth: answer 401 to authenticated endpoints without a bearer token.
        embedding_dims: vector size for ``POST /embeddings`` without ``dimensions``.
        processing_comments: ``: OPENROUTER PROCESSING`` lines opening each stream.
        clock: the time source for ``created`` and generation ids.
    """

    def __init__(
        self,
        catalog: Iterable[Model] | str | Path | None = None,
        *,
        catalog_size: int | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        record_requests: bool = True,
        require_auth: bool = True,
        embedding_dims: int = 256,
        processing_comments: int = 2,
        clock: Callable[[], float] = time.time,
    ) -> None:
        models = load_models(catalog)
        if catalog_size is not None:
            models = clone_to_size(models, catalog_size)
        self.catalog = Catalog(models)
        self.host = host
        self.port = port
        self.record_requests = record_requests
        self.require_auth = require_auth
        self.embedding_dims = embedding_dims
        self.processing_comments = processing_comments
        self.clock = clock
        #: Every request received, in order (when ``record_requests``).
        self.requests: list[RecordedRequest] = []
        #: Chat/messages attempts per requested model id (fallback attempts included).
        self.calls_by_model: Counter[str] = Counter()
        self.generations: OrderedDict[str, Any] = OrderedDict()
        self.total_usage = 0.0
        self.prompt_cache = PromptCache()
        self._model_faults: dict[str, deque[list[Any]]] = {}
        self._next_faults: list[list[Any]] = []
        self._lock = threading.Lock()
        self._ids = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}{API_PREFIX}"

    def start(self) -> str:
        """Serve from a daemon thread; return the base URL once listening."""
        if self._thread is not None:
            return self.base_url
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            try:
                loop.run_until_complete(self._listen())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="openrouter-emulator", daemon=True)
        self._thread.start()
        ready.wait(10)
        if failure:
            self._thread = None
            raise RuntimeError("emulator failed to start") from failure[0]
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close every connection."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None
        self._loop = None

    def __enter__(self) -> Emulator:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    async def serve_forever(self) -> None:
        """Serve from the running event loop until cancelled (the CLI uses this)."""
        await self._listen()
        assert self._server is not None
        try:
            await self._server.serve_forever()
        finally:
            await self._shutdown()

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._connection, self.host, self.port, backlog=2048, limit=1 << 20
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        with contextlib.suppress(asyncio.CancelledError):
            await serve_connection(self.handle, reader, writer, self._writers.discard)

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in list(self._writers):
            writer.transport.abort()
        current = asyncio.current_task()
        tasks = [t for t in asyncio.all_tasks() if t is not current]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._server = None

    # -- faults and bookkeeping ---------------------------------------------------------------
    def fail_model(self, model: str, fault: str, times: int | None = 1) -> None:
        """Make requests for ``model`` fail with ``fault`` the next ``times`` times (None: always).

        Queued faults for one model apply in order. With ``models: [...]`` fallback a model
        failing before any content (error statuses, resets) is skipped for the next one.
        """
        parsed = parse_faults(fault)
        with self._lock:
            self._model_faults.setdefault(model, deque()).append([parsed, times])

    def fail_next(self, fault: str, times: int | None = 1, *, path: str | None = None) -> None:
        """Fail the next ``times`` requests (to ``path``, e.g. ``"/models"``) with ``fault``."""
        parsed = parse_faults(fault)
        if path is not None:
            path = "/" + path.removeprefix(API_PREFIX).strip("/")
        with self._lock:
            self._next_faults.append([parsed, times, path])

    def clear_faults(self) -> None:
        with self._lock:
            self._model_faults.clear()
            self._next_faults.clear()

    def reset(self) -> None:
        """Forget requests, counters, faults, generations, usage and the prompt cache."""
        self.clear_faults()
        self.requests.clear()
        self.calls_by_model.clear()
        self.generations.clear()
        self.total_usage = 0.0
        self.prompt_cache = PromptCache()

    def take_model_fault(self, *names: str) -> list[Fault]:
        """Consume one queued fault for the first of ``names`` that has one."""
        with self._lock:
            for name in names:
                queue = self._model_faults.get(name)
                if queue:
                    entry = queue[0]
                    if entry[1] is not None:
                        entry[1] -= 1
                        if entry[1] <= 0:
                            queue.popleft()
                    return list(entry[0])
        return []

    def _take_next(self, path: str) -> list[Fault]:
        if not self._next_faults:
            return []
        with self._lock:
            for entry in self._next_faults:
                if entry[2] is None or entry[2] == path:
                    if entry[1] is not None:
                        entry[1] -= 1
                        if entry[1] <= 0:
                            self._next_faults.remove(entry)
                    return list(entry[0])
        return []

    def new_generation_id(self, now: float) -> str:
        return f"gen-{int(now)}-{alnum(20, 'generation', next(self._ids))}"

    def record_generation(
        self, gen_id: str, cost: float, data: dict[str, Any] | Callable[[], dict[str, Any]]
    ) -> None:
        """Remember a generation for ``GET /generation`` (``data`` may be built lazily)."""
        self.total_usage += cost
        self.generations[gen_id] = data
        while len(self.generations) > _MAX_GENERATIONS:
            self.generations.popitem(last=False)

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        path = req.path
        if self.record_requests:
            self.requests.append(
                RecordedRequest(req.method, req.target, dict(req.headers), req.json)
            )
        if not path.startswith(API_PREFIX):
            return _error(404, f"Not Found: {path}")
        path = path[len(API_PREFIX) :].rstrip("/") or "/"
        if req.method == "OPTIONS":
            allow = "authorization, content-type, http-referer, x-title, x-openrouter-title"
            return Response(204, b"", "", headers=[("access-control-allow-headers", allow)])
        method = "GET" if req.method == "HEAD" else req.method
        route = _ROUTES.get((method, path))
        if route is None and method == "GET" and _ENDPOINTS_PATH.match(path):
            route = _MODEL_ENDPOINTS
        if route is None:
            if any(p == path for _, p in _ROUTES):
                return _error(405, f"Method {req.method} not allowed on {path}")
            return _error(404, f"Not Found: {path}")
        try:
            faults = parse_faults(req.headers.get("x-emulator-fault")) + self._take_next(path)
        except ValueError as exc:
            return _error(400, str(exc))
        if (
            route.auth
            and self.require_auth
            and not _has_bearer(req.headers.get("authorization", ""))
        ):
            return _error(401, "No auth credentials found")
        if (
            method == "POST"
            and not req.json_ok
            and not req.headers.get("content-type", "").startswith("multipart/")
        ):
            return _error(400, "Invalid JSON in request body")
        if route.own_faults:
            return route.handler(self, req, faults)
        if faults:
            body = req.json if isinstance(req.json, dict) else {}
            model = str(body.get("model") or "")
            early = pre_response(
                faults, model=model, provider="OpenAI", stream=False, mid_stream_handled=False
            )
            if early is not None:
                return transport_faults(faults, early)
        return transport_faults(faults, route.handler(self, req, faults))


def _has_bearer(value: str) -> bool:
    scheme, _, token = value.partition(" ")
    return scheme.lower() == "bearer" and bool(token.strip())


def _error(code: int, message: str, metadata: dict[str, Any] | None = None) -> Response:
    return Response(code, dumps(error_payload(code, message, metadata)))
