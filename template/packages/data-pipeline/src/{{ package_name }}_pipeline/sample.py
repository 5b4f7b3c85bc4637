"""Sample data: a deterministic generator of raw rows shaped by the data contract.

Every column is drawn within its own rules (sample range or bounds, allowed
values, date limits, id pattern), and the label carries real signal from the
feature columns, so a model trained on the sample beats its baseline. The same
contract and seed always give the same file, so tests, benchmarks and the demo
share one source of data and no download is ever needed. A small fraction of rows
is broken on purpose, the way real extracts break, so that quarantine has work.

Public names: BREAKAGES, DEFAULT_BAD_FRACTION, AS_OF, breakages_for,
generate_sample, write_sample_csv.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import math
import os
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv

from .contract import Column, ContractError, DataContract
from .files import staging_path_for

DEFAULT_BAD_FRACTION = 0.02
BREAKAGES = (
    "empty_value",
    "out_of_bounds",
    "not_a_number",
    "unknown_category",
    "impossible_date",
    "duplicate_id",
)
# Fixed reference day, so that the same seed gives the same dates on any day.
AS_OF = dt.date(2026, 10, 1)
# Share of empty values in a nullable column, and of untidy (but valid) rows.
NULL_SHARE = 0.05
UNTIDY_SHARE = 0.01
# Share of positive labels the classification sample aims at.
POSITIVE_RATE = 0.27
# Strength of the signal: the logit's slope, and the regression label's spread.
_LOGIT_SLOPE = 2.0
# Weight of the score's nonlinear part against its linear part (both sd 1).
NONLINEAR_WEIGHT = 1.0
_REGRESSION_SPREAD = 0.15
_REGRESSION_NOISE = 0.03
_DEFAULT_SPAN = 100.0
_DATE_WINDOW = dt.timedelta(days=5 * 365)
_NOT_NUMBERS = ("twelve", "n/a", "3 mo")
_UNKNOWN_CATEGORIES = ("gold", "enterprise", "trial", "zz-unknown")
_IMPOSSIBLE_DATES = ("2025-02-30", "13/05/2024", "2024-13-01")
_IMPOSSIBLE_TIMES = ("2025-02-30T10:00:00", "13/05/2024 10:00", "2024-13-01T00:00:00")

Text = np.ndarray  # an object array of str, one per row
# Rows per batch handed to the CSV writer.
_CSV_BATCH = 100_000


@dataclass(frozen=True)
class _Drawn:
    """One generated column: its text, and numbers the label's score reads."""

    text: Text
    signal: np.ndarray | None = None  # standardised numbers, or category codes
    levels: int = 0  # number of categories when `signal` holds codes


# ------------------------------------------------------------------ id patterns
_PATTERN_TOKEN = re.compile(
    r"\\d(?:\{(?P<dn>\d+)\})?"
    r"|\[(?P<cls>[^\]\\^]+)\](?:\{(?P<cn>\d+)\})?"
    r"|\\(?P<esc>[^A-Za-z0-9])"
    r"|(?P<lit>[^\\\[\]{}()*+?.|^$])"
)


def _expand_class(spec: str) -> str | None:
    """The characters of a class like A-Z0-9; None for anything fancier."""
    chars: list[str] = []
    position = 0
    while position < len(spec):
        if position + 2 < len(spec) and spec[position + 1] == "-":
            first, last = spec[position], spec[position + 2]
            if ord(first) > ord(last):
                return None
            chars.extend(chr(code) for code in range(ord(first), ord(last) + 1))
            position += 3
        else:
            chars.append(spec[position])
            position += 1
    unique = "".join(dict.fromkeys(chars))
    return unique or None


