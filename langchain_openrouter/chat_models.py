"""``ChatOpenRouter``: OpenRouter's chat models as a LangChain chat model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LangSmithParams, ModelProfile
from langchain_core.language_models.base import LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from langchain_core.outputs import ChatResult as LCChatResult
from langchain_core.runnables import Runnable
from langchain_core.utils import from_env, secret_from_env
from pydantic import BaseModel, ConfigDict, Field, SecretStr

from openrouter_core import Catalog, ChatOptions, SharedClients, split_chat_kwargs
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.capabilities import CapabilityPolicy
from openrouter_core.settings import validate_base_url

from ._client import clients_for
from ._messages import result_to_chat_result, to_openrouter_messages
from ._profile import profile_from_model_info
from ._streaming import StreamConverter
from ._tools import (
    StructuredMethod,
    ToolChoice,
    ToolLike,
    attach_parser,
    check_route,
    format_tool,
    json_schema_response_format,
    model_info,
    normalize_tool_choice,
    output_parser,
    resolve_structured_method,
)

__all__ = ["ChatOpenRouter"]

#: Constructor fields sent as request parameters when set.
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
    "n",
    "reasoning",
    "verbosity",
    "provider",
    "models",
    "route",
    "plugins",
    "user",
    "session_id",
)
#: Call keywords LangChain itself handles.
_IGNORED_KWARGS = frozenset({"stream", "ls_structured_output_format"})


class ChatOpenRouter(ExplicitKeyPickling, BaseChatModel):
    """OpenRouter chat models: hundreds of models behind one API, with fallbacks.

    Setup:
        Install ``openrouter-integrations[langchain]`` and set ``OPENROUTER_API_KEY``.

        .. code-block:: bash

            pip install "openrouter-integrations[langchain]"
            export OPENROUTER_API_KEY="sk-or-..."

    Key init args — completion params:
        model: str
            OpenRouter model id, e.g. ``"openai/gpt-4o-mini"`` (alias ``model_name``).
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
        models, route, provider, plugins:
            OpenRouter's server-side fallbacks, provider preferences and plugins.
        capability_check: "error" | "warn" | "off"
            Check requests (and ``bind_tools`` / ``with_structured_output``)
            against the catalog before sending.

    Key init args — client:
        api_key: SecretStr | None
            Default ``$OPENROUTER_API_KEY``.
        base_url: str | None
            Default ``$OPENROUTER_BASE_URL`` or ``https://openrouter.ai/api/v1``.
        timeout, max_retries, app_url, app_title, app_categories, default_headers:
            Connection settings and attribution. Clients are shared process-wide.

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

    model: str = Field(default="openai/gpt-4o-mini", alias="model_name")
    """OpenRouter model id (``author/slug``, optionally with a ``:variant``)."""
    api_key: SecretStr | None = Field(
        default_factory=secret_from_env("OPENROUTER_API_KEY", default=None)
    )
    """OpenRouter API key; default ``$OPENROUTER_API_KEY``."""
    base_url: str | None = Field(default_factory=from_env("OPENROUTER_BASE_URL", default=None))
    """API base URL; default ``$OPENROUTER_BASE_URL`` or OpenRouter's."""
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
    n: int | None = None
    reasoning: dict[str, Any] | None = None
    """``{"effort": ...}`` or ``{"max_tokens": ...}``, optionally ``"exclude": True``."""
    verbosity: Literal["low", "medium", "high", "max"] | None = None
    provider: dict[str, Any] | None = None
    """Provider routing preferences (``order``, ``only``, ``sort``, ``max_price``...)."""
    fallback_models: list[str] | None = None
    """Client-side fallback route, tried in order after ``model``."""
    models: list[str] | None = None
    """Server-side fallback list (OpenRouter walks it itself)."""
    fallback: Literal["auto"] | None = None
    """``"auto"``: add catalog-chosen substitutes to the client-side route."""
    max_fallback_price: float | None = None
    """Price ceiling (USD per token) for ``fallback="auto"`` substitutes."""
    route: Literal["fallback", "sort"] | None = None
    plugins: list[dict[str, Any]] | None = None
    user: str | None = None
    session_id: str | None = None
    timeout: float | None = None
    """Seconds to wait for a reply (and between streamed chunks)."""
    max_retries: int = 2
    streaming: bool = False
    """Stream even on ``invoke`` (callbacks then see every token)."""
    capability_check: CapabilityPolicy = "error"
    app_url: str | None = None
    """Attribution: your app's URL (``HTTP-Referer``)."""
    app_title: str | None = None
    """Attribution: your app's name (``X-OpenRouter-Title``)."""
    app_categories: list[str] | None = None
    """Attribution: marketplace categories (``X-OpenRouter-Categories``)."""
    default_headers: dict[str, str] | None = None
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Any other request parameters, sent as given."""
    rate_limit: Any = Field(default=None, exclude=True)
    """Asked before every HTTP attempt (retries and fallbacks included): an
    ``openrouter_core.TokenBucket``, ``openrouter_core.ray.SharedRateLimit`` or
    LangChain ``BaseRateLimiter``. Unlike ``rate_limiter`` (once per invoke)."""

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        if self.base_url:
            # After validation, so the error is ours (and never echoes the URL).
            validate_base_url(self.base_url, allow_insecure_http=True)

    # ------------------------------------------------------------------ LangChain plumbing

    def _key_from_env(self, value: str) -> Any:
        return SecretStr(value)

    @property
    def _llm_type(self) -> str:
        return "openrouter-chat"

    @property
    def model_name(self) -> str:
        """Alias of :attr:`model`."""
        return self.model

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "OPENROUTER_API_KEY"}

    @classmethod
    def is_lc_serializable(cls) -> bool:
        return True

    @classmethod
    def get_lc_namespace(cls) -> list[str]:
        return ["langchain_openrouter", "chat_models"]

    @property
    def _default_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        for name in _REQUEST_FIELDS:
            value = getattr(self, name)
            if value is not None:
                params[name] = value
        if self.stop:
            params["stop"] = self.stop
        return params

    @property
    def _identifying_params(self) -> dict[str, Any]:
        params = self._default_params
        if self.fallback_models:
            params["fallback_models"] = self.fallback_models
        if self.fallback:
            params["fallback"] = self.fallback
        if self.model_kwargs:
            params["model_kwargs"] = self.model_kwargs
        return params

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        params = LangSmithParams(
            ls_provider="openrouter",
            ls_model_name=str(kwargs.get("model") or self.model),
            ls_model_type="chat",
        )
        temperature = kwargs.get("temperature", self.temperature)
        if temperature is not None:
            params["ls_temperature"] = temperature
        max_tokens = kwargs.get("max_tokens", self.max_tokens or self.max_completion_tokens)
        if max_tokens is not None:
            params["ls_max_tokens"] = max_tokens
        stops = stop or kwargs.get("stop") or self.stop
        if stops:
            params["ls_stop"] = [stops] if isinstance(stops, str) else list(stops)
        return params

    def _resolve_model_profile(self) -> ModelProfile | None:
        """The profile from the catalog already on this machine (memory or disk
        cache); never a network call at construction. Use :meth:`load_profile` to
        fetch the catalog first."""
        catalog = self._clients().catalog
        if not catalog.load_cached():
            return None
        info = catalog.find(self.model)
        return profile_from_model_info(info) if info is not None else None

    def load_profile(self) -> ModelProfile | None:
        """Refresh the catalog from the network (when it answers), then set and return
        :attr:`profile` from it."""
        catalog = self._clients().sync.ensure_catalog()
        info = catalog.find(self.model)
        if info is not None:
            self.profile = profile_from_model_info(info)
        return self.profile

    # ------------------------------------------------------------------ clients and requests

    def _clients(self) -> SharedClients:
        return clients_for(
            api_key=self.api_key,
            base_url=self.base_url,
            timeout=self.timeout,
            max_retries=self.max_retries,
            app_url=self.app_url,
            app_title=self.app_title,
            app_categories=self.app_categories,
            default_headers=self.default_headers,
            capability_check=self.capability_check,
            rate_limit=self.rate_limit,
        )

    def _catalog(self) -> Catalog | None:
        """The freshest catalog at hand without a network call (memory, disk cache or
        the bundled snapshot), or ``None`` when capability checks are off."""
        if self.capability_check == "off":
            return None
        return self._clients().catalog.current()

    def _route(self) -> list[str]:
        return [self.model, *(self.fallback_models or ())]

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
        body["messages"] = to_openrouter_messages(messages)
        return body, options

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LCChatResult:
        body, options = self._build_request(messages, stop, kwargs)
        result = self._clients().sync.chat(body, **vars(options))
        return result_to_chat_result(result)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LCChatResult:
        body, options = self._build_request(messages, stop, kwargs)
        result = await self._clients().async_client().chat(body, **vars(options))
        return result_to_chat_result(result)

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        body, options = self._build_request(messages, stop, kwargs)
        stream = self._clients().sync.chat_stream(body, **vars(options))
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
        stream = await self._clients().async_client().chat_stream(body, **vars(options))
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
        """Bind tools (LangChain tools, functions, pydantic classes, JSON schemas or
        OpenRouter server tools) to the model.

        Args:
            tools: the tools.
            tool_choice: ``"auto"``, ``"none"``, ``"required"`` / ``"any"`` / ``True``
                (call some tool), or a tool's name (call that tool).
            strict: ask for arguments that follow the schema exactly.
            parallel_tool_calls: allow several tool calls in one turn.
            kwargs: more request parameters to bind.

        Raises:
            openrouter_core.CapabilityError: the catalog says no model of the route
                supports tool calling (or forcing a tool); nothing was sent.
        """
        formatted = [format_tool(t, strict=strict) for t in tools]
        choice = normalize_tool_choice(tool_choice, formatted)
        fragment: dict[str, Any] = {"tools": formatted}
        if choice is not None:
            fragment["tool_choice"] = choice
        if parallel_tool_calls is not None:
            fragment["parallel_tool_calls"] = parallel_tool_calls
        check_route(self._catalog(), self._route(), fragment, policy=self.capability_check)
        return super().bind(**fragment, **kwargs)

    def with_structured_output(
        self,
        schema: dict[str, Any] | type | None = None,
        *,
        method: StructuredMethod | None = None,
        include_raw: bool = False,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, dict[str, Any] | BaseModel]:
        """A runnable returning output shaped like ``schema``.

        Args:
            schema: a pydantic class, TypedDict, JSON schema or OpenAI function schema.
            method: ``"json_schema"`` (default: native structured outputs where the
                catalog lists them, else ``"function_calling"``, else ``"json_mode"``),
                ``"function_calling"`` or ``"json_mode"``.
            include_raw: return ``{"raw", "parsed", "parsing_error"}`` instead.
            strict: ask for output that follows the schema exactly.

        Raises:
            openrouter_core.CapabilityError: the model supports none of the methods
                (or not the one asked for); nothing was sent.
        """
        if kwargs:
            raise ValueError(f"Unsupported arguments: {sorted(kwargs)}")
        if schema is None and method != "json_mode":
            raise ValueError("schema is required unless method='json_mode'")
        catalog = self._catalog()
        info = model_info(catalog, self.model, self.capability_check)
        chosen = resolve_structured_method(method, info, catalog, self.capability_check)
        trace = {"kwargs": {"method": chosen, "strict": strict}, "schema": schema}
        llm: Runnable[LanguageModelInput, Any]
        if chosen == "function_calling":
            llm = self.bind_tools(
                [schema],  # type: ignore[list-item]
                tool_choice=format_tool(schema, strict=strict)["function"]["name"],  # type: ignore[arg-type]
                strict=strict,
                parallel_tool_calls=False,
                ls_structured_output_format=trace,
            )
        else:
            response_format = (
                json_schema_response_format(schema, strict=strict)
                if chosen == "json_schema"
                else {"type": "json_object"}
            )
            if chosen == "json_mode":
                trace = {"kwargs": {"method": chosen}, "schema": schema}
            check_route(
                catalog,
                self._route(),
                {"response_format": response_format},
                policy=self.capability_check,
            )
            llm = self.bind(response_format=response_format, ls_structured_output_format=trace)
        return attach_parser(llm, output_parser(schema, chosen), include_raw=include_raw)
