"""Settings of the serving component: where it listens, which model, what it logs."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

_ALIAS = re.compile(r"[A-Za-z_][A-Za-z0-9_-]{0,62}")


class ServingSettings(BaseModel):
    """The `serving:` section of configs/<env>.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(default="127.0.0.1", min_length=1)
    port: int = Field(default=8000, ge=1, le=65535)
    model_alias: str = "champion"
    max_batch_size: int = Field(default=500, ge=1, le=10_000)
    audit_log_path: Path | None = None

    @field_validator("model_alias")
    @classmethod
    def _alias_is_usable(cls, value: str) -> str:
        if not _ALIAS.fullmatch(value):
            raise ValueError(
                "an alias starts with a letter or '_' and has at most 63 letters, "
                "digits, '_' or '-'"
            )
        return value
