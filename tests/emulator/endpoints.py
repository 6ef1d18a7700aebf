"""Every route besides chat, ``/messages`` and ``/responses`` (shapes from the OpenAPI
spec): the catalog listings, the account, generation look-ups, embeddings, rerank,
images and audio."""

from __future__ import annotations

import base64
import re
from typing import TYPE_CHECKING, Any

from .brain import text_of, tokens
from .catalog import digest, price, provider_for
from .faults import Fault, dumps, error_payload
from .media import audio_seconds, embedding, mp3, png, transcribe
from .protocol import Response
from .synth import STOPWORDS

if TYPE_CHECKING:
    from .protocol import Request
    from .server import Emulator

#: Tokens an image counts for in an embedding input.
_IMAGE_TOKENS = 85
_WORD = re.compile(r"[a-z0-9]+")


def _json(payload: Any, status: int = 200, gen_id: str | None = None) -> Response:
    headers = [("X-Generation-Id", gen_id)] if gen_id else []
    return Response(status, dumps(payload), headers=headers)


def _error(code: int, message: str) -> Response:
    return _json(error_payload(code, message), code)


def _body(req: Request) -> dict[str, Any]:
    return req.json if isinstance(req.json, dict) else {}


def _inputs_of(model: dict[str, Any]) -> list[str]:
    return list((model.get("architecture") or {}).get("input_modalities") or ["text"])


# -- catalog -------------------------------------------------------------------------------
def list_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return Response(200, emu.catalog.models_json(req.query))


def count_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    count = len(emu.catalog.filter_models(req.query))
    return _json({"data": {"count": count}})


def user_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": emu.catalog.models})


