"""``OpenRouter``: OpenRouter's chat models as a LlamaIndex ``FunctionCallingLLM``."""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    ChatResponseAsyncGen,
    ChatResponseGen,
    CompletionResponse,
    CompletionResponseAsyncGen,
    CompletionResponseGen,
    LLMMetadata,
    MessageRole,
    ToolCallBlock,
)
from llama_index.core.bridge.pydantic import ConfigDict, Field, PrivateAttr, model_validator
from llama_index.core.llms.callbacks import llm_chat_callback, llm_completion_callback
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.llms.llm import ToolSelection

from openrouter_core import (
    Catalog,
    ChatOptions,
    ModelInfo,
    OpenRouterError,
    SharedClients,
    split_chat_kwargs,
)
from openrouter_core._pickling import ExplicitKeyPickling
from openrouter_core.model_ids import is_router
from openrouter_core.settings import DEFAULT_BASE_URL, validate_base_url

from ._messages import (
    parse_tool_kwargs,
    result_to_chat_response,
    result_to_completion_response,
    to_openrouter_messages,
)
from ._shared import clients_for, resolve_api_base, resolve_api_key
from ._streaming import astream_responses, stream_responses

if TYPE_CHECKING:
    from llama_index.core.tools.types import BaseTool

__all__ = ["DEFAULT_MODEL", "OpenRouter"]

DEFAULT_MODEL = "openai/gpt-4o-mini"
#: Call keywords LlamaIndex itself handles.
_IGNORED_KWARGS = frozenset({"formatted"})
_USER = MessageRole.USER


