"""LangChain model profiles from OpenRouter's catalog.

``ChatOpenRouter.profile`` describes what the chosen model can do (context
window, output limit, tool calling, structured output, input and output
modalities, reasoning), straight from the catalog entry OpenRouter publishes.
"""

from __future__ import annotations

from langchain_core.language_models import ModelProfile

from openrouter_core import ModelInfo

__all__ = ["profile_from_model_info"]

_REASONING_EFFORTS = ["minimal", "low", "medium", "high"]


def profile_from_model_info(info: ModelInfo) -> ModelProfile:
    """The LangChain ``ModelProfile`` of one catalog entry."""
    inputs = info.input_modalities
    outputs = info.output_modalities
    params = info.parameters
    tools = info.supports_tools
    profile = ModelProfile(
        text_inputs="text" in inputs,
        image_inputs="image" in inputs,
        image_url_inputs="image" in inputs,
        pdf_inputs="file" in inputs,
        audio_inputs="audio" in inputs,
        video_inputs="video" in inputs,
        image_tool_message="image" in inputs and tools,
        pdf_tool_message="file" in inputs and tools,
        text_outputs="text" in outputs,
        image_outputs="image" in outputs,
        audio_outputs="audio" in outputs,
        video_outputs="video" in outputs,
        reasoning_output=info.supports_reasoning,
        tool_calling=tools,
        tool_choice=tools and "tool_choice" in params,
        tool_call_streaming=tools,
        structured_output=info.supports_structured_outputs,
        temperature="temperature" in params,
        attachment="file" in inputs,
    )
    if info.name:
        profile["name"] = info.name
    if info.context_window:
        profile["max_input_tokens"] = info.context_window
    if info.max_completion_tokens:
        profile["max_output_tokens"] = info.max_completion_tokens
    if "reasoning" in params:
        profile["reasoning_effort_levels"] = list(_REASONING_EFFORTS)
    return profile
