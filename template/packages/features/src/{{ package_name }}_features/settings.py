"""Settings of the features component: where feature sets live, when drift alarms."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field


class FeatureSettings(BaseModel):
    """The `features:` section of configs/<env>.yaml."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    store_dir: Path = Path("data/features")
    drift_threshold: float = Field(default=0.2, gt=0, le=10)
