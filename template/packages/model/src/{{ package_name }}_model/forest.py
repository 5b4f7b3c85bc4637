"""Gradient-boosted trees evaluated all at once: every tree on a whole matrix, in NumPy.

HistGradientBoosting's predict walks its trees one after another and each row
node by node; for a batch of rows that walk is most of what a prediction costs.
`forest_predictor` reads the fitted trees once into tables, the QuickScorer way
(Lucchese et al., SIGIR 2015): per feature, the split thresholds of all trees in
order, and for each count of thresholds below a value, per tree, the leaves still
possible once those splits send the row right. A row's leaf in every tree is
then the leftmost leaf left after AND-ing one table row per feature. A missing
value takes the side each split learned for it. The leaf values are added in the
order the model adds them, so the raw scores are the same numbers as the model's.

The tables are read from the fitted model's own attributes (its trees, its
baseline score and its link), which scikit-learn does not document; the model
package's tests hold the predictions equal to the model's, so a scikit-learn
that changes them fails there, not in production. Models of another kind, trees
with categorical splits, several trees per iteration (multi-class), more than 64
leaves in a tree, or tables over MAX_TABLE_BYTES get None: the model's own
predict serves them.

Public names: Scores, MAX_TABLE_BYTES, forest_predictor.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from sklearn.ensemble import (
    HistGradientBoostingClassifier,
    HistGradientBoostingRegressor,
)

Scores = Callable[[np.ndarray], np.ndarray]
# The tables are held in memory next to the model; past this, predict instead.
MAX_TABLE_BYTES = 128 * 2**20


@dataclass(frozen=True)
class _FeatureTable:
    """The splits of one matrix column across all trees."""

    column: int
    thresholds: np.ndarray  # ascending
    # Row k: per tree, the leaves possible when the first k thresholds lie below
    # the value; the last row: when the value is missing.
    possible: np.ndarray


@dataclass(frozen=True)
class _Split:
    tree: int
    column: int
    threshold: float
    missing_go_to_left: bool
    # Per tree: the leaves that stay possible when the split sends a row right.
    right: int


def _tree_splits(
    nodes: np.ndarray, tree: int, everything: int
) -> tuple[list[_Split], list[float]]:
    """The splits of one tree and its leaf values, leaves numbered left to right."""
    left = nodes["left"].tolist()
    right = nodes["right"].tolist()
    is_leaf = nodes["is_leaf"].tolist()
    values = nodes["value"].tolist()
    columns = nodes["feature_idx"].tolist()
    thresholds = nodes["num_threshold"].tolist()
    to_left = nodes["missing_go_to_left"].tolist()
    splits: list[_Split] = []
    leaf_values: list[float] = []
    pending = [0]  # a depth-first walk, left before right
    spans: dict[int, int] = {}  # split node -> number of the first leaf on its left
    while pending:
        node = pending.pop()
        if node < 0:  # back from a left subtree: it holds leaves first..now
            split = -node - 1
            first, last = spans[split], len(leaf_values)
            left_leaves = (1 << last) - (1 << first)
            splits.append(
                _Split(
                    tree=tree,
                    column=columns[split],
                    threshold=thresholds[split],
                    missing_go_to_left=bool(to_left[split]),
                    right=everything ^ left_leaves,
                )
            )
            pending.append(right[split])
        elif is_leaf[node]:
            leaf_values.append(values[node])
        else:
            spans[node] = len(leaf_values)
            pending.extend((-node - 1, left[node]))
    return splits, leaf_values


def forest_predictor(estimator: Any) -> Scores | None:
    """What a fitted HistGradientBoosting model predicts, or None (see above).

    The returned function takes the float64 matrix the estimator takes and
    returns what `predict_proba` gives for a classifier (a column per class) and
    `predict` for a regressor.
    """
    if not isinstance(
        estimator, HistGradientBoostingClassifier | HistGradientBoostingRegressor
    ):
        return None
    raw_scores = _raw_predictor(estimator)
    if raw_scores is None:
        return None
    loss = estimator._loss
    if isinstance(estimator, HistGradientBoostingClassifier):
        return lambda matrix: np.asarray(loss.predict_proba(raw_scores(matrix)))
    return lambda matrix: np.asarray(loss.link.inverse(raw_scores(matrix)))


def _raw_predictor(estimator: Any) -> Scores | None:
    """The model's raw scores (before its link), one per row, from the tables."""
    iterations = getattr(estimator, "_predictors", None)
    baseline = getattr(estimator, "_baseline_prediction", None)
    if not iterations or baseline is None or np.size(baseline) != 1:
        return None
    if any(len(trees) != 1 for trees in iterations):
        return None
    trees = [trees[0].nodes for trees in iterations]
    if any(nodes["is_categorical"].any() for nodes in trees):
        return None
    most_leaves = max(int(nodes["is_leaf"].sum()) for nodes in trees)
    if most_leaves > 64:
        return None
    dtype = np.dtype(np.uint32 if most_leaves <= 32 else np.uint64)
    everything = (1 << (8 * dtype.itemsize)) - 1
    splits: list[_Split] = []
    stride = most_leaves
    leaf_values = np.zeros(len(trees) * stride, dtype="float64")
    for tree, nodes in enumerate(trees):
        found, values = _tree_splits(nodes, tree, everything)
        splits.extend(found)
        leaf_values[tree * stride : tree * stride + len(values)] = values
    rows = len(splits) + 2 * len({split.column for split in splits})
    if rows * len(trees) * dtype.itemsize > MAX_TABLE_BYTES:
        return None
    tables = _tables(splits, len(trees), dtype, everything)
    # Where each tree's leaves start in leaf_values, less one (see below).
    before = np.arange(len(trees), dtype=np.intp) * stride - 1
    # The model sums zero, its baseline, then each tree's value, one by one:
    # the first tree's leaves take the first two additions in that order.
    start = np.zeros(1, dtype="float64")
    start += np.asarray(baseline, dtype="float64").ravel()
    leaf_values[:stride] = start + leaf_values[:stride]
    one = dtype.type(1)

    def raw_predict(matrix: np.ndarray) -> np.ndarray:
        count = matrix.shape[0]
        possible = np.full((count, len(trees)), everything, dtype=dtype)
        for table in tables:
            values = matrix[:, table.column]
            found = np.searchsorted(table.thresholds, values, side="left")
            found[np.isnan(values)] = len(table.possible) - 1
            possible &= table.possible[found]
        # The leftmost possible leaf is the lowest bit set: x ^ (x - 1) sets it
        # and the bits below it, so their count is its number plus one.
        leaves = leaf_values[before + np.bitwise_count(possible ^ (possible - one))]
        # Each sum adds the next tree's value to the sum so far, in tree order.
        return np.add.accumulate(leaves, axis=1)[:, -1]

    return raw_predict


def _tables(
    splits: list[_Split], trees: int, dtype: np.dtype[Any], everything: int
) -> list[_FeatureTable]:
    """One table per matrix column that some tree splits on."""
    tables: list[_FeatureTable] = []
    for column in sorted({split.column for split in splits}):
        mine = sorted(
            (split for split in splits if split.column == column),
            key=lambda split: split.threshold,
        )
        possible = np.full((len(mine) + 2, trees), everything, dtype=dtype)
        tree_of = np.array([split.tree for split in mine], dtype=np.intp)
        right = np.array([split.right for split in mine], dtype=dtype)
        # Row k + 1 takes split k's effect, then each row all the rows above it.
        possible[np.arange(1, len(mine) + 1), tree_of] = right
        np.bitwise_and.accumulate(possible[:-1], axis=0, out=possible[:-1])
        goes_right = np.array([not split.missing_go_to_left for split in mine])
        np.bitwise_and.at(possible[-1], tree_of[goes_right], right[goes_right])
        tables.append(
            _FeatureTable(
                column=column,
                thresholds=np.array([split.threshold for split in mine]),
                possible=possible,
            )
        )
    return tables
