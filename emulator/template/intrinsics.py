"""CloudFormation intrinsic functions, evaluated the way the deployed stack would see them.

The resolver walks plain data (long form: ``{"Ref": ...}``, ``{"Fn::Sub": ...}``) and replaces
every intrinsic with its value. ``Ref``/``Fn::GetAtt`` of template resources are answered by a
:class:`ResourceReferences` (physical names, ARNs); parameters and pseudo parameters by a map.
``AWS::NoValue`` removes the enclosing key or list item, as CloudFormation does.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable, Collection, Mapping
from typing import Any, Protocol


class IntrinsicError(Exception):
    """Why an intrinsic cannot be evaluated. The loader adds the file and resource to the message."""


class _NoValue:
    def __repr__(self) -> str:
        return "AWS::NoValue"


NO_VALUE: Any = _NoValue()

_SUB_VARIABLE = re.compile(r"\$\{([^}]*)\}")


class ResourceReferences(Protocol):
    def has(self, logical_id: str) -> bool: ...

    def ref(self, logical_id: str) -> Any: ...

    def get_att(self, logical_id: str, attribute: str) -> Any: ...


class IntrinsicResolver:
    """Evaluates intrinsics against parameters, pseudo parameters, Mappings and Conditions."""

    def __init__(
        self,
        *,
        parameters: Mapping[str, Any],
        pseudo_parameters: Mapping[str, Any],
        mappings: Mapping[str, Any],
        conditions: Mapping[str, Any],
        resources: ResourceReferences,
        absent_resources: Collection[str] = (),
    ) -> None:
        """``absent_resources``: resources not created because their Condition is false."""
        self._parameters = parameters
        self._pseudo = pseudo_parameters
        self._mappings = mappings
        self._condition_definitions = conditions
        self._condition_values: dict[str, bool] = {}
        self._conditions_in_progress: set[str] = set()
        self._resources = resources
        self._absent = absent_resources  # may be filled in after construction
        self._functions: dict[str, Callable[[Any], Any]] = {
            "Fn::Base64": self._fn_base64,
            "Fn::Equals": self._fn_equals,
            "Fn::FindInMap": self._fn_find_in_map,
            "Fn::GetAZs": self._fn_get_azs,
            "Fn::GetAtt": self._fn_get_att,
            "Fn::If": self._fn_if,
            "Fn::ImportValue": self._fn_import_value,
            "Fn::Join": self._fn_join,
            "Fn::Not": self._fn_not,
            "Fn::And": self._fn_and,
            "Fn::Or": self._fn_or,
            "Fn::Select": self._fn_select,
            "Fn::Split": self._fn_split,
            "Fn::Sub": self._fn_sub,
            "Fn::Length": self._fn_length,
            "Fn::ToJsonString": self._fn_to_json_string,
            "Ref": self._ref,
            "Condition": self._condition_ref,
        }

    # -- public API -------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Return ``value`` with every intrinsic evaluated (may return :data:`NO_VALUE`)."""
        if isinstance(value, dict):
            if len(value) == 1:
                ((key, argument),) = value.items()
                function = self._functions.get(key)
                # {"Condition": {...}} is data (an IAM policy's Condition block), not a reference.
                if function is not None and not (key == "Condition" and not isinstance(argument, str)):
                    return function(argument)
            resolved_map = {}
            for key, item in value.items():
                resolved = self.resolve(item)
                if resolved is not NO_VALUE:
                    resolved_map[key] = resolved
            return resolved_map
        if isinstance(value, list):
            return [r for r in (self.resolve(item) for item in value) if r is not NO_VALUE]
        return value

    def condition(self, name: str) -> bool:
        """The value of a named condition from the template's ``Conditions`` section."""
        if not isinstance(name, str):
            raise IntrinsicError(f"a condition name must be a string, got {name!r}")
        if name in self._condition_values:
            return self._condition_values[name]
        if name not in self._condition_definitions:
            raise IntrinsicError(f"unknown condition '{name}'")
        if name in self._conditions_in_progress:
            raise IntrinsicError(f"condition '{name}' refers to itself")
        self._conditions_in_progress.add(name)
        try:
            value = self._truth(self.resolve(self._condition_definitions[name]), f"condition '{name}'")
        finally:
            self._conditions_in_progress.discard(name)
        self._condition_values[name] = value
        return value

    # -- helpers ----------------------------------------------------------------------------
    @staticmethod
    def _truth(value: Any, what: str) -> bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise IntrinsicError(f"{what} must evaluate to true or false, got {value!r}")

    def _args(self, name: str, argument: Any, count: int | tuple[int, ...]) -> list[Any]:
        counts = (count,) if isinstance(count, int) else count
        if not isinstance(argument, list) or len(argument) not in counts:
            expected = " or ".join(str(c) for c in counts)
            raise IntrinsicError(f"{name} takes a list of {expected} items, got {argument!r}")
        return argument

    def _string(self, value: Any, what: str) -> str:
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, int | float | str):
            return str(value)
        raise IntrinsicError(f"{what} must be a string, got {value!r}")

    # -- functions --------------------------------------------------------------------------
    def _ref(self, name: Any) -> Any:
        if not isinstance(name, str):
            raise IntrinsicError(f"Ref takes a name, got {name!r}")
        if name == "AWS::NoValue":
            return NO_VALUE
        if name in self._pseudo:
            return self._pseudo[name]
        if name in self._parameters:
            return self._parameters[name]
        if self._resources.has(name):
            return self._resources.ref(name)
        self._refuse_absent("Ref", name)
        raise IntrinsicError(f"Ref to '{name}', which is neither a parameter nor a resource of the template")

    def _fn_get_att(self, argument: Any) -> Any:
        argument = self.resolve(argument)
        if isinstance(argument, str):
            argument = list(argument.partition(".")[::2])
        logical_id, attribute = self._args("Fn::GetAtt", argument, 2)
        if not isinstance(logical_id, str):
            raise IntrinsicError(f"Fn::GetAtt needs a resource name, got {logical_id!r}")
        if not self._resources.has(logical_id):
            self._refuse_absent("Fn::GetAtt", logical_id)
            raise IntrinsicError(f"Fn::GetAtt of '{logical_id}', which is not a resource of the template")
        return self._resources.get_att(logical_id, str(attribute))

    def _refuse_absent(self, function: str, logical_id: str) -> None:
        if logical_id in self._absent:
            raise IntrinsicError(
                f"{function} to '{logical_id}', which is not created because its Condition is false "
                "(wrap the reference in Fn::If on the same condition)"
            )

    def _condition_ref(self, name: Any) -> bool:
        if not isinstance(name, str):
            raise IntrinsicError(f"Condition takes a condition name, got {name!r}")
        return self.condition(name)

    def _fn_if(self, argument: Any) -> Any:
        name, when_true, when_false = self._args("Fn::If", argument, 3)
        return self.resolve(when_true if self.condition(name) else when_false)

    def _fn_equals(self, argument: Any) -> bool:
        left, right = (self.resolve(v) for v in self._args("Fn::Equals", argument, 2))
        if isinstance(left, list | dict) or isinstance(right, list | dict):
            return left == right
        return self._string(left, "Fn::Equals value") == self._string(right, "Fn::Equals value")

    def _fn_not(self, argument: Any) -> bool:
        (value,) = self._args("Fn::Not", argument, 1)
        return not self._truth(self.resolve(value), "Fn::Not argument")

    def _fn_and(self, argument: Any) -> bool:
        values = self._args("Fn::And", argument, tuple(range(2, 11)))
        return all(self._truth(self.resolve(v), "Fn::And argument") for v in values)

    def _fn_or(self, argument: Any) -> bool:
        values = self._args("Fn::Or", argument, tuple(range(2, 11)))
        return any(self._truth(self.resolve(v), "Fn::Or argument") for v in values)

    def _fn_join(self, argument: Any) -> str:
        delimiter, values = self._args("Fn::Join", argument, 2)
        values = self.resolve(values)
        if not isinstance(values, list):
            raise IntrinsicError(f"Fn::Join needs a list of values, got {values!r}")
        return self._string(delimiter, "Fn::Join delimiter").join(
            self._string(v, "Fn::Join item") for v in values
        )

    def _fn_select(self, argument: Any) -> Any:
        index, values = (self.resolve(v) for v in self._args("Fn::Select", argument, 2))
        try:
            return values[int(index)]
        except (ValueError, TypeError, IndexError, KeyError):
            raise IntrinsicError(f"Fn::Select index {index!r} is not in {values!r}") from None

    def _fn_split(self, argument: Any) -> list[str]:
        delimiter, source = (self.resolve(v) for v in self._args("Fn::Split", argument, 2))
        return self._string(source, "Fn::Split source").split(self._string(delimiter, "Fn::Split delimiter"))

    def _fn_find_in_map(self, argument: Any) -> Any:
        values = self._args("Fn::FindInMap", argument, (3, 4))
        map_name, top_key, second_key = (self.resolve(v) for v in values[:3])
        try:
            return self.resolve(self._mappings[map_name][str(top_key)][str(second_key)])
        except (KeyError, TypeError):
            # AWS::LanguageExtensions adds a 4th argument {DefaultValue: ...}.
            if len(values) == 4 and isinstance(values[3], dict) and "DefaultValue" in values[3]:
                return self.resolve(values[3]["DefaultValue"])
            raise IntrinsicError(f"Fn::FindInMap: no {map_name}/{top_key}/{second_key} in Mappings") from None

    def _fn_import_value(self, argument: Any) -> str:
        # There are no other stacks locally: the import evaluates to the export's name. A
        # template that needs a real value should take it from a Parameter instead.
        return self._string(self.resolve(argument), "Fn::ImportValue name")

    def _fn_base64(self, argument: Any) -> str:
        text = self._string(self.resolve(argument), "Fn::Base64 value")
        return base64.b64encode(text.encode()).decode()

    def _fn_get_azs(self, argument: Any) -> list[str]:
        region = self.resolve(argument) or self._pseudo["AWS::Region"]
        return [f"{region}{zone}" for zone in "abc"]

    def _fn_length(self, argument: Any) -> int:
        value = self.resolve(argument)
        if not isinstance(value, list):
            raise IntrinsicError(f"Fn::Length needs a list, got {value!r}")
        return len(value)

    def _fn_to_json_string(self, argument: Any) -> str:
        return json.dumps(self.resolve(argument), separators=(",", ":"))

    def _fn_sub(self, argument: Any) -> str:
        if isinstance(argument, list):
            text, variables = self._args("Fn::Sub", argument, 2)
            if not isinstance(variables, dict):
                raise IntrinsicError(f"Fn::Sub variables must be a mapping, got {variables!r}")
        else:
            text, variables = argument, {}
        if not isinstance(text, str):
            raise IntrinsicError(f"Fn::Sub needs a string, got {text!r}")

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1).strip()
            if name.startswith("!"):  # "${!Literal}" is written out as "${Literal}"
                return "${" + match.group(1)[1:] + "}"
            if name in variables:
                value = self.resolve(variables[name])
            elif "." in name and not name.startswith("AWS::"):
                value = self._fn_get_att(name)
            else:
                value = self._ref(name)
            return self._string(value, f"Fn::Sub variable ${{{name}}}")

        return _SUB_VARIABLE.sub(substitute, text)
