"""A pytest plugin that runs your SAM app for the test session and hands out clients.

    # conftest.py at the top of your tests
    pytest_plugins = ["emulator.pytest_plugin"]

    def test_login(sam_api, sam_emails):
        assert sam_api.post("/auth/register", json={...}).status_code == 201
        assert "code" in sam_emails.latest("ann@example.com")["text"]

The app starts once per session (per xdist worker), in this process (:func:`emulator.flask_app.create_app`),
on the first test that asks for it; its workers and AWS endpoint stop at the session's end.

Options (each also an ini value: ``sam_template``, ``sam_env_vars``, ``sam_parameter_overrides``,
whose paths are relative to the ini file; files and overrides given on the command line come after
the ini's, and a later key wins, as with ``serve``):

- ``--sam-template PATH`` (default ``template.yaml``)
- ``--sam-env-vars FILE`` (repeatable), ``--sam-parameter-overrides K=V ...``
- ``--sam-base-url URL``: test a running or deployed stack instead (with the stage). Tests that
  need the app in this process (they use ``sam_aws`` or ``sam_logs``, or reset its data) are
  then deselected, and the summary says how many: never skipped, which would read as passed.

A template or option that does not start is one error (the first test that needs the app),
its reason in one line, and the run stops there, as ``-x`` would: every test that needs the
app would fail the same way.

Fixtures: ``sam_api`` (session), ``sam_aws`` (session), ``sam_emails``, ``sam_logs``,
``sam_fresh_data`` (the tables emptied before the test, as the ``@pytest.mark.sam_fresh_data``
marker does); data is otherwise kept between tests. ``sam_app_options`` (session) is the
``create_app`` keywords: override it in a conftest to change any other ``serve`` option.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from emulator.sam_fixtures import LambdaLogs, SamApi, SamAws, SamEmails

MARKER = "sam_fresh_data"
# Fixtures that need the app in this process: their tests are deselected against --sam-base-url.
EMBEDDED_FIXTURES = ("sam_aws", "sam_logs", "sam_fresh_data")
_DESELECTED = pytest.StashKey[int]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sam", "the SAM app under test (emulator.pytest_plugin)")
    group.addoption("--sam-template", default=None, metavar="PATH", help="default: template.yaml")
    group.addoption(
        "--sam-env-vars",
        action="append",
        default=[],
        metavar="FILE",
        help="sam local --env-vars JSON; repeatable, after the ini's (a later key wins)",
    )
    group.addoption(
        "--sam-parameter-overrides",
        nargs="+",
        action="extend",
        default=[],
        metavar="KEY=VALUE",
        help="template parameters, after the ini's (a later KEY wins)",
    )
    group.addoption(
        "--sam-base-url",
        default=None,
        metavar="URL",
        help="test a running or deployed stack (with the stage) instead of starting the app",
    )
    parser.addini("sam_template", "the SAM template (default template.yaml)", type="paths", default=[])
    parser.addini("sam_env_vars", "sam local --env-vars JSON files, in order", type="paths", default=[])
    parser.addini("sam_parameter_overrides", "KEY=VALUE template parameters", type="args", default=[])


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{MARKER}: the SAM app's tables are emptied before this test (emulator.pytest_plugin)"
    )
    for item in config.getoption("--sam-parameter-overrides"):
        if "=" not in item:  # e.g. a test path the option's list swallowed
            raise pytest.UsageError(
                f"--sam-parameter-overrides: expected KEY=VALUE, got {item!r} "
                "(put test paths before the option, or write --sam-parameter-overrides=KEY=VALUE)"
            )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if config.getoption("--sam-base-url") is None:
        return
    kept, dropped = [], []
    for item in items:
        needs_embedded = item.get_closest_marker(MARKER) is not None or any(
            name in getattr(item, "fixturenames", ()) for name in EMBEDDED_FIXTURES
        )
        (dropped if needs_embedded else kept).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
        config.stash[_DESELECTED] = len(dropped)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    deselected = config.stash.get(_DESELECTED, 0)
    if deselected:
        terminalreporter.write_line(
            f"sam: {deselected} test(s) need the app in this process (they use "
            f"{', '.join(EMBEDDED_FIXTURES)}) and were deselected against --sam-base-url"
        )


@pytest.fixture(scope="session")
def sam_app_options(pytestconfig: pytest.Config) -> dict[str, Any]:
    """The keywords of :func:`emulator.flask_app.create_app` the plugin starts the app with."""
    config = pytestconfig
    given = config.getoption("--sam-template")
    ini_template = config.getini("sam_template")
    template = Path(given) if given else (ini_template[0] if ini_template else Path("template.yaml"))
    env_vars = [*config.getini("sam_env_vars"), *(Path(p) for p in config.getoption("--sam-env-vars"))]
    overrides = [*config.getini("sam_parameter_overrides"), *config.getoption("--sam-parameter-overrides")]
    return {
        "template": template,
        "env_vars": env_vars,
        "parameter_overrides": overrides,
        # Code does not change during a test run: no file polling.
        "hot_reload": False,
    }


@pytest.fixture(scope="session")
def sam_api(
    request: pytest.FixtureRequest,
    pytestconfig: pytest.Config,
    sam_app_options: dict[str, Any],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SamApi]:
    """The API under test: ``base_url``, ``session``/``get``/``post``..., ``flask_client``."""
    from emulator.sam_fixtures import SamApi

    base_url = pytestconfig.getoption("--sam-base-url")
    if base_url is not None:
        api = SamApi(base_url)
        yield api
        api.close()
        return
    log_path = tmp_path_factory.mktemp("sam") / "emulator.log"
    handler = _log_to(log_path)
    try:
        app = _start_app(sam_app_options)
    except Exception as exc:
        _stop_logging(handler)
        message = _describe(exc, sam_app_options)
        app = None
    if app is None:
        # One error, not one per test: every test that needs the app would fail the same way,
        # so the run stops after this one (as -x would), with the reason in one line.
        request.session.shouldfail = f"the SAM app did not start: {message}"
        pytest.fail(f"the SAM app did not start: {message}", pytrace=False)
    emulator = app.extensions["emulator"]
    api = SamApi(f"{emulator.url}/{emulator.stages[0]}" if emulator.stages else emulator.url, app=app)
    api.log_path = log_path
    try:
        yield api
    finally:
        api.close()
        _stop_logging(handler)


@pytest.fixture(scope="session")
def sam_aws(sam_api: SamApi) -> SamAws:
    """The AWS endpoint the functions use: ``endpoint_url``, ``client("dynamodb")``..."""
    from emulator.sam_fixtures import SamAws

    return SamAws(sam_api.emulator)


@pytest.fixture
def sam_emails(sam_api: SamApi) -> SamEmails:
    """The emails SES caught: ``messages(to=None)``, ``latest(to)``."""
    from emulator.sam_fixtures import SamEmails

    return SamEmails(sam_api.root_url)


@pytest.fixture(scope="session")
def _sam_lambda_logs(sam_api: SamApi) -> Iterator[LambdaLogs]:
    from emulator import log
    from emulator.sam_fixtures import LambdaLogs

    capture = LambdaLogs(sam_api.emulator)
    logger = logging.getLogger(log.LAMBDA)
    logger.addHandler(capture)
    yield capture
    logger.removeHandler(capture)


@pytest.fixture
def sam_logs(_sam_lambda_logs: LambdaLogs) -> LambdaLogs:
    """The functions' log lines (START, output, END, REPORT) of this test: ``lines``, ``text``, ``in``."""
    _sam_lambda_logs.clear()
    return _sam_lambda_logs


