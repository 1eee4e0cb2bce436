"""Per-operation handling: check the request as DynamoDB does, evaluate its conditions here
(emulator.aws.dynamodb_fidelity.evaluation) and let moto do the rest.

Conditions, filters and projections are evaluated here and taken out of what moto sees, so
that moto's own evaluator (which differs from DynamoDB's, see evaluation.py) never decides.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from emulator.aws.dynamodb_fidelity import answers, legacy, rules, tables
from emulator.aws.dynamodb_fidelity import expressions as ex
from emulator.aws.dynamodb_fidelity.errors import Rejection, validation
from emulator.aws.dynamodb_fidelity.evaluation import matches, project
from emulator.aws.dynamodb_fidelity.wire import json_answer, replaced
from emulator.aws.requests import AwsRequest, AwsResponse

_CONDITION_PARAMETERS = (
    "ConditionExpression",
    "Expected",
    "ConditionalOperator",
    "ExpressionAttributeNames",
    "ExpressionAttributeValues",
)


@dataclass
class Call:
    request: AwsRequest
    body: dict[str, Any]
    call_moto: Callable[[AwsRequest], AwsResponse]

    def forward(self, body: dict[str, Any] | None = None, *, action: str | None = None) -> AwsResponse:
        """moto's answer to the request, or to another body (and action) in its place."""
        if (body is None or body is self.body) and action is None:
            return self.call_moto(self.request)
        headers = dict(self.request.headers)
        if action is not None:
            prefix = headers.get("X-Amz-Target", "DynamoDB_20120810.").rsplit(".", 1)[0]
            headers["X-Amz-Target"] = f"{prefix}.{action}"
        request = AwsRequest.build(
            method=self.request.method,
            path=self.request.path,
            query=self.request.query,
            headers=headers,
            body=json.dumps(self.body if body is None else body).encode(),
        )
        return self.call_moto(request)

    def table(self, name: Any = None) -> tables.TableInfo | None:
        return tables.table(self.request, self.body.get("TableName") if name is None else name)


def _without(body: dict[str, Any], names: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in body.items() if k not in names}


def _with_substitutions(
    body: dict[str, Any], source: dict[str, Any], used: tuple[set[str], set[str]]
) -> None:
    names, values = used
    if names:
        body["ExpressionAttributeNames"] = {k: source["ExpressionAttributeNames"][k] for k in names}
    if values:
        body["ExpressionAttributeValues"] = {k: source["ExpressionAttributeValues"][k] for k in values}


def condition_failed(body: dict[str, Any], old: dict[str, Any] | None) -> Rejection:
    """ConditionalCheckFailedException, with the item when ReturnValuesOnConditionCheckFailure is
    ALL_OLD (API_PutItem.html, "ReturnValuesOnConditionCheckFailure")."""
    if body.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and old is not None:
        return Rejection("ConditionalCheckFailedException", "The conditional request failed", Item=old)
    return Rejection("ConditionalCheckFailedException", "The conditional request failed")


def _key_of(info: tables.TableInfo, item: dict[str, Any]) -> dict[str, Any]:
    return {name: item[name] for name in info.key}


# -- writes ----------------------------------------------------------------------------------------
def put_item(call: Call) -> AwsResponse:
    return _single_write(call, is_put=True)


def delete_item(call: Call) -> AwsResponse:
    return _single_write(call, is_put=False)


def _single_write(call: Call, *, is_put: bool) -> AwsResponse:
    """PutItem and DeleteItem: ReturnValues NONE or ALL_OLD; the item (or key) checked; the
    condition evaluated here against the stored item."""
    body = call.body
    parsed = rules.parse_expressions(body, ("ConditionExpression",))
    rules.check_return_values(body, ("NONE", "ALL_OLD"))
    info = call.table()
    if info is None:
        return call.forward()
    if is_put:
        rules.check_item(info, body["Item"], len(call.request.body))
        key = _key_of(info, body["Item"])
    else:
        key = body["Key"]
        rules.check_key(info, key)
    wants_capacity = body.get("ReturnConsumedCapacity") in ("TOTAL", "INDEXES")
    if parsed.condition is None and not wants_capacity:
        return call.forward()
    old = tables.get_item(info, key)
    if parsed.condition is None:
        response = call.forward()
    elif not matches(parsed.condition, old):
        raise condition_failed(body, old)
    else:
        response = call.forward(_without(body, _CONDITION_PARAMETERS))
    return answers.with_write_capacity(response, body, old, body["Item"] if is_put else None)


