"""The pytest plugin as a user meets it: record a LangChain chain once, replay it offline.

A throwaway project (pytester) holds the example from ``docs/testing.md``. It records
against the loopback emulator standing in for openrouter.ai (with a key in the
environment), then replays with no key, no base URL and the network blocked. The
catalog the model checks requests against is recorded once, in its own cassette.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("langchain_core")

pytest_plugins = ["pytester"]

PLUGIN = "openrouter_core.testing.pytest_plugin"
SECRET = "sk-or-v1-" + "5" * 64

USER_TEST = """
import pytest
from langchain_core.prompts import ChatPromptTemplate

from langchain_openrouter import ChatOpenRouter


@pytest.mark.openrouter_cassette
def test_summary_chain(openrouter_api_key):
    llm = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=openrouter_api_key, temperature=0)
    chain = ChatPromptTemplate.from_messages([("human", "Summarise: {text}")]) | llm
    reply = chain.invoke({"text": "OpenRouter routes requests to many models."})
    assert reply.content
    assert reply.response_metadata["model_name"].startswith("openai/gpt-4o-mini")


@pytest.mark.openrouter_cassette
async def test_refuses_tools_on_a_model_without_them(openrouter_api_key):
    from openrouter_core import CapabilityError

    llm = ChatOpenRouter(model="openai/gpt-4o-mini", api_key=openrouter_api_key)
    assert (await llm.ainvoke("Say hi")).content
    with pytest.raises(CapabilityError):
        ChatOpenRouter(model="openai/gpt-5-chat", api_key=openrouter_api_key).bind_tools([{
            "type": "function",
            "function": {"name": "f", "parameters": {"type": "object", "properties": {}}},
        }])
"""


@pytest.fixture
def emulator_url() -> Iterator[str]:
    from tests.emulator import Emulator

    emu = Emulator()
    try:
        yield emu.start()
    finally:
        emu.stop()


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    plugins = ("-p", "no:openrouter_vcr", "-p", PLUGIN, "-p", "no:cacheprovider")
    return pytester.runpytest_inprocess(*plugins, *args)


def test_user_records_then_replays_a_chain(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, emulator_url: str
) -> None:
    pytester.makeini("[pytest]\nasyncio_mode = auto\n")
    pytester.makepyfile(test_chain=USER_TEST)
    for name in ("OPENROUTER_RECORD_MODE", "OPENROUTER_CATALOG_CACHE_DIR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET)
    monkeypatch.setenv("OPENROUTER_BASE_URL", emulator_url)
    monkeypatch.setenv("OPENROUTER_CASSETTE_REWRITE_FROM", emulator_url)

    run(pytester, "--openrouter-record-mode=once").assert_outcomes(passed=2)

    cassettes = Path(pytester.path, "cassettes")
    names = sorted(str(p.relative_to(cassettes)) for p in cassettes.rglob("*.yaml"))
    assert names == [
        "openrouter_catalog.yaml",
        "test_chain/test_refuses_tools_on_a_model_without_them.yaml",
        "test_chain/test_summary_chain.yaml",
    ]
    for path in cassettes.rglob("*.yaml"):
        text = path.read_text()
        assert SECRET not in text and emulator_url not in text
        assert "https://openrouter.ai/api/v1/" in text
    # Each test's cassette holds only its own call, not the catalog.
    assert "/models" not in (cassettes / "test_chain/test_summary_chain.yaml").read_text()

    # Replay: no key, default base URL, the emulator gone from the environment.
    for name in ("OPENROUTER_API_KEY", "OPENROUTER_BASE_URL", "OPENROUTER_CASSETTE_REWRITE_FROM"):
        monkeypatch.delenv(name)
    run(pytester, "-p", "no:randomly").assert_outcomes(passed=2)
