"""Tools and structured output: formatting, ``tool_choice``, and the catalog checks
that run when they are bound (before any request is sent)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Literal

from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough

if TYPE_CHECKING:
    from langchain_core.output_parsers.base import OutputParserLike
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_function, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from openrouter_core import CapabilityError, Catalog, ModelInfo, requirements_of
from openrouter_core.capabilities import CapabilityPolicy
from openrouter_core.model_ids import is_router
from openrouter_core.routing import plan_route

__all__ = [
    "StructuredMethod",
    "ToolChoice",
    "attach_parser",
    "bind_tools_to",
    "check_route",
    "format_tool",
    "json_schema_response_format",
    "normalize_tool_choice",
    "output_parser",
    "resolve_structured_method",
    "structured_output_of",
]

ToolChoice = dict[str, Any] | Literal["auto", "none", "required", "any"] | str | bool | None
StructuredMethod = Literal["json_schema", "function_calling", "json_mode"]
ToolLike = dict[str, Any] | type | Callable[..., Any] | BaseTool


def _is_server_tool(tool: dict[str, Any]) -> bool:
    """An OpenRouter server tool (``{"type": "openrouter:web_search"}``...), as opposed
    to a JSON schema (``type: "object"``) or a function description."""
    kind = tool.get("type")
    if not isinstance(kind, str) or kind in ("function", "object"):
        return False
    if "function" in tool or "properties" in tool or "title" in tool:
        return False
    return not ("name" in tool and "parameters" in tool)  # an OpenAI function dict


def format_tool(tool: ToolLike, *, strict: bool | None = None) -> dict[str, Any]:
    """A tool in OpenRouter's format: LangChain tools, functions, pydantic classes,
    TypedDicts, JSON-schema dicts and OpenAI function dicts become function tools; a
    ready-made ``{"type": "function", ...}`` tool and OpenRouter server tools pass
    through unchanged (extra keys such as ``cache_control`` kept)."""
    if isinstance(tool, dict) and _is_server_tool(tool):
        return tool
    return convert_to_openai_tool(tool, strict=strict)


def normalize_tool_choice(choice: ToolChoice, tools: Sequence[dict[str, Any]]) -> Any:
    """LangChain's ``tool_choice`` spellings as OpenRouter's.

    ``"any"`` forces some tool (``"required"``), ``True`` forces the only tool, a
    tool's name forces that tool, ``False``/``None``/``""`` leave the choice to the
    model.
    """
    names = [t["function"]["name"] for t in tools if t.get("type") == "function"]
    if choice is None or choice is False or choice == "":
        return None
    if choice is True:
        if len(names) != 1:
            raise ValueError(
                "tool_choice can only be True when there is one tool. Received "
                f"{len(names)} tools; name the tool to call, or pass 'required'."
            )
        return _force(names[0])
    if isinstance(choice, dict):
        return choice
    if choice == "any":
        return "required"
    if choice in ("auto", "none", "required"):
        return choice
    if choice in names:
        return _force(choice)
    raise ValueError(
        f"tool_choice={choice!r} names no bound tool; the tools are {names}. Use one of "
        "them, or 'auto', 'none', 'required' / 'any'."
    )


def _force(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name}}


def check_route(
    catalog: Catalog | None,
    route: Sequence[str],
    fragment: dict[str, Any],
    *,
    policy: CapabilityPolicy,
) -> None:
    """Fail now (``CapabilityError`` naming capable models) if no model of ``route``
    can serve a request containing ``fragment`` (tools, response_format...)."""
    if catalog is None or policy == "off" or not route:
        return
    needs = requirements_of({"messages": [], **fragment})
    plan_route(catalog, route, needs, policy=policy)


def resolve_structured_method(
    method: StructuredMethod | None,
    info: ModelInfo | None,
    catalog: Catalog | None,
    policy: CapabilityPolicy,
) -> StructuredMethod:
    """The structured-output mechanism to use for the model ``info``.

    ``json_schema`` (the default) needs ``structured_outputs`` in the catalog; without
    it a model with tools uses ``function_calling``, else one with ``response_format``
    uses ``json_mode``. An explicit ``function_calling`` or ``json_mode`` is kept (and
    checked when bound).
    """
    if method not in (None, "json_schema", "function_calling", "json_mode"):
        raise ValueError(
            f"Unknown method {method!r}: use 'json_schema', 'function_calling' or 'json_mode'"
        )
    if method in ("function_calling", "json_mode"):
        return method
    if info is None or policy == "off":
        return "json_schema"
    if info.supports_structured_outputs:
        return "json_schema"
    if info.supports_tools:
        return "function_calling"
    if "response_format" in info.parameters:
        return "json_mode"
    needs = requirements_of(
        {"messages": [], "response_format": {"type": "json_schema", "json_schema": {}}}
    )
    capable = catalog.capable_models(needs, prefer_author=info.id.split("/")[0]) if catalog else []
    raise CapabilityError(
        info.id,
        ["structured outputs, tool calling and JSON mode (none is in its supported_parameters)"],
        [m.id for m in capable[:8]],
        len(capable),
    )


def model_info(
    catalog: Catalog | None, model: str, policy: CapabilityPolicy = "error"
) -> ModelInfo | None:
    """The catalog entry of ``model`` (``None`` for routers, without a catalog, or for
    an id the catalog at hand does not know but may not refuse)."""
    if catalog is None or is_router(model):
        return None
    return catalog.lookup(model, policy=policy)


def json_schema_response_format(schema: Any, *, strict: bool | None) -> dict[str, Any]:
    """``response_format`` asking for JSON that follows ``schema``."""
    function = convert_to_openai_function(schema, strict=strict)
    spec: dict[str, Any] = {"name": function["name"], "schema": function["parameters"]}
    if function.get("description"):
        spec["description"] = function["description"]
    if strict is not None:
        spec["strict"] = strict
    return {"type": "json_schema", "json_schema": spec}


def output_parser(schema: Any, method: StructuredMethod) -> OutputParserLike[Any]:
    # Imported here: only with_structured_output needs the parsers (keeps imports fast).
    from langchain_core.output_parsers import JsonOutputKeyToolsParser, JsonOutputParser
    from langchain_core.output_parsers.openai_tools import PydanticToolsParser
    from langchain_core.output_parsers.pydantic import PydanticOutputParser

    """The parser turning the model's reply into ``schema`` (a pydantic class or a dict)."""
    is_model = isinstance(schema, type) and is_basemodel_subclass(schema)
    if method == "function_calling":
        if is_model:
            return PydanticToolsParser(tools=[schema], first_tool_only=True)
        name = convert_to_openai_tool(schema)["function"]["name"]
        return JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
    if is_model:
        return PydanticOutputParser(pydantic_object=schema)
    return JsonOutputParser()