def model_endpoints(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    model_id = req.path.split("/models/", 1)[1].rsplit("/endpoints", 1)[0]
    data = emu.catalog.model_endpoints(model_id)
    return _json({"data": data}) if data else _error(404, f"No endpoints found for {model_id}")


def embedding_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": emu.catalog.embedding_models})


def providers(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": emu.catalog.providers()})


def zdr_endpoints(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": emu.catalog.zdr_endpoints()})


# -- account -------------------------------------------------------------------------------
def credits(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": {"total_credits": 100.0, "total_usage": round(emu.total_usage, 8)}})


def key(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    used = round(emu.total_usage, 8)
    data = {
        "label": "sk-or-v1-0e6...a1f",
        "limit": 100.0,
        "limit_remaining": round(100.0 - used, 8),
        "limit_reset": "monthly",
        "include_byok_in_limit": False,
        **dict.fromkeys(("usage", "usage_daily", "usage_weekly", "usage_monthly"), used),
        **dict.fromkeys(("byok_usage", "byok_usage_daily", "byok_usage_weekly"), 0),
        "byok_usage_monthly": 0,
        "is_free_tier": False,
        "is_management_key": False,
        "is_provisioning_key": False,
        "expires_at": None,
        "creator_user_id": "user_2emulator0000000000000000",
        "rate_limit": {
            "requests": 1000,
            "interval": "10s",
            "note": "This field is deprecated and safe to ignore.",
        },
    }
    return _json({"data": data})


def generation(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    gen_id = req.query.get("id", "")
    data = emu.generations.get(gen_id)
    if callable(data):
        data = emu.generations[gen_id] = data()
    return _json({"data": data}) if data else _error(404, f"Generation {gen_id} not found")


def coinbase(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _error(
        410,
        "The Coinbase APIs used by this endpoint have been deprecated, so the Coinbase Commerce "
        "credits API has been removed. Use the web credits purchase flow instead.",
    )


# -- embeddings and rerank -----------------------------------------------------------------
def _image_words(url: str) -> str:
    """What an image "shows": the words of its file name (``.../eiffel-tower.png``); an
    inline image gets a word of its own, so the same image always embeds alike."""
    if url.startswith("data:"):
        return f"inline{digest(url) % 100000}"
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return " ".join(_WORD.findall(name.lower()))


def _embedding_input(item: Any) -> tuple[str, int, int]:
    """``(text to embed, its tokens, images)`` of one input."""
    if isinstance(item, str):
        return item, tokens(item), 0
    content = item.get("content", item.get("text")) if isinstance(item, dict) else item
    text = text_of(content)
    parts = content if isinstance(content, list) else []
    images = [
        _image_words(str((part.get("image_url") or {}).get("url") or ""))
        for part in parts
        if isinstance(part, dict) and part.get("type") == "image_url"
    ]
    return " ".join([text, *images]).strip(), tokens(text), len(images)


def embeddings(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = _body(req)
    model_id = str(body.get("model"))
    model = emu.catalog.embedding_by_id.get(model_id)
    if model is None:
        return _error(400, f"{model_id} is not a valid embedding model ID")
    raw = body.get("input")
    inputs = [_embedding_input(item) for item in (raw if isinstance(raw, list) else [raw])]
    if any(images for _, _, images in inputs) and "image" not in _inputs_of(model):
        return _error(400, f"{model_id} does not support image input")
    dims = body.get("dimensions") or emu.embedding_dims
    data = [
        {"object": "embedding", "embedding": embedding(text, dims), "index": i}
        for i, (text, _, _) in enumerate(inputs)
    ]
    count = sum(n + _IMAGE_TOKENS * images for _, n, images in inputs)
    cost = round(count * price(model, "prompt"), 12)
    gen_id = emu.new_generation_id(emu.clock())
    emu.record_generation(gen_id, cost)
    payload = {
        "id": gen_id,
        "object": "list",
        "data": data,
        "model": model_id,
        "provider": provider_for(model_id),
        "usage": {"prompt_tokens": count, "total_tokens": count, "cost": cost},
    }
    return _json(payload, gen_id=gen_id)


def rerank(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    """Documents scored by the share of the query's words they (or an image's file
    name) contain, best first, ``top_n`` of them."""
    body = _body(req)
    model_id = str(body.get("model"))
    model = emu.catalog.rerank_by_id.get(model_id)
    if model is None:
        kind = "rerank model" if emu.catalog.resolve(model_id) else "valid model ID"
        return _error(400, f"{model_id} is not a {kind}")
    query, documents = str(body.get("query") or ""), list(body.get("documents") or [])
    words = set(_WORD.findall(query.lower()))
    wanted = {w for w in words if w not in STOPWORDS} or words
    results: list[dict[str, Any]] = []
    texts: list[str] = []
    for index, doc in enumerate(documents):
        if isinstance(doc, str):
            text, echo = doc, {"text": doc}
        else:
            image = str(doc.get("image") or "")
            text = " ".join([str(doc.get("text") or ""), _image_words(image) if image else ""])
            echo = {k: str(doc[k]) for k in ("text", "image") if k in doc}
        found = len(wanted & set(_WORD.findall(text.lower())))
        share = found / len(wanted) if wanted else 0.0
        score = round(0.02 + 0.95 * share + (digest(query, text) % 1000) / 1e6, 6)
        results.append({"index": index, "relevance_score": score, "document": echo})
        texts.append(text)
    results.sort(key=lambda r: (-r["relevance_score"], r["index"]))
    units = (len(documents) + 99) // 100
    count = tokens(query) * len(documents) + sum(tokens(t) for t in texts if t)
    cost = round(units * price(model, "request") + count * price(model, "prompt"), 12)
    gen_id = "gen-rerank-" + emu.new_generation_id(emu.clock())[4:]
    emu.record_generation(gen_id, cost)
    payload = {
        "id": gen_id,
        "model": model_id,
        "provider": emu.catalog.rerank_providers[model_id],
        "results": results[: body.get("top_n") or len(results)],
        "usage": {"search_units": units, "total_tokens": count, "cost": cost},
    }
    return _json(payload, gen_id=gen_id)


# -- images and audio ----------------------------------------------------------------------
def images(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = _body(req)
    found = emu.catalog.resolve(body.get("model"))
    if found is None:
        return _error(400, f"{body.get('model')} is not a valid model ID")
    _, model = found
    prompt = str(body.get("prompt") or "")
    data = [
        {"b64_json": base64.b64encode(png(f"{prompt}|{i}", 16)).decode()}
        for i in range(min(int(body.get("n") or 1), 10))
    ]
    prompt_tokens, image_tokens = tokens(prompt), 1290 * len(data)
    cost = prompt_tokens * price(model, "prompt") + image_tokens * price(model, "completion")
    cost = round(cost, 12)
    now = emu.clock()
    gen_id = emu.new_generation_id(now)
    emu.record_generation(gen_id, cost)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": image_tokens,
        "total_tokens": prompt_tokens + image_tokens,
        "cost": cost,
    }
    return _json({"created": int(now), "data": data, "usage": usage}, gen_id=gen_id)


def speech(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    """MP3 audio that carries its text, so transcribing it gives the text back."""
    text = str(_body(req).get("input") or "")
    gen_id = emu.new_generation_id(emu.clock())
    emu.record_generation(gen_id, round(len(text) * 0.000015, 8))
    return Response(200, mp3(text), "audio/mpeg", headers=[("X-Generation-Id", gen_id)])


def transcription(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    source = _body(req).get("input_audio") or {}
    audio = base64.b64decode(str(source.get("data") or ""))
    text = transcribe(audio)
    seconds = audio_seconds(audio)
    in_tokens, out_tokens = max(1, int(seconds * 10)), tokens(text)
    cost = round(seconds * 0.0001, 8)
    gen_id = emu.new_generation_id(emu.clock())
    emu.record_generation(gen_id, cost)
    usage = {
        "seconds": seconds,
        "input_tokens": in_tokens,
        "output_tokens": out_tokens,
        "total_tokens": in_tokens + out_tokens,
        "cost": cost,
    }
    return _json({"text": text, "usage": usage}, gen_id=gen_id)
