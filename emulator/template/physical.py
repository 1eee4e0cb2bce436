"""What ``Ref`` and ``Fn::GetAtt`` of the template's own resources evaluate to.

CloudFormation gives each resource a physical name (its name property if set, else a generated
one) and ARNs built from it. Locally the generated name is ``{stack}-{LogicalId}`` (stable, so
data kept across runs is found again), except for functions, which ``sam local`` names after
their logical id. SAM's implicit resources (``ServerlessRestApi``, ``<Function>Role``) can be
referenced too, as in a deployed stack.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from emulator.template.intrinsics import IntrinsicError

FUNCTION_TYPES = ("AWS::Serverless::Function", "AWS::Lambda::Function")
TABLE_TYPES = ("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable")
API_TYPES = (
    "AWS::Serverless::Api",
    "AWS::ApiGateway::RestApi",
    "AWS::Serverless::HttpApi",
    "AWS::ApiGatewayV2::Api",
)

# Property holding the physical name, per resource type.
_NAME_PROPERTY = {
    "AWS::Serverless::Function": "FunctionName",
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::Serverless::SimpleTable": "TableName",
    "AWS::SecretsManager::Secret": "Name",
    "AWS::SSM::Parameter": "Name",
    "AWS::S3::Bucket": "BucketName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::IAM::Role": "RoleName",
    "AWS::Logs::LogGroup": "LogGroupName",
    "AWS::Events::Rule": "Name",
    "AWS::Serverless::StateMachine": "Name",
    "AWS::StepFunctions::StateMachine": "StateMachineName",
}


class ResourceCatalog:
    """Physical names and attributes of the template's resources (implements ResourceReferences)."""

    def __init__(
        self,
        resource_types: Mapping[str, str],
        name_properties: Callable[[str, str], Any],
        *,
        stack_name: str,
        region: str,
        account_id: str,
        partition: str,
    ) -> None:
        """``name_properties(logical_id, property)`` returns a resolved property (or None)."""
        self._types = dict(resource_types)
        self._name_property = name_properties
        self._stack = stack_name
        self._region = region
        self._account = account_id
        self._partition = partition
        self._names: dict[str, str] = {}
        self._in_progress: set[str] = set()

    def add_implicit(self, logical_id: str, resource_type: str) -> None:
        self._types.setdefault(logical_id, resource_type)

    def type_of(self, logical_id: str) -> str:
        return self._types[logical_id]

    def has(self, logical_id: str) -> bool:
        return logical_id in self._types

    def name(self, logical_id: str) -> str:
        """The physical name: the name property when the template sets one."""
        if logical_id in self._names:
            return self._names[logical_id]
        if logical_id in self._in_progress:
            raise IntrinsicError(f"the name of '{logical_id}' depends on itself")
        resource_type = self._types[logical_id]
        self._in_progress.add(logical_id)
        try:
            prop = _NAME_PROPERTY.get(resource_type)
            explicit = self._name_property(logical_id, prop) if prop else None
        finally:
            self._in_progress.discard(logical_id)
        if explicit not in (None, ""):
            name = str(explicit)
        elif resource_type in FUNCTION_TYPES or resource_type in API_TYPES:
            name = logical_id
        elif resource_type == "AWS::S3::Bucket":
            name = f"{self._stack}-{logical_id}".lower()  # bucket names are lower case
        else:
            name = f"{self._stack}-{logical_id}"
        self._names[logical_id] = name
        return name

    def ref(self, logical_id: str) -> Any:
        resource_type = self._types[logical_id]
        if resource_type in ("AWS::SecretsManager::Secret", "AWS::SNS::Topic"):
            return self.arn(logical_id)
        if resource_type == "AWS::SecretsManager::RotationSchedule":
            secret = self._name_property(logical_id, "SecretId")
            return str(secret) if secret else self._generic_arn(logical_id)
        if resource_type == "AWS::SQS::Queue":
            return f"https://sqs.{self._region}.amazonaws.com/{self._account}/{self.name(logical_id)}"
        if resource_type in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            return self.arn(logical_id)
        return self.name(logical_id)

    def get_att(self, logical_id: str, attribute: str) -> Any:
        resource_type = self._types[logical_id]
        if attribute == "Arn":
            return self.arn(logical_id)
        if resource_type in TABLE_TYPES and attribute == "StreamArn":
            return f"{self.arn(logical_id)}/stream/1970-01-01T00:00:00.000"
        if resource_type == "AWS::SecretsManager::Secret" and attribute == "Id":
            return self.arn(logical_id)
        if resource_type == "AWS::SQS::Queue" and attribute == "QueueUrl":
            return self.ref(logical_id)
        if resource_type in API_TYPES and attribute == "RootResourceId":
            return "rootresourceid"
        if resource_type == "AWS::IAM::Role" and attribute == "RoleId":
            return f"AROA{logical_id.upper()[:17]}"
        if attribute in ("Name", "QueueName", "TopicName", "TableName", "FunctionName"):
            return self.name(logical_id)
        # Anything else: a stable, recognisable placeholder (no local service reads it).
        return f"{self.name(logical_id)}.{attribute}"

    def arn(self, logical_id: str) -> str:
        resource_type = self._types[logical_id]
        name = self.name(logical_id)
        p, r, a = self._partition, self._region, self._account
        if resource_type in FUNCTION_TYPES:
            return f"arn:{p}:lambda:{r}:{a}:function:{name}"
        if resource_type in TABLE_TYPES:
            return f"arn:{p}:dynamodb:{r}:{a}:table/{name}"
        if resource_type == "AWS::SecretsManager::Secret":
            # Secrets Manager appends a 6-character random suffix to the name in the ARN.
            return f"arn:{p}:secretsmanager:{r}:{a}:secret:{name}-AbCdEf"
        if resource_type == "AWS::SQS::Queue":
            return f"arn:{p}:sqs:{r}:{a}:{name}"
        if resource_type == "AWS::SNS::Topic":
            return f"arn:{p}:sns:{r}:{a}:{name}"
        if resource_type == "AWS::S3::Bucket":
            return f"arn:{p}:s3:::{name}"
        if resource_type == "AWS::IAM::Role":
            return f"arn:{p}:iam::{a}:role/{name}"
        if resource_type == "AWS::SSM::Parameter":
            return f"arn:{p}:ssm:{r}:{a}:parameter/{name.lstrip('/')}"
        if resource_type == "AWS::Logs::LogGroup":
            return f"arn:{p}:logs:{r}:{a}:log-group:{name}:*"
        if resource_type in ("AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"):
            return f"arn:{p}:states:{r}:{a}:stateMachine:{name}"
        if resource_type in API_TYPES:
            return f"arn:{p}:apigateway:{r}::/restapis/{name}"
        return self._generic_arn(logical_id)

    def _generic_arn(self, logical_id: str) -> str:
        # "AWS::Service::Thing" -> arn:aws:service:region:account:thing/name
        parts = self._types[logical_id].split("::")
        service = parts[1].lower() if len(parts) > 1 else "unknown"
        kind = parts[-1].lower()
        return (
            f"arn:{self._partition}:{service}:{self._region}:{self._account}:{kind}/{self.name(logical_id)}"
        )
