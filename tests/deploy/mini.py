"""The small SAM app the deploy tests deploy to moto (fixtures/mini), and a request for it."""

from __future__ import annotations

from pathlib import Path

from deploy.archive import iter_files, write_zip
from deploy.deployer import DeployRequest

MINI = Path(__file__).parent / "fixtures" / "mini"
BUCKET = "deploy-test-bucket"


def write_mini_zip(out: Path) -> Path:
    code = MINI / "code"
    files = {p.relative_to(code).as_posix(): p for p in iter_files(code) if p.suffix == ".py"}
    return write_zip(files, out).path


def mini_request(zip_path: Path, **overrides: object) -> DeployRequest:
    """``make deploy``'s request for the mini app, without waiting (moto is immediate)."""
    fields: dict = {
        "template_path": MINI / "template.yaml",
        "zip_path": zip_path,
        "stage": "test",
        "bucket": BUCKET,
        "poll_interval_s": 0.0,
        "signing_key_timeout_s": 0.0,
        "transform_locally": True,  # moto's CloudFormation has no SAM transform
    }
    fields.update(overrides)
    return DeployRequest(**fields)  # type: ignore[arg-type]
