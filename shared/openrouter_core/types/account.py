"""Account and bookkeeping endpoints: ``/credits``, ``/key``, ``/generation``,
``/providers``, ``/credits/coinbase``."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from ._base import RequestModel, WireModel

__all__ = [
    "CoinbaseChargeRequest",
    "Credits",
    "Generation",
    "KeyInfo",
    "Provider",
]


class Credits(WireModel):
    total_credits: float = 0.0
    total_usage: float = 0.0

    @property
    def remaining(self) -> float:
        return self.total_credits - self.total_usage


class KeyInfo(WireModel):
    """The current key's limits and usage. ``label`` is a masked key prefix."""

    label: str | None = None
    limit: float | None = None
    limit_remaining: float | None = None
    limit_reset: str | None = None
    usage: float | None = None
    usage_daily: float | None = None
    usage_weekly: float | None = None
    usage_monthly: float | None = None
    is_free_tier: bool | None = None
    is_provisioning_key: bool | None = None
    expires_at: str | None = None
    rate_limit: dict[str, Any] | None = None


class Generation(WireModel):
    """Stats of one past call: tokens, cost, latency, and the provider that served it."""

    id: str | None = None
    model: str | None = None
    provider_name: str | None = None
    created_at: str | None = None
    total_cost: float | None = None
    usage: float | None = None
    latency: float | None = None
    generation_time: float | None = None
    tokens_prompt: int | None = None
    tokens_completion: int | None = None
    native_tokens_prompt: int | None = None
    native_tokens_completion: int | None = None
    native_tokens_reasoning: int | None = None
    native_tokens_cached: int | None = None
    finish_reason: str | None = None
    native_finish_reason: str | None = None
    is_byok: bool | None = None
    streamed: bool | None = None
    cancelled: bool | None = None


class Provider(WireModel):
    name: str | None = None
    slug: str | None = None
    headquarters: str | None = None
    datacenters: list[str] | None = None
    privacy_policy_url: str | None = None
    terms_of_service_url: str | None = None
    status_page_url: str | None = None


class CoinbaseChargeRequest(RequestModel):
    """Deprecated by OpenRouter (it never answers 200 any more); kept for completeness."""

    amount: float = Field(gt=0)
    sender: str
    chain_id: int
