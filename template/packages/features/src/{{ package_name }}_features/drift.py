"""Drift: population stability index (PSI) per numeric feature, reference vs now.

Pure functions over arrays and frames. PSI compares the share of rows in each bin
of the reference distribution: below 0.1 is usually read as stable, 0.1 to 0.2 as
a moderate shift, above 0.2 as a shift worth acting on.

Public names: FeatureDrift, DriftReport, population_stability_index, drift_report.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

# Keeps the logarithm finite when a bin is empty on one side.
_FLOOR = 1e-4


@dataclass(frozen=True)
class FeatureDrift:
    """PSI of one feature and whether it crosses the threshold."""

    feature: str
    psi: float
    drifted: bool


@dataclass(frozen=True)
class DriftReport:
    """PSI of every numeric feature against one threshold."""

    threshold: float
    features: tuple[FeatureDrift, ...]

    @property
    def drifted(self) -> list[str]:
        """Names of the features whose PSI is above the threshold."""
        return [item.feature for item in self.features if item.drifted]


def _shares(values: np.ndarray, inner_edges: np.ndarray) -> np.ndarray:
    bins = np.searchsorted(inner_edges, values, side="right")
    counts = np.bincount(bins, minlength=inner_edges.size + 1).astype(float)
    return np.maximum(counts / values.size, _FLOOR)


def population_stability_index(
    reference: np.ndarray, current: np.ndarray, bins: int = 10
) -> float:
    """PSI of `current` against `reference`, over quantile bins of the reference.

    Missing values are ignored; raises ValueError when either side has none left.
    """
    ref = np.asarray(reference, dtype=float)
    cur = np.asarray(current, dtype=float)
    ref, cur = ref[~np.isnan(ref)], cur[~np.isnan(cur)]
    if ref.size == 0 or cur.size == 0:
        raise ValueError("PSI needs at least one value on each side")
    if bins < 2:
        raise ValueError(f"PSI needs at least 2 bins; got {bins}")
    inner_edges = np.unique(np.quantile(ref, np.linspace(0, 1, bins + 1)[1:-1]))
    expected, actual = _shares(ref, inner_edges), _shares(cur, inner_edges)
    return float(np.sum((actual - expected) * np.log(actual / expected)))


def drift_report(
    reference: pd.DataFrame,
    current: pd.DataFrame,
    features: Sequence[str],
    threshold: float,
    bins: int = 10,
) -> DriftReport:
    """PSI per feature; a feature drifts when its PSI is above `threshold`."""
    missing = [name for name in features if name not in current.columns]
    if missing:
        raise ValueError(f"current data lacks the feature(s) {', '.join(missing)}")
    results = []
    for name in features:
        psi = population_stability_index(
            reference[name].to_numpy(dtype=float),
            current[name].to_numpy(dtype=float),
            bins,
        )
        results.append(FeatureDrift(feature=name, psi=psi, drifted=psi > threshold))
    return DriftReport(threshold=threshold, features=tuple(results))
