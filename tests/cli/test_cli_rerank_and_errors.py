"""``orctl rerank``, a misspelt ``--supports`` and the generation id of ``orctl chat``
(against an in-process fake: no cassette needed for these)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from openrouter_core.cli import main

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://cli.test/api/v1"


class Fake:
    def __init__(self) -> None:
        self.bodies: list[dict[str, Any]] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        request.read()
        path = request.url.path
        if path.endswith("/models") and request.url.params.get("output_modalities") == "rerank":
            return httpx.Response(200, json={"data": [{"id": "cohere/rerank-v3.5"}]})
        if path.endswith("/models"):
            return httpx.Response(200, content=(ROOT / "tests/data/models.json").read_bytes())
        body = json.loads(request.content)
        self.bodies.append(body)
        if path.endswith("/rerank"):
            words = set(body["query"].lower().split())
            scored = [
                {"index": i, "relevance_score": len(words & set(d.lower().split())) / 5}
                for i, d in enumerate(body["documents"])
            ]
            scored.sort(key=lambda r: -r["relevance_score"])
            return httpx.Response(
                200,
                json={
                    "model": body["model"],
                    "results": scored[: body.get("top_n")],
                    "usage": {"cost": 0.0002},
                },
            )
        events = [
            {
                "id": "gen-cli-1",
                "model": body["model"],
                "choices": [{"index": 0, "delta": {"content": "Tokyo"}}],
            },
            {"id": "gen-cli-1", "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]},
        ]
        text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
        return httpx.Response(
            200, content=text.encode(), headers={"content-type": "text/event-stream"}
        )


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Fake]:
    server = Fake()
    monkeypatch.setattr(httpx.HTTPTransport, "handle_request", lambda _self, r: server(r))
    monkeypatch.setenv("OPENROUTER_API_KEY", "k")
    monkeypatch.setenv("OPENROUTER_CATALOG_CACHE_DIR", str(tmp_path / "cache"))
    yield server


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--base-url", BASE, *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_rerank_ranks_the_lines_of_a_file(
    fake: Fake, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("bananas are yellow\n\nthe capital of japan is tokyo\ntokyo has trains\n")
    code, out, err = run(capsys, "rerank", str(notes), "-q", "capital of japan", "--top", "2")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["rank", "score", "line"]
    assert lines[2].endswith("the capital of japan is tokyo") and len(lines) == 4  # the top 2
    assert "cost $0.0002" in err
    assert fake.bodies[-1]["documents"] == [
        "bananas are yellow",
        "the capital of japan is tokyo",
        "tokyo has trains",
    ]
    code, out, _ = run(capsys, "rerank", str(notes), "-q", "trains", "--json")
    assert json.loads(out)[0]["text"] == "tokyo has trains"


def test_a_misspelt_capability_exits_non_zero_naming_valid_ones(
    fake: Fake, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "models", "--supports", "tool")
    assert code == 2 and out == ""
    assert "--supports tool" in err and "tools" in err and "structured_outputs" in err


def test_chat_prints_the_generation_id(fake: Fake, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "chat", "Capital of Japan?")
    assert code == 0 and out.strip() == "Tokyo"
    assert "generation gen-cli-1" in err
