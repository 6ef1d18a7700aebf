"""``OpenRouter`` as a drop-in for ``llama-index-llms-openrouter``: the peer's
constructor keywords with their meaning, ``extra_body`` at the top level of the
JSON actually sent, ``to_dict``, logprobs, structured outputs, prompt hooks and
the refusal of unknown keywords. Requests go through a caller's
``httpx.MockTransport`` (``http_client=``) or the scripted ``fake_server``."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import httpx
import pytest
from li_helpers import MockOpenRouter, completion, stream_events, tool_call
from llama_index.core.base.llms.types import ChatMessage, LogProb, MessageRole
from llama_index.core.prompts import PromptTemplate
from llama_index.core.tools import FunctionTool
from pydantic import BaseModel, ValidationError

from llama_index_openrouter import OpenRouter
from openrouter_core import CapabilityError

MODEL = "openai/gpt-4o-mini"
NO_TOOLS = "google/gemma-3-4b-it"


def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b


ADD = FunctionTool.from_defaults(fn=add)


def user(text: str) -> ChatMessage:
    return ChatMessage(role=MessageRole.USER, content=text)


@pytest.fixture
def mock() -> MockOpenRouter:
    return MockOpenRouter()


def llm_on(mock: MockOpenRouter, **kwargs: Any) -> OpenRouter:
    kwargs.setdefault("model", MODEL)
    kwargs.setdefault("api_key", "sk-or-v1-test")
    return OpenRouter(http_client=mock.client(), async_http_client=mock.async_client(), **kwargs)


# --------------------------------------------------------------------------- constructor keywords


def test_every_peer_keyword_is_accepted(mock: MockOpenRouter) -> None:
    llm = llm_on(
        mock,
        temperature=0.1,
        max_tokens=256,
        additional_kwargs={"top_p": 0.9},
        max_retries=5,
        timeout=60.0,
        order=["openai"],
        allow_fallbacks=False,
        is_chat_model=True,
        is_function_calling_model=True,
        strict=True,
        reuse_client=False,
        api_version="2024-01-01",
        reasoning_effort="low",
        logprobs=True,
        top_logprobs=2,
        modalities=["text"],
        audio_config={"voice": "alloy", "format": "wav"},
        should_use_structured_outputs=True,
        completion_to_prompt=lambda p: p,
        messages_to_prompt=lambda ms: "\n".join(m.content or "" for m in ms),
        context_window=4096,
        default_headers={"X-Custom": "1"},
        api_base="https://openrouter.ai/api/v1",
        system_prompt="Be brief.",
        tokenizer=None,
        max_new_tokens=100,
    )
    assert llm.provider == {"order": ["openai"], "allow_fallbacks": False}
    assert llm.max_tokens == 256  # max_new_tokens only fills an unset max_tokens
    assert (llm.reuse_client, llm.api_version, llm.strict) == (False, "2024-01-01", True)
    assert llm.metadata.context_window == 4096 and llm.metadata.is_function_calling_model


def test_order_and_allow_fallbacks_keep_other_provider_keys(mock: MockOpenRouter) -> None:
    given = {"extra_body": {"provider": {"require_parameters": True}}}
    llm = llm_on(
        mock, provider={"sort": "price"}, order=["a", "b"], allow_fallbacks=False,
        additional_kwargs=given,
    )  # fmt: skip
    assert llm.provider == {"sort": "price", "order": ["a", "b"], "allow_fallbacks": False}
    nested = llm.additional_kwargs["extra_body"]["provider"]
    assert nested == {"require_parameters": True, "order": ["a", "b"], "allow_fallbacks": False}
    assert given == {"extra_body": {"provider": {"require_parameters": True}}}  # not mutated
    llm.chat([user("hi")])
    assert mock.bodies[0]["provider"] == {
        "sort": "price",
        "order": ["a", "b"],
        "allow_fallbacks": False,
        "require_parameters": True,
    }
    with pytest.raises(ValueError, match="provider"):
        OpenRouter(order=["a"], additional_kwargs={"extra_body": {"provider": "openai"}})
    with pytest.raises(ValueError, match="provider"):
        OpenRouter(order=["a"], provider="openai")


def test_is_function_calling_model_overrides_the_catalog(fake_server: Any) -> None:
    assert OpenRouter(model=NO_TOOLS).metadata.is_function_calling_model is False
    assert OpenRouter(
        model=NO_TOOLS, is_function_calling_model=True
    ).metadata.is_function_calling_model
    meta = OpenRouter(model=MODEL, is_function_calling_model=False, is_chat_model=False).metadata
    assert meta.is_function_calling_model is False and meta.is_chat_model is False
    # a tool-capable fallback (or fallback="auto") can serve tool calls
    assert OpenRouter(model=NO_TOOLS, fallback_models=[MODEL]).metadata.is_function_calling_model
    assert OpenRouter(model=NO_TOOLS, fallback="auto").metadata.is_function_calling_model


def test_strict_is_the_default_of_tool_schemas(mock: MockOpenRouter) -> None:
    llm = llm_on(mock, strict=True)
    llm.chat_with_tools([ADD], user_msg="1+2?")
    function = mock.bodies[0]["tools"][0]["function"]
    assert function["strict"] is True
    assert function["parameters"]["additionalProperties"] is False
    llm.chat_with_tools([ADD], user_msg="1+2?", strict=False)  # a call's strict wins
    assert mock.bodies[1]["tools"][0]["function"]["strict"] is False
    llm_on(mock).chat_with_tools([ADD], user_msg="1+2?")
    assert "strict" not in mock.bodies[2]["tools"][0]["function"]


def test_reasoning_effort_is_sent_as_reasoning(mock: MockOpenRouter) -> None:
    model = "google/gemini-2.5-flash"
    llm_on(mock, model=model, reasoning_effort="high", reasoning={"exclude": True}).chat(
        [user("q")]
    )
    assert mock.bodies[0]["reasoning"] == {"exclude": True, "effort": "high"}
    assert "reasoning_effort" not in mock.bodies[0]
    llm_on(mock, model=model, reasoning={"max_tokens": 100}).chat(
        [user("q")], reasoning_effort="low"
    )
    assert mock.bodies[1]["reasoning"] == {"max_tokens": 100, "effort": "low"}
    with pytest.raises(ValidationError):
        OpenRouter(reasoning_effort="extreme")


def test_modalities_and_audio_config_are_sent(mock: MockOpenRouter) -> None:
    llm_on(mock, modalities=["text"], audio_config={"voice": "alloy"}).chat([user("q")])
    assert mock.bodies[0]["modalities"] == ["text"] and mock.bodies[0]["audio"] == {
        "voice": "alloy"
    }


def test_max_retries_timeout_headers_and_api_base(
    mock: MockOpenRouter, monkeypatch: pytest.MonkeyPatch
) -> None:
    llm = llm_on(mock, max_retries=0, timeout=5, default_headers={"X-Team": "search"})
    llm.chat([user("q")])
    assert mock.requests[0]["headers"]["x-team"] == "search"
    client = llm._clients().sync
    assert client.settings.max_retries == 0 and client.settings.timeouts.read == 5
    monkeypatch.delenv("OPENROUTER_BASE_URL", raising=False)
    monkeypatch.setenv("OPENROUTER_API_BASE", "https://gateway.example/api/v1")
    assert OpenRouter().api_base == "https://gateway.example/api/v1"
    assert OpenRouter(api_base="https://other.example/v1").api_base == "https://other.example/v1"


def test_unknown_keywords_are_refused_naming_close_ones() -> None:
    with pytest.raises(ValidationError) as caught:
        OpenRouter(api_key="sk-or-v1-secret", fallback_model=["x"], tempreature=0.2)
    text = str(caught.value)
    assert "'fallback_models'" in text and "'temperature'" in text
    assert "sk-or-v1-secret" not in text
    with pytest.raises(ValueError, match="openai SDK"):
        OpenRouter(openai_client=object())


# --------------------------------------------------------------------------- extra_body


def test_extra_body_reaches_the_top_level_of_the_json_sent(mock: MockOpenRouter) -> None:
    llm = llm_on(
        mock,
        additional_kwargs={
            "extra_body": {"provider": {"only": ["openai"]}, "transforms": ["middle-out"]}
        },
    )
    llm.chat([user("q")])
    sent = mock.bodies[0]
    assert sent["provider"] == {"only": ["openai"]} and sent["transforms"] == ["middle-out"]
    assert "extra_body" not in sent
    llm.complete("q", extra_body={"transforms": [], "user": "u-1"})
    assert mock.bodies[1]["transforms"] == [] and mock.bodies[1]["user"] == "u-1"


def test_a_call_wins_over_the_constructor(mock: MockOpenRouter) -> None:
    llm = llm_on(
        mock,
        temperature=0.1,
        max_tokens=256,
        additional_kwargs={"top_p": 0.5, "extra_body": {"seed": 1, "transforms": ["middle-out"]}},
    )
    llm.chat([user("q")], top_p=0.9, max_tokens=10, extra_body={"seed": 2})
    sent = mock.bodies[0]
    assert (sent["top_p"], sent["max_tokens"], sent["seed"]) == (0.9, 10, 2)
    assert sent["temperature"] == 0.1 and sent["transforms"] == ["middle-out"]
    # extra_body of the same layer wins over that layer's keywords (as the OpenAI SDK sends)
    llm_on(mock, additional_kwargs={"top_p": 0.5, "extra_body": {"top_p": 0.7}}).chat([user("q")])
    assert mock.bodies[1]["top_p"] == 0.7


def test_extra_body_constructor_keyword_merges_into_additional_kwargs() -> None:
    llm = OpenRouter(extra_body={"thinking": {"type": "disabled"}})
    assert llm.additional_kwargs["extra_body"] == {"thinking": {"type": "disabled"}}
    llm = OpenRouter(
        additional_kwargs={"extra_body": {"provider": {"order": ["deepseek"]}}},
        extra_body={"thinking": {"type": "disabled"}},
    )
    assert llm.additional_kwargs["extra_body"] == {
        "provider": {"order": ["deepseek"]},
        "thinking": {"type": "disabled"},
    }


# --------------------------------------------------------------------------- to_dict


def test_to_dict_carries_the_peer_fields_and_never_the_key() -> None:
    llm = OpenRouter(
        api_key="sk-or-v1-secret", is_chat_model=True, is_function_calling_model=True,
        context_window=43, max_tokens=42,
    )  # fmt: skip
    data = llm.to_dict()
    assert data["is_chat_model"] is True and data["is_function_calling_model"] is True
    assert data["context_window"] == 43 and data["max_tokens"] == 42
    assert "api_key" not in data and "sk-or-v1-secret" not in json.dumps(data)
    assert "sk-or-v1-secret" not in llm.to_json()
    again = OpenRouter.from_dict(data)
    assert again.context_window == 43 and again.is_function_calling_model is True


# --------------------------------------------------------------------------- logprobs


def _token(token: str, logprob: float, top: list[tuple[str, float]]) -> dict[str, Any]:
    return {
        "token": token,
        "logprob": logprob,
        "bytes": list(token.encode()),
        "top_logprobs": [{"token": t, "logprob": p, "bytes": None} for t, p in top],
    }


def test_logprobs_are_sent_and_returned(mock: MockOpenRouter) -> None:
    reply = completion("Hi")
    reply["choices"][0]["logprobs"] = {
        "content": [_token("Hi", -0.1, [("Hi", -0.1), ("Hey", -2.5)])]
    }
    mock.replies.append(reply)
    response = llm_on(mock, logprobs=True, top_logprobs=2).chat([user("q")])
    assert mock.bodies[0]["logprobs"] is True and mock.bodies[0]["top_logprobs"] == 2
    assert response.logprobs == [
        [LogProb(token="Hi", logprob=-0.1, bytes=[]), LogProb(token="Hey", logprob=-2.5, bytes=[])]
    ]
    # without alternatives (top_logprobs unset), as llama-index-llms-openai: []
    reply = completion("Hi")
    reply["choices"][0]["logprobs"] = {"content": [_token("Hi", -0.1, [])]}
    mock.replies.append(reply)
    assert llm_on(mock, logprobs=True).complete("q").logprobs == []
    assert "top_logprobs" not in mock.bodies[1]
    # not asked: None
    assert llm_on(mock).chat([user("q")]).logprobs is None
    assert "logprobs" not in mock.bodies[2]


def test_logprobs_on_streams(mock: MockOpenRouter) -> None:
    events = stream_events(["Hel", "lo"])
    events[1]["choices"][0]["logprobs"] = {"content": [_token("Hel", -0.2, [("Hel", -0.2)])]}
    events[2]["choices"][0]["logprobs"] = {"content": [_token("lo", -0.3, [("lo", -0.3)])]}
    mock.replies.append(events)
    chunks = list(llm_on(mock).stream_chat([user("q")], logprobs=True, top_logprobs=1))
    assert [c.delta for c in chunks] == ["Hel", "lo", ""]
    assert [[p.token for p in t] for t in chunks[0].logprobs or []] == [["Hel"]]
    assert [[p.token for p in t] for t in chunks[1].logprobs or []] == [["Hel"], ["lo"]]
    assert chunks[-1].logprobs == chunks[1].logprobs  # the final response: the whole reply

    async def collect() -> list[Any]:
        mock.replies.append(events)
        stream = await llm_on(mock, logprobs=True).astream_complete("q")
        return [c async for c in stream]

    completions = asyncio.run(collect())
    assert [[p.token for p in t] for t in completions[-1].logprobs or []] == [["Hel"], ["lo"]]
    mock.replies.append(stream_events(["x"]))
    assert all(c.logprobs is None for c in llm_on(mock).stream_chat([user("q")]))


# --------------------------------------------------------------------------- structured outputs


class Person(BaseModel):
    name: str
    age: int


def test_should_use_structured_outputs_sends_a_json_schema(mock: MockOpenRouter) -> None:
    mock.replies.append(completion('{"name": "Alice", "age": 25}'))
    llm = llm_on(mock, should_use_structured_outputs=True)
    person = llm.structured_predict(Person, PromptTemplate("Who is {who}?"), who="Alice")
    assert person == Person(name="Alice", age=25)
    fmt = mock.bodies[0]["response_format"]
    assert fmt["type"] == "json_schema" and fmt["json_schema"]["strict"] is True
    assert fmt["json_schema"]["name"] == "Person"
    schema = fmt["json_schema"]["schema"]
    assert schema["additionalProperties"] is False and schema["required"] == ["name", "age"]
    assert "tools" not in mock.bodies[0] and "tool_choice" not in mock.bodies[0]

    async def run() -> Person:
        mock.replies.append(completion('{"name": "Bob", "age": 30}'))
        return await llm.astructured_predict(Person, PromptTemplate("Who is Bob?"))

    assert asyncio.run(run()) == Person(name="Bob", age=30)
    # a model without structured outputs is refused before sending
    with pytest.raises(CapabilityError):
        llm_on(mock, model=NO_TOOLS, should_use_structured_outputs=True).structured_predict(
            Person, PromptTemplate("Who?")
        )
    assert len(mock.requests) == 2


def test_structured_predict_default_uses_a_forced_tool(mock: MockOpenRouter) -> None:
    args = {"name": "Charlie", "age": 35}
    mock.replies.append(completion(None, tool_calls=[tool_call("c1", "Person", args)]))
    structured = llm_on(mock).as_structured_llm(Person)
    assert structured.output_cls is Person
    assert structured.complete("Who is Charlie?").raw == Person(name="Charlie", age=35)
    assert mock.bodies[0]["tool_choice"] == "required"


# --------------------------------------------------------------------------- prompt hooks


def test_completion_to_prompt_applies_unless_formatted(mock: MockOpenRouter) -> None:
    llm = llm_on(mock, completion_to_prompt=lambda p: f"[INST] {p} [/INST]")
    llm.complete("hi")
    list(llm.stream_complete("there"))
    llm.complete("raw", formatted=True)
    prompts = [b["messages"][0]["content"] for b in mock.bodies]
    assert prompts == ["[INST] hi [/INST]", "[INST] there [/INST]", "raw"]


def test_is_chat_model_false_flattens_messages(mock: MockOpenRouter) -> None:
    llm = llm_on(mock, is_chat_model=False, messages_to_prompt=lambda ms: "|".join(
        f"{m.role.value}:{m.content}" for m in ms
    ))  # fmt: skip
    assert llm.metadata.is_chat_model is False
    llm.chat([ChatMessage(role="system", content="s"), user("u")])
    assert mock.bodies[0]["messages"] == [{"role": "user", "content": "system:s|user:u"}]


def test_reuse_client_and_api_version_are_accepted_and_unused(mock: MockOpenRouter) -> None:
    llm = llm_on(mock, reuse_client=False, api_version="v9")
    llm.chat([user("a")])
    llm.chat([user("b")])  # the caller's client is not closed between calls
    assert len(mock.requests) == 2 and not any("v9" in json.dumps(b) for b in mock.bodies)


def test_use_chat_completions_call_keyword_is_not_sent(mock: MockOpenRouter) -> None:
    llm_on(mock).chat([user("q")], use_chat_completions=True)
    assert "use_chat_completions" not in mock.bodies[0]


def test_a_callers_http_client_is_used_as_given(mock: MockOpenRouter) -> None:
    sync, aclient = mock.client(headers={"X-Marker": "m"}), mock.async_client()
    llm = OpenRouter(model=MODEL, api_key="k", http_client=sync, async_http_client=aclient)
    llm.chat([user("q")])
    asyncio.run(llm.achat([user("q")]))
    assert [r["headers"].get("x-marker") for r in mock.requests] == ["m", None]
    assert mock.requests[0]["headers"]["authorization"] == "Bearer k"
    assert "authorization" not in sync.headers and not sync.is_closed  # never modified
    with pytest.raises(ValueError, match="async_http_client"):
        OpenRouter(http_client=httpx.AsyncClient())


def test_sdk_request_options_in_additional_kwargs(mock: MockOpenRouter) -> None:
    llm = llm_on(
        mock, additional_kwargs={"extra_headers": {"X-Trace": "t1"}, "timeout": 7, "seed": 3}
    )
    assert llm.default_headers == {"X-Trace": "t1"} and llm.timeout == 7
    assert llm.additional_kwargs == {"seed": 3}
    llm.chat([user("q")])
    assert mock.requests[0]["headers"]["x-trace"] == "t1"
    assert "extra_headers" not in mock.bodies[0] and "timeout" not in mock.bodies[0]
    with pytest.raises(ValueError, match="extra_query"):
        OpenRouter(additional_kwargs={"extra_query": {"a": "b"}})
    with pytest.raises(ValueError, match="per call"):
        llm.chat([user("q")], extra_headers={"X-Other": "1"})
    assert len(mock.requests) == 1
