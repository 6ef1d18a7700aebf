"""``/rerank`` types: the request is refused locally when OpenRouter's schema would
refuse it (and what it sends passes that schema), the reply is read leniently and
ranked."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from openrouter_core.types.rerank import RerankRequest, RerankResult
from tests.request_validation import request_violations, validate_request


def body(**fields: Any) -> dict[str, Any]:
    return RerankRequest.model_validate(fields).to_json_dict()


# --------------------------------------------------------------------------- the request


def test_schema_has_the_rerank_request() -> None:
    """The extracted spec covers /rerank (tests/data/extract_request_schemas.py)."""
    assert request_violations("POST", "/rerank", {"model": "m"}) != []


@pytest.mark.parametrize(
    "fields",
    [
        {"model": "cohere/rerank-v3.5", "query": "capital of France?", "documents": ["Paris"]},
        {
            "model": "cohere/rerank-v3.5",
            "query": "capital of France?",
            "documents": ["Paris is in France.", {"text": "Berlin is in Germany."}],
            "top_n": 1,
        },
        {
            "model": "cohere/rerank-v3.5",
            "query": "a red car",
            "documents": [
                {"image": "https://example.com/car.png"},
                {"text": "a bicycle", "image": "data:image/png;base64,iVBORw0KGgo="},
            ],
            "provider": {
                "order": ["cohere"],
                "allow_fallbacks": False,
                "data_collection": "deny",
                "max_price": {"prompt": "0.001"},
            },
        },
    ],
)
def test_valid_requests_pass_the_spec(fields: dict[str, Any]) -> None:
    sent = body(**fields)
    validate_request("POST", "/api/v1/rerank", sent)
    assert sent["documents"] == fields["documents"]
    assert "top_n" in sent or "top_n" not in fields


def test_unset_fields_are_left_out() -> None:
    assert body(model="m", query="q", documents=["a"]) == {
        "model": "m",
        "query": "q",
        "documents": ["a"],
    }


@pytest.mark.parametrize(
    ("fields", "fragment"),
    [
        ({"query": "q", "documents": ["a"]}, "model"),
        ({"model": "m", "documents": ["a"]}, "query"),
        ({"model": "m", "query": "", "documents": ["a"]}, "query"),
        ({"model": "m", "query": "q", "documents": []}, "documents"),
        ({"model": "m", "query": "q"}, "documents"),
        ({"model": "m", "query": "q", "documents": [{}]}, "without 'text' or 'image'"),
        ({"model": "m", "query": "q", "documents": [{"title": "x"}]}, "title"),
        ({"model": "m", "query": "q", "documents": [{"image": "car.png"}]}, "http(s) URL"),
        ({"model": "m", "query": "q", "documents": [3]}, "documents"),
        ({"model": "m", "query": "q", "documents": ["a"], "top_n": 0}, "top_n"),
        ({"model": "m", "query": "q", "documents": ["a"], "return_documents": True}, "return"),
        ({"model": "m", "query": "q", "documents": ["a"], "provider": {"speed": 1}}, "speed"),
    ],
)
def test_refusals(fields: dict[str, Any], fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RerankRequest.model_validate(fields)
    assert fragment in str(caught.value)


def test_what_the_model_refuses_the_spec_refuses_too() -> None:
    """The local checks are not stricter than the schema where the schema has a rule."""
    for sent in (
        {"model": "m", "query": "q", "documents": []},
        {"model": "m", "query": "q", "documents": ["a"], "top_n": 0},
        {"model": "m", "query": "q", "documents": ["a"], "return_documents": True},
    ):
        assert request_violations("POST", "/rerank", sent)


# --------------------------------------------------------------------------- the reply

SPEC_EXAMPLE = {
    "id": "gen-rerank-1234567890-abc",
    "model": "cohere/rerank-v3.5",
    "results": [
        {
            "document": {"text": "Paris is the capital of France."},
            "index": 0,
            "relevance_score": 0.98,
        }
    ],
    "usage": {"search_units": 1, "total_tokens": 150},
}


def test_spec_example_reads() -> None:
    result = RerankResult.model_validate(SPEC_EXAMPLE)
    assert result.id == "gen-rerank-1234567890-abc"
    assert result.model == "cohere/rerank-v3.5"
    assert result.results[0].text == "Paris is the capital of France."
    assert result.usage is not None
    assert result.usage.search_units == 1
    assert result.usage.total_tokens == 150
    assert result.cost is None


def reply(*results: dict[str, Any], **extra: Any) -> RerankResult:
    return RerankResult.model_validate({"model": "cohere/rerank-v3.5", "results": results, **extra})


def test_ranked_and_documents() -> None:
    result = reply(
        {"index": 2, "relevance_score": 0.1, "document": {"text": "c"}},
        {"index": 0, "relevance_score": 0.9, "document": {"text": "a"}},
        {"index": 1, "relevance_score": 0.5, "document": {"image": "https://x/b.png"}},
        provider="Cohere",
        usage={"cost": 0.002, "search_units": 1},
    )
    assert [item.index for item in result.ranked()] == [0, 1, 2]
    assert [item.index for item in result.results] == [2, 0, 1]  # kept as sent
    assert result.documents() == ["a", "", "c"]
    originals = [{"id": "A"}, {"id": "B"}, {"id": "C"}]
    assert [d["id"] for d in result.documents(originals)] == ["A", "B", "C"]
    assert result.documents(["c0", "c1", "c2"]) == ["c0", "c1", "c2"]
    assert result.provider == "Cohere"
    assert result.cost == 0.002


def test_ties_keep_document_order_and_unscored_results_go_last() -> None:
    result = reply(
        {"index": 3, "relevance_score": None},
        {"index": 2, "relevance_score": 0.5},
        {"index": 1, "relevance_score": 0.5},
        {"index": 0, "relevance_score": float("nan")},
    )
    assert [item.index for item in result.ranked()] == [1, 2, 0, 3]


def test_documents_with_originals_that_do_not_match() -> None:
    result = reply({"index": 5, "relevance_score": 0.3})
    with pytest.raises(ValueError, match=r"document 5"):
        result.documents(["only", "two"])


def test_lenient_reply() -> None:
    """Missing fields, nulls, a document echoed as a bare string, extra fields, junk
    in the results list: nothing fails."""
    result = RerankResult.model_validate(
        {
            "results": [
                {"index": 0, "relevance_score": 0.7, "document": "plain text"},
                {"index": 1, "relevance_score": 0.2, "document": None, "extra": True},
                "junk",
            ],
            "usage": None,
            "meta": {"api_version": "2"},
        }
    )
    assert result.documents() == ["plain text", ""]
    assert result.results[1].model_extra == {"extra": True}
    assert result.model_extra == {"meta": {"api_version": "2"}}
    assert result.cost is None
    assert RerankResult.model_validate({"results": None}).ranked() == []
    assert RerankResult.model_validate({}).documents() == []
