"""GENERATED from ``openrouter_core/_async/client.py`` by
``scripts/unasync.py``: do not edit; change the async source and run
``make unasync``."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

import httpx

from .._base_client import (
    BaseClient,
    CatalogKind,
    ChatOptions,
    FallbackMode,
    PreparedChat,
    as_embeddings_request,
    chat_call,
    rerank_body,
    rerank_call,
    responses_body,
)
from .._concurrency import SyncSlots, current_fork_epoch
from .._http import (
    Call,
    OwnedHTTPClient,
    build_request,
    client_closed,
    make_limits,
    make_timeout,
    parse_reply,
    shared_ssl_context,
    transport_error,
)
from .._responses_events import parse_responses
from ..capabilities import (
    CapabilityPolicy,
    EmbeddingPurpose,
    prepare_embeddings,
    requirements_of_responses,
)
from ..catalog import Catalog, CatalogUnavailableError
from ..endpoints import EndpointMethods, SyncSide
from ..errors import OpenRouterError
from ..routing import Action, RouteRun
from ..settings import Settings
from ..types.chat import ChatRequest, ChatResult
from .streams import ChatStream, ResponsesStream

if TYPE_CHECKING:  # loaded on first use (import time)
    from ..types.media import EmbeddingsRequest, EmbeddingsResult
    from ..types.rerank import RerankRequest, RerankResult
    from ..types.responses import ResponsesRequest
    from ..types.responses_result import ResponsesResult

__all__ = ["ChatStream", "OpenRouterClient", "ResponsesStream"]

T = TypeVar("T")


class OpenRouterClient(SyncSide, BaseClient, EndpointMethods):
    """Synchronous OpenRouter client.

    Example::

        from openrouter_core import OpenRouterClient

        with OpenRouterClient(app_title="my-app") as client:
            result = client.chat(
                {"model": "openai/gpt-4o-mini",
                 "messages": [{"role": "user", "content": "Hi"}]},
                fallback_models=["anthropic/claude-3.5-haiku"],
            )
            print(result.text, result.model, result.usage.cost)

    Args:
        settings: a :class:`~openrouter_core.Settings`, or its fields as keywords
            (``api_key``, ``base_url``, ``timeout``, ``max_retries``,
            ``max_concurrent_requests``, ``rate_limit``...; see :class:`BaseClient`).
        http_client: your own ``httpx.Client``. It is used as given, never
            modified: the URL and headers (the key included) go on each request.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        http_client: httpx.Client | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(settings, **kwargs)
        self._owns_http = http_client is None
        self._headers.direct = self._owns_http
        self._http = http_client if http_client is not None else self._new_http()
        self._epoch = current_fork_epoch()
        self._slots = SyncSlots(self.settings.max_concurrent_requests)

    def _new_http(self) -> httpx.Client:
        return OwnedHTTPClient(
            timeout=make_timeout(self.settings),
            limits=make_limits(self.settings),
            verify=shared_ssl_context(),
            follow_redirects=False,
        )

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Close the connections (a client given as ``http_client`` is left open)."""
        if self._owns_http:
            self._http.close()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

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
        """The ``httpx`` client in use (a new one in a forked child process)."""
        if self._epoch != current_fork_epoch():
            # Forked: the parent's sockets are not ours to use. Drop them unclosed
            # (closing would disturb the parent's connections) and open our own.
            self._epoch = current_fork_epoch()
            self._slots = SyncSlots(self.settings.max_concurrent_requests)
            if self._owns_http:
                self._http = self._new_http()
        return self._http

    # ------------------------------------------------------------------ transport

    def _pace(self) -> None:
        """Ask the rate limit (if any) for a slot: before every HTTP attempt."""
        limiter = self.settings.rate_limit
        if limiter is not None:
            limiter.acquire()

    def send(self, call: Call[T], *, max_retries: int | None = None) -> T:
        """Send one call, retrying as :func:`~openrouter_core.routing.decide` says;
        return its parsed result or raise a typed error."""
        run = self._single(call.model)
        if max_retries is not None:
            run.retry = replace(self.retry_policy, max_retries=max_retries)
        return self._run(run, lambda _model: call)

    def _run(self, run: RouteRun, call_for: Callable[[str], Call[T]]) -> T:
        """The attempt loop: pace, pick a model, send, and on failure do what
        :meth:`RouteRun.failed` decides (retry, next model, or raise)."""
        while True:
            self._pace()
            model = run.next_model()
            started = self.clock()
            try:
                result = self._send_once(call_for(model))
            except OpenRouterError as exc:
                decision, error = run.failed(model, exc, started)
                if decision.action is Action.RETRY:
                    self.retry_policy.sleep(decision.delay)
                    continue
                if decision.action is Action.NEXT:
                    continue
                raise error from error.__cause__
            run.succeeded(model, getattr(result, "provider", None), started)
            private = getattr(result, "__pydantic_private__", None)
            if private is not None and "_attempts" in private:
                private["_attempts"] = run.attempts
            return result

    def _send_once(self, call: Call[T]) -> T:
        if call.require_key:
            self.settings.require_key()
        request = build_request(self.http_client, self.settings, self._headers, call)
        with self._slots:
            response = self.transmit(request, call)
        return parse_reply(call, response.status_code, response.headers, response.content)

    def transmit(
        self, request: httpx.Request, call: Call[Any], *, stream: bool = False
    ) -> httpx.Response:
        """Send one built request; a failure without a reply becomes our typed error
        (:class:`~openrouter_core.errors.ClientClosedError` once the client is closed)."""
        http = self.http_client
        try:
            return http.send(request, stream=stream, follow_redirects=False)
        except httpx.HTTPError as exc:
            if http.is_closed:
                raise client_closed(exc) from exc
            raise transport_error(exc, call) from exc
        except RuntimeError as exc:
            if http.is_closed:
                raise client_closed(exc) from exc
            raise

    def load_catalog_payload(self, kind: CatalogKind = "chat") -> Any:
        """The raw listing (``/models``, ``/embeddings/models``...) from the first
        catalog source that answers with one (see :meth:`catalog_sources`); raises
        the last source's error."""
        error: Exception | None = None
        for call in self.catalog_calls(kind):
            try:
                return self.send(call, max_retries=0)  # best effort
            # Not only ours: a test double in the transport (a VCR cassette recorded
            # without /models) raises its own errors; the next source may still answer.
            except Exception as exc:
                error = exc
        assert error is not None
        raise error

    def ensure_catalog(self, kind: CatalogKind = "chat") -> Catalog:
        """A catalog, refreshed from the network if it is stale and the network
        answers; else the freshest copy at hand (memory, disk, bundled snapshot)."""
        return self.catalog_of(kind).ensure(lambda: self.load_catalog_payload(kind))

    def rerank_takes_images(self, model: str) -> bool:
        """Whether to send images to rerank model ``model``: yes unless the rerank
        catalog (refreshed if stale) lists it as text-only."""
        try:
            catalog = self.ensure_catalog("rerank")
        except CatalogUnavailableError:
            return True
        info = catalog.find(model)
        return info is None or "image" in info.input_modalities

    def check_model(self, model: str, kind: CatalogKind, policy: CapabilityPolicy) -> None:
        """Refuse an embedding or rerank model id the live catalog does not list
        (with the closest ids), or warn once against a stale one; skipped when no
        catalog can be had at all."""
        if policy == "off" or not model:
            return
        try:
            catalog = self.ensure_catalog(kind)
        except CatalogUnavailableError:
            return
        catalog.lookup(model, policy=policy)

    def embed(
        self,
        request: EmbeddingsRequest | Mapping[str, Any] | None = None,
        *,
        capability_check: CapabilityPolicy | None = None,
        purpose: EmbeddingPurpose | None = None,
        **fields: Any,
    ) -> EmbeddingsResult:
        """``POST /embeddings`` with the model id checked against the embeddings
        catalog first (:meth:`create_embeddings` sends without checking).

        ``purpose`` (``"query"`` or ``"document"``) becomes ``input_type``
        (``"search_query"`` / ``"search_document"``) when the request sets none and
        the model's catalog entry lists ``input_type`` among its parameters.
        """
        req = as_embeddings_request(request, fields)
        policy = capability_check or self.capability_check
        self.check_model(req.model, "embeddings", policy)
        if policy != "off":
            req = prepare_embeddings(self.catalog_of("embeddings"), req, policy, purpose)
        return self.create_embeddings(req)

    # ------------------------------------------------------------------ chat

    def prepare_chat(
        self, request: ChatRequest | Mapping[str, Any], options: ChatOptions
    ) -> PreparedChat:
        """Validate a chat request and plan its route (refreshes a stale catalog)."""
        body = self._validate(request)
        catalog = self.ensure_catalog() if self._needs_catalog(options) else None
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
        """Send a prepared chat along its route."""
        prepared.body.pop("stream", None)
        prepared.body.pop("stream_options", None)
        run = self._route(prepared.candidates, prepared.skipped)
        return self._run(run, lambda model: chat_call(prepared.body_for(model)))

    def chat_stream(
        self,
        request: ChatRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
        include_usage: bool = True,
    ) -> ChatStream:
        """Stream a chat completion. Iterate the returned stream for chunks;
        ``stream.result()`` then gives the merged :class:`ChatResult`.

        ``include_usage=False`` sends no ``stream_options`` (the reply then may
        carry no usage)."""
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        prepared = self.prepare_chat(request, options)
        return ChatStream(self, prepared, include_usage=include_usage)

    # ------------------------------------------------------------------ responses, rerank

    def prepare_responses(
        self, request: ResponsesRequest | Mapping[str, Any], options: ChatOptions
    ) -> PreparedChat:
        """Validate a ``/responses`` request (``store`` and ``previous_response_id`` are
        refused: the API is stateless) and plan its route, as for chat."""
        body = responses_body(request)
        catalog = self.ensure_catalog() if self._needs_catalog(options) else None
        return self._plan(body, options, catalog, requirements_of_responses)

    def responses(
        self,
        request: ResponsesRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
    ) -> ResponsesResult:
        """``POST /responses`` (OpenRouter's stateless Responses API) along a route:
        the same routing options as :meth:`chat`."""
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        prepared = self.prepare_responses(request, options)
        prepared.body.pop("stream", None)
        run = self._route(prepared.candidates, prepared.skipped)
        return self._run(
            run,
            lambda model: Call(
                "POST", "/responses", parse_responses, body=prepared.body_for(model), model=model
            ),
        )

    def responses_stream(
        self,
        request: ResponsesRequest | Mapping[str, Any],
        *,
        fallback_models: Sequence[str] = (),
        fallback: FallbackMode = None,
        max_fallback_price: float | None = None,
        capability_check: CapabilityPolicy | None = None,
    ) -> ResponsesStream:
        """Stream ``/responses``: typed events; ``stream.result()`` gives the whole
        result once consumed."""
        options = ChatOptions(fallback_models, fallback, max_fallback_price, capability_check)
        return ResponsesStream(self, self.prepare_responses(request, options))

    def rerank(
        self,
        request: RerankRequest | Mapping[str, Any] | None = None,
        *,
        capability_check: CapabilityPolicy | None = None,
        **fields: Any,
    ) -> RerankResult:
        """``POST /rerank``: score ``documents`` (strings or ``{"text", "image"}``) against
        ``query``; the model id is checked against the rerank models of the catalog
        first. ``result.ranked()`` lists the results best first."""
        body = rerank_body(request, fields)
        self.check_model(body["model"], "rerank", capability_check or self.capability_check)
        result: RerankResult = self.send(rerank_call(body))
        return result
