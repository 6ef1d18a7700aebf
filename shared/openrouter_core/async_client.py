"""The asynchronous client: the same requests, parsing and routing as the sync one."""

from __future__ import annotations

from collections.abc import AsyncGenerator, AsyncIterator, Mapping, Sequence
from types import TracebackType
from typing import Any, TypeVar

import httpx

from ._base_client import BaseClient, ChatOptions, FallbackMode, PreparedChat, chat_call
from ._http import Call, build_request, make_limits, make_timeout, parse_reply, transport_error
from .capabilities import CapabilityPolicy
from .catalog import Catalog
from .client import _interrupted
from .endpoints import EndpointMethods
from .errors import OpenRouterError, StreamInterruptedError
from .routing import RouteRun
from .sse import SSEDecoder
from .stream import ChatStreamChunk, StreamAccumulator
from .types.chat import ChatRequest, ChatResult

__all__ = ["AsyncChatStream", "AsyncOpenRouterClient"]

T = TypeVar("T")


class AsyncOpenRouterClient(BaseClient, EndpointMethods):
    """Asynchronous OpenRouter client; every method of :class:`OpenRouterClient`,
    awaited.

    Example::

        async with AsyncOpenRouterClient() as client:
            stream = await client.chat_stream(
                {"model": "openai/gpt-4o-mini",
                 "messages": [{"role": "user", "content": "Hi"}]})
            async for chunk in stream:
                print(chunk.content, end="")
    """

    def __init__(self, *, http_client: httpx.AsyncClient | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._owns_http = http_client is None
        self._http = http_client or httpx.AsyncClient(
            base_url=self.config.base_url,
            headers=self.config.headers(),
            timeout=make_timeout(self.config),
            limits=make_limits(self.config),
            follow_redirects=False,
        )
        if http_client is not None:
            self._http.base_url = httpx.URL(self.config.base_url + "/")
            self._http.headers.update(self.config.headers())

    async def aclose(self) -> None:
        if self._owns_http:
            await self._http.aclose()

    async def __aenter__(self) -> AsyncOpenRouterClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    @property
    def http_client(self) -> httpx.AsyncClient:
        return self._http

    async def send(self, call: Call[T], *, max_retries: int | None = None) -> T:
        """Send one call with retries; return its parsed result or raise a typed error."""
        policy = self.retry_policy
        limit = policy.max_retries if max_retries is None else max_retries
        attempt = 0
        while True:
            try:
                return await self._send_once(call)
            except OpenRouterError as exc:
                if attempt >= limit or not policy.should_retry(attempt, exc):
                    raise
                await policy.async_sleep(policy.delay(attempt, exc))
                attempt += 1

    async def _send_once(self, call: Call[T]) -> T:
        self.config.require_key()
        request = build_request(self._http, call)
        try:
            response = await self._http.send(request)
        except httpx.HTTPError as exc:
            raise transport_error(exc, call) from exc
        return parse_reply(call, response.status_code, response.headers, response.content)

    def _catalog_sources(self) -> Catalog:
        return Catalog(
            afetch=self.list_models_raw, ttl=self._catalog_ttl, cache_key=self.config.base_url
        )

    async def prepare_chat(
        self, request: ChatRequest | Mapping[str, Any], options: ChatOptions
    ) -> PreparedChat:
        body = self._validate(request)
        catalog = await self.catalog.aensure() if self._needs_catalog(options) else None
        return self._plan(body, options, catalog)

    async def chat(
        self,
        request: ChatRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
    ) -> ChatResult:
        """Async :meth:`OpenRouterClient.chat`."""
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        return await self.chat_prepared(await self.prepare_chat(request, options))

    async def chat_prepared(self, prepared: PreparedChat) -> ChatResult:
        run = prepared.start(self.cooldowns, self.fallback_policy)
        for model in run:
            started = self.clock()
            call = chat_call(prepared.body_for(model))
            try:
                result = await self.send(
                    call, max_retries=run.retries_for(self.retry_policy.max_retries)
                )
            except OpenRouterError as exc:
                if run.failed(model, exc, started):
                    continue
                raise self._give_up(run, exc) from exc
            run.succeeded(model, result.provider, started)
            result._attempts = run.attempts
            return result
        raise run.exhausted()

    async def chat_stream(
        self,
        request: ChatRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
    ) -> AsyncChatStream:
        """Async :meth:`OpenRouterClient.chat_stream`."""
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        return AsyncChatStream(self, await self.prepare_chat(request, options))


class AsyncChatStream:
    """Async twin of :class:`~openrouter_core.client.ChatStream`."""

    def __init__(self, client: AsyncOpenRouterClient, prepared: PreparedChat) -> None:
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

    def __aiter__(self) -> AsyncIterator[ChatStreamChunk]:
        return self._iterator

    async def __anext__(self) -> ChatStreamChunk:
        return await self._iterator.__anext__()

    async def __aenter__(self) -> AsyncChatStream:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._iterator.aclose()
        if self._response is not None:
            await self._response.aclose()

    @property
    def attempts(self) -> list[Any]:
        return self._run.attempts

    def result(self) -> ChatResult:
        if self._accumulator is None:
            raise RuntimeError("the stream has not produced anything yet")
        result = self._accumulator.result()
        result._attempts = self._run.attempts
        return result

    async def _iterate(self) -> AsyncGenerator[ChatStreamChunk, None]:
        client, run = self._client, self._run
        policy = client.retry_policy
        for model in run:
            started = client.clock()
            retries = run.retries_for(policy.max_retries)
            attempt = 0
            while True:
                acc = self._accumulator = StreamAccumulator(model)
                try:
                    async for chunk in self._stream_once(model, acc):
                        yield chunk
                except OpenRouterError as exc:
                    if acc.output_started:
                        if isinstance(exc, StreamInterruptedError):
                            raise
                        raise _interrupted(acc, exc) from exc
                    if attempt < retries and policy.should_retry(attempt, exc):
                        await policy.async_sleep(policy.delay(attempt, exc))
                        attempt += 1
                        continue
                    if run.failed(model, exc, started):
                        break
                    raise client._give_up(run, exc) from exc
                run.succeeded(model, acc.result().provider, started)
                return
        raise run.exhausted()

    async def _stream_once(
        self, model: str, acc: StreamAccumulator
    ) -> AsyncIterator[ChatStreamChunk]:
        client = self._client
        client.config.require_key()
        call = chat_call(self._prepared.body_for(model), stream=True)
        request = build_request(client._http, call)
        try:
            response = self._response = await client._http.send(request, stream=True)
        except httpx.HTTPError as exc:
            raise transport_error(exc, call) from exc
        try:
            if response.status_code >= 400:
                parse_reply(call, response.status_code, response.headers, await response.aread())
            if "text/event-stream" not in response.headers.get("content-type", ""):
                parse_reply(call, response.status_code, response.headers, await response.aread())
                raise acc.interrupted("expected an event stream, got a JSON body")
            decoder = SSEDecoder()
            async for raw in response.aiter_bytes():
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
            await response.aclose()
            self._response = None
