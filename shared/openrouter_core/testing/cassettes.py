"""vcrpy cassettes for OpenRouter traffic: record once against the real API, replay offline.

Works with anything that sends its requests through ``httpx`` (this package, the
``openai`` SDK, LangChain and LlamaIndex integrations built on them), and with
``requests``/``aiohttp`` too, since vcrpy patches those as well.

Outside pytest (in pytest, use the plugin's ``openrouter_cassette`` fixture)::

    from openrouter_core.testing.cassettes import use_cassette

    with use_cassette("my_chain/answers_question", cassette_dir="tests/cassettes"):
        result = chain.invoke({"question": "What is 2 + 2?"})

Record with ``OPENROUTER_RECORD_MODE=once OPENROUTER_API_KEY=... python ...``. Replay
(mode ``none``, the default) needs no key and no network; a request missing from the
cassette raises :class:`CassetteMissError`, which says how to record it. Cassettes:

* JSON bodies are stored as YAML under ``parsed_body``, streamed (SSE) bodies as a
  literal block under ``body: string:``, binary bodies (audio, images) as ``!!binary``.
  Compressed responses are stored decoded.
* Secrets never reach the file: ``Authorization``, cookies and every header outside a
  short allow-list are dropped, and anything key-shaped (``sk-or-v1-...``,
  ``sk-...``, ``Bearer ...``, the value of ``$OPENROUTER_API_KEY``) is replaced in
  URLs, headers and bodies (see :func:`scrub_text`).
* Requests match on method, path, query and body; JSON bodies compare as parsed JSON
  (key order and whitespace do not matter), multipart bodies ignore the random
  boundary.
* Requests to a local emulator named by ``$OPENROUTER_CASSETTE_REWRITE_FROM`` are
  stored as ``https://openrouter.ai/api/v1/...``, like live recordings.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

try:
    import vcr
    import yaml
    from vcr.cassette import Cassette, CassetteContextDecorator
    from vcr.errors import CannotOverwriteExistingCassetteException
    from vcr.filters import AVAILABLE_DECOMPRESSORS
    from vcr.util import read_body
except ImportError as exc:  # pragma: no cover - depends on the environment
    raise ImportError(
        "openrouter_core.testing.cassettes needs vcrpy and PyYAML: "
        'pip install "openrouter-integrations[test]" (or: pip install vcrpy pyyaml)'
    ) from exc

from . import json_differences, resolve_record_mode, rewrite_uri, scrub_bytes, scrub_text

__all__ = [
    "DEFAULT_MATCH_ON",
    "JSON_BODY_MATCHER",
    "KEEP_REQUEST_HEADERS",
    "KEEP_RESPONSE_HEADERS",
    "SERIALIZER_NAME",
    "CassetteMissError",
    "OpenRouterCassette",
    "filter_response",
    "json_body_matcher",
    "make_request_filter",
    "rewrite_uri",
    "scrub_bytes",
    "scrub_text",
    "serializer",
    "use_cassette",
    "vcr_config",
]

SERIALIZER_NAME = "openrouter-yaml"
JSON_BODY_MATCHER = "json_body"
DEFAULT_MATCH_ON: tuple[str, ...] = ("method", "path", "query", JSON_BODY_MATCHER)

#: Request headers written to cassettes (lower case); every other header is dropped.
KEEP_REQUEST_HEADERS = frozenset(
    {"accept", "content-type", "http-referer", "x-title", "anthropic-version", "anthropic-beta"}
)
#: Response headers written to cassettes (lower case); every other header is dropped.
KEEP_RESPONSE_HEADERS = frozenset({"content-type", "retry-after", "x-generation-id"})
#: Header name prefixes kept in both directions.
KEEP_HEADER_PREFIXES = ("x-openrouter-", "x-ratelimit-")

# Characters YAML normalises unless escaped: strings holding any of them are written
# double-quoted, the one style that escapes them.
_NOT_IN_BLOCK = frozenset("\r\x85\u2028\u2029\ufeff")
_BINARY_TYPES = ("audio/", "image/", "video/", "application/octet-stream", "application/pdf")

VcrRequest = Any  # vcr.request.Request (vcrpy ships no type information)
RequestHook = Callable[[Any], Any]


# --------------------------------------------------------------------------- scrubbing


def _scrub_body(body: Any) -> Any:
    if isinstance(body, bytes):
        return scrub_bytes(body)
    if isinstance(body, str):
        return scrub_text(body)
    return body


# --------------------------------------------------------------------------- headers


def _keep_header(name: str, keep: frozenset[str]) -> bool:
    lowered = name.lower()
    return lowered in keep or lowered.startswith(KEEP_HEADER_PREFIXES)


def _header(headers: Mapping[str, Any], name: str) -> str:
    """The first value of header ``name`` in a vcrpy header mapping (values may be lists)."""
    for key, value in headers.items():
        if key.lower() == name:
            first = value[0] if isinstance(value, list) and value else value
            return first if isinstance(first, str) else ""
    return ""


# --------------------------------------------------------------------------- filters


def make_request_filter(rewrite_from: str | None = None) -> RequestHook:
    """The ``before_record_request`` hook: rewrite the URI, drop headers, scrub secrets.

    vcrpy applies it to a copy of every request, both before recording and before
    matching, so recorded and live requests are compared in the same, clean form.
    """

    def _filter(request: VcrRequest) -> VcrRequest:
        request.uri = scrub_text(rewrite_uri(request.uri, rewrite_from))
        request.headers = {
            name: scrub_text(value) if isinstance(value, str) else value
            for name, value in request.headers.items()
            if _keep_header(name, KEEP_REQUEST_HEADERS)
        }
        if isinstance(request.body, (bytes, str)):  # not file-like bodies (requests library)
            request.body = _scrub_body(request.body)
        return request

    return _filter


def _unzstd(body: bytes) -> bytes:
    import zstandard  # httpx only asks for zstd when this is installed

    return zstandard.ZstdDecompressor().decompressobj().decompress(body)


def _decode_content(body: bytes, encodings: list[str]) -> bytes | None:
    """Undo ``Content-Encoding`` (applied in order, so undone in reverse); None if unknown."""
    for encoding in reversed(encodings):
        if encoding == "identity":
            continue
        decompress = _unzstd if encoding == "zstd" else AVAILABLE_DECOMPRESSORS.get(encoding)
        if decompress is None:
            return None
        body = decompress(body)
    return body


def filter_response(response: dict[str, Any]) -> dict[str, Any]:
    """The ``before_record_response`` hook: decode the body, drop headers, scrub secrets."""
    headers: dict[str, list[str]] = dict(response.get("headers") or {})
    body = response.get("body", {}).get("string")
    encoding = _header(headers, "content-encoding")
    if encoding and isinstance(body, bytes):
        codes = [code.strip().lower() for code in encoding.split(",") if code.strip()]
        decoded = _decode_content(body, codes)
        if decoded is not None:
            body = decoded
            headers = {k: v for k, v in headers.items() if k.lower() != "content-encoding"}
    kept = {
        name: [scrub_text(str(value)) for value in values]
        for name, values in headers.items()
        if _keep_header(name, KEEP_RESPONSE_HEADERS) or name.lower() == "content-encoding"
    }
    return {**response, "headers": kept, "body": {"string": _scrub_body(body)}}


# --------------------------------------------------------------------------- matching


def _body_bytes(request: VcrRequest) -> bytes:
    body = read_body(request)
    if body is None:
        return b""
    return body.encode("utf-8") if isinstance(body, str) else bytes(body)


_NOT_JSON = object()


def _parse_json(data: bytes | str, content_type: str) -> Any:
    stripped = data.strip()
    if not stripped:
        return _NOT_JSON
    looks_json = stripped[:1] in ("{", "[", b"{", b"[")
    if "json" not in content_type.lower() and not looks_json:
        return _NOT_JSON
    try:
        return json.loads(data)
    except ValueError:
        return _NOT_JSON


def _comparable(request: VcrRequest) -> tuple[str, Any]:
    data = _body_bytes(request)
    content_type = _header(request.headers, "content-type")
    parsed = _parse_json(data, content_type)
    if parsed is not _NOT_JSON:
        return "json", parsed
    boundary = re.search(r"boundary=\"?([^\";]+)", content_type)
    if boundary and content_type.lower().startswith("multipart/"):
        data = data.replace(boundary.group(1).encode("latin-1"), b"<boundary>")
    return "bytes", data


def json_body_matcher(r1: VcrRequest, r2: VcrRequest) -> None:
    """vcrpy matcher ``json_body``: bodies equal as parsed JSON, else byte for byte.

    JSON compares by value, so key order and whitespace do not matter, while
    ``true``/``1`` and ``"1"``/``1`` still differ. Multipart bodies are compared
    with their (random) boundary masked. Raises AssertionError naming the differences.
    """
    kind1, body1 = _comparable(r1)
    kind2, body2 = _comparable(r2)
    if kind1 == kind2 == "json":
        differences = json_differences(body1, body2)
        if differences:
            raise AssertionError("JSON bodies differ: " + "; ".join(differences))
        return
    if (kind1, body1) != (kind2, body2):
        raise AssertionError(f"bodies differ ({kind1} sent, {kind2} recorded)")


# --------------------------------------------------------------------------- serializer


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line strings (SSE streams) as readable literal blocks."""


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = None
    if _NOT_IN_BLOCK.intersection(data):
        style = '"'  # the only style that escapes them all
    elif "\n" in data:
        style = "|"
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)
_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _json_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _stored_body(body: Any, content_type: str) -> tuple[str, Any]:
    """How a body is written: ``("parsed_body", data)`` for JSON, else ``("body", raw)``."""
    lowered = content_type.lower()
    if isinstance(body, (str, bytes)) and ("json" in lowered or not lowered):
        parsed = _parse_json(body, content_type)
        if parsed is not _NOT_JSON:
            return "parsed_body", parsed
    if isinstance(body, str) and lowered.startswith(_BINARY_TYPES):
        body = body.encode("utf-8")  # vcrpy decoded it as text; store the bytes as !!binary
    return "body", body


