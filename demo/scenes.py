"""The three scenes of the demo. Each takes the connection settings and prints as it goes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from demo.display import bold, dim, heading, say, table, waiting

PRIMARY = "openai/gpt-4o-mini"
BACKUP = "anthropic/claude-3.5-haiku"
EMBEDDER = "openai/text-embedding-3-small"
RERANKER = "cohere/rerank-v3.5"
QUESTION = "What is the weather in Paris right now, and what is the local time there?"


@dataclass
class Connection:
    api_key: str
    base_url: str | None
    #: Called when the agent's first tool runs (the emulator uses it to rate-limit
    #: the primary model in the middle of the run while authoring the cassette).
    on_first_tool: Callable[[], None] = lambda: None
    costs: list[float] = field(default_factory=list)


def per_million(price: float | None) -> str:
    return "-" if price is None else f"${price * 1e6:,.2f}"


def catalog_scene(conn: Connection) -> None:
    from openrouter_core import OpenRouterClient

    heading(1, "The catalog: models with tools and structured outputs, cheapest first")
    with OpenRouterClient(api_key=conn.api_key, base_url=conn.base_url) as client:
        with waiting("loading the model catalog (GET /models)"):
            catalog = client.catalog.ensure()
        found = catalog.query(supports=["tools", "structured_outputs"], free=False, sort="price")
    say(f"  {len(catalog)} models in the catalog; {len(found)} can call tools and follow a schema.")
    rows = [
        [
            m.id,
            f"{m.context_window or 0:,}",
            per_million(m.prompt_price),
            per_million(m.completion_price),
        ]
        for m in found[:8]
    ]
    table(["model", "context", "in $/M tok", "out $/M tok"], rows)


def _report_call(conn: Connection, message: Any) -> None:
    meta, usage = message.response_metadata, message.usage_metadata or {}
    cost = meta.get("cost")
    if cost is not None:
        conn.costs.append(float(cost))
    tries = [a for a in meta.get("fallback_attempts", []) if not a.get("ok")]
    detour = "".join(
        f" after {a['model']} failed ({a.get('error_type')} {a.get('status_code') or ''})".rstrip()
        for a in tries
    )
    say(
        dim(
            f"  [call] {meta.get('model_name')} via {meta.get('provider')}{detour}: "
            f"{usage.get('input_tokens', 0)} in / {usage.get('output_tokens', 0)} out tokens, "
            f"cost ${cost if cost is not None else 0:.6f}"
        )
    )


def agent_scene(conn: Connection, *, live: bool) -> None:
    from langchain.agents import create_agent
    from langchain_core.messages import AIMessage, AIMessageChunk, HumanMessage
    from langchain_core.tools import tool

    from langchain_openrouter import ChatOpenRouter

    heading(2, "A LangChain agent with two tools and a fallback route, streaming")
    first = {"tool": True}

    @tool
    def get_weather(city: str) -> str:
        """Current weather of a city."""
        if first.pop("tool", False):
            conn.on_first_tool()
        return "Sunny, 21°C"

    @tool
    def get_local_time(city: str) -> str:
        """Current local time (24-hour clock) in a city."""
        return "16:40"

    model = ChatOpenRouter(
        model=PRIMARY,
        fallback_models=[BACKUP],
        api_key=conn.api_key,
        base_url=conn.base_url,
        temperature=0,
    )
    agent = create_agent(
        model,
        [get_weather, get_local_time],
        system_prompt="Use the tools to answer. Quote the tools' results in your answer.",
    )
    say(f"  route: {PRIMARY} -> {BACKUP}")
    if live:
        say(dim(f"  (live: the fallback is used only if {PRIMARY} is really limited or down)"))
    say(f"  {bold('user')}: {QUESTION}")
    streaming = False
    for mode, payload in agent.stream(
        {"messages": [HumanMessage(QUESTION)]}, stream_mode=["messages", "updates"]
    ):
        if mode == "messages":
            chunk, _ = payload
            if isinstance(chunk, AIMessageChunk) and chunk.text:
                if not streaming:
                    print(f"  {bold('agent')}: ", end="", flush=True)
                    streaming = True
                print(chunk.text, end="", flush=True)
            continue
        for step in payload.values():
            for message in (step or {}).get("messages", []):
                if streaming:
                    print()
                    streaming = False
                if isinstance(message, AIMessage):
                    for call in message.tool_calls:
                        say(f"  [tool] {call['name']}({call['args']})")
                    _report_call(conn, message)
                elif getattr(message, "type", "") == "tool":
                    say(dim(f"  [tool result] {message.content}"))


DOCUMENTS = {
    "routing.md": "A fallback route lists models in order. When a model is rate limited, "
    "the next model in the route answers and the attempt is reported.",
    "catalog.md": "The model catalog is loaded once and cached on disk. It says which "
    "models support tools, structured outputs, images and reasoning.",
    "testing.md": "Cassettes record OpenRouter traffic once. Tests replay them offline "
    "with keys scrubbed.",
    "limits.md": "A model that is rate limited answers 429 with Retry-After; it cools "
    "down for every object that shares the client.",
}


@contextmanager
def _llm_calls_reported(conn: Connection) -> Iterator[None]:
    """Print usage and cost of every LlamaIndex LLM call made inside the block."""
    from llama_index.core.instrumentation import get_dispatcher
    from llama_index.core.instrumentation.event_handlers import BaseEventHandler
    from llama_index.core.instrumentation.events.llm import LLMChatEndEvent

    lines: list[str] = []

    class Reporter(BaseEventHandler):
        def handle(self, event: Any, **kwargs: Any) -> None:
            if isinstance(event, LLMChatEndEvent) and event.response is not None:
                info = event.response.additional_kwargs
                if info.get("cost") is not None:
                    conn.costs.append(float(info["cost"]))
                lines.append(
                    f"  [call] {info.get('model')} via {info.get('provider')}: "
                    f"{info.get('prompt_tokens', 0)} in / {info.get('completion_tokens', 0)} "
                    f"out tokens, cost ${info.get('cost') or 0:.6f}"
                )

    dispatcher = get_dispatcher()
    reporter = Reporter()
    dispatcher.add_event_handler(reporter)
    try:
        yield
    finally:
        dispatcher.event_handlers.remove(reporter)
        for line in lines:
            say(dim(line))


def rag_scene(conn: Connection) -> None:
    from llama_index.core import Document, VectorStoreIndex

    from llama_index_openrouter import OpenRouter, OpenRouterEmbedding, OpenRouterRerank

    heading(3, "A LlamaIndex RAG answer: retrieved, reranked, answered with its sources")
    documents = [Document(text=t, metadata={"file": n}) for n, t in DOCUMENTS.items()]
    embed = OpenRouterEmbedding(model_name=EMBEDDER, api_key=conn.api_key, api_base=conn.base_url)
    llm = OpenRouter(model=PRIMARY, api_key=conn.api_key, api_base=conn.base_url, temperature=0)
    reranker = OpenRouterRerank(
        model=RERANKER, top_n=2, api_key=conn.api_key, api_base=conn.base_url
    )
    with waiting(f"embedding {len(documents)} documents with {EMBEDDER}"):
        index = VectorStoreIndex.from_documents(documents, embed_model=embed)
    question = "What happens when a model is rate limited?"
    say(f"  {bold('question')}: {question}")
    engine = index.as_query_engine(
        llm=llm, similarity_top_k=len(documents), node_postprocessors=[reranker]
    )
    steps = f"retrieving {len(documents)}, reranking with {RERANKER}, asking {PRIMARY}"
    with waiting(steps), _llm_calls_reported(conn):
        response = engine.query(question)
    say(f"  {bold('answer')}: {str(response).strip()}")
    for node in response.source_nodes:
        say(f"  [source] {node.node.metadata['file']} (relevance {node.score or 0:.3f})")
