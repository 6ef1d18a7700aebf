"""The loopback OpenRouter emulator: :class:`Emulator`, its routes and bookkeeping.

``Emulator().start()`` serves on an ephemeral ``127.0.0.1`` port from its own event
loop in a daemon thread and returns the base URL (``http://127.0.0.1:PORT/api/v1``).
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import re
import threading
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Callable
from typing import Any

from . import anthropic, chat, endpoints, responses
from .brain import PromptCache, alnum
from .catalog import Catalog
from .faults import Fault, dumps, error_payload, parse_faults
from .protocol import RecordedRequest, Request, Response, serve_connection

__all__ = ["API_PREFIX", "Emulator"]

API_PREFIX = "/api/v1"
_MODEL_ENDPOINTS = re.compile(r"^/models/[^/]+/.+/endpoints$")
_MAX_GENERATIONS = 20000

Route = Callable[["Emulator", Request, list[Fault]], Response]

#: (method, path) -> handler. Chat, ``/messages`` and ``/responses`` apply faults
#: (``X-Emulator-Fault``, :meth:`Emulator.fail_model`) themselves; the others ignore them.
_ROUTES: dict[tuple[str, str], Route] = {
    ("POST", "/chat/completions"): chat.handle,
    ("POST", "/messages"): anthropic.handle,
    ("POST", "/responses"): responses.handle,
    ("POST", "/rerank"): endpoints.rerank,
    ("GET", "/models"): endpoints.list_models,
    ("GET", "/models/count"): endpoints.count_models,
    ("GET", "/models/user"): endpoints.user_models,
    ("GET", "/embeddings/models"): endpoints.embedding_models,
    ("GET", "/providers"): endpoints.providers,
    ("GET", "/endpoints/zdr"): endpoints.zdr_endpoints,
    ("GET", "/credits"): endpoints.credits,
    ("GET", "/key"): endpoints.key,
    ("GET", "/generation"): endpoints.generation,
    ("POST", "/credits/coinbase"): endpoints.coinbase,
    ("POST", "/embeddings"): endpoints.embeddings,
    ("POST", "/images"): endpoints.images,
    ("POST", "/audio/speech"): endpoints.speech,
    ("POST", "/audio/transcriptions"): endpoints.transcription,
}


class Emulator:
    """An OpenRouter-shaped HTTP server on loopback.

    Args:
        record_requests: keep every request in :attr:`requests` (off for load tests).
        clock: the time source for ``created`` and generation ids.
    """

    embedding_dims = 256

    def __init__(
        self, *, record_requests: bool = True, clock: Callable[[], float] = time.time
    ) -> None:
        self.catalog = Catalog()
        self.host, self.port = "127.0.0.1", 0
        self.record_requests = record_requests
        self.clock = clock
        #: Every request received, in order (when ``record_requests``).
        self.requests: list[RecordedRequest] = []
        #: Attempts per requested model id (fallback attempts included).
        self.calls_by_model: Counter[str] = Counter()
        #: Generation id -> what ``GET /generation`` reports (built on first look-up).
        self.generations: OrderedDict[str, Any] = OrderedDict()
        self.total_usage = 0.0
        self.prompt_cache = PromptCache()
        self._model_faults: dict[str, deque[list[Any]]] = {}
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
        ready = threading.Event()

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            self._loop = loop
            loop.run_until_complete(self._listen())
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=run, name="openrouter-emulator", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("the emulator did not start listening")
        return self.base_url

    def stop(self) -> None:
        """Stop serving and close every connection."""
        if self._loop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(10)
        self._loop = self._thread = None

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

    # -- faults and bookkeeping ------------------------------------------------------------
    def fail_model(self, model: str, fault: str, times: int | None = 1) -> None:
        """Make the next ``times`` requests for ``model`` fail with ``fault`` (None:
        always). With ``models: [...]`` a model failing before any output is skipped."""
        parsed = parse_faults(fault)
        with self._lock:
            self._model_faults.setdefault(model, deque()).append([parsed, times])

    def clear_faults(self) -> None:
        with self._lock:
            self._model_faults.clear()

    def take_model_fault(self, *names: str) -> list[Fault]:
        """Use up one queued fault of the first of ``names`` that has one."""
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

    def new_generation_id(self, now: float) -> str:
        return f"gen-{int(now)}-{alnum(20, 'generation', next(self._ids))}"

    def record_generation(
        self,
        gen_id: str,
        cost: float,
        details: Callable[[], dict[str, Any]] | None = None,
    ) -> None:
        """Count a call's cost; ``details`` (built lazily) answer ``GET /generation``."""
        self.total_usage += cost
        if details is not None:
            self.generations[gen_id] = details
            while len(self.generations) > _MAX_GENERATIONS:
                self.generations.popitem(last=False)

    # -- dispatch --------------------------------------------------------------------------
    def handle(self, req: Request) -> Response:
        if self.record_requests:
            self.requests.append(
                RecordedRequest(req.method, req.target, dict(req.headers), req.json)
            )
        path = req.path.removeprefix(API_PREFIX).rstrip("/") or "/"
        route = _ROUTES.get((req.method, path))
        if route is None and req.method == "GET" and _MODEL_ENDPOINTS.match(path):
            route = endpoints.model_endpoints
        if route is None or not req.path.startswith(API_PREFIX):
            return Response(404, dumps(error_payload(404, f"Not Found: {req.path}")))
        try:
            faults = parse_faults(req.headers.get("x-emulator-fault"))
        except ValueError as exc:
            return Response(400, dumps(error_payload(400, str(exc))))
        return route(self, req, faults)
