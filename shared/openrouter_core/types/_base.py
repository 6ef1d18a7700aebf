"""Base classes: lenient for what OpenRouter sends, strict for what we send.

Both defer building their validators to first use (``defer_build``), so that
importing the package does not pay for models a program never touches.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class WireModel(BaseModel):
    """A model of something OpenRouter sends back.

    Unknown fields are kept (``model_extra``), every field is optional, and
    nulls are accepted, because real replies are messier than the spec.
    """

    model_config = ConfigDict(
        extra="allow", populate_by_name=True, protected_namespaces=(), defer_build=True
    )


class RequestModel(BaseModel):
    """A model of something we send: unknown fields are an error."""

    model_config = ConfigDict(
        extra="forbid",
        populate_by_name=True,
        protected_namespaces=(),
        validate_assignment=False,
        defer_build=True,
    )