def attach_parser(
    llm: Runnable[Any, Any], parser: OutputParserLike[Any], *, include_raw: bool
) -> Runnable[Any, Any]:
    """``llm | parser``; with ``include_raw``, ``{"raw", "parsed", "parsing_error"}``
    where a parsing failure is reported instead of raised."""
    if not include_raw:
        return llm | parser
    parse = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    )
    no_parse = RunnablePassthrough.assign(parsed=lambda _: None)
    return RunnableMap(raw=llm) | parse.with_fallbacks([no_parse], exception_key="parsing_error")


def bind_tools_to(
    catalog: Catalog | None,
    route: Sequence[str],
    tools: Sequence[ToolLike],
    *,
    tool_choice: ToolChoice,
    strict: bool | None,
    parallel_tool_calls: bool | None,
    policy: CapabilityPolicy,
) -> dict[str, Any]:
    """The request keywords ``bind_tools`` binds, checked against the catalog."""
    formatted = [format_tool(t, strict=strict) for t in tools]
    choice = normalize_tool_choice(tool_choice, formatted)
    fragment: dict[str, Any] = {"tools": formatted}
    if choice is not None:
        fragment["tool_choice"] = choice
    if parallel_tool_calls is not None:
        fragment["parallel_tool_calls"] = parallel_tool_calls
    check_route(catalog, route, fragment, policy=policy)
    return fragment


def structured_output_of(
    model: Any,
    schema: Any,
    *,
    method: StructuredMethod | None,
    include_raw: bool,
    strict: bool | None,
    bound: dict[str, Any],
) -> Runnable[Any, Any]:
    """``with_structured_output`` of a ``ChatOpenRouter`` (see its docstring)."""
    if schema is None and method != "json_mode":
        raise ValueError(
            f"schema must be specified when method is '{method or 'json_schema'}'. Received None."
        )
    policy: CapabilityPolicy = model._policy
    catalog = model._catalog()
    info = model_info(catalog, model.model_name, policy)
    chosen = resolve_structured_method(method, info, catalog, policy)
    trace: dict[str, Any] = {"kwargs": {"method": chosen, "strict": strict}, "schema": schema}
    llm: Runnable[Any, Any]
    if chosen == "function_calling":
        name = format_tool(schema, strict=strict)["function"]["name"]
        llm = model.bind_tools(
            [schema],
            tool_choice=name,
            strict=strict,
            parallel_tool_calls=False,
            ls_structured_output_format=trace,
            **bound,
        )
    else:
        response_format = (
            json_schema_response_format(schema, strict=strict)
            if chosen == "json_schema"
            else {"type": "json_object"}
        )
        if chosen == "json_mode":
            trace = {"kwargs": {"method": chosen}, "schema": schema}
        check_route(catalog, model._route(), {"response_format": response_format}, policy=policy)
        llm = model.bind(
            response_format=response_format, ls_structured_output_format=trace, **bound
        )
    return attach_parser(llm, output_parser(schema, chosen), include_raw=include_raw)