class OpenRouter(ExplicitKeyPickling, FunctionCallingLLM):
    """OpenRouter: hundreds of models behind one API, with fallbacks and capability checks.

    Every request goes through the shared ``openrouter_core`` client (pooled
    connections, typed errors, retries, catalog-driven capability checks and
    client-side fallback routing). ``metadata`` comes from OpenRouter's live model
    catalog (context window, output limit, tool calling).

    Setup:
        .. code-block:: bash

            pip install "openrouter-integrations[llama-index]"
            export OPENROUTER_API_KEY="sk-or-..."

    Args:
        model: OpenRouter model id, e.g. ``"openai/gpt-4o-mini"``.
        temperature, max_tokens: sampling temperature and output budget (``None``:
            the model's defaults).
        additional_kwargs: more request parameters sent with every call (``top_p``,
            ``seed``, ``plugins``, ``response_format``...; unknown ones are sent as given).
        api_key: default ``$OPENROUTER_API_KEY``.
        api_base: default ``$OPENROUTER_BASE_URL`` or ``https://openrouter.ai/api/v1``.
        max_retries, timeout: retries of retryable failures; seconds per reply
            (and between streamed chunks).
        provider: provider preferences (``order``, ``only``, ``sort``, ``max_price``...).
        fallback_models: client-side route tried in order when the model fails
            before answering (rate limits, outages); models the catalog says cannot
            serve the request are skipped.
        models: OpenRouter's server-side fallback list.
        fallback: ``"auto"`` adds catalog-chosen substitutes to the client-side route
            (``max_fallback_price`` caps their USD price per token).
        reasoning: ``{"effort": "low"|"medium"|"high"}`` or ``{"max_tokens": N}``.
        capability_check: ``"error"`` (default), ``"warn"`` or ``"off"``: check each
            request against the catalog before sending it.
        app_url, app_title, app_categories, default_headers: attribution and extra headers.
        context_window: overrides the catalog's context window (e.g. offline with
            ``capability_check="off"``).

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

        ``chat_with_tools`` on a model the catalog says has no tool calling raises
        ``openrouter_core.CapabilityError`` naming capable models, before sending.

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
    capability_check: Literal["error", "warn", "off"] = "error"
    app_url: str | None = None
    app_title: str | None = None
    app_categories: list[str] | None = None
    default_headers: dict[str, str] | None = None
    rate_limit: Any = Field(
        default=None, exclude=True, description="Asked before every HTTP attempt."
    )
    context_window: int | None = Field(
        default=None, gt=0, description="Override of the catalog's context window."
    )
    _metadata_cache: tuple[tuple[Any, ...], LLMMetadata] | None = PrivateAttr(default=None)

    def __init__(self, **data: Any) -> None:
        super().__init__(**data)
        self._note_key_source(data)
        # After validation, so the error is ours (and never echoes the URL).
        validate_base_url(self.api_base, allow_insecure_http=True)

    @model_validator(mode="before")
    @classmethod
    def _from_env(cls, data: Any) -> Any:
        if isinstance(data, dict):
            data = dict(data)
            data["api_key"] = resolve_api_key(data.get("api_key"))
            data["api_base"] = resolve_api_base(data.get("api_base"))
        return data

    @classmethod
    def class_name(cls) -> str:
        return "OpenRouter_LLM"

    # ------------------------------------------------------------------ clients and catalog

    def _clients(self) -> SharedClients:
        return clients_for(
            api_key=self.api_key,
            api_base=self.api_base,
            timeout=self.timeout,
            max_retries=self.max_retries,
            app_url=self.app_url,
            app_title=self.app_title,
            app_categories=self.app_categories,
            default_headers=self.default_headers,
            rate_limit=self.rate_limit,
            capability_check=self.capability_check,
        )

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
        ``is_function_calling_model`` says whether the model lists ``tools``.

        A model without fixed facts (a router such as ``openrouter/auto``, or an
        unknown id under ``capability_check="off"``) gets the catalog's smallest
        context window unless ``context_window`` is given."""
        try:
            catalog: Catalog | None = self.catalog
        except OpenRouterError:
            if self.context_window is None:
                raise
            catalog = None
        key = (
            self.model,
            self.max_tokens,
            self.context_window,
            tuple(self.models or ()),
            tuple(self.fallback_models),
            self.capability_check,
            id(catalog),
            (catalog.fetched_at, catalog.refresh_count) if catalog is not None else None,
        )
        cached = self._metadata_cache
        if cached is not None and cached[0] == key:
            return cached[1]
        metadata = self._compute_metadata(catalog)
        self._metadata_cache = (key, metadata)
        return metadata

    def _compute_metadata(self, catalog: Catalog | None) -> LLMMetadata:
        window = self.context_window
        limits: list[int] = []
        windows: list[int] = []
        tools = True
        if catalog is not None:
            primary = self.model_info
            tools = primary.supports_tools if primary is not None else True
            route = [self.model, *(self.models or ()), *self.fallback_models]
            for model_id in dict.fromkeys(route):
                info = primary if model_id == self.model else catalog.find(model_id)
                if info is None:
                    continue
                if info.context_window:
                    windows.append(info.context_window)
                if info.max_completion_tokens:
                    limits.append(info.max_completion_tokens)
            if window is None:
                windows = windows or [m.context_window for m in catalog if m.context_window]
                window = min(windows)
        assert window is not None
        output = self.max_tokens or min(min(limits, default=window), window // 2)
        return LLMMetadata(
            context_window=window,
            num_output=output,
            is_chat_model=True,
            is_function_calling_model=tools,
            model_name=self.model,
        )

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

    def _request(
        self, messages: list[dict[str, Any]], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        """The request body and the routing options of one call."""
        body: dict[str, Any] = {"model": self.model}
        if self.temperature is not None:
            body["temperature"] = self.temperature
        if self.max_tokens is not None:
            body["max_tokens"] = self.max_tokens
        for name in ("provider", "models", "route", "reasoning"):
            value = getattr(self, name)
            if value is not None:
                body[name] = value
        options = ChatOptions(tuple(self.fallback_models), self.fallback, self.max_fallback_price)
        call = {k: v for k, v in kwargs.items() if k not in _IGNORED_KWARGS}
        body, options = split_chat_kwargs(body, self.additional_kwargs, call, options=options)
        body["messages"] = messages
        return body, options

    def _chat_request(
        self, messages: Sequence[ChatMessage], kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        return self._request(to_openrouter_messages(messages), kwargs)

    def _prompt_request(
        self, prompt: str, kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], ChatOptions]:
        return self._request([{"role": "user", "content": prompt}], kwargs)

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
        body, routing = self._prompt_request(prompt, kwargs)
        return result_to_completion_response(self._clients().sync.chat(body, **vars(routing)))

    @llm_completion_callback()
    async def acomplete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponse:
        body, routing = self._prompt_request(prompt, kwargs)
        result = await self._clients().async_client().chat(body, **vars(routing))
        return result_to_completion_response(result)

    # The request is planned (validated, capability-checked) when these are called;
    # the HTTP call starts with the first chunk read.

    @llm_chat_callback()
    def stream_chat(self, messages: Sequence[ChatMessage], **kwargs: Any) -> ChatResponseGen:
        body, routing = self._chat_request(messages, kwargs)
        return stream_responses(self._clients().sync.chat_stream(body, **vars(routing)), chat=True)

    @llm_chat_callback()
    async def astream_chat(
        self, messages: Sequence[ChatMessage], **kwargs: Any
    ) -> ChatResponseAsyncGen:
        body, routing = self._chat_request(messages, kwargs)
        stream = await self._clients().async_client().chat_stream(body, **vars(routing))
        return astream_responses(stream, chat=True)

    @llm_completion_callback()
    def stream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseGen:
        body, routing = self._prompt_request(prompt, kwargs)
        return stream_responses(self._clients().sync.chat_stream(body, **vars(routing)), chat=False)

    @llm_completion_callback()
    async def astream_complete(
        self, prompt: str, formatted: bool = False, **kwargs: Any
    ) -> CompletionResponseAsyncGen:
        body, routing = self._prompt_request(prompt, kwargs)
        stream = await self._clients().async_client().chat_stream(body, **vars(routing))
        return astream_responses(stream, chat=False)

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
        ``strict`` asks for arguments that follow the schemas exactly.
        """
        messages = list(chat_history or [])
        if user_msg is not None:
            messages.append(
                ChatMessage(role=_USER, content=user_msg) if isinstance(user_msg, str) else user_msg
            )
        prepared: dict[str, Any] = {"messages": messages, **kwargs}
        specs = [_tool_spec(tool, strict) for tool in tools]
        if specs:
            prepared["tools"] = specs
            prepared["tool_choice"] = _tool_choice(tool_choice, tool_required)
            prepared["parallel_tool_calls"] = allow_parallel_tool_calls
        return prepared

    def _validate_chat_with_tools_response(
        self,
        response: ChatResponse,
        tools: Sequence[BaseTool],
        allow_parallel_tool_calls: bool = False,
        **kwargs: Any,
    ) -> ChatResponse:
        """Without parallel tool calls, keep only the first call of the reply."""
        if not allow_parallel_tool_calls:
            _keep_first_tool_call(response.message)
        return response

    def get_tool_calls_from_response(
        self, response: ChatResponse, error_on_no_tool_call: bool = True, **kwargs: Any
    ) -> list[ToolSelection]:
        """The tool calls of a reply (partial arguments of a streamed chunk are completed).

        A call whose arguments are not valid JSON (listed in the message's
        ``additional_kwargs["invalid_tool_calls"]`` with the raw text) gets empty
        arguments here and a ``UserWarning`` that says so."""
        invalid = {
            c.get("id") for c in response.message.additional_kwargs.get("invalid_tool_calls") or ()
        }
        selections = []
        for block in response.message.blocks:
            if not isinstance(block, ToolCallBlock):
                continue
            arguments = block.tool_kwargs
            if isinstance(arguments, dict):
                parsed = arguments
            elif block.tool_call_id in invalid:
                warnings.warn(
                    f"The arguments of {self.model}'s call to {block.tool_name!r} are not "
                    f"valid JSON: {arguments[:200]!r}; the tool gets no arguments. The raw "
                    "text is in message.additional_kwargs['invalid_tool_calls'].",
                    UserWarning,
                    stacklevel=2,
                )
                parsed = {}
            else:
                parsed = parse_tool_kwargs(arguments)
            selections.append(
                ToolSelection(
                    tool_id=block.tool_call_id or "",
                    tool_name=block.tool_name,
                    tool_kwargs=parsed,
                )
            )
        if not selections and error_on_no_tool_call:
            raise ValueError(
                f"Expected at least one tool call from {self.model}, but the reply has none."
            )
        return selections


# --------------------------------------------------------------------------- helpers


def _tool_spec(tool: BaseTool, strict: bool | None) -> dict[str, Any]:
    spec = tool.metadata.to_openai_tool(skip_length_check=True)
    if strict is not None:
        spec["function"]["strict"] = strict
        if strict:
            spec["function"]["parameters"]["additionalProperties"] = False
    return spec


def _tool_choice(choice: str | dict[str, Any] | None, required: bool) -> str | dict[str, Any]:
    if choice is None:
        return "required" if required else "auto"
    if isinstance(choice, dict) or choice in ("auto", "none", "required"):
        return choice
    return {"type": "function", "function": {"name": choice}}


def _keep_first_tool_call(message: ChatMessage) -> None:
    calls = [b for b in message.blocks if isinstance(b, ToolCallBlock)]
    if len(calls) <= 1:
        return
    first = calls[0]
    message.blocks = [b for b in message.blocks if not isinstance(b, ToolCallBlock) or b is first]
    raw = message.additional_kwargs.get("tool_calls")
    if raw:
        message.additional_kwargs["tool_calls"] = raw[:1]
