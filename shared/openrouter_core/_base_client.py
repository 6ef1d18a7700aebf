"""What the sync and async clients share: settings, the catalog, the planning of a
chat request, the splitting of call keywords, and the parsing of replies.

Nothing here does I/O; :mod:`openrouter_core._async.client` (and the sync client
generated from it) only move bytes and run the loop that
:class:`~openrouter_core.routing.RouteRun` steers.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from . import catalog as catalog_module
from ._http import Call, RequestHeaders, load_json
from ._retries import RetryPolicy
from ._stream import new_tool_call_id
from .capabilities import CapabilityPolicy, Requirements, requirements_of
from .catalog import Catalog, shared_catalog
from .errors import ConfigurationError, InvalidRequestError, ResponseParseError
from .routing import CooldownRegistry, FallbackPolicy, RouteRun, plan_route
from .settings import DEFAULT_BASE_URL, Settings
from .types.attempts import Attempt
from .types.chat import ChatRequest, ChatResult

if TYPE_CHECKING:  # loaded on first use (import time)
    from .types.media import EmbeddingsRequest
    from .types.rerank import RerankResult

__all__ = [
    "BODY_FIELDS",
    "ROUTING_KEYWORDS",
    "BaseClient",
    "ChatOptions",
    "FallbackMode",
    "PreparedChat",
    "catalog_sources",
    "chat_call",
    "parse_chat",
    "split_chat_kwargs",
]

FallbackMode = Literal["auto"] | None

#: Call keywords that steer the client-side route rather than the request body.
ROUTING_KEYWORDS = frozenset(
    {"fallback_models", "fallback", "max_fallback_price", "capability_check"}
)
#: Every parameter of a ``/chat/completions`` body this package knows by name.
BODY_FIELDS = frozenset(ChatRequest.model_fields) - {"extra_body", "messages"}


@dataclass(frozen=True)
class ChatOptions:
    """Per-call routing options (the request itself says what to generate)."""

    fallback_models: Sequence[str] = ()
    fallback: FallbackMode = None
    max_fallback_price: float | None = None
    capability_check: CapabilityPolicy | None = None


def split_chat_kwargs(
    body: dict[str, Any], *sources: Mapping[str, Any], options: ChatOptions | None = None
) -> tuple[dict[str, Any], ChatOptions]:
    """Split framework keywords into the request body and the routing options.

    Known body parameters go into ``body``; routing keywords into the options;
    ``extra_body`` (a dict) is merged into the top level of the request, as the
    OpenAI SDK does; anything else is sent as given (through ``extra_body``, so it
    is never dropped). ``stream`` is decided by the method called, never by a
    keyword. Later sources win.
    """
    opts: dict[str, Any] = {
        "fallback_models": tuple(options.fallback_models) if options else (),
        "fallback": options.fallback if options else None,
        "max_fallback_price": options.max_fallback_price if options else None,
        "capability_check": options.capability_check if options else None,
    }
    extra: dict[str, Any] = dict(body.pop("extra_body", None) or {})
    for source in sources:
        for key, value in source.items():
            if key in ROUTING_KEYWORDS:
                opts[key] = tuple(value or ()) if key == "fallback_models" else value
            elif key == "stream":
                continue
            elif key == "extra_body":
                if value:
                    if not isinstance(value, Mapping):
                        raise InvalidRequestError(
                            "extra_body must be a dict of request fields, got "
                            f"{type(value).__name__}"
                        )
                    extra.update(value)
            elif key in BODY_FIELDS:
                if value is None:
                    body.pop(key, None)
                else:
                    body[key] = value
            else:
                extra[key] = value
    if extra:
        body["extra_body"] = extra
    return body, ChatOptions(**opts)


@dataclass
class PreparedChat:
    """A validated chat body and the route to send it along."""

    body: dict[str, Any]
    candidates: list[str]
    skipped: list[Attempt] = field(default_factory=list)
    needs: Requirements | None = None

    def body_for(self, model: str) -> dict[str, Any]:
        if not model or self.body.get("model") == model:
            return self.body
        return {**self.body, "model": model}


def parse_chat(content: bytes) -> ChatResult:
    """A ``/chat/completions`` reply; tool calls without an id get one. A reply with
    no choices is an error (there is nothing to return)."""
    result = ChatResult.model_validate(load_json(content))
    if not result.choices:
        raise ResponseParseError(
            "OpenRouter API returned a response with no choices. This may indicate a "
            "problem with the request or model availability.",
            body=content.decode("utf-8", errors="replace")[:2000],
            generation_id=result.id,
        )
    for choice in result.choices:
        for call in choice.message.tool_calls or ():
            if not call.id:
                call.id = new_tool_call_id()
    return result


def chat_call(body: dict[str, Any], *, stream: bool = False) -> Call[ChatResult]:
    return Call(
        "POST", "/chat/completions", parse_chat, body=body, model=body.get("model"), stream=stream
    )


#: The catalogs a client keeps, and where each is listed on the API.
CatalogKind = Literal["chat", "embeddings", "rerank"]
CATALOG_PATHS: dict[str, str] = {
    "chat": "/models",
    "embeddings": "/embeddings/models",
    "rerank": "/models?output_modalities=rerank",
}


def catalog_sources(settings: Settings, kind: CatalogKind = "chat") -> list[tuple[str, bool]]:
    """Where a catalog comes from, in order: ``(url, send the key)``.

    ``catalog_url`` when set (the embeddings and rerank catalogs beside it); else the
    API base's listing, then (for a base URL other than OpenRouter's, e.g. a proxy
    that does not serve it) OpenRouter's public listing, which needs no key. The
    first is the catalog's identity: one catalog (in memory and on disk) per
    source, whatever the key."""
    path = CATALOG_PATHS[kind]
    if settings.catalog_url:
        url = settings.catalog_url
        if kind != "chat":
            url = url.removesuffix("/models").removesuffix("/") + path
        return [(url, url.startswith(settings.base_url + "/"))]
    own = settings.base_url + path
    public = DEFAULT_BASE_URL + path
    if own == public:
        return [(own, True)]
    return [(own, True), (public, False)]


def _models_payload(content: bytes) -> Any:
    payload = load_json(content)
    if not isinstance(payload, dict) or not isinstance(payload.get("data"), list):
        raise ValueError("a /models reply must be an object with a 'data' list")
    return payload


class BaseClient:
    """Settings and chat planning shared by both clients.

    Args:
        settings: a :class:`~openrouter_core.Settings`; or give its fields as keywords
            (``api_key``, ``base_url``, ``catalog_url``, ``app_url``, ``app_title``,
            ``app_categories``, ``headers`` / ``extra_headers``, ``timeout``,
            ``max_retries``, ``max_retry_wait``, ``max_concurrent_requests``,
            ``capability_check``, ``allow_insecure_http``, ``rate_limit``).
        catalog: share one :class:`Catalog`; default: the process-wide catalog of
            the settings' catalog source (shared by every key).
        catalog_ttl: seconds before the catalog is refreshed (with ``catalog=None``).
        fallback_policy: which failures move a route to its next model.
        retry_policy: backoff settings (tests inject a fake sleep).
        cooldowns: share model cooldowns between clients.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        catalog: Catalog | None = None,
        catalog_ttl: float | None = None,
        fallback_policy: FallbackPolicy | None = None,
        retry_policy: RetryPolicy | None = None,
        cooldowns: CooldownRegistry | None = None,
        **settings_kwargs: Any,
    ) -> None:
        if settings is None:
            if "extra_headers" in settings_kwargs:
                settings_kwargs["headers"] = settings_kwargs.pop("extra_headers")
            try:
                settings = Settings.build(**settings_kwargs)
            except TypeError as exc:
                raise ConfigurationError(f"{type(self).__name__}: {exc}") from exc
        elif settings_kwargs:
            raise ConfigurationError(
                "pass either settings= or its fields as keywords, not both "
                f"({sorted(settings_kwargs)})"
            )
        self.settings = settings
        self._headers = RequestHeaders(settings)
        self.retry_policy = retry_policy or _retry_policy(settings)
        self.fallback_policy = fallback_policy or FallbackPolicy()
        self.cooldowns = cooldowns or CooldownRegistry(self.fallback_policy.cooldown_seconds)
        self._catalog = catalog
        self._catalogs: dict[str, Catalog] = {}
        self._catalog_ttl = catalog_ttl
        self.clock = time.monotonic

    @property
    def capability_check(self) -> CapabilityPolicy:
        return self.settings.capability_check

    @property
    def base_url(self) -> str:
        return self.settings.base_url

    def __repr__(self) -> str:
        key = "SecretKey('**********')" if self.settings.api_key else "None"
        return f"{type(self).__name__}(base_url={self.settings.base_url!r}, api_key={key})"

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError(
            f"{type(self).__name__} holds open connections and cannot be pickled; pickle the "
            "framework object (ChatOpenRouter, OpenRouter...) or the Settings instead"
        )

    # ------------------------------------------------------------------ the catalog

    @property
    def catalog(self) -> Catalog:
        """The model catalog (shared per catalog source; loaded on first lookup)."""
        if self._catalog is None:
            self._catalog = self.catalog_of("chat")
        return self._catalog

    def catalog_of(self, kind: CatalogKind) -> Catalog:
        """The catalog of chat, embedding or rerank models (shared per source). Only
        the chat catalog falls back to the snapshot bundled in the package."""
        if kind == "chat" and self._catalog is not None:
            return self._catalog
        found = self._catalogs.get(kind)
        if found is None:
            source = catalog_sources(self.settings, kind)[0][0]
            found = shared_catalog(source, ttl=self._catalog_ttl, snapshot=kind == "chat")
            found.adopt_fetcher(self, kind)
            self._catalogs[kind] = found
        return found

    def catalog_sources(self, kind: CatalogKind = "chat") -> list[tuple[str, bool]]:
        """Where a catalog comes from, in order (see :func:`catalog_sources`)."""
        return catalog_sources(self.settings, kind)

    def catalog_calls(self, kind: CatalogKind = "chat") -> list[Call[Any]]:
        return [
            Call(
                "GET",
                url,
                _models_payload,
                auth=auth,
                require_key=False,
                timeout=catalog_module.CATALOG_FETCH_TIMEOUT,
            )
            for url, auth in self.catalog_sources(kind)
        ]

    # ------------------------------------------------------------------ chat planning

    def _policy(self, options: ChatOptions) -> CapabilityPolicy:
        return options.capability_check or self.settings.capability_check

    def _validate(self, request: ChatRequest | Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(request, ChatRequest):
            return request.to_json_dict()
        try:
            return ChatRequest.model_validate(request).to_json_dict()
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            raise InvalidRequestError(_explain(exc)) from exc

    def _needs_catalog(self, options: ChatOptions) -> bool:
        return self._policy(options) != "off" or options.fallback == "auto"

    def _plan(
        self,
        body: dict[str, Any],
        options: ChatOptions,
        catalog: Catalog | None,
        needs_of: Callable[[Mapping[str, Any]], Requirements] = requirements_of,
    ) -> PreparedChat:
        """Order the route of a chat (or, with ``needs_of``, a ``/responses``) body and
        drop the models the catalog says cannot serve it."""
        policy = self._policy(options)
        model = body.get("model")
        route = [model] if model else []
        route += [m for m in options.fallback_models if m and m != model]
        if catalog is not None and policy != "off":
            for server_model in body.get("models") or ():
                catalog.lookup(server_model, policy=policy)
        if not route:
            # Only server-side ``models``: OpenRouter walks them itself.
            return PreparedChat(body, [""])
        needs = needs_of(body)
        candidates, skipped = plan_route(
            catalog,
            route,
            needs,
            policy=policy,
            auto=options.fallback == "auto",
            max_price=options.max_fallback_price,
        )
        return PreparedChat(body, candidates, skipped, needs)

    def _route(self, candidates: Sequence[str], skipped: Sequence[Attempt] = ()) -> RouteRun:
        """A run along ``candidates``, sharing this client's cooldowns and policies."""
        limiter = self.settings.rate_limit
        listener = getattr(limiter, "on_rate_limited", None)
        # A rate limit that keeps model cooldowns (e.g. shared across a cluster) holds them.
        cooldowns = getattr(limiter, "cooldowns", None) or self.cooldowns
        return RouteRun(
            list(candidates),
            cooldowns,
            self.fallback_policy,
            self.retry_policy,
            attempts=list(skipped),
            on_rate_limited=listener,
        )

    def _single(self, model: str | None) -> RouteRun:
        """A run for one call that is not routed (retries only, no cooldowns)."""
        limiter = self.settings.rate_limit
        return RouteRun(
            [model or ""],
            None,
            self.fallback_policy,
            self.retry_policy,
            on_rate_limited=getattr(limiter, "on_rate_limited", None),
        )


def _retry_policy(settings: Settings) -> RetryPolicy:
    policy = RetryPolicy(max_retries=settings.max_retries, max_retry_wait=settings.max_retry_wait)
    if settings.retry_delay is not None:
        policy.base_delay = policy.max_delay = settings.retry_delay
        policy.jitter = 0.0
    return policy


def as_embeddings_request(request: Any, fields: Mapping[str, Any]) -> EmbeddingsRequest:
    """An ``EmbeddingsRequest`` from a request object, a dict or keyword fields;
    invalid input is an :class:`InvalidRequestError`."""
    from .types.media import EmbeddingsRequest

    if request is not None and fields:
        raise InvalidRequestError("pass either a request object or keyword fields, not both")
    if isinstance(request, EmbeddingsRequest):
        return request
    try:
        return EmbeddingsRequest.model_validate(request if request is not None else fields)
    except ValueError as exc:
        message = _explain(exc).replace("chat request", "embeddings request")
        raise InvalidRequestError(message) from exc


def responses_body(request: Any) -> dict[str, Any]:
    """A validated ``/responses`` body; invalid input is an :class:`InvalidRequestError`."""
    from .types.responses import ResponsesRequest

    if isinstance(request, ResponsesRequest):
        return request.to_json_dict()
    try:
        return ResponsesRequest.model_validate(request).to_json_dict()
    except ValueError as exc:
        message = _explain(exc).replace("chat request", "/responses request")
        raise InvalidRequestError(message) from exc


def rerank_body(request: Any, fields: Mapping[str, Any]) -> dict[str, Any]:
    """A validated ``/rerank`` body from a request, a dict or keyword fields."""
    from .types.rerank import RerankRequest

    if request is not None and fields:
        raise InvalidRequestError("pass either a request object or keyword fields, not both")
    if isinstance(request, RerankRequest):
        return request.to_json_dict()
    try:
        return RerankRequest.model_validate(
            request if request is not None else fields
        ).to_json_dict()
    except ValueError as exc:
        raise InvalidRequestError(_explain(exc).replace("chat request", "rerank request")) from exc


def rerank_call(body: dict[str, Any]) -> Call[Any]:
    from .types.rerank import RerankResult

    def parse(content: bytes) -> RerankResult:
        return RerankResult.model_validate(load_json(content))

    return Call("POST", "/rerank", parse, body=body, model=body.get("model"))


def _explain(exc: ValueError) -> str:
    """A pydantic validation error as one readable sentence per problem."""
    errors = getattr(exc, "errors", None)
    if not callable(errors):
        return str(exc)
    lines = []
    for err in errors():
        where = ".".join(str(p) for p in err.get("loc", ()) if not str(p).startswith("function-"))
        lines.append(f"{where or 'request'}: {err.get('msg')}")
    return "Invalid chat request: " + "; ".join(lines)
