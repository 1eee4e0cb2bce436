"""The Lambda artifact: size of the zip `make package` builds, per architecture and boto3 choice.

Reported, not budgeted: Lambda's limit is 50 MB zipped / 250 MB unzipped, far above these.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from deploy.package import PackageSpec, build

REPO_ROOT = Path(__file__).resolve().parent.parent


def run() -> dict[str, Any]:
    figures: dict[str, Any] = {"artifacts": []}
    print(f"  {'artifact':<32}{'zipped MB':>10}{'unzipped MB':>13}{'files':>7}{'build s':>9}")
    for architecture, bundle_boto3 in (("arm64", False), ("x86_64", False), ("arm64", True)):
        with tempfile.TemporaryDirectory(prefix="bench-package-") as out:
            spec = PackageSpec(
                project_dir=REPO_ROOT,
                code_dir=REPO_ROOT / "backend",
                out_dir=Path(out),
                architecture=architecture,
                bundle_boto3=bundle_boto3,
            )
            started = time.perf_counter()
            archive = build(spec)
            elapsed = time.perf_counter() - started
        label = f"{architecture}, boto3 {'bundled' if bundle_boto3 else 'from the runtime'}"
        row = {
            "artifact": label,
            "zipped_mb": round(archive.size_bytes / 1e6, 2),
            "unzipped_mb": round(archive.unzipped_bytes / 1e6, 2),
            "files": archive.entries,
            "build_s": round(elapsed, 1),
        }
        figures["artifacts"].append(row)
        print(
            f"  {label:<32}{row['zipped_mb']:>10.2f}{row['unzipped_mb']:>13.2f}{row['files']:>7}"
            f"{row['build_s']:>9.1f}",
            flush=True,
        )
    return figures
