"""Errors of the model component, each with the exit code the CLI maps it to."""

from __future__ import annotations


class ModelError(Exception):
    """Base class of every error the model component raises on purpose."""

    exit_code = 1


class TrainingDataError(ModelError):
    """The feature data cannot be used to train or evaluate a model."""

    exit_code = 4


class GateNotMetError(ModelError):
    """A model version does not beat the baseline by the required margin."""

    exit_code = 5


class RegistryError(ModelError):
    """The tracking server or model registry cannot be reached or used."""

    exit_code = 6


class ModelNotFoundError(RegistryError):
    """No registered model version matches the requested version or alias."""

    exit_code = 6
