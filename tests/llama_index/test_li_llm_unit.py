"""``OpenRouter`` (LlamaIndex LLM) against a scripted in-process server: requests,
replies, streaming, tools, structured output, metadata, routing and errors."""

from __future__ import annotations

from typing import Any

import pytest
from li_helpers import completion, stream_events, tool_call
from llama_index.core.base.llms.types import (
    ChatMessage,
    ChatResponse,
    MessageRole,
    TextBlock,
    ThinkingBlock,
    ToolCallBlock,
)
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel

from llama_index_openrouter import OpenRouter
from openrouter_core import (
    AuthenticationError,
    CapabilityError,
    ChatResult,
    RateLimitError,
    UnknownModelError,
)

MODEL = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"
NO_TOOLS = "google/gemma-3-4b-it"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


def get_weather(city: str) -> str:
    """Current weather of a city."""
    return f"Sunny in {city}"


TOOLS = [FunctionTool.from_defaults(fn=add), FunctionTool.from_defaults(fn=get_weather)]


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


# --------------------------------------------------------------------------- construction


def test_construction_reads_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-v1-from-env")
    monkeypatch.setenv("OPENROUTER_BASE_URL", "https://example.test/api/v1/")
    llm = OpenRouter(model=MODEL)
    assert isinstance(llm, FunctionCallingLLM)
    assert llm.api_key == "sk-or-v1-from-env"
    assert llm.api_base == "https://example.test/api/v1"
    assert OpenRouter(api_key="given", api_base="https://x.test").api_key == "given"
    assert OpenRouter.class_name() == "OpenRouter_LLM"


def test_serialisation_never_contains_the_key() -> None:
    llm = OpenRouter(
        model=MODEL, api_key="sk-or-v1-secret", fallback_models=[BACKUP], temperature=0.2
    )
    data = llm.to_dict()
    assert "sk-or-v1-secret" not in repr(llm) and "sk-or-v1-secret" not in str(data)
    again = OpenRouter.from_dict(data)
    assert again.model == MODEL and again.fallback_models == [BACKUP]
    assert again.temperature == 0.2


def test_misspelt_option_is_an_error() -> None:
    with pytest.raises(ValueError, match="fallback_model"):
        OpenRouter(model=MODEL, fallback_model=[BACKUP])


# --------------------------------------------------------------------------- metadata


def test_metadata_comes_from_the_catalog(fake_server: Any) -> None:
    meta = OpenRouter(model=MODEL).metadata
    assert meta.context_window == 128000
    assert meta.num_output == 16384
    assert meta.is_chat_model and meta.is_function_calling_model
    assert meta.model_name == MODEL
    assert OpenRouter(model=MODEL, max_tokens=500).metadata.num_output == 500


def test_metadata_of_a_model_without_tools_or_output_limit(fake_server: Any) -> None:
    meta = OpenRouter(model=NO_TOOLS).metadata
    assert not meta.is_function_calling_model
    assert meta.context_window == 131072
    assert meta.num_output == 131072 // 2  # no published limit: half the window


def test_metadata_keeps_room_for_the_prompt(fake_server: Any) -> None:
    # deepseek-chat publishes max_completion_tokens == context_length
    meta = OpenRouter(model="deepseek/deepseek-chat").metadata
    assert meta.num_output == meta.context_window // 2


def test_metadata_uses_the_smallest_window_of_the_route(fake_server: Any) -> None:
    meta = OpenRouter(model="google/gemini-2.5-flash", fallback_models=[MODEL]).metadata
    assert meta.context_window == 128000


def test_unknown_model_suggests_ids(fake_server: Any) -> None:
    with pytest.raises(UnknownModelError) as caught:
        _ = OpenRouter(model="openai/gpt-4o-mni").metadata
    assert MODEL in caught.value.suggestions


def test_router_metadata(fake_server: Any) -> None:
    meta = OpenRouter(model="openrouter/auto").metadata
    assert meta.is_function_calling_model and meta.context_window > 0


# --------------------------------------------------------------------------- chat


