"""Validation: the data contract as a pandera schema; bad rows split off to quarantine.

Rows are judged one by one: a row that breaks a rule goes to quarantine with a
reason a person can act on, such as "<column>: must be at least 0 (got -12.5)";
the rest of the batch carries on. Only a failure of the batch as a whole (a column
missing) stops the run. Every rule comes from the contract's columns; this module
only turns them into pandera checks.

Public names: ValidationResult, QUARANTINE_PREFIX, quarantine_columns,
build_schema, split_valid_rows.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa

from .contract import FALSE_WORDS, TRUE_WORDS, Column, DataContract
from .errors import SchemaViolationError

# Columns a quarantine file has before the raw values.
QUARANTINE_PREFIX = ("source_row", "reason")

# pandera's own names for its built-in checks, in words for people.
_BUILT_IN_RULES = {
    "not_nullable": "must not be empty",
    "field_uniqueness": "duplicates an earlier row",
}

# Failures of the batch as a whole, in words for people.
_BATCH_RULES = {
    "column_in_dataframe": "missing column",
    "column_in_schema": "unexpected column",
    "column_ordered": "column out of order:",
}

_DATE_FORMAT = "%Y-%m-%d"
# ISO 8601 without an offset: a date, optionally a time of day with seconds.
_TIME_SHAPE = r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"

# A vectorised test of converted values: True where a value keeps the rule.
_Test = Callable[[pd.Series], pd.Series]


@dataclass(frozen=True)
class ValidationResult:
    """Rows that meet the contract, and the quarantined rows with their reasons.

    `reason_counts` counts each broken rule ("<column>: <rule>") over all rows;
    `column_counts` counts, per column, the rows that break each of its rules,
    and `broken_rows` the rows that break any rule of the column.
    """

    valid: pd.DataFrame
    quarantined: pd.DataFrame
    reason_counts: dict[str, int] = field(default_factory=dict)
    column_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    broken_rows: dict[str, int] = field(default_factory=dict)


def quarantine_columns(contract: DataContract) -> tuple[str, ...]:
    """Columns of a quarantine file: source row, reason, then the raw values."""
    return (*QUARANTINE_PREFIX, *contract.raw_columns)


class _Converted:
    """Text columns turned into numbers or times once per frame, not once per check.

    pandera hands each check the same column of the frame under validation; the
    conversion is kept while that column's values are the ones it was made from.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], tuple[Any, pd.Series]] = {}

    def get(
        self, kind: str, values: pd.Series, convert: Callable[[pd.Series], pd.Series]
    ) -> pd.Series:
        key = (kind, str(values.name))
        kept = self._kept.get(key)
        if kept is not None and kept[0] is values.array:
            return kept[1]
        converted = convert(values)
        self._kept[key] = (values.array, converted)
        return converted


def _finite(values: pd.Series) -> pd.Series:
    """The values as floats where they are finite numbers; NaN everywhere else."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers))


def _dates(values: pd.Series) -> pd.Series:
    return pd.Series(
        pd.to_datetime(values, format=_DATE_FORMAT, errors="coerce"),
        index=values.index,
    )


def _times(values: pd.Series) -> pd.Series:
    shaped = values.where(values.str.fullmatch(_TIME_SHAPE).fillna(False).astype(bool))
    return pd.Series(
        pd.to_datetime(shaped, format="ISO8601", errors="coerce"), index=values.index
    )


def _plain(value: float) -> str:
    """A bound as people write it: 100000, not 1e+05 or 100000.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _check(test: Callable[[pd.Series], pd.Series], rule: str) -> pa.Check:
    """A check that lets empty values pass: emptiness is the nullable rule's job.

    `rule` is what a value must do, as in "be at least 0" or "not be before ...".
    """
    return pa.Check(lambda s: s.isna() | test(s), error=f"must {rule}", ignore_na=False)


