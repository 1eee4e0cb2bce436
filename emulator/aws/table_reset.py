"""Empty the template's tables between tests: each one deleted and created anew from the template.

Deleting and re-creating costs a few requests per table whatever it holds (a scan and delete of
every item would grow with the data), works on any DynamoDB endpoint (the embedded one, DynamoDB
Local, LocalStack), and leaves the table exactly as provisioning makes it: keys, indexes, TTL.
Secrets, SES identities and the Lambda workers are untouched. On AWS itself a table takes
seconds to delete: this is for local endpoints.
"""

from __future__ import annotations

import logging
from typing import Any

from emulator import log
from emulator.aws.provisioning import TABLE_TYPES, ensure_table, table_request
from emulator.template.model import SamApp

_LOG = logging.getLogger(log.AWS)


def reset_tables(app: SamApp, dynamodb: Any) -> list[str]:
    """Every table of ``app`` emptied through the boto3 client ``dynamodb``; their names."""
    names = []
    for spec in app.resources_of_type(*TABLE_TYPES):
        name = table_request(spec)["TableName"]
        try:
            dynamodb.delete_table(TableName=name)
        except dynamodb.exceptions.ResourceNotFoundException:
            pass  # deleted behind our back: created below all the same
        else:
            dynamodb.get_waiter("table_not_exists").wait(
                TableName=name, WaiterConfig={"Delay": 1, "MaxAttempts": 60}
            )
        ensure_table(dynamodb, spec)
        names.append(name)
    _LOG.debug("tables emptied: %s", ", ".join(names))
    return names
