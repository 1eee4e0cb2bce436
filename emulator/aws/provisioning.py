"""Create the template's tables, SES identities and secrets on the endpoints, as ``sam deploy`` would.

CloudFormation creates resources from the template; locally nothing does, so ``serve`` calls
:func:`provision` at start. It is idempotent (existing resources are kept with their data) and
refuses to guess: a table whose key schema differs from the template is reported, never dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import Any

from emulator import log
from emulator.aws.environment import DUMMY_ACCESS_KEY_ID, DUMMY_SECRET_ACCESS_KEY
from emulator.errors import UserError
from emulator.lambda_runtime.api import InvocationResult
from emulator.template.model import ResourceSpec, SamApp

TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
# SAM's SimpleTable PrimaryKey.Type -> DynamoDB attribute type.
_SIMPLE_TABLE_TYPES = {"String": "S", "Number": "N", "Binary": "B"}
_LOG = logging.getLogger(log.AWS)


def provision(
    app: SamApp,
    *,
    endpoint_url: str,
    dynamodb_endpoint_url: str | None = None,
    invoke: Callable[[str, Mapping[str, Any]], InvocationResult] | None = None,
    external: bool = False,
) -> None:
    """Tables, then secrets (each rotated once, if it has a schedule, with ``invoke``).

    ``external``: ``endpoint_url`` is not the embedded endpoint but one the user configured
    (LocalStack): its clients sign with this process's credentials, the ones the functions get,
    because LocalStack keeps each access key's account apart (emulator/aws/account.py)."""
    from emulator.aws.secrets import provision_secrets
    from emulator.aws.ses_identities import EMAIL_IDENTITY_TYPE, provision_email_identities

    dynamodb = aws_client(
        "dynamodb", dynamodb_endpoint_url or endpoint_url, app.region, embedded=not dynamodb_endpoint_url
    )
    for spec in app.resources_of_type(*TABLE_TYPES):
        ensure_table(dynamodb, spec)
    identities = app.resources_of_type(EMAIL_IDENTITY_TYPE)
    if identities:
        ses = aws_client("ses", endpoint_url, app.region, embedded=not external)
        provision_email_identities(ses, identities)
    provision_secrets(
        app, aws_client("secretsmanager", endpoint_url, app.region, embedded=not external), invoke=invoke
    )


def aws_client(service: str, endpoint_url: str, region: str, *, embedded: bool) -> Any:
    """A boto3 client for a local endpoint (dummy credentials when ``embedded``), with short timeouts."""
    import boto3
    from botocore.config import Config

    session = boto3.session.Session()
    credentials: dict[str, str] = {}
    if embedded or session.get_credentials() is None:
        # The embedded endpoint (and DynamoDB Local) take any key; real AWS gets the user's own.
        credentials = {
            "aws_access_key_id": DUMMY_ACCESS_KEY_ID,
            "aws_secret_access_key": DUMMY_SECRET_ACCESS_KEY,
        }
    config = Config(retries={"max_attempts": 3, "mode": "standard"}, connect_timeout=5, read_timeout=30)
    return session.client(
        service, endpoint_url=endpoint_url, region_name=region, config=config, **credentials
    )


# -- tables --------------------------------------------------------------------------------------
def table_request(spec: ResourceSpec) -> dict[str, Any]:
    """The CreateTable request for an ``AWS::DynamoDB::Table`` or ``AWS::Serverless::SimpleTable``."""
    props = spec.properties
    name = str(props.get("TableName") or spec.physical_name)
    if spec.type == "AWS::Serverless::SimpleTable":
        # SAM: PrimaryKey defaults to {Name: id, Type: String}; no ProvisionedThroughput means
        # on-demand billing.
        primary = props.get("PrimaryKey") or {"Name": "id", "Type": "String"}
        key_type = _SIMPLE_TABLE_TYPES.get(str(primary.get("Type", "String")))
        if key_type is None:
            raise UserError(f"table {spec.logical_id}: PrimaryKey.Type must be String, Number or Binary")
        request: dict[str, Any] = {
            "TableName": name,
            "KeySchema": [{"AttributeName": primary["Name"], "KeyType": "HASH"}],
            "AttributeDefinitions": [{"AttributeName": primary["Name"], "AttributeType": key_type}],
        }
        throughput = props.get("ProvisionedThroughput")
        _billing(request, throughput, mode="PROVISIONED" if throughput else "PAY_PER_REQUEST")
        tags = props.get("Tags") or {}
        if tags:
            request["Tags"] = [{"Key": str(k), "Value": str(v)} for k, v in tags.items()]
        return request

    if not props.get("KeySchema") or not props.get("AttributeDefinitions"):
        raise UserError(f"table {spec.logical_id}: KeySchema and AttributeDefinitions are required")
    request = {
        "TableName": name,
        "KeySchema": _key_schema(props["KeySchema"]),
        "AttributeDefinitions": [
            {"AttributeName": str(a["AttributeName"]), "AttributeType": str(a["AttributeType"])}
            for a in props["AttributeDefinitions"]
        ],
    }
    # CloudFormation's default BillingMode is PROVISIONED.
    mode = _billing(
        request, props.get("ProvisionedThroughput"), mode=str(props.get("BillingMode") or "PROVISIONED")
    )
    if props.get("GlobalSecondaryIndexes"):
        request["GlobalSecondaryIndexes"] = [
            _index(i, provisioned=mode == "PROVISIONED") for i in props["GlobalSecondaryIndexes"]
        ]
    if props.get("LocalSecondaryIndexes"):
        request["LocalSecondaryIndexes"] = [
            _index(i, provisioned=False) for i in props["LocalSecondaryIndexes"]
        ]
    if props.get("Tags"):
        request["Tags"] = [{"Key": str(t["Key"]), "Value": str(t["Value"])} for t in props["Tags"]]
    # StreamSpecification, SSESpecification, PointInTimeRecovery..., TableClass: no local effect.
    return request


