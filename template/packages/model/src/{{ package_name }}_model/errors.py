"""Errors of the model component; the command line maps each to its exit code."""

from __future__ import annotations


class ModelError(Exception):
    """Base class of every error the model component raises on purpose."""


class TrainingDataError(ModelError):
    """The feature data cannot be used to train or evaluate a model."""


class GateNotMetError(ModelError):
    """A model version does not beat the baseline by the required margin."""


class RegistryError(ModelError):
    """The tracking server or model registry cannot be reached or used."""


class ModelNotFoundError(RegistryError):
    """No registered model version matches the requested version or alias."""
