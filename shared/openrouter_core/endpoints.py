"""Every OpenRouter endpoint besides chat, defined once for both clients.

Each factory returns a :class:`~openrouter_core._http.Call`. The :class:`endpoint`
descriptor turns a factory into a method: on :class:`OpenRouterClient` it returns
the result, on :class:`AsyncOpenRouterClient` an awaitable of it (the clients say
which they are by deriving from :class:`SyncSide` or :class:`AsyncSide`).
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, ClassVar, Generic, Literal, TypeVar, overload

from pydantic import TypeAdapter
from typing_extensions import ParamSpec

from . import types as model_types
from ._http import Call, load_json
from .types.catalog import ModelEndpoint, ModelEndpoints, ModelInfo

P = ParamSpec("P")
T = TypeVar("T")
M = TypeVar("M")

__all__ = ["AsyncSide", "EndpointMethods", "SyncSide", "endpoint"]


class SyncSide:
    """Marks a client whose methods return results (see :class:`endpoint`)."""

    is_async: ClassVar[Literal[False]] = False


class AsyncSide:
    """Marks a client whose methods return awaitables (see :class:`endpoint`)."""

    is_async: ClassVar[Literal[True]] = True


class endpoint(Generic[P, T]):
    """Bind a ``Call`` factory as a client method (sync or async by client type)."""

    def __init__(self, factory: Callable[P, Call[T]]) -> None:
        self.factory = factory
        functools.update_wrapper(self, factory)  # type: ignore[arg-type]

    @overload
    def __get__(self, obj: None, owner: type[Any]) -> endpoint[P, T]: ...
    @overload
    def __get__(self, obj: SyncSide, owner: type[Any]) -> Callable[P, T]: ...
    @overload
    def __get__(self, obj: AsyncSide, owner: type[Any]) -> Callable[P, Awaitable[T]]: ...
    def __get__(self, obj: Any, owner: type[Any]) -> Any:
        if obj is None:
            return self
        factory, send = self.factory, obj.send

        @functools.wraps(factory)
        def bound(*args: Any, **kwargs: Any) -> Any:
            return send(factory(*args, **kwargs))

        return bound


def _data(model: type[M]) -> Callable[[bytes], M]:
    """Parse ``{"data": {...}}`` into ``model``."""

    def parse(content: bytes) -> M:
        payload = load_json(content)
        inner = payload.get("data", payload) if isinstance(payload, dict) else payload
        return model.model_validate(inner)  # type: ignore[attr-defined, no-any-return]

    return parse


def _data_list(model: type[M]) -> Callable[[bytes], list[M]]:
    adapter: TypeAdapter[list[M]] = TypeAdapter(list[model])  # type: ignore[valid-type]

    def parse(content: bytes) -> list[M]:
        payload = load_json(content)
        items = payload.get("data", []) if isinstance(payload, dict) else payload
        return adapter.validate_python([i for i in items or [] if isinstance(i, dict)])

    return parse


def _whole(model: type[M]) -> Callable[[bytes], M]:
    def parse(content: bytes) -> M:
        return model.model_validate(load_json(content))  # type: ignore[attr-defined, no-any-return]

    return parse


def _raw_json(content: bytes) -> Any:
    return load_json(content)


def _bytes(content: bytes) -> bytes:
    return content


def _csv(values: Sequence[str] | str | None) -> str | None:
    if values is None or isinstance(values, str):
        return values
    return ",".join(values)


def _slug_path(model_id: str) -> str:
    author, sep, slug = model_id.partition("/")
    if not sep or not author or not slug:
        raise ValueError(f"model id must look like 'author/slug', got {model_id!r}")
    return f"/models/{author}/{slug}/endpoints"


OutputModalities = Literal["text", "image", "audio", "embeddings", "all"]


class EndpointMethods:
    """The non-chat endpoints. Mixed into both clients; see :class:`endpoint`."""

    @endpoint
    @staticmethod
    def list_models(
        *,
        supported_parameters: Sequence[str] | str | None = None,
        output_modalities: Sequence[str] | str | None = None,
        category: str | None = None,
        sort: str | None = None,
        offset: int | None = None,
        limit: int | None = None,
        use_rss: bool | None = None,
    ) -> Call[list[ModelInfo]]:
        """``GET /models``: the catalog, optionally filtered server-side."""
        return Call(
            "GET",
            "/models",
            _data_list(ModelInfo),
            params={
                "supported_parameters": _csv(supported_parameters),
                "output_modalities": _csv(output_modalities),
                "category": category,
                "sort": sort,
                "offset": offset,
                "limit": limit,
                "use_rss": None if use_rss is None else str(use_rss).lower(),
            },
        )

    @endpoint
    @staticmethod
    def list_models_raw() -> Call[Any]:
        """``GET /models`` as decoded JSON (what the catalog caches)."""
        return Call("GET", "/models", _raw_json)

    @endpoint
    @staticmethod
    def count_models(*, output_modalities: Sequence[str] | str | None = None) -> Call[int]:
        """``GET /models/count``."""

        def parse(content: bytes) -> int:
            payload = load_json(content)
            return int(payload.get("data", {}).get("count", 0))

        return Call(
            "GET", "/models/count", parse, params={"output_modalities": _csv(output_modalities)}
        )

    @endpoint
    @staticmethod
    def list_user_models(
        *, offset: int | None = None, limit: int | None = None
    ) -> Call[list[ModelInfo]]:
        """``GET /models/user``: models filtered by the key's provider preferences."""
        return Call(
            "GET", "/models/user", _data_list(ModelInfo), params={"offset": offset, "limit": limit}
        )

    @endpoint
    @staticmethod
    def list_model_endpoints(model_id: str) -> Call[ModelEndpoints]:
        """``GET /models/{author}/{slug}/endpoints``: every provider serving a model."""
        return Call("GET", _slug_path(model_id), _data(ModelEndpoints), model=model_id)

    @endpoint
    @staticmethod
    def list_embedding_models(
        *, offset: int | None = None, limit: int | None = None
    ) -> Call[list[ModelInfo]]:
        """``GET /embeddings/models``."""
        return Call(
            "GET",
            "/embeddings/models",
            _data_list(ModelInfo),
            params={"offset": offset, "limit": limit},
        )

    @endpoint
    @staticmethod
    def list_providers() -> Call[list[model_types.Provider]]:
        """``GET /providers``."""
        return Call("GET", "/providers", _data_list(model_types.Provider))

    @endpoint
    @staticmethod
    def list_zdr_endpoints() -> Call[list[ModelEndpoint]]:
        """``GET /endpoints/zdr``: endpoints with zero data retention."""
        return Call("GET", "/endpoints/zdr", _data_list(ModelEndpoint))

    @endpoint
    @staticmethod
    def get_credits() -> Call[model_types.Credits]:
        """``GET /credits``: total credits bought and used."""
        return Call("GET", "/credits", _data(model_types.Credits))

    @endpoint
    @staticmethod
    def get_key() -> Call[model_types.KeyInfo]:
        """``GET /key``: the current key's limit, remaining limit, usage, tier."""
        return Call("GET", "/key", _data(model_types.KeyInfo))

    @endpoint
    @staticmethod
    def get_generation(generation_id: str) -> Call[model_types.Generation]:
        """``GET /generation?id=``: tokens, cost, latency and provider of a past call."""
        if not generation_id:
            raise ValueError("generation_id must not be empty")
        return Call(
            "GET", "/generation", _data(model_types.Generation), params={"id": generation_id}
        )

    @endpoint
    @staticmethod
    def create_coinbase_charge(*, amount: float, sender: str, chain_id: int) -> Call[Any]:
        """``POST /credits/coinbase``. OpenRouter has retired it: expect a 410 error."""
        body = model_types.CoinbaseChargeRequest(amount=amount, sender=sender, chain_id=chain_id)
        return Call("POST", "/credits/coinbase", _raw_json, body=body.model_dump())

    @endpoint
    @staticmethod
    def create_embeddings(
        request: model_types.EmbeddingsRequest | dict[str, Any] | None = None, **fields: Any
    ) -> Call[model_types.EmbeddingsResult]:
        """``POST /embeddings``. Pass a request or its fields (``model=``, ``input=``)."""
        req = _request(model_types.EmbeddingsRequest, request, fields)
        return Call(
            "POST",
            "/embeddings",
            _whole(model_types.EmbeddingsResult),
            body=req.to_json_dict(),
            model=req.model,
        )

    @endpoint
    @staticmethod
    def generate_images(
        request: model_types.ImageGenerationRequest | dict[str, Any] | None = None, **fields: Any
    ) -> Call[model_types.ImageGenerationResult]:
        """``POST /images``."""
        req = _request(model_types.ImageGenerationRequest, request, fields)
        return Call(
            "POST",
            "/images",
            _whole(model_types.ImageGenerationResult),
            body=req.model_dump(exclude_none=True),
            model=req.model,
        )

    @endpoint
    @staticmethod
    def create_speech(
        request: model_types.SpeechRequest | dict[str, Any] | None = None, **fields: Any
    ) -> Call[bytes]:
        """``POST /audio/speech``: the audio bytes."""
        req = _request(model_types.SpeechRequest, request, fields)
        return Call(
            "POST", "/audio/speech", _bytes, body=req.model_dump(exclude_none=True), model=req.model
        )

    @endpoint
    @staticmethod
    def create_transcription(
        request: model_types.TranscriptionRequest | dict[str, Any] | None = None, **fields: Any
    ) -> Call[model_types.TranscriptionResult]:
        """``POST /audio/transcriptions`` (JSON form, audio as base64)."""
        req = _request(model_types.TranscriptionRequest, request, fields)
        return Call(
            "POST",
            "/audio/transcriptions",
            _whole(model_types.TranscriptionResult),
            body=req.model_dump(exclude_none=True),
            model=req.model,
        )

    @endpoint
    @staticmethod
    def create_message(
        request: model_types.AnthropicMessagesRequest | dict[str, Any] | None = None, **fields: Any
    ) -> Call[model_types.AnthropicMessagesResult]:
        """``POST /messages`` in Anthropic's Messages format (not streamed)."""
        req = _request(model_types.AnthropicMessagesRequest, request, fields)
        if req.stream:
            raise ValueError("create_message does not stream; leave stream unset")
        return Call(
            "POST",
            "/messages",
            _whole(model_types.AnthropicMessagesResult),
            body=req.model_dump(exclude_none=True),
            model=req.model,
        )


def _request(model: type[M], request: Any, fields: dict[str, Any]) -> M:
    if request is None:
        return model.model_validate(fields)  # type: ignore[attr-defined, no-any-return]
    if fields:
        raise TypeError("pass either a request object or keyword fields, not both")
    if isinstance(request, model):
        return request
    return model.model_validate(request)  # type: ignore[attr-defined, no-any-return]
