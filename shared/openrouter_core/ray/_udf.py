"""``ChatUDF`` and ``EmbedUDF``: callable classes for ``Dataset.map_batches``.

Each instance (one per actor of the pool) runs one asyncio event loop in a thread of
its own for its whole life, so the shared async HTTP client and its keep-alive
connections last from batch to batch, and keeps up to ``max_concurrency`` requests in
flight through the async APIs of the framework object it was given. A row that fails
gets its error (type and message) in the ``error`` column; the batch never fails.

Batches may be dicts of NumPy arrays (Ray Data's default), pandas DataFrames or
PyArrow tables; the result has the same form, with the new columns added.
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import threading
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from typing import Any, TypeVar

__all__ = ["ChatUDF", "EmbedUDF"]

T = TypeVar("T")
#: The longest error text kept in the ``error`` column.
_MAX_ERROR = 2000


class _LoopThread:
    """An event loop running forever in a daemon thread."""

    def __init__(self, name: str) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._main, name=name, daemon=True)
        self._thread.start()

    def _main(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result()

    def close(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        if not self._thread.is_alive():
            self.loop.close()


def _secrets_of(obj: Any) -> list[str]:
    """The key an object holds (to scrub it from error texts, should one ever show it)."""
    found = []
    for name in ("api_key", "openrouter_api_key"):
        value = getattr(obj, name, None)
        if value is None:
            continue
        reveal = getattr(value, "get_secret_value", None)
        text = reveal() if callable(reveal) else value
        if isinstance(text, str) and len(text) >= 8:
            found.append(text)
    return found


def _describe(error: BaseException, secrets: Sequence[str]) -> str:
    text = f"{type(error).__name__}: {error}"
    for secret in secrets:
        text = text.replace(secret, "***")
    return text[:_MAX_ERROR]


#: Modules the first async call imports on its way (the async HTTP transport's backend;
#: LangChain's tracing): imported by the constructor instead, so that the first batch of
#: every actor does not start with ~0.2 s of imports (more on a busy machine).
_FIRST_CALL_MODULES = ("anyio._backends._asyncio",)
_FIRST_CALL_MODULES_LANGCHAIN = (
    "langchain_core.tracers.context",
    "langchain_core.tracers.langchain",
    "langsmith.run_helpers",
)


def _prepare(obj: Any, *, chat_catalog: bool) -> None:
    """What the first row would otherwise wait for: attach a shared rate limit to its
    actor, import what the first call imports, and load the chat model catalog (best
    effort: a failure here is left for the rows to report)."""
    connect = getattr(getattr(obj, "rate_limit", None), "connect", None)
    if callable(connect):
        connect()
    names = list(_FIRST_CALL_MODULES)
    if type(obj).__module__.startswith("langchain"):
        names += _FIRST_CALL_MODULES_LANGCHAIN
    for name in names:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    if not chat_catalog or getattr(obj, "capability_check", "off") == "off":
        return
    clients = getattr(obj, "_clients", None)  # this package's adapters
    if callable(clients):
        with contextlib.suppress(Exception):
            clients().sync.ensure_catalog()


# ---------------------------------------------------------------------- batches


def _column(batch: Any, name: str) -> list[Any]:
    """One column of a batch as a list of Python values."""
    if isinstance(batch, Mapping):
        values = batch[name]
    elif hasattr(batch, "column_names") and hasattr(batch, "append_column"):  # pyarrow
        return list(batch.column(name).to_pylist())
    else:  # pandas
        values = batch[name]
    tolist = getattr(values, "tolist", None)
    return list(tolist()) if callable(tolist) else list(values)


def _with_columns(batch: Any, columns: Mapping[str, list[Any]]) -> Any:
    """``batch`` with ``columns`` added (or replaced), in the batch's own form."""
    if isinstance(batch, Mapping):
        np = importlib.import_module("numpy")
        out = dict(batch)
        for name, values in columns.items():
            array = np.empty(len(values), dtype=object)
            for index, value in enumerate(values):
                array[index] = value
            out[name] = array
        return out
    if hasattr(batch, "column_names") and hasattr(batch, "append_column"):  # pyarrow
        pa = importlib.import_module("pyarrow")
        table = batch
        for name, values in columns.items():
            if name in table.column_names:
                table = table.drop_columns([name])
            table = table.append_column(name, pa.array(values))
        return table
    frame = batch.copy()
    for name, values in columns.items():
        frame[name] = values
    return frame


