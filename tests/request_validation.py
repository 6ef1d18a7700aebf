"""Check every request body the tests send against OpenRouter's own published schemas.

Two independent judges, neither written here:

1. **The OpenAPI spec.** ``tests/data/request_schemas.json`` holds the request-body
   schemas of the endpoints below, extracted mechanically from OpenRouter's OpenAPI
   3.1 spec by ``tests/data/extract_request_schemas.py``; they are checked with
   ``jsonschema`` (Draft 2020-12, which OpenAPI 3.1 schemas are). This is the strict
   judge: types (``temperature: "0.5"`` fails), enums, ``minItems``, message roles.
   The spec leaves objects open (no ``additionalProperties: false``), so on top of it
   a **top-level key the spec does not list** is reported too (``allow_unknown_fields``
   turns that off); keys documented in OpenRouter's parameter guide but missing from
   the spec (``verbosity``, ``include_reasoning``, ...) are allowed.
2. **The ``openrouter`` SDK's pydantic request models** (``ChatRequest``,
   ``MessagesRequest``, ``CreateEmbeddingsRequestBody``, ``ImageGenerationRequest``,
   ``SpeechRequest``, ``STTRequest``), validated with ``strict=True``: in their default
   lax mode they coerce ``"0.5"`` to a float, ``"yes"`` to ``True``, accept any string
   for enums and ignore unknown keys; strict mode still ignores unknown keys. Skipped
   when the SDK is not installed.

Endpoints: ``POST /chat/completions``, ``/embeddings``, ``/messages``, ``/images``,
``/audio/speech``, ``/audio/transcriptions`` (JSON bodies fully; multipart bodies by
field name, required fields and enum values only, the file part unchecked) and
``/credits/coinbase`` (deprecated: the spec defines no body, so none is checked).
Other requests (GETs, other paths) are not checked.

Entry points: :func:`validate_request` for a parsed body, and
:func:`make_validating_hook` for a vcrpy ``before_record_request`` hook (vcrpy calls
it when recording *and* before matching each request at replay, so replayed test runs
are validated too; it also sees each recorded request when a cassette is loaded).
"""

from __future__ import annotations

import contextlib
import email.parser
import email.policy
import importlib
import json
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match

SCHEMAS_PATH = Path(__file__).resolve().parent / "data" / "request_schemas.json"
API_PREFIX = "/api/v1"
MAX_REPORTED = 20

#: Endpoint -> (module, class) of the SDK's pydantic model for its JSON body.
SDK_MODELS: dict[str, tuple[str, str]] = {
    "POST /chat/completions": ("openrouter.components", "ChatRequest"),
    "POST /messages": ("openrouter.components", "MessagesRequest"),
    "POST /embeddings": ("openrouter.operations", "CreateEmbeddingsRequestBody"),
    "POST /images": ("openrouter.components", "ImageGenerationRequest"),
    "POST /audio/speech": ("openrouter.components", "SpeechRequest"),
    "POST /audio/transcriptions": ("openrouter.components", "STTRequest"),
}


@cache
def _spec() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SCHEMAS_PATH.read_text())
    return data


def endpoint_key(method: str, path: str) -> str | None:
    """``"POST /chat/completions"`` for a method and a URL/path; None if not covered."""
    path = urlsplit(path).path
    if API_PREFIX + "/" in path:
        path = path[path.index(API_PREFIX + "/") + len(API_PREFIX) :]
    key = f"{method.upper()} /{path.strip('/')}"
    return key if key in _spec()["endpoints"] else None


@cache
def _validator(key: str, content_type: str) -> Draft202012Validator | None:
    schema = _spec()["endpoints"][key]["content"].get(content_type)
    if schema is None:
        return None
    return Draft202012Validator({**schema, "components": _spec()["components"]})


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        resolved: dict[str, Any] = _spec()["components"]["schemas"][ref.rsplit("/", 1)[-1]]
        return _resolve(resolved)
    return schema


