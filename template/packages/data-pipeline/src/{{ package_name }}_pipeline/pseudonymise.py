"""Pseudonymisation: personal columns replaced by a keyed hash before storage.

The contract marks the personal columns (`personal: true`, the id column among
them when it identifies people). HMAC-SHA256 with a secret salt maps a value to the
same pseudonym on every run (joins and de-duplication keep working) while nobody
without the salt can reverse it or recompute it from a list of known values. The
salt comes from the environment only.

Public names: DEVELOPMENT_SALT, MIN_SALT_LENGTH, resolve_salt, pseudonymise_id,
pseudonymise_table.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
from collections.abc import Iterable, Mapping

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir

from .errors import SaltMissingError
from .settings import PipelineSettings

logger = logging.getLogger(__name__)

# Public on purpose: it only makes local and CI runs repeatable, it protects nothing.
DEVELOPMENT_SALT = "development-only-salt-not-a-secret"
MIN_SALT_LENGTH = 16


def resolve_salt(
    settings: PipelineSettings, environ: Mapping[str, str] | None = None
) -> str:
    """The salt from the environment variable the settings name.

    Without it, local and CI settings (allow_development_salt) fall back to a fixed
    development salt with a warning; any other environment gets SaltMissingError.
    """
    env = os.environ if environ is None else environ
    salt = env.get(settings.id_salt_env, "")
    if len(salt) >= MIN_SALT_LENGTH:
        return salt
    problem = (
        "is not set" if not salt else f"is shorter than {MIN_SALT_LENGTH} characters"
    )
    if settings.allow_development_salt:
        logger.warning(
            "%s %s; using the development salt, whose pseudonyms are NOT protected",
            settings.id_salt_env,
            problem,
        )
        return DEVELOPMENT_SALT
    raise SaltMissingError(
        f"pseudonymise_ids is on but the environment variable {settings.id_salt_env} "
        f"{problem}; set it to a secret of at least {MIN_SALT_LENGTH} characters "
        "from your secret store (the same value on every run)"
    )


def pseudonymise_id(value: str, salt: str) -> str:
    """The pseudonym of one value: hex HMAC-SHA256 keyed with the salt."""
    return hmac.new(salt.encode(), value.encode(), hashlib.sha256).hexdigest()


def pseudonymise_table(table: ir.Table, columns: Iterable[str], salt: str) -> ir.Table:
    """`table` with each of the columns pseudonymised in the engine; nulls stay null.

    The pseudonym is the one pseudonymise_id gives, computed by a Python function
    the engine calls (DuckDB and Spark alike), so every engine writes the same.
    """

    def pseudonym(value: str | None) -> str | None:
        return None if value is None else pseudonymise_id(value, salt)

    udf = ibis.udf.scalar.python(pseudonym, signature=((dt.string,), dt.string))

    names = list(columns)
    if not names:
        return table
    return table.mutate(**{name: udf(table[name].cast("string")) for name in names})
