"""The template's ``AWS::SES::EmailIdentity`` resources, verified on the endpoint at start.

On AWS, CloudFormation creates the identity and its owner verifies it (a link in an email for an
address, DNS records for a domain); until then SES refuses to send from it ("Email address not
verified"), and moto and LocalStack refuse too. Locally there is no one to click or publish DNS, so
each identity is verified at once with SES v1 ``VerifyEmailIdentity`` / ``VerifyDomainIdentity``,
which moto and LocalStack treat as done. A verified domain covers every address in it.
``DkimAttributes``, ``MailFromAttributes``, ``FeedbackAttributes`` and ``ConfigurationSetAttributes``
have no local effect. Resources whose ``Condition`` is false never reach here (the template loader
leaves them out, as CloudFormation does).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from emulator import log
from emulator.errors import UserError
from emulator.template.model import ResourceSpec

EMAIL_IDENTITY_TYPE = "AWS::SES::EmailIdentity"
_LOG = logging.getLogger(log.AWS)


def identity_of(spec: ResourceSpec) -> str:
    identity = spec.properties.get("EmailIdentity")
    if not isinstance(identity, str) or not identity.strip():
        raise UserError(
            f"SES identity {spec.logical_id}: EmailIdentity (an email address or a domain) is required"
        )
    return identity.strip()


def provision_email_identities(ses: Any, specs: Iterable[ResourceSpec]) -> None:
    """Verify each identity that the endpoint does not have yet (idempotent: restarts do nothing)."""
    existing: set[str] = set()
    for page in ses.get_paginator("list_identities").paginate():
        existing.update(identity.lower() for identity in page["Identities"])
    for spec in specs:
        identity = identity_of(spec)
        if identity.lower() in existing:
            continue
        if "@" in identity:
            ses.verify_email_identity(EmailAddress=identity)
        else:
            ses.verify_domain_identity(Domain=identity)
        existing.add(identity.lower())
        _LOG.info("Verified SES identity %s (%s)", identity, spec.logical_id)