@pytest.fixture
def sam_fresh_data(sam_api: SamApi) -> None:
    """The app's tables emptied before this test (the workers keep running)."""
    sam_api.emulator.reset_tables()


@pytest.fixture(autouse=True)
def _sam_fresh_data_marker(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("sam_fresh_data")


def _start_app(options: dict[str, Any]) -> Any:
    from emulator.flask_app import create_app

    options = dict(options)
    return create_app(options.pop("template"), **options)


def _describe(exc: Exception, options: dict[str, Any]) -> str:
    """The reason in one line: the emulator's own message for a user error, else the exception."""
    from emulator.errors import UserError

    if isinstance(exc, UserError):  # it names the template or the option at fault itself
        return str(exc)
    return f"{options.get('template')}: {type(exc).__name__}: {exc}"


def _log_to(path: Path) -> logging.Handler:
    """The emulator's log of this session in ``path``; its records also reach pytest's capture
    (shown with a failing test's report)."""
    from emulator import log

    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(log.EmulatorFormatter())
    root = logging.getLogger(log.ROOT)
    root.addHandler(handler)
    if root.getEffectiveLevel() > logging.INFO:
        root.setLevel(logging.INFO)
    return handler


def _stop_logging(handler: logging.Handler) -> None:
    from emulator import log

    logging.getLogger(log.ROOT).removeHandler(handler)
    handler.close()
