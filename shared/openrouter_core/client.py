"""The synchronous client."""

from __future__ import annotations

from collections.abc import Generator, Iterator, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._base_client import BaseClient, ChatOptions, FallbackMode, PreparedChat, chat_call
from ._http import Call, build_request, make_limits, make_timeout, parse_reply, transport_error
from .capabilities import CapabilityPolicy
from .catalog import Catalog
from .endpoints import EndpointMethods
from .errors import OpenRouterError, StreamInterruptedError
from .retries import RetryPolicy
from .routing import RouteRun
from .sse import SSEDecoder
from .stream import ChatStreamChunk, StreamAccumulator
from .types.chat import ChatRequest, ChatResult

__all__ = ["ChatStream", "OpenRouterClient"]

T = TypeVar("T")


class OpenRouterClient(BaseClient, EndpointMethods):
    """Synchronous OpenRouter client (thread-safe; share one per process).

    Example::

        from openrouter_core import OpenRouterClient

        with OpenRouterClient(app_title="my-app") as client:
            result = client.chat(
                {"model": "openai/gpt-4o-mini",
                 "messages": [{"role": "user", "content": "Hi"}]},
                fallback_models=["anthropic/claude-3.5-haiku"],
            )
            print(result.text, result.model, result.usage.cost)

    See :class:`~openrouter_core._base_client.BaseClient` for the arguments; also
    ``http_client`` to bring your own ``httpx.Client``.
    """

    def __init__(self, *, http_client: httpx.Client | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owns_http = http_client is None
        self._http = http_client or httpx.Client(
            base_url=self.config.base_url,
            headers=self.config.headers(),
            timeout=make_timeout(self.config),
            limits=make_limits(self.config),
            follow_redirects=False,
        )
        if http_client is not None:
            self._http.base_url = httpx.URL(self.config.base_url + "/")
            self._http.headers.update(self.config.headers())

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> OpenRouterClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @property
    def http_client(self) -> httpx.Client:
        return self._http

    # ------------------------------------------------------------------ transport

    def send(self, call: Call[T], *, max_retries: int | None = None) -> T:
        """Send one call with retries; return its parsed result or raise a typed error."""
        policy: RetryPolicy = self.retry_policy
        limit = policy.max_retries if max_retries is None else max_retries
        attempt = 0
        while True:
            try:
                return self._send_once(call)
            except OpenRouterError as exc:
                if attempt >= limit or not policy.should_retry(attempt, exc):
                    raise
                policy.sleep(policy.delay(attempt, exc))
                attempt += 1

    def _send_once(self, call: Call[T]) -> T:
        self.config.require_key()
        request = build_request(self._http, call)
        try:
            response = self._http.send(request)
        except httpx.HTTPError as exc:
            raise transport_error(exc, call) from exc
        return parse_reply(call, response.status_code, response.headers, response.content)

    def _catalog_sources(self) -> Catalog:
        return Catalog(
            fetch=self.list_models_raw, ttl=self._catalog_ttl, cache_key=self.config.base_url
        )

    # ------------------------------------------------------------------ chat

    def prepare_chat(
        self, request: ChatRequest | Mapping[str, Any], options: ChatOptions
    ) -> PreparedChat:
        """Validate a chat request and plan its route (loads the catalog if needed)."""
        body = self._validate(request)
        catalog = self.catalog.ensure() if self._needs_catalog(options) else None
        return self._plan(body, options, catalog)

    def chat(
        self,
        request: ChatRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
    ) -> ChatResult:
        """``POST /chat/completions`` along a fallback route.

        The result's ``model`` and ``provider`` say who served it; ``attempts``
        lists every model tried or skipped.
        """
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        return self.chat_prepared(self.prepare_chat(request, options))

    def chat_prepared(self, prepared: PreparedChat) -> ChatResult:
        run = prepared.start(self.cooldowns, self.fallback_policy)
        for model in run:
            started = self.clock()
            call = chat_call(prepared.body_for(model))
            try:
                result = self.send(call, max_retries=run.retries_for(self.retry_policy.max_retries))
            except OpenRouterError as exc:
                if run.failed(model, exc, started):
                    continue
                raise self._give_up(run, exc) from exc
            run.succeeded(model, result.provider, started)
            result._attempts = run.attempts
            return result
        raise run.exhausted()

    def chat_stream(
        self,
        request: ChatRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
    ) -> ChatStream:
        """Stream a chat completion. Iterate the returned :class:`ChatStream` for chunks;
        ``stream.result()`` then gives the merged :class:`ChatResult`."""
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        return ChatStream(self, self.prepare_chat(request, options))


class ChatStream:
    """Chunks of a streamed completion, falling back to the next model only while
    no output has been produced. Use as an iterator; close it (or use ``with``)
    when stopping early."""

    def __init__(self, client: OpenRouterClient, prepared: PreparedChat) -> None:
        self._client = client
        body = dict(prepared.body)
        body["stream"] = True
        body.setdefault("stream_options", {"include_usage": True})
        prepared.body = body
        self._prepared = prepared
        self._run: RouteRun = prepared.start(client.cooldowns, client.fallback_policy)
        self._accumulator: StreamAccumulator | None = None
        self._response: httpx.Response | None = None
        self._iterator = self._iterate()

    def __iter__(self) -> Iterator[ChatStreamChunk]:
        return self._iterator

    def __next__(self) -> ChatStreamChunk:
        return next(self._iterator)

    def __enter__(self) -> ChatStream:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        self._iterator.close()
        if self._response is not None:
            self._response.close()

    @property
    def attempts(self) -> list[Any]:
        return self._run.attempts

    def result(self) -> ChatResult:
        """The merged result (after the stream is consumed)."""
        if self._accumulator is None:
            raise RuntimeError("the stream has not produced anything yet")
        result = self._accumulator.result()
        result._attempts = self._run.attempts
        return result

    def _iterate(self) -> Generator[ChatStreamChunk, None, None]:
        client, run = self._client, self._run
        policy = client.retry_policy
        for model in run:
            started = client.clock()
            retries = run.retries_for(policy.max_retries)
            attempt = 0
            while True:
                acc = self._accumulator = StreamAccumulator(model)
                try:
                    yield from self._stream_once(model, acc)
                except OpenRouterError as exc:
                    if acc.output_started:
                        if isinstance(exc, StreamInterruptedError):
                            raise
                        raise _interrupted(acc, exc) from exc
                    if attempt < retries and policy.should_retry(attempt, exc):
                        policy.sleep(policy.delay(attempt, exc))
                        attempt += 1
                        continue
                    if run.failed(model, exc, started):
                        break
                    raise client._give_up(run, exc) from exc
                run.succeeded(model, acc.result().provider, started)
                return
        raise run.exhausted()

    def _stream_once(self, model: str, acc: StreamAccumulator) -> Iterator[ChatStreamChunk]:
        client = self._client
        client.config.require_key()
        call = chat_call(self._prepared.body_for(model), stream=True)
        request = build_request(client._http, call)
        try:
            response = self._response = client._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, call) from exc
        try:
            if response.status_code >= 400:
                parse_reply(call, response.status_code, response.headers, response.read())
            if "text/event-stream" not in response.headers.get("content-type", ""):
                # Some failures come back as a plain JSON body even for stream=True.
                parse_reply(call, response.status_code, response.headers, response.read())
                raise acc.interrupted("expected an event stream, got a JSON body")
            decoder = SSEDecoder()
            for raw in response.iter_bytes():
                for event in decoder.feed(raw):
                    chunk = acc.parse_event(event)
                    if chunk is None:
                        return
                    yield chunk
            for event in decoder.flush():
                chunk = acc.parse_event(event)
                if chunk is None:
                    return
                yield chunk
            acc.check_complete()
        except httpx.HTTPError as exc:
            raise transport_error(exc, call) from exc
        finally:
            response.close()
            self._response = None


def _interrupted(acc: StreamAccumulator, exc: OpenRouterError) -> StreamInterruptedError:
    """A failure after output began: never hidden, never retried, partial kept."""
    status = getattr(exc, "status_code", 502) or 502
    metadata = getattr(exc, "metadata", None)
    return acc.interrupted(
        f"stream failed after output began: {exc}", status_code=status, metadata=metadata
    )
