"""``Fn::ForEach`` of the ``AWS::LanguageExtensions`` transform, expanded before anything else.

AWS's semantics (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/
intrinsic-function-reference-foreach.html)::

    'Fn::ForEach::LoopName': [Identifier, Collection, {OutputKey: OutputValue}]

- the loop may stand in ``Resources``, ``Conditions``, ``Outputs`` and inside resource properties
  (any mapping of those sections), and may hold other loops (nesting);
- ``Collection`` is a list, or a ``Ref`` to a ``CommaDelimitedList`` (``List<...>``) parameter;
  in a nested loop it may also be ``Ref`` to an outer loop's identifier when that one is a list;
- every ``${Identifier}`` in ``OutputKey`` and ``OutputValue`` is replaced by the item, and every
  ``&{Identifier}`` by the item with its non-alphanumeric characters removed (so that ``a.b``
  can make a logical id); ``{"Ref": "Identifier"}`` becomes the item itself;
- the loop's name is not in the result, and a key produced twice is an error.

Why not a library: SAM CLI expands loops in its own package ``samcli.lib.cfn_language_extensions``
(aws/aws-sam-cli#8637, since v1.160; the whole CLI would be the dependency), not through
``aws-sam-translator``, which fails on them (aws/serverless-application-model#3641); cfn-lint's
``cfnlint.template.transforms._language_extensions`` (private) is built for linting: a ``Ref``
collection takes the parameter's default, never ``--parameter-overrides``, and what it cannot
resolve becomes random strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from emulator.errors import TemplateError

LANGUAGE_EXTENSIONS = "AWS::LanguageExtensions"
FOR_EACH_PREFIX = "Fn::ForEach::"
EXPANDED_SECTIONS = ("Conditions", "Resources", "Outputs")
_NOT_ALPHANUMERIC = re.compile(r"[^0-9A-Za-z]+")


def declares_language_extensions(document: Mapping[str, Any]) -> bool:
    transform = document.get("Transform")
    names = transform if isinstance(transform, list) else [transform]
    return LANGUAGE_EXTENSIONS in names


def _has_loop(value: Any) -> bool:
    if isinstance(value, dict):
        return any(str(k).startswith(FOR_EACH_PREFIX) or _has_loop(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_loop(item) for item in value)
    return False


def _substitute_text(text: str, bindings: Mapping[str, str]) -> str:
    for identifier, item in bindings.items():
        text = text.replace("${" + identifier + "}", item)
        text = text.replace("&{" + identifier + "}", _NOT_ALPHANUMERIC.sub("", item))
    return text


class _Expander:
    def __init__(self, parameters: Mapping[str, Any], source: str) -> None:
        self.parameters = parameters
        self.source = source

    def collection(self, loop: str, value: Any, bindings: Mapping[str, str]) -> list[str]:
        where = f"{self.source}: {loop}"
        if isinstance(value, dict) and set(value) == {"Ref"}:
            name = value["Ref"]
            if name in self.parameters:
                value = self.parameters[name]
            else:
                raise TemplateError(
                    f"{where}: the collection Ref {name!r} is not a parameter of the template (a "
                    "loop's collection must be a list or a Ref to a CommaDelimitedList parameter)"
                )
            if not isinstance(value, list):
                raise TemplateError(f"{where}: parameter {name} is not a CommaDelimitedList (or List<...>)")
        if not isinstance(value, list):
            raise TemplateError(
                f"{where}: the collection must be a list or a Ref to a CommaDelimitedList parameter, "
                f"got {value!r}"
            )
        items: list[str] = []
        for item in value:
            if isinstance(item, bool) or not isinstance(item, str | int | float):
                raise TemplateError(f"{where}: collection items must be strings, got {item!r}")
            items.append(_substitute_text(str(item), bindings))
        return items

    def expand(self, value: Any, bindings: Mapping[str, str]) -> Any:
        if isinstance(value, str):
            return _substitute_text(value, bindings)
        if isinstance(value, list):
            return [self.expand(item, bindings) for item in value]
        if not isinstance(value, dict):
            return value
        if set(value) == {"Ref"} and value["Ref"] in bindings:
            return bindings[value["Ref"]]
        result: dict[str, Any] = {}
        for key, item in value.items():
            key_text = str(key)
            if key_text.startswith(FOR_EACH_PREFIX):
                produced = self.loop(key_text, item, bindings)
            else:
                produced = {_substitute_text(key_text, bindings): self.expand(item, bindings)}
            for new_key, new_value in produced.items():
                if new_key in result:
                    raise TemplateError(
                        f"{self.source}: {key_text}: the key {new_key!r} is produced twice "
                        "(each loop's OutputKey must be unique, with ${Identifier} or &{Identifier} in it)"
                    )
                result[new_key] = new_value
        return result

    def loop(self, name: str, arguments: Any, bindings: Mapping[str, str]) -> dict[str, Any]:
        if not isinstance(arguments, list) or len(arguments) != 3:
            raise TemplateError(
                f"{self.source}: {name} must be a list of three: [Identifier, Collection, {{OutputKey: ...}}]"
            )
        identifier, collection, fragment = arguments
        if not isinstance(identifier, str) or not identifier:
            raise TemplateError(f"{self.source}: {name}: the identifier must be a string")
        if identifier in bindings or identifier in self.parameters:
            raise TemplateError(
                f"{self.source}: {name}: the identifier {identifier} is already a parameter or an "
                "outer loop's identifier"
            )
        if not isinstance(fragment, dict) or not fragment:
            raise TemplateError(f"{self.source}: {name}: the third item must be a mapping {{OutputKey: ...}}")
        result: dict[str, Any] = {}
        for item in self.collection(name, collection, bindings):
            inner = {**bindings, identifier: item}
            for key, value in self.expand(fragment, inner).items():
                if key in result:
                    raise TemplateError(
                        f"{self.source}: {name}: the key {key!r} is produced twice (put ${{{identifier}}} "
                        f"or &{{{identifier}}} in the OutputKey)"
                    )
                result[key] = value
        return result


def expand_for_each(document: dict[str, Any], parameters: Mapping[str, Any], source: str) -> dict[str, Any]:
    """``document`` with every ``Fn::ForEach`` of its Conditions, Resources and Outputs expanded.

    ``parameters`` are the values ``Ref`` gives (lists for ``CommaDelimitedList`` parameters), with
    the overrides applied. A loop without the transform declared is refused, as CloudFormation does.
    """
    if not any(_has_loop(document.get(section)) for section in EXPANDED_SECTIONS):
        return document
    if not declares_language_extensions(document):
        raise TemplateError(
            f"{source}: Fn::ForEach needs the AWS::LanguageExtensions transform: add it to Transform "
            "(Transform: [AWS::LanguageExtensions, AWS::Serverless-2016-10-31])"
        )
    expander = _Expander(parameters, source)
    expanded = dict(document)
    for section in EXPANDED_SECTIONS:
        if isinstance(document.get(section), dict):
            expanded[section] = expander.expand(document[section], {})
    return expanded
