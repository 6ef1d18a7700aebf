"""Mapping HTTP replies to the typed error hierarchy."""

from __future__ import annotations

import json

import pytest

from openrouter_core import errors as e
from openrouter_core.errors import error_from_response, parse_retry_after


def body(code: int, message: str = "boom", **metadata: object) -> bytes:
    payload: dict[str, object] = {"code": code, "message": message}
    if metadata:
        payload["metadata"] = metadata
    return json.dumps({"error": payload}).encode()


@pytest.mark.parametrize(
    ("status", "cls", "retryable"),
    [
        (400, e.BadRequestError, False),
        (401, e.AuthenticationError, False),
        (402, e.InsufficientCreditsError, False),
        (403, e.PermissionDeniedError, False),
        (404, e.NotFoundError, False),
        (408, e.RequestTimeoutError, True),
        (410, e.GoneError, False),
        (413, e.PayloadTooLargeError, False),
        (422, e.UnprocessableEntityError, False),
        (429, e.RateLimitError, True),
        (500, e.InternalServerError, True),
        (502, e.BadGatewayError, True),
        (503, e.ServiceUnavailableError, True),
        (524, e.OriginTimeoutError, True),
        (529, e.ProviderOverloadedError, True),
        (418, e.APIStatusError, False),
        (599, e.InternalServerError, True),
    ],
)
def test_every_status_maps_to_its_class(status: int, cls: type, retryable: bool) -> None:
    err = error_from_response(status, body(status), {"X-Generation-Id": "gen-9"}, model="a/b")
    assert type(err) is cls
    assert err.status_code == status and err.retryable is retryable
    assert err.generation_id == "gen-9" and err.model == "a/b"
    assert f"OpenRouter returned {status}: boom" in str(err)


def test_provider_metadata_is_exposed_and_described() -> None:
    err = error_from_response(
        429,
        body(
            429,
            "Provider returned error",
            provider_name="Google",
            raw="rate-limited upstream",
            error_type="rate_limit_exceeded",
        ),
        {"retry-after": "7"},
    )
    assert isinstance(err, e.RateLimitError)
    assert (err.provider_name, err.raw, err.error_type, err.retry_after) == (
        "Google",
        "rate-limited upstream",
        "rate_limit_exceeded",
        7.0,
    )
    assert "provider=Google" in str(err) and "upstream=rate-limited upstream" in str(err)


def test_moderation_403_carries_reasons_and_flagged_input() -> None:
    err = error_from_response(
        403,
        body(403, "flagged", reasons=["violence"], flagged_input="...", provider_name="OpenAI"),
        {},
    )
    assert isinstance(err, e.ModerationError)
    assert err.reasons == ["violence"] and err.flagged_input == "..."


def test_context_length_400_is_specific() -> None:
    err = error_from_response(
        400, body(400, "This endpoint's maximum context length is 8192 tokens"), {}
    )
    assert isinstance(err, e.ContextLengthExceededError) and isinstance(err, e.BadRequestError)


def test_html_proxy_page() -> None:
    page = b"<html><head><title>502 Bad Gateway</title></head><body>cloudflare</body></html>"
    err = error_from_response(502, page, {"content-type": "text/html"})
    assert isinstance(err, e.BadGatewayError)
    assert "non-JSON error page" in err.message and "502 Bad Gateway" in err.message
    assert err.body.startswith("<html>")


def test_empty_and_plain_text_bodies() -> None:
    assert "empty response body" in error_from_response(503, b"", {}).message
    assert error_from_response(500, b"upstream exploded", {}).message == "upstream exploded"


def test_error_code_inside_body_wins_over_http_status() -> None:
    err = e.error_from_body({"error": {"code": 429, "message": "x"}}, http_status=200)
    assert isinstance(err, e.RateLimitError)
    odd = e.error_from_body({"error": "just a string"}, http_status=200)
    assert odd.status_code == 502 and odd.message == "just a string"


def test_retry_after_formats() -> None:
    assert parse_retry_after("3.5") == 3.5
    assert parse_retry_after(None) is None
    assert parse_retry_after("not a date") is None
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0


def test_local_errors_are_value_errors_with_guidance() -> None:
    err = e.UnknownModelError("openai/gpt4o", ["openai/gpt-4o"])
    assert isinstance(err, ValueError) and "Did you mean: openai/gpt-4o?" in str(err)
    assert "Catalog.query" in str(e.UnknownModelError("x", []))
    cap = e.CapabilityError("m/a", ["tool calling"], ["m/b", "m/c"], 5)
    assert "Models in the catalog that can: m/b, m/c (and 3 more)" in str(cap)
    assert "No model in the catalog" in str(e.CapabilityError("m/a", ["x"], [], 0))


def _one_of_each() -> list[Exception]:
    errors = e
    made: list[Exception] = [
        errors.UnknownModelError("acme/nope", ["acme/yes"]),
        errors.CapabilityError("acme/m", ["tools"], ["acme/t"], 4),
        errors.AllModelsFailedError([], errors.RateLimitError("slow", status_code=429)),
        errors.StreamInterruptedError("cut", partial=None),
        errors.ResponseParseError("bad json", body="{"),
        errors.in_band_class(errors.RateLimitError)("in band", status_code=429),
    ]
    for name in errors.__all__:
        cls = getattr(errors, name)
        if cls is errors.StreamInterruptedError:
            continue
        if isinstance(cls, type) and issubclass(cls, errors.APIStatusError):
            made.append(cls("boom", status_code=500, model="acme/m", generation_id="gen-1"))
        elif isinstance(cls, type) and cls.__init__ is Exception.__init__:
            made.append(cls("boom"))
    return made


@pytest.mark.parametrize("error", _one_of_each(), ids=lambda e: type(e).__name__)
def test_every_error_survives_a_pickle(error: Exception) -> None:
    """Errors cross process pools, Celery and Ray: each one is rebuilt with the
    same class, message and attributes, whatever its constructor takes."""
    import pickle

    back = pickle.loads(pickle.dumps(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    assert {k: v for k, v in vars(back).items() if k != "last_error"} == {
        k: v for k, v in vars(error).items() if k != "last_error"
    }
