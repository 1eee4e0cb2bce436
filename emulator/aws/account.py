"""The account an external AWS endpoint acts in, for the template's ``AWS::AccountId``.

CloudFormation resolves ``AWS::AccountId`` (and so every ARN a template builds: ``!Ref`` of a
secret, ``!GetAtt Function.Arn``) to the account that deploys the stack. The template loader's
default is 123456789012, the embedded endpoint's (moto's default account). LocalStack puts each
request in the account its access key names (``test`` and any ``AKIA...`` key: 000000000000, a
12-digit key: that account; LocalStack docs, "Credentials"), and finds no secret by an ARN that
names another account. So, against an external endpoint, serve asks it (STS
``GetCallerIdentity``, with the credentials the functions get) before resolving the template.
"""

from __future__ import annotations

import logging
import os

from emulator import log

_LOG = logging.getLogger(log.AWS)


def external_endpoint_account_id() -> str | None:
    """The account of the endpoint ``AWS_ENDPOINT_URL`` names (as boto3 reads it), in
    ``AWS_REGION``; None without one (the embedded endpoint: the loader's default account)."""
    endpoint_url = os.environ.get("AWS_ENDPOINT_URL")
    if not endpoint_url:
        return None
    return endpoint_account_id(endpoint_url, os.environ.get("AWS_REGION") or "us-east-1")


def endpoint_account_id(endpoint_url: str, region: str) -> str | None:
    """The account STS names on ``endpoint_url`` for this process's credentials; None (and a
    warning) when the endpoint cannot say."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    from emulator.aws.provisioning import aws_client

    try:
        identity = aws_client("sts", endpoint_url, region, embedded=False).get_caller_identity()
        return str(identity["Account"])
    except (BotoCoreError, ClientError, ResponseParserError, KeyError) as exc:  # not an STS
        _LOG.warning(
            "warning: %s did not say which account it acts in (STS GetCallerIdentity: %s); the "
            "template's ARNs keep the default account",
            endpoint_url,
            exc,
        )
        return None
