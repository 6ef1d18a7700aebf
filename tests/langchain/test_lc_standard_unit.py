"""langchain-tests' standard unit suites (no network)."""

from __future__ import annotations

from typing import Any

from langchain_tests.unit_tests import ChatModelUnitTests, EmbeddingsUnitTests

from langchain_openrouter import ChatOpenRouter, OpenRouterEmbeddings


class TestChatOpenRouterUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[ChatOpenRouter]:
        return ChatOpenRouter

    @property
    def chat_model_params(self) -> dict[str, Any]:
        return {"model": "openai/gpt-4o-mini", "api_key": "test-api-key"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {
                "OPENROUTER_API_KEY": "api_key",
                "OPENROUTER_BASE_URL": "https://openrouter.example/api/v1",
            },
            {"model": "openai/gpt-4o-mini"},
            {
                "openrouter_api_key": "api_key",
                "openrouter_api_base": "https://openrouter.example/api/v1",
            },
        )

    @property
    def supports_image_inputs(self) -> bool:
        return True

    @property
    def supports_pdf_inputs(self) -> bool:
        return True

    @property
    def supports_json_mode(self) -> bool:
        return True


class TestOpenRouterEmbeddingsUnit(EmbeddingsUnitTests):
    @property
    def embeddings_class(self) -> type[OpenRouterEmbeddings]:
        return OpenRouterEmbeddings

    @property
    def embedding_model_params(self) -> dict[str, Any]:
        return {"model": "openai/text-embedding-3-small", "api_key": "test"}

    @property
    def init_from_env_params(self) -> tuple[dict[str, str], dict[str, Any], dict[str, Any]]:
        return (
            {"OPENROUTER_API_KEY": "api_key"},
            {"model": "openai/text-embedding-3-small"},
            {"openrouter_api_key": "api_key"},
        )
