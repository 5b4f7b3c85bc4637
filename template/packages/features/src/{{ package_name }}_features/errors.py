"""Errors of the features component, each with the exit code the CLI maps it to."""

from __future__ import annotations


class FeatureError(Exception):
    """Base class of every error the features component raises on purpose."""

    exit_code = 4


class FeatureInputError(FeatureError):
    """Records given for online features lack a field or carry a wrong value."""


class FeatureSetNotFoundError(FeatureError):
    """No feature set is stored for the requested version."""


class DriftDetectedError(FeatureError):
    """At least one feature drifted beyond the threshold."""
