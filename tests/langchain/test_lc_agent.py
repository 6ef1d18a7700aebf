"""A LangGraph agent (``langchain.agents.create_agent``) on ChatOpenRouter.

The two-tool runs (weather and local time, called in one turn) replay cassettes.
While authoring them against the emulator, the weather tool also tells the
emulator to rate-limit the primary model once, so the run's second model call
falls back to the backup model in the middle of the run (a live re-recording
cannot script that, so it skips them).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from langchain.agents import create_agent
from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage, ToolMessage
from langchain_core.tools import BaseTool, tool

from langchain_openrouter import ChatOpenRouter
from openrouter_core import CapabilityError

PRIMARY = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"
NO_TOOLS = "google/gemma-3-4b-it"
QUESTION = "What is the weather in Paris right now, and what is the local time there?"
SYSTEM = "Use the tools to answer. Quote the tools' results in your answer."

live_recording = pytest.mark.skipif(
    os.environ.get("OPENROUTER_RECORD_MODE", "none") != "none"
    and os.environ.get("OPENROUTER_EMULATE") != "1",
    reason="the mid-run rate limit is scripted in the emulator; live runs cannot inject it",
)


def city_tools(after_first_tool: Callable[[], None]) -> list[BaseTool]:
    @tool
    def get_weather(city: str) -> str:
        """Current weather of a city."""
        after_first_tool()
        return "Sunny, 18°C"

    @tool
    def get_local_time(city: str) -> str:
        """Current local time (24-hour clock) in a city."""
        return "14:05"

    return [get_weather, get_local_time]


def build_agent(api_key: str, base_url: str, emulator: Any) -> Any:
    def rate_limit_primary_once() -> None:
        if emulator is not None:
            emulator.fail_model(PRIMARY, "rate_limit", times=1)

    model = ChatOpenRouter(
        model=PRIMARY,
        fallback_models=[BACKUP],
        api_key=api_key,
        base_url=base_url,
        temperature=0,
    )
    return create_agent(model, city_tools(rate_limit_primary_once), system_prompt=SYSTEM)


def _check_run(messages: list[Any]) -> None:
    called = {c["name"] for m in messages if isinstance(m, AIMessage) for c in m.tool_calls}
    assert called == {"get_weather", "get_local_time"}
    results = {m.content for m in messages if isinstance(m, ToolMessage)}
    assert {"Sunny, 18°C", "14:05"} <= results
    answer = messages[-1]
    assert isinstance(answer, AIMessage) and not answer.tool_calls
    assert "18" in answer.text and "14:05" in answer.text
    served = [m.response_metadata["model_name"] for m in messages if isinstance(m, AIMessage)]
    assert served[0] == PRIMARY
    assert BACKUP in served[1:]  # the primary was rate-limited mid-run
    fell_back = next(
        m
        for m in messages
        if isinstance(m, AIMessage) and m.response_metadata["model_name"] == BACKUP
    )
    first_try = fell_back.response_metadata["fallback_attempts"][0]
    assert first_try["model"] == PRIMARY and first_try["status_code"] == 429


@live_recording
@pytest.mark.openrouter_cassette
def test_agent_two_tools_with_mid_run_fallback(api_key: str, base_url: str, emulator: Any) -> None:
    agent = build_agent(api_key, base_url, emulator)
    result = agent.invoke({"messages": [HumanMessage(QUESTION)]})
    _check_run(result["messages"])


@live_recording
@pytest.mark.openrouter_cassette
async def test_agent_streams_tokens_and_steps(api_key: str, base_url: str, emulator: Any) -> None:
    agent = build_agent(api_key, base_url, emulator)
    tokens: list[str] = []
    final: dict[str, Any] = {}
    async for mode, payload in agent.astream(
        {"messages": [HumanMessage(QUESTION)]}, stream_mode=["messages", "values"]
    ):
        if mode == "messages":
            message, _metadata = payload
            if isinstance(message, AIMessageChunk) and message.text:
                tokens.append(message.text)
        else:
            final = payload
    assert tokens, "the agent streamed no tokens"
    _check_run(final["messages"])
    assert "14:05" in "".join(tokens)


def test_agent_with_a_model_without_tools_fails_before_sending(fake_openrouter: Any) -> None:
    agent = create_agent(ChatOpenRouter(model=NO_TOOLS, api_key="k"), city_tools(lambda: None))
    with pytest.raises(CapabilityError) as caught:
        agent.invoke({"messages": [HumanMessage(QUESTION)]})
    assert "tool calling" in str(caught.value)
    assert caught.value.capable_models
    assert fake_openrouter.requests == []  # nothing was sent
