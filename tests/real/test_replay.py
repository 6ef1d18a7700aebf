"""The recordings themselves and the replay machinery: what is served is what was
recorded, no secret is stored, every file is accounted for in ``data/NOTICE.md``."""

from __future__ import annotations

import json
import re

import httpx
import pytest
import yaml

from tests.real.replay import (
    AI_SDK_DIR,
    CASSETTE_DIR,
    DATA_DIR,
    Replayer,
    UnexpectedRequest,
    ai_sdk_folders,
    cassette_names,
    load_ai_sdk_recording,
    load_cassette,
    sse_comment_count,
    sse_data,
)


def test_no_api_key_in_the_recordings() -> None:
    for path in DATA_DIR.rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert "sk-or-" not in text, path
            assert not re.search(r"Bearer\s+\S", text), path


def test_credentials_in_recorded_requests_are_redacted() -> None:
    for folder in ai_sdk_folders():
        headers = json.loads((AI_SDK_DIR / folder / "request.json").read_text())["headers"]
        for name in ("authorization", "cookie"):
            assert headers.get(name, "[REDACTED]") == "[REDACTED]", (folder, name)
    for name in cassette_names():
        data = yaml.safe_load((CASSETTE_DIR / f"{name}.yaml").read_text())
        for item in data["interactions"]:
            assert "authorization" not in {h.lower() for h in item["request"]["headers"]}


def test_notice_accounts_for_every_recording() -> None:
    notice = (DATA_DIR / "NOTICE.md").read_text()
    assert (AI_SDK_DIR / "LICENSE").read_text().startswith(" " * 30 + "Apache License")
    for name in cassette_names():
        assert f"{name}.yaml" in notice, name
    for folder in ai_sdk_folders():
        assert folder in notice, folder


@pytest.mark.parametrize("name", cassette_names())
def test_cassette_bodies_are_served_as_recorded(name: str) -> None:
    raw = yaml.safe_load((CASSETTE_DIR / f"{name}.yaml").read_text())["interactions"]
    interactions = load_cassette(name)
    assert len(interactions) == len(raw)
    replayer = Replayer(interactions)
    with replayer.client() as http:
        for recorded, interaction in zip(raw, interactions, strict=True):
            body = recorded["request"].get("parsed_body")
            reply = http.request(interaction.method, interaction.url, json=body)
            assert reply.status_code == recorded["response"]["status"]["code"]
            if "parsed_body" in recorded["response"]:
                assert reply.json() == recorded["response"]["parsed_body"]
            else:
                text = recorded["response"]["body"]["string"]
                assert reply.text == text
                assert sse_data(reply.text)[-1] == "[DONE]"
                assert sse_comment_count(reply.text) > 0  # ": OPENROUTER PROCESSING"
    assert replayer.all_served


def test_ai_sdk_json_body_is_served_byte_for_byte() -> None:
    (folder,) = ai_sdk_folders("/api/v1/embeddings")
    interaction = load_ai_sdk_recording(folder)
    with Replayer([interaction]).client() as http:
        reply = http.post(interaction.url, json=interaction.request_json)
    # Recorded as gzip-encoded but stored decoded: served without the encoding header.
    assert reply.content == (AI_SDK_DIR / folder / "response.json").read_bytes()
    assert "content-encoding" not in reply.headers


def test_unrecorded_request_fails_loudly() -> None:
    interaction = load_cassette("test_openrouter_tool_calling")[0]
    replayer = Replayer([interaction])
    with replayer.client() as http:
        with pytest.raises(UnexpectedRequest, match="GET /api/v1/models"):
            http.get("https://openrouter.ai/api/v1/models")
        http.post(interaction.url, json=interaction.request_json)
        with pytest.raises(UnexpectedRequest, match="1 of 1 already served"):
            http.post(interaction.url, json=interaction.request_json)


def test_stream_flag_mismatch_fails_loudly() -> None:
    interaction = load_cassette("test_openrouter_tool_calling")[0]
    with (
        Replayer([interaction]).client() as http,
        pytest.raises(UnexpectedRequest, match="stream"),
    ):
        http.post(interaction.url, json={**interaction.request_json, "stream": True})


def test_patch_httpx_reaches_clients_built_anywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    interaction = load_cassette("test_openrouter_tool_calling")[0]
    replayer = Replayer([interaction]).patch_httpx(monkeypatch)
    with httpx.Client() as http:
        reply = http.post(interaction.url, json=interaction.request_json)
    assert reply.json() == interaction.json()
    assert replayer.all_served
