"""Corrections to moto where it departs from AWS in ways the backend depends on.

Applied after a successful mutating request, live and on replay alike (so a replayed journal
ends in the same state).
"""

from __future__ import annotations

import copy
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID

from emulator.aws.requests import AwsRequest


def after_write(request: AwsRequest) -> None:
    if request.service == "secretsmanager" and request.action == "UpdateSecretVersionStage":
        _follow_awscurrent(request)


def _follow_awscurrent(request: AwsRequest) -> None:
    """AWS: GetSecretValue without VersionId/VersionStage returns the AWSCURRENT version. moto
    answers with the version it last created, and UpdateSecretVersionStage moving AWSCURRENT
    (finishSecret of every rotation function) does not change that: after a rotation, moto would
    keep serving the old value."""
    body = request.json()
    target = body.get("MoveToVersionId")
    if body.get("VersionStage") != "AWSCURRENT" or not isinstance(target, str):
        return
    from moto.secretsmanager.models import secretsmanager_backends

    account = request.headers.get("x-moto-account-id", DEFAULT_ACCOUNT_ID)
    secrets = secretsmanager_backends[account][request.region or "us-east-1"].secrets
    secret_id = body.get("SecretId")
    if not isinstance(secret_id, str) or secret_id not in secrets:
        return
    secret = secrets[secret_id]
    version = getattr(secret, "versions", {}).get(target)
    if version is None:
        return
    secret.default_version_id = target
    if "secret_string" in version:
        secret.secret_string = version["secret_string"]


class TransactionBackups:
    """Cheap rollback copies for moto's TransactWriteItems.

    moto backs up every table a transaction touches with ``copy.deepcopy(table)`` and puts the
    copy back if the transaction is cancelled: on a 10,000-item table that took 0.4 s per
    transaction, under the endpoint lock, for every registration. A transaction only changes the
    items it names, so the backup here shares every other item with the live table and deep-copies
    just the named ones. It is used while the endpoint lock is held (one transaction at a time);
    any other deepcopy in that module goes to the real one.
    """

    def __init__(self) -> None:
        self.transact_items: list[dict[str, Any]] | None = None

    def install(self) -> None:
        import moto.dynamodb.models as dynamodb_models

        dynamodb_models.copy = SimpleNamespace(deepcopy=self.deepcopy, copy=copy.copy)  # type: ignore[attr-defined]

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        from moto.dynamodb.models.table import Table

        if isinstance(value, Table) and self.transact_items is not None:
            return self._backup(value, self.transact_items)
        return copy.deepcopy(value, memo)

    @staticmethod
    def _backup(table: Any, transact_items: list[dict[str, Any]]) -> Any:
        from moto.dynamodb.models.dynamo_type import DynamoType

        backup = copy.copy(table)
        items = defaultdict(dict)
        items.update(table.items)
        copied_hashes: set[Any] = set()
        for entry in transact_items:
            if not isinstance(entry, dict) or len(entry) != 1:
                continue
            op_type, op = next(iter(entry.items()))
            if not isinstance(op, dict) or op.get("TableName") != table.name:
                continue
            key = op.get("Item") if op_type == "Put" else op.get("Key")
            try:
                hash_key = DynamoType(key[table.hash_key_attr])
                range_key = DynamoType(key[table.range_key_attr]) if table.range_key_attr else None
            except (KeyError, TypeError):
                continue  # moto rejects the operation itself; nothing of it to restore
            if hash_key not in table.items:
                continue
            if range_key is None:
                items[hash_key] = copy.deepcopy(table.items[hash_key])
                continue
            if hash_key not in copied_hashes:  # puts/deletes change the inner dict in place
                items[hash_key] = dict(table.items[hash_key])
                copied_hashes.add(hash_key)
            if range_key in table.items[hash_key]:
                items[hash_key][range_key] = copy.deepcopy(table.items[hash_key][range_key])
        backup.items = items
        return backup
