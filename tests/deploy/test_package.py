"""``make package`` end to end: locked Linux wheels from PyPI + backend/, reproducible, self-describing.

Needs PyPI (or pip's cache): the wheels are downloaded for a platform this machine is not.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from deploy.archive import sha256_of
from deploy.package import PackageSpec, build, collect_files
from deploy.requirements import export_requirements, locked_runtime_sdk, runtime_provided_packages
from deploy.wheel_tags import unloadable_wheels

REPO_ROOT = Path(__file__).resolve().parents[2]


def _spec(out_dir: Path, **overrides: object) -> PackageSpec:
    fields: dict = {"project_dir": REPO_ROOT, "code_dir": REPO_ROOT / "backend", "out_dir": out_dir}
    fields.update(overrides)
    return PackageSpec(**fields)


@pytest.fixture(scope="module")
def cli_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """``python -m deploy package`` (what ``make package`` runs): the zip and what it printed."""
    out_dir = tmp_path_factory.mktemp("cli")
    done = subprocess.run(
        [sys.executable, "-m", "deploy", "--out-dir", str(out_dir), "package"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return out_dir / "arm64" / "function.zip", done.stdout


@pytest.fixture(scope="module")
def arm64_builds(tmp_path_factory: pytest.TempPathFactory, cli_build: tuple[Path, str]) -> tuple[Path, Path]:
    """Two builds of the same inputs, in other directories at other times."""
    return cli_build[0], build(_spec(tmp_path_factory.mktemp("api") / "arm64")).path


def test_same_inputs_give_the_same_zip(arm64_builds: tuple[Path, Path]) -> None:
    first, second = arm64_builds
    assert first.parent != second.parent
    assert sha256_of(first) == sha256_of(second)


def test_the_zip_holds_the_code_and_linux_arm64_wheels_but_not_boto3(arm64_builds: tuple[Path, Path]) -> None:
    with zipfile.ZipFile(arm64_builds[0]) as zf:
        names = zf.namelist()
    top = {name.split("/", 1)[0] for name in names}
    # The handlers sit at the root, as the template's Handler strings expect (/var/task).
    assert "auth_service/handlers/login.py" in names
    assert "auth_service/common_passwords.txt" in names
    assert {"jwt", "bcrypt", "cryptography", "aws_lambda_powertools", "jmespath"} <= top
    assert not top & {"boto3", "botocore", "s3transfer", "urllib3", "dateutil", "six.py"}
    assert not [
        n for n in names if n.endswith((".pyc", ".pyo")) or "/__pycache__/" in n or n.startswith("bin/")
    ]
    assert not [n for n in names if n.endswith("README.md") and n.startswith("auth_service")]
    shared_objects = [n for n in names if n.endswith(".so")]
    assert shared_objects
    assert all("x86_64" not in n for n in shared_objects)
    assert "_cffi_backend.cpython-312-aarch64-linux-gnu.so" in names


def test_arm64_wheel_tags_load_on_lambda(arm64_builds: tuple[Path, Path]) -> None:
    site_dir = arm64_builds[0].parent / "site"
    assert unloadable_wheels(site_dir, architecture="arm64", python_version="3.12") == []
    # ...and the check can fail: the same wheels are not x86_64 ones.
    assert unloadable_wheels(site_dir, architecture="x86_64", python_version="3.12")


def test_runtime_provided_packages_are_boto3_and_what_only_it_needs() -> None:
    excluded = runtime_provided_packages(REPO_ROOT / "uv.lock")
    assert excluded == {"boto3", "botocore", "s3transfer", "urllib3", "python-dateutil", "six"}
    sdk = locked_runtime_sdk(REPO_ROOT / "uv.lock")
    assert any(p.startswith("boto3==") for p in sdk)
    assert any(p.startswith("jmespath==") for p in sdk)


def test_requirements_pin_boto3_only_when_bundled(tmp_path: Path) -> None:
    runtime_text = export_requirements(REPO_ROOT, tmp_path / "runtime.txt", bundle_boto3=False).read_text()
    bundled_text = export_requirements(REPO_ROOT, tmp_path / "bundled.txt", bundle_boto3=True).read_text()
    runtime, bundled = _pinned(runtime_text), _pinned(bundled_text)
    assert runtime == {
        "aws-lambda-powertools",
        "bcrypt",
        "cffi",
        "cryptography",
        "jmespath",
        "pycparser",
        "pyjwt",
        "typing-extensions",
    }
    assert bundled == runtime | runtime_provided_packages(REPO_ROOT / "uv.lock")
    assert "--hash=sha256:" in runtime_text  # pip verifies every wheel against the lock


def _pinned(requirements: str) -> set[str]:
    return {
        line.split("==", 1)[0] for line in requirements.splitlines() if line[:1].isalpha() and "==" in line
    }


def test_code_clashing_with_a_dependency_is_refused(tmp_path: Path) -> None:
    site, code = tmp_path / "site", tmp_path / "code"
    (site / "jwt").mkdir(parents=True)
    (site / "jwt" / "__init__.py").write_text("")
    (code / "jwt").mkdir(parents=True)
    (code / "jwt" / "__init__.py").write_text("")
    from deploy.errors import DeployError

    with pytest.raises(DeployError, match=r"clashes with a file of a dependency \(jwt/__init__.py\)"):
        collect_files(site, code)


def test_cli_prints_size_and_hash(cli_build: tuple[Path, str]) -> None:
    zip_path, stdout = cli_build
    first_line, second_line = stdout.strip().splitlines()
    assert first_line.startswith(f"{zip_path}: ")
    assert " MB zipped, " in first_line
    assert "(arm64, python3.12, boto3 from the Lambda runtime)" in first_line
    assert second_line == f"sha256 {sha256_of(zip_path)}"


def test_cli_user_mistake_is_one_line(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "deploy", "--template", str(missing), "package"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        f"error: {missing}: cannot read the template: No such file or directory"
    ]
