"""DynamoDB's expression language: a parser that checks what DynamoDB checks.

The grammar is the Developer Guide's, "Condition and filter expressions, operators, and
functions" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html),
"Update expressions" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.UpdateExpressions.html),
"Projection expressions" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ProjectionExpressions.html)
and "Document paths" (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.Attributes.html).
Names that are reserved words must be written as ``#name`` placeholders ("Reserved words",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ReservedWords.html); a
placeholder or a value that is not defined is refused ("Expression attribute names",
https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ExpressionAttributeNames.html).
Every error is a ``ValidationException`` whose message starts with ``Invalid <Parameter>: ``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from emulator.aws.dynamodb_fidelity.comparison import order
from emulator.aws.dynamodb_fidelity.errors import Rejection, validation
from emulator.aws.dynamodb_fidelity.syntax import (
    Arithmetic,
    Between,
    Call,
    Compare,
    In,
    Logical,
    Not,
    Path,
    SetAction,
    Substitutions,
    Update,
    Value,
    reserved_words,
)

__all__ = [
    "Arithmetic", "Between", "Call", "Compare", "In", "Logical", "Not", "Path", "SetAction", "Substitutions",
    "Update", "Value", "parse_condition", "parse_projection", "parse_update",
]  # fmt: skip

# "Quotas in Amazon DynamoDB", "Expression parameters": an expression string is at most 4 KB;
# the IN comparator takes at most 100 operands; document paths nest at most 32 levels.
MAX_EXPRESSION_BYTES = 4096
MAX_IN_OPERANDS = 100
MAX_PATH_DEPTH = 32
# Parentheses and NOTs nest the parser's recursion; DynamoDB states no figure for them. Deeper
# expressions are refused rather than risk the interpreter's recursion limit.
MAX_NESTING = 100

COMPARATORS = ("=", "<>", "<", "<=", ">", ">=")
CONDITION_FUNCTIONS = (
    "attribute_exists",
    "attribute_not_exists",
    "attribute_type",
    "begins_with",
    "contains",
)
UPDATE_FUNCTIONS = ("if_not_exists", "list_append")
_KEYWORDS = frozenset({"AND", "OR", "NOT", "BETWEEN", "IN"})
_TOKEN = re.compile(
    r"\s*(?:(?P<number>[0-9]+)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<placeholder>#[A-Za-z0-9_]+)"
    r"|(?P<value>:[A-Za-z0-9_]+)|(?P<symbol><>|<=|>=|[=<>()\[\],.+-]))"
)


# -- tokens ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Token:
    kind: str  # number, name, placeholder, value, symbol, end
    text: str


def _tokens(text: str, parameter: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(text):
        if text[position:].strip() == "":
            break
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            bad = text[position:].strip()[:1]
            near = (tokens[-1].text if tokens else "") + " " + bad
            raise _error(parameter, f'Syntax error; token: "{bad}", near: "{near.strip()}"')
        kind = match.lastgroup or "symbol"
        tokens.append(_Token(kind, match.group(kind)))
        position = match.end()
    tokens.append(_Token("end", ""))
    return tokens


def _error(parameter: str, message: str) -> Rejection:
    return validation(f"Invalid {parameter}: {message}")


# -- the parser ------------------------------------------------------------------------------------
class _Parser:
    def __init__(self, text: str, parameter: str, subs: Substitutions) -> None:
        if not text.strip():
            raise _error(parameter, "The expression can not be empty;")
        if len(text.encode()) > MAX_EXPRESSION_BYTES:
            raise _error(
                parameter,
                "Expression size has exceeded the maximum allowed size; "
                f"expression size: {len(text.encode())}",
            )
        self.parameter = parameter
        self.subs = subs
        self.tokens = _tokens(text, parameter)
        self.position = 0

    # tokens
    def peek(self, offset: int = 0) -> _Token:
        return self.tokens[min(self.position + offset, len(self.tokens) - 1)]

    def take(self) -> _Token:
        token = self.peek()
        self.position += 1
        return token

    def is_keyword(self, word: str) -> bool:
        token = self.peek()
        return token.kind == "name" and token.text.upper() == word

    def is_symbol(self, symbol: str) -> bool:
        token = self.peek()
        return token.kind == "symbol" and token.text == symbol

    def expect_symbol(self, symbol: str) -> None:
        if not self.is_symbol(symbol):
            raise self.syntax_error()
        self.take()

    def syntax_error(self) -> Rejection:
        token = self.peek()
        before = self.tokens[self.position - 1].text if self.position > 0 else ""
        after = self.peek(1).text if token.kind != "end" else ""
        near = " ".join(t for t in (before, token.text, after) if t)
        return _error(self.parameter, f'Syntax error; token: "{token.text}", near: "{near}"')

    def error(self, message: str) -> Rejection:
        return _error(self.parameter, message)

    def finish(self) -> None:
        if self.peek().kind != "end":
            raise self.syntax_error()

    # paths and operands
    def path(self) -> Path:
        elements: list[str | int] = []
        words: list[str] = []
        elements.append(self.path_name(words))
        while True:
            if self.is_symbol("."):
                self.take()
                words.append(".")
                elements.append(self.path_name(words))
            elif self.is_symbol("["):
                self.take()
                token = self.take()
                if token.kind != "number":
                    self.position -= 1
                    raise self.syntax_error()
                self.expect_symbol("]")
                elements.append(int(token.text))
                words.append(f"[{token.text}]")
            else:
                break
        if len(elements) > MAX_PATH_DEPTH:
            raise self.error(
                f"The document path has too many nesting levels; nesting levels: {len(elements)}"
            )
        return Path(tuple(elements), "".join(words))

    def path_name(self, words: list[str]) -> str:
        token = self.take()
        if token.kind == "placeholder":
            names = self.subs.names or {}
            if token.text not in names:
                raise self.error(
                    "An expression attribute name used in the document path is not defined; "
                    f"attribute name: {token.text}"
                )
            self.subs.used_names.add(token.text)
            words.append(token.text)
            return str(names[token.text])
        if token.kind == "name" and token.text.upper() not in _KEYWORDS:
            if token.text.upper() in reserved_words():
                raise self.error(f"Attribute name is a reserved keyword; reserved keyword: {token.text}")
            words.append(token.text)
            return token.text
        self.position -= 1
        raise self.syntax_error()

    def value(self) -> Value:
        token = self.take()
        values = self.subs.values or {}
        if token.text not in values:
            raise self.error(
                "An expression attribute value used in expression is not defined; "
                f"attribute value: {token.text}"
            )
        self.subs.used_values.add(token.text)
        return Value(token.text, values[token.text])

    def operand(self, functions: tuple[str, ...]) -> Any:
        token = self.peek()
        if token.kind == "value":
            return self.value()
        if token.kind == "name" and self.peek(1).kind == "symbol" and self.peek(1).text == "(":
            return self.call(functions)
        if token.kind in ("name", "placeholder"):
            return self.path()
        raise self.syntax_error()

    def call(self, allowed: tuple[str, ...]) -> Call:
        name = self.take().text
        known = (*CONDITION_FUNCTIONS, "size", *UPDATE_FUNCTIONS)
        if name not in known:
            raise self.error(f"Invalid function name; function: {name}")
        if name not in allowed:
            raise self.error(
                f"The function is not allowed to be used this way in an expression; function: {name}"
            )
        self.expect_symbol("(")
        args: list[Any] = []
        while True:  # update functions nest (list_append(if_not_exists(...), :v)); others take no calls
            args.append(self.operand(UPDATE_FUNCTIONS if name in UPDATE_FUNCTIONS else ()))
            if self.is_symbol(","):
                self.take()
                continue
            break
        self.expect_symbol(")")
        self.check_arguments(name, args)
        return Call(name, tuple(args))

    def check_arguments(self, name: str, args: list[Any]) -> None:
        wanted = 1 if name in ("attribute_exists", "attribute_not_exists", "size") else 2
        if len(args) != wanted:
            raise self.error(
                f"Incorrect number of operands for operator or function; operator or function: {name}, "
                f"number of operands: {len(args)}"
            )
        needs_path = name != "list_append"
        if needs_path and not isinstance(args[0], Path):
            raise self.error(f"Operator or function requires a document path; operator or function: {name}")
        if name == "attribute_type":
            kind = args[1].value if isinstance(args[1], Value) else None
            if kind is None or "S" not in kind:
                raise self.error(
                    "Incorrect operand type for operator or function; operator or function: attribute_type, "
                    f"operand type: {_type_of(args[1])}"
                )
            valid = "B,NULL,SS,BOOL,L,BS,N,NS,S,M"
            if kind["S"] not in valid.split(","):
                raise self.error(
                    f"Invalid attribute type name found; type: {kind['S']}, valid types: {{ {valid} }}"
                )
        if name in ("begins_with",):
            for arg in args:
                if isinstance(arg, Value) and _type_of(arg) not in ("S", "B"):
                    raise self.error(
                        f"Incorrect operand type for operator or function; operator or function: {name}, "
                        f"operand type: {_type_of(arg)}"
                    )

    # conditions
    def condition(self, depth: int = 0) -> Any:
        if depth > MAX_NESTING:
            raise self.error("The expression has too many levels of nesting")
        left = self.conjunction(depth)
        while self.is_keyword("OR"):
            self.take()
            left = Logical("OR", left, self.conjunction(depth))
        return left

    def conjunction(self, depth: int) -> Any:
        left = self.negation(depth)
        while self.is_keyword("AND"):
            self.take()
            left = Logical("AND", left, self.negation(depth))
        return left

    def negation(self, depth: int) -> Any:
        if self.is_keyword("NOT"):
            if depth > MAX_NESTING:
                raise self.error("The expression has too many levels of nesting")
            self.take()
            return Not(self.negation(depth + 1))
        return self.comparison(depth)

    def comparison(self, depth: int) -> Any:
        if self.is_symbol("("):
            self.take()
            inner = self.condition(depth + 1)
            self.expect_symbol(")")
            return inner
        token = self.peek()
        if token.kind == "name" and token.text in CONDITION_FUNCTIONS and self.peek(1).text == "(":
            return self.call(CONDITION_FUNCTIONS)
        left = self.operand(("size",))
        token = self.peek()
        if token.kind == "symbol" and token.text in COMPARATORS:
            self.take()
            right = self.operand(("size",))
            self.check_operands(token.text, (left, right))
            return Compare(token.text, left, right)
        if self.is_keyword("BETWEEN"):
            self.take()
            low = self.operand(("size",))
            if not self.is_keyword("AND"):
                raise self.syntax_error()
            self.take()
            high = self.operand(("size",))
            self.check_operands("BETWEEN", (left, low, high))
            self.check_bounds(low, high)
            return Between(left, low, high)
        if self.is_keyword("IN"):
            self.take()
            self.expect_symbol("(")
            choices = [self.operand(("size",))]
            while self.is_symbol(","):
                self.take()
                choices.append(self.operand(("size",)))
            self.expect_symbol(")")
            if len(choices) > MAX_IN_OPERANDS:
                raise self.error(
                    f"The IN operator is provided with too many operands; number of operands: {len(choices)}"
                )
            return In(left, tuple(choices))
        if isinstance(left, Call):
            raise self.error(
                f"The function is not allowed to be used this way in an expression; function: {left.name}"
            )
        raise self.syntax_error()

    def check_operands(self, op: str, operands: tuple[Any, ...]) -> None:
        if op in ("<", "<=", ">", ">=", "BETWEEN"):
            for operand in operands:
                if isinstance(operand, Value) and _type_of(operand) not in ("S", "N", "B"):
                    raise self.error(
                        f"Incorrect operand type for operator or function; operator or function: {op}, "
                        f"operand type: {_type_name(_type_of(operand))}"
                    )

    def check_bounds(self, low: Any, high: Any) -> None:
        if not (isinstance(low, Value) and isinstance(high, Value)):
            return
        if _type_of(low) != _type_of(high):
            raise self.error(
                "The BETWEEN operator requires same data type for lower and upper bounds; "
                f"lower bound operand: AttributeValue: {low.value}, "
                f"upper bound operand: AttributeValue: {high.value}"
            )
        if order(low.value, high.value) > 0:
            raise self.error(
                "The BETWEEN operator requires upper bound to be greater than or equal to lower bound; "
                f"lower bound operand: AttributeValue: {low.value}, "
                f"upper bound operand: AttributeValue: {high.value}"
            )

    # update expressions
    def update(self) -> Update:
        sections: dict[str, list[Any]] = {}
        if self.peek().kind == "end":
            raise self.syntax_error()
        while self.peek().kind != "end":
            token = self.take()
            word = token.text.upper() if token.kind == "name" else ""
            if word not in ("SET", "REMOVE", "ADD", "DELETE"):
                self.position -= 1
                raise self.syntax_error()
            if word in sections:
                raise self.error(f'The "{word}" section can only be used once in an update expression;')
            actions = sections[word] = [self.update_action(word)]
            while self.is_symbol(","):
                self.take()
                actions.append(self.update_action(word))
        update = Update(
            set=tuple(sections.get("SET", ())),
            remove=tuple(sections.get("REMOVE", ())),
            add=tuple(sections.get("ADD", ())),
            delete=tuple(sections.get("DELETE", ())),
        )
        self.check_overlaps(update.paths())
        return update

    def update_action(self, word: str) -> Any:
        path = self.path()
        if word == "REMOVE":
            return path
        if word == "SET":
            self.expect_symbol("=")
            left = self.operand(UPDATE_FUNCTIONS)
            if self.is_symbol("+") or self.is_symbol("-"):
                op = self.take().text
                return SetAction(path, Arithmetic(op, left, self.operand(UPDATE_FUNCTIONS)))
            return SetAction(path, left)
        if self.peek().kind != "value":
            raise self.syntax_error()
        value = self.value()
        kind = _type_of(value)
        allowed = ("N", "SS", "NS", "BS") if word == "ADD" else ("SS", "NS", "BS")
        if kind not in allowed:
            raise self.error(
                "Incorrect operand type for operator or function; "
                f"operator: {word}, operand type: {_type_name(kind)}"
            )
        return (path, value)

    def check_overlaps(self, paths: list[Path]) -> None:
        for index, one in enumerate(paths):
            for other in paths[index + 1 :]:
                shorter, longer = sorted((one.elements, other.elements), key=len)
                if longer[: len(shorter)] == shorter:
                    raise self.error(
                        "Two document paths overlap with each other; "
                        "must remove or rewrite one of these paths; "
                        f"path one: [{_show_path(one)}], path two: [{_show_path(other)}]"
                    )

    # projections
    def projection(self) -> tuple[Path, ...]:
        paths = [self.path()]
        while self.is_symbol(","):
            self.take()
            paths.append(self.path())
        self.finish()
        return tuple(paths)


def _type_of(operand: Any) -> str:
    if isinstance(operand, Value):
        return next(iter(operand.value), "")
    return ""


def _type_name(kind: str) -> str:
    return {
        "S": "STRING", "N": "NUMBER", "B": "BINARY", "SS": "STRING_SET", "NS": "NUMBER_SET",
        "BS": "BINARY_SET", "M": "MAP", "L": "LIST", "NULL": "NULL", "BOOL": "BOOLEAN",
    }.get(kind, kind)  # fmt: skip


def _show_path(path: Path) -> str:
    return ", ".join(str(e) for e in path.elements)


# -- entry points ----------------------------------------------------------------------------------
def parse_condition(text: str, parameter: str, subs: Substitutions) -> Any:
    parser = _Parser(text, parameter, subs)
    tree = parser.condition()
    parser.finish()
    return tree


def parse_update(text: str, subs: Substitutions) -> Update:
    return _Parser(text, "UpdateExpression", subs).update()


def parse_projection(text: str, subs: Substitutions) -> tuple[Path, ...]:
    return _Parser(text, "ProjectionExpression", subs).projection()
