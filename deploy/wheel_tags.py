"""Check what pip unpacked against the target: each wheel's tags (``*.dist-info/WHEEL``) must load on
Lambda's python3.X for that architecture, i.e. pure Python, or CPython 3.X / the stable ABI up to
3.X, built for manylinux with glibc <= 2.34 (Amazon Linux 2023) on that machine type.
"""

from __future__ import annotations

import re
from pathlib import Path

MAX_GLIBC = (2, 34)
_MACHINE = {"arm64": "aarch64", "x86_64": "x86_64"}
_LEGACY_MANYLINUX = {"manylinux1": (2, 5), "manylinux2010": (2, 12), "manylinux2014": (2, 17)}
_PLATFORM = re.compile(
    r"^(?:manylinux_(?P<major>\d+)_(?P<minor>\d+)|(?P<legacy>manylinux\w+?))_(?P<arch>.+)$"
)


def wheel_tags(dist_info: Path) -> list[str]:
    wheel = dist_info / "WHEEL"
    return [
        line.split(":", 1)[1].strip()
        for line in wheel.read_text(encoding="utf-8").splitlines()
        if line.startswith("Tag:")
    ]


def tag_loads_on(tag: str, *, architecture: str, python_version: str) -> bool:
    interpreter, abi, platform = tag.split("-")
    major, minor = (int(p) for p in python_version.split(".")[:2])
    if platform == "any":
        return interpreter.startswith("py3") or interpreter == f"cp{major}{minor}"
    match = _PLATFORM.match(platform)
    if match is None or match["arch"] != _MACHINE[architecture]:
        return False
    glibc = _LEGACY_MANYLINUX.get(match["legacy"] or "") or (int(match["major"]), int(match["minor"]))
    if glibc > MAX_GLIBC:
        return False
    if abi == "abi3":
        return interpreter.startswith("cp3") and int(interpreter[3:]) <= minor
    return interpreter == f"cp{major}{minor}" and abi in {f"cp{major}{minor}", "none"}


def unloadable_wheels(site_dir: Path, *, architecture: str, python_version: str) -> list[str]:
    """``["name-version: tags"]`` for every installed wheel with no tag that loads on the target."""
    problems = []
    for dist_info in sorted(site_dir.glob("*.dist-info")):
        tags = wheel_tags(dist_info)
        if not any(tag_loads_on(t, architecture=architecture, python_version=python_version) for t in tags):
            problems.append(f"{dist_info.name.removesuffix('.dist-info')}: {', '.join(tags) or 'no tags'}")
    return problems