def _pattern_slots(pattern: str) -> list[str] | None:
    """One alphabet per character of a simple pattern (literals, \\d{n}, [A-Z]{n}).

    None when the pattern uses anything else (alternation, repeats, groups).
    """
    slots: list[str] = []
    position = 0
    while position < len(pattern):
        token = _PATTERN_TOKEN.match(pattern, position)
        if token is None:
            return None
        position = token.end()
        if token["lit"] is not None or token["esc"] is not None:
            slots.append(token["lit"] or token["esc"])
        elif token["cls"] is not None:
            alphabet = _expand_class(token["cls"])
            if alphabet is None:
                return None
            slots.extend([alphabet] * int(token["cn"] or 1))
        else:
            slots.extend(["0123456789"] * int(token["dn"] or 1))
    return slots


def _encode(slots: list[str], numbers: np.ndarray) -> Text:
    """Numbers written in the mixed radix of the slots (the last slot varies first).

    The characters are laid out as code points, one row per value, and read back
    as fixed-width text: one pass per slot, whatever the number of rows.
    """
    if not slots:
        return np.full(numbers.size, "", dtype=object)
    remaining = numbers.astype(np.int64)
    codes = np.empty((numbers.size, len(slots)), dtype=np.uint32)
    for position in range(len(slots) - 1, -1, -1):
        alphabet = slots[position]
        letters = np.array([ord(letter) for letter in alphabet], dtype=np.uint32)
        codes[:, position] = letters[remaining % len(alphabet)]
        remaining = remaining // len(alphabet)
    if "\0" in "".join(slots):  # fixed-width text would drop a trailing NUL
        return np.array(
            ["".join(map(chr, row)) for row in codes.tolist()], dtype=object
        )
    return _objects(codes.view(f"<U{len(slots)}").ravel().tolist())


def _capacity(slots: list[str]) -> int:
    return math.prod(len(alphabet) for alphabet in slots)


def _text_values(column: Column, numbers: np.ndarray, *, distinct: bool) -> Text:
    """Text values of a column: by its pattern when simple, else `<column>-<n>`."""
    slots = _pattern_slots(column.pattern) if column.pattern else None
    if slots is not None:
        capacity = _capacity(slots)
        if distinct and numbers.size and int(numbers.max()) >= capacity:
            raise ContractError(
                f"column {column.name}: its pattern {column.pattern} allows only "
                f"{capacity} distinct values, fewer than the {numbers.size} rows "
                "asked for"
            )
        return _encode(slots, numbers % capacity)
    prefix = f"{column.name}-"
    text = _objects([prefix + str(number) for number in numbers.tolist()])
    if column.pattern and not all(
        re.fullmatch(column.pattern, value) for value in text[:1]
    ):
        raise ContractError(
            f"column {column.name}: the sample generator cannot write values that "
            f"match its pattern {column.pattern} "
            "(it knows literals, \\d{n} and [A-Z]{n}); simplify the pattern, or "
            "use your own data instead of a sample"
        )
    return text


# --------------------------------------------------------------------- numbers
def _span(low: float | None, high: float | None) -> tuple[float, float]:
    """Both ends of a range of which one or both may be open."""
    if low is None and high is None:
        return 0.0, _DEFAULT_SPAN
    if low is None:
        return float(high or 0) - _DEFAULT_SPAN, float(high or 0)
    if high is None:
        return float(low), float(low) + _DEFAULT_SPAN
    return float(low), float(high)


def _numeric_range(column: Column) -> tuple[float, float]:
    """Where a number column's values are drawn: sample range within the bounds."""
    low, high = _span(*(column.sample_range or (column.minimum, column.maximum)))
    if column.minimum is not None:
        low = max(low, column.minimum)
    if column.maximum is not None:
        high = min(high, column.maximum)
    return low, max(low, high)


def _decimals(span: float) -> int:
    """Decimals that keep a few significant digits across the span."""
    if span <= 0:
        return 2
    return int(min(10, max(2, 3 - math.floor(math.log10(span)))))


def _standardised(values: np.ndarray) -> np.ndarray:
    spread = float(values.std())
    if spread == 0:
        return np.zeros(values.size)
    return np.asarray((values - values.mean()) / spread, dtype=np.float64)