def update_item(call: Call) -> AwsResponse:
    body = call.body
    parsed = rules.parse_expressions(body, ("UpdateExpression", "ConditionExpression"))
    if body.get("AttributeUpdates"):
        # moto's own AttributeUpdates turns binary, boolean and binary set values into strings and
        # a NULL into a removal: moto is given the equivalent update expression instead.
        text, names, values = legacy.attribute_updates(body["AttributeUpdates"])
        subs = ex.Substitutions(names, values)
        parsed.update = ex.parse_update(text, subs) if text else None
        parsed.used["UpdateExpression"] = (subs.used_names, subs.used_values)
        body = {**_without(body, ("AttributeUpdates",)), "UpdateExpression": text}
        body["ExpressionAttributeNames"] = {**names, **(body.get("ExpressionAttributeNames") or {})}
        body["ExpressionAttributeValues"] = {**values, **(body.get("ExpressionAttributeValues") or {})}
    info = call.table()
    if info is None:
        return call.forward()
    key = body["Key"]
    rules.check_key(info, key)
    update = parsed.update
    if update is not None:
        _check_set_actions(info, update)
    old = tables.get_item(info, key)
    if update is not None:
        rules.check_update_types(update, old)
    if parsed.condition is not None and not matches(parsed.condition, old):
        raise condition_failed(body, old)
    if update is None and not body.get("AttributeUpdates"):
        # No update at all (API_UpdateItem.html: "adds a new item ... if it does not already
        # exist"): the item holds just its key. moto fails on this one (HTTP 500).
        if old is not None:
            response = _with_return_values(json_answer("200 OK", {}), body, old, old, ())
            return answers.with_write_capacity(response, body, old)
        response = call.forward({"TableName": body["TableName"], "Item": key}, action="PutItem")
        new = tables.get_item(info, key)
        return answers.with_write_capacity(_with_return_values(response, body, None, new, ()), body, new)
    moto_body = _without(body, (*_CONDITION_PARAMETERS, "ReturnValues"))
    if "UpdateExpression" in parsed.used:
        _with_substitutions(moto_body, body, parsed.used["UpdateExpression"])
    response = call.forward(moto_body)
    if not response.ok:
        return response
    new = tables.get_item(info, key)
    if old is None and new is not None and update is not None and not (update.set or update.add):
        # "UpdateItem ... REMOVE/DELETE only": nothing to write on an item that does not exist,
        # so DynamoDB creates none (moto creates one holding the key).
        tables.delete_item(info, key)
        new = None
    response = _with_return_values(response, body, old, new, _updated_paths(body, update))
    return answers.with_write_capacity(response, body, old, new)


def _check_set_actions(info: tables.TableInfo, update: ex.Update) -> None:
    """SET, REMOVE, ADD or DELETE on a key attribute is refused ("Cannot update attribute pk. This
    attribute is part of the key", API_UpdateItem.html "Key"); a SET of an index key to a value of
    another type than declared is refused like PutItem's (Secondary indexes)."""
    for path in update.paths():
        if len(path.elements) == 1 and path.elements[0] in info.key:
            raise validation(
                f"One or more parameter values were invalid: Cannot update attribute {path.elements[0]}. "
                "This attribute is part of the key"
            )
    for action in update.set:
        if len(action.path.elements) == 1 and isinstance(action.value, ex.Value):
            rules.check_index_keys(info, {str(action.path.elements[0]): action.value.value})


def _updated_paths(body: dict[str, Any], update: ex.Update | None) -> tuple[ex.Path, ...]:
    if update is not None:
        return tuple(update.paths())
    return tuple(ex.Path((name,), name) for name in body.get("AttributeUpdates") or {})


def _with_return_values(
    response: AwsResponse,
    body: dict[str, Any],
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    paths: tuple[ex.Path, ...],
) -> AwsResponse:
    """``ReturnValues`` (API_UpdateItem.html): ALL_OLD / ALL_NEW the whole item before / after,
    UPDATED_OLD / UPDATED_NEW only the updated paths (nested as in the item); nothing when
    there is no such item."""
    answer = response.json()
    answer.pop("Attributes", None)
    mode = body.get("ReturnValues") or "NONE"
    attributes = {
        "ALL_OLD": old,
        "ALL_NEW": new,
        "UPDATED_OLD": project(old, paths) if old else None,
        "UPDATED_NEW": project(new, paths) if new else None,
    }.get(mode)
    if attributes:
        answer["Attributes"] = attributes
    return replaced(response, answer)


def batch_write_item(call: Call) -> AwsResponse:
    """Each PutRequest's item and DeleteRequest's key is checked like PutItem's and DeleteItem's;
    one item twice in a batch is refused ("Provided list of item keys contains duplicates",
    API_BatchWriteItem.html)."""
    for name, requests in (call.body.get("RequestItems") or {}).items():
        info = call.table(name)
        if info is None:
            continue
        keys = []
        for request in requests:
            if request.get("PutRequest") is not None:
                item = request["PutRequest"]["Item"]
                rules.check_item(info, item, len(call.request.body))
                key = _key_of(info, item)
            elif request.get("DeleteRequest") is not None:
                key = request["DeleteRequest"]["Key"]
                rules.check_key(info, key)
            else:
                raise validation("Supplied AttributeValue has neither PutRequest nor DeleteRequest set")
            keys.append(key)
        rules.check_distinct_keys(keys)
    return call.forward()


def update_time_to_live(call: Call) -> AwsResponse:
    """Enabling TTL that is enabled, or disabling it when it is disabled, is a ValidationException
    (API_UpdateTimeToLive.html: any further UpdateTimeToLive during the change "result[s] in a
    ValidationException"; DynamoDB answers "TimeToLive is already enabled/disabled")."""
    info = call.table()
    if info is None:
        return call.forward()
    enabled = call.body["TimeToLiveSpecification"]["Enabled"]
    if enabled and info.ttl_status in ("ENABLED", "ENABLING"):
        raise validation("TimeToLive is already enabled")
    if not enabled and info.ttl_status in ("DISABLED", "DISABLING"):
        raise validation("TimeToLive is already disabled")
    return call.forward()