def _json_path(parts: Iterable[Any]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _alternatives(errors: Iterable[ValidationError]) -> list[str]:
    """What each failed branch of a oneOf/anyOf wanted, e.g. ``'auto'``, ``type object``."""
    wanted: list[str] = []
    for error in errors:
        if error.validator == "enum":
            wanted += [repr(v) for v in error.validator_value]
        elif error.validator == "const":
            wanted.append(repr(error.validator_value))
        elif error.validator == "type":
            wanted.append(f"type {error.validator_value}")
        elif error.validator in ("oneOf", "anyOf") and error.context:
            wanted += _alternatives(error.context)
        else:
            wanted.append(_short(error.message, 60))
    return list(dict.fromkeys(wanted))


def _explain(error: ValidationError) -> tuple[str, str]:
    """The most useful (path, message) for an error, looking inside oneOf/anyOf."""
    path = list(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return _json_path(path), _short(error.message)
    discriminator = schema.get("discriminator") or {}
    prop, mapping = discriminator.get("propertyName"), discriminator.get("mapping") or {}
    if prop and isinstance(error.instance, dict):
        value = error.instance.get(prop)
        if not isinstance(value, str) or value not in mapping:
            return _json_path([*path, prop]), f"{value!r} is not one of {sorted(mapping)}"
        branches = {
            i
            for i, sub in enumerate(schema[str(error.validator)])
            if sub.get("$ref") == mapping[value]
        }
        chosen = [e for e in error.context if e.relative_schema_path[0] in branches]
        if chosen:
            return _explain(best_match(chosen))
    # A branch that failed deeper inside the value is the one the value was meant for.
    deeper = [e for e in error.context if len(e.absolute_path) > len(path)]
    if deeper:
        return _explain(best_match(deeper))
    wanted = ", ".join(_alternatives(error.context))
    return _json_path(path), _short(f"{error.instance!r} is none of: {wanted}", 240)


def _schema_violations(validator: Draft202012Validator, body: Any) -> list[str]:
    found = sorted({_explain(e) for e in validator.iter_errors(body)})
    return [f"{path}: {message} [spec]" for path, message in found]


def _unknown_fields(key: str, body: Any) -> list[str]:
    schema = _spec()["endpoints"][key]["content"].get("application/json")
    if not isinstance(body, dict) or schema is None:
        return []
    resolved = _resolve(schema)
    props = resolved.get("properties")
    if not isinstance(props, dict) or "additionalProperties" in resolved:
        return []
    allowed = set(props) | set(_spec()["documented_extra_fields"].get(key, []))
    return [
        f"$.{name}: not a field of this request in the spec [spec]"
        for name in body
        if name not in allowed
    ]


@cache
def _sdk_model(key: str) -> Any:
    if key not in SDK_MODELS:
        return None
    module, name = SDK_MODELS[key]
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        return None


def _sdk_violations(key: str, body: Any, skip_fields: set[str]) -> list[str]:
    """The SDK model's complaints, except about top-level fields the spec flagged already."""
    model = _sdk_model(key)
    if model is None:
        return []
    from pydantic import ValidationError as PydanticError

    try:
        model.model_validate(body, strict=True)
    except PydanticError as exc:
        found: dict[str, str] = {}
        for err in exc.errors(include_url=False):
            loc = err["loc"]
            if "Unset" in loc or (loc and str(loc[0]) in skip_fields):
                continue  # "Unset": the left-out branch every optional field has
            parts = [p for p in loc if isinstance(p, int) or str(p).isidentifier()]
            parts = [p for p in parts if isinstance(p, int) or not str(p)[:1].isupper()]
            found.setdefault(_json_path(parts), _short(err["msg"]))
        return [f"{path}: {msg} [SDK {model.__name__}]" for path, msg in sorted(found.items())]
    return []


def request_violations(
    method: str, path: str, body: Any, *, allow_unknown_fields: bool = False
) -> list[str]:
    """Everything wrong with a JSON request body, as readable lines (empty if fine)."""
    key = endpoint_key(method, path)
    validator = _validator(key, "application/json") if key else None
    if key is None or validator is None:
        return []
    if body is None:
        return ["$: the request has no body; the spec requires one [spec]"]
    violations = _schema_violations(validator, body)
    if not allow_unknown_fields:
        violations += _unknown_fields(key, body)
    flagged = {line[2:].split(":", 1)[0].split(".")[0].split("[")[0] for line in violations}
    return violations + _sdk_violations(key, body, flagged)


def validate_request(
    method: str, path: str, body: dict[str, Any] | None, *, allow_unknown_fields: bool = False
) -> None:
    """Raise AssertionError listing every violation of OpenRouter's published schemas.

    ``path`` may be a full URL or a path, with or without the ``/api/v1`` prefix.
    """
    violations = request_violations(method, path, body, allow_unknown_fields=allow_unknown_fields)
    if violations:
        key = endpoint_key(method, path)
        shown = violations[:MAX_REPORTED]
        more = len(violations) - len(shown)
        raise AssertionError(
            f"{key} request body breaks OpenRouter's published request schema:\n  - "
            + "\n  - ".join(shown)
            + (f"\n  ... and {more} more" if more > 0 else "")
        )


def multipart_fields(content_type: str, body: bytes) -> dict[str, Any]:
    """The form fields of a multipart body: text values, ``"<file>"`` for file parts."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    fields: dict[str, Any] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        if part.get_filename() is not None:
            value: Any = "<file>"
        else:
            payload = part.get_payload(decode=True)
            value = payload.decode("utf-8") if isinstance(payload, bytes) else str(payload)
        if name.endswith("[]"):
            fields.setdefault(name, []).append(value)
        else:
            fields[name] = value
    return fields


def _coerce_form(fields: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    """Form values are text: turn those the schema types as numbers into numbers."""
    out = dict(fields)
    for name, prop in (schema.get("properties") or {}).items():
        if name in out and prop.get("type") in ("number", "integer"):
            with contextlib.suppress(TypeError, ValueError):
                out[name] = float(out[name]) if prop["type"] == "number" else int(out[name])
    return out


def multipart_violations(path: str, content_type: str, body: bytes) -> list[str]:
    """Field names, required fields and enum values of a multipart body, against the spec."""
    key = endpoint_key("POST", path)
    validator = _validator(key, "multipart/form-data") if key else None
    if key is None or validator is None:
        return []
    schema = _spec()["endpoints"][key]["content"]["multipart/form-data"]
    fields = _coerce_form(multipart_fields(content_type, body), schema)
    unknown = [
        f"$.{n}: not a form field of this request in the spec [spec]"
        for n in fields
        if n not in schema.get("properties", {})
    ]
    return _schema_violations(validator, fields) + unknown


def http_request_violations(
    method: str, url: str, content_type: str, body: bytes | str | None
) -> list[str]:
    """Violations for a raw HTTP request (JSON or multipart body)."""
    if endpoint_key(method, url) is None:
        return []
    data = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    if content_type.lower().startswith("multipart/form-data"):
        return multipart_violations(url, content_type, data)
    if not data.strip():
        return request_violations(method, url, None)
    try:
        parsed = json.loads(data)
    except ValueError:
        return [f"$: the body is not JSON (content-type {content_type or 'missing'!r}) [spec]"]
    return request_violations(method, url, parsed)


def make_validating_hook(errors: list[str] | None = None) -> Callable[[Any], Any]:
    """A vcrpy ``before_record_request`` hook validating each request it sees.

    With ``errors=None`` an invalid request raises AssertionError at once (so the HTTP
    call fails); with a list, each distinct message is appended to it instead, for a
    fixture to assert on at teardown. Requests already found valid are not re-checked.
    """
    valid: set[tuple[str, str, bytes]] = set()

    def hook(request: Any) -> Any:
        body = request.body
        body = body.encode("utf-8") if isinstance(body, str) else body
        data = body if isinstance(body, bytes) else b""
        seen = (request.method, request.uri, data)
        if seen in valid:
            return request
        headers = {str(k).lower(): v for k, v in request.headers.items()}
        content_type = str(headers.get("content-type") or "")
        violations = http_request_violations(request.method, request.uri, content_type, data)
        if not violations:
            valid.add(seen)
            return request
        message = (
            f"{request.method} {request.uri} breaks OpenRouter's published request schema:\n  - "
            + "\n  - ".join(violations[:MAX_REPORTED])
        )
        if errors is None:
            raise AssertionError(message)
        if message not in errors:
            errors.append(message)
        return request

    return hook
