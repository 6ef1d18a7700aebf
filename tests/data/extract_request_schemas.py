"""Regenerate ``tests/data/request_schemas.json`` from OpenRouter's OpenAPI spec.

The test suite validates every request body it sends against OpenRouter's own
published schemas (see ``tests/request_validation.py``). The full spec is large
and lives outside this repository, so this script copies out only what that
validation needs, mechanically and without hand edits:

* the request-body schema of each endpoint in :data:`ENDPOINTS`, per content type;
* every ``#/components/schemas/...`` entry those schemas reach through ``$ref``;
* the parameter keys OpenRouter's parameter guide documents for chat completions
  (some are accepted by the API but missing from the spec's ``ChatRequest``).

Prose and examples (``description``, ``example``, ``title``, ``x-*`` extensions)
are dropped; every validation keyword is kept as published.

Usage (from the repository root, with the reference material checked out beside it)::

    python tests/data/extract_request_schemas.py [SPEC.yaml] [PARAMETERS.mdx]

Defaults: ``../shared/reference/openapi.yaml`` and
``../shared/reference/docs/api_reference__parameters.mdx``.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
DEFAULT_SPEC = ROOT.parent / "shared" / "reference" / "openapi.yaml"
DEFAULT_PARAMS_DOC = ROOT.parent / "shared" / "reference" / "docs" / "api_reference__parameters.mdx"
OUTPUT = HERE / "request_schemas.json"

#: (method, path) pairs whose request bodies the tests send.
ENDPOINTS: tuple[tuple[str, str], ...] = (
    ("post", "/chat/completions"),
    ("post", "/embeddings"),
    ("post", "/messages"),
    ("post", "/images"),
    ("post", "/audio/speech"),
    ("post", "/audio/transcriptions"),
    ("post", "/credits/coinbase"),
    ("post", "/rerank"),
    ("post", "/responses"),
)

# Keywords whose value is one subschema / a name->subschema map / a list of subschemas.
_ONE = {
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "contentSchema",
}
_MAP = {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
_LIST = {"allOf", "anyOf", "oneOf", "prefixItems"}
_PROSE = {"description", "example", "examples", "title", "externalDocs"}
_REF_PREFIX = "#/components/schemas/"


def _clean(schema: Any, refs: set[str]) -> Any:
    """Copy ``schema`` without prose, collecting the component names it references."""
    if not isinstance(schema, dict):
        return schema
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key in _PROSE or key.startswith("x-"):
            continue
        if key == "$ref" and isinstance(value, str):
            if not value.startswith(_REF_PREFIX):
                raise SystemExit(f"unsupported $ref {value!r}")
            refs.add(value[len(_REF_PREFIX) :])
            out[key] = value
        elif key in _ONE:
            out[key] = _clean(value, refs)
        elif key in _MAP and isinstance(value, dict):
            out[key] = {name: _clean(sub, refs) for name, sub in value.items()}
        elif key in _LIST and isinstance(value, list):
            out[key] = [_clean(sub, refs) for sub in value]
        else:
            out[key] = value
    return out


def _request_bodies(spec: dict[str, Any], refs: set[str]) -> dict[str, Any]:
    endpoints: dict[str, Any] = {}
    for method, path in ENDPOINTS:
        operation = spec["paths"][path][method]
        content = operation.get("requestBody", {}).get("content", {})
        entry: dict[str, Any] = {
            "deprecated": bool(operation.get("deprecated", False)),
            "content": {
                ctype: _clean(media.get("schema", {}), refs) for ctype, media in content.items()
            },
        }
        endpoints[f"{method.upper()} {path}"] = entry
    return endpoints


def _components(spec: dict[str, Any], roots: set[str]) -> dict[str, Any]:
    available = spec["components"]["schemas"]
    done: dict[str, Any] = {}
    pending = sorted(roots)
    while pending:
        name = pending.pop()
        if name in done:
            continue
        found: set[str] = set()
        done[name] = _clean(available[name], found)
        pending.extend(sorted(found - done.keys()))
    return {name: done[name] for name in sorted(done)}


def _documented_chat_keys(doc: Path) -> list[str]:
    if not doc.is_file():
        return []
    return sorted(set(re.findall(r"^\* Key: `?([a-z_]+)`?", doc.read_text(), flags=re.MULTILINE)))


def build(spec_path: Path, params_doc: Path) -> dict[str, Any]:
    raw = spec_path.read_bytes()
    spec = yaml.safe_load(raw)
    refs: set[str] = set()
    endpoints = _request_bodies(spec, refs)
    components = _components(spec, refs)
    chat_props = set(components["ChatRequest"].get("properties", {}))
    extra = [key for key in _documented_chat_keys(params_doc) if key not in chat_props]
    return {
        "generated_by": "tests/data/extract_request_schemas.py (do not edit by hand)",
        "source": {
            "title": spec["info"]["title"],
            "version": spec["info"]["version"],
            "license": spec["info"].get("license", {}).get("name"),
            "openapi": spec["openapi"],
            "sha256": hashlib.sha256(raw).hexdigest(),
        },
        "documented_extra_fields": {"POST /chat/completions": extra},
        "endpoints": endpoints,
        "components": {"schemas": components},
    }


def main(argv: list[str]) -> int:
    spec_path = Path(argv[1]) if len(argv) > 1 else DEFAULT_SPEC
    params_doc = Path(argv[2]) if len(argv) > 2 else DEFAULT_PARAMS_DOC
    data = build(spec_path, params_doc)
    try:
        from jsonschema import Draft202012Validator
    except ImportError:
        pass
    else:  # every extracted schema must itself be valid JSON Schema
        for entry in data["endpoints"].values():
            for schema in entry["content"].values():
                Draft202012Validator.check_schema({**schema, "components": data["components"]})
    OUTPUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    print(f"wrote {OUTPUT} ({len(data['components']['schemas'])} component schemas)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
