"""``serve``'s embedded AWS endpoint on a stable port, so that the AWS CLI, NoSQL Workbench or a
script set up against it still reach it after a restart.

The default is 8000, DynamoDB Local's port (where NoSQL Workbench and most docs look for a local
DynamoDB; ``python -m emulator aws`` uses it too). If it is taken, serve says so in one line and
takes a free port instead; ``--aws-port PORT`` asks for another one (then a taken port is an
error, as for ``--port``), ``--aws-port 0`` for any free one. ``serve --port 0`` (tests, tools
that start several stacks) also means ``--aws-port 0`` unless ``--aws-port`` is given: nothing
that picks free ports ever depends on a fixed one.
"""

from __future__ import annotations

import argparse
import logging
from typing import TYPE_CHECKING

from emulator import log
from emulator.errors import UserError

if TYPE_CHECKING:
    from emulator.aws.process import EmbeddedAws

DEFAULT_AWS_PORT = 8000


def add_aws_port_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aws-port",
        type=int,
        default=None,
        metavar="PORT",
        help=f"the embedded AWS endpoint's port (default {DEFAULT_AWS_PORT}, or a free one if it is taken; "
        "with --port 0, a free one); 0 picks a free port",
    )


def requested_port(aws_port: int | None, serve_port: int) -> int:
    if aws_port is not None:
        return aws_port
    return 0 if serve_port == 0 else DEFAULT_AWS_PORT


def launch_on_stable_port(aws: EmbeddedAws, *, port: int, fallback: bool) -> None:
    """``aws.launch()`` on ``port``; if it is taken and ``fallback`` (serve's default port), on a
    free one, with a warning line."""
    aws.port = port
    try:
        aws.launch()
    except UserError as exc:
        if not fallback or port == 0:
            raise
        logging.getLogger(log.AWS).warning(
            "warning: port %d is taken (%s), so the AWS endpoint listens on a free port instead "
            "(see the banner); --aws-port PORT chooses one",
            aws.port,
            str(exc).rsplit(": ", 1)[-1],
        )
        aws.port = 0
        aws.launch()


def cli_example(endpoint_url: str, region: str) -> str:
    """The banner's line showing how to point the AWS CLI at the endpoint."""
    return (
        f"  e.g. aws --endpoint-url {endpoint_url} --region {region} dynamodb list-tables  (any credentials)"
    )
