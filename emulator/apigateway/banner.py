"""The start-up banner on stdout: routes, base URLs (LAN ones for a phone), AWS endpoint, Ready.

Its last line is exactly ``Ready on http://HOST:PORT`` (no stage): tools wait for it.
"""

from __future__ import annotations

import ipaddress
import sys
from typing import TYPE_CHECKING, TextIO

from emulator.aws.stable_port import cli_example
from emulator.commands.clock import DEFAULT_URL as CLOCK_DEFAULT_URL
from emulator.template.model import DEFAULT_ROUTE, SamApp

if TYPE_CHECKING:
    from emulator.apigateway.server import ListeningAddress


def lan_addresses() -> list[str]:
    """This machine's non-loopback IPv4 addresses (what a phone on the same Wi-Fi can reach)."""
    try:
        import psutil
    except ImportError:  # pragma: no cover - psutil is a dependency of the emulator group
        return []
    found: list[str] = []
    for addresses in psutil.net_if_addrs().values():
        for address in addresses:
            if address.family.name != "AF_INET":
                continue
            ip = ipaddress.ip_address(address.address)
            if not ip.is_loopback and not ip.is_link_local and address.address not in found:
                found.append(address.address)
    return found


def route_rows(app: SamApp) -> list[tuple[str, str, str, str]]:
    rows = []
    for route in app.routes:
        api = app.apis.get(route.api_id) or app.http_apis.get(route.api_id)
        stage = api.stage_name if api else "?"
        prefix = "" if stage == DEFAULT_ROUTE else f"/{stage}"
        function = app.functions.get(route.function_id)
        target = function.function_name if function else route.function_id
        if route.mock is not None:
            target = "(mock)"
        elif route.failure is not None:
            target = "(fails: see the warnings)"
        rows.append(
            (
                route.method,
                _shown_path(prefix, route.path),
                target,
                route.authorizer or "-",
            )
        )
    return sorted(rows, key=lambda row: (row[1], row[0]))


def _shown_path(prefix: str, path: str) -> str:
    if path == DEFAULT_ROUTE:
        return f"{prefix}/* ($default route)"
    return f"{prefix}{path}" if path != "/" else f"{prefix}/"


def route_table(app: SamApp) -> list[str]:
    """The routes as aligned ``METHOD PATH FUNCTION AUTHORIZER`` lines (banner, ``validate``)."""
    rows = [("METHOD", "PATH", "FUNCTION", "AUTHORIZER"), *route_rows(app)]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    return [
        f"  {row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  {row[3]}" for row in rows
    ]


def dashboard_lines(server: ListeningAddress, *, allow_lan: bool) -> list[str]:
    lines = [f"Dashboard: {server.url}/_emulator/"]
    if server.host in ("0.0.0.0", "::", "") and not allow_lan:
        lines.append(
            "  (this machine only: LAN clients get 403 there, /_emulator/idp/ stays reachable; "
            "--dashboard-allow-lan opens it)"
        )
    elif allow_lan:
        lines.append("  (open to the LAN: --dashboard-allow-lan)")
    return lines


def print_banner(
    app: SamApp,
    server: ListeningAddress,
    *,
    aws_endpoint: str | None,
    dynamodb_endpoint: str | None = None,
    startup_s: float | None = None,
    warm_functions: int = 0,
    clock: bool = False,
    dashboard_lan: bool | None = None,
    out: TextIO = sys.stdout,
) -> None:
    """``dashboard_lan``: None without a dashboard (--no-dashboard), else whether clients off
    loopback may see it (--dashboard-allow-lan)."""
    lines = [f"{app.template_path} (stack {app.stack_name}, {app.region})", ""]
    lines.extend(route_table(app))
    lines.append("")
    all_apis = [*app.apis.values(), *app.http_apis.values()]
    stages = sorted({"" if api.stage_name == DEFAULT_ROUTE else api.stage_name for api in all_apis})
    lines.append("Base URLs:")
    for stage in stages:
        suffix = f"/{stage}" if stage else ""
        lines.append(f"  {server.url}{suffix}    (this machine, iOS simulator)")
        if server.host in ("0.0.0.0", "::", ""):
            for address in lan_addresses():
                lan_url = f"http://{address}:{server.port}{suffix}"
                lines.append(f"  {lan_url}    (LAN: a phone on the same network)")
    lines.append("  (the same paths also answer without the stage prefix)")
    if aws_endpoint:
        lines.append(f"AWS endpoint: {aws_endpoint}")
        lines.append(cli_example(aws_endpoint, app.region))
    if dynamodb_endpoint:
        lines.append(f"DynamoDB endpoint: {dynamodb_endpoint}")
    if clock:  # the emulator clock (emulator.clock), whose route serve's /_emulator app has
        where = "" if server.url == CLOCK_DEFAULT_URL else f" --url {server.url}"
        lines.append(f"Clock: real time (to test expiry: python -m emulator clock advance 15m{where})")
    if dashboard_lan is not None:
        lines.extend(dashboard_lines(server, allow_lan=dashboard_lan))
    if startup_s is not None:
        lines.append(f"Started in {startup_s:.2f} s")
    if warm_functions:
        lines.append(f"Warming {warm_functions} functions (--warm-containers eager)")
    lines.append(f"Ready on {server.url}")
    out.write("\n".join(lines) + "\n")
    out.flush()
