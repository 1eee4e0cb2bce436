"""The syntax tree of DynamoDB expressions (see expressions.py for the grammar and its rules)."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any


# -- the syntax tree -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Path:
    elements: tuple[str | int, ...]  # attribute names (placeholders resolved) and list indexes
    text: str  # as written, for messages


@dataclass(frozen=True)
class Value:
    name: str
    value: dict[str, Any]


@dataclass(frozen=True)
class Call:
    """A function: the condition functions, size, if_not_exists, list_append."""

    name: str
    args: tuple[Any, ...]


@dataclass(frozen=True)
class Compare:
    op: str
    left: Any
    right: Any


@dataclass(frozen=True)
class Between:
    operand: Any
    low: Any
    high: Any


@dataclass(frozen=True)
class In:
    operand: Any
    choices: tuple[Any, ...]


@dataclass(frozen=True)
class Not:
    condition: Any


@dataclass(frozen=True)
class Logical:
    op: str  # "AND" | "OR"
    left: Any
    right: Any


@dataclass(frozen=True)
class SetAction:
    path: Path
    value: Any  # an operand, or Arithmetic


@dataclass(frozen=True)
class Arithmetic:
    op: str  # "+" | "-"
    left: Any
    right: Any


@dataclass(frozen=True)
class Update:
    set: tuple[SetAction, ...] = ()
    remove: tuple[Path, ...] = ()
    add: tuple[tuple[Path, Value], ...] = ()
    delete: tuple[tuple[Path, Value], ...] = ()

    def paths(self) -> list[Path]:
        return (
            [a.path for a in self.set]
            + list(self.remove)
            + [p for p, _ in self.add]
            + [p for p, _ in self.delete]
        )


@dataclass
class Substitutions:
    """The request's ExpressionAttributeNames/Values and which of them its expressions use."""

    names: dict[str, Any] | None
    values: dict[str, Any] | None
    used_names: set[str] = field(default_factory=set)
    used_values: set[str] = field(default_factory=set)


@functools.cache
def reserved_words() -> frozenset[str]:
    # moto ships DynamoDB's list of reserved words (the Developer Guide's page, as data).
    from moto.dynamodb.parsing.reserved_keywords import ReservedKeywords

    return frozenset(word.upper() for word in ReservedKeywords.get_reserved_keywords())
