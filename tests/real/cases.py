"""The recorded ``/chat/completions`` interactions, as test cases."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

import pytest

import openrouter_core as orc
from tests.real.expected import ExpectedChat, expected_chat, expected_error
from tests.real.replay import Interaction, cassette_names, load_cassette

__all__ = [
    "API_KEY",
    "BASE_URL",
    "ERROR_CLASSES",
    "ChatCase",
    "ErrorCase",
    "chat_params",
    "check_error",
    "core_request",
    "error_params",
    "json_chat_params",
    "sse_chat_params",
]

#: What the clients under test are given (nothing leaves the process).
BASE_URL = "https://openrouter.ai/api/v1"
API_KEY = "test"

_CHAT_PATH = "/api/v1/chat/completions"
_PREFIX = "test_openrouter_"

#: The typed error each documented HTTP status maps to.
ERROR_CLASSES: dict[int, type[orc.APIStatusError]] = {
    400: orc.BadRequestError,
    401: orc.AuthenticationError,
    402: orc.InsufficientCreditsError,
    403: orc.PermissionDeniedError,
    404: orc.NotFoundError,
    408: orc.RequestTimeoutError,
    413: orc.PayloadTooLargeError,
    422: orc.UnprocessableEntityError,
    429: orc.RateLimitError,
    500: orc.InternalServerError,
    502: orc.BadGatewayError,
    503: orc.ServiceUnavailableError,
    524: orc.OriginTimeoutError,
    529: orc.ProviderOverloadedError,
}


def core_request(recorded: dict[str, Any]) -> dict[str, Any]:
    """A recorded request as the core client takes it: parameters its strict
    ``ChatRequest`` does not know (the recorder sent the deprecated no-op
    ``usage: {include: true}``) go in ``extra_body``, which is merged into the JSON
    sent, so the body sent equals the recorded one."""
    request = copy.deepcopy(recorded)
    known = set(orc.ChatRequest.model_fields) - {"extra_body"}
    extra = {k: request.pop(k) for k in list(request) if k not in known}
    if extra:
        request["extra_body"] = extra
    return request


@dataclass(frozen=True)
class ChatCase:
    """One successful recorded chat completion."""

    id: str
    interaction: Interaction

    @property
    def request(self) -> dict[str, Any]:
        """The recorded request body (a fresh copy)."""
        return copy.deepcopy(self.interaction.request_json)

    @property
    def core_request(self) -> dict[str, Any]:
        return core_request(self.request)

    @property
    def streamed(self) -> bool:
        return self.interaction.is_sse

    @property
    def expected(self) -> ExpectedChat:
        return expected_chat(self.interaction)

    @property
    def call_kwargs(self) -> dict[str, Any]:
        """Request parameters besides model and messages (tools, tool_choice...), as
        an adapter takes them per call; streaming is the adapter's own business."""
        skip = {"model", "messages", "stream", "stream_options"}
        return {k: v for k, v in self.request.items() if k not in skip}


@dataclass(frozen=True)
class ErrorCase:
    """A recorded call that failed: every reply of it (retries included)."""

    id: str
    interactions: tuple[Interaction, ...]

    @property
    def request(self) -> dict[str, Any]:
        return copy.deepcopy(self.interactions[0].request_json)

    @property
    def core_request(self) -> dict[str, Any]:
        return core_request(self.request)


def _short(name: str) -> str:
    return name[len(_PREFIX) :] if name.startswith(_PREFIX) else name


def _load() -> tuple[list[ChatCase], list[ErrorCase]]:
    chats: list[ChatCase] = []
    errors: list[ErrorCase] = []
    for name in cassette_names():
        interactions = [i for i in load_cassette(name) if i.path == _CHAT_PATH]
        failed = [i for i in interactions if i.status >= 400]
        if failed:
            errors.append(ErrorCase(_short(name), tuple(failed)))
            continue
        for position, interaction in enumerate(interactions):
            suffix = f"#{position}" if len(interactions) > 1 else ""
            chats.append(ChatCase(_short(name) + suffix, interaction))
    return chats, errors


CHAT_CASES, ERROR_CASES = _load()


def chat_params() -> list[Any]:
    return [pytest.param(case, id=case.id) for case in CHAT_CASES]


def json_chat_params() -> list[Any]:
    return [pytest.param(case, id=case.id) for case in CHAT_CASES if not case.streamed]


def sse_chat_params() -> list[Any]:
    return [pytest.param(case, id=case.id) for case in CHAT_CASES if case.streamed]


def error_params() -> list[Any]:
    return [pytest.param(case, id=case.id) for case in ERROR_CASES]


def check_error(error: BaseException, case: ErrorCase) -> None:
    """The error raised is the typed error of the recorded status, with the recorded
    message and metadata."""
    expected = expected_error(case.interactions[0])
    assert isinstance(error, orc.APIStatusError)
    assert isinstance(error, ERROR_CLASSES[expected.status]), type(error)
    assert error.status_code == expected.status
    assert error.message == expected.message
    assert error.metadata == expected.metadata
    assert error.provider_name == expected.provider_name
    assert error.raw == expected.raw
