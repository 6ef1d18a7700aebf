"""Configuration: env fallbacks, attribution headers, URL safety, secrets never shown."""

from __future__ import annotations

import pickle

import pytest

from openrouter_core import ConfigurationError, OpenRouterClient, SecretKey, Timeouts
from openrouter_core.settings import Settings, validate_base_url

SECRET = "sk-or-v1-" + "ab" * 32


def test_env_fallbacks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENROUTER_API_KEY", SECRET)
    monkeypatch.setenv("OPENROUTER_BASE_URL", "https://proxy.example.com/api/v1/")
    config = Settings.build()
    assert config.api_key is not None and config.api_key.reveal() == SECRET
    assert config.base_url == "https://proxy.example.com/api/v1"


def test_attribution_and_extra_headers() -> None:
    config = Settings.build(
        api_key="k",
        app_url="https://app.example",
        app_title="Demo",
        app_categories=["cli-agent", "programming-app"],
        headers={"X-Trace": "1"},
    )
    headers = config.request_headers()
    assert headers["HTTP-Referer"] == "https://app.example"
    assert headers["X-OpenRouter-Title"] == headers["X-Title"] == "Demo"
    assert headers["X-OpenRouter-Categories"] == "cli-agent,programming-app"
    assert headers["X-Trace"] == "1" and headers["Authorization"] == "Bearer k"


@pytest.mark.parametrize(
    ("url", "ok"),
    [
        ("https://openrouter.ai/api/v1", True),
        ("http://127.0.0.1:8080/api/v1", True),
        ("http://localhost:9/api", True),
        ("http://[::1]:9/api", True),
        ("http://example.com/api", False),
        ("ftp://example.com", False),
        ("not a url", False),
    ],
)
def test_base_url_safety(url: str, ok: bool) -> None:
    if ok:
        assert validate_base_url(url)
    else:
        with pytest.raises(ConfigurationError):
            validate_base_url(url)
    assert validate_base_url("http://example.com", allow_insecure_http=True)


def test_secret_never_printed_and_pickled_only_as_transport() -> None:
    key = SecretKey(SECRET)
    config = Settings.build(api_key=key)
    for text in (repr(key), str(key), repr(config), str(config)):
        assert SECRET not in text
    assert SECRET not in repr(pickle.loads(pickle.dumps(config)))
    # A pickle is process transport: the key travels with the object that holds it.
    assert pickle.loads(pickle.dumps(key)).reveal() == SECRET
    client = OpenRouterClient(api_key=SECRET)
    assert SECRET not in repr(client)
    with pytest.raises(TypeError):
        pickle.dumps(client)
    client.close()


def test_missing_key_is_a_clear_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    with pytest.raises(ConfigurationError, match="OPENROUTER_API_KEY"):
        Settings.build().require_key()


def test_timeouts_and_retries_validation() -> None:
    assert Timeouts.coerce(None) == Timeouts()
    assert Timeouts.coerce(5).read == 5 and Timeouts.coerce(5).connect == 5
    assert Timeouts.coerce(Timeouts(read=1)).read == 1
    with pytest.raises(ConfigurationError):
        Timeouts.coerce(0)
    with pytest.raises(ConfigurationError):
        Settings.build(max_retries=-1)
    assert SecretKey("a") == SecretKey("a") and hash(SecretKey("a")) == hash(SecretKey("a"))
    assert not SecretKey("")


def test_settings_hash_is_kept_once_and_never_pickled() -> None:
    """The pool hashes settings on every lookup, so the hash is computed once; a pickle
    leaves it out (string hashes differ between processes), and an unpickled copy finds
    the same pool entry as settings built afresh in another process."""
    import os
    import subprocess
    import sys

    built = Settings.build(api_key="k", base_url="https://gateway.example/api/v1")
    again = Settings.build(api_key="k", base_url="https://gateway.example/api/v1")
    assert built == again and hash(built) == hash(again)
    assert hash(built) == hash(built)
    copy = pickle.loads(pickle.dumps(built))
    assert "_hash" not in copy.__dict__ and copy == built and hash(copy) == hash(built)
    code = (
        "import pickle, sys\n"
        "from openrouter_core import Settings\n"
        "copy = pickle.loads(sys.stdin.buffer.read())\n"
        "fresh = Settings.build(api_key='k', base_url='https://gateway.example/api/v1')\n"
        "print({fresh: 'found'}.get(copy))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        input=pickle.dumps(built),
        capture_output=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert done.stdout.decode().strip() == "found"


def test_the_settings_lookup_reads_only_the_environment_it_needs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from openrouter_core import _pool

    monkeypatch.setenv("OPENROUTER_BASE_URL", "https://one.example/api/v1")
    given = {"api_key": "k", "base_url": "https://mine.example/api/v1", "app_url": "u"}
    first = _pool.shared_clients_for(**given).settings
    monkeypatch.setenv("OPENROUTER_BASE_URL", "https://two.example/api/v1")
    assert _pool.shared_clients_for(**given).settings is first  # env not read: same entry
    unset = {"api_key": "k"}
    one = _pool.shared_clients_for(**unset).settings
    monkeypatch.setenv("OPENROUTER_BASE_URL", "https://three.example/api/v1")
    other = _pool.shared_clients_for(**unset).settings
    assert one.base_url == "https://two.example/api/v1"
    assert other.base_url == "https://three.example/api/v1"  # the env it reads still counts
