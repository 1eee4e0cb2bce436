from __future__ import annotations

import pytest

from emulator.errors import TemplateError
from emulator.template.documents import parse_template_text


def parse(text: str) -> dict:
    return parse_template_text(text, "t.yaml")


def test_short_form_tags_become_long_form():
    doc = parse(
        """
        A: !Ref Param
        B: !GetAtt Table.Arn
        C: !GetAtt [Table, StreamArn]
        D: !GetAtt Db.Endpoint.Address
        E: !Sub "${AWS::Region}-x"
        F: !Sub ["${a}", {a: !Ref P}]
        G: !Join [",", [a, b]]
        H: !If [Cond, !Ref A, !Ref AWS::NoValue]
        I: !Equals [a, b]
        J: !Not [!Condition C]
        K: !And [!Condition C, !Condition D]
        L: !Or [!Condition C, !Condition D]
        M: !Select [0, !Split [",", "a,b"]]
        N: !FindInMap [Map, Top, Key]
        O: !ImportValue exported
        P: !Base64 text
        """
    )
    assert doc["A"] == {"Ref": "Param"}
    assert doc["B"] == {"Fn::GetAtt": ["Table", "Arn"]}
    assert doc["C"] == {"Fn::GetAtt": ["Table", "StreamArn"]}
    assert doc["D"] == {"Fn::GetAtt": ["Db", "Endpoint.Address"]}
    assert doc["E"] == {"Fn::Sub": "${AWS::Region}-x"}
    assert doc["F"] == {"Fn::Sub": ["${a}", {"a": {"Ref": "P"}}]}
    assert doc["G"] == {"Fn::Join": [",", ["a", "b"]]}
    assert doc["H"] == {"Fn::If": ["Cond", {"Ref": "A"}, {"Ref": "AWS::NoValue"}]}
    assert doc["I"] == {"Fn::Equals": ["a", "b"]}
    assert doc["J"] == {"Fn::Not": [{"Condition": "C"}]}
    assert doc["K"] == {"Fn::And": [{"Condition": "C"}, {"Condition": "D"}]}
    assert doc["L"] == {"Fn::Or": [{"Condition": "C"}, {"Condition": "D"}]}
    assert doc["M"] == {"Fn::Select": [0, {"Fn::Split": [",", "a,b"]}]}
    assert doc["N"] == {"Fn::FindInMap": ["Map", "Top", "Key"]}
    assert doc["O"] == {"Fn::ImportValue": "exported"}
    assert doc["P"] == {"Fn::Base64": "text"}


def test_dates_stay_strings_as_in_cloudformation():
    doc = parse("AWSTemplateFormatVersion: 2010-09-09\nVersion: 2012-10-17\n")
    assert doc == {"AWSTemplateFormatVersion": "2010-09-09", "Version": "2012-10-17"}


def test_json_template_is_read():
    assert parse('{"Resources": {"A": {"Type": "X"}}}') == {"Resources": {"A": {"Type": "X"}}}


def test_yaml_syntax_error_names_file_and_line():
    with pytest.raises(TemplateError, match=r"t\.yaml: invalid YAML at line 3, column 12: mapping values"):
        parse("Resources:\n  A:\n    Type: a: b\n")


def test_json_syntax_error_names_file():
    with pytest.raises(TemplateError, match=r"t\.yaml: invalid JSON at line 1"):
        parse('{"Resources": }')


def test_a_scalar_document_is_refused():
    with pytest.raises(TemplateError, match="must be a mapping"):
        parse("just text")
