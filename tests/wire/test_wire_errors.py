"""Every error status OpenRouter documents, as the typed error, over the wire.

The emulator answers with the fault named in ``X-Emulator-Fault`` (a header the
cassettes do not keep: replay matches on method, path, query and body).
"""

from __future__ import annotations

from typing import Any

import pytest

from openrouter_core import (
    APIStatusError,
    AsyncOpenRouterClient,
    AuthenticationError,
    BadGatewayError,
    BadRequestError,
    InsufficientCreditsError,
    InternalServerError,
    ModerationError,
    NotFoundError,
    OpenRouterClient,
    OriginTimeoutError,
    PayloadTooLargeError,
    ProviderOverloadedError,
    RateLimitError,
    RequestTimeoutError,
    ResponseParseError,
    ServiceUnavailableError,
    StreamInterruptedError,
    UnprocessableEntityError,
)
from tests.wire.conftest import live_recording, no_sleep_policy

MODEL = "openai/gpt-4o-mini"

pytestmark = [pytest.mark.openrouter_cassette, live_recording]

STATUSES = {
    400: BadRequestError,
    401: AuthenticationError,
    402: InsufficientCreditsError,
    403: ModerationError,
    404: NotFoundError,
    408: RequestTimeoutError,
    413: PayloadTooLargeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    524: OriginTimeoutError,
    529: ProviderOverloadedError,
}


def request(text: str) -> dict[str, Any]:
    return {"model": MODEL, "messages": [{"role": "user", "content": text}]}


def faulty(base_url: str, api_key: str, fault: str, **kwargs: Any) -> OpenRouterClient:
    return OpenRouterClient(
        api_key=api_key,
        base_url=base_url,
        extra_headers={"X-Emulator-Fault": fault},
        retry_policy=no_sleep_policy(max_retries=0),
        **kwargs,
    )


@pytest.mark.parametrize("status", sorted(STATUSES))
def test_status_maps_to_typed_error(status: int, base_url: str, api_key: str) -> None:
    fault = "rate_limit;retry_after=7" if status == 429 else f"status:{status}"
    with faulty(base_url, api_key, fault) as client, pytest.raises(APIStatusError) as caught:
        client.chat(request(f"status {status}"))
    error = caught.value
    assert type(error) is STATUSES[status]
    assert error.status_code == status and error.message
    assert str(status) in str(error)
    if status == 403:
        assert error.provider_name and error.metadata.get("reasons")
    if status == 429:
        assert isinstance(error, RateLimitError) and error.retry_after == 7
    if status >= 500:
        assert error.retryable and error.error_type


def test_html_proxy_page(base_url: str, api_key: str) -> None:
    with (
        faulty(base_url, api_key, "html_error;status=502") as client,
        pytest.raises(BadGatewayError) as caught,
    ):
        client.chat(request("html page"))
    assert "<html" in caught.value.body.lower()
    assert "<html" not in caught.value.message.lower()


def test_empty_body(base_url: str, api_key: str) -> None:
    with faulty(base_url, api_key, "empty_body") as client, pytest.raises(ResponseParseError):
        client.chat(request("empty body"))


def test_error_object_inside_http_200(base_url: str, api_key: str) -> None:
    with (
        faulty(base_url, api_key, "error_in_200;code=502") as client,
        pytest.raises(APIStatusError) as caught,
    ):
        client.chat(request("error in 200"))
    assert caught.value.status_code == 502


def test_mid_stream_error_keeps_partial_output(base_url: str, api_key: str) -> None:
    with faulty(base_url, api_key, "mid_stream_error;after=3") as client:
        stream = client.chat_stream(request("Tell me about the Keel Island ferry in detail."))
        texts: list[str] = []
        with pytest.raises(StreamInterruptedError) as caught:
            for chunk in stream:
                texts.append(chunk.content)
    error = caught.value
    assert "".join(texts), "some text arrived before the error"
    assert error.partial is not None and error.partial.text == "".join(texts)


async def test_async_status_error(base_url: str, api_key: str) -> None:
    async with AsyncOpenRouterClient(
        api_key=api_key,
        base_url=base_url,
        extra_headers={"X-Emulator-Fault": "status:503"},
        retry_policy=no_sleep_policy(max_retries=0),
    ) as client:
        with pytest.raises(ServiceUnavailableError):
            await client.chat(request("async 503"))
