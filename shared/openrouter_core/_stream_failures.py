"""How a stream's failure becomes an error, for chat and ``/responses`` streams alike.

Before any output a failure is a plain typed error (safe to fall back on: nothing
was shown); after output began it is a
:class:`~openrouter_core.errors.StreamInterruptedError` carrying the output so far,
so nothing is silently lost and the model is never switched mid-answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .errors import APIStatusError, StreamInterruptedError, error_from_body

__all__ = ["StreamFailures"]


class StreamFailures:
    """Mixed into a stream accumulator, which sets ``output_started`` and says what
    its partial output and its ids are."""

    output_started: bool

    def partial_or_none(self) -> Any:
        """The output so far, or ``None`` if nothing arrived."""
        raise NotImplementedError

    def error_ids(self) -> tuple[str | None, str | None]:
        """The generation (or response) id and the model, for errors."""
        raise NotImplementedError

    def in_band_failure(
        self, payload: Mapping[str, Any], *, generation_id: str | None, model: str | None
    ) -> APIStatusError:
        """The error for an ``error`` chunk or event inside an HTTP 200 stream."""
        error = error_from_body(
            payload, http_status=502, generation_id=generation_id, model=model, in_band=True
        )
        if not self.output_started:
            return error
        return self.interrupted(
            f"stream failed after output began: {error.message}",
            status_code=error.status_code,
            metadata=error.metadata,
        )

    def interrupted(
        self,
        message: str,
        *,
        cause: BaseException | None = None,
        status_code: int = 502,
        metadata: dict[str, Any] | None = None,
    ) -> StreamInterruptedError:
        """An error for a stream that broke; ``partial`` holds the output so far."""
        generation_id, model = self.error_ids()
        err = StreamInterruptedError(
            message,
            partial=self.partial_or_none(),
            status_code=status_code,
            metadata=metadata,
            generation_id=generation_id,
            model=model,
        )
        err.__cause__ = cause
        return err
