"""GENERATED from ``openrouter_core/_async/streams.py`` by
``scripts/unasync.py``: do not edit; change the async source and run
``make unasync``."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

import httpx

from .._base_client import PreparedChat, parse_chat
from .._http import Call, build_request, client_closed, parse_reply, transport_error
from .._responses import ResponsesStreamAccumulator
from .._responses_events import ResponsesEvent, parse_responses
from .._sse import SSEDecoder
from .._stream import ChatStreamChunk, StreamAccumulator
from ..errors import OpenRouterError, StreamInterruptedError
from ..routing import Action, RouteRun
from ..types.attempts import Attempt
from ..types.chat import ChatResult
from ..types.responses_result import ResponsesResult

if TYPE_CHECKING:
    from .client import OpenRouterClient

__all__ = ["ChatStream", "ResponsesStream"]

E = TypeVar("E")
R = TypeVar("R")


class _SyncStream(Generic[E, R]):
    """The loop shared by both streams; subclasses say what to post and how to merge."""

    _path: ClassVar[str]

    def __init__(
        self, client: OpenRouterClient, prepared: PreparedChat, body: dict[str, Any]
    ) -> None:
        self._client = client
        prepared.body = body
        self._prepared = prepared
        self._run: RouteRun = client._route(prepared.candidates, prepared.skipped)
        self._accumulator: Any = None
        self._response: httpx.Response | None = None
        self._iterator = self._iterate()

    def _new_accumulator(self, model: str) -> Any:
        raise NotImplementedError

    def _parse(self, content: bytes) -> Any:
        """A whole (JSON) reply to a stream request, read as a result or an error."""
        raise NotImplementedError

    def __iter__(self) -> Iterator[E]:
        return self._iterator

    def __next__(self) -> E:
        return self._iterator.__next__()

    def close(self) -> None:
        """Stop the stream and release its connection."""
        self._iterator.close()
        if self._response is not None:
            self._response.close()

    @property
    def attempts(self) -> list[Attempt]:
        return self._run.attempts

    def result(self) -> R:
        """The merged result (after the stream is consumed)."""
        if self._accumulator is None:
            raise RuntimeError("the stream has not produced anything yet")
        result: R = self._accumulator.result()
        result._attempts = self._run.attempts  # type: ignore[attr-defined]
        return result

    def _iterate(self) -> Generator[E, None, None]:
        client, run = self._client, self._run
        while True:
            client._pace()
            model = run.next_model()
            acc = self._accumulator = self._new_accumulator(model)
            started = client.clock()
            try:
                yield from self._attempt(model, acc)
            except OpenRouterError as exc:
                if acc.output_started:
                    if isinstance(exc, StreamInterruptedError):
                        raise
                    raise _interrupted(acc, exc) from exc
                decision, error = run.failed(model, exc, started)
                if decision.action is Action.RETRY:
                    client.retry_policy.sleep(decision.delay)
                    continue
                if decision.action is Action.NEXT:
                    continue
                raise error from error.__cause__
            run.succeeded(model, acc.provider, started)
            return

    def _attempt(self, model: str, acc: Any) -> Iterator[E]:
        client = self._client
        client.settings.require_key()
        body = self._prepared.body_for(model)
        call = Call("POST", self._path, self._parse, body=body, model=model, stream=True)
        request = build_request(client.http_client, client.settings, client._headers, call)
        with client._slots:
            response = self._response = client.transmit(request, call, stream=True)
            try:
                if response.status_code >= 400:
                    content = response.read()
                    parse_reply(call, response.status_code, response.headers, content)
                if "text/event-stream" not in response.headers.get("content-type", ""):
                    # Some failures come back as a plain JSON body even for stream=True.
                    content = response.read()
                    parse_reply(call, response.status_code, response.headers, content)
                    raise acc.interrupted("expected an event stream, got a JSON body")
                decoder = SSEDecoder()
                reply_bytes = response.iter_bytes()
                for raw in reply_bytes:
                    for event in decoder.feed(raw):
                        parsed = acc.parse_event(event)
                        if parsed is None:
                            _finish_reading(reply_bytes)
                            return
                        yield parsed
                for event in decoder.flush():
                    parsed = acc.parse_event(event)
                    if parsed is None:
                        return
                    yield parsed
                acc.check_complete()
            except httpx.HTTPError as exc:
                if client.http_client.is_closed:
                    raise client_closed(exc) from exc
                raise transport_error(exc, call) from exc
            finally:
                response.close()
                self._response = None


class ChatStream(_SyncStream[ChatStreamChunk, ChatResult]):
    """Chunks of a streamed chat completion, falling back to the next model only while
    no output has been produced. Iterate it; close it (or use ``with``) when
    stopping early; ``result()`` then gives the merged :class:`ChatResult`."""

    _path = "/chat/completions"

    def __init__(
        self, client: OpenRouterClient, prepared: PreparedChat, *, include_usage: bool = True
    ) -> None:
        body = dict(prepared.body)
        body["stream"] = True
        if include_usage:
            body.setdefault("stream_options", {"include_usage": True})
        else:
            body.pop("stream_options", None)
        super().__init__(client, prepared, body)

    def _new_accumulator(self, model: str) -> StreamAccumulator:
        return StreamAccumulator(model)

    def _parse(self, content: bytes) -> ChatResult:
        return parse_chat(content)

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def accumulator(self) -> StreamAccumulator | None:
        """The merged state of the current attempt (text, tool calls so far)."""
        acc: StreamAccumulator | None = self._accumulator
        return acc


class ResponsesStream(_SyncStream[ResponsesEvent, ResponsesResult]):
    """Typed events of a streamed ``/responses`` reply (the same routing and failure
    rules as a chat stream); ``result()`` then gives the whole :class:`ResponsesResult`,
    function-call arguments included (real streams send them only at the end)."""

    _path = "/responses"

    def __init__(self, client: OpenRouterClient, prepared: PreparedChat) -> None:
        super().__init__(client, prepared, {**prepared.body, "stream": True})

    def _new_accumulator(self, model: str) -> ResponsesStreamAccumulator:
        return ResponsesStreamAccumulator(model)

    def _parse(self, content: bytes) -> ResponsesResult:
        return parse_responses(content)

    def __enter__(self) -> ResponsesStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def accumulator(self) -> ResponsesStreamAccumulator | None:
        """The output so far (text, function calls, reasoning)."""
        acc: ResponsesStreamAccumulator | None = self._accumulator
        return acc


#: What is read past ``[DONE]`` at most, to end the reply; a longer tail closes the connection.
READ_PAST_DONE_LIMIT = 64 * 1024


def _finish_reading(body: Iterator[bytes]) -> None:
    """Read the reply to its end after ``[DONE]`` (normally nothing but the chunked
    body's terminator): a reply closed unread takes its connection with it, and the
    next request would open a new one (a TCP and TLS handshake to OpenRouter)."""
    seen = 0
    try:
        for raw in body:
            seen += len(raw)
            if seen > READ_PAST_DONE_LIMIT:
                return
    except httpx.HTTPError:
        return  # the stream itself is complete; only the connection is lost


def _interrupted(acc: Any, exc: OpenRouterError) -> StreamInterruptedError:
    """A failure after output began: never hidden, never retried, partial kept."""
    status = getattr(exc, "status_code", 502) or 502
    metadata = getattr(exc, "metadata", None)
    error: StreamInterruptedError = acc.interrupted(
        f"stream failed after output began: {exc}", status_code=status, metadata=metadata
    )
    return error
