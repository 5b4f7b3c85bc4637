"""The data contract: what one row of the raw data is, read from contract.yaml.

contract.yaml at the root of the repository is the one place that names the
data's columns. Validation and quarantine, storage, the sample generator, the
features, the serving request models and the documents describing the data are
all derived from the `DataContract` read here, so adopting another dataset means
replacing that file (`contract infer`) and nothing else.

This module needs only the standard library, pydantic and PyYAML, so that the
documents can be rendered from it wherever those are installed.

Public names: ColumnType, ProblemType, ENTITY_WORD, Entity, Column, Label, DataContract,
ContractError, CONTRACT_FILE, ROW_KEY, CURATED_TYPES, TRUE_WORDS, FALSE_WORDS,
plain_number, plural_of, find_contract_file, load_contract, read_contract_text,
contract_to_yaml, fingerprint_of, is_unedited, default_contract.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

ColumnType = Literal[
    "integer", "number", "category", "text", "boolean", "date", "timestamp"
]
ProblemType = Literal["binary_classification", "regression"]

CONTRACT_FILE = "contract.yaml"
# Environment variable that points at another contract file (for example in an image).
CONTRACT_ENV = "DATA_CONTRACT_FILE"
# Key column of a dataset without an id column: a hash of the row's own values.
ROW_KEY = "row_key"
# Types of the curated (stored) columns, as Ibis names them.
CURATED_TYPES: dict[str, str] = {
    "integer": "int64",
    "number": "float64",
    "category": "string",
    "text": "string",
    "boolean": "boolean",
    "date": "date",
    "timestamp": "timestamp",
}
# Raw words read as booleans, in lower case after trimming.
TRUE_WORDS = ("true", "t", "yes", "y", "1")
FALSE_WORDS = ("false", "f", "no", "n", "0")
FINGERPRINT_PREFIX = "# fingerprint: "
_STRICT = ConfigDict(frozen=True, extra="forbid", strict=True)
# What an entity word may be: the extension checks the copy-time answers with it.
ENTITY_WORD = re.compile(r"[^\W\d_][\w -]{0,39}")
_FORBIDDEN_IN_NAME = re.compile(r"[\x00-\x1f\x7f\u0085\u2028\u2029/=\\]")


class ContractError(ValueError):
    """The contract is missing, unreadable, or breaks a rule; the message says which."""


def plural_of(word: str) -> str:
    """An English plural good enough for documents: city -> cities, box -> boxes."""
    if re.search(r"[^aeiou]y$", word):
        return word[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", word):
        return word + "es"
    return word + "s"


class Entity(BaseModel):
    """What one row describes, in the words documents and messages use."""

    model_config = _STRICT

    singular: str
    plural: str

    @model_validator(mode="after")
    def _words(self) -> Entity:
        for word in (self.singular, self.plural):
            if not ENTITY_WORD.fullmatch(word):
                raise ValueError(
                    f"entity word {word!r} must be 1 to 40 letters, digits, spaces "
                    "or hyphens, starting with a letter"
                )
        return self


class Column(BaseModel):
    """One input column of the raw data and the rule its values must follow."""

    model_config = _STRICT

    name: str = Field(min_length=1, max_length=128)
    type: ColumnType
    description: str = ""
    nullable: bool = False
    # integer and number: inclusive bounds (exclusive_minimum: the lower one is strict)
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: bool = False
    # category: the allowed values, as written after trimming (compared in lower case
    # when `case_insensitive`)
    values: tuple[str, ...] = ()
    case_insensitive: bool = True
    # text: a regular expression the whole value must match
    pattern: str | None = None
    # date and timestamp: ISO bounds, and whether a value may lie after the run
    earliest: str | None = None
    latest: str | None = None
    not_in_future: bool = False
    # what the values are used for
    personal: bool = False
    slice: bool = False
    # a protected or sensitive attribute (sex, age band, ethnic group, ...): the
    # evaluation compares the model's rates across its groups
    sensitive: bool = False
    feature: bool | None = None
    # where the sample generator draws values from (defaults to the bounds)
    sample_range: tuple[float, float] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Column:
        if self.name != self.name.strip() or _FORBIDDEN_IN_NAME.search(self.name):
            raise ValueError(
                f"column name {self.name!r} must not start or end with a space, nor "
                "hold a control character, '/', '\\' or '='; rename the column where "
                "it comes from: in the sample's header before `contract infer` (it "
                "has no option to rename columns), or in contract.yaml and the raw "
                "files' header together"
            )
        numeric = self.type in ("integer", "number")
        if not numeric and (
            self.minimum is not None
            or self.maximum is not None
            or self.exclusive_minimum
            or self.sample_range is not None
        ):
            raise ValueError(
                f"column {self.name}: minimum, maximum, exclusive_minimum and "
                "sample_range apply to integer and number columns only"
            )
        if (
            self.minimum is not None
            and self.maximum is not None
            and self.minimum > self.maximum
        ):
            raise ValueError(
                f"column {self.name}: minimum {self.minimum} is above maximum "
                f"{self.maximum}"
            )
        if self.type == "category":
            if not self.values:
                raise ValueError(
                    f"column {self.name}: a category column lists its allowed values"
                )
            keys = [self.normalise(v) for v in self.values]
            if len(set(keys)) != len(keys) or any(not key for key in keys):
                raise ValueError(
                    f"column {self.name}: values must be distinct and non-empty"
                )
        elif self.values:
            raise ValueError(f"column {self.name}: values apply to category columns")
        if self.pattern is not None:
            if self.type != "text":
                raise ValueError(f"column {self.name}: pattern applies to text columns")
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(
                    f"column {self.name}: pattern is not a regular expression ({exc})"
                ) from exc
        temporal = self.type in ("date", "timestamp")
        if not temporal and (self.earliest or self.latest or self.not_in_future):
            raise ValueError(
                f"column {self.name}: earliest, latest and not_in_future apply to "
                "date and timestamp columns only"
            )
        for bound in (self.earliest, self.latest):
            if bound is not None:
                try:
                    dt.datetime.fromisoformat(bound)
                except ValueError as exc:
                    raise ValueError(
                        f"column {self.name}: {bound!r} is not an ISO date or time"
                    ) from exc
        if self.slice and self.type not in ("category", "boolean"):
            raise ValueError(
                f"column {self.name}: only category and boolean columns can be "
                "evaluation slices"
            )
        if self.sensitive and self.type not in ("category", "boolean"):
            raise ValueError(
                f"column {self.name}: only category and boolean columns can be "
                "sensitive, since their values are the groups the fairness report "
                "compares; add a banded category column (an age band, say) instead"
            )
        if self.sensitive and self.personal:
            raise ValueError(
                f"column {self.name}: a personal column stays out of the model's "
                "data (and is pseudonymised when compliance asks), so the fairness "
                "report could not compare its groups; mark a coarser column "
                "sensitive instead, or mark this one personal: false"
            )
        if self.personal and self.feature:
            raise ValueError(
                f"column {self.name}: a personal column is pseudonymised before "
                "storage, so it cannot be a model feature; derive a coarser feature "
                "from it instead, or mark it personal: false"
            )
        return self

    @property
    def lower_case(self) -> bool:
        """Whether values are compared in lower case: booleans, most categories."""
        return self.type == "boolean" or (
            self.type == "category" and self.case_insensitive
        )

    def normalise(self, value: str) -> str:
        """A raw value as validation compares it: trimmed, lower case for codes."""
        text = value.strip()
        return text.lower() if self.lower_case else text

    @property
    def curated_type(self) -> str:
        """The column's type once stored (an Ibis type name)."""
        return CURATED_TYPES[self.type]

    @property
    def is_feature(self) -> bool:
        """Whether the model reads this column as a default feature.

        Numbers, whole numbers, booleans and categories are; free text, dates,
        times and personal data are not, unless the contract says otherwise.
        """
        if self.feature is not None:
            return self.feature
        return not self.personal and self.type in (
            "integer",
            "number",
            "boolean",
            "category",
        )

    @property
    def allowed(self) -> tuple[str, ...]:
        """Allowed category values as validation compares them."""
        return tuple(self.normalise(value) for value in self.values)

    def describe(self) -> str:
        """The rule in words, for the data dictionary and quarantine reports."""
        parts = ["may be empty" if self.nullable else "required"]
        if self.type in ("integer", "number"):
            parts.append("a whole number" if self.type == "integer" else "a number")
            if self.minimum is not None:
                word = "greater than" if self.exclusive_minimum else "at least"
                parts.append(f"{word} {plain_number(self.minimum)}")
            if self.maximum is not None:
                parts.append(f"at most {plain_number(self.maximum)}")
        elif self.type == "category":
            parts.append("one of " + ", ".join(self.values))
        elif self.type == "boolean":
            parts.append("true or false (also yes/no, 1/0)")
        elif self.type == "text":
            parts.append(
                f"text matching {self.pattern}" if self.pattern else "free text"
            )
        else:
            written = "YYYY-MM-DD" if self.type == "date" else "ISO 8601"
            parts.append(f"a {'date' if self.type == 'date' else 'time'} ({written})")
            if self.earliest:
                parts.append(f"not before {self.earliest}")
            if self.latest:
                parts.append(f"not after {self.latest}")
            if self.not_in_future:
                parts.append("not after the day of the run")
        return ", ".join(parts)


