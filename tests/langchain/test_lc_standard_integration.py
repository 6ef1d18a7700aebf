"""langchain-tests' standard integration suites, replayed from cassettes.

Every test's HTTP traffic is recorded in ``cassettes/langchain/test_lc_standard_integration/``
(``make cassettes`` re-authors them against the emulator). Which capability tests
run is read from the catalog entry of the chosen model: a test is skipped only when
the catalog says the model lacks that capability.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from langchain_tests.integration_tests import ChatModelIntegrationTests, EmbeddingsIntegrationTests

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings
from openrouter_core import ModelInfo
from openrouter_core.testing import FAKE_API_KEY

pytestmark = pytest.mark.openrouter_cassette

CHAT_MODEL = "openai/gpt-4o-mini"
OVERRIDE_MODEL = "anthropic/claude-3.5-haiku"
EMBEDDING_MODEL = "openai/text-embedding-3-small"

_CATALOG = json.loads((Path(__file__).resolve().parents[1] / "data" / "models.json").read_text())[
    "data"
]
INFO = ModelInfo.model_validate(next(m for m in _CATALOG if m["id"] == CHAT_MODEL))


def _key() -> str:
    recording_live = (
        os.environ.get("OPENROUTER_RECORD_MODE", "none") != "none"
        and os.environ.get("OPENROUTER_EMULATE") != "1"
    )
    return os.environ.get("OPENROUTER_API_KEY", FAKE_API_KEY) if recording_live else FAKE_API_KEY


class TestChatOpenRouterIntegration(ChatModelIntegrationTests):
    @pytest.fixture(autouse=True)
    def _offline_media(self, local_media: None) -> None:
        """The image / PDF / audio downloads are served from local files."""

    @pytest.fixture
    def vcr(self, openrouter_cassette: Any) -> Any:
        """langchain-tests' VCR hook uses this package's cassette."""
        return openrouter_cassette

    @property
    def chat_model_class(self) -> type[ChatOpenRouter]:
        return ChatOpenRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": CHAT_MODEL, "api_key": _key()}

    # Capabilities, as the catalog states them for CHAT_MODEL.
    @property
    def has_tool_calling(self) -> bool:
        return INFO.supports_tools

    @property
    def has_tool_choice(self) -> bool:
        return INFO.supports_tools and "tool_choice" in INFO.parameters

    @property
    def has_structured_output(self) -> bool:
        return INFO.supports_structured_outputs or INFO.supports_tools

    @property
    def supports_json_mode(self) -> bool:
        return "response_format" in INFO.parameters

    @property
    def supports_image_inputs(self) -> bool:
        return "image" in INFO.input_modalities

    @property
    def supports_image_urls(self) -> bool:
        return "image" in INFO.input_modalities

    @property
    def supports_pdf_inputs(self) -> bool:
        return "file" in INFO.input_modalities

    @property
    def supports_audio_inputs(self) -> bool:
        return "audio" in INFO.input_modalities

    @property
    def supports_video_inputs(self) -> bool:
        return "video" in INFO.input_modalities

    @property
    def supports_image_tool_message(self) -> bool:
        return "image" in INFO.input_modalities and INFO.supports_tools

    @property
    def supports_pdf_tool_message(self) -> bool:
        return "file" in INFO.input_modalities and INFO.supports_tools

    @property
    def supports_anthropic_inputs(self) -> bool:
        return True  # a message-format feature of this adapter, not of the model

    @property
    def enable_vcr_tests(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str:
        return OVERRIDE_MODEL


class TestOpenRouterEmbeddingsIntegration(EmbeddingsIntegrationTests):
    @property
    def embeddings_class(self) -> type[OpenRouterEmbeddings]:
        return OpenRouterEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": EMBEDDING_MODEL, "api_key": _key()}
