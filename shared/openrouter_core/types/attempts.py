"""What happened to one model of a route: tried (with its outcome) or skipped."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Attempt", "reply_summary"]


@dataclass
class Attempt:
    """One model of a route: tried (with its outcome) or skipped (with the reason)."""

    model: str
    ok: bool = False
    skipped: bool = False
    reason: str | None = None
    error_type: str | None = None
    status_code: int | None = None
    provider: str | None = None
    duration_s: float = 0.0

    def describe(self) -> str:
        if self.skipped:
            return f"{self.model}: skipped ({self.reason})"
        if self.ok:
            return f"{self.model}: ok via {self.provider or '?'} in {self.duration_s:.3f}s"
        return f"{self.model}: {self.error_type} ({self.reason}) after {self.duration_s:.3f}s"

    def as_dict(self) -> dict[str, object]:
        return {
            "model": self.model,
            "ok": self.ok,
            "skipped": self.skipped,
            "reason": self.reason,
            "error_type": self.error_type,
            "status_code": self.status_code,
            "provider": self.provider,
            "duration_s": round(self.duration_s, 6),
        }


def reply_summary(found: dict[str, Any], usage: Any, attempts: Sequence[Attempt]) -> dict[str, Any]:
    """What a reply says about itself (``found``) plus its cost from ``usage``, the
    keys without a value left out, and ``fallback_attempts`` (always there): one dict
    the framework adapters turn into their own metadata."""
    if usage is not None:
        found.update(cost=usage.cost, cost_details=usage.cost_details, is_byok=usage.is_byok)
    summary = {k: v for k, v in found.items() if v is not None}
    summary["fallback_attempts"] = [a.as_dict() for a in attempts]
    return summary
