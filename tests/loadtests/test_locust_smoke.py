"""A short headless Locust run of the app model against the embedded stack (part of ``make test``).

The stack runs with bcrypt cost 4 (env.local.json and an env-vars file of its own) on a free port
(the ``stack`` fixture of conftest.py).
The run uses the real locustfile (its weighted ``IosAppUser`` and its budgets listener) plus
``TourUser`` apps that take every journey once; it ends when the tours are done. Asserted: Locust's
exit code (the budgets listener: no failed request), no failures in its CSVs, and every endpoint of
the journeys hit. No latency is asserted here (that is what ``make load`` and its budgets are for).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from loadtests.stack import REPO_ROOT, LocalStack

TOUR_LOCUSTFILE = Path(__file__).resolve().parent / "tour_locustfile.py"
JOURNEY_ENDPOINTS = {
    ("POST", "/auth/register"),
    ("POST", "/auth/login"),
    ("GET", "/auth/validate"),
    ("POST", "/auth/refresh"),
    ("GET", "/users/me"),
    ("PATCH", "/users/me"),
    ("POST", "/auth/logout"),
    ("POST", "/auth/email/verify"),
    ("POST", "/auth/password/forgot"),
    ("POST", "/auth/password/reset"),
}
# An upper bound only: the run ends by itself once every tour is done (a few seconds).
RUN_TIME_LIMIT = "150s"


@pytest.fixture(scope="module")
def locust_run(stack: LocalStack, tmp_path_factory: pytest.TempPathFactory) -> tuple[int, str, Path]:
    out = tmp_path_factory.mktemp("locust")
    budgets = out / "budgets.toml"
    budgets.write_text("max_fail_ratio = 0.0\n")  # failures only: no latency budget in a test
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(TOUR_LOCUSTFILE),
        "--headless",
        "--users",
        "4",
        "--spawn-rate",
        "4",
        "--run-time",
        RUN_TIME_LIMIT,
        "--host",
        stack.base_url,
        "--think-time-scale",
        "0.05",
        "--emails-url",
        f"{stack.root_url}/_emulator/emails",
        "--budgets",
        str(budgets),
        "--only-summary",
        "--summary-html",
        str(out / "summary.html"),
        # The final statistics, written at shutdown from the runner's own figures. (The CSVs are
        # written by a greenlet once a second and can miss the last requests of a run that ends
        # right after them, e.g. a tour's final logout.)
        "--json-file",
        str(out / "stats"),  # Locust appends ".json"
    ]
    proc = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=240)
    return proc.returncode, proc.stdout + proc.stderr, out


def _stats(out: Path) -> dict[tuple[str, str], dict[str, Any]]:
    entries = json.loads((out / "stats.json").read_text())
    return {(entry["method"], entry["name"]): entry for entry in entries}


def test_run_passes_its_budgets(locust_run: tuple[int, str, Path]) -> None:
    code, output, _ = locust_run
    assert code == 0, f"locust exited with {code}:\n{output[-4000:]}"
    assert "All budgets met." in output


def test_no_request_failed(locust_run: tuple[int, str, Path]) -> None:
    _, output, out = locust_run
    failed = {
        endpoint: entry["num_failures"] for endpoint, entry in _stats(out).items() if entry["num_failures"]
    }
    assert failed == {}, f"failed requests: {failed}\n{output[-4000:]}"


def test_every_journey_endpoint_was_hit(locust_run: tuple[int, str, Path]) -> None:
    _, output, out = locust_run
    stats = _stats(out)
    missing = sorted(e for e in JOURNEY_ENDPOINTS if stats.get(e, {}).get("num_requests", 0) == 0)
    assert missing == [], f"endpoints never requested: {missing}\n{output[-4000:]}"
    assert set(stats) <= JOURNEY_ENDPOINTS, f"requests named outside the journeys: {set(stats)}"


def test_the_html_summary_names_every_endpoint_and_budget(locust_run: tuple[int, str, Path]) -> None:
    _, output, out = locust_run
    page = out / "summary.html"
    assert f"Summary: {page.resolve()}" in output
    html = page.read_text()
    assert '<p class="verdict pass" id="verdict">All budgets met.</p>' in html, output[-4000:]
    for method, path in _stats(out):
        assert f"<td>{method} {path}</td>" in html, f"{method} {path} not in the summary"
    # The test's budgets file has the fail ratio only: its verdict, with the run's request count.
    requests = sum(entry["num_requests"] for entry in _stats(out).values())
    assert (
        f'<td>fail ratio</td><td>0.00% (0 of {requests})</td><td>0.00%</td><td class="met">met</td>' in html
    )
