"""The emulator's named loggers, configured once by ``cli.main`` (as uvicorn and SAM CLI do).

=====================  ==========================================================================
``emulator.access``    one line per request: ``127.0.0.1 "GET /prod/x HTTP/1.1" 200 1.2ms``
``emulator.lambda``    the functions' log streams: START, the handler's output, END, REPORT
``emulator.gateway``   API Gateway's execution log: failed integrations, authorizer errors
``emulator.aws``       the embedded AWS endpoint (its process's lines) and provisioning
``emulator.serve``     ``serve``'s own start-up figures
``emulator.template``  what the template holds that is not emulated (``warning: ...`` lines)
=====================  ==========================================================================

Records go to stderr as plain lines, the same ones the emulator printed before it had loggers;
a logger's tag (``[gateway] ``) comes from :data:`PREFIXES`, not from each message. The banner
and the ``Ready on`` line are not logs: they go to stdout, for the tools that wait for them.
``--log-level`` and ``--quiet`` choose what is shown; ``--pretty-logs`` shows the functions'
JSON log lines (AWS Lambda Powertools' structured logs) as ``LEVEL message key=value``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from typing import TextIO

ROOT = "emulator"
ACCESS = "emulator.access"
LAMBDA = "emulator.lambda"
GATEWAY = "emulator.gateway"
AWS = "emulator.aws"
# The endpoint's own errors, in its process (journal, snapshot, TTL sweep).
AWS_ENDPOINT = "emulator.aws.endpoint"
SERVE = "emulator.serve"
# What serve says about the template: the ignored resources and properties, "0 routes".
TEMPLATE = "emulator.template"

PREFIXES = {GATEWAY: "[gateway] ", SERVE: "[serve] ", AWS_ENDPOINT: "emulator aws: "}
LEVELS = ("debug", "info", "warning", "error")
# Keys of a Powertools log line that --pretty-logs leaves out: the same on every line.
_QUIET_KEYS = frozenset(
    {"level", "message", "timestamp", "location", "service", "xray_trace_id", "sampling_rate"}
    | {"function_name", "function_memory_size", "function_arn", "function_request_id", "cold_start"}
)


class EmulatorFormatter(logging.Formatter):
    """``[tag] message`` (the tag by logger, see :data:`PREFIXES`), the traceback if any."""

    def __init__(self, *, pretty: bool = False) -> None:
        super().__init__()
        self.pretty = pretty

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if self.pretty and record.name == LAMBDA:
            text = "\n".join(pretty_line(line) for line in text.split("\n"))
        if record.exc_info:
            text = f"{text}\n{self.formatException(record.exc_info)}"
        return PREFIXES.get(record.name, "") + text


def pretty_line(line: str) -> str:
    """A structured (JSON) log line as ``LEVEL message key=value ...``; any other line as it is."""
    if not line.startswith("{"):
        return line
    try:
        entry = json.loads(line)
    except ValueError:
        return line
    if not isinstance(entry, dict) or "message" not in entry:
        return line
    message = entry["message"] if isinstance(entry["message"], str) else json.dumps(entry["message"])
    fields = " ".join(
        f"{key}={value if isinstance(value, str) else json.dumps(value)}"
        for key, value in entry.items()
        if key not in _QUIET_KEYS
    )
    return f"{entry.get('level', '')!s:<7} {message}" + (f"  {fields}" if fields else "")


class _StderrHandler(logging.Handler):
    """Writes each record as one line to whatever ``sys.stderr`` is when it comes (a test may
    have swapped it). stderr is line-buffered: the line leaves at once, with no flush to call."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:  # logging's own policy: report it on stderr, never raise to the caller
            self.handleError(record)


def configure(level: str = "info", *, pretty: bool = False, stream: TextIO | None = None) -> None:
    """Send the ``emulator.*`` loggers' records at ``level`` and above to stderr (or ``stream``).

    Called once per process by the command that runs (again, it replaces the first set-up). The
    records leave out what no line here shows and what costs the per-request lines most: the
    process and thread names (the logging HOWTO's "Optimization").
    """
    logging.logProcesses = logging.logMultiprocessing = logging.logThreads = False
    handler: logging.Handler = _StderrHandler() if stream is None else logging.StreamHandler(stream)
    handler.setFormatter(EmulatorFormatter(pretty=pretty))
    root = logging.getLogger(ROOT)
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level.upper())
    root.propagate = False


def emit(logger: logging.Logger, text: str) -> None:
    """``logger.info(text)`` for the lines written per request (access, function logs), without
    what they never use and ``info`` pays for: the caller's file and line (a stack walk)."""
    if logger.isEnabledFor(logging.INFO):
        logger.handle(logging.LogRecord(logger.name, logging.INFO, "", 0, text, None, None))


def add_logging_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("logging")
    group.add_argument(
        "--log-level",
        choices=LEVELS,
        default=None,
        help="what the emulator logs to stderr (default info: requests, function logs, errors)",
    )
    group.add_argument(
        "--quiet", "-q", action="store_true", help="only warnings and errors (same as --log-level warning)"
    )
    group.add_argument(
        "--pretty-logs",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show the functions' JSON log lines as 'LEVEL message key=value' "
        "(default: on in a terminal, off when CI is set or stderr is not a terminal)",
    )


def configure_from(args: argparse.Namespace) -> None:
    """:func:`configure` with the options of :func:`add_logging_arguments` (absent ones: defaults)."""
    level = getattr(args, "log_level", None) or ("warning" if getattr(args, "quiet", False) else "info")
    pretty = getattr(args, "pretty_logs", None)
    if pretty is None:
        pretty = sys.stderr.isatty() and not os.environ.get("CI")
    configure(level, pretty=pretty)


def level_name(logger: str = ROOT) -> str:
    """The effective level of ``logger``, as a ``--log-level`` value (for a child process)."""
    level = logging.getLogger(logger).getEffectiveLevel()
    return next((name for name in LEVELS if logging.getLevelName(name.upper()) >= level), "error")
