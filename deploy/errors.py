from __future__ import annotations


class DeployError(Exception):
    """A user-facing failure: the CLI prints its one-line message, never a traceback."""
