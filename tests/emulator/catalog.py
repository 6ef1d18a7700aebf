"""The model catalog the emulator serves: loading, cloning, id resolution, filters.

Besides the chat catalog (``tests/data/models.json`` by default) it synthesises the
per-model provider endpoints, the provider list, the ZDR endpoint list and a small
embeddings catalog, all deterministic (values derived from hashes of the ids).
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

Model = dict[str, Any]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_CATALOG = REPO_ROOT / "tests" / "data" / "models.json"

#: Variant suffixes OpenRouter accepts after any model id.
VARIANTS = (":free", ":nitro", ":floor", ":online", ":thinking", ":exacto", ":extended")

#: Provider that serves a vendor's models in chat responses (first) and the others
#: listed by ``/models/{author}/{slug}/endpoints``.
VENDOR_PROVIDERS: dict[str, tuple[str, ...]] = {
    "openai": ("OpenAI", "Azure"),
    "anthropic": ("Anthropic", "Amazon Bedrock", "Google Vertex"),
    "google": ("Google", "Google AI Studio"),
    "mistralai": ("Mistral",),
    "meta-llama": ("DeepInfra", "Together", "Groq"),
    "qwen": ("Alibaba", "DeepInfra"),
    "deepseek": ("DeepSeek", "DeepInfra"),
    "x-ai": ("xAI",),
}
DEFAULT_PROVIDERS = ("Together",)

#: name -> (slug, headquarters, datacenters, site) for ``GET /providers``.
PROVIDERS: dict[str, tuple[str, str, list[str], str]] = {
    "OpenAI": ("openai", "US", ["US"], "https://openai.com"),
    "Azure": ("azure", "US", ["US", "SE", "FR"], "https://azure.microsoft.com"),
    "Anthropic": ("anthropic", "US", ["US"], "https://www.anthropic.com"),
    "Amazon Bedrock": ("amazon-bedrock", "US", ["US", "DE"], "https://aws.amazon.com"),
    "Google Vertex": ("google-vertex", "US", ["US", "BE"], "https://cloud.google.com"),
    "Google": ("google-vertex", "US", ["US", "BE"], "https://cloud.google.com"),
    "Google AI Studio": ("google-ai-studio", "US", ["US"], "https://ai.google.dev"),
    "Mistral": ("mistral", "FR", ["FR", "SE"], "https://mistral.ai"),
    "DeepInfra": ("deepinfra", "US", ["US"], "https://deepinfra.com"),
    "Together": ("together", "US", ["US"], "https://www.together.ai"),
    "Groq": ("groq", "US", ["US"], "https://groq.com"),
    "Alibaba": ("alibaba", "CN", ["SG", "CN"], "https://www.alibabacloud.com"),
    "DeepSeek": ("deepseek", "CN", ["CN"], "https://www.deepseek.com"),
    "xAI": ("xai", "US", ["US"], "https://x.ai"),
}
ZDR_PROVIDERS = frozenset({"Anthropic", "Amazon Bedrock", "Google Vertex", "Groq", "Together"})

#: Embedding models served by ``/embeddings/models`` and accepted by ``POST /embeddings``:
#: id, name, price per token, context, extra input modalities besides text.
EMBEDDING_MODELS: tuple[tuple[str, str, str, int, tuple[str, ...]], ...] = (
    ("openai/text-embedding-3-small", "OpenAI: Text Embedding 3 Small", "0.00000002", 8192, ()),
    ("openai/text-embedding-3-large", "OpenAI: Text Embedding 3 Large", "0.00000013", 8192, ()),
    ("openai/text-embedding-ada-002", "OpenAI: Text Embedding Ada 002", "0.0000001", 8192, ()),
    ("mistralai/mistral-embed-2312", "Mistral: Mistral Embed 2312", "0.0000001", 8192, ()),
    ("google/gemini-embedding-001", "Google: Gemini Embedding 001", "0.00000015", 20000, ()),
    ("qwen/qwen3-embedding-8b", "Qwen: Qwen3 Embedding 8B", "0.00000001", 32000, ()),
    (
        "nvidia/llama-nemotron-embed-vl-1b-v2",
        "NVIDIA: Llama Nemotron Embed VL 1B v2",
        "0.00000002",
        8192,
        ("image",),
    ),
)

#: Rerank models listed by ``/models?output_modalities=rerank`` and accepted by
#: ``POST /rerank``: id, name, provider, price per search, price per token, context,
#: extra input modalities besides text.
RERANK_MODELS: tuple[tuple[str, str, str, str, str, int, tuple[str, ...]], ...] = (
    ("cohere/rerank-v3.5", "Cohere: Rerank v3.5", "Cohere", "0.002", "0", 4096, ()),
    (
        "cohere/rerank-multilingual-v3.0",
        "Cohere: Rerank Multilingual v3.0",
        "Cohere",
        "0.002",
        "0",
        4096,
        (),
    ),
    (
        "nvidia/llama-nemotron-rerank-vl-1b-v2",
        "NVIDIA: Llama Nemotron Rerank VL 1B v2",
        "NVIDIA",
        "0",
        "0.00000002",
        8192,
        ("image",),
    ),
)
#: What ``model: "@preset/<slug>"`` runs: every preset is taken to be configured with it.
PRESET_MODEL = "openai/gpt-4o-mini"


def digest(*parts: object) -> int:
    """A stable 64-bit integer from ``parts`` (for deterministic synthetic values)."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