def test_chat_sends_options_and_returns_usage(fake_server: Any) -> None:
    fake_server.allow_unknown_fields = True
    fake_server.reply_json(completion("Paris."))
    llm = OpenRouter(
        model=MODEL,
        temperature=0,
        max_tokens=50,
        provider={"sort": "price"},
        additional_kwargs={"seed": 7, "custom_flag": True},
    )
    response = llm.chat(
        [ChatMessage(role="system", content="Be brief."), user("Capital of France?")], top_p=0.5
    )
    sent = fake_server.requests[0]
    assert sent["model"] == MODEL and sent["temperature"] == 0 and sent["max_tokens"] == 50
    assert sent["provider"] == {"sort": "price"} and sent["seed"] == 7 and sent["top_p"] == 0.5
    assert sent["custom_flag"] is True  # unknown keys are sent as given
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
    ]
    assert response.message.content == "Paris."
    assert response.message.role == MessageRole.ASSISTANT
    info = response.additional_kwargs
    assert info["model"] == MODEL and info["provider"] == "OpenAI"
    assert info["prompt_tokens"] == 10 and info["completion_tokens"] == 5
    assert info["total_tokens"] == 15 and info["cost"] == 0.00002
    assert info["cached_tokens"] == 4 and info["reasoning_tokens"] == 2
    assert info["fallback_attempts"][0]["ok"] is True
    assert isinstance(response.raw, ChatResult)


def test_complete_and_acomplete(fake_server: Any) -> None:
    import asyncio

    fake_server.reply_json(completion("One."))
    fake_server.reply_json(completion("Two."))
    llm = OpenRouter(model=MODEL)
    assert llm.complete("Say one").text == "One."
    result = asyncio.run(llm.acomplete("Say two"))
    assert result.text == "Two." and result.additional_kwargs["cost"] == 0.00002
    assert fake_server.requests[1]["messages"] == [{"role": "user", "content": "Say two"}]


async def test_achat_with_reasoning(fake_server: Any) -> None:
    details = [{"type": "reasoning.text", "text": "think", "signature": "sig", "index": 0}]
    fake_server.reply_json(completion("42.", reasoning="think", reasoning_details=details))
    response = await OpenRouter(model="google/gemini-2.5-flash", reasoning={"effort": "low"}).achat(
        [user("Answer?")]
    )
    assert fake_server.requests[0]["reasoning"] == {"effort": "low"}
    thinking = [b for b in response.message.blocks if isinstance(b, ThinkingBlock)]
    assert thinking[0].content == "think" and thinking[0].num_tokens == 2
    assert response.message.additional_kwargs["reasoning_details"] == details
    assert response.message.content == "42."


def test_reasoning_details_are_sent_back_unchanged(fake_server: Any) -> None:
    details = [{"type": "reasoning.encrypted", "data": "opaque", "format": "anthropic-claude-v1"}]
    fake_server.reply_json(completion("A.", reasoning="r", reasoning_details=details))
    fake_server.reply_json(completion("B."))
    llm = OpenRouter(model="google/gemini-2.5-flash")
    first = llm.chat([user("Q1")])
    llm.chat([user("Q1"), first.message, user("Q2")])
    assistant = fake_server.requests[1]["messages"][1]
    assert assistant == {"role": "assistant", "content": "A.", "reasoning_details": details}


# --------------------------------------------------------------------------- streaming


def test_stream_chat_yields_deltas_then_usage(fake_server: Any) -> None:
    fake_server.reply_stream(stream_events(["Hel", "lo", "!"], reasoning=["hm"]))
    chunks = list(OpenRouter(model="google/gemini-2.5-flash").stream_chat([user("Hi")]))
    assert fake_server.requests[0]["stream"] is True
    assert [c.delta for c in chunks] == ["", "Hel", "lo", "!", ""]
    assert chunks[0].additional_kwargs == {"thinking_delta": "hm"}
    assert chunks[2].message.content == "Hello"
    last = chunks[-1]
    assert last.message.content == "Hello!"
    assert last.additional_kwargs["total_tokens"] == 10 and last.additional_kwargs["cost"]
    assert last.additional_kwargs["model"] == "openai/gpt-4o-mini"
    assert any(isinstance(b, ThinkingBlock) for b in last.message.blocks)


