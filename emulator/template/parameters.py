"""Template ``Parameters`` (defaults, overrides, constraints) and CloudFormation pseudo parameters."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.errors import TemplateError

# As with `sam local`, overrides for parameters the template does not declare are ignored.


def parameter_text(value: Any) -> str:
    """A parameter value as CloudFormation passes it: lists comma-joined, booleans lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(parameter_text(v) for v in value)
    return str(value)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _check_constraints(name: str, spec: Mapping[str, Any], text: str, source: str) -> None:
    """CloudFormation's parameter constraints; a violation fails the stack before anything runs."""
    where = f"{source}: parameter {name}"
    param_type = str(spec.get("Type", "String"))
    items = [item.strip() for item in text.split(",")] if param_type.startswith("List<") else [text]
    if param_type == "Number" or param_type == "List<Number>":
        for item in items:
            if not _is_number(item):
                raise TemplateError(f"{where}: '{item}' is not a number (Type {param_type})")
    allowed = spec.get("AllowedValues")
    if isinstance(allowed, list):
        allowed_text = [parameter_text(v) for v in allowed]
        for item in items:
            if item not in allowed_text:
                raise TemplateError(f"{where}: '{item}' is not one of the AllowedValues {allowed_text}")
    pattern = spec.get("AllowedPattern")
    if isinstance(pattern, str) and re.fullmatch(pattern, text) is None:
        description = spec.get("ConstraintDescription") or f"must match AllowedPattern {pattern}"
        raise TemplateError(f"{where}: '{text}' {description}")
    min_length, max_length = spec.get("MinLength"), spec.get("MaxLength")
    if min_length is not None and len(text) < int(min_length):
        raise TemplateError(f"{where}: shorter than MinLength {min_length}")
    if max_length is not None and len(text) > int(max_length):
        raise TemplateError(f"{where}: longer than MaxLength {max_length}")
    min_value, max_value = spec.get("MinValue"), spec.get("MaxValue")
    if param_type == "Number" and min_value is not None and float(text) < float(min_value):
        raise TemplateError(f"{where}: {text} is below MinValue {min_value}")
    if param_type == "Number" and max_value is not None and float(text) > float(max_value):
        raise TemplateError(f"{where}: {text} is above MaxValue {max_value}")


def resolve_parameters(
    declared: Any, overrides: Mapping[str, str] | None, source: str
) -> tuple[dict[str, Any], dict[str, str]]:
    """Return (values for Ref, values as text for SamApp.parameters).

    ``Ref`` of a ``CommaDelimitedList``/``List<...>`` parameter gives a list, as in CloudFormation.
    ``AWS::SSM::Parameter::Value<...>`` parameters cannot be looked up locally: their default or
    override is used as the value itself.
    """
    if declared is None:
        declared = {}
    if not isinstance(declared, dict):
        raise TemplateError(f"{source}: Parameters must be a mapping")
    overrides = overrides or {}
    ref_values: dict[str, Any] = {}
    text_values: dict[str, str] = {}
    for name, spec in declared.items():
        if not isinstance(spec, dict):
            raise TemplateError(f"{source}: parameter {name} must be a mapping with a Type")
        if name in overrides:
            text = parameter_text(overrides[name])
        elif "Default" in spec:
            text = parameter_text(spec["Default"])
        else:
            raise TemplateError(
                f"{source}: parameter {name} has no Default and no value was given "
                f"(pass --parameter-overrides {name}=VALUE)"
            )
        _check_constraints(name, spec, text, source)
        param_type = str(spec.get("Type", "String"))
        is_list = param_type == "CommaDelimitedList" or param_type.startswith("List<")
        ref_values[name] = [item.strip() for item in text.split(",")] if is_list else text
        text_values[name] = text
    return ref_values, text_values


def partition_for(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def pseudo_parameters(*, region: str, account_id: str, stack_name: str) -> dict[str, Any]:
    partition = partition_for(region)
    return {
        "AWS::Region": region,
        "AWS::AccountId": account_id,
        "AWS::StackName": stack_name,
        "AWS::StackId": (
            f"arn:{partition}:cloudformation:{region}:{account_id}:stack/{stack_name}"
            "/00000000-0000-0000-0000-000000000000"
        ),
        "AWS::Partition": partition,
        "AWS::URLSuffix": "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com",
        "AWS::NotificationARNs": [],
    }
