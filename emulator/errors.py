"""Errors that the CLI reports as one clear line, never as a traceback."""


class UserError(Exception):
    """A mistake the user can fix: bad template, missing handler module, bad option."""


class TemplateError(UserError):
    """The SAM template cannot be used. The message names the file and the resource."""
