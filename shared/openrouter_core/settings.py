"""The one settings object: everything a client needs, resolved and validated once.

:class:`Settings` is frozen and hashable, so the process-wide pool
(:func:`openrouter_core.shared_clients`) uses it as its key and both framework
adapters build it through the same :meth:`Settings.build`. Values come from the
arguments first, then the environment:

* ``OPENROUTER_API_KEY``: the key;
* ``OPENROUTER_BASE_URL`` (or ``OPENROUTER_API_BASE``, the official packages' name):
  the API base;
* ``OPENROUTER_CATALOG_URL``: where the model catalog comes from (default: the API
  base when it serves ``/models``, else OpenRouter's public catalog);
* ``OPENROUTER_APP_URL``, ``OPENROUTER_APP_TITLE``: attribution headers.

The key is held in a :class:`SecretKey`, which never shows its value in ``repr`` or
``str``; a base URL that embeds credentials is refused.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, Literal
from urllib.parse import urlsplit

from ._version import __version__
from .errors import ConfigurationError

__all__ = [
    "API_BASE_ENV",
    "API_KEY_ENV",
    "BASE_URL_ENV",
    "CATALOG_URL_ENV",
    "DEFAULT_BASE_URL",
    "PUBLIC_CATALOG_URL",
    "CapabilityPolicy",
    "SecretKey",
    "Settings",
    "Timeouts",
    "missing_key_error",
    "validate_base_url",
]

DEFAULT_BASE_URL = "https://openrouter.ai/api/v1"
#: Requests one client has in flight at once unless told otherwise.
DEFAULT_MAX_CONCURRENT_REQUESTS = 64
#: OpenRouter's public model catalog: it needs no key.
PUBLIC_CATALOG_URL = DEFAULT_BASE_URL + "/models"
API_KEY_ENV = "OPENROUTER_API_KEY"
BASE_URL_ENV = "OPENROUTER_BASE_URL"
#: The name LangChain's and LlamaIndex's official OpenRouter packages read.
API_BASE_ENV = "OPENROUTER_API_BASE"
CATALOG_URL_ENV = "OPENROUTER_CATALOG_URL"
APP_URL_ENV = "OPENROUTER_APP_URL"
APP_TITLE_ENV = "OPENROUTER_APP_TITLE"

CapabilityPolicy = Literal["error", "warn", "off"]

#: Attribution headers OpenRouter reads (``X-Title`` is the older spelling).
_ATTRIBUTION = ("http-referer", "x-openrouter-title", "x-title", "x-openrouter-categories")


class SecretKey:
    """An API key that never prints itself. Call :meth:`reveal` to use it.

    A pickle keeps the key (pickles are process transport, e.g. to a worker
    process); ``repr``, ``str``, logs and framework serialisation never show it.
    """

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
        return hash(("SecretKey", self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


def missing_key_error() -> ConfigurationError:
    """The one error for a missing key, on every path (chat, catalog, embeddings)."""
    return ConfigurationError(
        f"{API_KEY_ENV} must be set: pass api_key=... (openrouter_api_key in LangChain) "
        f"or set the {API_KEY_ENV} environment variable (keys: https://openrouter.ai/keys)."
    )


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
        if not seconds > 0 or seconds == float("inf"):
            raise ConfigurationError(f"timeout must be a positive number of seconds, got {value!r}")
        return cls(connect=min(seconds, 10.0), read=seconds, write=seconds, pool=seconds)


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def validate_base_url(
    url: str, *, allow_insecure_http: bool = False, what: str = "base_url"
) -> str:
    """Refuse a URL with credentials in it, and plain http unless it is loopback or
    explicitly allowed. Returns the URL without a trailing slash."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        parts, host = None, None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise ConfigurationError(f"{what} must be an http(s) URL, got {_redact(url)!r}")
    if "@" in parts.netloc:
        # Never echo it: the part before '@' is typically the key itself.
        raise ConfigurationError(
            f"{what} must not contain a user name or password ({parts.scheme}://***@{host}/...): "
            "it would show in logs and serialised objects and be sent as Basic auth. Pass the "
            "key as api_key=... (or OPENROUTER_API_KEY) and gateway credentials as "
            "default_headers instead."
        )
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(host):
        raise ConfigurationError(
            f"Refusing to send the API key over plain http to {host!r}. "
            "Use https, a loopback address, or pass allow_insecure_http=True."
        )
    return url.rstrip("/")


