"""What serve does with each property of plain CloudFormation functions and raw API Gateway
resources (the groups of :mod:`.coverage`: handled, no local effect, else one warning)."""

from __future__ import annotations

from collections.abc import Mapping

LAMBDA_FUNCTION = "AWS::Lambda::Function"
REST_API = "AWS::ApiGateway::RestApi"
REST_RESOURCE = "AWS::ApiGateway::Resource"
REST_METHOD = "AWS::ApiGateway::Method"
REST_STAGE = "AWS::ApiGateway::Stage"
REST_DEPLOYMENT = "AWS::ApiGateway::Deployment"
REST_AUTHORIZER = "AWS::ApiGateway::Authorizer"
REST_GATEWAY_RESPONSE = "AWS::ApiGateway::GatewayResponse"
HTTP_API = "AWS::ApiGatewayV2::Api"
HTTP_ROUTE = "AWS::ApiGatewayV2::Route"
HTTP_INTEGRATION = "AWS::ApiGatewayV2::Integration"
HTTP_STAGE = "AWS::ApiGatewayV2::Stage"
HTTP_AUTHORIZER = "AWS::ApiGatewayV2::Authorizer"

# The resources that belong to an API, by its RestApiId / ApiId.
REST_CHILD_TYPES = (
    REST_RESOURCE,
    REST_METHOD,
    REST_STAGE,
    REST_DEPLOYMENT,
    REST_AUTHORIZER,
    REST_GATEWAY_RESPONSE,
)
HTTP_CHILD_TYPES = (HTTP_ROUTE, HTTP_INTEGRATION, HTTP_STAGE, HTTP_AUTHORIZER)
REST_TYPES = frozenset({REST_API, *REST_CHILD_TYPES})
HTTP_TYPES = frozenset({HTTP_API, *HTTP_CHILD_TYPES})
# Served (read into functions, APIs and routes), never created in the local AWS endpoint.
RAW_TYPES = REST_TYPES | HTTP_TYPES | {LAMBDA_FUNCTION}
RAW_NO_LOCAL_EFFECT_TYPES = frozenset({"AWS::ApiGatewayV2::Deployment"})

# A function's properties that mean the same in AWS::Lambda::Function and AWS::Serverless::Function.
FUNCTION_PROPERTIES = frozenset(
    {
        "Architectures",
        "Environment",
        "FunctionName",
        "Handler",
        "Layers",
        "MemorySize",
        "PackageType",
        "ReservedConcurrentExecutions",
        "Runtime",
        "Timeout",
    }
)

RAW_HANDLED: Mapping[str, frozenset[str]] = {
    LAMBDA_FUNCTION: FUNCTION_PROPERTIES | {"Code"},
    REST_API: frozenset({"Body", "BodyS3Location", "BinaryMediaTypes"}),
    REST_RESOURCE: frozenset({"RestApiId", "ParentId", "PathPart"}),
    REST_METHOD: frozenset(
        {
            "RestApiId",
            "ResourceId",
            "HttpMethod",
            "AuthorizationType",
            "AuthorizerId",
            "ApiKeyRequired",
            "Integration",
            "MethodResponses",
        }
    ),
    REST_STAGE: frozenset({"RestApiId", "StageName", "Variables", "MethodSettings", "DeploymentId"}),
    REST_DEPLOYMENT: frozenset({"RestApiId", "StageName", "StageDescription"}),
    REST_AUTHORIZER: frozenset(
        {
            "RestApiId",
            "Name",
            "Type",
            "AuthorizerUri",
            "IdentitySource",
            "IdentityValidationExpression",
            "AuthorizerResultTtlInSeconds",
            "ProviderARNs",
        }
    ),
    REST_GATEWAY_RESPONSE: frozenset(
        {"RestApiId", "ResponseType", "StatusCode", "ResponseParameters", "ResponseTemplates"}
    ),
    HTTP_API: frozenset(
        {"ProtocolType", "Body", "BodyS3Location", "CorsConfiguration", "Target", "RouteKey"}
    ),
    HTTP_ROUTE: frozenset(
        {"ApiId", "RouteKey", "Target", "AuthorizationType", "AuthorizerId", "AuthorizationScopes"}
    ),
    HTTP_INTEGRATION: frozenset({"ApiId", "IntegrationType", "IntegrationUri", "PayloadFormatVersion"}),
    HTTP_STAGE: frozenset({"ApiId", "StageName", "AutoDeploy", "StageVariables", "DeploymentId"}),
    HTTP_AUTHORIZER: frozenset(
        {
            "ApiId",
            "AuthorizerType",
            "Name",
            "IdentitySource",
            "JwtConfiguration",
            "AuthorizerUri",
            "AuthorizerPayloadFormatVersion",
            "EnableSimpleResponses",
            "AuthorizerResultTtlInSeconds",
        }
    ),
}

RAW_NO_LOCAL_EFFECT: Mapping[str, frozenset[str]] = {
    LAMBDA_FUNCTION: frozenset(
        {
            "CodeSigningConfigArn",
            "DeadLetterConfig",
            "Description",
            "EphemeralStorage",
            "KmsKeyArn",
            "LoggingConfig",
            "RecursiveLoop",
            "Role",
            "RuntimeManagementConfig",
            "SnapStart",
            "Tags",
            "TracingConfig",
            "VpcConfig",
        }
    ),
    REST_API: frozenset(
        {
            "ApiKeySourceType",
            "Description",
            "EndpointConfiguration",
            "FailOnWarnings",
            "Mode",
            "Name",
            "Parameters",
            "Tags",
        }
    ),
    REST_METHOD: frozenset({"OperationName"}),
    REST_STAGE: frozenset(
        {
            "AccessLogSetting",
            "CacheClusterEnabled",
            "CacheClusterSize",
            "ClientCertificateId",
            "Description",
            "DocumentationVersion",
            "Tags",
            "TracingEnabled",
        }
    ),
    REST_DEPLOYMENT: frozenset({"Description"}),
    REST_AUTHORIZER: frozenset({"AuthorizerCredentials", "AuthType"}),
    HTTP_API: frozenset(
        {
            "ApiKeySelectionExpression",
            "CredentialsArn",
            "Description",
            "DisableSchemaValidation",
            "FailOnWarnings",
            "Name",
            "RouteSelectionExpression",
            "Tags",
            "Version",
        }
    ),
    HTTP_ROUTE: frozenset({"ModelSelectionExpression", "OperationName", "RouteResponseSelectionExpression"}),
    HTTP_INTEGRATION: frozenset({"CredentialsArn", "Description", "IntegrationMethod", "TimeoutInMillis"}),
    HTTP_STAGE: frozenset({"AccessLogSettings", "ClientCertificateId", "Description", "Tags"}),
    HTTP_AUTHORIZER: frozenset({"AuthorizerCredentialsArn"}),
}
