"""Every route other than chat completions and messages (shapes from the OpenAPI spec)."""

from __future__ import annotations

import base64
import binascii
import re
from typing import TYPE_CHECKING, Any

from .brain import alnum, text_of, tokens
from .catalog import digest, price, provider_for
from .faults import Fault, dumps, error_payload
from .media import audio_seconds, embedding, embedding_b64, mp3, png, transcribe, wav
from .protocol import Request, Response
from .synth import STOPWORDS

if TYPE_CHECKING:
    from .server import Emulator

_TTS_MODELS = frozenset({"openai/gpt-4o-mini-tts", "openai/tts-1", "openai/tts-1-hd"})
_STT_MODELS = frozenset(
    {"openai/whisper-1", "openai/gpt-4o-transcribe", "openai/gpt-4o-mini-transcribe"}
)
_AUDIO_TYPES = {
    "mp3": "audio/mpeg",
    "wav": "audio/wav",
    "pcm": "audio/pcm",
    "opus": "audio/opus",
    "aac": "audio/aac",
    "flac": "audio/flac",
}


def _json(
    payload: Any, status: int = 200, headers: list[tuple[str, str]] | None = None
) -> Response:
    return Response(status, dumps(payload), headers=headers or [])


def _error(code: int, message: str) -> Response:
    return _json(error_payload(code, message), code)


def _body(req: Request) -> dict[str, Any]:
    return req.json if isinstance(req.json, dict) else {}


def _page(items: list[Any], query: dict[str, str]) -> list[Any]:
    if "offset" not in query and "limit" not in query:
        return items
    try:
        offset = max(0, int(query.get("offset") or 0))
        limit = min(1000, max(1, int(query.get("limit") or 500)))
    except ValueError:
        return items
    return items[offset : offset + limit]


# -- catalog -------------------------------------------------------------------------------
def list_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return Response(200, emu.catalog.models_json(req.query))


def count_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": {"count": emu.catalog.count(req.query.get("output_modalities"))}})


def user_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": _page(emu.catalog.models, req.query)})


