"""The models the emulator serves: the chat catalog (``tests/data/models.json``, a real
``/models`` snapshot), small embedding and rerank listings, model id resolution, and
the per-model endpoints and provider list, all derived deterministically from the ids.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

Model = dict[str, Any]

DEFAULT_CATALOG = Path(__file__).resolve().parents[1] / "data" / "models.json"
#: Variant suffixes accepted after any model id.
VARIANTS = (":free", ":nitro", ":floor", ":online", ":thinking", ":exacto", ":extended")
#: What ``model: "@preset/<slug>"`` runs: every preset is taken to use this model.
PRESET_MODEL = "openai/gpt-4o-mini"

#: The providers serving each vendor's models; the first answers chat requests.
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

#: ``/embeddings/models``: id, name, price per token, context, media besides text.
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
#: ``/models?output_modalities=rerank``: id, name, provider, price per search, price
#: per token, context, media besides text.
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


def digest(*parts: object) -> int:
    """A stable 64-bit integer from ``parts`` (for deterministic synthetic values)."""
    raw = "\x1f".join(str(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(raw, digest_size=8).digest(), "big")


def vendor(model_id: str) -> str:
    return model_id.lstrip("~").split("/", 1)[0]


def providers_for(model_id: str) -> tuple[str, ...]:
    return VENDOR_PROVIDERS.get(vendor(model_id), DEFAULT_PROVIDERS)


def provider_for(model_id: str) -> str:
    """The provider a response from ``model_id`` names."""
    return providers_for(model_id)[0]


def price(model: Mapping[str, Any] | None, key: str) -> float:
    """A price from a catalog entry; missing, null or negative (routers) is 0."""
    value = float(((model or {}).get("pricing") or {}).get(key) or 0)
    return max(value, 0.0)


def supports(model: Mapping[str, Any] | None, parameter: str) -> bool:
    return parameter in ((model or {}).get("supported_parameters") or ())


def _listing(
    model_id: str,
    name: str,
    output: str,
    per_token: str,
    per_request: str,
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
        "pricing": {"prompt": per_token, "completion": "0", "request": per_request, "image": "0"},
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


def _outputs(model: Model) -> set[str]:
    return set((model.get("architecture") or {}).get("output_modalities") or ())


def _csv(value: str | None) -> set[str]:
    return {v.strip() for v in (value or "").split(",") if v.strip()}


class Catalog:
    """The chat models plus the embedding and rerank listings."""

    def __init__(self, models: list[Model] | None = None) -> None:
        if models is None:
            models = json.loads(DEFAULT_CATALOG.read_text(encoding="utf-8"))["data"]
        self.models = [dict(m) for m in models]
        self.by_id = {str(m["id"]): m for m in self.models}
        self.embedding_models = [
            _listing(i, name, "embeddings", per_token, "0", ctx, media)
            for i, name, per_token, ctx, media in EMBEDDING_MODELS
        ]
        self.embedding_by_id = {str(m["id"]): m for m in self.embedding_models}
        self.rerank_models = [
            _listing(i, name, "rerank", per_token, per_search, ctx, media)
            for i, name, _, per_search, per_token, ctx, media in RERANK_MODELS
        ]
        self.rerank_by_id = {str(m["id"]): m for m in self.rerank_models}
        self.rerank_providers = {row[0]: row[2] for row in RERANK_MODELS}
        self._listings: dict[str, bytes] = {}

    def resolve(self, model_id: Any) -> tuple[str, Model] | None:
        """``(served id, entry)`` for a requested id (exact, with a variant suffix, or a
        preset), or ``None`` when OpenRouter would not know it."""
        if not isinstance(model_id, str) or not model_id:
            return None
        if model_id in self.by_id:
            return model_id, self.by_id[model_id]
        for suffix in VARIANTS:
            base = self.by_id.get(model_id.removesuffix(suffix))
            if model_id.endswith(suffix) and base is not None:
                return model_id, base
        if model_id.startswith("@preset/") and PRESET_MODEL in self.by_id:
            return PRESET_MODEL, self.by_id[PRESET_MODEL]
        return None

    # -- GET /models ---------------------------------------------------------------------
    def models_json(self, query: Mapping[str, str]) -> bytes:
        """The ``/models`` body for a query (built once per distinct query)."""
        key = "&".join(f"{k}={v}" for k, v in sorted(query.items()))
        if key not in self._listings:
            data = {"data": self.filter_models(query)}
            self._listings[key] = json.dumps(
                data, separators=(",", ":"), ensure_ascii=False
            ).encode()
        return self._listings[key]

    def filter_models(self, query: Mapping[str, str]) -> list[Model]:
        """``output_modalities`` (default ``text``; ``all``) and ``supported_parameters``."""
        wanted = _csv(query.get("output_modalities")) or {"text"}
        models = list(self.models)
        if wanted & {"embeddings", "all"}:
            models += self.embedding_models
        if wanted & {"rerank", "all"}:
            models += self.rerank_models
        if "all" not in wanted:
            models = [m for m in models if _outputs(m) & wanted]
        params = _csv(query.get("supported_parameters"))
        return [m for m in models if params <= set(m.get("supported_parameters") or ())]

    # -- endpoints and providers ---------------------------------------------------------
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
            "endpoints": [_endpoint(model, name) for name in providers_for(served)],
        }

    def zdr_endpoints(self) -> list[dict[str, Any]]:
        return [
            _endpoint(model, name)
            for model in self.models
            for name in providers_for(str(model["id"]))
            if name in ZDR_PROVIDERS
        ]

    def providers(self) -> list[dict[str, Any]]:
        names = {n for m in self.models for n in providers_for(str(m["id"]))}
        out = []
        for name in sorted(names | {"OpenAI", "Anthropic", "Google", "Mistral"}):
            slug, headquarters, datacenters, site = PROVIDERS[name]
            host = site.split("://", 1)[1].removeprefix("www.")
            out.append(
                {
                    "name": name,
                    "slug": slug,
                    "privacy_policy_url": f"{site}/privacy",
                    "terms_of_service_url": f"{site}/terms",
                    "status_page_url": f"https://status.{host}",
                    "headquarters": headquarters,
                    "datacenters": datacenters,
                }
            )
        return out


def _endpoint(model: Model, provider: str) -> dict[str, Any]:
    """One provider's endpoint of a model, with made-up but stable health figures."""
    model_id = str(model["id"])
    h = digest(model_id, provider)
    top = model.get("top_provider") or {}
    slug = PROVIDERS.get(provider, (provider.lower(),))[0]
    quant = "unknown" if vendor(model_id) in {"openai", "anthropic", "google", "x-ai"} else "fp8"

    def percentiles(p50: float, factors: tuple[float, ...]) -> dict[str, float]:
        return {
            k: round(p50 * f, 3) for k, f in zip(("p50", "p75", "p90", "p99"), factors, strict=True)
        }

    return {
        "name": f"{provider} | {model.get('canonical_slug') or model_id}",
        "model_id": model_id,
        "model_name": model.get("name") or model_id,
        "context_length": int(model.get("context_length") or top.get("context_length") or 8192),
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
        "latency_last_30m": percentiles(0.2 + (h % 900) / 1000, (1.0, 1.3, 1.8, 3.0)),
        "throughput_last_30m": percentiles(20.0 + (h >> 10) % 180, (1.0, 0.8, 0.6, 0.3)),
    }