def vendor(model_id: str) -> str:
    return model_id.lstrip("~").split("/", 1)[0]


def providers_for(model_id: str) -> tuple[str, ...]:
    return VENDOR_PROVIDERS.get(vendor(model_id), DEFAULT_PROVIDERS)


def provider_for(model_id: str) -> str:
    """The provider name a chat response from ``model_id`` carries."""
    return providers_for(model_id)[0]


def price(model: Mapping[str, Any] | None, key: str) -> float:
    """A per-token price from a catalog entry; missing, null or negative (routers) is 0."""
    if not model:
        return 0.0
    try:
        value = float((model.get("pricing") or {}).get(key) or 0)
    except (TypeError, ValueError):
        return 0.0
    return value if value > 0 else 0.0


def supports(model: Mapping[str, Any] | None, parameter: str) -> bool:
    return bool(model) and parameter in (model.get("supported_parameters") or ())  # type: ignore[union-attr]


def load_models(source: Iterable[Model] | str | Path | None) -> list[Model]:
    """Models from a list of dicts, a ``{"data": [...]}`` JSON file, or the default file."""
    if source is None:
        source = DEFAULT_CATALOG
    if isinstance(source, (str, Path)):
        payload = json.loads(Path(source).read_text(encoding="utf-8"))
        models = payload["data"] if isinstance(payload, dict) else payload
    else:
        models = list(source)
    return [dict(m) for m in models if isinstance(m, Mapping) and m.get("id")]


def clone_to_size(models: list[Model], size: int) -> list[Model]:
    """Exactly ``size`` models: the first ``size`` real ones, then renamed clones."""
    if size <= len(models) or not models:
        return models[:size]
    out = list(models)
    for k in range(len(models), size):
        base = models[k % len(models)]
        generation = k // len(models) + 1
        clone = copy.deepcopy(base)
        root, sep, variant = str(base["id"]).partition(":")
        clone["id"] = f"{root}-v{generation}{sep}{variant}"
        canonical = str(base.get("canonical_slug") or root)
        clone["canonical_slug"] = f"{canonical}-v{generation}"
        clone["name"] = f"{base.get('name') or root} (v{generation})"
        out.append(clone)
    return out


