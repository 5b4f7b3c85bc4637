"""Contract inference: a first data contract read from a CSV or Parquet sample.

Each column's type, emptiness, bounds and allowed values are read from the values
themselves; the id, label and time columns from the caller. The result is a
starting point a person reviews (the notes say what to look at), written to
contract.yaml by `write_contract`.

It needs only what the contract module needs (the standard library, Pydantic and
PyYAML; pyarrow for a Parquet sample, imported when one is read) and imports its
neighbours relatively: the copy-time extension loads it by path, where pandas and
the rest of the pipeline are not installed.

Public names: Inference, MAX_CATEGORIES, infer_contract, write_contract.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .contract import (
    FALSE_WORDS,
    TRUE_WORDS,
    Column,
    ColumnType,
    ContractError,
    DataContract,
    Entity,
    Label,
    contract_to_yaml,
    is_unedited,
    plural_of,
)
from .files import write_text_atomically

# A text column with at most this many distinct values (and fewer than half its
# rows) is a category; categories with 2 to MAX_SLICE_VALUES values are slices.
MAX_CATEGORIES = 20
MAX_SLICE_VALUES = 10
_PROBLEM_TYPES = ("binary_classification", "regression")
_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?")
# Words in a column's name that say it holds personal data.
_PERSONAL_WORDS = frozenset(
    {
        "address",
        "birth",
        "birthday",
        "birthdate",
        "dob",
        "email",
        "firstname",
        "fullname",
        "iban",
        "ip",
        "lastname",
        "mail",
        "mobile",
        "name",
        "passport",
        "phone",
        "postcode",
        "ssn",
        "street",
        "surname",
        "telephone",
        "username",
        "zip",
        "zipcode",
    }
)
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


@dataclass(frozen=True)
class Inference:
    """A contract inferred from a sample, and what a person should review in it."""

    contract: DataContract
    notes: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    """A sample as text: its header, and each row's values (trimmed)."""

    source: str
    header: tuple[str, ...]
    rows: list[tuple[str, ...]]
    lines: list[int]  # where each row ends in the file (line 1 is the header)

    def values(self, name: str) -> list[str]:
        position = self.header.index(name)
        return [row[position] for row in self.rows]


# ---------------------------------------------------------------------- reading
def _read_csv(path: Path) -> _Table:
    source = str(path)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            records = [(reader.line_num, record) for record in reader if record]
    except UnicodeDecodeError as exc:
        raise ContractError(
            f"{source} is not UTF-8 text; export the sample as UTF-8 CSV"
        ) from exc
    except csv.Error as exc:
        raise ContractError(f"{source} is not a readable CSV file: {exc}") from exc
    if not records:
        raise ContractError(f"{source} is empty: it needs a header and rows")
    header = tuple(records[0][1])
    rows: list[tuple[str, ...]] = []
    lines: list[int] = []
    for line, record in records[1:]:
        if len(record) > len(header):
            raise ContractError(
                f"{source}: line {line} has {len(record)} fields, more than the "
                f"{len(header)} of the header; quote values that hold commas"
            )
        if len(record) < len(header):
            raise ContractError(
                f"{source}: line {line} has {len(record)} fields, fewer than the "
                f"{len(header)} of the header"
            )
        rows.append(tuple(value.strip() for value in record))
        lines.append(line)
    return _Table(source, header, rows, lines)


