from __future__ import annotations

import json

import pytest

from emulator.errors import UserError
from emulator.template import apply_env_vars, apply_env_vars_files, load_app


@pytest.fixture
def app(fixtures_dir):
    return load_app(fixtures_dir / "explicit_api" / "template.yaml")


def test_parameters_apply_to_all_functions_and_function_sections_win(app, tmp_path):
    env_file = tmp_path / "env.json"
    env_file.write_text(
        json.dumps(
            {
                "Parameters": {"SHARED": "from-parameters", "UNDECLARED": "ignored"},
                "ItemsFn": {"OWN": 42, "SHARED": True},
            }
        )
    )
    updated = apply_env_vars(app, env_file)
    assert updated.functions["ItemsFn"].environment == {"SHARED": "true", "OWN": "42"}
    # Only declared variables are overridden, as SAM CLI does.
    assert updated.functions["AuthFn"].environment == {"SHARED": "from-parameters"}
    assert app.functions["ItemsFn"].environment == {"SHARED": "global", "OWN": "mine"}  # not mutated


def test_several_files_apply_in_order_later_keys_winning(app, tmp_path):
    first, second = tmp_path / "first.json", tmp_path / "second.json"
    first.write_text(json.dumps({"Parameters": {"SHARED": "first", "OWN": "first"}}))
    second.write_text(json.dumps({"ItemsFn": {"OWN": "second"}}))
    merged = apply_env_vars_files(app, [first, second])
    assert merged.functions["ItemsFn"].environment == {"SHARED": "first", "OWN": "second"}
    assert apply_env_vars_files(app, []) is app


def test_function_name_section_also_applies(app, tmp_path):
    env_file = tmp_path / "env.json"
    env_file.write_text(json.dumps({"custom-authorizer": {"SHARED": "by-name"}}))
    assert apply_env_vars(app, env_file).functions["AuthFn"].environment == {"SHARED": "by-name"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"Parameters": "x"}', "objects only"),
        ('{"ItemsFn": {"OWN": [1]}}', "value of OWN must be a string"),
    ],
)
def test_bad_env_vars_files(app, tmp_path, content, message):
    env_file = tmp_path / "env.json"
    env_file.write_text(content)
    with pytest.raises(UserError, match=message):
        apply_env_vars(app, env_file)


def test_missing_env_vars_file(app, tmp_path):
    with pytest.raises(UserError, match="env-vars file not found"):
        apply_env_vars(app, tmp_path / "missing.json")
