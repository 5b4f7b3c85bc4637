"""Errors of the serving component; the command line maps each to its exit code."""

from __future__ import annotations


class ServingError(Exception):
    """Base class of every error the serving component raises on purpose.

    Most mean no model can be served, so the exit code is the "not found" one.
    """


class ModelNotReadyError(ServingError):
    """No model can be served: the registry, the alias or the features disagree."""


class RequestRejectedError(ServingError):
    """A request is well-formed JSON but breaks a rule of this server."""

    def __init__(self, field: str, rule: str) -> None:
        super().__init__(f"{field}: {rule}")
        self.field = field
        self.rule = rule


class AuditLogError(ServingError):
    """The audit log cannot be written: the service must not answer unaudited."""