def _as_text(value: Any) -> str:
    """A Parquet value as the text a CSV export would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return "" if math.isnan(value) else str(value)
    return str(value).strip()


def _read_parquet(path: Path) -> _Table:
    source = str(path)
    try:
        import pyarrow.parquet as pq  # only Parquet samples need it
    except ImportError as exc:
        raise ContractError(
            f"{source} is a Parquet file, and reading it needs pyarrow, which is "
            "not installed here; install pyarrow, or export the sample as CSV"
        ) from exc
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises its own error types
        raise ContractError(f"{source} is not a readable Parquet file: {exc}") from exc
    header = tuple(str(name) for name in table.column_names)
    columns = [
        [_as_text(value) for value in table.column(name).to_pylist()]
        for name in table.column_names
    ]
    rows = list(zip(*columns, strict=True))
    return _Table(source, header, rows, list(range(2, len(rows) + 2)))


def _read(path: Path) -> _Table:
    if not path.is_file():
        raise ContractError(f"{path} does not exist; pass a CSV or Parquet sample")
    table = (
        _read_parquet(path) if path.suffix.lower() == ".parquet" else _read_csv(path)
    )
    source = table.source
    repeated = sorted({name for name in table.header if table.header.count(name) > 1})
    if repeated:
        raise ContractError(
            f"{source}: the header names the column(s) {', '.join(repeated)} more "
            "than once; every column needs its own name"
        )
    for position, name in enumerate(table.header, start=1):
        if not name.strip():
            raise ContractError(
                f"{source}: column {position} of the header has no name"
            )
    if not table.rows:
        raise ContractError(f"{source} has a header but no rows")
    return table


# ------------------------------------------------------------------------ types
def _is_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_timestamp(text: str) -> bool:
    if not _TIMESTAMP.fullmatch(text):
        return False
    try:
        dt.datetime.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_integer(text: str) -> bool:
    """A whole number without leading zeros (007 is a code, not a number)."""
    digits = text.lstrip("+-")
    return bool(_INTEGER.fullmatch(text)) and (digits == "0" or digits[0] != "0")


def _is_number(text: str) -> bool:
    return bool(_NUMBER.fullmatch(text)) and math.isfinite(float(text))


_BOOLEAN_WORDS = frozenset((*TRUE_WORDS, *FALSE_WORDS))


def _type_of(values: Sequence[str]) -> ColumnType:
    """The narrowest type all non-empty values fit (text when there are none)."""
    if not values:
        return "text"
    if all(_is_integer(value) for value in values):
        return "integer"
    if all(_is_number(value) for value in values):
        return "number"
    if all(value.lower() in _BOOLEAN_WORDS for value in values):
        return "boolean"
    if all(_is_date(value) for value in values):
        return "date"
    if all(_is_timestamp(value) for value in values):
        return "timestamp"
    return "text"


def _words(name: str) -> set[str]:
    return {word.lower() for word in _WORD.findall(name)}


def _looks_personal(name: str) -> bool:
    words = _words(name)
    squashed = re.sub(r"[^a-z]", "", name.lower())
    return bool(words & _PERSONAL_WORDS) or squashed in _PERSONAL_WORDS


_CLASSES = (r"\d", "[A-Z]", "[a-z]")


def _id_pattern(values: Sequence[str]) -> str | None:
    """A pattern like C\\d{7} when every id has the same shape; else None.

    Digits always become \\d; a letter that is the same in every id stays itself,
    other letters become [A-Z] or [a-z]; '-', '_', ':' and '.' must be the same
    in all.
    """
    if not values or len({len(value) for value in values}) != 1:
        return None
    slots: list[str] = []
    for characters in zip(*values, strict=True):
        first = characters[0]
        if not all(char.isascii() for char in characters):
            return None
        if all(char.isdigit() for char in characters):
            slots.append(_CLASSES[0])
        elif len(set(characters)) == 1 and (first.isalpha() or first in "-_:."):
            slots.append(first if first != "." else r"\.")
        elif all(char.isupper() for char in characters):
            slots.append(_CLASSES[1])
        elif all(char.islower() for char in characters):
            slots.append(_CLASSES[2])
        else:
            return None
    pattern = ""
    for slot, count in _runs(slots):
        repeated = slot in _CLASSES and count > 1
        pattern += slot + "{" + str(count) + "}" if repeated else slot * count
    return pattern


def _runs(slots: list[str]) -> list[tuple[str, int]]:
    """Consecutive equal slots as (slot, how many)."""
    runs: list[tuple[str, int]] = []
    for slot in slots:
        if runs and runs[-1][0] == slot:
            runs[-1] = (slot, runs[-1][1] + 1)
        else:
            runs.append((slot, 1))
    return runs


def _category_values(values: Sequence[str]) -> tuple[str, ...] | None:
    """The allowed values of a category column, or None when it is free text.

    Values that differ only in case are one value (the most frequent spelling).
    """
    spellings: dict[str, Counter[str]] = {}
    for value in values:
        spellings.setdefault(value.lower(), Counter())[value] += 1
    if len(spellings) > MAX_CATEGORIES or len(spellings) >= len(values) / 2:
        return None
    return tuple(spellings[key].most_common(1)[0][0] for key in sorted(spellings))


def _bounds(values: Sequence[str]) -> tuple[float, float]:
    numbers = [float(value) for value in values]
    return min(numbers), max(numbers)


def _column(name: str, values: Sequence[str], notes: list[str]) -> Column:
    """One input column as its values show it."""
    present = [value for value in values if value]
    kind = _type_of(present)
    settings: dict[str, Any] = {"nullable": len(present) < len(values)}
    if not present:
        notes.append(f"{name}: empty in every row; read as free text")
    if kind in ("integer", "number"):
        low, high = _bounds(present)
        settings |= {"minimum": low, "maximum": high, "sample_range": (low, high)}
    elif kind == "text" and present:
        categories = _category_values(present)
        if categories is not None:
            kind = "category"
            settings["values"] = categories
            settings["slice"] = 2 <= len(categories) <= MAX_SLICE_VALUES
    if _looks_personal(name):
        settings |= {"personal": True, "feature": False, "slice": False}
    return Column(name=name, type=kind, **settings)


# ----------------------------------------------------------------------- label
def _classification_label(
    source: str, name: str, values: Sequence[str], positive: str | None
) -> tuple[Label, str]:
    spellings: dict[str, str] = {}
    for value in values:
        spellings.setdefault(value.lower(), value)
    if len(spellings) != 2:
        shown = ", ".join(sorted(spellings.values())[:5])
        more = ", ..." if len(spellings) > 5 else ""
        raise ContractError(
            f"{source}: label {name} has {len(spellings)} distinct value(s) "
            f"({shown}{more}); binary classification needs exactly two"
        )
    first, second = sorted(spellings)
    if positive is not None:
        chosen = positive.strip().lower()
        if chosen not in spellings:
            raise ContractError(
                f"{source}: positive {positive!r} is not a value of label {name}; "
                f"its values are {spellings[first]} and {spellings[second]}"
            )
        note = f"label {name}: {spellings[chosen]} is the positive value, as asked"
    elif {first, second} & set(TRUE_WORDS) and {first, second} & set(FALSE_WORDS):
        chosen = first if first in TRUE_WORDS else second
        note = f"label {name}: {spellings[chosen]} taken as the positive value"
    else:
        raise ContractError(
            f"{source}: label {name} has the values {spellings[first]} and "
            f"{spellings[second]}; say which one is the positive class "
            "(positive, --positive)"
        )
    negative = second if chosen == first else first
    label = Label(name=name, positive=spellings[chosen], negative=spellings[negative])
    return label, note


def _regression_label(
    source: str, name: str, values: Sequence[str], lines: Sequence[int]
) -> Label:
    for line, value in zip(lines, values, strict=True):
        if value and not _is_number(value):
            raise ContractError(
                f"{source}: label {name} must be a number for regression, but line "
                f"{line} holds {value!r}"
            )
    low, high = _bounds([value for value in values if value])
    return Label(name=name, minimum=low, maximum=high)


def _label(
    table: _Table, problem_type: str, target: str, positive: str | None
) -> tuple[Label, list[str]]:
    source = table.source
    if target not in table.header:
        raise ContractError(
            f"{source}: the target column {target!r} is not in the header; the "
            f"columns are {', '.join(table.header)}"
        )
    values = table.values(target)
    present = [value for value in values if value]
    if not present:
        raise ContractError(
            f"{source}: the target column {target} is empty in every row"
        )
    notes = []
    if len(present) < len(values):
        notes.append(
            f"label {target}: empty in {len(values) - len(present)} row(s), which "
            "the pipeline will quarantine"
        )
    if problem_type == "binary_classification":
        label, note = _classification_label(source, target, present, positive)
        return label, [note, *notes]
    if positive is not None:
        raise ContractError(
            f"{source}: positive applies to binary classification; a regression "
            f"label ({target}) has bounds instead"
        )
    label = _regression_label(source, target, values, table.lines)
    notes.append(
        f"label {target}: bounds are the sample's minimum and maximum; widen them "
        "to the plausible range"
    )
    return label, notes


# ------------------------------------------------------------------ id, time
def _checked_id(table: _Table, id_column: str, column: Column) -> Column:
    source = table.source
    values = table.values(id_column)
    empty = sum(1 for value in values if not value)
    if empty:
        raise ContractError(
            f"{source}: id column {id_column} is empty in {empty} row(s); an id "
            "must be present in every row"
        )
    duplicates = len(values) - len(set(values))
    if duplicates:
        raise ContractError(
            f"{source}: id column {id_column} holds {duplicates} duplicate "
            "value(s); an id must be unique"
        )
    kind: ColumnType = "integer" if column.type == "integer" else "text"
    return Column(
        name=id_column,
        type=kind,
        description="Identifies the row",
        pattern=_id_pattern(values) if kind == "text" else None,
        case_insensitive=False,
        personal=True,
        feature=False,
    )


def _id_candidates(table: _Table, columns: dict[str, Column]) -> list[str]:
    """Unique, never-empty text or integer columns whose name ends in id."""
    found = []
    for name, column in columns.items():
        if column.type not in ("text", "integer") or column.nullable:
            continue
        if not name.lower().endswith("id"):
            continue
        values = table.values(name)
        if len(set(values)) == len(values):
            found.append(name)
    return found


def _event_time(
    source: str, columns: dict[str, Column], event_time: str | None
) -> tuple[str | None, list[str]]:
    temporal = [
        name
        for name, column in columns.items()
        if column.type in ("date", "timestamp") and not column.nullable
    ]
    if event_time is not None:
        if event_time not in columns:
            raise ContractError(
                f"{source}: event_time {event_time!r} is not an input column; the "
                f"columns are {', '.join(columns)}"
            )
        if event_time not in temporal:
            raise ContractError(
                f"{source}: event_time {event_time} must hold a date or time "
                "(YYYY-MM-DD or ISO 8601) in every row"
            )
        return event_time, []
    if len(temporal) == 1:
        return temporal[0], [
            f"event_time: {temporal[0]}, the only date or time column without gaps"
        ]
    if temporal:
        return None, [
            "event_time: none chosen among " + ", ".join(temporal) + "; pass "
            "event_time to partition the data by one of them"
        ]
    return None, []


# ---------------------------------------------------------------------- public
def infer_contract(
    path: Path,
    *,
    problem_type: str,
    target: str,
    id_column: str | None = None,
    entity: str | None = None,
    plural: str | None = None,
    positive: str | None = None,
    event_time: str | None = None,
) -> Inference:
    """A contract for the sample at `path` (CSV, or Parquet with pyarrow).

    Raises ContractError, naming the file, the column and the rule, when the
    sample cannot give a contract: empty, header only, repeated or more fields
    than the header, an unknown target or id, a label that does not fit the
    problem type, an id that is empty or repeated.
    """
    if problem_type not in _PROBLEM_TYPES:
        raise ContractError(
            f"problem_type must be one of {', '.join(_PROBLEM_TYPES)}; "
            f"got {problem_type!r}"
        )
    table = _read(Path(path))
    source = table.source
    label, notes = _label(table, problem_type, target, positive)
    if id_column is not None and id_column not in table.header:
        raise ContractError(
            f"{source}: the id column {id_column!r} is not in the header; the "
            f"columns are {', '.join(table.header)}"
        )
    if id_column == target:
        raise ContractError(f"{source}: {target} cannot be both the id and the label")
    try:
        columns: dict[str, Column] = {}
        for name in table.header:
            if name != target:
                columns[name] = _column(name, table.values(name), notes)
        if id_column is not None:
            columns[id_column] = _checked_id(table, id_column, columns[id_column])
        else:
            candidates = _id_candidates(table, columns)
            for name in candidates:
                columns[name] = columns[name].model_copy(update={"feature": False})
            if candidates:
                notes.append(
                    "id_column: none given; candidates (unique, never empty): "
                    + ", ".join(candidates)
                    + "; they are not model features until you decide"
                )
        time, time_notes = _event_time(source, columns, event_time)
        notes.extend(time_notes)
        singular = (entity or "record").strip()
        words = Entity(singular=singular, plural=(plural or plural_of(singular)))
        contract = DataContract(
            problem_type=problem_type,  # type: ignore[arg-type]
            entity=words,
            id_column=id_column,
            event_time=time,
            label=label,
            columns=tuple(columns.values()),
        )
    except ValidationError as exc:
        problems = "; ".join(
            str(error["msg"]).removeprefix("Value error, ") for error in exc.errors()
        )
        raise ContractError(
            f"{source}: no contract can describe it: {problems}"
        ) from exc
    personal = [column.name for column in contract.columns if column.personal]
    if personal:
        notes.append(
            "personal (by name, not features): " + ", ".join(personal) + "; check "
            "the list"
        )
    if any(column.minimum is not None for column in contract.columns):
        notes.append(
            "bounds of the number columns are the sample's minimum and maximum; "
            "widen them to the plausible range, or new data will be quarantined"
        )
    return Inference(contract=contract, notes=tuple(notes))


def _header(source_name: str) -> str:
    origin = source_name or "a data sample"
    return (
        f"Data contract inferred from {origin} by `contract infer`.\n"
        "Review before use: each column's type, bounds (the sample's minimum and\n"
        "maximum), allowed values, personal columns, id_column and event_time, and\n"
        "set group_column when several rows belong to one thing; then mark\n"
        "protected attributes `sensitive: true` (inference marks none) and add\n"
        "descriptions (the documents show them). Edit freely: the\n"
        "fingerprint on the first line tells `contract infer` the file was changed.\n"
    )


def write_contract(
    path: Path, inference: Inference, *, force: bool = False, source_name: str = ""
) -> Path:
    """Write the inferred contract to `path` (atomically) and return the path.

    Refuses (ContractError) to replace a contract someone edited by hand, unless
    `force`; a contract exactly as `contract infer` or the copy wrote it is
    replaced.
    """
    target = Path(path)
    if target.exists() and not force:
        try:
            current = target.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise ContractError(f"{target} cannot be read: {exc}") from exc
        if not is_unedited(current):
            raise ContractError(
                f"{target} was edited by hand since it was written, so it was not "
                "replaced; move it aside (or merge by hand), or pass --force to "
                "overwrite it"
            )
    text = contract_to_yaml(inference.contract, header=_header(source_name))
    return write_text_atomically(target, text)
