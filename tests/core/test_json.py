"""The JSON helpers: orjson when installed, the standard library where orjson is stricter."""

from __future__ import annotations

import importlib
import json
import sys

import pytest

from openrouter_core import _json


def test_loads_round_trips_bytes_and_text() -> None:
    body = {"id": "gen-1", "choices": [{"delta": {"content": "héllo ✓"}}], "n": 1.5}
    encoded = _json.dumps(body)
    assert isinstance(encoded, bytes)
    assert _json.loads(encoded) == body
    assert _json.loads(encoded.decode()) == body


def test_dumps_matches_the_compact_standard_library_form() -> None:
    body = {"model": "openai/gpt-4o", "messages": [{"role": "user", "content": "ça va? 😀"}]}
    assert _json.dumps(body) == json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"x": NaN}', "nan"),
        ('{"x": -Infinity}', "-inf"),
    ],
)
def test_loads_accepts_what_the_standard_library_accepts(text: str, expected: str) -> None:
    assert str(_json.loads(text)["x"]) == expected


def test_integers_beyond_64_bits_decode_without_error() -> None:
    # orjson reads them as floats (the standard library keeps them exact); nothing in
    # OpenRouter's API comes near 2**64, so the difference is documented, not hidden.
    value = _json.loads('{"x": 123456789012345678901234567890}')["x"]
    assert value == pytest.approx(123456789012345678901234567890)


def test_dumps_accepts_what_the_standard_library_accepts() -> None:
    assert _json.loads(_json.dumps({1: "int key", "big": 2**70})) == {"1": "int key", "big": 2**70}


def test_invalid_json_still_raises_value_error() -> None:
    with pytest.raises(ValueError):
        _json.loads(b'{"truncated": ')


def test_without_orjson_the_standard_library_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "orjson", None)  # makes `import orjson` fail
    plain = importlib.reload(_json)
    try:
        assert plain.orjson is None
        assert plain.loads(b'{"a": [1, 2]}') == {"a": [1, 2]}
        assert plain.dumps({"a": "é"}) == '{"a":"é"}'.encode()
        with pytest.raises(ValueError):
            plain.loads("not json")
    finally:
        monkeypatch.undo()
        importlib.reload(_json)
