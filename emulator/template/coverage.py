"""What ``serve`` does with each resource type and property of a template, so that nothing is
ignored without a word.

Every resource type and every property of the resources it serves falls in one of three groups:

- **emulated**: served or created locally (functions, APIs, tables, secrets...);
- **no local effect**: deployment, IAM and observability settings that cannot change what a
  request gets back locally (roles, policies, log groups, tags, X-Ray...): listed by
  ``serve --check``, never warned about;
- **not emulated**: anything else. Each one is a warning line naming the logical ids, one line
  per resource type or property (:class:`~emulator.template.model.TemplateNotes`).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from emulator.template.model import TemplateNotes
from emulator.template.raw_coverage import (
    FUNCTION_PROPERTIES,
    RAW_HANDLED,
    RAW_NO_LOCAL_EFFECT,
    RAW_NO_LOCAL_EFFECT_TYPES,
    RAW_TYPES,
)

SERVERLESS_FUNCTION = "AWS::Serverless::Function"
LAMBDA_FUNCTION = "AWS::Lambda::Function"
SERVERLESS_API = "AWS::Serverless::Api"
SERVERLESS_HTTP_API = "AWS::Serverless::HttpApi"

# Types served or created by serve (or read by another resource that is).
EMULATED_TYPES = (
    frozenset(
        {
            SERVERLESS_FUNCTION,
            SERVERLESS_API,
            SERVERLESS_HTTP_API,
            "AWS::DynamoDB::Table",
            "AWS::Serverless::SimpleTable",
            "AWS::SecretsManager::Secret",
            "AWS::SecretsManager::RotationSchedule",
            "AWS::SES::EmailIdentity",
            "AWS::Serverless::LayerVersion",  # local content: on the functions' sys.path (layers.py)
            "AWS::Lambda::LayerVersion",
            "AWS::Serverless::Application",  # a local template: served with the parent (nested.py)
            "AWS::CloudFormation::Stack",
        }
    )
    | RAW_TYPES
)

# Types that only matter to a deployment: permissions, logging, the deployment plumbing of API
# Gateway, CDK's bookkeeping. Locally every function may call every resource and logs go to stderr.
NO_LOCAL_EFFECT_TYPES = (
    frozenset(
        {
            "AWS::IAM::Role",
            "AWS::IAM::Policy",
            "AWS::IAM::ManagedPolicy",
            "AWS::IAM::InstanceProfile",
            "AWS::Lambda::Permission",
            "AWS::Logs::LogGroup",
            "AWS::ApiGateway::Account",
            "AWS::CDK::Metadata",
            "AWS::CloudWatch::Alarm",
            "AWS::CloudWatch::Dashboard",
        }
    )
    | RAW_NO_LOCAL_EFFECT_TYPES
)

# Properties per served type. Those not listed (in either set) are not emulated: a warning.
_HANDLED: Mapping[str, frozenset[str]] = {
    SERVERLESS_FUNCTION: FUNCTION_PROPERTIES | {"CodeUri", "Events", "ImageUri", "InlineCode"},
    SERVERLESS_API: frozenset(
        {
            "Auth",
            "BinaryMediaTypes",
            "Cors",
            "DefinitionBody",
            "DefinitionUri",
            "GatewayResponses",
            "MergeDefinitions",
            "MethodSettings",
            "StageName",
            "Variables",
        }
    ),
}
_HANDLED = {
    **_HANDLED,
    SERVERLESS_HTTP_API: frozenset(
        {"Auth", "CorsConfiguration", "DefinitionBody", "DefinitionUri", "StageName", "StageVariables"}
    ),
    **RAW_HANDLED,
}
_LAYER_NO_LOCAL_EFFECT = frozenset(
    {
        "CompatibleArchitectures",
        "CompatibleRuntimes",
        "Description",
        "LayerName",
        "LicenseInfo",
        "RetentionPolicy",
    }
)
_HANDLED = {
    **_HANDLED,
    "AWS::Serverless::LayerVersion": frozenset({"ContentUri"}),
    "AWS::Lambda::LayerVersion": frozenset({"Content"}),
}
_HANDLED = {
    **_HANDLED,
    "AWS::Serverless::Application": frozenset({"Location", "Parameters"}),
    "AWS::CloudFormation::Stack": frozenset({"TemplateURL", "Parameters"}),
}
_NESTED_NO_LOCAL_EFFECT = frozenset({"NotificationARNs", "Tags", "TimeoutInMinutes"})
_NO_LOCAL_EFFECT: Mapping[str, frozenset[str]] = {
    "AWS::Serverless::Application": _NESTED_NO_LOCAL_EFFECT,
    "AWS::CloudFormation::Stack": _NESTED_NO_LOCAL_EFFECT,
    "AWS::Serverless::LayerVersion": _LAYER_NO_LOCAL_EFFECT,
    "AWS::Lambda::LayerVersion": _LAYER_NO_LOCAL_EFFECT,
    SERVERLESS_HTTP_API: frozenset(
        {"AccessLogSettings", "Description", "FailOnWarnings", "Name", "PropagateTags", "Tags"}
    ),
    SERVERLESS_FUNCTION: frozenset(
        {
            "AssumeRolePolicyDocument",
            "AutoPublishAlias",
            "AutoPublishAliasAllProperties",
            "AutoPublishCodeSha256",
            "CodeSigningConfigArn",
            "DeadLetterQueue",
            "DeploymentPreference",
            "Description",
            "EphemeralStorage",
            "EventInvokeConfig",
            "FunctionScalingConfig",
            "KmsKeyArn",
            "LoggingConfig",
            "PermissionsBoundary",
            "Policies",
            "PropagateTags",
            "ProvisionedConcurrencyConfig",
            "RecursiveLoop",
            "Role",
            "RolePath",
            "RuntimeManagementConfig",
            "SnapStart",
            "SourceKMSKeyArn",
            "Tags",
            "Tracing",
            "VersionDeletionPolicy",
            "VersionDescription",
            "VpcConfig",
        }
    ),
    SERVERLESS_API: frozenset(
        {
            "AccessLogSetting",
            "AlwaysDeploy",
            "ApiKeySourceType",
            "CacheClusterEnabled",
            "CacheClusterSize",
            "CanarySetting",
            "Description",
            "EndpointConfiguration",
            "FailOnWarnings",
            "Mode",
            "Name",
            "OpenApiVersion",
            "PropagateTags",
            "Tags",
            "TracingEnabled",
        }
    ),
}

_NO_LOCAL_EFFECT = {**_NO_LOCAL_EFFECT, **RAW_NO_LOCAL_EFFECT}

# The event types of a function that serve answers; the others (queues, schedules...) are
# never triggered locally.
SERVED_EVENT_TYPES = frozenset({"Api", "HttpApi"})


def _short_type(resource_type: str) -> str:
    return resource_type.removeprefix("AWS::")


def review_resource_types(resources: Mapping[str, Mapping[str, Any]], notes: TemplateNotes) -> None:
    """One note per resource that is neither emulated nor without local effect."""
    for logical_id, resource in resources.items():
        resource_type = str(resource.get("Type"))
        if resource_type in EMULATED_TYPES:
            continue
        if resource_type in NO_LOCAL_EFFECT_TYPES:
            notes.no_local_effect(resource_type, logical_id)
        elif resource_type.startswith("Custom::") or resource_type == "AWS::CloudFormation::CustomResource":
            notes.ignore(f"{resource_type} (a custom resource) is not run locally", logical_id)
        else:
            notes.ignore(f"{resource_type} is not emulated", logical_id)


def review_properties(
    logical_id: str, resource_type: str, properties: Mapping[str, Any], notes: TemplateNotes
) -> None:
    """Notes for the properties of a served resource that serve does not use."""
    handled = _HANDLED.get(resource_type, frozenset())
    no_effect = _NO_LOCAL_EFFECT.get(resource_type, frozenset())
    for name in properties:
        if name in handled:
            continue
        if name in no_effect:
            notes.no_local_effect(f"{_short_type(resource_type)}.{name}", logical_id)
        else:
            notes.ignore(f"{name} of {resource_type} is not emulated", logical_id)


def reviewed_resources(
    resources: Mapping[str, Mapping[str, Any]],
    types: Collection[str],
    properties_of: Callable[[str], Mapping[str, Any]],
    notes: TemplateNotes,
) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``(logical id, type, properties)`` of each resource of ``types``, in template order, its
    properties resolved (when reached: a later one may depend on an earlier one) and reviewed."""
    for logical_id, resource in resources.items():
        resource_type = str(resource.get("Type"))
        if resource_type in types:
            properties = properties_of(logical_id)
            review_properties(logical_id, resource_type, properties, notes)
            yield logical_id, resource_type, properties


def review_event(function_id: str, event_name: str, event: Any, notes: TemplateNotes) -> bool:
    """True when the event is served; else a note for it (an SQS queue, a schedule...)."""
    event_type = event.get("Type") if isinstance(event, dict) else None
    if not isinstance(event_type, str):
        event_type = repr(event_type)
    if event_type in SERVED_EVENT_TYPES:
        return True
    notes.ignore(
        f"{event_type} events are not emulated (never triggered locally)",
        f"{function_id}.{event_name}",
    )
    return False