def _number_checks(
    converted: _Converted,
    whole: bool,
    minimum: float | None,
    maximum: float | None,
    exclusive_minimum: bool = False,
) -> list[pa.Check]:
    def numbers(s: pd.Series) -> pd.Series:
        return converted.get("number", s, _finite)

    def on_numbers(test: _Test, rule: str) -> pa.Check:
        # A value that is not a number is reported once, by the first check only.
        return _check(lambda s: numbers(s).isna() | test(numbers(s)), rule)

    # Text, NaN and infinity alike: none of them can be stored or served.
    checks = [_check(lambda s: numbers(s).notna(), "be a finite number")]
    if whole:
        checks.append(on_numbers(lambda n: n % 1 == 0, "be a whole number"))
    if minimum is not None:
        low = float(minimum)
        if exclusive_minimum:
            checks.append(
                on_numbers(lambda n: n > low, f"be greater than {_plain(low)}")
            )
        else:
            checks.append(on_numbers(lambda n: n >= low, f"be at least {_plain(low)}"))
    if maximum is not None:
        high = float(maximum)
        checks.append(on_numbers(lambda n: n <= high, f"be at most {_plain(high)}"))
    return checks


def _moment(text: str) -> pd.Timestamp:
    """An ISO bound of the contract as a timestamp without an offset (UTC)."""
    moment = pd.Timestamp(dt.datetime.fromisoformat(text))
    if moment.tzinfo is not None:
        moment = moment.tz_convert("UTC").tz_localize(None)
    return moment


def _time_checks(
    converted: _Converted, column: Column, run_date: dt.date
) -> list[pa.Check]:
    is_date = column.type == "date"
    convert = _dates if is_date else _times

    def moments(s: pd.Series) -> pd.Series:
        return converted.get(column.type, s, convert)

    def on_moments(test: _Test, rule: str) -> pa.Check:
        return _check(lambda s: moments(s).isna() | test(moments(s)), rule)

    written = (
        "be a real date written YYYY-MM-DD"
        if is_date
        else "be a real time written YYYY-MM-DDTHH:MM:SS (ISO 8601, no offset)"
    )
    checks = [_check(lambda s: moments(s).notna(), written)]
    if column.earliest is not None:
        earliest = _moment(column.earliest)
        if is_date:
            earliest = earliest.normalize()
        checks.append(
            on_moments(lambda m: m >= earliest, f"not be before {column.earliest}")
        )
    if column.latest is not None:
        latest = _moment(column.latest)
        checks.append(
            on_moments(lambda m: m <= latest, f"not be after {column.latest}")
        )
    if column.not_in_future:
        end_of_run = pd.Timestamp(run_date) + pd.Timedelta(days=1)
        checks.append(
            on_moments(
                lambda m: m < end_of_run,
                f"not be after {run_date.isoformat()}, the day of the run",
            )
        )
    return checks


def _one_of(allowed: tuple[str, ...], written: tuple[str, ...]) -> pa.Check:
    return _check(lambda s: s.isin(allowed), "be one of " + ", ".join(written))


def _column_checks(
    converted: _Converted, column: Column, run_date: dt.date
) -> list[pa.Check]:
    if column.type in ("integer", "number"):
        return _number_checks(
            converted,
            column.type == "integer",
            column.minimum,
            column.maximum,
            column.exclusive_minimum,
        )
    if column.type == "category":
        return [_one_of(column.allowed, column.values)]
    if column.type == "boolean":
        words = (*TRUE_WORDS, *FALSE_WORDS)
        return [_check(lambda s: s.isin(words), "be true or false (also yes/no, 1/0)")]
    if column.type in ("date", "timestamp"):
        return _time_checks(converted, column, run_date)
    if column.pattern is not None:
        pattern = column.pattern
        return [
            _check(
                lambda s: s.str.fullmatch(pattern).fillna(False).astype(bool),
                f"be text matching {pattern}",
            )
        ]
    return []


