"""Embedded AWS services (DynamoDB, Secrets Manager, SSM, SES) on moto, made safe for local work.

Public API: :class:`EmbeddedAws`, :func:`worker_environment`,
:func:`provision`. Importing this package is cheap: its names are loaded on first use (the
endpoint's own process, ``python -m emulator.aws.server``, needs none of them and starts on the
critical path of ``serve``), moto only by the endpoint's process and boto3 only when
provisioning runs.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from emulator.aws.environment import worker_environment
    from emulator.aws.process import EmbeddedAws
    from emulator.aws.provisioning import provision

__all__ = ["EmbeddedAws", "provision", "worker_environment"]

_HOMES = {
    "EmbeddedAws": "emulator.aws.process",
    "provision": "emulator.aws.provisioning",
    "worker_environment": "emulator.aws.environment",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value
