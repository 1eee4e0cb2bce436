"""The stack under test, through the emulator's pytest plugin (``emulator.pytest_plugin``): the
embedded app (template.yaml, ``env.local.json`` then ``tests/integration/env.json``: the ini values
in pyproject.toml), started once per session in this process, or a running or deployed stack.

Options (the plugin's, ``--sam-...``, and these):
  --sam-base-url URL     a deployed stage or any running stack, with the stage
                         (e.g. http://127.0.0.1:3000/prod)
  --idp-url URL|none     the local identity provider (default: the target's own /_emulator/idp;
                         "none" when it has none, e.g. a deployed stage: the Google sign-in tests
                         that need it are then not collected)
  --login-ip-limit N     the target's per-IP login limit per window (default: env.json's for the
                         embedded app; with --sam-base-url, the template's defaults, which
                         `make up` and a stage deployed without overrides run)
  --register-ip-limit N, --google-ip-limit N, --reauth-ip-limit N, --apple-ip-limit N,
  --password-reset-ip-limit N   likewise (tests/integration/limits.py)

Tests that cannot run against a target are deselected (and counted as such), never skipped:
``embedded_only`` (needs the emulator's log), ``local_idp`` (needs the IdP), ``distinct_ips``
(needs distinct loopback source addresses, so a loopback target); and, by the plugin, those that
use ``sam_aws`` or ``sam_logs``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest

from emulator.sam_fixtures import SamApi
from tests.integration.api import Api, LoopbackAddresses, SecretsLedger, is_loopback_url
from tests.integration.limits import LIMIT_OPTIONS, suite_limit_variables, template_limit_variables
from tests.integration.mailbox import Mailbox

IDP_PREFIX = "/_emulator/idp"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("integration", "integration suite target")
    group.addoption("--idp-url", default=None, help="local identity provider URL, or 'none'")
    for option in LIMIT_OPTIONS.values():
        group.addoption(
            option,
            type=int,
            default=None,
            help="default: env.json's for the embedded app; with --sam-base-url, the template's defaults "
            "(what `make up` and a stage deployed without overrides run)",
        )


def _limits(config: pytest.Config) -> dict[str, int]:
    """The target's per-IP limits: as given, else the embedded app's (env.json), else, for a given
    base URL, the template's defaults (``make up`` changes none of them)."""
    given_url = config.getoption("--sam-base-url") is not None
    defaults = template_limit_variables() if given_url else suite_limit_variables()
    limits = {}
    for variable, option in LIMIT_OPTIONS.items():
        given = config.getoption(option)
        limits[variable.lower()] = given if given is not None else int(defaults[variable])
    return limits


def _idp_url(config: pytest.Config) -> str | None:
    """The IdP's base URL; derived from the target's origin when not given (serve and compose mount it)."""
    given = config.getoption("--idp-url")
    if given is not None:
        return None if given.lower() == "none" else given.rstrip("/")
    base_url = config.getoption("--sam-base-url")
    if base_url is None:
        return "embedded"  # resolved once the stack is up
    parts = urlsplit(base_url)
    return f"{parts.scheme}://{parts.netloc}{IDP_PREFIX}"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Tests that cannot run against this target are left out of the run (and said so), never
    # skipped: a skip would read as "passed" on a target where the check did not happen.
    base_url = config.getoption("--sam-base-url")
    available = {
        "embedded_only": base_url is None,
        "local_idp": _idp_url(config) is not None,
        # The email catcher is served by the emulator, on the same origin as its identity providers.
        "local_email": _idp_url(config) is not None,
        "distinct_ips": base_url is None or is_loopback_url(base_url),
    }
    kept, dropped = [], []
    for item in items:
        if any(item.get_closest_marker(name) is not None and not ok for name, ok in available.items()):
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "embedded_only: needs the embedded stack (its log)")
    config.addinivalue_line("markers", "local_idp: needs the local identity provider (--idp-url)")
    config.addinivalue_line(
        "markers", "local_email: reads the emails the stack sent (the emulator's catcher)"
    )
    config.addinivalue_line("markers", "distinct_ips: needs distinct loopback source addresses")


@dataclass(frozen=True)
class Target:
    base_url: str  # with the stage, no trailing slash
    idp_url: str | None  # e.g. http://127.0.0.1:3000/_emulator/idp
    loopback: bool
    login_ip_limit: int
    register_ip_limit: int
    google_ip_limit: int
    reauth_ip_limit: int
    apple_ip_limit: int
    password_reset_ip_limit: int


@pytest.fixture(scope="session")
def target(request: pytest.FixtureRequest, sam_api: SamApi) -> Target:
    config = request.config
    given_idp = config.getoption("--idp-url")
    return Target(
        base_url=sam_api.base_url,
        idp_url=f"{sam_api.root_url}{IDP_PREFIX}" if given_idp is None else _idp_url(config),
        loopback=is_loopback_url(sam_api.base_url),
        **_limits(config),
    )


@pytest.fixture(scope="session")
def ledger() -> SecretsLedger:
    return SecretsLedger()


@pytest.fixture(scope="session")
def addresses() -> LoopbackAddresses:
    return LoopbackAddresses()


@pytest.fixture(scope="session")
def make_api(target: Target, ledger: SecretsLedger, addresses: LoopbackAddresses) -> Iterator:
    """Factory of clients; on a loopback target each gets its own source address (its own sourceIp)."""
    clients: list[Api] = []

    def factory(*, own_ip: bool = True) -> Api:
        source_ip = addresses.next() if (own_ip and target.loopback) else None
        client = Api(target.base_url, source_ip=source_ip, ledger=ledger)
        clients.append(client)
        return client

    yield factory
    for client in clients:
        client.close()


@pytest.fixture
def api(make_api) -> Api:
    """A client for one test, with a source address of its own (so per-IP limits are per test)."""
    return make_api()


@pytest.fixture
def idp_url(target: Target) -> str:
    assert target.idp_url is not None, "collected without a local IdP; see pytest_collection_modifyitems"
    return target.idp_url


@pytest.fixture
def mailbox(target: Target, sam_api: SamApi) -> Mailbox:
    """The emails the target sent (the plugin's ``sam_emails``, with their codes)."""
    assert target.idp_url is not None, "collected without the emulator; see pytest_collection_modifyitems"
    return Mailbox(sam_api.root_url)


@pytest.fixture
def apple_idp_url(target: Target) -> str:
    """The local Sign in with Apple provider (``/_emulator/idp/apple``)."""
    assert target.idp_url is not None, "collected without a local IdP; see pytest_collection_modifyitems"
    return target.idp_url + "/apple"
