"""Conditional writes and transactions are atomic under concurrent requests (issue 3)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from botocore.exceptions import ClientError

from .helpers import client, create_table

CALLERS = 50


def _race(endpoint: str, call: Any) -> list[str]:
    """Run ``call(client)`` from CALLERS threads at once, each with its own client; returns outcomes."""
    clients = [client("dynamodb", endpoint, max_pool_connections=1) for _ in range(CALLERS)]
    start = threading.Barrier(CALLERS)

    def attempt(dynamodb: Any) -> str:
        start.wait()
        try:
            call(dynamodb)
        except ClientError as exc:
            code = exc.response["Error"]["Code"]
            if code == "TransactionCanceledException":
                reasons = [r.get("Code") for r in exc.response.get("CancellationReasons", [])]
                return f"{code}:{','.join(str(r) for r in reasons)}"
            return code
        return "ok"

    with ThreadPoolExecutor(CALLERS) as pool:
        return list(pool.map(attempt, clients))


def test_concurrent_conditional_puts_on_one_key_let_exactly_one_win(endpoint, dynamodb):
    table = create_table(dynamodb)

    def put(c: Any) -> None:
        c.put_item(
            TableName=table,
            Item={"pk": {"S": "the-key"}, "writer": {"S": uuid.uuid4().hex}},
            ConditionExpression="attribute_not_exists(pk)",
        )

    outcomes = _race(endpoint, put)

    assert outcomes.count("ok") == 1
    assert outcomes.count("ConditionalCheckFailedException") == CALLERS - 1
    assert dynamodb.scan(TableName=table)["Count"] == 1


def test_concurrent_transactions_claiming_one_unique_key_let_exactly_one_win(endpoint, dynamodb):
    users = create_table(dynamodb)
    claims = create_table(dynamodb)

    def register(c: Any) -> None:
        user_id = uuid.uuid4().hex
        c.transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": claims,
                        "Item": {"pk": {"S": "EMAIL#ada@example.com"}, "userId": {"S": user_id}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
                {
                    "Put": {
                        "TableName": users,
                        "Item": {"pk": {"S": f"USER#{user_id}"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                },
            ]
        )

    outcomes = _race(endpoint, register)

    assert outcomes.count("ok") == 1
    # DynamoDB reports why: the first action failed its condition, the second was not evaluated.
    assert outcomes.count("TransactionCanceledException:ConditionalCheckFailed,None") == CALLERS - 1
    assert dynamodb.scan(TableName=claims)["Count"] == 1
    assert dynamodb.scan(TableName=users)["Count"] == 1


def test_writes_during_failing_transactions_are_never_lost(endpoint, dynamodb):
    # moto backs up each table a transaction touches (copy.deepcopy) and restores that copy when
    # the transaction fails: without serialisation, writes acknowledged in between vanish, and
    # the copy itself crashes with "dictionary changed size during iteration" (HTTP 500). Both
    # happen on moto's bare server with this very test.
    table = create_table(dynamodb)
    for start in range(0, 200, 25):
        dynamodb.batch_write_item(
            RequestItems={
                table: [
                    {"PutRequest": {"Item": {"pk": {"S": f"seed{i}"}, "pad": {"S": "x" * 50}}}}
                    for i in range(start, start + 25)
                ]
            }
        )
    writers_done = threading.Event()

    def fail_transactions(c: Any) -> set[str]:
        codes: set[str] = set()
        while not writers_done.is_set():
            try:
                c.transact_write_items(
                    TransactItems=[
                        {
                            "ConditionCheck": {
                                "TableName": table,
                                "Key": {"pk": {"S": "seed0"}},
                                "ConditionExpression": "attribute_not_exists(pk)",
                            }
                        }
                    ]
                )
                codes.add("ok")
            except ClientError as exc:
                codes.add(exc.response["Error"]["Code"])
        return codes

    def write(c: Any) -> list[str]:
        acknowledged = []
        for _ in range(40):
            key = uuid.uuid4().hex
            c.put_item(TableName=table, Item={"pk": {"S": key}})
            acknowledged.append(key)
        return acknowledged

    clients = [client("dynamodb", endpoint) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        failing = [pool.submit(fail_transactions, c) for c in clients[:2]]
        writers = [pool.submit(write, c) for c in clients[2:]]
        acknowledged = [key for w in writers for key in w.result()]
        writers_done.set()
        transaction_outcomes = set().union(*(f.result() for f in failing))

    assert transaction_outcomes == {"TransactionCanceledException"}
    missing = [
        k for k in acknowledged if "Item" not in dynamodb.get_item(TableName=table, Key={"pk": {"S": k}})
    ]
    assert missing == []