def model_endpoints(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    model_id = req.path.split("/models/", 1)[1].rsplit("/endpoints", 1)[0]
    data = emu.catalog.model_endpoints(model_id)
    if data is None:
        return _error(404, f"No endpoints found for {model_id}")
    return _json({"data": data})


def embedding_models(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": _page(emu.catalog.embedding_models, req.query)})


def providers(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": emu.catalog.providers()})


def zdr_endpoints(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": emu.catalog.zdr_endpoints()})


# -- account -------------------------------------------------------------------------------
def credits(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _json({"data": {"total_credits": 100.0, "total_usage": round(emu.total_usage, 8)}})


def key(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    used = round(emu.total_usage, 8)
    return _json(
        {
            "data": {
                "label": "sk-or-v1-0e6...a1f",
                "limit": 100.0,
                "limit_remaining": round(100.0 - used, 8),
                "limit_reset": "monthly",
                "include_byok_in_limit": False,
                "usage": used,
                "usage_daily": used,
                "usage_weekly": used,
                "usage_monthly": used,
                "byok_usage": 0,
                "byok_usage_daily": 0,
                "byok_usage_weekly": 0,
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
        }
    )


def generation(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    gen_id = req.query.get("id")
    if not gen_id:
        return _error(400, "id: Required")
    data = emu.generations.get(gen_id)
    if callable(data):
        data = emu.generations[gen_id] = data()
    if data is None:
        return _error(404, f"Generation {gen_id} not found")
    return _json({"data": data})


def coinbase(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    return _error(
        410,
        "The Coinbase APIs used by this endpoint have been deprecated, so the Coinbase Commerce "
        "credits API has been removed. Use the web credits purchase flow instead.",
    )


# -- media ---------------------------------------------------------------------------------
#: Tokens an image counts for in an embedding or rerank input.
_IMAGE_TOKENS = 85
_WORD = re.compile(r"[a-z0-9]+")


def _image_words(url: str) -> str:
    """What an image "shows": the words of its file name (``.../eiffel-tower.png``);
    an inline image shows a token of its own, so equal images embed alike."""
    if url.startswith("data:"):
        return f"inline{digest(url) % 100000}"
    name = url.split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1].rsplit(".", 1)[0]
    return " ".join(_WORD.findall(name.lower()))


def _embedding_input(item: Any) -> tuple[str, int, int] | None:
    """``(text to embed, text tokens, images)`` of one input, or None if it is malformed."""
    if isinstance(item, str):
        return item, tokens(item), 0
    if isinstance(item, list):
        text = " ".join(str(v) for v in item)
        return text, tokens(text), 0
    if not isinstance(item, dict):
        return None
    content = item.get("content", item.get("text"))
    text = text_of(content)
    images = []
    for part in content if isinstance(content, list) else ():
        image = part.get("image_url") if isinstance(part, dict) else None
        url = image.get("url") if isinstance(image, dict) else image
        if isinstance(url, str) and url:
            images.append(_image_words(url))
    return " ".join([text, *images]).strip(), tokens(text), len(images)


def embeddings(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = _body(req)
    model_id = body.get("model")
    model = emu.catalog.embedding_by_id.get(str(model_id))
    if model is None:
        if emu.catalog.resolve(model_id) is not None:
            return _error(400, f"{model_id} is not an embedding model")
        return _error(400, f"{model_id} is not a valid model ID")
    raw = body.get("input")
    if isinstance(raw, list) and raw and all(isinstance(v, int) for v in raw):
        raw = [raw]
    inputs = [_embedding_input(v) for v in (raw if isinstance(raw, list) else [raw])]
    if not inputs or any(i is None for i in inputs):
        return _error(400, "input: Expected string, array of strings, or array of token arrays")
    parsed = [i for i in inputs if i is not None]
    if any(images for _, _, images in parsed) and "image" not in _inputs_of(model):
        return _error(400, f"{model_id} does not support image input")
    dims = body.get("dimensions")
    dims = dims if isinstance(dims, int) and 0 < dims <= 8192 else emu.embedding_dims
    as_b64 = body.get("encoding_format") == "base64"
    data = []
    for i, (text, _, _) in enumerate(parsed):
        vector = embedding(text, dims)
        data.append(
            {
                "object": "embedding",
                "embedding": embedding_b64(vector) if as_b64 else vector,
                "index": i,
            }
        )
    count = sum(n + _IMAGE_TOKENS * images for _, n, images in parsed)
    cost = round(count * price(model, "prompt"), 12)
    now = emu.clock()
    gen_id = emu.new_generation_id(now)
    record = _simple_record(gen_id, str(model_id), now, count, 0, cost, "embeddings")
    emu.record_generation(gen_id, cost, record)
    payload = {
        "id": gen_id,
        "object": "list",
        "data": data,
        "model": model_id,
        "provider": provider_for(str(model_id)),
        "usage": {"prompt_tokens": count, "total_tokens": count, "cost": cost},
    }
    return _json(payload, headers=[("X-Generation-Id", gen_id)])


def _inputs_of(model: dict[str, Any]) -> list[str]:
    return list((model.get("architecture") or {}).get("input_modalities") or ["text"])


def _rerank_score(query: set[str], document: str, seed: str) -> float:
    """Share of the query's words the document has, plus a tiny stable tie-breaker."""
    found = len(query & set(_WORD.findall(document.lower()) if document else ()))
    share = found / len(query) if query else 0.0
    return round(0.02 + 0.95 * share + (digest(seed, document) % 1000) / 1e6, 6)


def rerank(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = _body(req)
    model_id = body.get("model")
    model = emu.catalog.rerank_by_id.get(str(model_id))
    if model is None:
        if emu.catalog.resolve(model_id) is not None or model_id in emu.catalog.embedding_by_id:
            return _error(400, f"{model_id} is not a rerank model")
        return _error(400, f"{model_id} is not a valid model ID")
    query, documents, top_n = body.get("query"), body.get("documents"), body.get("top_n")
    if not isinstance(query, str) or not query.strip():
        return _error(400, "query: Required")
    if not isinstance(documents, list) or not documents:
        return _error(400, "documents: Array must contain at least 1 element(s)")
    if top_n is not None and (not isinstance(top_n, int) or top_n < 1):
        return _error(400, "top_n: Number must be greater than or equal to 1")
    texts: list[str] = []
    echoes: list[dict[str, str]] = []
    for position, doc in enumerate(documents):
        if isinstance(doc, str):
            texts.append(doc)
            echoes.append({"text": doc})
            continue
        if not isinstance(doc, dict) or not ({"text", "image"} & doc.keys()):
            return _error(400, f"documents.{position}: Expected string or object with text/image")
        if "image" in doc and "image" not in _inputs_of(model):
            return _error(400, f"{model_id} does not support image documents")
        image = str(doc.get("image") or "")
        texts.append(" ".join([str(doc.get("text") or ""), _image_words(image) if image else ""]))
        echoes.append({k: str(doc[k]) for k in ("text", "image") if k in doc})
    wanted = {w for w in _WORD.findall(query.lower()) if w not in STOPWORDS} or set(
        _WORD.findall(query.lower())
    )
    scored = sorted(
        (
            {"index": i, "relevance_score": _rerank_score(wanted, text, query), "document": echo}
            for i, (text, echo) in enumerate(zip(texts, echoes, strict=True))
        ),
        key=lambda r: (-r["relevance_score"], r["index"]),
    )
    units = (len(documents) + 99) // 100
    count = tokens(query) * len(documents) + sum(tokens(t) for t in texts if t)
    cost = round(units * price(model, "request") + count * price(model, "prompt"), 12)
    now = emu.clock()
    gen_id = f"gen-rerank-{int(now)}-{alnum(20, 'rerank', query, len(emu.generations))}"
    emu.record_generation(
        gen_id, cost, _simple_record(gen_id, str(model_id), now, count, 0, cost, "rerank")
    )
    payload = {
        "id": gen_id,
        "model": model_id,
        "provider": emu.catalog.rerank_providers.get(str(model_id), "Cohere"),
        "results": scored[:top_n] if top_n else scored,
        "usage": {"search_units": units, "total_tokens": count, "cost": cost},
    }
    return _json(payload, headers=[("X-Generation-Id", gen_id)])


def images(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = _body(req)
    found = emu.catalog.resolve(body.get("model"))
    if found is None:
        return _error(400, f"{body.get('model')} is not a valid model ID")
    served, model = found
    if "image" not in ((model.get("architecture") or {}).get("output_modalities") or []):
        return _error(400, f"{served} does not support image generation")
    prompt = body.get("prompt")
    if not isinstance(prompt, str) or not prompt:
        return _error(400, "prompt: Required")
    count = body.get("n")
    n = count if isinstance(count, int) and count > 0 else 1
    now = emu.clock()
    gen_id = emu.new_generation_id(now)
    data = [
        {"b64_json": base64.b64encode(png(f"{prompt}|{i}", 16)).decode()} for i in range(min(n, 10))
    ]
    prompt_tokens, completion_tokens = tokens(prompt), 1290 * len(data)
    cost = round(
        prompt_tokens * price(model, "prompt") + completion_tokens * price(model, "completion"), 12
    )
    record = _simple_record(gen_id, served, now, prompt_tokens, completion_tokens, cost, "images")
    emu.record_generation(gen_id, cost, record)
    usage = {
        "prompt_tokens": prompt_tokens,
        "completion_tokens": completion_tokens,
        "total_tokens": prompt_tokens + completion_tokens,
        "cost": cost,
    }
    return _json(
        {"created": int(now), "data": data, "usage": usage}, headers=[("X-Generation-Id", gen_id)]
    )


def _audio_model(emu: Emulator, model_id: Any, allowed: frozenset[str]) -> bool:
    return isinstance(model_id, str) and (
        model_id in allowed or emu.catalog.resolve(model_id) is not None
    )


def speech(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    body = _body(req)
    if not _audio_model(emu, body.get("model"), _TTS_MODELS):
        return _error(400, f"{body.get('model')} is not a valid model ID")
    text = body.get("input")
    if not isinstance(text, str) or not text:
        return _error(400, "input: Required")
    fmt = str(body.get("response_format") or "mp3")
    audio = wav(text) if fmt == "wav" else (wav(text)[44:] if fmt == "pcm" else mp3(text))
    now = emu.clock()
    gen_id = emu.new_generation_id(now)
    cost = round(len(text) * 0.000015, 8)
    record = _simple_record(gen_id, str(body["model"]), now, tokens(text), 0, cost, "speech")
    emu.record_generation(gen_id, cost, record)
    return Response(
        200, audio, _AUDIO_TYPES.get(fmt, "audio/mpeg"), headers=[("X-Generation-Id", gen_id)]
    )


def transcription(emu: Emulator, req: Request, faults: list[Fault]) -> Response:
    model_id: Any
    if req.headers.get("content-type", "").startswith("multipart/"):
        audio, model_id = req.body, "openai/whisper-1"
    else:
        body = _body(req)
        model_id = body.get("model")
        if not _audio_model(emu, model_id, _STT_MODELS):
            return _error(400, f"{model_id} is not a valid model ID")
        source = body.get("input_audio")
        if not isinstance(source, dict) or not isinstance(source.get("data"), str):
            return _error(400, "input_audio: Required")
        try:
            audio = base64.b64decode(source["data"], validate=False)
        except (binascii.Error, ValueError):
            return _error(400, "input_audio.data: Invalid base64")
    text = transcribe(audio)
    seconds = audio_seconds(audio)
    in_tokens, out_tokens = max(1, int(seconds * 10)), tokens(text)
    cost = round(seconds * 0.0001, 8)
    now = emu.clock()
    gen_id = emu.new_generation_id(now)
    record = _simple_record(gen_id, str(model_id), now, in_tokens, out_tokens, cost, "stt")
    emu.record_generation(gen_id, cost, record)
    usage = {
        "seconds": seconds,
        "input_tokens": in_tokens,
        "output_tokens": out_tokens,
        "total_tokens": in_tokens + out_tokens,
        "cost": cost,
    }
    return _json({"text": text, "usage": usage}, headers=[("X-Generation-Id", gen_id)])


def _simple_record(
    gen_id: str, model_id: str, now: float, prompt: int, completion: int, cost: float, api_type: str
) -> dict[str, Any]:
    import datetime as dt

    return {
        "id": gen_id,
        "upstream_id": None,
        "total_cost": cost,
        "cache_discount": None,
        "upstream_inference_cost": cost,
        "created_at": dt.datetime.fromtimestamp(int(now), dt.timezone.utc).isoformat(),
        "model": model_id,
        "app_id": None,
        "streamed": False,
        "cancelled": False,
        "provider_name": provider_for(model_id),
        "latency": 120,
        "moderation_latency": None,
        "generation_time": 100,
        "finish_reason": None,
        "native_finish_reason": None,
        "tokens_prompt": prompt,
        "tokens_completion": completion,
        "native_tokens_prompt": prompt,
        "native_tokens_completion": completion,
        "native_tokens_completion_images": 0,
        "native_tokens_reasoning": 0,
        "native_tokens_cached": 0,
        "num_media_prompt": None,
        "num_input_audio_prompt": None,
        "num_media_completion": None,
        "num_search_results": None,
        "num_fetches": None,
        "web_search_engine": None,
        "origin": "",
        "usage": cost,
        "is_byok": False,
        "external_user": None,
        "api_type": api_type,
        "preset_id": None,
        "router": None,
        "provider_responses": None,
        "user_agent": None,
        "http_referer": None,
        "data_region": "global",
        "workspace_id": None,
    }
