"""A small server-sent-events decoder, fed bytes, giving complete events.

It is incremental and I/O-free, so the sync and async clients share it. It
follows the SSE rules OpenRouter relies on: ``:`` comment lines (``: OPENROUTER
PROCESSING``) are skipped, ``data:`` lines of one event are joined with
newlines, a blank line ends an event, and ``\\r\\n``, ``\\n`` or ``\\r`` end a line.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass

__all__ = ["DONE", "SSEDecoder", "ServerSentEvent"]

DONE = "[DONE]"


@dataclass(frozen=True, slots=True)
class ServerSentEvent:
    data: str
    event: str | None = None
    id: str | None = None


class SSEDecoder:
    """Turn a byte stream into :class:`ServerSentEvent` objects.

    >>> d = SSEDecoder()
    >>> [e.data for e in d.feed(b": comment\\n\\ndata: {}\\n\\n")]
    ['{}']
    """

    __slots__ = ("_buffer", "_comments", "_data", "_event", "_id", "_text")

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")(errors="strict")
        self._buffer = ""
        self._data: list[str] = []
        self._event: str | None = None
        self._id: str | None = None
        self._comments = 0

    @property
    def comments_seen(self) -> int:
        """How many comment lines were skipped (keep-alive pings)."""
        return self._comments

    def feed(self, chunk: bytes) -> list[ServerSentEvent]:
        """Add bytes; return the events they complete (possibly none)."""
        text = self._buffer + self._text.decode(chunk)
        if "\r" in text:
            # Keep a trailing '\r': it may be the first half of '\r\n'.
            hold = text.endswith("\r")
            if hold:
                text = text[:-1]
            text = text.replace("\r\n", "\n").replace("\r", "\n")
            if hold:
                text += "\r"
        lines = text.split("\n")
        self._buffer = lines.pop()
        events: list[ServerSentEvent] = []
        data = self._data
        for line in lines:
            if line[:6] == "data: ":  # the common case, handled inline
                data.append(line[6:])
            else:
                self._line(line, events)
        return events

    def flush(self) -> list[ServerSentEvent]:
        """End of stream: complete a final event that lacked its blank line."""
        events: list[ServerSentEvent] = []
        tail = self._buffer + self._text.decode(b"", final=True)
        self._buffer = ""
        if tail:
            self._line(tail.rstrip("\r"), events)
        self._line("", events)
        return events

    def _line(self, line: str, events: list[ServerSentEvent]) -> None:
        if not line:
            if self._data:
                events.append(ServerSentEvent("\n".join(self._data), self._event, self._id))
                self._data.clear()
            self._event = None
            return
        if line[0] == ":":
            self._comments += 1
            return
        name, sep, value = line.partition(":")
        if sep and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            self._id = value
        # 'retry' and unknown fields are ignored, as the SSE spec says.
