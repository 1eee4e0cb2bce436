"""``make package``: the functions' zip for Lambda's Linux (arm64 or x86_64), without Docker.

Third-party code comes from the locked versions as prebuilt manylinux wheels for the target
(``pip install --platform ... --only-binary :all: --python-version 3.12 --implementation cp``):
no compiler and no container, and the wheels pip picks are the ones Lambda's Amazon Linux 2023
can load (glibc 2.34, so manylinux_2_34 and older). Then backend/ (the template's CodeUri) on
top, as Lambda's /var/task. No bytecode is shipped: it would be the build machine's Python's.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from deploy.archive import Archive, iter_files, write_zip
from deploy.errors import DeployError
from deploy.requirements import export_requirements
from deploy.wheel_tags import unloadable_wheels

ARCHITECTURES = ("arm64", "x86_64")
_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}
# Amazon Linux 2023 (python3.12's OS) has glibc 2.34: any manylinux up to 2_34 loads there.
_MANYLINUX = ("manylinux_2_34", "manylinux_2_28", "manylinux_2_17", "manylinux2014")
# Not code: left out of the zip (pip's console scripts carry the build host's interpreter path).
_SKIPPED_PARTS = frozenset({"__pycache__", "bin"})
_SKIPPED_SUFFIXES = (".pyc", ".pyo")
_SKIPPED_SOURCE_NAMES = frozenset({"README.md"})


@dataclass(frozen=True)
class PackageSpec:
    project_dir: Path
    code_dir: Path  # the template's CodeUri
    out_dir: Path  # build/deploy/<arch>
    architecture: str = "arm64"
    python_version: str = "3.12"
    bundle_boto3: bool = False


def pip_platforms(architecture: str) -> list[str]:
    if architecture not in _MACHINE:
        raise DeployError(f"unknown architecture {architecture!r}: use one of {', '.join(ARCHITECTURES)}")
    return [f"{tag}_{_MACHINE[architecture]}" for tag in _MANYLINUX]


def install_wheels(requirements: Path, target: Path, *, architecture: str, python_version: str) -> None:
    """Unpack the locked wheels for the target platform into ``target`` (emptied first)."""
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    command = [
        sys.executable,
        "-m",
        "pip",
        "install",
        "--quiet",
        "--disable-pip-version-check",
        "--no-deps",  # the export is the whole locked closure already
        "--no-compile",  # bytecode would be this interpreter's, not Lambda's 3.12
        "--only-binary",
        ":all:",
        "--implementation",
        "cp",
        "--python-version",
        python_version,
        *(arg for platform in pip_platforms(architecture) for arg in ("--platform", platform)),
        "--target",
        str(target),
        "--requirement",
        str(requirements),
    ]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        detail = (done.stderr.strip() or done.stdout.strip()).splitlines()[-3:]
        raise DeployError(f"pip could not install the {architecture} wheels: {' | '.join(detail)}")


def _skipped(relative: Path) -> bool:
    return any(part in _SKIPPED_PARTS for part in relative.parts) or relative.suffix in _SKIPPED_SUFFIXES


def collect_files(site_dir: Path, code_dir: Path) -> dict[str, Path]:
    """``{name in the zip: file}``: the wheels' files, then the function code at the same root."""
    files: dict[str, Path] = {}
    for path in iter_files(site_dir):
        relative = path.relative_to(site_dir)
        if not _skipped(relative):
            files[relative.as_posix()] = path
    for path in iter_files(code_dir):
        relative = path.relative_to(code_dir)
        if _skipped(relative) or relative.as_posix() in _SKIPPED_SOURCE_NAMES:
            continue
        name = relative.as_posix()
        if name in files:
            raise DeployError(f"{code_dir / relative}: clashes with a file of a dependency ({name})")
        files[name] = path
    return files


def build(spec: PackageSpec) -> Archive:
    if not (spec.code_dir / "auth_service").is_dir() and not any(spec.code_dir.glob("*.py")):
        raise DeployError(f"{spec.code_dir}: no function code there (the template's CodeUri)")
    requirements = export_requirements(
        spec.project_dir, spec.out_dir / "requirements.txt", bundle_boto3=spec.bundle_boto3
    )
    site_dir = spec.out_dir / "site"
    install_wheels(requirements, site_dir, architecture=spec.architecture, python_version=spec.python_version)
    wrong = unloadable_wheels(site_dir, architecture=spec.architecture, python_version=spec.python_version)
    if wrong:
        raise DeployError(f"wheels that would not load on Lambda {spec.architecture}: {'; '.join(wrong)}")
    return write_zip(collect_files(site_dir, spec.code_dir), spec.out_dir / "function.zip")


def describe(archive: Archive, spec: PackageSpec) -> str:
    boto3 = "boto3 bundled" if spec.bundle_boto3 else "boto3 from the Lambda runtime"
    return (
        f"{archive.path}: {archive.size_bytes / 1e6:.1f} MB zipped, {archive.unzipped_bytes / 1e6:.1f} MB "
        f"unzipped, {archive.entries} files ({spec.architecture}, python{spec.python_version}, {boto3})\n"
        f"sha256 {archive.sha256}"
    )