def build_schema(
    contract: DataContract, run_date: dt.date | None = None
) -> pa.DataFrameSchema:
    """The contract as a pandera schema over the normalised text of the raw file.

    Dates and times are judged against `run_date` (default: today) where the
    contract says they must not lie in the future.
    """
    today = dt.date.today() if run_date is None else run_date
    converted = _Converted()
    columns: dict[str, pa.Column] = {}
    for column in contract.columns:
        is_id = column.name == contract.id_column
        columns[column.name] = pa.Column(
            str,
            _column_checks(converted, column, today),
            nullable=column.nullable,
            unique=is_id,
            report_duplicates="exclude_first",
        )
    label = contract.label
    if contract.problem_type == "binary_classification":
        written = (str(label.positive), str(label.negative))
        label_checks = [_one_of(tuple(label.normalise(v) for v in written), written)]
    else:
        label_checks = _number_checks(converted, False, label.minimum, label.maximum)
    columns[label.name] = pa.Column(str, label_checks)
    return pa.DataFrameSchema(
        columns, strict=True, ordered=True, name=f"raw {contract.entity.plural}"
    )


def _reasons(
    contract: DataContract, frame: pd.DataFrame, failures: pd.DataFrame
) -> dict[int, list[tuple[str, str, str]]]:
    """(column, rule, sentence) per broken rule, grouped by row, in column order."""
    order = {name: position for position, name in enumerate(contract.raw_columns)}
    found: dict[int, set[tuple[int, str, str, str]]] = {}
    cases = failures[["index", "column", "check"]].itertuples(index=False, name=None)
    for index, column, check in cases:
        row = int(index)
        rule = _BUILT_IN_RULES.get(str(check), str(check))
        value: Any = frame.at[row, column]
        if pd.isna(value) and check == "field_uniqueness":
            continue  # a second empty id is already reported as empty
        shown = "" if pd.isna(value) else f" (got {value})"
        sentence = f"{column}: {rule}{shown}"
        found.setdefault(row, set()).add((order[column], column, rule, sentence))
    return {
        row: [(column, rule, text) for _, column, rule, text in sorted(items)]
        for row, items in found.items()
    }


def split_valid_rows(
    contract: DataContract, frame: pd.DataFrame, run_date: dt.date | None = None
) -> ValidationResult:
    """Validate normalised raw rows; return the valid ones and the quarantined ones.

    The frame's index is the row's position in the raw file (0 for the first data
    row). Quarantined rows keep their raw text, a 1-based `source_row` and a
    `reason`. Dates are judged against `run_date` (default: today). Raises
    SchemaViolationError when the batch as a whole breaks the contract (a missing
    or extra column).
    """
    failures = pd.DataFrame(columns=["index", "column", "check"])
    try:
        build_schema(contract, run_date).validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        failures = errors.failure_cases
    whole_batch = failures[failures["index"].isna()]
    if not whole_batch.empty:
        problems = sorted(
            f"{_BATCH_RULES.get(str(c.check), str(c.check))} {c.failure_case}"
            for c in whole_batch.itertuples()
        )
        raise SchemaViolationError(
            "the raw data breaks the contract as a whole: " + "; ".join(problems)
        )
    reasons = _reasons(contract, frame, failures)
    bad_rows = sorted(reasons)
    raw_columns = list(contract.raw_columns)
    quarantined = frame.loc[bad_rows, raw_columns].copy()
    quarantined.insert(
        0, "reason", ["; ".join(text for *_, text in reasons[row]) for row in bad_rows]
    )
    quarantined.insert(0, "source_row", [row + 1 for row in bad_rows])
    quarantined = quarantined.astype(
        {"source_row": "int64", **dict.fromkeys(["reason", *raw_columns], "string")}
    )
    broken = [item for row in bad_rows for item in reasons[row]]
    counts = Counter(f"{column}: {rule}" for column, rule, _ in broken)
    per_column: dict[str, Counter[str]] = {}
    for column, rule, _ in broken:
        per_column.setdefault(column, Counter())[rule] += 1
    rows_per_column = Counter(
        column for row in bad_rows for column in {item[0] for item in reasons[row]}
    )
    return ValidationResult(
        valid=frame.drop(index=bad_rows),
        quarantined=quarantined.reset_index(drop=True),
        reason_counts=dict(counts.most_common()),
        column_counts={
            column: dict(rules.most_common()) for column, rules in per_column.items()
        },
        broken_rows=dict(rows_per_column),
    )