def _encode_request(request: dict[str, Any]) -> dict[str, Any]:
    headers = request.get("headers") or {}
    body: Any = request.get("body")
    body = body.read() if hasattr(body, "read") else body
    key, body = _stored_body(body, _header(headers, "content-type"))
    return {"method": request["method"], "uri": request["uri"], "headers": headers, key: body}


def _encode_response(response: dict[str, Any]) -> dict[str, Any]:
    headers = response.get("headers") or {}
    key, body = _stored_body(
        (response.get("body") or {}).get("string"), _header(headers, "content-type")
    )
    stored = body if key == "parsed_body" else {"string": body}
    return {"status": response["status"], "headers": headers, key: stored}


def _decode_request(request: dict[str, Any]) -> dict[str, Any]:
    body = _json_text(request["parsed_body"]) if "parsed_body" in request else request.get("body")
    headers = request.get("headers") or {}
    return {"method": request["method"], "uri": request["uri"], "body": body, "headers": headers}


def _decode_response(response: dict[str, Any]) -> dict[str, Any]:
    string: str | bytes | None = (response.get("body") or {}).get("string")
    if "parsed_body" in response:
        string = _json_text(response["parsed_body"])
    headers = dict(response.get("headers") or {})
    if string is not None:
        size = len(string.encode("utf-8") if isinstance(string, str) else string)
        for name in headers:
            if name.lower() == "content-length":
                headers[name] = [str(size)]
    return {"status": response["status"], "headers": headers, "body": {"string": string}}