def plain_number(value: float) -> str:
    """A bound as people write it: 100000, not 1e+05 or 100000.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


class Label(BaseModel):
    """The column the model learns to predict."""

    model_config = _STRICT

    name: str = Field(min_length=1, max_length=128)
    description: str = ""
    # binary classification: the raw values that mean yes (1) and no (0)
    positive: str | None = None
    negative: str | None = None
    # regression: inclusive bounds of a plausible value
    minimum: float | None = None
    maximum: float | None = None

    def normalise(self, value: str) -> str:
        """A raw label as validation compares it: trimmed, lower case."""
        return value.strip().lower()


class DataContract(BaseModel):
    """The whole contract: entity, keys, label, time, groups and every input column."""

    model_config = _STRICT

    version: Literal[1] = 1
    problem_type: ProblemType
    entity: Entity
    id_column: str | None = None
    event_time: str | None = None
    # The column naming what a row belongs to when one thing has several rows (the
    # person of a visit, say): the model is tested on groups it was not trained on.
    group_column: str | None = None
    label: Label
    columns: tuple[Column, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> DataContract:
        names = [column.name for column in self.columns]
        repeated = sorted({name for name in names if names.count(name) > 1})
        if repeated:
            raise ValueError(f"column(s) {', '.join(repeated)} are listed twice")
        if self.label.name in names:
            raise ValueError(
                f"the label {self.label.name} must not also be an input column"
            )
        if self.id_column is None and ROW_KEY in names:
            raise ValueError(
                f"a contract without id_column keys rows by {ROW_KEY!r}, so no input "
                "column may have that name"
            )
        if self.id_column is not None:
            key = self._find(self.id_column, "id_column")
            if key.type not in ("text", "integer") or key.nullable:
                raise ValueError(
                    f"id_column {key.name} must be a text or integer column that is "
                    "never empty"
                )
            if key.is_feature:
                raise ValueError(
                    f"id_column {key.name} identifies rows; set feature: false on it"
                )
        if self.event_time is not None:
            time = self._find(self.event_time, "event_time")
            if time.type not in ("date", "timestamp") or time.nullable:
                raise ValueError(
                    f"event_time {time.name} must be a date or timestamp column that "
                    "is never empty"
                )
        if self.group_column is not None:
            self._check_group(self._find(self.group_column, "group_column"))
        if self.problem_type == "binary_classification":
            positive, negative = self.label.positive, self.label.negative
            if positive is None or negative is None:
                raise ValueError(
                    f"label {self.label.name}: binary classification names its "
                    "positive and negative values"
                )
            if self.label.normalise(positive) == self.label.normalise(negative):
                raise ValueError(
                    f"label {self.label.name}: positive and negative must differ"
                )
        elif self.label.positive is not None or self.label.negative is not None:
            raise ValueError(
                f"label {self.label.name}: positive and negative apply to "
                "classification; a regression label has minimum and maximum"
            )
        if not any(column.is_feature for column in self.columns):
            raise ValueError("no column is a feature: the model would have no input")
        return self

    def _check_group(self, group: Column) -> None:
        if group.type not in ("text", "integer", "category") or group.nullable:
            raise ValueError(
                f"group_column {group.name} must be a text, integer or category "
                "column that is never empty"
            )
        if group.name == self.id_column:
            raise ValueError(
                f"group_column {group.name} is the id_column, which names one row; "
                "a group column names what several rows share"
            )
        # The split keeps each group's rows on one side, so the holdout's groups are
        # never seen in training: as an input the model could only memorise them.
        if group.is_feature:
            raise ValueError(
                f"group_column {group.name} names what rows belong to, and the model "
                "is tested on groups it was not trained on; set feature: false on it"
            )

    def _find(self, name: str, role: str) -> Column:
        for column in self.columns:
            if column.name == name:
                return column
        raise ValueError(f"{role} {name!r} is not one of the columns")

    def column(self, name: str) -> Column:
        """The input column of that name; KeyError when the contract has none."""
        for column in self.columns:
            if column.name == name:
                return column
        raise KeyError(name)

    @property
    def key_column(self) -> str:
        """The column that identifies a row: the id column, or the row key."""
        return self.id_column or ROW_KEY

    @property
    def split_columns(self) -> tuple[str, ...]:
        """Columns the training split reads besides the features: time, then group."""
        return tuple(
            name for name in (self.event_time, self.group_column) if name is not None
        )

    @property
    def dataset_name(self) -> str:
        """Name of the raw file and curated folder: the plural in lower case."""
        return self.entity.plural.lower().replace(" ", "-")  # spaces become -

    @property
    def raw_columns(self) -> tuple[str, ...]:
        """Every column of the raw file, in contract order, label last."""
        return (*(column.name for column in self.columns), self.label.name)

    @property
    def partition_column(self) -> str:
        """Curated data is partitioned by this text column (YYYY-MM)."""
        if self.event_time is not None:
            return f"{self.event_time}_month"
        return "load_month"

    @property
    def curated_columns(self) -> tuple[str, ...]:
        """Columns of the stored data: key, inputs, label, partition."""
        keyed = () if self.id_column else (ROW_KEY,)
        return (*keyed, *self.raw_columns, self.partition_column)

    @property
    def feature_columns(self) -> tuple[Column, ...]:
        """The input columns the model reads as they are (the default features)."""
        return tuple(column for column in self.columns if column.is_feature)

    @property
    def slice_columns(self) -> tuple[str, ...]:
        """Columns whose values evaluation reports the metric for."""
        return tuple(column.name for column in self.columns if column.slice)

    @property
    def sensitive_columns(self) -> tuple[str, ...]:
        """Columns whose groups the fairness report compares the model across."""
        return tuple(column.name for column in self.columns if column.sensitive)

    @property
    def personal_columns(self) -> tuple[str, ...]:
        """Columns pseudonymised before storage when compliance asks."""
        return tuple(column.name for column in self.columns if column.personal)

    def input_schema(self) -> dict[str, str]:
        """Curated types of what a prediction request carries: no id, label or PII."""
        return {
            column.name: column.curated_type
            for column in self.columns
            if column.name != self.id_column and not column.personal
        }

    @property
    def curated_label_type(self) -> str:
        """The stored label: 0/1 for classification, a number for regression."""
        return "int64" if self.problem_type == "binary_classification" else "float64"

    def example_record(self) -> dict[str, Any]:
        """A plausible prediction request, for documents and API examples."""
        record: dict[str, Any] = {}
        for column in self.columns:
            if column.name == self.id_column or column.personal:
                continue
            record[column.name] = example_value(column)
        return record


def example_value(column: Column) -> Any:
    """One valid value of a column, as JSON would carry it."""
    if column.type == "category":
        return column.values[0]
    if column.type == "boolean":
        return True
    if column.type in ("integer", "number"):
        low, high = column.sample_range or (column.minimum, column.maximum)
        low = 0.0 if low is None else low
        high = low + 10.0 if high is None else high
        middle = (low + high) / 2
        if column.exclusive_minimum and column.minimum is not None:
            middle = max(middle, column.minimum + 1)
        return round(middle) if column.type == "integer" else round(middle, 2)
    if column.type == "date":
        return column.latest or column.earliest or "2026-01-15"
    if column.type == "timestamp":
        return column.latest or column.earliest or "2026-01-15T09:30:00"
    return "example"


def find_contract_file(start: Path | None = None) -> Path:
    """contract.yaml of the repository: $DATA_CONTRACT_FILE, else the nearest upwards.

    Raises ContractError when there is none from `start` (default: cwd) upwards.
    """
    pointed = os.environ.get(CONTRACT_ENV)
    if pointed:
        return Path(pointed)
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONTRACT_FILE
        if candidate.is_file():
            return candidate
    raise ContractError(
        f"no {CONTRACT_FILE} in {here} or above it; run inside the repository, or "
        f"set {CONTRACT_ENV} to the contract's path"
    )


def _problem(error: Mapping[str, Any]) -> str:
    where = ".".join(str(part) for part in error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key"
    if error["type"] == "missing":
        return f"{where}: required key is missing"
    return f"{where}: {message}" if where else message


def read_contract_text(text: str, source: str = CONTRACT_FILE) -> DataContract:
    """A contract from YAML text; ContractError naming `source` and every problem."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise ContractError(f"{source} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict):
        raise ContractError(f"{source} must be a mapping (entity, label, columns, ...)")
    try:
        return DataContract.model_validate(_strict_types(data))
    except ValidationError as exc:
        problems = "; ".join(_problem(error) for error in exc.errors())
        raise ContractError(f"{source}: {problems}") from exc


