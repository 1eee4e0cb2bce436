"""TransactWriteItems: every action checked like its single-item counterpart, every condition
evaluated here against the state before the transaction, and a cancellation answered as DynamoDB
answers it.

"TransactWriteItems" (https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_TransactWriteItems.html):
"You can't target the same item with multiple operations within the same transaction"; when a
condition fails the whole transaction is cancelled with ``TransactionCanceledException`` whose
``CancellationReasons`` has one entry per action, in order: ``ConditionalCheckFailed`` (with the
item when ``ReturnValuesOnConditionCheckFailure`` is ``ALL_OLD``) or ``None``.
"""

from __future__ import annotations

from typing import Any

from emulator.aws.dynamodb_fidelity import rules, tables
from emulator.aws.dynamodb_fidelity.errors import Rejection, validation
from emulator.aws.dynamodb_fidelity.evaluation import matches
from emulator.aws.dynamodb_fidelity.operations import (
    _CONDITION_PARAMETERS,
    Call,
    _check_set_actions,
    _with_substitutions,
    _without,
)
from emulator.aws.dynamodb_fidelity.wire import json_answer
from emulator.aws.requests import AwsResponse

_EXPRESSIONS = {
    "Put": ("ConditionExpression",),
    "Delete": ("ConditionExpression",),
    "Update": ("UpdateExpression", "ConditionExpression"),
    "ConditionCheck": ("ConditionExpression",),
}


def transact_write_items(call: Call) -> AwsResponse:
    actions: list[tuple[str, dict[str, Any], rules.Expressions, tables.TableInfo]] = []
    seen: set[tuple[str, str]] = set()
    for entry in call.body["TransactItems"]:
        kinds = [k for k in _EXPRESSIONS if entry.get(k) is not None]
        if len(kinds) != 1:
            raise validation("TransactItems can only contain one of Check, Put, Update or Delete")
        kind = kinds[0]
        action = entry[kind]
        parsed = rules.parse_expressions(action, _EXPRESSIONS[kind])
        info = call.table(action.get("TableName"))
        if info is None:
            return call.forward()  # moto answers ResourceNotFoundException
        if kind == "Put":
            rules.check_item(info, action["Item"], len(call.request.body))
            key = {name: action["Item"][name] for name in info.key}
        else:
            rules.check_key(info, action["Key"])
            key = action["Key"]
        if parsed.update is not None:
            _check_set_actions(info, parsed.update)
        identity = (info.name, rules.key_identity(key))
        if identity in seen:
            raise validation("Transaction request cannot include multiple operations on one item")
        seen.add(identity)
        actions.append((kind, action, parsed, info))
    reasons: list[dict[str, Any]] = []
    failed = False
    nothing_to_create: list[tuple[tables.TableInfo, dict[str, Any]]] = []
    for kind, action, parsed, info in actions:
        key = action["Key"] if kind != "Put" else {name: action["Item"][name] for name in info.key}
        old = tables.get_item(info, key)
        if old is None and parsed.update is not None and not (parsed.update.set or parsed.update.add):
            nothing_to_create.append((info, key))  # REMOVE/DELETE only: as UpdateItem, no item made
        if parsed.update is not None:
            rules.check_update_types(parsed.update, old)
        if parsed.condition is not None and not matches(parsed.condition, old):
            failed = True
            reason: dict[str, Any] = {
                "Code": "ConditionalCheckFailed",
                "Message": "The conditional request failed",
            }
            if action.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
                reason["Item"] = old
            reasons.append(reason)
        else:
            reasons.append({"Code": "None"})
    if failed:
        codes = ", ".join(r["Code"] for r in reasons)
        raise Rejection(
            "TransactionCanceledException",
            f"Transaction cancelled, please refer cancellation reasons for specific reasons [{codes}]",
            CancellationReasons=reasons,
        )
    moto_items = []
    for kind, action, parsed, _ in actions:
        if kind == "ConditionCheck":
            continue  # evaluated above; it writes nothing
        stripped = _without(action, _CONDITION_PARAMETERS)
        if "UpdateExpression" in parsed.used:
            _with_substitutions(stripped, action, parsed.used["UpdateExpression"])
        moto_items.append({kind: stripped})
    if not moto_items:
        return json_answer("200 OK", {})
    response = call.forward({**call.body, "TransactItems": moto_items})
    if response.ok:
        for info, key in nothing_to_create:
            if tables.get_item(info, key) is not None:
                tables.delete_item(info, key)
    return response
