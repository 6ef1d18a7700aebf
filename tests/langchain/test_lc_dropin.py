"""``ChatOpenRouter`` / ``OpenRouterEmbeddings`` as drop-ins for the official
``langchain-openrouter``: its names, aliases, environment variables, wire effects,
serialised form and errors (the behaviours its own unit tests assert, ported to
what goes over the wire here)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from langchain_core.load import dumpd, dumps, load
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    trim_messages,
)
from pydantic import BaseModel, Field

import langchain_openrouter
from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
from langchain_openrouter.chat_models import (
    _convert_dict_to_message,
    _convert_message_to_dict,
    _create_usage_metadata,
)
from openrouter_core import ConfigurationError, RateLimitError, ResponseParseError
from tests.fake_transport import route_httpx

MODEL = "openai/gpt-4o-mini"
KEY = "test-key"
CATALOG = Path(__file__).resolve().parents[1] / "data/models.json"
ENV = (
    "OPENROUTER_API_KEY",
    "OPENROUTER_API_BASE",
    "OPENROUTER_BASE_URL",
    "OPENROUTER_APP_URL",
    "OPENROUTER_APP_TITLE",
    "OPENROUTER_SESSION_ID",
)


class GetWeather(BaseModel):
    """Get the current weather in a given location."""

    location: str = Field(description="The city and state")


def completion(**message: Any) -> dict[str, Any]:
    reply = {
        "id": "gen-abc123",
        "object": "chat.completion",
        "created": 1700000000.0,
        "model": MODEL,
        "provider": "OpenAI",
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": "Hello!", **message},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
    }
    return reply


class Wire:
    """Every request of every httpx client of the process, answered from a queue."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.replies: list[httpx.Response] = []

    @property
    def bodies(self) -> list[dict[str, Any]]:
        return [json.loads(r.content) for r in self.requests if r.content]

    @property
    def body(self) -> dict[str, Any]:
        return self.bodies[-1]

    def json(self, payload: dict[str, Any]) -> None:
        self.replies.append(httpx.Response(200, json=payload))

    def sse(self, *events: dict[str, Any]) -> None:
        text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        headers = {"content-type": "text/event-stream"}
        self.replies.append(httpx.Response(200, content=text.encode(), headers=headers))

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        if request.method == "GET" and request.url.path.endswith("/embeddings/models"):
            return httpx.Response(200, json={"data": [{"id": "openai/text-embedding-3-small"}]})
        if request.method == "GET" and request.url.path.endswith("/models"):
            return httpx.Response(200, content=CATALOG.read_bytes())
        self.requests.append(request)
        assert self.replies, f"unexpected request {request.method} {request.url}"
        return self.replies.pop(0)


@pytest.fixture
def wire(monkeypatch: pytest.MonkeyPatch) -> Iterator[Wire]:
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    recorder = Wire()

    route_httpx(monkeypatch, recorder)
    yield recorder


