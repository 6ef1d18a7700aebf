"""``ChatUDF`` and ``EmbedUDF`` called in this process, as a Ray actor would call them
(no Ray here): both frameworks, the three batch forms Ray Data hands out, failures kept
per row without the key, the in-flight bound, embeddings cut into requests."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from openrouter_core import TokenBucket
from openrouter_core.ray import ChatUDF, EmbedUDF
from openrouter_core.ray._udf import _describe
from tests.loopback import Running, embedding_of
from tests.scale.harness import FALLBACK, KEY, PRIMARY, chat_model, embedding_model


def numpy_batch(**columns: list[Any]) -> dict[str, Any]:
    out = {}
    for name, values in columns.items():
        array = np.empty(len(values), dtype=object)
        for i, value in enumerate(values):
            array[i] = value
        out[name] = array
    return out


@pytest.mark.parametrize("framework", ["langchain", "llama-index"])
def test_chat_rows_get_answer_model_cost_and_error(
    server: Running, stats: Any, framework: str
) -> None:
    udf = ChatUDF(chat_model(server.base_url, framework), "prompt", max_concurrency=4)
    try:
        prompts = [
            "plain question",
            "goes to the fallback #once429=provider",
            "refused #reject",
            None,
            [{"role": "user", "content": "as messages"}],
        ]
        out = udf(numpy_batch(id=[0, 1, 2, 3, 4], prompt=prompts))
    finally:
        udf.close()
    assert list(out["id"]) == [0, 1, 2, 3, 4]
    assert list(out["answer"]) == [
        "echo: plain question",
        "echo: goes to the fallback #once429=provider",
        None,
        None,
        "echo: as messages",
    ]
    assert list(out["model"]) == [PRIMARY, FALLBACK, None, None, PRIMARY]
    assert list(out["cost"]) == [1.2e-6, 1.2e-6, None, None, 1.2e-6]
    errors = list(out["error"])
    assert errors[0] is None and errors[1] is None and errors[4] is None
    assert errors[2].startswith("BadRequestError: ")
    assert "#reject" in errors[2]
    assert errors[3] == "ValueError: the prompt is empty (None)"
    assert all(KEY not in (e or "") for e in errors)


def test_batches_keep_their_form_pandas_and_pyarrow(server: Running, stats: Any) -> None:
    import pandas as pd
    import pyarrow as pa

    udf = ChatUDF(chat_model(server.base_url), prompt_column="q")
    try:
        frame = udf(pd.DataFrame({"id": [1, 2], "q": ["a", "b"]}))
        table = udf(pa.table({"id": [1, 2], "q": ["a", "b"], "answer": ["old", "old"]}))
    finally:
        udf.close()
    assert isinstance(frame, pd.DataFrame)
    assert list(frame["answer"]) == ["echo: a", "echo: b"]
    assert list(frame.columns) == ["id", "q", "answer", "model", "cost", "error"]
    assert isinstance(table, pa.Table)
    assert table.column("answer").to_pylist() == ["echo: a", "echo: b"]  # replaced, once
    assert table.column_names.count("answer") == 1
    assert table.column("error").to_pylist() == [None, None]


def test_at_most_max_concurrency_requests_in_flight_per_udf(server: Running, stats: Any) -> None:
    udf = ChatUDF(chat_model(server.base_url), max_concurrency=3)
    try:
        out = udf(numpy_batch(prompt=[f"slow {i} #delay=0.15" for i in range(12)]))
    finally:
        udf.close()
    assert all(e is None for e in out["error"])
    assert stats.peak_active == 3


def test_a_plain_token_bucket_works_too(server: Running, stats: Any) -> None:
    udf = ChatUDF(chat_model(server.base_url, rate_limit=TokenBucket(1000)))
    try:
        out = udf(numpy_batch(prompt=["x", "y"]))
    finally:
        udf.close()
    assert list(out["answer"]) == ["echo: x", "echo: y"]


@pytest.mark.parametrize("framework", ["langchain", "llama-index"])
def test_embeddings_are_cut_into_requests_and_failures_stay_on_their_rows(
    server: Running, stats: Any, framework: str
) -> None:
    texts: list[Any] = [f"chunk {i}" for i in range(10)]
    texts[4] = "bad chunk #reject"  # fails its request of 3: rows 3, 4, 5
    texts[8] = None
    udf = EmbedUDF(
        embedding_model(server.base_url, framework), "text", request_size=3, max_concurrency=2
    )
    try:
        out = udf(numpy_batch(id=list(range(10)), text=texts))
    finally:
        udf.close()
    vectors, errors = list(out["embedding"]), list(out["error"])
    failed = {i for i, e in enumerate(errors) if e}
    assert failed == {3, 4, 5, 8}
    assert errors[8] == "TypeError: the text must be a string, got NoneType"
    assert "BadRequestError" in errors[4]
    for i, text in enumerate(texts):
        assert vectors[i] == (None if i in failed else embedding_of(text))
    assert stats.requests == 3  # 9 strings in requests of 3
    assert stats.peak_active <= 2


def test_the_embedding_request_size_defaults_to_the_objects_own() -> None:
    emb = embedding_model("http://127.0.0.1:9/api/v1", batch=64)
    udf = EmbedUDF(emb)
    try:
        assert udf.request_size == 64
    finally:
        udf.close()


def test_unknown_objects_and_bad_bounds_are_refused() -> None:
    with pytest.raises(TypeError):
        ChatUDF(object())
    with pytest.raises(TypeError):
        EmbedUDF(object())
    with pytest.raises(ValueError):
        ChatUDF(chat_model("http://127.0.0.1:9/api/v1"), max_concurrency=0)


def test_an_error_text_never_shows_the_key() -> None:
    error = RuntimeError(f"upstream echoed Authorization: Bearer {KEY}")
    assert _describe(error, [KEY]) == "RuntimeError: upstream echoed Authorization: Bearer ***"