async def test_astream_chat_with_partial_tool_calls(fake_server: Any) -> None:
    deltas = [
        [{"index": 0, "id": "call_1", "type": "function", "function": {"name": "add"}}],
        [{"index": 0, "function": {"arguments": '{"a": 2'}}],
        [{"index": 0, "function": {"arguments": ', "b": 3}'}}],
    ]
    fake_server.reply_stream(stream_events([], tool_deltas=deltas))
    llm = OpenRouter(model=MODEL)
    stream = await llm.astream_chat_with_tools(TOOLS, user_msg="2 + 3?")
    seen: list[list[Any]] = []
    last: ChatResponse | None = None
    async for last in stream:
        seen.append(llm.get_tool_calls_from_response(last, error_on_no_tool_call=False))
    assert seen[1][0].tool_kwargs == {"a": 2}  # partial JSON completed
    assert last is not None
    calls = llm.get_tool_calls_from_response(last)
    assert [(c.tool_id, c.tool_name, c.tool_kwargs) for c in calls] == [
        ("call_1", "add", {"a": 2, "b": 3})
    ]


def test_stream_complete_and_astream_complete(fake_server: Any) -> None:
    import asyncio

    fake_server.reply_stream(stream_events(["a", "b"]))
    fake_server.reply_stream(stream_events(["c", "d"]))
    llm = OpenRouter(model=MODEL)
    texts = [c.text for c in llm.stream_complete("x")]
    assert texts == ["a", "ab", "ab"]

    async def collect() -> list[str]:
        return [c.delta or "" async for c in await llm.astream_complete("y")]

    assert asyncio.run(collect()) == ["c", "d", ""]


# --------------------------------------------------------------------------- tools


def test_chat_with_tools_request_and_single_call(fake_server: Any) -> None:
    calls = [tool_call("c1", "add", {"a": 1, "b": 2}), tool_call("c2", "add", {"a": 3, "b": 4})]
    fake_server.reply_json(completion(None, tool_calls=calls, finish_reason="tool_calls"))
    llm = OpenRouter(model=MODEL)
    response = llm.chat_with_tools(TOOLS, user_msg="1+2 and 3+4", tool_required=True)
    sent = fake_server.requests[0]
    assert [t["function"]["name"] for t in sent["tools"]] == ["add", "get_weather"]
    assert sent["tool_choice"] == "required" and sent["parallel_tool_calls"] is False
    selections = llm.get_tool_calls_from_response(response)
    assert [(s.tool_id, s.tool_kwargs) for s in selections] == [("c1", {"a": 1, "b": 2})]


def test_parallel_tool_calls_and_named_choice(fake_server: Any) -> None:
    calls = [
        tool_call("c1", "add", {"a": 1, "b": 2}),
        tool_call("c2", "get_weather", {"city": "Oslo"}),
    ]
    fake_server.reply_json(completion(None, tool_calls=calls, finish_reason="tool_calls"))
    llm = OpenRouter(model=MODEL)
    response = llm.chat_with_tools(
        TOOLS, user_msg="both", allow_parallel_tool_calls=True, tool_choice="get_weather"
    )
    sent = fake_server.requests[0]
    assert sent["tool_choice"] == {"type": "function", "function": {"name": "get_weather"}}
    assert sent["parallel_tool_calls"] is True
    assert len(llm.get_tool_calls_from_response(response)) == 2


def test_no_tool_call_raises_or_returns_empty(fake_server: Any) -> None:
    fake_server.reply_json(completion("No tools needed."))
    llm = OpenRouter(model=MODEL)
    response = llm.chat_with_tools(TOOLS, user_msg="hi")
    assert llm.get_tool_calls_from_response(response, error_on_no_tool_call=False) == []
    with pytest.raises(ValueError, match="tool call"):
        llm.get_tool_calls_from_response(response)


