"""``OpenRouter``: OpenRouter's chat models as a LlamaIndex ``FunctionCallingLLM``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.llms.generic_utils import (
    messages_to_prompt as generic_messages_to_prompt,
)
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
)
from llama_index.core.bridge.pydantic import ConfigDict, Field, PrivateAttr, model_validator
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.llm import ToolSelection

from openrouter_core import Catalog, ChatOptions, ModelInfo, split_chat_kwargs
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.model_ids import is_router
from openrouter_core.settings import (
    DEFAULT_BASE_URL,
    DEFAULT_MAX_CONCURRENT_REQUESTS,
    validate_base_url,
)

from ._messages import (
    result_to_chat_response,
    result_to_completion_response,
    to_openrouter_messages,
)
from ._metadata import MetadataCache
from ._peer_compat import (
    asked_by_tool_calling_entry_point,
    fold_peer_keywords,
    keywords_of,
    layered_call_kwargs,
    refuse_request_options,
    refuse_unknown_keywords,
)
from ._shared import ClientSource, OwnHTTP, clients_of, resolve_api_base, resolve_api_key
from ._streaming import astream_responses, stream_responses, wants_logprobs
from ._structured import StructuredOutputsLLM
from ._tools import keep_first_tool_call, prepare_tool_kwargs, tool_selections

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["DEFAULT_MODEL", "OpenRouter"]

DEFAULT_MODEL = "openai/gpt-4o-mini"
#: Call keywords LlamaIndex itself handles (or the peer's endpoint switch).
_IGNORED_KWARGS = frozenset({"formatted", "use_chat_completions"})
#: Constructor keywords that are not fields: the peer's (folded into fields) and the
#: caller's own ``httpx`` clients (kept privately).
_EXTRA_KEYWORDS = frozenset(
    {"order", "allow_fallbacks", "max_new_tokens", "extra_body", "api_type"}
    | {"http_client", "async_http_client"}
)
#: Fields sent under their own name when set.
_FIELDS_SENT: tuple[str, ...] = ("temperature", "max_tokens", "provider", "models", "route")
_FIELDS_SENT += ("reasoning", "reasoning_effort", "modalities")
ReasoningEffort = Literal["none", "minimal", "low", "medium", "high", "xhigh", "max"]


class OpenRouter(ExplicitKeyPickling, StructuredOutputsLLM):
    """OpenRouter: hundreds of models behind one API, with fallbacks and capability checks.

    Every request goes through the shared ``openrouter_core`` client (pooled
    connections, typed errors, retries, catalog-driven capability checks and
    client-side fallback routing). ``metadata`` comes from OpenRouter's live model
    catalog (context window, output limit, tool calling). It also takes the
    constructor keywords of ``llama-index-llms-openrouter`` (``order``,
    ``allow_fallbacks``, ``reasoning_effort``, ``http_client``...); any other
    unknown keyword is refused, naming the closest valid ones.

    Setup:
        .. code-block:: bash

            pip install "openrouter-integrations[llama-index]"
            export OPENROUTER_API_KEY="sk-or-..."

    Args:
        model: OpenRouter model id, e.g. ``"openai/gpt-4o-mini"``.
        temperature, max_tokens: sampling temperature and output budget (``None``:
            the model's defaults).
        additional_kwargs: more request parameters sent with every call (``top_p``,
            ``seed``, ``plugins``, ``response_format``...; unknown ones are sent as
            given). The entries of its ``extra_body`` dict go into the top level of the
            request, as given. A keyword given to a call wins over these, and these
            win over the fields below.
        api_key: default ``$OPENROUTER_API_KEY``.
        api_base: default ``$OPENROUTER_BASE_URL`` (or ``$OPENROUTER_API_BASE``), else
            ``https://openrouter.ai/api/v1``.
        max_retries, timeout: retries of retryable failures; seconds per reply
            (and between streamed chunks).
        provider: provider preferences (``order``, ``only``, ``sort``, ``max_price``...);
            ``order=`` and ``allow_fallbacks=`` given as keywords are merged into it.
            Provider preferences from several places (this field, ``additional_kwargs``,
            a call) are merged key by key.
        fallback_models: client-side route tried in order when the model fails
            before answering (rate limits, outages); models the catalog says cannot
            serve the request are skipped.
        models: OpenRouter's server-side fallback list.
        fallback: ``"auto"`` adds catalog-chosen substitutes to the client-side route
            (``max_fallback_price`` caps their USD price per token).
        reasoning: ``{"effort": "low"|"medium"|"high"}`` or ``{"max_tokens": N}``;
            ``reasoning_effort="low"`` is short for ``reasoning={"effort": "low"}``
            (merged with ``reasoning``).
        logprobs, top_logprobs: ask for token logprobs (``top_logprobs`` alternatives
            per token); they come back in ``ChatResponse.logprobs``.
        modalities, audio_config: output modalities (e.g. ``["text", "image"]``) and
            audio output settings (sent as ``audio``).
        strict: default ``strict`` of tool schemas (a call's ``strict=`` wins).
        capability_check: ``"error"`` (default), ``"warn"`` or ``"off"``: check each
            request against the catalog before sending it.
        app_url, app_title, app_categories, default_headers: attribution and extra headers.
        context_window: overrides the catalog's context window (e.g. offline with
            ``capability_check="off"``).
        is_function_calling_model: overrides the catalog's answer in ``metadata``.
        is_chat_model: ``False`` makes LlamaIndex format prompts as text; ``chat()``
            then sends ``messages_to_prompt(messages)`` as one user message.
        completion_to_prompt, messages_to_prompt, system_prompt: LlamaIndex's prompt
            hooks; ``complete()`` applies ``completion_to_prompt`` unless
            ``formatted=True``.
        should_use_structured_outputs: ``structured_predict`` asks for JSON following
            the output class's schema (``response_format`` ``json_schema``, strict)
            instead of a forced tool call.
        http_client, async_http_client: your own ``httpx.Client`` / ``httpx.AsyncClient``
            for this object's requests (used as given: never modified or closed).
        reuse_client, api_version, tokenizer: accepted for compatibility, unused:
            connections are always pooled; OpenRouter has no API versions; OpenRouter
            counts tokens, and LlamaIndex's prompt helpers use ``Settings.tokenizer``.
        rate_limit: asked before every HTTP attempt (see ``openrouter_core.TokenBucket``).

    Example:
        .. code-block:: python

            from llama_index.core.llms import ChatMessage
            from llama_index_openrouter import OpenRouter

            llm = OpenRouter(
                model="openai/gpt-4o-mini", fallback_models=["anthropic/claude-3.5-haiku"]
            )
            response = llm.chat([ChatMessage(role="user", content="Capital of France?")])
            print(response.message.content)           # "The capital of France is Paris."
            response.additional_kwargs["model"]       # the model that answered
            response.additional_kwargs["cost"]        # USD

            for chunk in llm.stream_complete("Write a haiku about routers"):
                print(chunk.delta, end="")

    Tools and agents:
        .. code-block:: python

            from llama_index.core.agent.workflow import FunctionAgent

            def get_weather(city: str) -> str:
                \"\"\"Current weather of a city.\"\"\"
                return "sunny"

            agent = FunctionAgent(tools=[get_weather], llm=llm)
            print(await agent.run("Weather in Paris?"))

        ``chat_with_tools`` (and so ``FunctionAgent``) on a model the catalog says
        has no tool calling raises ``openrouter_core.CapabilityError`` naming capable
        models, before sending.

    Structured output: ``llm.structured_predict(Answer, PromptTemplate(...))`` and
    ``llm.as_structured_llm(Answer)`` use tool calling where the model has it.

    Reasoning: with ``reasoning={"effort": "low"}`` replies carry a ``ThinkingBlock``
    (streamed as ``additional_kwargs["thinking_delta"]``); ``reasoning_details``
    are sent back on the next turn unchanged.
    """

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    model: str = Field(default=DEFAULT_MODEL, description="The OpenRouter model id.")
    temperature: float | None = Field(default=None, ge=0.0, le=2.0)
    max_tokens: int | None = Field(default=None, gt=0, description="Output token budget.")
    additional_kwargs: dict[str, Any] = Field(
        default_factory=dict, description="More request parameters sent with every call."
    )
    max_retries: int = Field(default=2, ge=0)
    timeout: float | None = Field(default=None, gt=0, description="Seconds per reply.")
    api_key: str | None = Field(default=None, exclude=True, repr=False)
    api_base: str = Field(default=DEFAULT_BASE_URL)
    provider: dict[str, Any] | None = Field(default=None, description="Provider preferences.")
    fallback_models: list[str] = Field(default_factory=list)
    models: list[str] | None = Field(default=None, description="Server-side fallback list.")
    fallback: Literal["auto"] | None = None
    max_fallback_price: float | None = None
    route: Literal["fallback", "sort"] | None = None
    reasoning: dict[str, Any] | None = None
    reasoning_effort: ReasoningEffort | None = None
    logprobs: bool | None = None
    top_logprobs: int | None = Field(default=None, ge=0, le=20)
    modalities: list[str] | None = None
    audio_config: dict[str, Any] | None = None
    strict: bool = Field(default=False, description="Default `strict` of tool schemas.")
    capability_check: Literal["error", "warn", "off"] = "error"
    app_url: str | None = None
    app_title: str | None = None
    app_categories: list[str] | None = None
    default_headers: dict[str, str] | None = None
    rate_limit: Any = Field(
        default=None, exclude=True, description="Asked before every HTTP attempt."
    )
    max_concurrent_requests: int = Field(
        default=DEFAULT_MAX_CONCURRENT_REQUESTS,
        ge=1,
        description="Requests in flight at once per shared client.",
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Override of the catalog's context window."
    )
    is_chat_model: bool = Field(default=True, description="False: prompts are formatted as text.")
    is_function_calling_model: bool | None = Field(
        default=None, description="Override of the catalog's tool-calling flag."
    )
    reuse_client: bool = Field(default=True, description="Unused: clients are always pooled.")
    api_version: str | None = Field(default=None, description="Unused by OpenRouter.")
    tokenizer: Any = Field(default=None, exclude=True, description="Unused.")
    _metadata_cache: MetadataCache = PrivateAttr(default_factory=MetadataCache)
    _own_http: OwnHTTP | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        own = OwnHTTP(data.pop("http_client", None), data.pop("async_http_client", None))
        super().__init__(**data)
        self._note_key_source(data)
        # After validation, so the error is ours (and never echoes the URL).
        validate_base_url(self.api_base, allow_insecure_http=True)
        if own:
            self._own_http = own

    @model_validator(mode="before")
    @classmethod
    def _from_env(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            fold_peer_keywords(data)
            refuse_unknown_keywords(cls.__name__, data, keywords_of(cls, _EXTRA_KEYWORDS))
            data["api_key"] = resolve_api_key(data.get("api_key"))
            data["api_base"] = resolve_api_base(data.get("api_base"))
        return data

    @classmethod
    def class_name(cls) -> str:
        return "OpenRouter_LLM"

    # ------------------------------------------------------------------ clients and catalog

    def _clients(self) -> ClientSource:
        shared = clients_of(self)
        own = self._own_http
        return own.clients(shared) if own else shared

    @property
    def catalog(self) -> Catalog:
        """The freshest model catalog at hand, without a network call (memory, disk
        cache or the bundled snapshot); shared by every object of its catalog source.
        Requests refresh it when it is stale."""
        return self._clients().catalog.current()

    @property
    def model_info(self) -> ModelInfo | None:
        """The catalog entry of :attr:`model` (``None`` for routers such as
        ``openrouter/auto``, and for an id the catalog at hand does not know but may
        not refuse); an unknown id raises ``UnknownModelError`` against a live catalog."""
        if is_router(self.model):
            return None
        return self.catalog.lookup(self.model, policy=self.capability_check)

    @property
    def metadata(self) -> LLMMetadata:
        """Facts from the catalog: ``context_window`` is the smallest context length
        along the route (model, ``models``, ``fallback_models``); ``num_output`` is
        ``max_tokens``, else the catalog's output limit, capped at half the window
        (so prompts keep room where a model shares its whole window with the output);
        ``is_function_calling_model`` says whether a tool-calling request can be
        served: the model lists ``tools``, or a model of ``fallback_models`` does, or
        ``fallback="auto"`` finds one. ``context_window=``,
        ``is_function_calling_model=`` and ``is_chat_model=`` override these.

        A model without fixed facts (a router such as ``openrouter/auto``, or an
        unknown id under ``capability_check="off"``) gets the catalog's smallest
        context window unless ``context_window`` is given.

        LlamaIndex code that asks for tool calling (``FunctionAgent``,
        ``FunctionCallingProgram``, ``predict_and_call``) reads this first and,
        seeing ``False``, refuses the model with a generic ``ValueError`` (or emulates
        tools through text prompts). That code is told ``True``, so that its request
        meets the capability check: an ``openrouter_core.CapabilityError`` naming
        capable models, before anything is sent (or, under ``capability_check="warn"``
        or ``"off"``, the request is sent)."""
        metadata = self._metadata_cache.get(self)
        if (
            not metadata.is_function_calling_model
            and self.is_function_calling_model is None
            and asked_by_tool_calling_entry_point()
        ):
            return metadata.model_copy(update={"is_function_calling_model": True})
        return metadata

    def to_payload(self) -> dict[str, Any]:
        """What instrumentation events record of this LLM on every call: cheap (no
        catalog lookup) and without credentials."""
        return {
            "class_name": self.class_name(),
            "model_name": self.model,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "fallback_models": list(self.fallback_models),
            "api_base": self.api_base,
        }

    # ------------------------------------------------------------------ requests

    def _field_kwargs(self) -> dict[str, Any]:
        """The request keywords this object's fields set."""
        fields: dict[str, Any] = {"model": self.model}
        for name in _FIELDS_SENT:
            value = getattr(self, name)
            if value is not None:
                fields[name] = value
        if self.logprobs:
            fields["logprobs"] = True
            if self.top_logprobs is not None:
                fields["top_logprobs"] = self.top_logprobs
        if self.audio_config is not None:
            fields["audio"] = self.audio_config
        return fields

    def _request(
        self, messages: list[dict[str, Any]], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        """The request body and the routing options of one call: the call's keywords
        over ``additional_kwargs`` over the fields."""
        call = {k: v for k, v in kwargs.items() if k not in _IGNORED_KWARGS}
        refuse_request_options(call)
        merged = layered_call_kwargs(self._field_kwargs(), self.additional_kwargs, call)
        options = ChatOptions(
            tuple(self.fallback_models),
            self.fallback,
            self.max_fallback_price,
            self.capability_check,
        )
        body, options = split_chat_kwargs({}, merged, options=options)
        body["messages"] = messages
        return body, options

    def _chat_request(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        if not self.is_chat_model:
            flatten = self.messages_to_prompt or generic_messages_to_prompt
            return self._prompt_request(flatten(messages), kwargs)
        return self._request(to_openrouter_messages(messages), kwargs)

    def _prompt_request(
        self, prompt: str, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        return self._request([{"role": "user", "content": prompt}], kwargs)

    def _completion_request(
        self, prompt: str, formatted: bool, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        if not formatted and self.completion_to_prompt is not None:
            prompt = self.completion_to_prompt(prompt)
        return self._prompt_request(prompt, kwargs)

    # ------------------------------------------------------------------ chat and complete

    @llm_chat_callback()
    def chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body, routing = self._chat_request(messages, kwargs)
        return result_to_chat_response(self._clients().sync.chat(body, **vars(routing)))

    @llm_chat_callback()
    async def achat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponse:
        body, routing = self._chat_request(messages, kwargs)
        result = await self._clients().async_client().chat(body, **vars(routing))
        return result_to_chat_response(result)

    @llm_completion_callback()
    def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> CompletionResponse:
        body, routing = self._completion_request(prompt, formatted, kwargs)
        return result_to_completion_response(self._clients().sync.chat(body, **vars(routing)))

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        body, routing = self._completion_request(prompt, formatted, kwargs)
        result = await self._clients().async_client().chat(body, **vars(routing))
        return result_to_completion_response(result)

    # The request is planned (validated, capability-checked) when these are called;
    # the HTTP call starts with the first chunk read.

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        body, routing = self._chat_request(messages, kwargs)
        stream = self._clients().sync.chat_stream(body, **vars(routing))
        return stream_responses(stream, chat=True, logprobs=wants_logprobs(body))

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        body, routing = self._chat_request(messages, kwargs)
        stream = await self._clients().async_client().chat_stream(body, **vars(routing))
        return astream_responses(stream, chat=True, logprobs=wants_logprobs(body))

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        body, routing = self._completion_request(prompt, formatted, kwargs)
        stream = self._clients().sync.chat_stream(body, **vars(routing))
        return stream_responses(stream, chat=False, logprobs=wants_logprobs(body))

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        body, routing = self._completion_request(prompt, formatted, kwargs)
        stream = await self._clients().async_client().chat_stream(body, **vars(routing))
        return astream_responses(stream, chat=False, logprobs=wants_logprobs(body))

    # ------------------------------------------------------------------ tool calling

    def _prepare_chat_with_tools(
        self,
        tools: Sequence[BaseTool],
        user_msg: str | ChatMessage | None = None,
        chat_history: list[ChatMessage] | None = None,
        verbose: bool = False,
        allow_parallel_tool_calls: bool = False,
        tool_required: bool = False,
        tool_choice: str | dict[str, Any] | None = None,
        strict: bool | None = None,
        **kwargs: Any,
    ) -> dict[str, Any]:
        """The ``chat`` keywords of a tool-calling turn.

        ``tool_required`` forces some tool (``tool_choice="required"``);
        ``tool_choice`` may also name one tool, or be ``"auto"`` / ``"none"``;
        ``strict`` asks for arguments that follow the schemas exactly (default: the
        ``strict`` field). Without tools, ``tools`` and ``tool_choice`` are ``None``
        (nothing is sent). The caller's ``chat_history`` is not changed.
        """
        return prepare_tool_kwargs(
            tools,
            user_msg,
            chat_history,
            strict=strict if strict is not None else (self.strict or None),
            choice=tool_choice,
            required=tool_required,
            parallel=allow_parallel_tool_calls,
            **kwargs,
        )

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Without parallel tool calls, keep only the first call of the reply."""
        if not allow_parallel_tool_calls:
            keep_first_tool_call(response.message)
        return response

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The tool calls of a reply (partial arguments of a streamed chunk are completed).

        Arguments that are not a JSON object give ``{}``; a call whose arguments are
        not valid JSON (listed in the message's ``additional_kwargs["invalid_tool_calls"]``
        with the raw text) also gets a ``UserWarning`` that says so."""
        selections = tool_selections(response, self.model)
        if not selections and error_on_no_tool_call:
            raise ValueError(
                f"Expected at least one tool call, but got 0 tool calls (reply of {self.model})."
            )
        return selections