def make(**kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(**{"model": MODEL, "api_key": KEY, **kwargs})


# --------------------------------------------------------------------------- construction


def test_names_aliases_and_the_key(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    llm = make()
    assert llm.model_name == llm.model == MODEL
    assert llm.openrouter_api_base is None
    assert llm.openrouter_api_key is not None
    assert llm.openrouter_api_key.get_secret_value() == KEY
    by_field = ChatOpenRouter(model_name=MODEL, openrouter_api_key="k2")
    assert by_field.openrouter_api_key is not None
    assert by_field.openrouter_api_key.get_secret_value() == "k2"
    monkeypatch.setenv("OPENROUTER_API_KEY", "env-key-123")
    from_env = ChatOpenRouter(model=MODEL)
    assert from_env.openrouter_api_key is not None
    assert from_env.openrouter_api_key.get_secret_value() == "env-key-123"
    monkeypatch.delenv("OPENROUTER_API_KEY")
    with pytest.raises(ConfigurationError, match="OPENROUTER_API_KEY must be set") as caught:
        ChatOpenRouter(model=MODEL)
    assert isinstance(caught.value, ValueError)
    with pytest.raises((ValueError, TypeError)):
        ChatOpenRouter(api_key=KEY)  # the model is required
    secret = make(api_key="super-secret")
    assert "super-secret" not in str(secret) and "super-secret" not in repr(secret)


def test_environment_configuration(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_BASE", "https://proxy.example/api/v1")
    monkeypatch.setenv("OPENROUTER_APP_URL", "https://env.app")
    monkeypatch.setenv("OPENROUTER_APP_TITLE", "Env App")
    monkeypatch.setenv("OPENROUTER_SESSION_ID", "env-session-xyz")
    llm = make(capability_check="off")
    assert llm.openrouter_api_base == "https://proxy.example/api/v1"
    assert (llm.app_url, llm.app_title, llm.session_id) == (
        "https://env.app",
        "Env App",
        "env-session-xyz",
    )
    wire.json(completion())
    llm.invoke("hi")
    request = wire.requests[-1]
    assert str(request.url) == "https://proxy.example/api/v1/chat/completions"
    assert request.headers["http-referer"] == "https://env.app"
    assert wire.body["session_id"] == "env-session-xyz"
    assert make(session_id="explicit").session_id == "explicit"


def test_attribution_headers_and_default_headers(wire: Wire) -> None:
    def headers_of(**kwargs: Any) -> httpx.Headers:
        wire.json(completion())
        make(**kwargs).invoke("hi")
        return wire.requests[-1].headers

    default = headers_of()
    assert default["http-referer"] == "https://docs.langchain.com"
    assert default["x-title"] == "LangChain"
    assert "x-openrouter-categories" not in default
    custom = headers_of(app_url="https://myapp.com", app_title="My App")
    assert (custom["http-referer"], custom["x-title"]) == ("https://myapp.com", "My App")
    none = headers_of(app_url=None, app_title=None)
    assert "http-referer" not in none and "x-title" not in none
    cats = headers_of(app_categories=["cli-agent", "programming-app"])
    assert cats["x-openrouter-categories"] == "cli-agent,programming-app"
    assert "x-openrouter-categories" not in headers_of(app_categories=[])
    override = headers_of(default_headers={"http-referer": "https://override", "X-Title": "T2"})
    assert override.get_list("http-referer") == ["https://override"]  # replaced, not doubled
    assert override.get_list("x-title") == ["T2"]
    assert override.get_list("x-openrouter-title") == []  # one title, the caller's
    extra = headers_of(default_headers={"x-grok-conv-id": "session-abc-123"})
    assert extra["x-grok-conv-id"] == "session-abc-123" and extra["x-title"] == "LangChain"
    llm = make(default_headers={"x-grok-conv-id": "session-abc-123"})
    assert llm.model_kwargs == {}


def test_request_timeout_is_in_milliseconds(wire: Wire) -> None:
    settings = make(timeout=30_000)._clients().settings
    assert settings.timeouts.read == 30.0
    with pytest.warns(UserWarning, match="milliseconds"):
        make(request_timeout=60)


def test_request_payload(wire: Wire) -> None:
    llm = make(
        reasoning={"effort": "high"},
        openrouter_provider={"order": ["Anthropic"], "allow_fallbacks": True},
        route="fallback",
        plugins=[{"id": "web", "max_results": 5}],
        trace={"trace_id": "trace-1"},
        session_id="constructor-session",
        max_completion_tokens=1024,
        capability_check="off",
    )
    assert llm._default_params["provider"] == {"order": ["Anthropic"], "allow_fallbacks": True}
    wire.json(completion())
    llm.invoke([SystemMessage("You are helpful."), HumanMessage("Hi")], stop=["END"])
    body = wire.body
    assert body["messages"] == [
        {"role": "system", "content": "You are helpful."},
        {"role": "user", "content": "Hi"},
    ]
    assert body["provider"] == {"order": ["Anthropic"], "allow_fallbacks": True}
    assert body["reasoning"] == {"effort": "high"} and body["route"] == "fallback"
    assert body["plugins"] == [{"id": "web", "max_results": 5}]
    assert body["trace"] == {"trace_id": "trace-1"} and body["stop"] == ["END"]
    assert body["session_id"] == "constructor-session" and body["max_completion_tokens"] == 1024
    wire.json(completion())
    llm.invoke("Hi", session_id="call-session", trace={"trace_id": "trace-2"})
    assert wire.body["session_id"] == "call-session"
    assert wire.body["trace"] == {"trace_id": "trace-2"}
    assert llm.session_id == "constructor-session"
    assert make(provider={"only": ["OpenAI"]}).openrouter_provider == {"only": ["OpenAI"]}
    wire.json(completion())
    make(session_id="").invoke("Hi")
    assert "session_id" not in wire.body and "trace" not in wire.body


def test_stream_usage_and_n(wire: Wire) -> None:
    chunk = {"id": "gen-s", "model": MODEL, "choices": [{"index": 0, "delta": {"content": "Hi"}}]}
    end = {"id": "gen-s", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
    wire.sse(chunk, end)
    list(make().stream("hi"))
    assert wire.body["stream"] is True
    assert wire.body["stream_options"] == {"include_usage": True}
    wire.sse(chunk, end)
    list(make(stream_usage=False).stream("hi"))
    assert "stream_options" not in wire.body
    assert "n" not in make()._default_params and make(n=3)._default_params["n"] == 3
    with pytest.raises(ValueError, match="greater than or equal to 1"):
        make(n=0)
    with pytest.raises(ValueError, match="n must be 1 when streaming"):
        make(n=2, streaming=True)


def test_unknown_keywords_move_to_model_kwargs_and_are_sent(wire: Wire) -> None:
    with pytest.warns(UserWarning, match="is not default parameter.*Did you mean 'temperature'"):
        llm = make(temprature=0, capability_check="off")
    assert llm.model_kwargs == {"temprature": 0}
    with pytest.warns(UserWarning, match="fallback_models"):
        make(fallback_model=["x/y"])
    wire.json(completion())
    make(model_kwargs={"top_k": 50}).invoke("hi")
    assert wire.body["top_k"] == 50
    with pytest.raises(ValueError, match="supplied twice"):
        make(temperature=0.5, model_kwargs={"temperature": 0.7})
    with pytest.raises(ValueError, match="should be specified explicitly"):
        make(model_kwargs={"model_name": "x"})


# --------------------------------------------------------------------------- serialisation


def test_serialisation_uses_the_official_names(wire: Wire) -> None:
    llm = make(temperature=0.7, max_tokens=100, default_headers={"x-token": "provider-token"})
    assert llm.lc_secrets == {"openrouter_api_key": "OPENROUTER_API_KEY"}
    data = dumpd(llm)
    assert data["id"] == ["langchain_openrouter", "chat_models", "ChatOpenRouter"]
    kwargs = data["kwargs"]
    assert kwargs["model_name"] == MODEL and "model" not in kwargs
    assert kwargs["openrouter_api_key"] == {"lc": 1, "type": "secret", "id": ["OPENROUTER_API_KEY"]}
    assert "default_headers" not in kwargs
    text = dumps(llm)
    assert KEY not in text and "provider-token" not in text
    loaded = load(
        data,
        valid_namespaces=["langchain_openrouter"],
        allowed_objects="all",
        secrets_from_env=False,
        secrets_map={"OPENROUTER_API_KEY": KEY},
    )
    assert isinstance(loaded, ChatOpenRouter)
    assert (loaded.temperature, loaded.max_tokens) == (0.7, 100)
    assert langchain_openrouter.__version__


def test_a_payload_saved_by_the_official_package_loads_intact(wire: Wire) -> None:
    # What langchain-openrouter 0.2.9's dumpd() writes for such a model.
    saved = {
        "lc": 1,
        "type": "constructor",
        "id": ["langchain_openrouter", "chat_models", "ChatOpenRouter"],
        "kwargs": {
            "model_name": "anthropic/claude-3.5-haiku",
            "openrouter_api_key": {"lc": 1, "type": "secret", "id": ["OPENROUTER_API_KEY"]},
            "openrouter_api_base": "https://gateway.example/api/v1",
            "openrouter_provider": {"order": ["Anthropic"]},
            "app_url": "https://docs.langchain.com",
            "app_title": "LangChain",
            "max_retries": 2,
            "n": 1,
            "stream_usage": True,
            "request_timeout": 30000,
        },
        "name": "ChatOpenRouter",
    }
    llm = load(
        saved,
        valid_namespaces=["langchain_openrouter"],
        allowed_objects="all",
        secrets_map={"OPENROUTER_API_KEY": "saved-key"},
    )
    assert llm.openrouter_api_base == "https://gateway.example/api/v1"
    assert llm.openrouter_api_key.get_secret_value() == "saved-key"
    llm.capability_check = "off"
    wire.json(completion())
    llm.invoke("hi")
    request = wire.requests[-1]
    assert str(request.url) == "https://gateway.example/api/v1/chat/completions"
    assert request.headers["authorization"] == "Bearer saved-key"
    assert wire.body["provider"] == {"order": ["Anthropic"]}


# --------------------------------------------------------------------------- messages


def test_messages_to_the_wire() -> None:
    assert _convert_message_to_dict(AIMessage("Hi there!")) == {
        "role": "assistant",
        "content": "Hi there!",
    }
    reasoned = AIMessage("ok", additional_kwargs={"reasoning_content": "Let me think..."})
    assert _convert_message_to_dict(reasoned)["reasoning"] == "Let me think..."
    fragments = [
        {"type": "reasoning.text", "text": "The", "index": 0, "format": "anthropic-claude-v1"},
        {"type": "reasoning.text", "text": " user wants", "index": 0},
        {"type": "reasoning.text", "index": 0, "signature": "sig_abc123", "id": "rs_123"},
    ]
    sent = _convert_message_to_dict(
        AIMessage("ok", additional_kwargs={"reasoning_details": fragments})
    )["reasoning_details"]
    assert sent == [
        {
            "type": "reasoning.text",
            "text": "The user wants",
            "index": 0,
            "format": "anthropic-claude-v1",
            "signature": "sig_abc123",
        }
    ]
    assert fragments[2]["id"] == "rs_123"  # the caller's list is unchanged
    kept = [{"type": "reasoning.text", "text": "x", "id": "reasoning_abc123"}]
    assert (
        _convert_message_to_dict(AIMessage("", additional_kwargs={"reasoning_details": kept}))[
            "reasoning_details"
        ]
        == kept
    )
    cached = AIMessage(
        [
            {"type": "text", "text": "Hello", "cache_control": {"type": "ephemeral"}},
            {"type": "image_url", "image_url": {"url": "https://x.test/a.png"}},
        ]
    )
    assert _convert_message_to_dict(cached)["content"] == [
        {"type": "text", "text": "Hello", "cache_control": {"type": "ephemeral"}}
    ]
    assert _convert_message_to_dict(ChatMessage(role="assistant", content="Hi")) == {
        "role": "assistant",
        "content": "Hi",
    }
    assert _convert_message_to_dict(ChatMessage(role="developer", content="Hello")) == {
        "role": "developer",
        "content": "Hello",
    }
    assert _convert_message_to_dict(ToolMessage("result", tool_call_id="call_123")) == {
        "role": "tool",
        "content": "result",
        "tool_call_id": "call_123",
    }
    with pytest.raises(TypeError, match="Got unknown type"):
        _convert_message_to_dict(FunctionMessage(name="f", content="x"))
    video = HumanMessage([{"type": "video", "base64": "AAAAIGZ0"}])
    part = _convert_message_to_dict(video)["content"][0]
    assert part == {"type": "video_url", "video_url": {"url": "data:video/mp4;base64,AAAAIGZ0"}}
    pdf = HumanMessage([{"type": "file", "url": "https://example.com/document.pdf"}])
    assert _convert_message_to_dict(pdf)["content"][0] == {
        "type": "file",
        "file": {"file_data": "https://example.com/document.pdf"},
    }


def test_replies_to_messages_and_usage() -> None:
    message = _convert_dict_to_message(
        {
            "role": "assistant",
            "content": None,
            "reasoning": "Comparing",
            "tool_calls": [
                {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{{"}}
            ],
        }
    )
    assert isinstance(message, AIMessage) and message.content == ""
    assert message.additional_kwargs["reasoning_content"] == "Comparing"
    assert len(message.invalid_tool_calls) == 1 and not message.tool_calls
    with pytest.raises(ValueError, match="missing the 'role' field"):
        _convert_dict_to_message({"content": "x"})
    with pytest.warns(UserWarning, match="Unrecognized message role"):
        odd = _convert_dict_to_message({"role": "developer", "content": "x"})
    assert isinstance(odd, ChatMessage)
    usage = _create_usage_metadata(
        {
            "prompt_tokens": 585.0,
            "completion_tokens": 56.0,
            "total_tokens": 641.0,
            "prompt_tokens_details": {"cached_tokens": 20.0},
            "completion_tokens_details": {"reasoning_tokens": 10.0},
        }
    )
    assert usage == {
        "input_tokens": 585,
        "output_tokens": 56,
        "total_tokens": 641,
        "input_token_details": {"cache_read": 20},
        "output_token_details": {"reasoning": 10},
    }
    assert _create_usage_metadata({"prompt_tokens": 0, "input_tokens": 50})["input_tokens"] == 0
    assert _create_usage_metadata({"total_tokens": 0})["total_tokens"] == 0


def test_response_metadata_on_invoke_and_the_last_chunk(wire: Wire) -> None:
    wire.json(completion(reasoning="thought") | {})
    reply = make().invoke("hi")
    metadata = reply.response_metadata
    assert metadata["model_provider"] == "openrouter" and metadata["model_name"] == MODEL
    assert metadata["object"] == "chat.completion" and metadata["id"] == "gen-abc123"
    assert metadata["created"] == 1700000000 and metadata["provider"] == "OpenAI"
    assert "cost" not in metadata and "system_fingerprint" not in metadata  # not sent
    assert reply.additional_kwargs["reasoning_content"] == "thought"
    payload = completion()
    payload["system_fingerprint"] = "fp_abc123"
    payload["usage"]["cost"] = 7.5e-05
    wire.json(payload)
    metadata = make().invoke("hi").response_metadata
    assert metadata["system_fingerprint"] == "fp_abc123" and metadata["cost"] == 7.5e-05
    first = {
        "id": "gen-s",
        "object": "chat.completion.chunk",
        "created": 1700000000,
        "model": MODEL,
        "system_fingerprint": "fp_stream",
        "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hello"}}],
    }
    last = {
        "id": "gen-s",
        "choices": [
            {"index": 0, "delta": {}, "finish_reason": "stop", "native_finish_reason": "end_turn"}
        ],
        "usage": {"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "cost": 1e-06},
    }
    wire.sse(first, last)
    chunks = list(make().stream("hi"))
    final = chunks[-1].response_metadata
    assert final["finish_reason"] == "stop" and final["native_finish_reason"] == "end_turn"
    assert final["system_fingerprint"] == "fp_stream" and final["object"] == "chat.completion.chunk"
    assert final["cost"] == 1e-06
    total = sum(chunks[1:], chunks[0])
    assert isinstance(total, AIMessageChunk) and total.usage_metadata == {
        "input_tokens": 5,
        "output_tokens": 2,
        "total_tokens": 7,
    }


def test_errors_a_migrating_user_catches_are_value_errors(wire: Wire) -> None:
    start = {"id": "gen-e", "choices": [{"index": 0, "delta": {"content": "Hel"}}]}
    wire.sse(start, {"error": {"code": 429, "message": "Rate limit exceeded"}})
    with pytest.raises(ValueError, match="Rate limit exceeded"):
        list(make().stream("hi"))
    wire.sse({"error": {"code": 429, "message": "Rate limit exceeded"}})
    with pytest.raises(ValueError, match="Rate limit exceeded") as caught:
        list(make(max_retries=0).stream("hi"))
    assert isinstance(caught.value, RateLimitError)  # typed as well
    wire.json({"id": "gen-x", "choices": [], "model": MODEL})
    with pytest.raises(ValueError, match="no choices") as empty:
        make(max_retries=0).invoke("hi")
    assert isinstance(empty.value, ResponseParseError)
    with pytest.raises(ValueError, match="OpenRouter API returned an error"):
        make()._create_chat_result({"error": {"code": 500}})


# --------------------------------------------------------------------------- tools


def test_tools_in_every_shape(wire: Wire) -> None:
    schema = GetWeather.model_json_schema()
    function = {
        "name": "lookup",
        "description": "Look up.",
        "parameters": {"type": "object", "properties": {"q": {"type": "string"}}},
    }
    full = {
        "type": "function",
        "function": {"name": "cached", "parameters": {"type": "object", "properties": {}}},
        "cache_control": {"type": "ephemeral"},
    }
    server = {"type": "openrouter:web_search", "parameters": {"max_uses": 1}}
    bound = make().bind_tools([schema, function, full, server], tool_choice="lookup")
    tools = bound.kwargs["tools"]  # type: ignore[attr-defined]
    assert [t.get("function", {}).get("name") for t in tools[:3]] == [
        "GetWeather",
        "lookup",
        "cached",
    ]
    assert tools[2]["cache_control"] == {"type": "ephemeral"} and tools[3] == server
    assert bound.kwargs["tool_choice"] == {  # type: ignore[attr-defined]
        "type": "function",
        "function": {"name": "lookup"},
    }
    one = make().bind_tools([GetWeather], tool_choice=True)
    assert one.kwargs["tool_choice"]["function"]["name"] == "GetWeather"  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="tool_choice can only be True"):
        make().bind_tools([GetWeather, function], tool_choice=True)
    assert "tool_choice" not in make().bind_tools([GetWeather]).kwargs  # type: ignore[attr-defined]


def test_structured_output_with_a_dict_schema_returns_a_dict(wire: Wire) -> None:
    call = {
        "id": "call_1",
        "type": "function",
        "function": {"name": "GetWeather", "arguments": '{"location": "San Francisco"}'},
    }
    wire.json(completion(content=None, tool_calls=[call]))
    runnable = make().with_structured_output(
        GetWeather.model_json_schema(), method="function_calling", temperature=0
    )
    assert runnable.invoke("weather?") == {"location": "San Francisco"}
    assert wire.body["temperature"] == 0  # the extra keyword was bound, not refused
    assert wire.body["tool_choice"] == {"type": "function", "function": {"name": "GetWeather"}}
    with pytest.raises(ValueError, match="schema must be specified"):
        make().with_structured_output(None, method="function_calling")


# --------------------------------------------------------------------------- embeddings, tokens


def test_embeddings_accept_the_upstream_names(wire: Wire, monkeypatch: pytest.MonkeyPatch) -> None:
    emb = OpenRouterEmbeddings(
        openrouter_api_key="k",
        openrouter_api_base="https://gateway.example/api/v1",
        max_concurrent_requests=4,
        wait_time=0,
        app_title="My App",
    )
    assert emb.openrouter_api_key is not None and emb.openrouter_api_key.get_secret_value() == "k"
    assert OpenRouterEmbeddings(api_key="k2", model_name="x/y").model == "x/y"
    monkeypatch.setenv("OPENROUTER_API_BASE", "https://env.example/api/v1")
    assert OpenRouterEmbeddings(api_key="k").openrouter_api_base == "https://env.example/api/v1"
    monkeypatch.delenv("OPENROUTER_API_BASE")
    wire.json({"data": [{"index": 0, "embedding": [0.1, 0.2]}], "model": "x"})
    assert emb.embed_query("hi") == [0.1, 0.2]
    assert str(wire.requests[-1].url) == "https://gateway.example/api/v1/embeddings"
    assert wire.requests[-1].headers["x-title"] == "My App"
    settings = emb._clients().settings
    assert settings.max_concurrent_requests == 4 and settings.retry_delay == 0
    with pytest.raises(ConfigurationError, match="OPENROUTER_API_KEY must be set"):
        OpenRouterEmbeddings()
    with pytest.raises(ValueError):
        OpenRouterEmbeddings(api_key="k", not_a_field=1)  # refused, never dropped


def test_token_counts_need_no_tokenizer_download(wire: Wire) -> None:
    llm = make()
    assert 5 <= llm.get_num_tokens("How many tokens is this sentence, roughly?") <= 15
    history = [SystemMessage("Be brief."), HumanMessage("a " * 200), AIMessage("ok")]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "install transformers" fallback warning
        trimmed = trim_messages(history, max_tokens=50, token_counter=llm, strategy="last")
    assert trimmed and trimmed[-1].content == "ok"
