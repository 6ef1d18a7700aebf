"""What a user can get wrong is refused before sending, with an ``OpenRouterError``;
tool calls that arrive without ids (or with broken arguments) stay usable."""

from __future__ import annotations

import math
import warnings
from typing import Any

import httpx
import pytest

from langchain_openrouter import ChatOpenRouter
from llama_index_openrouter import OpenRouter
from openrouter_core import ConfigurationError, InvalidRequestError, OpenRouterClient
from tests.deploy.conftest import KEY

MODEL = "openai/gpt-4o-mini"
USER = [{"role": "user", "content": "hi"}]
TOOL = {
    "type": "function",
    "function": {"name": "get_weather", "parameters": {"type": "object", "properties": {}}},
}


class Counting:
    def __init__(self) -> None:
        self.sent = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.sent += 1
        return httpx.Response(500)


@pytest.fixture
def offline_client() -> Any:
    counter = Counting()
    client = OpenRouterClient(
        api_key=KEY,
        http_client=httpx.Client(transport=httpx.MockTransport(counter)),
        capability_check="off",
        max_retries=0,
    )
    client.counter = counter  # type: ignore[attr-defined]
    return client


@pytest.mark.parametrize(
    "url", ["https://user:sk-or-v1-secret@proxy.example/api/v1", "https://sk-or-v1-secret@h/x"]
)
def test_a_base_url_with_credentials_is_refused_everywhere(url: str) -> None:
    makers = [
        lambda: OpenRouterClient(api_key=KEY, base_url=url),
        lambda: ChatOpenRouter(model=MODEL, api_key=KEY, base_url=url),
        lambda: OpenRouter(api_key=KEY, api_base=url),
    ]
    for make in makers:
        with pytest.raises(ConfigurationError) as caught:
            make()
        assert "sk-or-v1-secret" not in str(caught.value)
        assert "user name or password" in str(caught.value)


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"provider": {"max_price": {"prompt": math.nan}}}, "provider.max_price.prompt"),
        ({"extra_body": {"top_a": math.inf}}, "top_a"),
        ({"temperature": 0.5, "extra_body": {"weights": [1.0, -math.inf]}}, "weights[1]"),
    ],
)
def test_nan_or_infinity_is_refused_before_sending(
    offline_client: Any, extra: dict[str, Any], where: str
) -> None:
    with pytest.raises(InvalidRequestError, match="NaN or infinity") as caught:
        offline_client.chat({"model": MODEL, "messages": USER, **extra})
    assert where in str(caught.value)
    assert offline_client.counter.sent == 0


def test_a_lone_surrogate_is_refused_before_sending(offline_client: Any) -> None:
    messages = [{"role": "user", "content": "broken \ud83d emoji"}]
    with pytest.raises(InvalidRequestError, match="lone surrogate") as caught:
        offline_client.chat({"model": MODEL, "messages": messages})
    assert "messages[0].content" in str(caught.value)
    assert offline_client.counter.sent == 0
    # Through LangChain too: an OpenRouterError, never a raw UnicodeEncodeError.
    llm = ChatOpenRouter(model=MODEL, api_key=KEY, capability_check="off")
    with pytest.raises(InvalidRequestError):
        llm.invoke("broken \udc80 text")


def test_duplicate_tool_names_are_refused(offline_client: Any) -> None:
    with pytest.raises(InvalidRequestError, match="two tools are named 'get_weather'"):
        offline_client.chat({"model": MODEL, "messages": USER, "tools": [TOOL, TOOL]})
    assert offline_client.counter.sent == 0


def _assert_distinct(ids: list[Any]) -> None:
    assert len(ids) == 2 and all(isinstance(i, str) and i for i in ids)
    assert ids[0] != ids[1]


def test_langchain_tool_calls_without_ids_get_distinct_ones(server_url: str) -> None:
    from langchain_core.messages import HumanMessage, ToolMessage

    llm = ChatOpenRouter(model=MODEL, api_key=KEY, base_url=server_url)
    bound = llm.bind_tools([TOOL])
    reply = bound.invoke("#no_tool_ids")
    _assert_distinct([c["id"] for c in reply.tool_calls])
    streamed = None
    for chunk in bound.stream("#no_tool_ids"):
        streamed = chunk if streamed is None else streamed + chunk
    assert streamed is not None
    _assert_distinct([c["id"] for c in streamed.tool_calls])
    # The results go back by those ids.
    turn = [HumanMessage("#no_tool_ids"), reply]
    turn += [ToolMessage("sunny", tool_call_id=c["id"]) for c in reply.tool_calls]
    assert bound.invoke(turn).tool_calls  # accepted: the server echoes the last user turn


def test_llama_index_tool_calls_without_ids_get_distinct_ones(server_url: str) -> None:
    from llama_index.core.tools import FunctionTool

    def get_weather(city: str) -> str:
        """Weather of a city."""
        return "sunny"

    llm = OpenRouter(model=MODEL, api_key=KEY, api_base=server_url)
    tools = [FunctionTool.from_defaults(get_weather)]
    reply = llm.chat_with_tools(tools, user_msg="#no_tool_ids", allow_parallel_tool_calls=True)
    calls = llm.get_tool_calls_from_response(reply)
    _assert_distinct([c.tool_id for c in calls])
    *_, last = llm.stream_chat_with_tools(
        tools, user_msg="#no_tool_ids", allow_parallel_tool_calls=True
    )
    _assert_distinct([c.tool_id for c in llm.get_tool_calls_from_response(last)])


def test_llama_index_keeps_arguments_that_are_not_json_and_says_so(server_url: str) -> None:
    from llama_index.core.base.llms.types import ToolCallBlock
    from llama_index.core.tools import FunctionTool

    def get_weather(city: str) -> str:
        """Weather of a city."""
        return "sunny"

    llm = OpenRouter(model=MODEL, api_key=KEY, api_base=server_url)
    reply = llm.chat_with_tools([FunctionTool.from_defaults(get_weather)], user_msg="#bad_args")
    (block,) = [b for b in reply.message.blocks if isinstance(b, ToolCallBlock)]
    assert block.tool_kwargs == '{"city": "Par'  # the raw text, kept
    invalid = reply.message.additional_kwargs["invalid_tool_calls"]
    assert invalid[0]["args"] == '{"city": "Par' and "JSON" in invalid[0]["error"]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        (selection,) = llm.get_tool_calls_from_response(reply)
    assert selection.tool_kwargs == {}
    assert any("not valid JSON" in str(w.message) for w in caught)