class OpenRouterYamlSerializer:
    """vcrpy serializer ``openrouter-yaml`` (see the module docstring for the format).

    Loading turns ``parsed_body`` back into compact JSON text, so clients receive the
    same JSON values (key order included) as recorded. The YAML text is scrubbed once
    more (:func:`scrub_text`) before it is written.
    """

    @staticmethod
    def serialize(cassette_dict: dict[str, Any]) -> str:
        data = {
            "interactions": [
                {
                    "request": _encode_request(item["request"]),
                    "response": _encode_response(item["response"]),
                }
                for item in cassette_dict.get("interactions", [])
            ],
            "version": cassette_dict.get("version", 1),
        }
        text = yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=120)
        return scrub_text(text)

    @staticmethod
    def deserialize(cassette_string: str) -> dict[str, Any]:
        data: dict[str, Any] = yaml.load(cassette_string, Loader=_LOADER) or {}
        data["interactions"] = [
            {
                "request": _decode_request(item["request"]),
                "response": _decode_response(item["response"]),
            }
            for item in data.get("interactions") or []
        ]
        return data


serializer = OpenRouterYamlSerializer()


# --------------------------------------------------------------------------- cassettes


def _mode_name(mode: Any) -> str:
    return str(getattr(mode, "value", mode))


class CassetteMissError(CannotOverwriteExistingCassetteException):  # type: ignore[misc]
    """A request that is not in the cassette, in a mode that may not record it.

    Subclasses vcrpy's own error, so existing ``except`` clauses keep working; the
    message names the cassette and the command that records the missing request.
    """

    @staticmethod
    def _get_message(cassette: Any, failed_request: Any) -> str:
        details = CannotOverwriteExistingCassetteException._get_message(cassette, failed_request)
        path = Path(str(cassette._path))
        mode = _mode_name(cassette.record_mode)
        template = getattr(cassette, "record_command", "") or (
            "OPENROUTER_RECORD_MODE={mode} <the command that ran this code>"
        )
        if path.is_file():
            state = f"it holds {len(cassette)} recorded interaction(s)"
            todo = (
                f"    OPENROUTER_API_KEY=... {template.format(mode='new_episodes')}\n"
                f"or re-record the whole cassette with\n"
                f"    OPENROUTER_API_KEY=... {template.format(mode='all')}"
            )
        else:
            state = "the cassette file does not exist yet"
            todo = f"    OPENROUTER_API_KEY=... {template.format(mode='once')}"
        message = (
            f"{failed_request.method} {failed_request.uri} is not recorded in cassette "
            f"{str(path)!r} ({state}; record mode {mode!r}, so nothing is sent to the network).\n"
            f"To record it against the live API, run\n{todo}\n\n"
            f"vcrpy's comparison with the recorded requests:\n{details}"
        )
        return scrub_text(message)


