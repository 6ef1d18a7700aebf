"""Replay real recorded OpenRouter traffic to the clients, without any network.

Two sources live under ``data/`` (see ``data/NOTICE.md`` for where they come from):

* ``data/recordings/*.yaml``: vcrpy cassettes of ``/chat/completions`` traffic. A JSON
  reply is stored decoded under ``response.parsed_body``; a streamed reply is stored
  as the raw event-stream text under ``response.body.string``.
* ``data/recordings-ai-sdk/<id>/``: one interaction per folder (``/responses`` and
  ``/embeddings``): ``request.json``, ``response.meta.json`` (status, headers,
  ``is_sse``) and either ``response.json`` (the raw body text) or ``response.jsonl``
  (the event stream as recorded item by item, see :func:`rebuild_sse`).

:class:`Replayer` answers ``httpx`` requests from a list of :class:`Interaction`\\ s,
matching on method and path only, in recorded order. Use it as an
``httpx.MockTransport`` handler for a client you build yourself
(:meth:`Replayer.transport`, :meth:`Replayer.async_transport`), or patch every httpx
transport of the process for the duration of a test (:meth:`Replayer.patch_httpx`),
which is how the framework adapters (whose clients come from a process-wide pool)
are reached.

Replayed headers leave out what described the recorded *transfer* rather than the body:
``content-encoding`` (bodies are stored decoded; the AI SDK recordings say ``gzip``
while holding plain text), ``content-length`` (re-serialised JSON differs in length),
``transfer-encoding`` and ``connection``.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import yaml

__all__ = [
    "AI_SDK_DIR",
    "CASSETTE_DIR",
    "DATA_DIR",
    "Interaction",
    "Replayer",
    "SSEBuild",
    "UnexpectedRequest",
    "ai_sdk_folders",
    "cassette_names",
    "load_ai_sdk_recording",
    "load_cassette",
    "load_responses_recording",
    "rebuild_sse",
    "sse_comment_count",
    "sse_data",
]

DATA_DIR = Path(__file__).resolve().parent / "data"
CASSETTE_DIR = DATA_DIR / "recordings"
AI_SDK_DIR = DATA_DIR / "recordings-ai-sdk"

#: Headers about how the recorded bytes travelled, not about the body we serve.
_TRANSFER_HEADERS = frozenset(
    {"content-encoding", "content-length", "transfer-encoding", "connection"}
)
_DONE = "[DONE]"


class UnexpectedRequest(AssertionError):
    """A request the recording has no (more) answer for, or one that cannot match it."""


# --------------------------------------------------------------------------- interactions


@dataclass(frozen=True)
class Interaction:
    """One recorded request and the reply to serve for it.

    ``chunks`` are the pieces the body is served in: for the AI SDK event streams the
    recorded network chunks; otherwise the whole body at once, unless the
    :class:`Replayer` is asked to split it.
    """

    source: str
    method: str
    url: str
    request_json: Any
    status: int
    headers: dict[str, str]
    body: bytes
    chunks: tuple[bytes, ...] = ()
    truncated: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def is_sse(self) -> bool:
        return "text/event-stream" in self.headers.get("content-type", "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self) -> Any:
        """The decoded body of a JSON reply."""
        if self.is_sse:
            raise ValueError(f"{self.source} is an event stream; use events()")
        return json.loads(self.body)

    def events(self) -> list[str]:
        """The ``data`` payloads of an event-stream reply, in order (``[DONE]`` included)."""
        if not self.is_sse:
            raise ValueError(f"{self.source} is not an event stream")
        return sse_data(self.text)

    def json_events(self) -> list[dict[str, Any]]:
        """The payloads of an event stream decoded as JSON (``[DONE]`` left out)."""
        return [json.loads(data) for data in self.events() if data != _DONE]


def _replay_headers(headers: Mapping[str, Any]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in _TRANSFER_HEADERS:
            continue
        out[key] = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return out


def cassette_names() -> list[str]:
    """The vcrpy cassettes under ``data/recordings`` (file stems, sorted)."""
    return sorted(p.stem for p in CASSETTE_DIR.glob("*.yaml"))


def load_cassette(name: str | Path) -> list[Interaction]:
    """Every interaction of a vcrpy cassette (a stem under ``data/recordings`` or a path)."""
    path = Path(name) if Path(name).suffix == ".yaml" else CASSETTE_DIR / f"{name}.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    interactions = []
    for position, item in enumerate(data["interactions"]):
        request, response = item["request"], item["response"]
        if "parsed_body" in response:
            body = json.dumps(response["parsed_body"], ensure_ascii=False).encode("utf-8")
        else:
            raw = response["body"]["string"]
            body = raw.encode("utf-8") if isinstance(raw, str) else bytes(raw)
        interactions.append(
            Interaction(
                source=f"recordings/{path.name}#{position}",
                method=request["method"].upper(),
                url=request["uri"],
                request_json=request.get("parsed_body"),
                status=int(response["status"]["code"]),
                headers=_replay_headers(response.get("headers") or {}),
                body=body,
                chunks=(body,),
            )
        )
    return interactions


def ai_sdk_folders(path: str | None = None) -> list[str]:
    """The AI SDK recording folders (ids), optionally only those of one request path
    (e.g. ``"/api/v1/responses"``), sorted."""
    found = []
    for folder in sorted(p for p in AI_SDK_DIR.iterdir() if (p / "request.json").is_file()):
        url = json.loads((folder / "request.json").read_text(encoding="utf-8"))["url"]
        if path is None or urlsplit(url).path == path:
            found.append(folder.name)
    return found


def load_ai_sdk_recording(folder: str | Path) -> Interaction:
    """One AI SDK recording folder (an id under ``data/recordings-ai-sdk`` or a path)."""
    where = Path(folder) if Path(folder).is_dir() else AI_SDK_DIR / str(folder)
    request = json.loads((where / "request.json").read_text(encoding="utf-8"))
    meta = json.loads((where / "response.meta.json").read_text(encoding="utf-8"))
    headers = _replay_headers(meta.get("headers") or {})
    truncated: tuple[str, ...] = ()
    if (where / "response.jsonl").is_file():
        items = [
            json.loads(line)
            for line in (where / "response.jsonl").read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        built = rebuild_sse(items)
        body = built.text.encode("utf-8")
        chunks = tuple(chunk.encode("utf-8") for chunk in built.chunks)
        truncated = tuple(built.truncated)
    else:
        body = (where / "response.json").read_bytes()
        chunks = (body,)
    return Interaction(
        source=f"recordings-ai-sdk/{where.name}",
        method=str(request.get("method", "POST")).upper(),
        url=request["url"],
        request_json=(request.get("body") or {}).get("json"),
        status=int(meta["status"]),
        headers=headers,
        body=body,
        chunks=chunks,
        truncated=truncated,
    )


def load_responses_recording(folder: str | Path) -> tuple[Any, int, dict[str, str], bytes | str]:
    """A ``/responses`` recording as ``(request_json, status, headers, body)``.

    ``body`` is the raw reply bytes for a JSON reply (leading keep-alive whitespace
    kept, as recorded) or, for a streamed reply, the rebuilt event-stream text
    (``data: <payload>\\n\\n`` per event, ``: comment`` lines kept; see
    :func:`rebuild_sse`). ``headers`` are the recorded ones without the transfer
    headers (see the module docstring). For network-chunk fidelity or to serve the
    reply to a client, use :func:`load_ai_sdk_recording` and :class:`Replayer`.
    """
    interaction = load_ai_sdk_recording(folder)
    body: bytes | str = interaction.text if interaction.is_sse else interaction.body
    return interaction.request_json, interaction.status, dict(interaction.headers), body


# --------------------------------------------------------------------------- event streams


@dataclass
class SSEBuild:
    """An event stream rebuilt from recorded items.

    ``text`` is the whole stream; ``chunks`` the same text cut where the recording saw
    network chunk boundaries; ``truncated`` the payload pieces of events that started
    but never completed in the recording (they are still served, as a ``data`` line
    holding what was recorded, so a client sees what the recording holds).
    """

    text: str = ""
    chunks: list[str] = field(default_factory=list)
    truncated: list[str] = field(default_factory=list)


class _Builder:
    """Collects output pieces and chunk boundaries in order."""

    def __init__(self) -> None:
        self.chunks: list[str] = [""]

    def write(self, text: str) -> None:
        self.chunks[-1] += text

    def cut(self) -> None:
        if self.chunks[-1]:
            self.chunks.append("")


def _is_whole_payload(text: str) -> bool:
    """True if ``text`` is a complete ``data`` payload on its own."""
    if text == _DONE:
        return True
    try:
        json.loads(text)
    except ValueError:
        return False
    return True


def rebuild_sse(items: Iterable[Mapping[str, Any]]) -> SSEBuild:
    """Rebuild an event stream from the AI SDK recorder's items.

    Items (one per SSE item per network chunk): ``{"json": payload}`` (a ``data``
    payload that decoded), ``{"text": payload}`` (one that did not: ``[DONE]``, or a
    piece of an event split across network chunks), ``{"comment": raw}`` and
    ``{"delay_ms": n}`` (a pause between network chunks).

    Each event becomes ``data: <payload>\\n\\n`` and each comment ``<comment>\\n\\n``.
    A ``text`` piece that is not a whole payload starts an event that crossed a chunk
    boundary: the following ``text`` pieces are joined to it until the joined payload
    is whole (or its last piece ends the event with a blank line). If another item
    arrives first (e.g. ``[DONE]``), the started event never completed in the
    recording: it is served as recorded and listed in :attr:`SSEBuild.truncated`.
    """
    build = SSEBuild()
    out = _Builder()
    # An event split across network chunks: its pieces, with a cut after each but
    # the last (the recording saw a chunk boundary inside the event).
    pending: list[str] = []

    def emit_pending(*, complete: bool) -> None:
        payload = "".join(pending).rstrip("\n")
        if not complete:
            build.truncated.append(payload)
        out.write("data: ")
        for position, piece in enumerate(pending):
            last = position == len(pending) - 1
            out.write(piece.rstrip("\n") if last else piece)
            if not last:
                out.cut()
        out.write("\n\n")
        pending.clear()

    for item in items:
        if "delay_ms" in item:
            if not pending:
                out.cut()
            continue
        if "text" in item:
            text = str(item["text"])
            if pending:
                joined = "".join(pending) + text
                if text.endswith("\n\n") or _is_whole_payload(joined):
                    pending.append(text)
                    emit_pending(complete=True)
                    continue
                if not _is_whole_payload(text):
                    pending.append(text)
                    continue
                emit_pending(complete=False)  # a new whole item: the started event was cut
            if text.endswith("\n\n") or _is_whole_payload(text):
                payload = text.rstrip("\n")
                out.write(f"data: {payload}\n\n")
            else:
                pending.append(text)
            continue
        if pending:
            emit_pending(complete=False)
        if "json" in item:
            payload = json.dumps(item["json"], ensure_ascii=False, separators=(",", ":"))
            out.write(f"data: {payload}\n\n")
        elif "comment" in item:
            comment = str(item["comment"]).rstrip("\n")
            out.write(f"{comment if comment.startswith(':') else ': ' + comment}\n\n")
        else:
            raise ValueError(f"unknown recorded stream item: {sorted(item)}")
    if pending:
        emit_pending(complete=False)
    build.chunks = [chunk for chunk in out.chunks if chunk]
    build.text = "".join(build.chunks)
    return build


def sse_data(text: str) -> list[str]:
    """The ``data`` payloads of an event stream, in order (a plain reading of the SSE
    format, written for the tests so that expectations do not rely on the package's
    own decoder): comment lines skipped, ``data`` lines of one event joined by
    newlines, a blank line ends an event."""
    events: list[str] = []
    data: list[str] = []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if not line:
            if data:
                events.append("\n".join(data))
                data = []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            if name == "data":
                data.append(value[1:] if value.startswith(" ") else value)
    if data:
        events.append("\n".join(data))
    return events


def sse_comment_count(text: str) -> int:
    """How many comment lines (``: OPENROUTER PROCESSING``) an event stream holds."""
    return sum(1 for line in text.splitlines() if line.startswith(":"))


# --------------------------------------------------------------------------- serving


class _Chunks(httpx.SyncByteStream, httpx.AsyncByteStream):
    """A reply body served piece by piece, to sync and async clients alike."""

    def __init__(self, chunks: Sequence[bytes]) -> None:
        self._chunks = list(chunks)

    def __iter__(self) -> Iterator[bytes]:
        yield from self._chunks

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk


def _split(body: bytes, size: int) -> list[bytes]:
    return [body[i : i + size] for i in range(0, len(body), size)] or [b""]


class Replayer:
    """Answers requests from recorded interactions, in recorded order, matching on
    method and path only.

    ``chunk_size`` re-cuts every event-stream body into pieces of that many bytes
    (cutting through events and multi-byte characters, as a network may). Requests
    received are kept in :attr:`requests`; a request with no recorded answer left
    raises :class:`UnexpectedRequest` (an ``AssertionError``, so clients do not take
    it for a network failure).
    """

    def __init__(self, interactions: Iterable[Interaction], *, chunk_size: int | None = None):
        self.interactions = list(interactions)
        self.chunk_size = chunk_size
        self.requests: list[httpx.Request] = []
        self._served = [False] * len(self.interactions)

    @property
    def served(self) -> int:
        return sum(self._served)

    @property
    def all_served(self) -> bool:
        return all(self._served)

    def sent_json(self, position: int = -1) -> Any:
        """The JSON body of a received request (the last by default)."""
        return json.loads(self.requests[position].content)

    def _next(self, request: httpx.Request) -> Interaction:
        for position, interaction in enumerate(self.interactions):
            if self._served[position]:
                continue
            if interaction.method == request.method and interaction.path == request.url.path:
                self._served[position] = True
                return interaction
        recorded = sorted({f"{i.method} {i.path}" for i in self.interactions})
        raise UnexpectedRequest(
            f"no recorded answer left for {request.method} {request.url.path} "
            f"(recorded: {', '.join(recorded)}; {self.served} of "
            f"{len(self.interactions)} already served)"
        )

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        self.requests.append(request)
        interaction = self._next(request)
        self._check_stream_flag(request, interaction)
        chunks: Sequence[bytes] = interaction.chunks or (interaction.body,)
        if self.chunk_size and interaction.is_sse:
            chunks = _split(interaction.body, self.chunk_size)
        return httpx.Response(
            interaction.status,
            headers=interaction.headers,
            stream=_Chunks(chunks),
            request=request,
        )

    @staticmethod
    def _check_stream_flag(request: httpx.Request, interaction: Interaction) -> None:
        """A streamed request answered by a recorded JSON reply (or the reverse)
        would fail for a reason that has nothing to do with the client."""
        recorded = interaction.request_json
        if not isinstance(recorded, dict) or "stream" not in recorded:
            return
        try:
            sent = json.loads(request.content) if request.content else {}
        except ValueError:
            return
        if isinstance(sent, dict) and bool(sent.get("stream")) != bool(recorded["stream"]):
            raise UnexpectedRequest(
                f"{interaction.source} was recorded with stream={recorded['stream']!r} but "
                f"the request says stream={sent.get('stream')!r}"
            )

    # ------------------------------------------------------------------ wiring

    def transport(self) -> httpx.MockTransport:
        return httpx.MockTransport(self)

    def client(self) -> httpx.Client:
        return httpx.Client(transport=self.transport())

    def async_client(self) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=self.transport())

    def patch_httpx(self, monkeypatch: Any) -> Replayer:
        """Answer every request of every ``httpx`` client of the process from the
        recording while the test runs (``monkeypatch`` undoes it afterwards)."""
        replayer = self

        def handle_request(self: httpx.HTTPTransport, request: httpx.Request) -> httpx.Response:
            return replayer(request)

        async def handle_async_request(
            self: httpx.AsyncHTTPTransport, request: httpx.Request
        ) -> httpx.Response:
            return replayer(request)

        monkeypatch.setattr(httpx.HTTPTransport, "handle_request", handle_request)
        monkeypatch.setattr(httpx.AsyncHTTPTransport, "handle_async_request", handle_async_request)
        return self
