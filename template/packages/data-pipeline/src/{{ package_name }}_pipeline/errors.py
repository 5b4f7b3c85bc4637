"""Errors of the data pipeline; the command line maps each to its exit code."""

from __future__ import annotations


class PipelineError(Exception):
    """Base class of every error the data pipeline raises on purpose."""


class RawDataError(PipelineError):
    """The raw file is missing, unreadable, or lacks columns of the contract."""


class SchemaViolationError(PipelineError):
    """The data breaks the contract as a whole, so no row can be judged on its own."""


class ReconciliationError(PipelineError):
    """Rows in differ from rows stored plus rows quarantined; nothing was published."""


class CuratedDataNotFoundError(PipelineError):
    """No curated data exists yet where the settings point."""


class CuratedDataUnreadableError(PipelineError):
    """A file of the curated dataset is not readable Parquet."""


class CuratedDataOutOfStepError(PipelineError):
    """The curated data's columns are not the ones the contract describes."""


class SaltMissingError(PipelineError):
    """Pseudonymisation is on but the salt's environment variable is not set."""


class RealDataProtectedError(PipelineError):
    """Sample data would overwrite a raw file that `data generate` did not write."""


class EngineUnavailableError(PipelineError):
    """The configured compute engine cannot be used by this project or machine."""
