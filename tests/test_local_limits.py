"""README "Limits in a local loop": the limits it states are the ones `make up` sets, and
`make up IP_LIMIT=N` sets every per-IP limit of the template (a new one must join it)."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

from emulator.template.documents import read_template

ROOT = Path(__file__).resolve().parents[1]


def _parameters() -> dict[str, dict]:
    return read_template(ROOT / "template.yaml")["Parameters"]


def _readme_section() -> str:
    text = (ROOT / "README.md").read_text()
    return text[text.index("### Limits in a local loop") : text.index("### Testing expiry: the clock")]


def test_the_readme_states_the_limits_make_up_runs_with():
    parameters = _parameters()
    rows = re.findall(r"^\| [^|]+ \| (\d+) \| `(\w+)` \|$", _readme_section(), re.MULTILINE)
    per_ip = {name for name in parameters if name.endswith("IpLimit")}
    assert {name for _, name in rows} == per_ip
    for limit, name in rows:
        assert parameters[name]["Default"] == int(limit), name
    section = _readme_section()
    assert f"(`IpLimitWindowSeconds`, {parameters['IpLimitWindowSeconds']['Default']} s)" in section
    assert f"`ApiThrottleRateLimit` {parameters['ApiThrottleRateLimit']['Default']}/s" in section
    assert f"`ApiThrottleBurstLimit` {parameters['ApiThrottleBurstLimit']['Default']}" in section
    # make up's env-vars file sets none of them (else the table would not be what runs).
    local = json.loads((ROOT / "env.local.json").read_text())["Parameters"]
    assert not [key for key in local if "LIMIT" in key or "THROTTLE" in key]


def test_make_up_ip_limit_sets_every_per_ip_limit_of_the_template():
    per_ip = {name for name in _parameters() if name.endswith("IpLimit")}
    dry_run = subprocess.run(
        ["make", "--no-print-directory", "-n", "up", "IP_LIMIT=0"], cwd=ROOT, capture_output=True, text=True
    )
    assert dry_run.returncode == 0, dry_run.stderr
    overrides = dry_run.stdout.split("--parameter-overrides", 1)[1].split()
    assert {item.split("=")[0] for item in overrides if item.endswith("=0")} == per_ip
    plain = subprocess.run(
        ["make", "--no-print-directory", "-n", "up"], cwd=ROOT, capture_output=True, text=True
    )
    assert "--parameter-overrides" not in plain.stdout  # without IP_LIMIT: the template's defaults
