"""Every endpoint of the shared client, sync and async, replayed from cassettes.

Assertions check structure and consistency (types, ids, non-empty answers), not the
words a model says, so they hold against a live re-recording too.
"""

from __future__ import annotations

import base64
from typing import Any

import pytest

from openrouter_core import GoneError, ModelInfo
from tests.wire.conftest import call

CHAT_MODEL = "openai/gpt-4o-mini"
USER = [{"role": "user", "content": "What is the capital of France? One word."}]

pytestmark = pytest.mark.openrouter_cassette


async def test_models_and_filters(any_client: Any) -> None:
    models = await call(any_client.list_models())
    assert len(models) > 50 and all(isinstance(m, ModelInfo) for m in models)
    with_tools = await call(any_client.list_models(supported_parameters=["tools"]))
    assert with_tools and all("tools" in m.parameters for m in with_tools)
    assert len(with_tools) < len(models)
    images = await call(any_client.list_models(output_modalities="image"))
    assert images and all("image" in m.output_modalities for m in images)
    count = await call(any_client.count_models())
    assert count == len(models)


async def test_user_models_and_embedding_models(any_client: Any) -> None:
    user = await call(any_client.list_user_models())
    assert user and all(m.id for m in user)
    embedders = await call(any_client.list_embedding_models())
    assert embedders and all("embeddings" in m.output_modalities for m in embedders)


async def test_model_endpoints_providers_and_zdr(any_client: Any) -> None:
    endpoints = await call(any_client.list_model_endpoints(CHAT_MODEL))
    assert endpoints.id == CHAT_MODEL and endpoints.endpoints
    assert all(e.provider_name for e in endpoints.endpoints)
    providers = await call(any_client.list_providers())
    assert providers and all(p.name and p.slug for p in providers)
    zdr = await call(any_client.list_zdr_endpoints())
    assert isinstance(zdr, list)


async def test_credits_and_key(any_client: Any) -> None:
    credits = await call(any_client.get_credits())
    assert credits.total_credits >= credits.total_usage >= 0
    key = await call(any_client.get_key())
    assert key.usage is not None and key.usage >= 0


async def test_chat_then_its_generation(any_client: Any) -> None:
    result = await call(any_client.chat({"model": CHAT_MODEL, "messages": USER}))
    assert result.text and result.id and result.model.startswith(CHAT_MODEL)
    assert result.provider and result.usage and result.usage.total_tokens > 0
    assert [a.model for a in result.attempts] == [CHAT_MODEL] and result.attempts[0].ok
    generation = await call(any_client.get_generation(result.id))
    assert generation.id == result.id
    assert generation.model.startswith(CHAT_MODEL)


async def test_coinbase_charge_is_gone(any_client: Any) -> None:
    with pytest.raises(GoneError) as caught:
        await call(any_client.create_coinbase_charge(amount=10, sender="0xabc", chain_id=8453))
    assert caught.value.status_code == 410


async def test_embeddings(any_client: Any) -> None:
    result = await call(
        any_client.create_embeddings(
            model="openai/text-embedding-3-small", input=["violet lighthouse", "morning ferry"]
        )
    )
    vectors = [d.embedding for d in result.data]
    assert len(vectors) == 2 and len(vectors[0]) == len(vectors[1]) > 0
    assert result.usage is not None and result.usage["prompt_tokens"] > 0


async def test_images(any_client: Any) -> None:
    result = await call(
        any_client.generate_images(
            model="google/gemini-2.5-flash-image", prompt="A violet lighthouse"
        )
    )
    assert result.data and (result.data[0].get("b64_json") or result.data[0].get("url"))


async def test_speech_then_transcription(any_client: Any) -> None:
    audio = await call(
        any_client.create_speech(
            model="openai/gpt-4o-mini-tts", input="The ferry leaves at seven.", voice="alloy"
        )
    )
    assert isinstance(audio, bytes) and len(audio) > 100
    text = await call(
        any_client.create_transcription(
            model="openai/whisper-1",
            input_audio={"data": base64.b64encode(audio).decode(), "format": "mp3"},
        )
    )
    assert "ferry" in text.text.lower()


async def test_anthropic_messages(any_client: Any) -> None:
    result = await call(
        any_client.create_message(
            model="anthropic/claude-3.5-haiku",
            max_tokens=64,
            messages=[{"role": "user", "content": "What is the capital of Italy?"}],
        )
    )
    assert result.role == "assistant" and result.content
    assert any(block.get("type") == "text" for block in result.content)
