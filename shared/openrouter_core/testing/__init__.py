"""Test helpers for code that talks to OpenRouter: record real traffic once, replay it offline.

Two modules (both need the test extra, ``pip install "openrouter-integrations[test]"``,
which brings ``vcrpy`` and ``PyYAML``):

* :mod:`openrouter_core.testing.cassettes`: a ready-made vcrpy configuration for
  OpenRouter traffic (readable YAML cassettes, secrets scrubbed before anything is
  written, JSON-aware request matching) and the :func:`~.cassettes.use_cassette`
  context manager for use outside pytest.
* :mod:`openrouter_core.testing.pytest_plugin`: a pytest plugin, loaded
  automatically once the package is installed, that adds the
  ``--openrouter-record-mode`` option, the ``openrouter_cassette`` marker and the
  ``openrouter_cassette`` / ``openrouter_api_key`` fixtures.

This package itself (constants, :func:`scrub_text`, :func:`rewrite_uri`,
:func:`json_differences`) needs only the standard library, so the plugin stays
harmless for installs without the test extra.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "FAKE_API_KEY",
    "LIVE_BASE_URL",
    "RECORD_MODES",
    "RECORD_MODE_ENV",
    "REWRITE_FROM_ENV",
    "json_differences",
    "resolve_record_mode",
    "rewrite_uri",
    "scrub_bytes",
    "scrub_text",
]

#: Where replayed requests go; recorded cassettes always name this base URL.
LIVE_BASE_URL = "https://openrouter.ai/api/v1"
#: Environment variable holding the record mode (``none`` when unset).
RECORD_MODE_ENV = "OPENROUTER_RECORD_MODE"
#: Environment variable holding a local base URL (an emulator) whose recorded requests
#: are stored as if they had gone to :data:`LIVE_BASE_URL`.
REWRITE_FROM_ENV = "OPENROUTER_CASSETTE_REWRITE_FROM"
#: The record modes this package supports (vcrpy's names).
#:
#: * ``none``: replay only; a request missing from the cassette is an error (default).
#: * ``once``: record when the cassette file does not exist yet, else replay only.
#: * ``new_episodes``: replay what is recorded, record (append) what is not.
#: * ``all``: send every request to the server and re-record the cassette.
RECORD_MODES = ("none", "once", "new_episodes", "all")
#: The API key tests use when replaying: obviously fake, so no secret scanner trips on it.
FAKE_API_KEY = "test-key-not-a-secret"


def resolve_record_mode(value: str | None = None) -> str:
    """Return ``value``, else ``$OPENROUTER_RECORD_MODE``, else ``"none"``, validated."""
    mode = (value if value is not None else os.environ.get(RECORD_MODE_ENV, "")).strip().lower()
    mode = mode or "none"
    if mode not in RECORD_MODES:
        raise ValueError(
            f"unknown OpenRouter record mode {mode!r}: expected one of {', '.join(RECORD_MODES)}"
        )
    return mode


_OPENROUTER_KEY = re.compile(
    r"sk-or-[A-Za-z0-9]+-[A-Za-z0-9_-]+(?:(?:\.\.\.|\u2026)[A-Za-z0-9_-]+)?"
)
_OTHER_KEY = re.compile(r"\bsk-[A-Za-z0-9_-]{20,}")
_BEARER = re.compile(r"\b([Bb]earer)\s+[A-Za-z0-9._~+/=-]{8,}")
_API_KEY_ENV = "OPENROUTER_API_KEY"


def scrub_text(text: str) -> str:
    """Replace everything key-shaped in ``text`` with a placeholder.

    Covers OpenRouter keys (``sk-or-v1-...``, also the elided ``sk-or-v1-abc...xyz``
    form the ``/key`` endpoint returns as ``label``), other ``sk-`` tokens of 20+
    characters, ``Bearer`` tokens, and the literal value of ``$OPENROUTER_API_KEY``.
    Placeholders never match again, so scrubbing twice changes nothing.
    """
    live_key = os.environ.get(_API_KEY_ENV, "")
    if len(live_key) >= 8 and live_key in text:
        text = text.replace(live_key, "<redacted-key>")
    text = _OPENROUTER_KEY.sub("<redacted-openrouter-key>", text)
    text = _OTHER_KEY.sub("<redacted-key>", text)
    return _BEARER.sub(r"\1 <redacted>", text)


def scrub_bytes(data: bytes) -> bytes:
    """:func:`scrub_text` for a body of unknown encoding (matched byte-wise, as latin-1)."""
    text = data.decode("latin-1")
    scrubbed = scrub_text(text)
    return data if scrubbed == text else scrubbed.encode("latin-1")


def rewrite_uri(uri: str, rewrite_from: str | None = None) -> str:
    """Map a URI under ``rewrite_from`` (e.g. an emulator's base URL) onto the live API.

    ``http://127.0.0.1:8080/api/v1/chat/completions`` becomes
    ``https://openrouter.ai/api/v1/chat/completions``; when ``rewrite_from`` has a path
    (``http://127.0.0.1:8080/v1``), that path prefix becomes ``/api/v1``. Several base
    URLs may be given, comma-separated; ``None`` reads ``$OPENROUTER_CASSETTE_REWRITE_FROM``.
    URIs elsewhere are returned unchanged.
    """
    sources = rewrite_from if rewrite_from is not None else os.environ.get(REWRITE_FROM_ENV, "")
    target = urlsplit(LIVE_BASE_URL)
    parts = urlsplit(uri)
    for source in filter(None, (s.strip() for s in sources.split(","))):
        base = urlsplit(source)
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc):
            continue
        path, prefix = parts.path, base.path.rstrip("/")
        if prefix and (path == prefix or path.startswith(prefix + "/")):
            path = target.path + path[len(prefix) :]
        return urlunsplit((target.scheme, target.netloc, path, parts.query, parts.fragment))
    return uri


def json_differences(sent: Any, recorded: Any, limit: int = 5) -> list[str]:
    """Where two JSON values differ, as ``$.path: ...`` lines (at most ``limit``).

    Key order does not matter; types do (``true`` is not ``1``, ``"1"`` is not ``1``),
    except that ``1`` equals ``1.0``.
    """
    out: list[str] = []
    _diff(sent, recorded, "$", out, limit)
    return out


def _diff(a: Any, b: Any, path: str, out: list[str], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(a, dict) and isinstance(b, dict):
        for key in [*a, *(k for k in b if k not in a)]:
            if key in a and key in b:
                _diff(a[key], b[key], f"{path}.{key}", out, limit)
            elif len(out) < limit:
                out.append(
                    f"{path}.{key}: only in the {'sent' if key in a else 'recorded'} request"
                )
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out.append(f"{path}: {len(a)} items sent, {len(b)} recorded")
        for index, (x, y) in enumerate(zip(a, b, strict=False)):
            _diff(x, y, f"{path}[{index}]", out, limit)
    elif not _same_kind(a, b) or a != b:
        out.append(f"{path}: sent {_short(a)}, recorded {_short(b)}")


def _same_kind(a: Any, b: Any) -> bool:
    def number(v: Any) -> bool:
        return isinstance(v, (int, float)) and not isinstance(v, bool)

    return type(a) is type(b) or (number(a) and number(b))


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "..."
