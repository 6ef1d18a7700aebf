"""pytest plugin: record OpenRouter traffic once, replay it offline in every later run.

Loaded automatically once ``openrouter-integrations`` is installed (entry point
``openrouter_vcr``); without an install, enable it with
``-p openrouter_core.testing.pytest_plugin`` (when installed, do not list it in
``pytest_plugins`` too: pytest refuses a second registration). Only tests that use a
cassette need ``vcrpy`` and ``PyYAML`` (the ``[test]`` extra).

Use it in a test::

    import pytest

    @pytest.mark.openrouter_cassette                 # cassettes/test_chat/test_joke.yaml
    def test_joke(openrouter_api_key):
        chain = build_my_chain(api_key=openrouter_api_key)   # anything sending via httpx
        assert chain.invoke("Tell me a joke")

    @pytest.mark.openrouter_cassette("shared/weather")   # a chosen name
    async def test_weather(openrouter_cassette, openrouter_api_key):
        ...
        assert openrouter_cassette.all_played        # every recorded call was replayed

The marker alone activates the cassette for the whole test (sync or async); the
``openrouter_cassette`` fixture does the same and gives the vcrpy cassette object.
Marker keywords: ``allow_playback_repeats=True`` lets one recorded call answer
identical repeated requests.

Record, then replay::

    OPENROUTER_API_KEY=sk-or-... pytest --openrouter-record-mode=once tests/test_chat.py
    pytest tests/test_chat.py                        # replay: no key, no network

Record modes (``--openrouter-record-mode``, else ``$OPENROUTER_RECORD_MODE``, else
``none``): ``none`` replays only and fails on any request not in the cassette, with a
message saying how to record it; ``once`` records missing cassettes; ``new_episodes``
adds unrecorded requests to existing cassettes; ``all`` re-records everything.

Extra ``before_record_request`` hooks (e.g. request validation) come from the
``openrouter_request_hooks`` fixture; override it in a ``conftest.py``.

Cassettes go under the ini option ``openrouter_cassette_dir`` (default ``cassettes``,
relative to the rootdir). Secrets are scrubbed before anything is written (see
:mod:`openrouter_core.testing.cassettes`). Use the ``openrouter_api_key`` fixture for
the key: the real ``$OPENROUTER_API_KEY`` while recording, an obviously fake one in
replay. Point clients at ``https://openrouter.ai/api/v1`` (the default base URL).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Generator, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from . import FAKE_API_KEY, RECORD_MODE_ENV, RECORD_MODES, resolve_record_mode

if TYPE_CHECKING:
    from .cassettes import OpenRouterCassette

MARKER = "openrouter_cassette"
_OPTION = "--openrouter-record-mode"
_INI_DIR = "openrouter_cassette_dir"
_INI_CATALOG = "openrouter_catalog"
_CALL_REPORT = pytest.StashKey[pytest.TestReport]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("openrouter", "OpenRouter cassettes (record/replay)")
    group.addoption(
        _OPTION,
        choices=RECORD_MODES,
        default=None,
        help=f"record mode for OpenRouter cassettes (default: ${RECORD_MODE_ENV}, else none)",
    )
    parser.addini(
        _INI_CATALOG,
        "record/replay the model catalog once per session in <cassette dir>/"
        "openrouter_catalog.yaml, before the first cassette (default: true)",
        type="bool",
        default=True,
    )
    parser.addini(
        _INI_DIR,
        "directory of OpenRouter cassettes, relative to the rootdir (default: cassettes)",
        default="cassettes",
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(name=None, *, allow_playback_repeats=False): record/replay this test's "
        "HTTP traffic in an OpenRouter cassette (default name: <module>/<test>)",
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.stash[_CALL_REPORT] = report


@pytest.fixture(scope="session")
def openrouter_record_mode(pytestconfig: pytest.Config) -> str:
    """The record mode in force: the command-line option, ``$OPENROUTER_RECORD_MODE``, or none."""
    try:
        return resolve_record_mode(pytestconfig.getoption(_OPTION))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None


@pytest.fixture(scope="session")
def openrouter_cassette_dir(pytestconfig: pytest.Config) -> Path:
    """Where cassettes live (ini ``openrouter_cassette_dir``, relative to the rootdir)."""
    configured = Path(str(pytestconfig.getini(_INI_DIR) or "cassettes"))
    return configured if configured.is_absolute() else pytestconfig.rootpath / configured


@pytest.fixture
def openrouter_request_hooks() -> list[Callable[[Any], Any]]:
    """Extra vcrpy ``before_record_request`` hooks for every cassette (default: none).

    Override it in a ``conftest.py``, e.g. to check every request a test sends; the
    hooks run on the scrubbed request when recording, at replay before matching, and
    on each recorded request when a cassette loads. Return the request (or None to
    leave it out of the cassette).
    """
    return []


@pytest.fixture
def openrouter_api_key(openrouter_record_mode: str) -> str:
    """``$OPENROUTER_API_KEY`` while recording, else a fake key (replays need none)."""
    if openrouter_record_mode != "none":
        live = os.environ.get("OPENROUTER_API_KEY", "")
        if live:
            return live
    return FAKE_API_KEY


def _default_name(item: pytest.Item) -> str:
    test = re.sub(r"[^\w.-]+", "-", item.name).strip("-")
    cls = getattr(item, "cls", None)
    if cls is not None:
        test = f"{cls.__name__}.{test}"
    return f"{item.path.stem}/{test}"


@pytest.fixture(scope="session")
def openrouter_catalog_cache(
    pytestconfig: pytest.Config,
    tmp_path_factory: pytest.TempPathFactory,
    openrouter_record_mode: str,
    openrouter_cassette_dir: Path,
) -> Iterator[Path]:
    """Load the model catalog once per session, from its own cassette, into a private cache.

    Models check requests against the catalog, so the first test to need it would
    otherwise record ``GET /models`` in its own cassette (or, with a warm user cache,
    in none at all, and then fail in CI). This fixture records and replays it as
    ``<cassette dir>/openrouter_catalog.yaml`` and points
    ``$OPENROUTER_CATALOG_CACHE_DIR`` at a session directory for the whole run, so
    which test runs first, and what is cached on the developer's machine, never matter.
    Turn it off with the ini option ``openrouter_catalog = false`` (for suites that do
    not use this package's models), or override it in a ``conftest.py`` to provide a
    catalog some other way.
    """
    from openrouter_core import OpenRouterClient
    from openrouter_core.catalog import CACHE_DIR_ENV

    try:
        from .cassettes import use_cassette
    except ImportError as exc:
        pytest.fail(f"{MARKER} needs the test extra: {exc}", pytrace=False)
    cache_dir = tmp_path_factory.mktemp("openrouter-catalog")
    if not pytestconfig.getini(_INI_CATALOG):
        yield cache_dir
        return
    previous = os.environ.get(CACHE_DIR_ENV)
    os.environ[CACHE_DIR_ENV] = str(cache_dir)
    key = os.environ.get("OPENROUTER_API_KEY", "") if openrouter_record_mode != "none" else ""
    try:
        with (
            use_cassette(
                "openrouter_catalog",
                cassette_dir=openrouter_cassette_dir,
                record_mode=openrouter_record_mode,
                record_command=f"pytest {_OPTION}=once",
            ),
            OpenRouterClient(api_key=key or FAKE_API_KEY) as client,
        ):
            client.catalog.ensure()
        yield cache_dir
    finally:
        if previous is None:
            os.environ.pop(CACHE_DIR_ENV, None)
        else:
            os.environ[CACHE_DIR_ENV] = previous


@pytest.fixture
def openrouter_cassette(
    request: pytest.FixtureRequest,
    openrouter_record_mode: str,
    openrouter_cassette_dir: Path,
    openrouter_request_hooks: list[Callable[[Any], Any]],
    openrouter_catalog_cache: Path,
) -> Iterator[OpenRouterCassette]:
    """Record or replay this test's HTTP traffic; yields the vcrpy cassette.

    The name comes from ``@pytest.mark.openrouter_cassette("name")``, else
    ``<module>/<test>``. A request missing from the cassette fails the test, even if
    the code under test caught the error.
    """
    try:
        from .cassettes import use_cassette
    except ImportError as exc:
        pytest.fail(f"{MARKER} needs the test extra: {exc}", pytrace=False)
    node = request.node
    marker = node.get_closest_marker(MARKER)
    args: tuple[Any, ...] = marker.args if marker else ()
    kwargs: dict[str, Any] = dict(marker.kwargs) if marker else {}
    name = str(kwargs.pop("name", None) or (args[0] if args else _default_name(node)))
    command = f"pytest {_OPTION}={{mode}} '{node.nodeid}'"
    with use_cassette(
        name,
        cassette_dir=openrouter_cassette_dir,
        record_mode=openrouter_record_mode,
        record_command=command,
        before_record_request=openrouter_request_hooks,
        allow_playback_repeats=bool(kwargs.pop("allow_playback_repeats", False)),
    ) as cassette:
        yield cassette
    report = node.stash.get(_CALL_REPORT, None)
    if cassette.misses and (report is None or report.passed):
        pytest.fail(
            f"{len(cassette.misses)} request(s) missing from the cassette were swallowed "
            f"by the code under test; the first:\n{cassette.misses[0]}",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _openrouter_cassette_marker(request: pytest.FixtureRequest) -> None:
    """Activate the cassette for tests carrying the marker (does nothing otherwise)."""
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("openrouter_cassette")
