"""``serve --host 0.0.0.0`` (a phone on the LAN): the dashboard answers only this machine, unless
``--dashboard-allow-lan``; the identity providers stay reachable; the banner says so. The LAN
client is this machine through its own non-loopback address."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from emulator.apigateway.banner import lan_addresses
from emulator.launcher import run_serve, serve_argv
from tests.emulator.fixtures import template

ROOT = Path(__file__).resolve().parents[3]
DASHBOARD_APP = template("dashboard_app")


def _lan_address() -> str:
    addresses = lan_addresses()
    assert addresses, "this test needs a non-loopback IPv4 address on this machine"
    return addresses[0]


def test_on_all_interfaces_the_dashboard_answers_only_loopback(tmp_path: Path) -> None:
    argv = serve_argv("--host", "0.0.0.0", "--port", "0", "--template", str(DASHBOARD_APP), "--no-reload")
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT) as running:
        port = running.root_url.rsplit(":", 1)[1]
        assert f"Dashboard: {running.root_url}/_emulator/" in running.banner
        assert (
            "this machine only: LAN clients get 403 there, /_emulator/idp/ stays reachable" in running.banner
        )
        lan = f"http://{_lan_address()}:{port}"
        refused = requests.get(f"{lan}/_emulator/api/requests", timeout=10)
        assert refused.status_code == 403
        assert refused.json()["error"]["code"] == "dashboard_loopback_only"
        assert requests.get(f"{lan}/_emulator/requests", timeout=10).status_code == 403
        for page in ("functions", "api/functions", "secrets", "api/secrets?reveal=1"):
            assert requests.get(f"{lan}/_emulator/{page}", timeout=10).status_code == 403, page
        assert requests.get(f"{lan}/_emulator/idp/jwks.json", timeout=10).status_code == 200
        assert requests.get(f"{lan}/dev/echo", timeout=10).status_code == 200
        assert requests.get(f"{running.root_url}/_emulator/api/requests", timeout=10).status_code == 200


@pytest.mark.parametrize(
    ("option", "banner_line", "lan_status"),
    [
        ("--dashboard-allow-lan", "(open to the LAN: --dashboard-allow-lan)", 200),
        ("--no-dashboard", None, 404),
    ],
)
def test_the_dashboard_options(tmp_path: Path, option: str, banner_line: str | None, lan_status: int) -> None:
    argv = serve_argv(
        "--host",
        "0.0.0.0",
        "--port",
        "0",
        "--template",
        str(DASHBOARD_APP),
        "--no-reload",
        option,
    )
    with run_serve(argv, log_path=tmp_path / "serve.log", cwd=ROOT) as running:
        port = running.root_url.rsplit(":", 1)[1]
        if banner_line is None:
            assert "Dashboard:" not in running.banner
        else:
            assert banner_line in running.banner
        answer = requests.get(f"http://{_lan_address()}:{port}/_emulator/api/requests", timeout=10)
        assert answer.status_code == lan_status
