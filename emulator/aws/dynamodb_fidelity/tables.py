"""What the fidelity rules need to know of moto's DynamoDB state, in one place.

Everything here runs under the endpoint's lock (emulator.aws.endpoint), so what it reads is
what the request that follows will see.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from emulator.aws.requests import AwsRequest


@dataclass(frozen=True)
class TableInfo:
    name: str
    key: tuple[str, ...]  # partition key, then sort key if any
    types: dict[str, str]  # AttributeDefinitions: name -> S | N | B
    indexes: dict[str, tuple[str, ...]]  # index name -> its key attributes
    ttl_status: str
    moto_table: Any


# (account-deciding inputs, region) -> moto's backend. An access key's account never changes once
# the key exists, and IAM (which makes keys) is not served, so the lookup is remembered.
_BACKENDS: dict[tuple[str | None, str | None, str, str], Any] = {}


def _backend(request: AwsRequest) -> Any:
    region = request.region or "us-east-1"
    access_key = _access_key(request)
    cache_key = (
        os.environ.get("MOTO_ACCOUNT_ID"),
        request.headers.get("x-moto-account-id"),
        access_key,
        region,
    )
    backend = _BACKENDS.get(cache_key)
    if backend is not None:
        return backend
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    # The account as moto works it out (moto.core.responses.BaseResponse.get_current_account).
    account = cache_key[0] or cache_key[1]
    if account is None:
        from moto.iam.models import get_account_id_from

        account = get_account_id_from(access_key) if access_key else DEFAULT_ACCOUNT_ID
    if len(_BACKENDS) > 1000:
        _BACKENDS.clear()
    backend = _BACKENDS[cache_key] = dynamodb_backends[account][region]
    return backend


def _access_key(request: AwsRequest) -> str:
    authorization = request.headers.get("Authorization", "")
    marker = authorization.find("Credential=")
    return authorization[marker + len("Credential=") :].split("/", 1)[0] if marker >= 0 else ""


def table(request: AwsRequest, name: Any) -> TableInfo | None:
    if not isinstance(name, str):
        return None
    backend = _backend(request)
    found = backend.tables.get(name)
    if found is None:
        found = next((t for t in list(backend.tables.values()) if t.table_arn == name), None)
    if found is None:
        return None
    key = (found.hash_key_attr,) + ((found.range_key_attr,) if found.range_key_attr else ())
    indexes = {
        index.name: tuple(element["AttributeName"] for element in index.schema)
        for index in [*found.global_indexes, *found.indexes]
    }
    types = {d["AttributeName"]: d["AttributeType"] for d in found.attr}
    return TableInfo(found.name, key, types, indexes, found.ttl.get("TimeToLiveStatus", "DISABLED"), found)


def get_item(info: TableInfo, key: dict[str, Any]) -> dict[str, Any] | None:
    """The stored item with this key, in DynamoDB JSON, or None."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    try:
        hash_key = DynamoType(key[info.key[0]])
        range_key = DynamoType(key[info.key[1]]) if len(info.key) > 1 else None
    except (KeyError, TypeError):
        return None
    table_items = info.moto_table.items
    if hash_key not in table_items:
        return None
    found = table_items[hash_key]
    if range_key is not None:
        found = found.get(range_key)
    return found.to_json()["Attributes"] if found is not None else None


def delete_item(info: TableInfo, key: dict[str, Any]) -> None:
    from moto.dynamodb.models.dynamo_type import DynamoType

    hash_key = DynamoType(key[info.key[0]])
    range_key = DynamoType(key[info.key[1]]) if len(info.key) > 1 else None
    info.moto_table.delete_item(hash_key, range_key)