def _redact(url: str) -> str:
    head, at, tail = url.rpartition("@")
    if not at:
        return url
    scheme, sep, _ = head.partition("://")
    return f"{scheme}{sep}***@{tail}" if sep else f"***@{tail}"


#: Header names that say the same thing: a caller's value for one replaces all.
_SYNONYMS = {"x-title": "title", "x-openrouter-title": "title"}


def _merge_headers(
    base: Mapping[str, str], extra: Mapping[str, str] | Sequence[tuple[str, str]] | None
) -> dict[str, str]:
    """``base`` updated with ``extra``, case-insensitively: a name given in ``extra``
    replaces any spelling of it in ``base`` (a header is never sent twice), and a
    title given as ``X-Title`` or ``X-OpenRouter-Title`` replaces both built-in ones."""
    merged = dict(base)
    items = extra.items() if isinstance(extra, Mapping) else (extra or ())
    for name, value in items:
        key = name.lower()
        group = _SYNONYMS.get(key)
        for existing in list(merged):
            low = existing.lower()
            if low == key or (group is not None and _SYNONYMS.get(low) == group):
                del merged[existing]
        merged[name] = str(value)
    return merged


@dataclass(frozen=True)
class Settings:
    """Everything that identifies a client: its key, where it sends requests, its
    headers, timeouts, retry budget and concurrency bound.

    Build one with :meth:`build` (which resolves the environment and validates);
    clients and both framework adapters take it as is.

    Attributes:
        api_key: the key (``None``: requests fail with a ``ConfigurationError``).
        base_url: the API base, without a trailing slash.
        catalog_url: the ``/models`` URL to read the catalog from (``None``: the API
            base's ``/models``, falling back to OpenRouter's public catalog).
        app_url, app_title, app_categories: attribution headers ``HTTP-Referer``,
            ``X-OpenRouter-Title`` (and ``X-Title``), ``X-OpenRouter-Categories``.
        headers: more headers for every request; a name here replaces an
            attribution header of any spelling.
        timeouts: connect / read / write / pool seconds.
        max_retries: retries of a retryable failure on the same model (default 2).
        max_retry_wait: the retry budget in seconds: a ``Retry-After`` longer than
            this is not waited for (the route moves on, or the error is raised at once).
        retry_delay: a fixed wait in seconds between retries (``None``: exponential
            backoff from 0.5 s with jitter); a ``Retry-After`` still takes precedence.
        max_concurrent_requests: in-flight requests per client; further calls wait
            for a slot (so thousands of concurrent calls queue instead of failing).
        capability_check: ``"error"``, ``"warn"`` or ``"off"``.
        allow_insecure_http: allow a non-loopback ``http://`` base URL.
        rate_limit: an object asked before every HTTP attempt (see
            :class:`openrouter_core.TokenBucket`); ``None`` for no pacing.
    """

    api_key: SecretKey | None = None
    base_url: str = DEFAULT_BASE_URL
    catalog_url: str | None = None
    app_url: str | None = None
    app_title: str | None = None
    app_categories: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    timeouts: Timeouts = field(default_factory=Timeouts)
    max_retries: int = 2
    max_retry_wait: float = 60.0
    retry_delay: float | None = None
    max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS
    capability_check: CapabilityPolicy = "error"
    allow_insecure_http: bool = False
    rate_limit: Any = None

    def __hash__(self) -> int:
        # Hashed on every pool lookup: computed once (as the dataclass would), kept out
        # of pickles (string hashes differ between processes).
        found: int | None = self.__dict__.get("_hash")
        if found is None:
            found = hash(tuple(getattr(self, f.name) for f in fields(self)))
            object.__setattr__(self, "_hash", found)
        return found

    def __getstate__(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if k != "_hash"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    @classmethod
    def build(
        cls,
        *,
        api_key: str | SecretKey | None = None,
        base_url: str | None = None,
        catalog_url: str | None = None,
        app_url: str | None = None,
        app_title: str | None = None,
        app_categories: Sequence[str] | str | None = None,
        headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
        timeout: float | Timeouts | None = None,
        max_retries: int = 2,
        max_retry_wait: float = 60.0,
        retry_delay: float | None = None,
        max_concurrent_requests: int = DEFAULT_MAX_CONCURRENT_REQUESTS,
        capability_check: CapabilityPolicy = "error",
        allow_insecure_http: bool = False,
        rate_limit: Any = None,
    ) -> Settings:
        """Resolve arguments against the environment and validate them."""
        if isinstance(api_key, SecretKey):
            key: SecretKey | None = api_key if api_key else None
        else:
            value = api_key if api_key is not None else os.environ.get(API_KEY_ENV)
            key = SecretKey(value) if value else None
        url = base_url or os.environ.get(BASE_URL_ENV) or os.environ.get(API_BASE_ENV)
        base = validate_base_url(url or DEFAULT_BASE_URL, allow_insecure_http=allow_insecure_http)
        catalog = catalog_url or os.environ.get(CATALOG_URL_ENV) or None
        if catalog is not None:
            catalog = validate_base_url(catalog, allow_insecure_http=True, what="catalog_url")
        if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
            raise ConfigurationError(f"max_retries must be an integer >= 0, got {max_retries!r}")
        if not max_retry_wait >= 0:
            raise ConfigurationError(f"max_retry_wait must be >= 0 seconds, got {max_retry_wait!r}")
        if retry_delay is not None and not retry_delay >= 0:
            raise ConfigurationError(f"retry_delay must be >= 0 seconds, got {retry_delay!r}")
        if (
            isinstance(max_concurrent_requests, bool)
            or not isinstance(max_concurrent_requests, int)
            or max_concurrent_requests < 1
        ):
            raise ConfigurationError(
                f"max_concurrent_requests must be an integer >= 1, got {max_concurrent_requests!r}"
            )
        if capability_check not in ("error", "warn", "off"):
            raise ConfigurationError(
                f"capability_check must be 'error', 'warn' or 'off', got {capability_check!r}"
            )
        if isinstance(app_categories, str):
            app_categories = [c.strip() for c in app_categories.split(",") if c.strip()]
        return cls(
            api_key=key,
            base_url=base,
            catalog_url=catalog,
            app_url=app_url or os.environ.get(APP_URL_ENV) or None,
            app_title=app_title or os.environ.get(APP_TITLE_ENV) or None,
            app_categories=tuple(app_categories or ()),
            headers=tuple(sorted((str(k), str(v)) for k, v in _header_pairs(headers))),
            timeouts=Timeouts.coerce(timeout),
            max_retries=max_retries,
            max_retry_wait=float(max_retry_wait),
            retry_delay=None if retry_delay is None else float(retry_delay),
            max_concurrent_requests=max_concurrent_requests,
            capability_check=capability_check,
            allow_insecure_http=allow_insecure_http,
            rate_limit=rate_limit,
        )

    def __repr__(self) -> str:
        key = "SecretKey('**********')" if self.api_key else "None"
        return f"Settings(base_url={self.base_url!r}, api_key={key})"

    def require_key(self) -> SecretKey:
        if not self.api_key:
            raise missing_key_error()
        return self.api_key

    def request_headers(self) -> dict[str, str]:
        """Headers for every request to the API base (``Authorization`` included).

        They go on each request, never into an ``httpx`` client's defaults, so a
        caller's own client is never changed."""
        headers: dict[str, str] = {
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
        headers = _merge_headers(headers, self.headers)
        if self.api_key:
            headers["Authorization"] = f"Bearer {self.api_key.reveal()}"
        return headers

    def replace(self, **changes: Any) -> Settings:
        """A copy with ``changes`` (validated like :meth:`build` where it matters)."""
        from dataclasses import replace

        if "base_url" in changes:
            changes["base_url"] = validate_base_url(
                changes["base_url"],
                allow_insecure_http=changes.get("allow_insecure_http", self.allow_insecure_http),
            )
        return replace(self, **changes)


def is_attribution_header(name: str) -> bool:
    return name.lower() in _ATTRIBUTION


def _header_pairs(headers: Mapping[str, str] | Iterable[tuple[str, str]] | None) -> Any:
    """``(name, value)`` pairs of a mapping or of an iterable of pairs."""
    if headers is None:
        return ()
    return headers.items() if isinstance(headers, Mapping) else headers
