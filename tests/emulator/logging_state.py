"""The emulator's logging set-up saved and restored around a test that configures it (as
``python -m emulator ...`` run in process does): the tests after it, and the pytest plugin's
app in the same worker, must not inherit a handler writing to the terminal."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

from emulator import log


@contextlib.contextmanager
def emulator_logging_restored() -> Iterator[None]:
    root = logging.getLogger(log.ROOT)
    saved = (list(root.handlers), root.level, root.propagate)
    flags = (logging.logProcesses, logging.logMultiprocessing, logging.logThreads)
    try:
        yield
    finally:
        root.handlers[:], root.level, root.propagate = saved
        logging.logProcesses, logging.logMultiprocessing, logging.logThreads = flags