def _objects(texts: list[str]) -> Text:
    """A list of str as an object array (writable, unlike fixed-width text)."""
    array = np.empty(len(texts), dtype=object)
    array[:] = texts
    return array


def _as_text(values: np.ndarray) -> Text:
    """Any array as an object array of str, written as numpy writes its values.

    Numbers go through Python's own str and repr (the shortest text that reads
    back as the same value, as numpy's), which is several times faster than
    numpy's conversion to fixed-width text.
    """
    if values.dtype.kind in "iu":
        return _objects(list(map(str, values.tolist())))
    if values.dtype.kind == "f":
        return _objects(list(map(repr, values.astype(np.float64).tolist())))
    if values.dtype.kind == "O":
        return _objects(list(map(str, values.tolist())))
    return _objects(values.astype(str).tolist())


def _numbers(column: Column, rows: int, rng: np.random.Generator) -> _Drawn:
    low, high = _numeric_range(column)
    if column.type == "integer":
        start = math.ceil(low)
        if column.exclusive_minimum and column.minimum is not None:
            start = max(start, math.floor(column.minimum) + 1)
        stop = max(start, math.floor(high))
        whole = rng.integers(start, stop + 1, size=rows)
        return _Drawn(_as_text(whole), _standardised(whole * 1.0))
    decimals = _decimals(high - low)
    # Rounded, then kept within the range (rounding may cross a bound).
    values = np.clip(np.round(rng.uniform(low, high, size=rows), decimals), low, high)
    if column.exclusive_minimum and column.minimum is not None:
        step = 10.0**-decimals
        values = np.where(values <= column.minimum, column.minimum + step, values)
    return _Drawn(_as_text(values), _standardised(values))


