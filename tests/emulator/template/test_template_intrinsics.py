from __future__ import annotations

from typing import Any

import pytest

from emulator.template.intrinsics import NO_VALUE, IntrinsicError, IntrinsicResolver


class TwoResources:
    """A small ResourceReferences: a table and a function."""

    def has(self, logical_id: str) -> bool:
        return logical_id in ("Table", "Fn")

    def ref(self, logical_id: str) -> Any:
        return {"Table": "stack-Table", "Fn": "Fn"}[logical_id]

    def get_att(self, logical_id: str, attribute: str) -> Any:
        return f"arn-of-{logical_id}.{attribute}"


def resolver(**conditions: Any) -> IntrinsicResolver:
    return IntrinsicResolver(
        parameters={"Env": "prod", "List": ["a", "b", "c"], "Num": "3"},
        pseudo_parameters={"AWS::Region": "eu-west-1", "AWS::AccountId": "111"},
        mappings={"Cfg": {"prod": {"Level": "INFO"}}},
        conditions={
            "IsProd": {"Fn::Equals": [{"Ref": "Env"}, "prod"]},
            "IsDev": {"Fn::Not": [{"Condition": "IsProd"}]},
            "Loop": {"Condition": "Loop"},
            **conditions,
        },
        resources=TwoResources(),
    )


def test_ref_parameters_pseudo_and_resources():
    r = resolver()
    assert r.resolve({"Ref": "Env"}) == "prod"
    assert r.resolve({"Ref": "List"}) == ["a", "b", "c"]
    assert r.resolve({"Ref": "AWS::Region"}) == "eu-west-1"
    assert r.resolve({"Ref": "Table"}) == "stack-Table"


def test_unknown_ref_and_getatt_targets_are_errors():
    with pytest.raises(IntrinsicError, match="Ref to 'Nope'"):
        resolver().resolve({"Ref": "Nope"})
    with pytest.raises(IntrinsicError, match="Fn::GetAtt of 'Nope'"):
        resolver().resolve({"Fn::GetAtt": ["Nope", "Arn"]})


def test_sub_both_forms_escapes_and_getatt():
    r = resolver()
    assert r.resolve({"Fn::Sub": "${Env}-${AWS::Region}-${Table}-${Fn.Arn}-${!Literal}"}) == (
        "prod-eu-west-1-stack-Table-arn-of-Fn.Arn-${Literal}"
    )
    assert r.resolve({"Fn::Sub": ["${x}/${Env}", {"x": {"Ref": "Num"}}]}) == "3/prod"


def test_no_value_removes_keys_and_list_items():
    r = resolver()
    value = {"a": {"Ref": "AWS::NoValue"}, "b": [1, {"Ref": "AWS::NoValue"}, 2]}
    assert r.resolve(value) == {"b": [1, 2]}
    assert r.resolve({"Ref": "AWS::NoValue"}) is NO_VALUE


def test_conditions_and_if():
    r = resolver(Both={"Fn::And": [{"Condition": "IsProd"}, {"Fn::Equals": ["1", 1]}]})
    assert r.condition("IsProd") is True
    assert r.condition("IsDev") is False
    assert r.condition("Both") is True
    assert r.resolve({"Fn::If": ["IsDev", "dev", "prod"]}) == "prod"
    assert r.resolve({"Fn::Or": [{"Condition": "IsDev"}, {"Condition": "IsProd"}]}) is True
    with pytest.raises(IntrinsicError, match="refers to itself"):
        r.condition("Loop")
    with pytest.raises(IntrinsicError, match="unknown condition"):
        r.resolve({"Fn::If": ["Missing", 1, 2]})


def test_if_resolves_only_the_chosen_branch():
    # The other branch refers to something unknown; CloudFormation does not evaluate it either.
    assert resolver().resolve({"Fn::If": ["IsProd", "ok", {"Ref": "Unknown"}]}) == "ok"


def test_join_select_split_findinmap_base64_getazs():
    r = resolver()
    assert r.resolve({"Fn::Join": ["-", [{"Ref": "Env"}, "x", 1]]}) == "prod-x-1"
    assert r.resolve({"Fn::Select": [1, {"Ref": "List"}]}) == "b"
    assert r.resolve({"Fn::Select": ["2", {"Fn::Split": ["/", "x/y/z"]}]}) == "z"
    assert r.resolve({"Fn::FindInMap": ["Cfg", {"Ref": "Env"}, "Level"]}) == "INFO"
    assert r.resolve({"Fn::FindInMap": ["Cfg", "dev", "Level", {"DefaultValue": "WARN"}]}) == "WARN"
    assert r.resolve({"Fn::Base64": "hi"}) == "aGk="
    assert r.resolve({"Fn::GetAZs": ""}) == ["eu-west-1a", "eu-west-1b", "eu-west-1c"]
    with pytest.raises(IntrinsicError, match="Fn::Select index 9"):
        r.resolve({"Fn::Select": [9, ["a"]]})
    with pytest.raises(IntrinsicError, match="no Cfg/dev/Level"):
        r.resolve({"Fn::FindInMap": ["Cfg", "dev", "Level"]})


def test_a_mapping_with_other_keys_is_plain_data():
    assert resolver().resolve({"Ref": "Env", "Other": 1}) == {"Ref": "Env", "Other": 1}


def test_an_iam_condition_block_is_data_not_a_condition_reference():
    block = {"Condition": {"StringEquals": {"aws:SourceAccount": {"Ref": "AWS::AccountId"}}}}
    assert resolver().resolve(block) == {"Condition": {"StringEquals": {"aws:SourceAccount": "111"}}}
