from __future__ import annotations


class DeployError(Exception):
    """A user-facing failure: the CLI prints its one-line message, never a traceback."""


class DeployCancelled(DeployError):
    """The change set was not confirmed at the prompt: nothing changed (exit code 1, not an error)."""