def test_predict_and_call_then_history_round_trip(fake_server: Any) -> None:
    fake_server.reply_json(
        completion(None, tool_calls=[tool_call("c9", "add", {"a": 20, "b": 22})])
    )
    result = OpenRouter(model=MODEL).predict_and_call(TOOLS, user_msg="What is 20 + 22?")
    assert result.response == "42"

    # The assistant turn and the tool result go back in OpenRouter's shape.
    fake_server.reply_json(completion("It is 42."))
    history = [
        user("What is 20 + 22?"),
        ChatMessage(
            role="assistant",
            blocks=[ToolCallBlock(tool_call_id="c9", tool_name="add", tool_kwargs={"a": 20})],
        ),
        ChatMessage(role="tool", content="42", additional_kwargs={"tool_call_id": "c9"}),
    ]
    OpenRouter(model=MODEL).chat_with_tools(TOOLS, chat_history=history)
    sent = fake_server.requests[1]["messages"]
    assert sent[1] == {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {"id": "c9", "type": "function", "function": {"name": "add", "arguments": '{"a": 20}'}}
        ],
    }
    assert sent[2] == {"role": "tool", "content": "42", "tool_call_id": "c9"}


def test_tools_on_a_model_without_tools_fail_before_sending(fake_server: Any) -> None:
    with pytest.raises(CapabilityError) as caught:
        OpenRouter(model=NO_TOOLS).chat_with_tools(TOOLS, user_msg="2+3?")
    assert "tool calling" in str(caught.value)
    assert caught.value.capable_models
    assert fake_server.requests == []


class Capital(BaseModel):
    """A country's capital."""

    country: str
    city: str


def test_structured_predict_uses_a_forced_tool(fake_server: Any) -> None:
    args = {"country": "France", "city": "Paris"}
    fake_server.reply_json(completion(None, tool_calls=[tool_call("s1", "Capital", args)]))
    llm = OpenRouter(model=MODEL)
    result = llm.structured_predict(Capital, PromptTemplate("Capital of {country}?"), country="FR")
    assert result == Capital(country="France", city="Paris")
    assert fake_server.requests[0]["tool_choice"] == "required"

    fake_server.reply_json(completion(None, tool_calls=[tool_call("s2", "Capital", args)]))
    structured = llm.as_structured_llm(Capital)
    response = structured.chat([user("Capital of France?")])
    assert response.raw == Capital(country="France", city="Paris")


# --------------------------------------------------------------------------- routing and errors


def test_rate_limited_model_falls_back(fake_server: Any) -> None:
    fake_server.reply_error(429, "Rate limit exceeded", **{"Retry-After": "3"})
    fake_server.reply_json(completion("From the backup.", model=BACKUP))
    response = OpenRouter(model=MODEL, fallback_models=[BACKUP]).chat([user("Hi")])
    assert [r["model"] for r in fake_server.requests] == [MODEL, BACKUP]
    assert response.additional_kwargs["model"] == BACKUP
    first = response.additional_kwargs["fallback_attempts"][0]
    assert first["model"] == MODEL and first["status_code"] == 429


def test_errors_are_typed(fake_server: Any) -> None:
    fake_server.reply_error(401, "No auth credentials found")
    with pytest.raises(AuthenticationError):
        OpenRouter(model=MODEL).chat([user("Hi")])
    fake_server.reply_error(429, "Rate limit exceeded")
    with pytest.raises(RateLimitError):
        OpenRouter(model=MODEL).complete("Hi")


def test_routing_options_per_call(fake_server: Any) -> None:
    fake_server.reply_error(503, "Overloaded")
    fake_server.reply_json(completion("ok", model=BACKUP))
    response = OpenRouter(model=MODEL).chat([user("Hi")], fallback_models=[BACKUP])
    assert response.additional_kwargs["model"] == BACKUP
    assert "fallback_models" not in fake_server.requests[0]


def test_message_text_block_only_reply(fake_server: Any) -> None:
    fake_server.reply_json(completion(""))
    response = OpenRouter(model=MODEL).chat([user("Hi")])
    assert response.message.blocks == [TextBlock(text="")]
    assert response.message.content == ""