class OpenRouterCassette(Cassette):  # type: ignore[misc]
    """vcrpy's Cassette, raising :class:`CassetteMissError` on a miss.

    ``misses`` keeps the message of every miss, so a test harness can fail a test
    whose code swallowed the error. ``record_command`` is a template (``{mode}`` is
    replaced) for the command line the error message suggests.
    """

    def __init__(self, *args: Any, record_command: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.record_command = record_command
        self.misses: list[str] = []

    @property
    def path(self) -> Path:
        """Where the cassette is (or will be) stored."""
        return Path(str(self._path))

    def filter_request(self, request: VcrRequest) -> VcrRequest:
        # vcrpy's transports call this only when no recorded response matched and the
        # record mode forbids recording; anything not ignored is then a miss.
        filtered = super().filter_request(request)
        if filtered is not None and self.write_protected:
            error = CassetteMissError(cassette=self, failed_request=filtered)
            self.misses.append(str(error))
            raise error
        return filtered


def _hooks(extra: RequestHook | Sequence[RequestHook]) -> list[RequestHook]:
    return [extra] if callable(extra) else list(extra)


def vcr_config(
    cassette_dir: str | Path,
    record_mode: str | None = None,
    *,
    rewrite_from: str | None = None,
    before_record_request: RequestHook | Sequence[RequestHook] = (),
    match_on: Sequence[str] = DEFAULT_MATCH_ON,
    ignore_hosts: Sequence[str] = (),
) -> vcr.VCR:
    """A ``vcr.VCR`` configured for OpenRouter cassettes under ``cassette_dir``.

    ``record_mode`` defaults to ``$OPENROUTER_RECORD_MODE``, else ``none``.
    ``rewrite_from`` defaults to ``$OPENROUTER_CASSETTE_REWRITE_FROM`` (read per
    request). ``before_record_request`` hooks run after the built-in filter, so they
    see the rewritten, scrubbed request; vcrpy calls them before matching too.
    Requests to ``ignore_hosts`` bypass the cassette (and go to the network).
    Cassette names get a ``.yaml`` suffix unless they already end with one. In
    record mode ``all`` a cassette is rewritten with only this run's interactions.
    """
    mode = resolve_record_mode(record_mode)
    configured = vcr.VCR(
        cassette_library_dir=str(cassette_dir),
        record_mode=mode,
        # Re-recording a whole cassette keeps only what this run sent (vcrpy would
        # otherwise keep old interactions the run did not repeat).
        drop_unused_requests=mode == "all",
        serializer=SERIALIZER_NAME,
        match_on=tuple(match_on),
        before_record_request=[make_request_filter(rewrite_from), *_hooks(before_record_request)],
        before_record_response=filter_response,
        path_transformer=vcr.VCR.ensure_suffix(".yaml"),
        ignore_hosts=tuple(ignore_hosts),
    )
    configured.register_serializer(SERIALIZER_NAME, serializer)
    configured.register_matcher(JSON_BODY_MATCHER, json_body_matcher)
    return configured


@contextmanager
def use_cassette(
    name: str | Path,
    *,
    cassette_dir: str | Path = "cassettes",
    record_mode: str | None = None,
    rewrite_from: str | None = None,
    before_record_request: RequestHook | Sequence[RequestHook] = (),
    ignore_hosts: Sequence[str] = (),
    allow_playback_repeats: bool = False,
    record_command: str = "",
) -> Iterator[OpenRouterCassette]:
    """Record or replay the HTTP traffic inside the ``with`` block.

    ``name`` is relative to ``cassette_dir`` (itself relative to the working directory):
    ``"chat/basic"`` is stored as ``<cassette_dir>/chat/basic.yaml``. Yields the
    :class:`OpenRouterCassette`, e.g. to assert ``cassette.all_played`` at the end.
    ``allow_playback_repeats`` lets one recorded interaction answer identical requests.
    The other arguments are those of :func:`vcr_config`; ``record_command`` is the
    command template :class:`CassetteMissError` shows (``{mode}`` becomes the mode).
    """
    configured = vcr_config(
        cassette_dir,
        record_mode,
        rewrite_from=rewrite_from,
        before_record_request=before_record_request,
        ignore_hosts=ignore_hosts,
    )
    config = configured.get_merged_config(
        path=str(name), allow_playback_repeats=allow_playback_repeats
    )
    context = CassetteContextDecorator.from_args(
        OpenRouterCassette, record_command=record_command, **config
    )
    with context as cassette:
        yield cassette
