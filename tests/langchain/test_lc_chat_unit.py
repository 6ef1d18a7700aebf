"""ChatOpenRouter against a scripted in-process server (no network, no cassettes)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.load import dumps
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, SystemMessage
from langchain_core.tools import tool
from pydantic import BaseModel

from langchain_openrouter import ChatOpenRouter
from openrouter_core import CapabilityError, StreamInterruptedError

MODEL = "openai/gpt-4o-mini"
REASONER = "google/gemini-2.5-flash"
NO_TOOLS = "google/gemma-3-4b-it"  # the catalog lists no "tools" for it


@tool
def get_weather(city: str) -> str:
    """Current weather of a city."""
    return "sunny"


class Answer(BaseModel):
    """An answer with its city."""

    city: str
    country: str


def chunk(delta: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {"id": "gen-9", "model": MODEL, "provider": "OpenAI", "created": 1}
    body["choices"] = [{"index": 0, "delta": delta, "finish_reason": extra.pop("finish", None)}]
    body.update(extra)
    return body


USAGE_CHUNK = {
    "id": "gen-9",
    "model": MODEL,
    "provider": "OpenAI",
    "choices": [],
    "usage": {
        "prompt_tokens": 12,
        "completion_tokens": 7,
        "total_tokens": 19,
        "cost": 0.0001,
        "completion_tokens_details": {"reasoning_tokens": 3},
    },
}


def llm(**kwargs: Any) -> ChatOpenRouter:
    return ChatOpenRouter(**{"model": MODEL, "api_key": "k", **kwargs})


# --------------------------------------------------------------------------- invoke


def test_invoke_maps_reply_usage_and_metadata(fake_openrouter: Any, make_completion: Any) -> None:
    reply = make_completion("Paris.", model=REASONER, reasoning="Capital of France.")
    fake_openrouter.reply_json(reply)
    model = llm(
        model=REASONER, temperature=0.2, top_p=0.5, reasoning={"effort": "low"}, session_id="s1"
    )
    msg = model.invoke([SystemMessage("Be brief."), HumanMessage("Capital of France?")])

    assert isinstance(msg, AIMessage)
    assert msg.content == "Paris."
    assert msg.additional_kwargs["reasoning_content"] == "Capital of France."
    assert msg.content_blocks[0] == {"type": "reasoning", "reasoning": "Capital of France."}
    assert msg.usage_metadata == {
        "input_tokens": 10,
        "output_tokens": 5,
        "total_tokens": 15,
        "input_token_details": {"cache_read": 4, "cache_creation": 0},
        "output_token_details": {"reasoning": 2},
    }
    meta = msg.response_metadata
    assert meta["model_name"] == REASONER
    assert meta["model_provider"] == "openrouter"
    assert meta["provider"] == "OpenAI"
    assert meta["id"] == "gen-123"
    assert meta["finish_reason"] == "stop"
    assert meta["native_finish_reason"] == "stop"
    assert meta["cost"] == pytest.approx(0.00002)
    assert [a["model"] for a in meta["fallback_attempts"]] == [REASONER]

    sent = fake_openrouter.requests[0]
    assert sent["model"] == REASONER
    assert sent["temperature"] == 0.2 and sent["top_p"] == 0.5
    assert sent["reasoning"] == {"effort": "low"} and sent["session_id"] == "s1"
    assert sent["messages"] == [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": "Capital of France?"},
    ]


async def test_ainvoke_and_abatch(fake_openrouter: Any, make_completion: Any) -> None:
    for text in ("one", "two", "three"):
        fake_openrouter.reply_json(make_completion(text))
    assert (await llm().ainvoke("hi")).content == "one"
    results = await llm().abatch(["a", "b"], config={"max_concurrency": 1})
    assert [r.content for r in results] == ["two", "three"]


def test_model_kwargs_and_routing_parameters(fake_openrouter: Any, make_completion: Any) -> None:
    fake_openrouter.allow_unknown_fields = True
    fake_openrouter.reply_json(make_completion())
    model = llm(
        models=["anthropic/claude-3.5-haiku"],
        route="fallback",
        provider={"sort": "price"},
        plugins=[{"id": "web"}],
        stop=["END"],
        model_kwargs={"metadata": {"team": "x"}, "some_new_parameter": 1},
    )
    model.invoke("hi", max_tokens=9)
    sent = fake_openrouter.requests[0]
    assert sent["models"] == ["anthropic/claude-3.5-haiku"]
    assert sent["route"] == "fallback" and sent["provider"] == {"sort": "price"}
    assert sent["plugins"] == [{"id": "web"}] and sent["stop"] == ["END"]
    assert sent["metadata"] == {"team": "x"} and sent["some_new_parameter"] == 1
    assert sent["max_tokens"] == 9


def test_client_side_fallback_after_rate_limit(fake_openrouter: Any, make_completion: Any) -> None:
    fake_openrouter.reply_error(429, "Rate limit exceeded", **{"retry-after": "5"})
    fake_openrouter.reply_json(make_completion("Hi", model="anthropic/claude-3.5-haiku"))
    model = llm(fallback_models=["anthropic/claude-3.5-haiku"])
    msg = model.invoke("hi")
    assert msg.response_metadata["model_name"] == "anthropic/claude-3.5-haiku"
    attempts = msg.response_metadata["fallback_attempts"]
    assert [(a["model"], a["ok"], a["status_code"]) for a in attempts] == [
        (MODEL, False, 429),
        ("anthropic/claude-3.5-haiku", True, None),
    ]
    assert [r["model"] for r in fake_openrouter.requests] == [MODEL, "anthropic/claude-3.5-haiku"]


def test_invalid_tool_call_arguments_are_kept(fake_openrouter: Any, make_completion: Any) -> None:
    calls = [
        {"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": "{"}},
        {"id": "c2", "type": "function", "function": {"name": "get_weather", "arguments": ""}},
    ]
    fake_openrouter.reply_json(make_completion(None, tool_calls=calls, finish_reason="tool_calls"))
    msg = llm().bind_tools([get_weather]).invoke("weather?")
    assert msg.tool_calls == [{"name": "get_weather", "args": {}, "id": "c2", "type": "tool_call"}]
    assert msg.invalid_tool_calls[0]["id"] == "c1" and msg.invalid_tool_calls[0]["args"] == "{"


# --------------------------------------------------------------------------- streaming


class TokenCounter(BaseCallbackHandler):
    def __init__(self) -> None:
        self.tokens: list[str] = []

    def on_llm_new_token(self, token: str, **kwargs: Any) -> None:
        self.tokens.append(token)


def _reasoning_and_text_stream() -> list[dict[str, Any]]:
    detail = {"type": "reasoning.text", "text": "Think", "index": 0, "format": "x"}
    return [
        chunk({"role": "assistant", "content": ""}),
        chunk({"reasoning": "Think", "reasoning_details": [detail]}),
        chunk({"reasoning": "ing", "reasoning_details": [{**detail, "text": "ing"}]}),
        chunk({"content": "Hel"}),
        chunk({"content": "lo"}, finish="stop"),
        USAGE_CHUNK,
    ]


def test_stream_text_reasoning_usage_and_callbacks(fake_openrouter: Any) -> None:
    fake_openrouter.reply_stream(_reasoning_and_text_stream())
    counter = TokenCounter()
    chunks = list(llm().stream("hi", config={"callbacks": [counter]}))

    assert all(isinstance(c, AIMessageChunk) for c in chunks)
    assert [c.content for c in chunks] == ["", "", "Hel", "lo", ""]
    assert counter.tokens == ["", "", "Hel", "lo", ""]  # once per chunk
    assert chunks[-1].chunk_position == "last"
    assert sum(1 for c in chunks if c.usage_metadata) == 1
    assert sum(1 for c in chunks if c.response_metadata.get("model_name")) == 1

    full = chunks[0]
    for c in chunks[1:]:
        full += c
    assert full.content == "Hello"
    assert full.additional_kwargs["reasoning_content"] == "Thinking"
    assert full.additional_kwargs["reasoning_details"] == [
        {"type": "reasoning.text", "text": "Thinking", "index": 0, "format": "x"}
    ]
    assert full.usage_metadata is not None
    assert full.usage_metadata["output_token_details"] == {"reasoning": 3}
    assert full.response_metadata["model_name"] == MODEL
    assert full.response_metadata["finish_reason"] == "stop"
    assert full.response_metadata["cost"] == pytest.approx(0.0001)
    assert {b["type"] for b in full.content_blocks} == {"reasoning", "text"}
    sent = fake_openrouter.requests[0]
    assert sent["stream"] is True and sent["stream_options"] == {"include_usage": True}


def test_streaming_flag_makes_invoke_stream(fake_openrouter: Any) -> None:
    fake_openrouter.reply_stream(_reasoning_and_text_stream())
    counter = TokenCounter()
    msg = llm(streaming=True).invoke("hi", config={"callbacks": [counter]})
    assert msg.content == "Hello" and "Hel" in counter.tokens


def test_stream_tool_call_chunks(fake_openrouter: Any) -> None:
    start = {"index": 0, "id": "call_1", "type": "function"}
    fake_openrouter.reply_stream(
        [
            chunk(
                {"tool_calls": [{**start, "function": {"name": "get_weather", "arguments": ""}}]}
            ),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '{"city": '}}]}),
            chunk({"tool_calls": [{"index": 0, "function": {"arguments": '"Paris"}'}}]}),
            chunk({}, finish="tool_calls"),
            USAGE_CHUNK,
        ]
    )
    full: Any = None
    for piece in llm().bind_tools([get_weather]).stream("weather in Paris?"):
        full = piece if full is None else full + piece
    assert full.tool_calls == [
        {"name": "get_weather", "args": {"city": "Paris"}, "id": "call_1", "type": "tool_call"}
    ]
    assert full.response_metadata["finish_reason"] == "tool_calls"


def test_stream_keeps_annotations_images_and_refusal(fake_openrouter: Any) -> None:
    citation = {"type": "url_citation", "url_citation": {"url": "https://example.org"}}
    image = {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
    fake_openrouter.reply_stream(
        [
            chunk({"content": "See"}),
            chunk({"annotations": [citation], "images": [image], "refusal": "partly"}),
            chunk({"content": " this"}, finish="stop"),
            USAGE_CHUNK,
        ]
    )
    chunks = list(llm().stream("hi"))
    assert [c.content for c in chunks] == ["See", " this", ""]
    full = chunks[0] + chunks[1] + chunks[2]
    assert full.additional_kwargs["annotations"] == [citation]
    assert full.additional_kwargs["images"] == [image]
    assert full.additional_kwargs["refusal"] == "partly"
    assert full.response_metadata["id"] == "gen-9"


def _broken_stream() -> list[dict[str, Any]]:
    return [
        chunk({"content": "Once upon"}),
        {
            "id": "gen-9",
            "model": MODEL,
            "error": {"code": 502, "message": "Provider disconnected"},
            "choices": [{"index": 0, "delta": {"content": ""}, "finish_reason": "error"}],
        },
    ]


def test_mid_stream_error_is_raised(fake_openrouter: Any) -> None:
    fake_openrouter.reply_stream(_broken_stream())
    seen: list[str] = []
    with pytest.raises(StreamInterruptedError) as caught:
        for piece in llm().stream("story"):
            seen.append(piece.text)
    assert seen == ["Once upon"]
    assert caught.value.partial is not None and caught.value.partial.text == "Once upon"


async def test_mid_stream_error_is_raised_async(fake_openrouter: Any) -> None:
    fake_openrouter.reply_stream(_broken_stream())
    with pytest.raises(StreamInterruptedError):
        async for _ in llm().astream("story"):
            pass


def test_cut_stream_is_an_error_not_a_short_answer(fake_openrouter: Any) -> None:
    fake_openrouter.reply_stream([chunk({"content": "Once"})], done=False)
    with pytest.raises(StreamInterruptedError):
        llm().invoke("story", stream=True)


async def test_astream(fake_openrouter: Any) -> None:
    fake_openrouter.reply_stream(_reasoning_and_text_stream())
    text = "".join([c.text async for c in llm().astream("hi")])
    assert text == "Hello"


# --------------------------------------------------------------------------- tools


@pytest.mark.parametrize(
    ("choice", "sent"),
    [
        ("auto", "auto"),
        ("none", "none"),
        ("required", "required"),
        ("any", "required"),
        (True, {"type": "function", "function": {"name": "get_weather"}}),
        ("get_weather", {"type": "function", "function": {"name": "get_weather"}}),
    ],
)
def test_bind_tools_tool_choice(
    fake_openrouter: Any, make_completion: Any, choice: Any, sent: Any
) -> None:
    fake_openrouter.reply_json(make_completion())
    llm().bind_tools([get_weather], tool_choice=choice, parallel_tool_calls=False).invoke("hi")
    body = fake_openrouter.requests[0]
    assert body["tool_choice"] == sent
    assert body["parallel_tool_calls"] is False
    assert body["tools"][0]["function"]["name"] == "get_weather"


def test_bind_tools_strict_and_unknown_choice(fake_openrouter: Any) -> None:
    bound = llm().bind_tools([get_weather], strict=True)
    assert bound.kwargs["tools"][0]["function"]["strict"] is True  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="names no bound tool"):
        llm().bind_tools([get_weather], tool_choice="nope")


def test_bind_tools_on_model_without_tools_fails_before_sending(fake_openrouter: Any) -> None:
    with pytest.raises(CapabilityError) as caught:
        llm(model=NO_TOOLS).bind_tools([get_weather])
    error = caught.value
    assert "tool calling" in str(error)
    assert error.capable_models and all(isinstance(m, str) for m in error.capable_models)
    assert error.capable_models[0] in str(error)
    assert fake_openrouter.requests == []


def test_capability_check_off_skips_the_catalog(fake_openrouter: Any) -> None:
    assert llm(model=NO_TOOLS, capability_check="off").bind_tools([get_weather]) is not None


# --------------------------------------------------------------------------- structured output


def _method_sent(fake: Any) -> str:
    body = fake.requests[-1]
    if "response_format" in body:
        return str(body["response_format"]["type"])
    return "tools" if body.get("tools") else "none"


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (MODEL, "json_schema"),  # structured_outputs in the catalog
        ("anthropic/claude-3.5-haiku", "tools"),  # tools, no structured_outputs
    ],
)
def test_structured_output_method_follows_catalog(
    fake_openrouter: Any, make_completion: Any, model: str, expected: str
) -> None:
    if expected == "tools":
        args = json.dumps({"city": "Paris", "country": "France"})
        call = {"id": "c", "type": "function", "function": {"name": "Answer", "arguments": args}}
        fake_openrouter.reply_json(make_completion(None, tool_calls=[call]))
    else:
        fake_openrouter.reply_json(make_completion('{"city": "Paris", "country": "France"}'))
    result = llm(model=model).with_structured_output(Answer).invoke("Capital of France?")
    assert result == Answer(city="Paris", country="France")
    assert _method_sent(fake_openrouter) == expected


def test_structured_output_json_mode_and_include_raw(
    fake_openrouter: Any, make_completion: Any
) -> None:
    fake_openrouter.reply_json(make_completion('{"city": "Paris", "country": "France"}'))
    chain = llm().with_structured_output(Answer, method="json_mode", include_raw=True)
    out = chain.invoke("Capital of France? Answer in JSON.")
    assert isinstance(out, dict)
    assert out["parsed"] == Answer(city="Paris", country="France")
    assert out["parsing_error"] is None and isinstance(out["raw"], AIMessage)
    assert fake_openrouter.requests[0]["response_format"] == {"type": "json_object"}


def test_structured_output_without_any_support_fails_early(fake_openrouter: Any) -> None:
    with pytest.raises(CapabilityError):
        llm(model=NO_TOOLS).with_structured_output(Answer, method="function_calling")
    with pytest.raises(CapabilityError) as caught:
        llm(model="meta-llama/llama-guard-3-8b").with_structured_output(Answer)
    assert caught.value.capable_models
    assert fake_openrouter.requests == []


# --------------------------------------------------------------------------- misc


def test_profile_comes_from_the_catalog() -> None:
    profile = ChatOpenRouter(model="google/gemini-2.5-flash", api_key="k").profile
    assert profile is not None
    assert profile["max_input_tokens"] == 1048576
    assert profile["max_output_tokens"] == 65535
    assert profile["tool_calling"] and profile["structured_output"]
    assert profile["image_inputs"] and profile["pdf_inputs"] and profile["audio_inputs"]
    assert profile["video_inputs"] and profile["reasoning_output"]
    no_tools = ChatOpenRouter(model=NO_TOOLS, api_key="k").profile
    assert no_tools is not None and not no_tools["tool_calling"]


def test_key_is_never_shown() -> None:
    model = ChatOpenRouter(model=MODEL, api_key="sk-or-v1-secret-value")
    for text in (repr(model), str(model), dumps(model), str(model._identifying_params)):
        assert "sk-or-v1-secret-value" not in text
    assert model.model_name == MODEL
    assert ChatOpenRouter(model_name=MODEL, api_key="k").model == MODEL