# --------------------------------------------------------------- dates, times
def _bound(text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _window(column: Column) -> tuple[dt.datetime, dt.datetime]:
    """Earliest and latest moment a sample value may take (never after AS_OF)."""
    as_of = dt.datetime.combine(AS_OF, dt.time())
    earliest, latest = _bound(column.earliest), _bound(column.latest)
    end = min(latest or as_of, as_of)
    start = earliest or end - _DATE_WINDOW
    if start > end:  # limits entirely after AS_OF: stay within them
        end = latest or start + _DATE_WINDOW
    return start, end


def _dates(column: Column, rows: int, rng: np.random.Generator) -> _Drawn:
    start, end = _window(column)
    if column.type == "date":
        first = start.date() + dt.timedelta(days=1 if start.time() > dt.time() else 0)
        days = max(0, (end.date() - first).days)
        offsets = rng.integers(0, days + 1, size=rows).astype("timedelta64[D]")
        values = np.datetime64(first, "D") + offsets
    else:
        seconds = max(0, int((end - start).total_seconds()))
        offsets = rng.integers(0, seconds + 1, size=rows).astype("timedelta64[s]")
        values = np.datetime64(start, "s") + offsets
    return _Drawn(_as_text(values))


# ------------------------------------------------------------------- columns
def _draw(
    contract: DataContract, column: Column, rows: int, rng: np.random.Generator
) -> _Drawn:
    if column.name == contract.id_column:
        numbers = np.arange(1, rows + 1)
        if column.type == "integer":
            low, _ = _numeric_range(column)
            first = max(1, math.ceil(low) + (1 if column.exclusive_minimum else 0))
            ids = numbers - 1 + first
            if column.maximum is not None and rows and ids[-1] > column.maximum:
                raise ContractError(
                    f"column {column.name}: {rows} distinct ids do not fit between "
                    f"{first} and its maximum {column.maximum}"
                )
            return _Drawn(_as_text(ids))
        return _Drawn(_text_values(column, numbers, distinct=True))
    if column.type in ("integer", "number"):
        return _numbers(column, rows, rng)
    if column.type == "category":
        shares = rng.dirichlet(np.full(len(column.values), 2.0))
        codes = rng.choice(len(column.values), size=rows, p=shares)
        values = np.array(column.values, dtype=object)[codes]
        return _Drawn(values, codes, levels=len(column.values))
    if column.type == "boolean":
        truth = rng.random(rows) < rng.uniform(0.3, 0.7)
        words = np.where(truth, "true", "false").astype(object)
        return _Drawn(words, _standardised(truth * 1.0))
    if column.type in ("date", "timestamp"):
        return _dates(column, rows, rng)
    numbers = rng.integers(0, 1 << 40, size=rows)
    return _Drawn(_text_values(column, numbers, distinct=False))


# --------------------------------------------------------------------- label
def _effects_rng(contract: DataContract) -> np.random.Generator:
    """Weights of the label's score: a property of the contract, not of the seed.

    Samples drawn with other seeds then follow the same relationship, so a model
    trained on one predicts another.
    """
    names = "\x1f".join((*contract.raw_columns, contract.problem_type))
    digest = hashlib.sha256(names.encode()).digest()
    return np.random.default_rng(int.from_bytes(digest[:8], "big"))


def _score(contract: DataContract, drawn: dict[str, _Drawn], rows: int) -> np.ndarray:
    """The label's score over the feature columns, standardised (mean 0, sd 1).

    A linear part over every feature, as real labels have, and a part no linear
    model can express, as real labels have too: the product of the first two
    numbers (or the square of the only one) and a step on the third. A model that
    learns the second part beats the linear baseline.
    """
    effects = _effects_rng(contract)
    linear = np.zeros(rows)
    numbers: list[np.ndarray] = []
    for column in contract.feature_columns:
        signal = drawn[column.name].signal
        if signal is None:
            continue
        if drawn[column.name].levels:
            linear += effects.normal(0.0, 1.0, drawn[column.name].levels)[signal]
        else:
            linear += effects.normal(0.0, 1.0) * signal
            numbers.append(_standardised(np.asarray(signal, dtype=float)))
    other = np.zeros(rows)
    if len(numbers) >= 2:
        other += numbers[0] * numbers[1]
    elif numbers:
        other += numbers[0] ** 2
    if len(numbers) >= 3:
        other += np.where(numbers[2] > 0.5, 1.0, 0.0)
    if not other.any():
        return _standardised(linear)
    mixed = _standardised(linear) + NONLINEAR_WEIGHT * _standardised(other)
    return _standardised(mixed)


def _intercept(score: np.ndarray, rate: float) -> float:
    """The logit's intercept that makes `rate` the mean probability (bisection)."""
    low, high = -20.0, 20.0
    for _ in range(60):
        middle = (low + high) / 2
        mean = float(np.mean(1 / (1 + np.exp(-(middle + _LOGIT_SLOPE * score)))))
        low, high = (middle, high) if mean < rate else (low, middle)
    return (low + high) / 2


def _labels(
    contract: DataContract, score: np.ndarray, rng: np.random.Generator
) -> Text:
    label = contract.label
    if contract.problem_type == "binary_classification":
        logit = _intercept(score, POSITIVE_RATE) + _LOGIT_SLOPE * score
        positive = rng.random(score.size) < 1 / (1 + np.exp(-logit))
        words = np.array([label.negative, label.positive], dtype=object)
        return _as_text(words[positive.astype(int)])
    low, high = _span(label.minimum, label.maximum)
    span = high - low
    values = (
        low
        + span * (0.5 + _REGRESSION_SPREAD * score)
        + rng.normal(0.0, _REGRESSION_NOISE * span, score.size)
    )
    rounded = np.round(np.clip(values, low, high), _decimals(span))
    return _as_text(rounded)


# ------------------------------------------------------------ untidy, broken
def _untidy(
    contract: DataContract, frame: dict[str, Text], rng: np.random.Generator
) -> None:
    """Valid but untidy values that normalisation absorbs (not quarantine)."""
    rows = len(next(iter(frame.values())))
    chosen = rng.choice(rows, size=int(rows * UNTIDY_SHARE), replace=False)
    columns = contract.columns
    picks = rng.integers(0, len(columns), chosen.size)
    for row, pick in zip(chosen, picks, strict=True):
        column = columns[int(pick)]
        value = str(frame[column.name][row])
        if not value:
            continue
        if column.type == "boolean" or (
            column.type == "category" and column.case_insensitive
        ):
            frame[column.name][row] = f" {value.upper()}"
        else:
            frame[column.name][row] = f" {value} "


def breakages_for(contract: DataContract) -> tuple[str, ...]:
    """The kinds of BREAKAGES that the contract's columns make possible."""
    kinds = []
    for kind in BREAKAGES:
        if _targets(contract, kind):
            kinds.append(kind)
    return tuple(kinds)


def _targets(contract: DataContract, kind: str) -> tuple[Column, ...]:
    """Columns a breakage of this kind can be applied to."""
    columns = contract.columns
    if kind == "empty_value":
        return tuple(c for c in columns if not c.nullable)
    if kind == "out_of_bounds":
        return tuple(
            c
            for c in columns
            if c.type in ("integer", "number")
            and (c.minimum is not None or c.maximum is not None)
            and c.name != contract.id_column
        )
    if kind == "not_a_number":
        return tuple(c for c in columns if c.type in ("integer", "number"))
    if kind == "unknown_category":
        return tuple(c for c in columns if c.type == "category")
    if kind == "impossible_date":
        return tuple(c for c in columns if c.type in ("date", "timestamp"))
    if kind == "duplicate_id" and contract.id_column is not None:
        return (contract.column(contract.id_column),)
    return ()


def _plain(value: float, whole: bool) -> str:
    return str(int(value)) if whole else str(value)


def _broken_value(column: Column, kind: str, turn: int) -> str:
    """A value of the column that breaks its rule in the way `kind` says."""
    if kind == "out_of_bounds":
        whole = column.type == "integer"
        low, high = _numeric_range(column)
        step = max(1.0, (high - low) / 10)
        if column.minimum is not None:
            return _plain(column.minimum - math.ceil(step), whole)
        return _plain(float(column.maximum or 0) + math.ceil(step), whole)
    if kind == "not_a_number":
        return _NOT_NUMBERS[turn % len(_NOT_NUMBERS)]
    if kind == "unknown_category":
        allowed = set(column.allowed)
        unknown = [w for w in _UNKNOWN_CATEGORIES if column.normalise(w) not in allowed]
        return unknown[turn % len(unknown)]
    if kind == "impossible_date":
        written = _IMPOSSIBLE_DATES if column.type == "date" else _IMPOSSIBLE_TIMES
        return written[turn % len(written)]
    return ""  # empty_value


def _earlier_clean_row(
    position: int, broken: set[int], rng: np.random.Generator
) -> int | None:
    """A random earlier row that is not broken, or None when none is found."""
    if position == 0:
        return None
    for candidate in rng.integers(0, position, size=16):
        if int(candidate) not in broken:
            return int(candidate)
    return None


def _break(
    contract: DataContract,
    frame: dict[str, Text],
    rows: list[int],
    rng: np.random.Generator,
) -> None:
    """Break the given rows, cycling through the kinds so that each one appears."""
    kinds = breakages_for(contract)
    targets = {kind: _targets(contract, kind) for kind in (*kinds, "empty_value")}
    broken = set(rows)
    for number, row in enumerate(rows):
        kind = kinds[number % len(kinds)]
        turn = number // len(kinds)
        if kind == "duplicate_id":
            original = _earlier_clean_row(row, broken, rng)
            key = str(contract.id_column)
            if original is not None:
                frame[key][row] = frame[key][original]
                continue
            kind = "empty_value"
        column = targets[kind][turn % len(targets[kind])]
        frame[column.name][row] = _broken_value(column, kind, turn)


# ---------------------------------------------------------------------- public
def generate_sample(
    contract: DataContract,
    rows: int,
    seed: int = 42,
    bad_fraction: float = DEFAULT_BAD_FRACTION,
) -> pd.DataFrame:
    """`rows` raw rows as text, in the column order of the contract's raw file.

    About `bad_fraction` of them are broken on purpose (see BREAKAGES); the same
    contract and arguments always give the same rows. ContractError when a column
    cannot be sampled (a pattern too complex, ids that do not fit their bounds).
    """
    columns = _sample_columns(contract, rows, seed=seed, bad_fraction=bad_fraction)
    return pd.DataFrame(
        {name: columns[name] for name in contract.raw_columns}, dtype="str"
    )


def _sample_columns(
    contract: DataContract, rows: int, seed: int, bad_fraction: float
) -> dict[str, Text]:
    """The text of every column of a sample, one object array per column."""
    if rows < 1:
        raise ValueError(f"rows must be at least 1; got {rows}")
    if not 0 <= bad_fraction <= 0.5:
        raise ValueError(f"bad_fraction must be between 0 and 0.5; got {bad_fraction}")
    rng = np.random.default_rng(seed)
    drawn = {
        column.name: _draw(contract, column, rows, rng) for column in contract.columns
    }
    frame = {name: column.text for name, column in drawn.items()}
    frame[contract.label.name] = _labels(contract, _score(contract, drawn, rows), rng)
    for column in contract.columns:
        if column.nullable:
            frame[column.name][rng.random(rows) < NULL_SHARE] = ""
    _untidy(contract, frame, rng)
    bad_count = round(rows * bad_fraction)
    if bad_count and breakages_for(contract):
        bad_rows = rng.choice(rows, size=bad_count, replace=False)
        _break(contract, frame, sorted(int(row) for row in bad_rows), rng)
    return frame


def write_sample_csv(
    path: Path,
    contract: DataContract,
    rows: int,
    seed: int = 42,
    bad_fraction: float = DEFAULT_BAD_FRACTION,
) -> Path:
    """Generate a sample and write it as the raw CSV at `path`, atomically."""
    columns = _sample_columns(contract, rows, seed=seed, bad_fraction=bad_fraction)
    texts = [columns[name] for name in contract.raw_columns]
    staging = staging_path_for(path)
    try:
        if len(texts) < 2 or not _write_plain_csv(staging, contract, texts):
            _write_quoted_csv(staging, contract, texts)
        os.replace(staging, path)
    finally:
        staging.unlink(missing_ok=True)
    return path


def _header(contract: DataContract) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(contract.raw_columns)
    return out.getvalue()


def _write_plain_csv(path: Path, contract: DataContract, texts: list[Text]) -> bool:
    """Write the rows through Arrow's CSV writer, when no value needs quotes.

    False (the file half-written) as soon as a value holds a comma, a quote or a
    line break: Arrow would then quote every value, where the csv module (and
    pandas) quote only those, and the file must read the same either way.
    """
    rows = len(texts[0])
    names = [f"c{position}" for position in range(len(texts))]
    schema = pa.schema([(name, pa.string()) for name in names])
    options = pa_csv.WriteOptions(include_header=False, quoting_style="none")
    with path.open("wb") as file:
        file.write(_header(contract).encode("utf-8"))
        with pa_csv.CSVWriter(file, schema, write_options=options) as writer:
            for start in range(0, rows, _CSV_BATCH):
                batch = [
                    pa.array(text[start : start + _CSV_BATCH], type=pa.string())
                    for text in texts
                ]
                try:
                    writer.write_table(pa.table(batch, schema=schema))
                except pa.ArrowInvalid:
                    return False
    return True


def _write_quoted_csv(path: Path, contract: DataContract, texts: list[Text]) -> None:
    """Write the rows with the csv module, quoting the values that need it."""
    rows = len(texts[0])
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(_header(contract))
        writer = csv.writer(file, lineterminator="\n")
        for start in range(0, rows, _CSV_BATCH):
            batch = [text[start : start + _CSV_BATCH] for text in texts]
            writer.writerows(zip(*batch, strict=True))