# Keys whose values are text even where YAML reads them as numbers or booleans
# (`positive: 1`, `values: [yes, no]`, `earliest: 2020-01-01`).
_TEXT_KEYS = frozenset(
    {"name", "description", "values", "positive", "negative", "pattern"}
    | {"earliest", "latest", "singular", "plural", "id_column", "event_time"}
    | {"group_column"}
)


def _as_text(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    return value


def _strict_types(data: Any, key: str = "") -> Any:
    """YAML as strict models expect it: lists as tuples, text keys as text."""
    if isinstance(data, dict):
        return {name: _strict_types(value, str(name)) for name, value in data.items()}
    if isinstance(data, list):
        return tuple(_strict_types(value, key) for value in data)
    if key in _TEXT_KEYS:
        return _as_text(data)
    return data


@functools.lru_cache(maxsize=8)
def _load(path: str, modified: int) -> DataContract:
    file = Path(path)
    return read_contract_text(file.read_text(encoding="utf-8"), source=str(file))


def load_contract(path: Path | None = None) -> DataContract:
    """The contract in `path` (default: find_contract_file()), read once per version."""
    file = find_contract_file() if path is None else path
    try:
        modified = file.stat().st_mtime_ns
    except OSError as exc:
        raise ContractError(f"{file} cannot be read: {exc.strerror}") from exc
    return _load(str(file), modified)


def default_contract() -> DataContract:
    """The repository's contract, found from the working folder upwards."""
    return load_contract(None)


def _without_fingerprint(text: str) -> str:
    return "".join(
        line
        for line in text.splitlines(keepends=True)
        if not line.startswith(FINGERPRINT_PREFIX)
    )


def fingerprint_of(text: str) -> str:
    """SHA-256 of a contract's text without its fingerprint line."""
    return hashlib.sha256(_without_fingerprint(text).encode()).hexdigest()[:16]


def is_unedited(text: str) -> bool:
    """Whether a contract file is exactly as `contract infer` (or the copy) wrote it."""
    for line in text.splitlines():
        if line.startswith(FINGERPRINT_PREFIX):
            return line.removeprefix(FINGERPRINT_PREFIX).strip() == fingerprint_of(text)
    return False


class _Dumper(yaml.SafeDumper):
    """Block style for mappings, one line for short lists; whole floats as integers."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flat = all(not isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=flat and len(data) <= 12
    )


def _represent_float(dumper: yaml.SafeDumper, data: float) -> yaml.Node:
    if data.is_integer() and abs(data) < 1e15:
        return dumper.represent_int(int(data))
    return dumper.represent_float(data)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(float, _represent_float)


def _dump_column(column: Column) -> dict[str, Any]:
    data = column.model_dump(exclude_defaults=True)
    ordered = {"name": column.name, "type": column.type}
    for key in ("values", "sample_range"):
        if key in data:
            data[key] = list(data[key])
    return {**ordered, **data}


def contract_to_yaml(contract: DataContract, header: str = "") -> str:
    """The contract as YAML with a comment header and a fingerprint line."""
    data: dict[str, Any] = {
        "version": contract.version,
        "problem_type": contract.problem_type,
        "entity": contract.entity.model_dump(),
        "id_column": contract.id_column,
        "event_time": contract.event_time,
        "group_column": contract.group_column,
        "label": contract.label.model_dump(exclude_defaults=True),
        "columns": [_dump_column(column) for column in contract.columns],
    }
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
    comments = "".join(f"# {line}".rstrip() + "\n" for line in header.splitlines())
    text = comments + body
    return f"{FINGERPRINT_PREFIX}{fingerprint_of(text)}\n" + text
