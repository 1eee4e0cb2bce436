"""Embedded AWS services (DynamoDB, Secrets Manager, SSM, SES) on moto, made safe for local work.

Public API (contracts section A): :class:`EmbeddedAws`, :func:`worker_environment`,
:func:`provision`. Importing this package is cheap: moto is only loaded by the endpoint's own
process and boto3 only when provisioning runs.
"""

from __future__ import annotations

from emulator.aws.environment import worker_environment
from emulator.aws.process import EmbeddedAws
from emulator.aws.provisioning import provision

__all__ = ["EmbeddedAws", "provision", "worker_environment"]
