"""The embedded endpoint's DynamoDB fidelity layer: reject what DynamoDB rejects, answer what
DynamoDB answers.

:func:`handle` stands between the endpoint and moto for every DynamoDB request (live and on
journal replay, so a replay ends in the same state): the body is checked against botocore's
service model (protocol.py), then by the operation's rules (operations.py, reads.py,
transactions.py), conditions are evaluated here (evaluation.py), moto does the rest, and its
answer is corrected where its shape differs (answers.py). Each rule cites the DynamoDB page that
states it; tests/emulator/aws/dynamodb_conformance/ has one test per rule, runnable against real
DynamoDB too.
"""

from __future__ import annotations

from collections.abc import Callable

from emulator.aws.dynamodb_fidelity import answers, moto_limits, operations, protocol, reads, transactions
from emulator.aws.dynamodb_fidelity.errors import Rejection, validation
from emulator.aws.requests import AwsRequest, AwsResponse

_HANDLERS: dict[str, Callable[[operations.Call], AwsResponse]] = {
    "PutItem": operations.put_item,
    "DeleteItem": operations.delete_item,
    "UpdateItem": operations.update_item,
    "UpdateTimeToLive": operations.update_time_to_live,
    "GetItem": reads.get_item,
    "BatchGetItem": reads.batch_get_item,
    "BatchWriteItem": operations.batch_write_item,
    "Query": reads.query,
    "Scan": reads.scan,
    "TransactWriteItems": transactions.transact_write_items,
}


def handle(request: AwsRequest, call_moto: Callable[[AwsRequest], AwsResponse]) -> AwsResponse:
    """The answer to ``request``; ``call_moto`` answers it as moto does (caller holds the lock)."""
    if request.service != "dynamodb" or request.action not in protocol.operation_names():
        return call_moto(request)
    moto_limits.install()
    try:
        body = protocol.parse_body(request.body)
        protocol.check(request.action, body)
        handler = _HANDLERS.get(request.action)
        call = operations.Call(request, body, call_moto)
        response = handler(call) if handler is not None else call.forward()
    except Rejection as rejection:
        return rejection.response()
    except RecursionError:  # a body nested deeper than any rule looked: DynamoDB refuses those too
        return validation("The request is nested too deeply").response()
    return answers.correct(request.action, body, response)