class Catalog:
    """The chat models plus everything derived from them."""

    def __init__(self, models: list[Model]) -> None:
        self.models = models
        self.by_id: dict[str, Model] = {str(m["id"]): m for m in models}
        self.embedding_models = [_embedding_entry(*row) for row in EMBEDDING_MODELS]
        self.embedding_by_id = {str(m["id"]): m for m in self.embedding_models}
        self.rerank_models = [_rerank_entry(r[0], r[1], *r[3:]) for r in RERANK_MODELS]
        self.rerank_by_id = {str(m["id"]): m for m in self.rerank_models}
        self.rerank_providers = {r[0]: r[2] for r in RERANK_MODELS}
        self._models_cache: dict[str, bytes] = {}
        self._count_cache: dict[str, int] = {}

    # -- id resolution -------------------------------------------------------------------
    def resolve(self, model_id: Any) -> tuple[str, Model] | None:
        """``(served_id, entry)`` for a requested id, or ``None`` when it is not valid.

        Exact ids win; a variant suffix not listed on its own is stripped; ``~author/x-latest``
        picks the newest ``author/x*`` model; ``openrouter/auto`` and ``openrouter/free``
        pick a concrete model.
        """
        if not isinstance(model_id, str) or not model_id:
            return None
        entry = self.by_id.get(model_id)
        if entry is not None:
            return model_id, entry
        for suffix in VARIANTS:
            if model_id.endswith(suffix):
                base = self.by_id.get(model_id[: -len(suffix)])
                if base is not None:
                    if suffix == ":free":
                        base = {**base, "pricing": {"prompt": "0", "completion": "0"}}
                    return model_id, base
        if model_id.startswith("~") and model_id.endswith("-latest"):
            family = model_id[1:-7]
            found = [m for m in self.models if str(m["id"]).startswith(family)]
            if found:
                newest = max(found, key=lambda m: int(m.get("created") or 0))
                return str(newest["id"]), newest
        if model_id == "openrouter/auto":
            for preferred in ("openai/gpt-4o-mini", "openai/gpt-4o", "anthropic/claude-sonnet-4.5"):
                if preferred in self.by_id:
                    return preferred, self.by_id[preferred]
            if self.models:
                return str(self.models[0]["id"]), self.models[0]
        if model_id.startswith("@preset/") and len(model_id) > len("@preset/"):
            fallback = self.by_id.get(PRESET_MODEL) or (self.models[0] if self.models else None)
            if fallback is not None:
                return str(fallback["id"]), fallback
        if model_id == "openrouter/free":
            for m in self.models:
                if str(m["id"]).endswith(":free"):
                    return str(m["id"]), m
        return None

    # -- GET /models ---------------------------------------------------------------------
    def models_json(self, query: Mapping[str, str]) -> bytes:
        """The ``/models`` body for a query (cached per distinct query)."""
        key = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        cached = self._models_cache.get(key)
        if cached is None:
            data = self.filter_models(query)
            cached = json.dumps({"data": data}, separators=(",", ":"), ensure_ascii=False).encode()
            if len(self._models_cache) < 256:
                self._models_cache[key] = cached
        return cached

    def count(self, output_modalities: str | None) -> int:
        key = output_modalities or ""
        if key not in self._count_cache:
            query = {"output_modalities": key} if key else {}
            self._count_cache[key] = len(self.filter_models(query))
        return self._count_cache[key]

    def filter_models(self, query: Mapping[str, str]) -> list[Model]:
        models: list[Model] = list(self.models)
        wanted_out = _csv(query.get("output_modalities")) or ["text"]
        if "embeddings" in wanted_out or "all" in wanted_out:
            models = models + self.embedding_models
        if "rerank" in wanted_out or "all" in wanted_out:
            models = models + self.rerank_models
        if "all" not in wanted_out:
            models = [m for m in models if set(_arch(m, "output_modalities")) & set(wanted_out)]
        wanted_in = _csv(query.get("input_modalities"))
        if wanted_in:
            models = [m for m in models if set(wanted_in) <= set(_arch(m, "input_modalities"))]
        params = _csv(query.get("supported_parameters"))
        if params:
            models = [m for m in models if set(params) <= set(m.get("supported_parameters") or ())]
        text = (query.get("q") or "").strip().lower()
        if text:
            models = [m for m in models if text in f"{m['id']} {m.get('name', '')}".lower()]
        sort = query.get("sort") or ""
        if sort.startswith("pricing-"):
            models.sort(
                key=lambda m: price(m, "prompt") + price(m, "completion"),
                reverse=sort.endswith("high-to-low"),
            )
        elif sort == "context-high-to-low":
            models.sort(key=lambda m: int(m.get("context_length") or 0), reverse=True)
        if "offset" in query or "limit" in query:
            offset = _int(query.get("offset"), 0)
            limit = min(_int(query.get("limit"), 500), 1000)
            models = models[offset : offset + limit]
        return models

    # -- endpoints, providers ------------------------------------------------------------
    def endpoints_for(self, model: Model) -> list[dict[str, Any]]:
        return [self._endpoint(model, name) for name in providers_for(str(model["id"]))]

    def model_endpoints(self, model_id: str) -> dict[str, Any] | None:
        found = self.resolve(model_id)
        if found is None:
            return None
        served, model = found
        arch = dict(model.get("architecture") or {})
        arch.setdefault("tokenizer", "Other")
        arch.setdefault("instruct_type", None)
        return {
            "id": served,
            "name": model.get("name") or served,
            "created": int(model.get("created") or 1700000000),
            "description": model.get("description") or f"{model.get('name') or served}.",
            "architecture": arch,
            "endpoints": self.endpoints_for(model),
        }

    def zdr_endpoints(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for model in self.models:
            for name in providers_for(str(model["id"])):
                if name in ZDR_PROVIDERS:
                    out.append(self._endpoint(model, name))
        return out

    def providers(self) -> list[dict[str, Any]]:
        seen: dict[str, dict[str, Any]] = {}
        names = {n for m in self.models for n in providers_for(str(m["id"]))}
        for name in sorted(names | {"OpenAI", "Anthropic", "Google", "Mistral"}):
            slug, hq, dcs, site = PROVIDERS.get(
                name, (name.lower(), "US", ["US"], "https://example.com")
            )
            seen[name] = {
                "name": name,
                "slug": slug,
                "privacy_policy_url": f"{site}/privacy",
                "terms_of_service_url": f"{site}/terms",
                "status_page_url": f"https://status.{site.split('://', 1)[1].removeprefix('www.')}",
                "headquarters": hq,
                "datacenters": dcs,
            }
        return list(seen.values())

    def _endpoint(self, model: Model, provider: str) -> dict[str, Any]:
        model_id = str(model["id"])
        h = digest(model_id, provider)
        top = model.get("top_provider") or {}
        ctx = int(model.get("context_length") or top.get("context_length") or 8192)
        slug = PROVIDERS.get(provider, (provider.lower(),))[0]
        quant = (
            "unknown" if vendor(model_id) in {"openai", "anthropic", "google", "x-ai"} else "fp8"
        )
        p50 = 0.2 + (h % 900) / 1000
        tps = 20.0 + (h >> 10) % 180
        return {
            "name": f"{provider} | {model.get('canonical_slug') or model_id}",
            "model_id": model_id,
            "model_name": model.get("name") or model_id,
            "context_length": ctx,
            "pricing": dict(model.get("pricing") or {"prompt": "0", "completion": "0"}),
            "provider_name": provider,
            "tag": slug if quant == "unknown" else f"{slug}/{quant}",
            "quantization": quant,
            "max_completion_tokens": top.get("max_completion_tokens"),
            "max_prompt_tokens": None,
            "supported_parameters": list(model.get("supported_parameters") or ()),
            "status": 0,
            "uptime_last_30m": round(97 + (h >> 20) % 300 / 100, 2),
            "uptime_last_5m": 100,
            "uptime_last_1d": round(98 + (h >> 30) % 200 / 100, 2),
            "supports_implicit_caching": vendor(model_id) in {"openai", "google", "deepseek"},
            "latency_last_30m": _percentiles(p50, rising=True),
            "throughput_last_30m": _percentiles(tps, rising=False),
        }


def _percentiles(p50: float, *, rising: bool) -> dict[str, float]:
    factors = (1.0, 1.3, 1.8, 3.0) if rising else (1.0, 0.8, 0.6, 0.3)
    return {
        k: round(p50 * f, 3) for k, f in zip(("p50", "p75", "p90", "p99"), factors, strict=True)
    }


def _embedding_entry(
    model_id: str, name: str, prompt_price: str, context: int, media: tuple[str, ...]
) -> Model:
    return _listing_entry(model_id, name, "embeddings", prompt_price, "0", context, media)


def _rerank_entry(
    model_id: str,
    name: str,
    search_price: str,
    token_price: str,
    context: int,
    media: tuple[str, ...],
) -> Model:
    return _listing_entry(model_id, name, "rerank", token_price, search_price, context, media)


def _listing_entry(
    model_id: str,
    name: str,
    output: str,
    token_price: str,
    request_price: str,
    context: int,
    media: tuple[str, ...],
) -> Model:
    inputs = ["text", *media]
    return {
        "id": model_id,
        "canonical_slug": model_id,
        "hugging_face_id": "",
        "name": name,
        "created": 1700000000 + digest(model_id) % 60000000,
        "context_length": context,
        "architecture": {
            "modality": f"{'+'.join(inputs)}->{output}",
            "input_modalities": inputs,
            "output_modalities": [output],
            "tokenizer": "Other",
            "instruct_type": None,
        },
        "pricing": {
            "prompt": token_price,
            "completion": "0",
            "request": request_price,
            "image": "0",
        },
        "top_provider": {
            "context_length": context,
            "max_completion_tokens": None,
            "is_moderated": False,
        },
        "per_request_limits": None,
        "supported_parameters": [],
        "default_parameters": None,
        "expiration_date": None,
    }


def _arch(model: Model, key: str) -> list[str]:
    return list((model.get("architecture") or {}).get(key) or ())


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, int(value)) if value else default
    except ValueError:
        return default
