"""Which wheel tags load on Lambda's python3.12 (Amazon Linux 2023, glibc 2.34) per architecture."""

from __future__ import annotations

import pytest

from deploy.wheel_tags import tag_loads_on


@pytest.mark.parametrize(
    ("tag", "architecture", "loads"),
    [
        ("py3-none-any", "arm64", True),
        ("cp312-cp312-manylinux_2_17_aarch64", "arm64", True),
        ("cp312-cp312-manylinux2014_aarch64", "arm64", True),
        ("cp311-abi3-manylinux_2_34_aarch64", "arm64", True),
        ("cp39-abi3-manylinux_2_28_x86_64", "x86_64", True),
        ("cp312-cp312-manylinux_2_17_x86_64", "arm64", False),  # wrong machine
        ("cp312-cp312-manylinux_2_17_aarch64", "x86_64", False),
        ("cp311-cp311-manylinux_2_17_aarch64", "arm64", False),  # another CPython's ABI
        ("cp313-abi3-manylinux_2_17_aarch64", "arm64", False),  # stable ABI newer than 3.12
        ("cp312-cp312-manylinux_2_35_aarch64", "arm64", False),  # needs a newer glibc than AL2023's
        ("cp312-cp312-musllinux_1_2_aarch64", "arm64", False),
        ("cp312-cp312-macosx_11_0_arm64", "arm64", False),
        ("py2-none-any", "arm64", False),
    ],
)
def test_tag_loads_on_lambda(tag: str, architecture: str, loads: bool) -> None:
    assert tag_loads_on(tag, architecture=architecture, python_version="3.12") is loads
