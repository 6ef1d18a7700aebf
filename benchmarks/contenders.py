"""What is measured: each contender as three callables over the same loopback server.

A contender gives ``invoke()`` (one chat call, reply parsed), ``stream()`` (consume a
whole streamed reply; returns the number of content chunks) and ``ainvoke()``.
Floors are frameworks with a trivial model (no I/O) plus raw httpx doing the I/O.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx

MODEL = "openai/gpt-4o-mini"
PROMPT = "What is the capital of France?"
BODY = {"model": MODEL, "messages": [{"role": "user", "content": PROMPT}]}
REPLY = "The capital of France is Paris."


@dataclass
class Contender:
    name: str
    invoke: Callable[[], Any]
    stream: Callable[[], int]
    ainvoke: Callable[[], Awaitable[Any]] | None = None
    floor_of: str | None = None  # a framework floor (no I/O) to add raw httpx to


def raw_httpx(base_url: str) -> Contender:
    client = httpx.Client(headers={"Authorization": "Bearer x"})
    aclient = httpx.AsyncClient(
        headers={"Authorization": "Bearer x"}, limits=httpx.Limits(max_connections=100)
    )
    url = base_url + "/chat/completions"
    stream_body = {**BODY, "stream": True}

    def invoke() -> Any:
        reply = client.post(url, json=BODY)
        return reply.json()["choices"][0]["message"]["content"]

    def stream() -> int:
        n = 0
        with client.stream("POST", url, json=stream_body) as reply:
            for line in reply.iter_lines():
                data = line[6:] if line.startswith("data: ") else "[DONE]"
                if data != "[DONE]" and json.loads(data)["choices"][0]["delta"].get("content"):
                    n += 1
        return n

    async def ainvoke() -> Any:
        reply = await aclient.post(url, json=BODY)
        return reply.json()["choices"][0]["message"]["content"]

    return Contender("raw httpx", invoke, stream, ainvoke)


def core(base_url: str) -> Contender:
    from openrouter_core import AsyncOpenRouterClient, OpenRouterClient

    client = OpenRouterClient(api_key="x", base_url=base_url)
    aclient = AsyncOpenRouterClient(api_key="x", base_url=base_url, catalog=client.catalog)
    client.catalog.ensure()

    def stream() -> int:
        return sum(1 for chunk in client.chat_stream(BODY) if chunk.content)

    return Contender(
        "openrouter_core", lambda: client.chat(BODY).text, stream, lambda: aclient.chat(BODY)
    )


# ---------------------------------------------------------------- LangChain


def langchain_floor(chunks: int) -> Contender:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import AIMessage, AIMessageChunk
    from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult

    class TrivialChat(BaseChatModel):
        @property
        def _llm_type(self) -> str:
            return "trivial"

        def _generate(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> ChatResult:
            return ChatResult(generations=[ChatGeneration(message=AIMessage(REPLY))])

        def _stream(
            self, messages: Any, stop: Any = None, run_manager: Any = None, **kwargs: Any
        ) -> Iterator[ChatGenerationChunk]:
            for i in range(chunks):
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=f"w{i} "))
                if run_manager:
                    run_manager.on_llm_new_token(chunk.text, chunk=chunk)
                yield chunk

    model = TrivialChat()
    return Contender(
        "langchain-core trivial model",
        lambda: model.invoke(PROMPT),
        lambda: sum(1 for c in model.stream(PROMPT) if c.content),
        lambda: model.ainvoke(PROMPT),
    )


def _lc(name: str, model: Any) -> Contender:
    return Contender(
        name,
        lambda: model.invoke(PROMPT),
        lambda: sum(1 for c in model.stream(PROMPT) if c.content),
        lambda: model.ainvoke(PROMPT),
        floor_of="langchain-core trivial model",
    )


def chat_openrouter(base_url: str) -> Contender:
    from langchain_openrouter import ChatOpenRouter

    model = ChatOpenRouter(model=MODEL, api_key="x", base_url=base_url)
    model.invoke(PROMPT)  # loads the catalog, as any first call does
    return _lc("ChatOpenRouter (ours)", model)


def chat_openai(base_url: str) -> Contender:
    from langchain_openai import ChatOpenAI

    return _lc("ChatOpenAI(base_url=...)", ChatOpenAI(model=MODEL, api_key="x", base_url=base_url))


# ---------------------------------------------------------------- LlamaIndex


def llama_floor(chunks: int) -> Contender:
    from llama_index.core.llms import (
        ChatMessage,
        CompletionResponse,
        CustomLLM,
        LLMMetadata,
    )
    from llama_index.core.llms.callbacks import llm_completion_callback

    class TrivialLLM(CustomLLM):
        @property
        def metadata(self) -> LLMMetadata:
            return LLMMetadata(model_name="trivial")

        @llm_completion_callback()
        def complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            return CompletionResponse(text=REPLY)

        @llm_completion_callback()
        def stream_complete(self, prompt: str, formatted: bool = False, **kwargs: Any) -> Any:
            def gen() -> Iterator[CompletionResponse]:
                text = ""
                for i in range(chunks):
                    delta = f"w{i} "
                    text += delta
                    yield CompletionResponse(text=text, delta=delta)

            return gen()

    llm, messages = TrivialLLM(), [ChatMessage(role="user", content=PROMPT)]
    return Contender(
        "llama-index-core trivial LLM",
        lambda: llm.chat(messages),
        lambda: sum(1 for c in llm.stream_chat(messages) if c.delta),
        lambda: llm.achat(messages),
    )


def _li(name: str, llm: Any) -> Contender:
    from llama_index.core.llms import ChatMessage

    messages = [ChatMessage(role="user", content=PROMPT)]
    return Contender(
        name,
        lambda: llm.chat(messages),
        lambda: sum(1 for c in llm.stream_chat(messages) if c.delta),
        lambda: llm.achat(messages),
        floor_of="llama-index-core trivial LLM",
    )


def llama_openrouter(base_url: str) -> Contender:
    from llama_index_openrouter import OpenRouter

    llm = OpenRouter(model=MODEL, api_key="x", api_base=base_url)
    llm.complete(PROMPT)  # loads the catalog
    return _li("OpenRouter (ours, LlamaIndex)", llm)


def llama_peer(base_url: str) -> Contender:
    from llama_index.llms.openrouter import OpenRouter as PeerOpenRouter

    return _li(
        "llama-index-llms-openrouter", PeerOpenRouter(model=MODEL, api_key="x", api_base=base_url)
    )
