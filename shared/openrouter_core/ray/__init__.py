"""Ray Data pipelines over OpenRouter that share one rate limit.

* :class:`SharedRateLimit`: one limit (and one set of model cooldowns) for every
  worker of a Ray cluster, held by a named actor. Give it as ``rate_limit=`` to any
  chat or embedding object of this package; every HTTP attempt of every worker waits
  for its slot, and an account-wide 429 pauses them all.
* :class:`ChatUDF` and :class:`EmbedUDF`: callable classes for
  ``Dataset.map_batches`` with an actor pool, several requests in flight per actor,
  failures kept per row in an ``error`` column.

Importing this package does not import Ray (``import openrouter_core`` never does);
Ray is imported when a limit first connects to its actor. Install it with
``pip install "openrouter-integrations[ray]"``. See ``docs/scaling-out.md``.
"""

from __future__ import annotations

from ._limit import SharedCooldowns, SharedRateLimit
from ._schedule import SlotSchedule
from ._udf import ChatUDF, EmbedUDF

__all__ = ["ChatUDF", "EmbedUDF", "SharedCooldowns", "SharedRateLimit", "SlotSchedule"]