async def _bounded(limit: asyncio.Semaphore, work: Awaitable[T]) -> T:
    async with limit:
        return await work


# ---------------------------------------------------------------------- chat


def _text_of(content: Any) -> str:
    """A message's text: its string content, or the text parts of a list of blocks."""
    if isinstance(content, str):
        return content
    parts = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, Mapping) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


Answer = tuple[str | None, str | None, float | None, str | None]


def _langchain_chat(llm: Any) -> Callable[[Any], Awaitable[Answer]]:
    async def call(prompt: Any) -> Answer:
        message = await llm.ainvoke(prompt)
        metadata = getattr(message, "response_metadata", None) or {}
        content = getattr(message, "content", message)
        return _text_of(content), metadata.get("model_name") or None, metadata.get("cost"), None

    return call


def _llama_index_chat(llm: Any) -> Callable[[Any], Awaitable[Answer]]:
    from llama_index.core.base.llms.types import ChatMessage

    def messages_of(prompt: Any) -> list[Any]:
        if isinstance(prompt, str):
            return [ChatMessage(role="user", content=prompt)]
        return [m if isinstance(m, ChatMessage) else ChatMessage(**dict(m)) for m in prompt]

    async def call(prompt: Any) -> Answer:
        response = await llm.achat(messages_of(prompt))
        extra = response.additional_kwargs or {}
        text = response.message.content
        return text or "", extra.get("model") or None, extra.get("cost"), None

    return call


class ChatUDF:
    """Answer a column of prompts with a chat model: for ``Dataset.map_batches``.

    Adds ``answer`` (the reply's text), ``model`` (the model that served it, after any
    fallback), ``cost`` (USD, ``None`` when the reply gave none) and ``error`` (``None``,
    or the failure's type and message: that row's other new columns are ``None``).

    Args:
        llm: a LangChain ``ChatOpenRouter`` (or any LangChain runnable answering with a
            message) or a LlamaIndex ``OpenRouter``. Give it ``rate_limit=`` a
            :class:`~openrouter_core.ray.SharedRateLimit` to share the account's limit
            across the actor pool.
        prompt_column: a column of strings, or of message lists
            (``[{"role": "user", "content": "..."}]``).
        max_concurrency: requests in flight per actor.

    Example::

        ds.map_batches(
            ChatUDF,
            fn_constructor_kwargs={"llm": llm, "prompt_column": "prompt"},
            concurrency=4,
            batch_size=50,
        )
    """

    def __init__(self, llm: Any, prompt_column: str = "prompt", *, max_concurrency: int = 8):
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency!r}")
        if callable(getattr(llm, "ainvoke", None)):
            self._call = _langchain_chat(llm)
        elif callable(getattr(llm, "achat", None)):
            self._call = _llama_index_chat(llm)
        else:
            raise TypeError(
                f"llm must be a LangChain chat model or a LlamaIndex LLM, got {type(llm).__name__}"
            )
        self.llm = llm
        self.prompt_column = prompt_column
        self.max_concurrency = max_concurrency
        self._secrets = _secrets_of(llm)
        self._warm = False
        _prepare(llm, chat_catalog=True)
        self._loop = _LoopThread("openrouter-chat-udf")

    def __call__(self, batch: Any) -> Any:
        prompts = _column(batch, self.prompt_column)
        rows = self._loop.run(self._answer_all(prompts))
        return _with_columns(
            batch,
            {
                "answer": [row[0] for row in rows],
                "model": [row[1] for row in rows],
                "cost": [row[2] for row in rows],
                "error": [row[3] for row in rows],
            },
        )

    async def _answer_all(self, prompts: list[Any]) -> list[Answer]:
        first: list[Answer] = []
        if not self._warm and prompts:
            # The first request of an actor goes alone: its one-time work (imports,
            # the connection) must not hold the others past their rate-limit slots.
            first = [await self._answer(prompts[0])]
            prompts = prompts[1:]
            self._warm = True
        limit = asyncio.Semaphore(self.max_concurrency)
        rest = await asyncio.gather(*(_bounded(limit, self._answer(p)) for p in prompts))
        return first + list(rest)

    async def _answer(self, prompt: Any) -> Answer:
        try:
            if prompt is None:
                raise ValueError("the prompt is empty (None)")
            return await self._call(prompt)
        except Exception as exc:
            return None, None, None, _describe(exc, self._secrets)

    def close(self) -> None:
        """Stop the event loop thread (an actor's end does it too)."""
        self._loop.close()


