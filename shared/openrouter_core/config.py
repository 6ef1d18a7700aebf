"""Client configuration: the key, the base URL, attribution headers, timeouts.

Values come from arguments first, then the environment (``OPENROUTER_API_KEY``,
``OPENROUTER_BASE_URL``). The key is held in :class:`SecretKey`, which never
shows its value in ``repr``/``str``/pickles of the config.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from ._version import __version__
from .errors import ConfigurationError

__all__ = ["DEFAULT_BASE_URL", "ClientConfig", "SecretKey", "Timeouts"]

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
API_KEY_ENV = "OPENROUTER_API_KEY"
BASE_URL_ENV = "OPENROUTER_BASE_URL"


class SecretKey:
    """An API key that never prints itself. Call :meth:`reveal` to use it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretKey('**********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretKey) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickling a config must not write the key to disk or the wire.
        return (SecretKey, ("",))


@dataclass(frozen=True)
class Timeouts:
    """Seconds. ``read`` bounds the wait for each chunk of a reply (so a stalled
    stream fails), ``connect`` bounds connection set-up."""

    connect: float = 10.0
    read: float = 120.0
    write: float = 30.0
    pool: float = 30.0

    @classmethod
    def coerce(cls, value: float | Timeouts | None) -> Timeouts:
        if value is None:
            return cls()
        if isinstance(value, Timeouts):
            return value
        seconds = float(value)
        if seconds <= 0:
            raise ConfigurationError(f"timeout must be positive, got {value!r}")
        return cls(connect=min(seconds, 10.0), read=seconds, write=seconds, pool=seconds)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(url: str, *, allow_insecure_http: bool = False) -> str:
    """Refuse a plain-http base URL unless it is loopback or explicitly allowed."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigurationError(f"base_url must be an http(s) URL, got {url!r}")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise ConfigurationError(
            f"Refusing to send the API key over plain http to {parts.hostname!r}. "
            "Use https, a loopback address, or pass allow_insecure_http=True."
        )
    return url.rstrip("/")


@dataclass(frozen=True)
class ClientConfig:
    """Everything a client needs to talk to OpenRouter.

    ``app_url``/``app_title``/``app_categories`` become the attribution headers
    ``HTTP-Referer``, ``X-OpenRouter-Title`` (and the older ``X-Title``) and
    ``X-OpenRouter-Categories``.
    """

    api_key: SecretKey | None = None
    base_url: str = DEFAULT_BASE_URL
    app_url: str | None = None
    app_title: str | None = None
    app_categories: tuple[str, ...] = ()
    extra_headers: Mapping[str, str] = field(default_factory=dict)
    timeouts: Timeouts = field(default_factory=Timeouts)
    max_retries: int = 2
    max_connections: int = 100
    max_keepalive_connections: int = 20
    allow_insecure_http: bool = False

    @classmethod
    def build(
        cls,
        *,
        api_key: str | SecretKey | None = None,
        base_url: str | None = None,
        app_url: str | None = None,
        app_title: str | None = None,
        app_categories: Sequence[str] | None = None,
        extra_headers: Mapping[str, str] | None = None,
        timeout: float | Timeouts | None = None,
        max_retries: int = 2,
        max_connections: int = 100,
        max_keepalive_connections: int = 20,
        allow_insecure_http: bool = False,
    ) -> ClientConfig:
        """Resolve arguments against the environment and validate them."""
        if api_key is None:
            env_key = os.environ.get(API_KEY_ENV)
            key = SecretKey(env_key) if env_key else None
        else:
            key = api_key if isinstance(api_key, SecretKey) else SecretKey(api_key)
        url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
        if max_retries < 0:
            raise ConfigurationError(f"max_retries must be >= 0, got {max_retries}")
        return cls(
            api_key=key,
            base_url=validate_base_url(url, allow_insecure_http=allow_insecure_http),
            app_url=app_url,
            app_title=app_title,
            app_categories=tuple(app_categories or ()),
            extra_headers=dict(extra_headers or {}),
            timeouts=Timeouts.coerce(timeout),
            max_retries=max_retries,
            max_connections=max_connections,
            max_keepalive_connections=max_keepalive_connections,
            allow_insecure_http=allow_insecure_http,
        )

    def headers(self) -> dict[str, str]:
        """Default headers for every request (the Authorization header included)."""
        headers = {
            "Accept": "application/json",
            "User-Agent": f"openrouter-integrations/{__version__}",
        }
        if self.app_url:
            headers["HTTP-Referer"] = self.app_url
        if self.app_title:
            headers["X-OpenRouter-Title"] = self.app_title
            headers["X-Title"] = self.app_title
        if self.app_categories:
            headers["X-OpenRouter-Categories"] = ",".join(self.app_categories)
        headers.update(self.extra_headers)
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key.reveal()}"
        return headers

    def require_key(self) -> None:
        if not self.api_key:
            raise ConfigurationError(
                "No OpenRouter API key. Pass api_key=... or set the "
                f"{API_KEY_ENV} environment variable (keys: https://openrouter.ai/keys)."
            )
