"""Structured output through ``response_format`` (``should_use_structured_outputs=True``).

By default LlamaIndex's ``structured_predict`` runs a program: a forced tool call
where the model has tool calling, else JSON parsed from text. With
``should_use_structured_outputs=True`` the request asks instead for a reply that
follows the output class's JSON schema (``response_format`` of type
``json_schema``, strict), which the catalog check refuses for a model without
structured outputs, before sending.
"""

from __future__ import annotations

import re
from typing import Any, cast

from llama_index.core.bridge.pydantic import Field
from llama_index.core.llms.function_calling import FunctionCallingLLM
from llama_index.core.prompts import PromptTemplate
from llama_index.core.types import Model

__all__ = ["StructuredOutputsLLM", "json_schema_format"]

_NAME = re.compile(r"[^A-Za-z0-9_-]")


def _strict(node: Any) -> Any:
    """A JSON Schema in the form strict structured outputs accept: every object
    closed (``additionalProperties: false``) with every property required."""
    if isinstance(node, list):
        return [_strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    out = {key: _strict(value) for key, value in node.items()}
    if isinstance(out.get("properties"), dict):
        out["additionalProperties"] = False
        out["required"] = list(out["properties"])
    return out


def json_schema_format(output_cls: type[Any]) -> dict[str, Any]:
    """``response_format`` asking for JSON that follows ``output_cls``'s schema."""
    name = _NAME.sub("_", output_cls.__name__)[:64] or "output"
    schema = _strict(output_cls.model_json_schema())
    return {"type": "json_schema", "json_schema": {"name": name, "schema": schema, "strict": True}}


def _schema_kwargs(output_cls: type[Any], llm_kwargs: dict[str, Any] | None) -> dict[str, Any]:
    """Call keywords of a structured-output request (a forced tool choice dropped:
    no tool is sent)."""
    kwargs = {k: v for k, v in (llm_kwargs or {}).items() if k != "tool_choice"}
    kwargs["response_format"] = json_schema_format(output_cls)
    return kwargs


class StructuredOutputsLLM(FunctionCallingLLM):
    """A ``FunctionCallingLLM`` whose ``structured_predict`` can use ``response_format``."""

    should_use_structured_outputs: bool = Field(
        default=False,
        description="structured_predict asks for JSON following the schema (response_format).",
    )

    def structured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """An ``output_cls`` from the model. With ``should_use_structured_outputs=True``
        the reply is asked to follow the class's JSON schema (``response_format``);
        otherwise LlamaIndex's program runs (a forced tool call where the model
        has tool calling, else JSON parsed from text)."""
        if not self.should_use_structured_outputs:
            result = super().structured_predict(output_cls, prompt, llm_kwargs, **prompt_args)
            return cast(Model, result)
        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        response = self.chat(messages, **_schema_kwargs(output_cls, llm_kwargs))
        return output_cls.model_validate_json(response.message.content or "")

    async def astructured_predict(
        self,
        output_cls: type[Model],
        prompt: PromptTemplate,
        llm_kwargs: dict[str, Any] | None = None,
        **prompt_args: Any,
    ) -> Model:
        """Async :meth:`structured_predict`."""
        if not self.should_use_structured_outputs:
            result = await super().astructured_predict(
                output_cls, prompt, llm_kwargs, **prompt_args
            )
            return cast(Model, result)
        messages = self._extend_messages(prompt.format_messages(**prompt_args))
        response = await self.achat(messages, **_schema_kwargs(output_cls, llm_kwargs))
        return output_cls.model_validate_json(response.message.content or "")
