"""Errors of the features component; the command line maps each to its exit code."""

from __future__ import annotations


class FeatureError(Exception):
    """Base class of every error the features component raises on purpose."""


class FeatureInputError(FeatureError):
    """Records given for online features lack a field or carry a wrong value."""


class FeatureSetNotFoundError(FeatureError):
    """No feature set is stored for the requested version."""


class DriftDetectedError(FeatureError):
    """At least one feature drifted beyond the threshold."""
