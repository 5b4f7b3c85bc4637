"""Errors of the serving component, each with the exit code the CLI maps it to."""

from __future__ import annotations


class ServingError(Exception):
    """Base class of every error the serving component raises on purpose.

    Most mean no model can be served, so the exit code is the "not found" one.
    """

    exit_code = 6


class ModelNotReadyError(ServingError):
    """No model can be served: the registry, the alias or the features disagree."""

    exit_code = 6


class RequestRejectedError(ServingError):
    """A request is well-formed JSON but breaks a rule of this server."""

    exit_code = 4

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule
