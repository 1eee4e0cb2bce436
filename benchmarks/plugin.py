"""The pytest plugin's data reset: ``@pytest.mark.sam_fresh_data`` empties the app's tables.

The app is this repository's (template.yaml: four tables, the signing-key secret), started in this
process as the plugin starts it (``create_app``). Each round fills every table with
``BENCH_RESET_ITEMS`` items, then times ``app.emulator.reset_tables()`` (every table deleted and
created anew, keys, indexes and TTL as the template says; the workers keep running). The
baseline, measured in the same run: starting a new app, which is what a test would otherwise
need for empty tables. Budget: the reset under 1 s, and under a quarter of a new start.
"""

from __future__ import annotations

import os
import statistics
import time
from pathlib import Path
from typing import Any

from emulator import log
from emulator.flask_app import create_app

REPO_ROOT = Path(__file__).resolve().parents[1]
ITEMS = int(os.environ.get("BENCH_RESET_ITEMS", "500"))
ROUNDS = int(os.environ.get("BENCH_RESET_ROUNDS", "5"))
OPTIONS: dict[str, Any] = {
    "env_vars": [REPO_ROOT / "env.local.json", REPO_ROOT / "tests/integration/env.json"],
    "hot_reload": False,
}


def _fill(dynamodb: Any, items: int) -> int:
    """``items`` items in every table (their keys, as the table says); how many in all."""
    written = 0
    for name in dynamodb.list_tables()["TableNames"]:
        table = dynamodb.describe_table(TableName=name)["Table"]
        types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
        for start in range(0, items, 25):
            batch = []
            for index in range(start, min(start + 25, items)):
                item = {
                    key: {"S": f"bench-{index}"} if kind == "S" else {"N": str(index)}
                    for key, kind in types.items()
                }
                batch.append({"PutRequest": {"Item": item}})
            dynamodb.batch_write_item(RequestItems={name: batch})
            written += len(batch)
    return written


def _counted(dynamodb: Any) -> int:
    return sum(
        dynamodb.scan(TableName=name, Select="COUNT")["Count"]
        for name in dynamodb.list_tables()["TableNames"]
    )


def run() -> dict[str, Any]:
    log.configure("warning")  # the tables' creation lines are not figures
    started = time.perf_counter()
    app = create_app(REPO_ROOT / "template.yaml", **OPTIONS)
    start_s = time.perf_counter() - started
    emulator = app.extensions["emulator"]
    try:
        dynamodb = emulator.aws_client("dynamodb")
        emulator.reset_tables()  # the first one makes its boto3 client: not what a test pays
        resets = []
        for _ in range(ROUNDS):
            filled = _fill(dynamodb, ITEMS)
            assert _counted(dynamodb) == filled
            begin = time.perf_counter()
            tables = emulator.reset_tables()
            resets.append(time.perf_counter() - begin)
            assert _counted(dynamodb) == 0
    finally:
        emulator.close()
    reset_s = statistics.median(resets)
    figures: dict[str, Any] = {
        "tables": len(tables),
        "items_per_table": ITEMS,
        "reset_median_s": round(reset_s, 4),
        "reset_max_s": round(max(resets), 4),
        "new_app_s": round(start_s, 3),
    }
    print(
        f"  reset of {len(tables)} tables holding {ITEMS} items each: median {reset_s * 1000:.0f} ms, "
        f"max {max(resets) * 1000:.0f} ms ({ROUNDS} rounds); a new app instead: {start_s:.2f} s"
    )
    ratio = reset_s / start_s
    figures["budgets"] = [
        {"name": "reset (s)", "value": round(reset_s, 4), "limit": "< 1", "ok": reset_s < 1.0},
        {"name": "reset / new app", "value": round(ratio, 3), "limit": "< 0.25", "ok": ratio < 0.25},
    ]
    return figures


if __name__ == "__main__":  # pragma: no cover - `make bench` imports run()
    run()
