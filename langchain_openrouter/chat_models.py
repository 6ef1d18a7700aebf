"""``ChatOpenRouter``: OpenRouter's chat models as a LangChain chat model.

A drop-in for the official ``langchain-openrouter``: the same class path, field
names, aliases, environment variables and serialised form (see
``docs/migration.md`` for every deliberate difference and how to restore the
official behaviour).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, ModelProfile
from langchain_core.language_models.base import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk, ChatResult as LCChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils import from_env, secret_from_env
from pydantic import AliasChoices, BaseModel, ConfigDict, Field, SecretStr, model_validator

from openrouter_core import (
    Catalog,
    ChatOptions,
    ConfigurationError,
    OpenRouterClient,
    SharedClients,
    _json,
    split_chat_kwargs,
)
from openrouter_core._base_client import parse_chat
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core._responses_convert import chat_result_from_responses, responses_body_from_chat
from openrouter_core.capabilities import CapabilityPolicy, estimate_prompt_tokens

from ._blocks import register as _register_content_blocks
from ._client import check_connection, clients_of

# The official package's module-level helpers, importable from here as there
# (``X as X``: a deliberate re-export).
from ._compat import (
    _convert_chunk_to_message_chunk as _convert_chunk_to_message_chunk,
    _convert_dict_to_message as _convert_dict_to_message,
    _convert_file_block_to_openrouter as _convert_file_block_to_openrouter,
    _convert_message_to_dict as _convert_message_to_dict,
    _convert_video_block_to_openrouter as _convert_video_block_to_openrouter,
    _create_stream_generation_info as _create_stream_generation_info,
    _create_usage_metadata as _create_usage_metadata,
    _format_message_content as _format_message_content,
)
from ._construction import (
    known_names,
    move_unknown_to_model_kwargs,
    timeout_seconds,
    warn_short_timeout,
)
from ._messages import result_to_chat_result, to_openrouter_messages
from ._profile import profile_from_model_info
from ._streaming import StreamConverter, aresponses_chunks, responses_chunks
from ._tools import ToolChoice, ToolLike, bind_tools_to, structured_output_of

__all__ = ["ChatOpenRouter"]

_register_content_blocks()  # content_blocks of OpenRouter replies: images and citations

#: Fields sent as request parameters when set (``n`` only above 1, ``session_id``
#: only when not empty, as the official package does).
_REQUEST_FIELDS = (
    "temperature",
    "max_tokens",
    "max_completion_tokens",
    "top_p",
    "top_k",
    "min_p",
    "top_a",
    "frequency_penalty",
    "presence_penalty",
    "repetition_penalty",
    "seed",
    "logit_bias",
    "logprobs",
    "top_logprobs",
    "stop",
    "reasoning",
    "verbosity",
    "models",
    "route",
    "plugins",
    "user",
    "trace",
)
#: Call keywords LangChain itself handles.
_IGNORED_KWARGS = frozenset({"stream", "ls_structured_output_format", "stream_usage"})
_DEFAULT_APP_URL = "https://docs.langchain.com"
_DEFAULT_APP_TITLE = "LangChain"


class ChatOpenRouter(ExplicitKeyPickling, BaseChatModel):
    """OpenRouter chat models: hundreds of models behind one API, with fallbacks.

    Setup:
        Install ``openrouter-integrations[langchain]`` and set ``OPENROUTER_API_KEY``.

        .. code-block:: bash

            pip install "openrouter-integrations[langchain]"
            export OPENROUTER_API_KEY="sk-or-..."

    Key init args — completion params:
        model: str
            OpenRouter model id, e.g. ``"openai/gpt-4o-mini"`` (field ``model_name``).
        temperature, top_p, top_k, min_p, top_a: float | int | None
            Sampling parameters.
        max_tokens / max_completion_tokens: int | None
            Output budget.
        frequency_penalty, presence_penalty, repetition_penalty, seed, stop, logit_bias,
        logprobs, top_logprobs, n, verbosity:
            The usual OpenAI-style knobs, sent as given.
        reasoning: dict | None
            ``{"effort": "low"|"medium"|"high"}`` or ``{"max_tokens": N}``;
            ``{"exclude": True}`` hides the reasoning text.

    Key init args — routing:
        fallback_models: list[str] | None
            Client-side route: models tried in order when the previous one fails
            before answering (rate limits, outages); a model that cannot serve the
            request (per the catalog) is skipped.
        fallback: "auto" | None
            Add catalog-chosen substitutes to the route.
        models, route, openrouter_provider (alias provider), plugins:
            OpenRouter's server-side fallbacks, provider preferences and plugins.
        session_id, trace:
            Sticky routing of a conversation, and observability metadata.
        capability_check: "error" | "warn" | "off"
            Check requests (and ``bind_tools`` / ``with_structured_output``)
            against the catalog before sending.

    Key init args — client (the official ``langchain-openrouter`` names):
        openrouter_api_key (alias api_key): SecretStr
            Default ``$OPENROUTER_API_KEY``; required.
        openrouter_api_base (alias base_url): str | None
            Default ``$OPENROUTER_API_BASE`` / ``$OPENROUTER_BASE_URL``, else OpenRouter's.
        request_timeout (alias timeout): float | None
            **Milliseconds**, as ``langchain-openrouter`` reads it (default: 10 s to
            connect, 120 s per read).
        max_retries: int
            Retries of a retryable failure on the last model of the route (default 2).
        app_url, app_title, app_categories, default_headers:
            Attribution headers (``HTTP-Referer``, ``X-Title``, ``X-OpenRouter-Categories``;
            defaults ``$OPENROUTER_APP_URL`` / ``"https://docs.langchain.com"`` and
            ``$OPENROUTER_APP_TITLE`` / ``"LangChain"``); ``default_headers`` replace
            them case-insensitively.
        rate_limit:
            Asked before every HTTP attempt (``openrouter_core.TokenBucket``,
            ``openrouter_core.ray.SharedRateLimit`` or a LangChain rate limiter).

        Unknown keywords are moved into ``model_kwargs`` with a warning and sent as
        request parameters (LangChain's convention). Clients are shared process-wide.

    Instantiate:
        .. code-block:: python

            from langchain_openrouter import ChatOpenRouter

            llm = ChatOpenRouter(
                model="openai/gpt-4o-mini",
                temperature=0,
                fallback_models=["anthropic/claude-3.5-haiku"],
            )

    Invoke:
        .. code-block:: python

            msg = llm.invoke([("system", "Answer briefly."), ("human", "Capital of France?")])
            msg.content                                  # "Paris."
            msg.response_metadata["model_name"]          # the model that answered
            msg.response_metadata["cost"]                # USD
            msg.usage_metadata                           # tokens, incl. cache/reasoning

    Stream:
        .. code-block:: python

            for chunk in llm.stream("Write a haiku about routers"):
                print(chunk.text, end="", flush=True)

    Tool calling:
        .. code-block:: python

            from langchain_core.tools import tool

            @tool
            def get_weather(city: str) -> str:
                \"\"\"Current weather of a city.\"\"\"
                return "sunny"

            llm_with_tools = llm.bind_tools([get_weather], tool_choice="auto")
            llm_with_tools.invoke("Weather in Paris?").tool_calls
            # [{"name": "get_weather", "args": {"city": "Paris"}, "id": "...", ...}]

        A model the catalog says has no tool calling fails here, before any
        request, with an ``openrouter_core.CapabilityError`` naming capable models.

    Structured output:
        .. code-block:: python

            from pydantic import BaseModel

            class Answer(BaseModel):
                city: str
                country: str

            llm.with_structured_output(Answer).invoke("Capital of France?")
            # Answer(city="Paris", country="France")

        ``json_schema`` is used where the catalog lists ``structured_outputs``, else
        ``function_calling``, else ``json_mode``.

    Reasoning:
        .. code-block:: python

            thinker = ChatOpenRouter(model="google/gemini-2.5-flash", reasoning={"effort": "low"})
            msg = thinker.invoke("Is 1001 prime?")
            msg.additional_kwargs["reasoning_content"]   # the reasoning text
            [b for b in msg.content_blocks if b["type"] == "reasoning"]
    """

    model_config = ConfigDict(
        populate_by_name=True, protected_namespaces=(), hide_input_in_errors=True
    )

    _key_field = "openrouter_api_key"
    _key_names = ("openrouter_api_key", "api_key")

    model_name: str = Field(alias="model")
    """OpenRouter model id (``author/slug``, optionally with a ``:variant``)."""
    openrouter_api_key: SecretStr | None = Field(
        alias="api_key", default_factory=secret_from_env("OPENROUTER_API_KEY", default=None)
    )
    """OpenRouter API key; default ``$OPENROUTER_API_KEY``."""
    openrouter_api_base: str | None = Field(
        alias="base_url",
        default_factory=from_env(["OPENROUTER_API_BASE", "OPENROUTER_BASE_URL"], default=None),
    )
    """API base URL; default ``$OPENROUTER_API_BASE`` / ``$OPENROUTER_BASE_URL``, else
    OpenRouter's."""
    app_url: str | None = Field(
        default_factory=from_env("OPENROUTER_APP_URL", default=_DEFAULT_APP_URL)
    )
    """Attribution: your app's URL (``HTTP-Referer``)."""
    app_title: str | None = Field(
        default_factory=from_env("OPENROUTER_APP_TITLE", default=_DEFAULT_APP_TITLE)
    )
    """Attribution: your app's name (``X-Title`` and ``X-OpenRouter-Title``)."""
    app_categories: list[str] | None = None
    """Attribution: marketplace categories (``X-OpenRouter-Categories``)."""
    request_timeout: int | None = Field(default=None, alias="timeout")
    """Milliseconds to wait for a reply (and between streamed chunks)."""
    max_retries: int = 2
    temperature: float | None = None
    max_tokens: int | None = None
    max_completion_tokens: int | None = None
    top_p: float | None = None
    top_k: int | None = None
    min_p: float | None = None
    top_a: float | None = None
    frequency_penalty: float | None = None
    presence_penalty: float | None = None
    repetition_penalty: float | None = None
    seed: int | None = None
    stop: list[str] | str | None = Field(default=None, alias="stop_sequences")
    logit_bias: dict[str, float] | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = None
    n: int = Field(default=1, ge=1)
    """Choices per request (must be 1 when streaming)."""
    streaming: bool = False
    """Stream even on ``invoke`` (callbacks then see every token)."""
    stream_usage: bool = True
    """Ask for usage on streams (``stream_options``); False sends none."""
    reasoning: dict[str, Any] | None = None
    """``{"effort": ...}`` or ``{"max_tokens": ...}``, optionally ``"exclude": True``."""
    verbosity: Literal["low", "medium", "high", "max"] | None = None
    openrouter_provider: dict[str, Any] | None = Field(
        default=None, validation_alias=AliasChoices("openrouter_provider", "provider")
    )
    """Provider routing preferences, sent as ``provider`` (``order``, ``only``, ``sort``,
    ``max_price``...); ``provider=`` is accepted too."""
    models: list[str] | None = None
    """Server-side fallback list (OpenRouter walks it itself)."""
    route: Literal["fallback", "sort"] | None = None
    plugins: list[dict[str, Any]] | None = None
    user: str | None = None
    session_id: str | None = Field(default_factory=from_env("OPENROUTER_SESSION_ID", default=None))
    """Groups a conversation's requests (sticky routing); default
    ``$OPENROUTER_SESSION_ID``; empty means unset."""
    trace: dict[str, Any] | None = None
    """Observability metadata sent with each request."""
    fallback_models: list[str] | None = None
    """Client-side fallback route, tried in order after ``model``."""
    fallback: Literal["auto"] | None = None
    """``"auto"``: add catalog-chosen substitutes to the client-side route."""
    max_fallback_price: float | None = None
    """Price ceiling (USD per token) for ``fallback="auto"`` substitutes."""
    capability_check: CapabilityPolicy | None = None
    """``"error"`` (default), ``"warn"`` or ``"off"``: check requests against the catalog."""
    default_headers: dict[str, str] | None = Field(default=None, exclude=True)
    """More headers for every request; they replace attribution headers of any case."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Any other request parameters, sent as given."""
    use_responses_api: bool = False
    """Send ``/responses`` (OpenRouter's stateless Responses API) instead of
    ``/chat/completions``: invoke, stream, tools, structured output and reasoning (its
    items kept in ``additional_kwargs["reasoning_items"]`` and sent back next turn).
    ``store=True`` and ``previous_response_id`` are refused (use ``session_id``)."""
    rate_limit: Any = Field(default=None, exclude=True)
    """Asked before every HTTP attempt (retries and fallbacks included): an
    ``openrouter_core.TokenBucket``, ``openrouter_core.ray.SharedRateLimit`` or
    LangChain ``BaseRateLimiter``. Unlike ``rate_limiter`` (once per invoke)."""
    max_concurrent_requests: int | None = Field(default=None, ge=1)
    """Requests in flight at once per shared client (objects with the same settings
    share it; default 64); further calls wait for a free slot instead of piling up."""

    @model_validator(mode="before")
    @classmethod
    def _build_extra(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return move_unknown_to_model_kwargs(
                dict(values),
                known_names(cls.model_fields),
                known_names(BaseChatModel.model_fields),
            )
        return values

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        check_connection(self)
        if self.n > 1 and self.streaming:
            raise ConfigurationError("n must be 1 when streaming.")
        warn_short_timeout(self.request_timeout)

    # ------------------------------------------------------------------ LangChain plumbing

    def _key_from_env(self, value: str) -> Any:
        return SecretStr(value)

    @property
    def model(self) -> str:
        """The model id (the ``model_name`` field)."""
        return self.model_name

    @property
    def base_url(self) -> str | None:
        """The API base (the ``openrouter_api_base`` field)."""
        return self.openrouter_api_base

    @property
    def _llm_type(self) -> str:
        return "openrouter-chat"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"openrouter_api_key": "OPENROUTER_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_openrouter", "chat_models"]

    @property
    def _policy(self) -> CapabilityPolicy:
        return self.capability_check or "error"

    @property
    def _default_params(self) -> dict[str, Any]:
        """The request body this model sends before messages and call keywords."""
        params: dict[str, Any] = {"model": self.model_name, "stream": self.streaming}
        for name in _REQUEST_FIELDS:
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        if self.n > 1:
            params["n"] = self.n
        if self.openrouter_provider is not None:
            params["provider"] = self.openrouter_provider
        if self.session_id:
            params["session_id"] = self.session_id
        return params

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {
            "model": self.model_name,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "top_p": self.top_p,
            "streaming": self.streaming,
            "reasoning": self.reasoning,
            "openrouter_provider": self.openrouter_provider,
            "route": self.route,
            "model_kwargs": self.model_kwargs,
        }
        for name in ("fallback_models", "fallback", "models", "plugins"):
            value = getattr(self, name)
            if value:
                params[name] = value
        return params

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="openrouter",
            ls_model_name=str(kwargs.get("model") or self.model_name),
            ls_model_type="chat",
            ls_temperature=kwargs.get("temperature", self.temperature),
        )
        max_tokens = kwargs.get("max_tokens", self.max_tokens or self.max_completion_tokens)
        if max_tokens:
            params["ls_max_tokens"] = max_tokens
        stops = stop or kwargs.get("stop") or self.stop
        if stops:
            params["ls_stop"] = [stops] if isinstance(stops, str) else list(stops)
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        """The profile from the freshest catalog at hand (memory, disk cache or the
        bundled snapshot); never a network call. :meth:`load_profile` refreshes."""
        catalog = self._clients().catalog
        if not catalog.load_cached():
            return None
        info = catalog.find(self.model_name)
        return profile_from_model_info(info) if info is not None else None

    def load_profile(self) -> ModelProfile | None:
        """Refresh the catalog from the network (when it answers), then set and return
        :attr:`profile` from it."""
        catalog = self._clients().sync.ensure_catalog()
        info = catalog.find(self.model_name)
        if info is not None:
            self.profile = profile_from_model_info(info)
        return self.profile

    def get_num_tokens(self, text: str) -> int:
        """An estimate (about four characters a token), needing no tokenizer download."""
        return estimate_prompt_tokens([{"content": text}]) - 4

    def get_num_tokens_from_messages(
        self, messages: list[BaseMessage], tools: Sequence[Any] | None = None
    ) -> int:
        """An estimate for a conversation (see :meth:`get_num_tokens`)."""
        return estimate_prompt_tokens(to_openrouter_messages(messages))

    # ------------------------------------------------------------------ clients and requests

    def _clients(self) -> SharedClients:
        return clients_of(
            self,
            timeout=timeout_seconds(self.request_timeout),
            capability_check=self._policy,
        )

    @property
    def client(self) -> OpenRouterClient:
        """The shared sync client this model sends through."""
        return self._clients().sync

    def validate_environment(self) -> ChatOpenRouter:
        """Kept for code written against the official package: the key and URL are
        checked at construction and clients are pooled, so there is nothing to do."""
        return self

    def _create_chat_result(self, response: Any) -> LCChatResult:
        """A reply body (a dict, or an object with ``model_dump``) as a LangChain
        ``ChatResult``; an ``error`` object or a reply without choices raises (a typed
        error that is also a ``ValueError``)."""
        data = response.model_dump(by_alias=True) if hasattr(response, "model_dump") else response
        return result_to_chat_result(parse_chat(_json.dumps(dict(data))))

    def _catalog(self) -> Catalog | None:
        """The freshest catalog at hand without a network call (memory, disk cache or
        the bundled snapshot), or ``None`` when capability checks are off."""
        if self._policy == "off":
            return None
        return self._clients().catalog.current()

    def _route(self) -> list[str]:
        return [self.model_name, *(self.fallback_models or ())]

    def _build_request(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        """The request body and the routing options of one call."""
        options = ChatOptions(
            tuple(self.fallback_models or ()), self.fallback, self.max_fallback_price
        )
        call = {k: v for k, v in kwargs.items() if k not in _IGNORED_KWARGS}
        body, options = split_chat_kwargs(
            self._default_params, self.model_kwargs, call, options=options
        )
        if stop:
            body["stop"] = stop
        elif not body.get("stop"):
            body.pop("stop", None)
        if not body.get("session_id"):
            body.pop("session_id", None)
        body["messages"] = to_openrouter_messages(messages)
        if self.use_responses_api:
            body.pop("stream", None)
            for message, wire in zip(messages, body["messages"], strict=True):
                items = message.additional_kwargs.get("reasoning_items")
                if items and wire["role"] == "assistant":
                    wire["reasoning_items"] = items  # replayed: the API keeps no state
            body = responses_body_from_chat(body)
        return body, options

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LCChatResult:
        body, options = self._build_request(messages, stop, kwargs)
        client = self._clients().sync
        if self.use_responses_api:
            reply = client.responses(body, **vars(options))
            return result_to_chat_result(chat_result_from_responses(reply))
        return result_to_chat_result(client.chat(body, **vars(options)))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LCChatResult:
        body, options = self._build_request(messages, stop, kwargs)
        client = self._clients().async_client()
        if self.use_responses_api:
            reply = await client.responses(body, **vars(options))
            return result_to_chat_result(chat_result_from_responses(reply))
        return result_to_chat_result(await client.chat(body, **vars(options)))

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        body, options = self._build_request(messages, stop, kwargs)
        if self.use_responses_api:
            events = self._clients().sync.responses_stream(body, **vars(options))
            yield from responses_chunks(events)
            return
        stream = self._clients().sync.chat_stream(
            body, **vars(options), include_usage=self.stream_usage
        )
        converter = StreamConverter()
        convert = converter.convert
        try:
            for chunk in stream:
                generation = convert(chunk)
                if generation is not None:
                    yield generation
        finally:
            stream.close()
        yield converter.final_chunk(stream.result())

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        body, options = self._build_request(messages, stop, kwargs)
        client = self._clients().async_client()
        if self.use_responses_api:
            events = await client.responses_stream(body, **vars(options))
            async for piece in aresponses_chunks(events):
                yield piece
            return
        stream = await client.chat_stream(body, **vars(options), include_usage=self.stream_usage)
        converter = StreamConverter()
        convert = converter.convert
        try:
            async for chunk in stream:
                generation = convert(chunk)
                if generation is not None:
                    yield generation
        finally:
            await stream.aclose()
        yield converter.final_chunk(stream.result())

    # ------------------------------------------------------------------ tools and structure

    def bind_tools(
        self,
        tools: Sequence[ToolLike],
        *,
        tool_choice: ToolChoice = None,
        strict: bool | None = None,
        parallel_tool_calls: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        """Bind tools (LangChain tools, functions, pydantic classes, JSON schemas,
        OpenAI function dicts or OpenRouter server tools) to the model.

        Args:
            tools: the tools.
            tool_choice: ``"auto"``, ``"none"``, ``"required"`` / ``"any"`` (call some
                tool), ``True`` (with one tool: call it), a tool's name or a
                ``{"type": "function", ...}`` dict (call that tool).
            strict: ask for arguments that follow the schema exactly.
            parallel_tool_calls: allow several tool calls in one turn.
            kwargs: more request parameters to bind.

        Raises:
            openrouter_core.CapabilityError: the catalog says no model of the route
                supports tool calling (or forcing a tool); nothing was sent.
        """
        fragment = bind_tools_to(
            self._catalog(),
            self._route(),
            tools,
            tool_choice=tool_choice,
            strict=strict,
            parallel_tool_calls=parallel_tool_calls,
            policy=self._policy,
        )
        return super().bind(**fragment, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: Literal["json_schema", "function_calling", "json_mode"] | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """A runnable returning output shaped like ``schema``.

        Args:
            schema: a pydantic class, TypedDict, JSON schema or OpenAI function schema
                (a dict schema gives dicts back).
            method: ``"json_schema"`` (default: native structured outputs where the
                catalog lists them, else ``"function_calling"``, else ``"json_mode"``),
                ``"function_calling"`` (the official package's default) or
                ``"json_mode"``.
            include_raw: return ``{"raw", "parsed", "parsing_error"}`` instead.
            strict: ask for output that follows the schema exactly.
            kwargs: more request parameters to bind (``temperature``...).

        Raises:
            openrouter_core.CapabilityError: the model supports none of the methods
                (or not the one asked for); nothing was sent.
        """
        return structured_output_of(
            self,
            schema,
            method=method,
            include_raw=include_raw,
            strict=strict,
            bound=kwargs,
        )