# ---------------------------------------------------------------------- embeddings


class EmbedUDF:
    """Embed a column of texts: for ``Dataset.map_batches``.

    Adds ``embedding`` (a list of floats, ``None`` on failure) and ``error``. A batch is
    cut into requests of ``request_size`` texts (default: the embedding object's own
    batch size), sent up to ``max_concurrency`` at a time; a failed request marks its
    rows only.

    Args:
        embeddings: a LangChain ``OpenRouterEmbeddings`` (or any LangChain
            ``Embeddings``) or a LlamaIndex ``OpenRouterEmbedding`` (any
            ``BaseEmbedding``). Give it ``rate_limit=`` a
            :class:`~openrouter_core.ray.SharedRateLimit` to share the limit.
        text_column: a column of strings.
        max_concurrency: requests in flight per actor.
        request_size: texts per request.

    Example::

        ds.map_batches(
            EmbedUDF,
            fn_constructor_kwargs={"embeddings": emb, "text_column": "text"},
            concurrency=2,
            batch_size=200,
        )
    """

    def __init__(
        self,
        embeddings: Any,
        text_column: str = "text",
        *,
        max_concurrency: int = 8,
        request_size: int | None = None,
    ):
        if max_concurrency < 1:
            raise ValueError(f"max_concurrency must be >= 1, got {max_concurrency!r}")
        if callable(getattr(embeddings, "aembed_documents", None)):
            own_size = getattr(embeddings, "batch_size", None)
            self._embed: Callable[[list[str]], Awaitable[list[list[float]]]] = (
                embeddings.aembed_documents
            )
        elif callable(getattr(embeddings, "aget_text_embedding_batch", None)):
            own_size = getattr(embeddings, "embed_batch_size", None)
            self._embed = embeddings.aget_text_embedding_batch
        else:
            raise TypeError(
                "embeddings must be a LangChain Embeddings or a LlamaIndex BaseEmbedding, "
                f"got {type(embeddings).__name__}"
            )
        size = request_size or own_size or 100
        if not isinstance(size, int) or size < 1:
            raise ValueError(f"request_size must be an integer >= 1, got {size!r}")
        self.embeddings = embeddings
        self.text_column = text_column
        self.max_concurrency = max_concurrency
        self.request_size = size
        self._secrets = _secrets_of(embeddings)
        self._warm = False
        _prepare(embeddings, chat_catalog=False)
        self._loop = _LoopThread("openrouter-embed-udf")

    def __call__(self, batch: Any) -> Any:
        texts = _column(batch, self.text_column)
        vectors, errors = self._loop.run(self._embed_all(texts))
        return _with_columns(batch, {"embedding": vectors, "error": errors})

    async def _embed_all(
        self, texts: list[Any]
    ) -> tuple[list[list[float] | None], list[str | None]]:
        vectors: list[list[float] | None] = [None] * len(texts)
        errors: list[str | None] = [None] * len(texts)
        valid = []
        for index, text in enumerate(texts):
            if isinstance(text, str):
                valid.append(index)
            else:
                errors[index] = f"TypeError: the text must be a string, got {type(text).__name__}"
        size = self.request_size
        limit = asyncio.Semaphore(self.max_concurrency)

        async def one_request(indices: list[int]) -> None:
            try:
                found = await self._embed([texts[i] for i in indices])
                if len(found) != len(indices):
                    raise ValueError(f"{len(found)} vectors came back for {len(indices)} texts")
            except Exception as exc:
                message = _describe(exc, self._secrets)
                for i in indices:
                    errors[i] = message
                return
            for i, vector in zip(indices, found, strict=True):
                vectors[i] = [float(x) for x in vector]

        requests = [valid[start : start + size] for start in range(0, len(valid), size)]
        if not self._warm and requests:
            await one_request(requests.pop(0))  # alone: see ChatUDF._answer_all
            self._warm = True
        await asyncio.gather(*(_bounded(limit, one_request(chunk)) for chunk in requests))
        return vectors, errors

    def close(self) -> None:
        """Stop the event loop thread (an actor's end does it too)."""
        self._loop.close()
