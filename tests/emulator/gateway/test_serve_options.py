"""``serve``'s option handling: parameter overrides and ``{{emulator.url}}`` substitution."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emulator.commands.serve import parse_parameter_overrides, substituted_env_vars_file
from emulator.errors import UserError

BASE = "http://127.0.0.1:4321"


def test_parameter_overrides_both_forms_and_url_placeholder() -> None:
    overrides = parse_parameter_overrides(
        [
            "Stage=dev",
            "ParameterKey=JwksUrl,ParameterValue={{emulator.url}}/_emulator/idp/jwks.json",
            "Empty=",
        ],
        BASE,
    )
    assert overrides == {"Stage": "dev", "JwksUrl": f"{BASE}/_emulator/idp/jwks.json", "Empty": ""}


@pytest.mark.parametrize("item", ["novalue", "=x"])
def test_bad_parameter_override_is_a_user_error(item: str) -> None:
    with pytest.raises(UserError, match="parameter-overrides"):
        parse_parameter_overrides([item], BASE)


def test_env_vars_file_gets_the_url_substituted(tmp_path: Path) -> None:
    original = tmp_path / "env.json"
    original.write_text(json.dumps({"Parameters": {"ISSUER": "{{emulator.url}}/x", "N": 3}}))
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    copy = substituted_env_vars_file(original, BASE, scratch)
    assert copy != original
    assert json.loads(copy.read_text()) == {"Parameters": {"ISSUER": f"{BASE}/x", "N": 3}}


def test_env_vars_file_without_placeholder_is_used_as_is(tmp_path: Path) -> None:
    original = tmp_path / "env.json"
    original.write_text('{"Parameters": {"A": "b"}}')
    assert substituted_env_vars_file(original, BASE, tmp_path) == original