def _key_schema(schema: Any) -> list[dict[str, str]]:
    return [{"AttributeName": str(k["AttributeName"]), "KeyType": str(k["KeyType"])} for k in schema]


def _billing(request: dict[str, Any], throughput: Any, *, mode: str) -> str:
    request["BillingMode"] = mode
    if mode == "PROVISIONED":
        request["ProvisionedThroughput"] = _throughput(throughput or {})
    return mode


def _throughput(value: Mapping[str, Any]) -> dict[str, int]:
    return {
        "ReadCapacityUnits": int(value.get("ReadCapacityUnits", 5)),
        "WriteCapacityUnits": int(value.get("WriteCapacityUnits", 5)),
    }


def _index(index: Mapping[str, Any], *, provisioned: bool) -> dict[str, Any]:
    result: dict[str, Any] = {
        "IndexName": str(index["IndexName"]),
        "KeySchema": _key_schema(index["KeySchema"]),
        "Projection": dict(index.get("Projection") or {"ProjectionType": "ALL"}),
    }
    if provisioned:
        result["ProvisionedThroughput"] = _throughput(index.get("ProvisionedThroughput") or {})
    return result


def _key_types(
    key_schema: list[dict[str, str]], definitions: list[dict[str, str]]
) -> list[tuple[str, str, str]]:
    types = {d["AttributeName"]: d["AttributeType"] for d in definitions}
    return [(k["AttributeName"], k["KeyType"], types.get(k["AttributeName"], "?")) for k in key_schema]


def _describe_keys(keys: list[tuple[str, str, str]]) -> str:
    return ", ".join(f"{name} {key_type} ({attr_type})" for name, key_type, attr_type in keys)


def ensure_table(dynamodb: Any, spec: ResourceSpec) -> bool:
    """Create the table if missing (True when created); UserError if it exists with other keys."""
    from botocore.exceptions import ClientError  # here: the endpoint's process never needs botocore

    request = table_request(spec)
    name = request["TableName"]
    try:
        existing = dynamodb.describe_table(TableName=name)["Table"]
    except dynamodb.exceptions.ResourceNotFoundException:
        existing = None
    if existing is None:
        try:
            dynamodb.create_table(**request)
        except ClientError as exc:  # the endpoint refused the template's definition
            raise UserError(
                f"table {name} ({spec.logical_id}): {exc.response['Error'].get('Message', exc)}"
            ) from None
        dynamodb.get_waiter("table_exists").wait(TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60})
        _LOG.info("Created table %s (%s)", name, spec.logical_id)
        created = True
    else:
        wanted = _key_types(request["KeySchema"], request["AttributeDefinitions"])
        actual = _key_types(existing["KeySchema"], existing.get("AttributeDefinitions", []))
        if sorted(wanted) != sorted(actual):
            raise UserError(
                f"table {name} ({spec.logical_id}) exists with key schema [{_describe_keys(actual)}] but the "
                f"template says [{_describe_keys(wanted)}]; wipe local data (`python -m emulator reset`) "
                "or rename the table"
            )
        _report_index_drift(name, request, existing)
        created = False
    _ensure_ttl(dynamodb, name, spec.properties.get("TimeToLiveSpecification"))
    return created


def _report_index_drift(name: str, request: dict[str, Any], existing: dict[str, Any]) -> None:
    for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        wanted = {i["IndexName"] for i in request.get(kind, [])}
        actual = {i["IndexName"] for i in existing.get(kind, [])}
        if wanted != actual:
            _LOG.warning(
                "warning: table %s has %s %s but the template says %s; kept as is (reset local data to "
                "recreate it)",
                name,
                kind,
                sorted(actual),
                sorted(wanted),
            )


def _ensure_ttl(dynamodb: Any, name: str, ttl: Any) -> None:
    # CreateTable does not take TimeToLiveSpecification; CloudFormation applies it with
    # UpdateTimeToLive, which AWS refuses to repeat within an hour: only call it when needed.
    if not ttl or str(ttl.get("Enabled", "false")).lower() != "true":
        return
    attribute = str(ttl["AttributeName"])
    current = dynamodb.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
    if (
        current.get("TimeToLiveStatus") in ("ENABLED", "ENABLING")
        and current.get("AttributeName") == attribute
    ):
        return
    dynamodb.update_time_to_live(
        TableName=name, TimeToLiveSpecification={"Enabled": True, "AttributeName": attribute}
    )
    _LOG.info("Enabled TTL on %s.%s", name, attribute)
