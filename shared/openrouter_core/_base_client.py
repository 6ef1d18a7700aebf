"""What the sync and async clients share: configuration, the catalog, the route
planning of a chat request, and the parsing of its reply."""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from ._http import Call, load_json
from .capabilities import CapabilityPolicy, Requirements, requirements_of
from .catalog import Catalog
from .config import ClientConfig, SecretKey, Timeouts
from .errors import InvalidRequestError, OpenRouterError
from .retries import RetryPolicy
from .routing import Attempt, CooldownRegistry, FallbackPolicy, RouteRun, plan_route
from .types.chat import ChatRequest, ChatResult

__all__ = ["BaseClient", "ChatOptions", "PreparedChat"]

FallbackMode = Literal["auto"] | None


@dataclass(frozen=True)
class ChatOptions:
    """Per-call routing options (the request itself says what to generate)."""

    fallback_models: Sequence[str] = ()
    fallback: FallbackMode = None
    max_fallback_price: float | None = None
    capability_check: CapabilityPolicy | None = None


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

    def start(self, cooldowns: CooldownRegistry, policy: FallbackPolicy) -> RouteRun:
        return RouteRun(list(self.candidates), cooldowns, policy, attempts=list(self.skipped))


def _parse_chat(content: bytes) -> ChatResult:
    payload = load_json(content)
    return ChatResult.model_validate(payload)


def chat_call(body: dict[str, Any], *, stream: bool = False) -> Call[ChatResult]:
    return Call(
        "POST", "/chat/completions", _parse_chat, body=body, model=body.get("model"), stream=stream
    )


class BaseClient:
    """Configuration and chat planning shared by both clients.

    Args:
        api_key: OpenRouter key; default ``$OPENROUTER_API_KEY``.
        base_url: default ``$OPENROUTER_BASE_URL`` or ``https://openrouter.ai/api/v1``.
        app_url, app_title, app_categories: attribution headers.
        extra_headers: sent with every request.
        timeout: seconds (or a :class:`Timeouts`).
        max_retries: retries of retryable failures (default 2).
        capability_check: ``"error"`` (default), ``"warn"`` or ``"off"``.
        catalog: share one :class:`Catalog` between clients; default: one per client.
        catalog_ttl: seconds before the catalog is refreshed.
        fallback_policy: which failures move a route to its next model.
        retry_policy: backoff settings (tests inject a fake sleep).
        allow_insecure_http: allow a non-loopback ``http://`` base URL.
    """

    def __init__(
        self,
        *,
        api_key: str | SecretKey | None = None,
        base_url: str | None = None,
        app_url: str | None = None,
        app_title: str | None = None,
        app_categories: Sequence[str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
        max_retries: int = 2,
        max_connections: int = 100,
        capability_check: CapabilityPolicy = "error",
        catalog: Catalog | None = None,
        catalog_ttl: float = 3600.0,
        fallback_policy: FallbackPolicy | None = None,
        retry_policy: RetryPolicy | None = None,
        cooldowns: CooldownRegistry | None = None,
        allow_insecure_http: bool = False,
    ) -> None:
        self.config = ClientConfig.build(
            api_key=api_key,
            base_url=base_url,
            app_url=app_url,
            app_title=app_title,
            app_categories=app_categories,
            extra_headers=extra_headers,
            timeout=timeout,
            max_retries=max_retries,
            max_connections=max_connections,
            allow_insecure_http=allow_insecure_http,
        )
        if capability_check not in ("error", "warn", "off"):
            raise InvalidRequestError(
                f"capability_check must be 'error', 'warn' or 'off', got {capability_check!r}"
            )
        self.capability_check: CapabilityPolicy = capability_check
        self.retry_policy = retry_policy or RetryPolicy(max_retries=max_retries)
        self.fallback_policy = fallback_policy or FallbackPolicy()
        self.cooldowns = cooldowns or CooldownRegistry(self.fallback_policy.cooldown_seconds)
        self._catalog = catalog
        self._catalog_ttl = catalog_ttl
        self.clock = time.monotonic

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.config.base_url!r}, api_key=SecretKey('**'))"

    def __getstate__(self) -> dict[str, Any]:
        raise TypeError(f"{type(self).__name__} holds open connections and cannot be pickled")

    # ------------------------------------------------------------------ chat planning

    def _policy(self, options: ChatOptions) -> CapabilityPolicy:
        return options.capability_check or self.capability_check

    def _validate(self, request: ChatRequest | Mapping[str, Any]) -> dict[str, Any]:
        if isinstance(request, ChatRequest):
            return request.to_json_dict()
        try:
            return ChatRequest.model_validate(request).to_json_dict()
        except ValueError as exc:  # pydantic.ValidationError is a ValueError
            raise InvalidRequestError(_explain(exc)) from exc

    def _plan(
        self, body: dict[str, Any], options: ChatOptions, catalog: Catalog | None
    ) -> PreparedChat:
        policy = self._policy(options)
        model = body.get("model")
        route = [model] if model else []
        route += [m for m in options.fallback_models if m]
        if not route:
            # Only server-side ``models``: OpenRouter walks them itself.
            if catalog is not None and policy == "error":
                for server_model in body.get("models") or ():
                    catalog.get(server_model)
            return PreparedChat(body, [""])
        needs = requirements_of(body)
        if catalog is not None and policy == "error":
            for server_model in body.get("models") or ():
                catalog.get(server_model)
        candidates, skipped = plan_route(
            catalog,
            route,
            needs,
            policy=policy,
            auto=options.fallback == "auto",
            max_price=options.max_fallback_price,
        )
        return PreparedChat(body, candidates, skipped, needs)

    def _needs_catalog(self, options: ChatOptions) -> bool:
        return self._policy(options) != "off" or options.fallback == "auto"

    def _catalog_sources(self) -> Catalog:
        raise NotImplementedError

    @property
    def catalog(self) -> Catalog:
        """The model catalog (created on first use; loaded on first lookup)."""
        if self._catalog is None:
            self._catalog = self._catalog_sources()
        return self._catalog

    def _give_up(self, run: RouteRun, error: OpenRouterError) -> OpenRouterError:
        """The error to raise when a route stops: the error itself for a one-model
        route, else :class:`AllModelsFailedError` listing every attempt."""
        tried = [a for a in run.attempts if not a.skipped]
        if len(tried) <= 1:
            return error
        failure = run.exhausted()
        failure.__cause__ = error
        return failure


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
