"""The API reference's prediction routes, written from the data contract.

docs/api.md describes POST /predict and POST /predict/batch between two markers:
the request fields, their rules and the examples all come from the contract.
The section is written when the repository is generated and again whenever the
contract changes (`write_api_reference`, which `contract infer` calls), and a
unit test compares it with what the app serves.

This module needs only the standard library and reads the contract through the
attributes it uses (`ContractLike`), so that the section can be rendered from the
template tree, where the packages are not installed.

Public names: API_REFERENCE_PATH, SECTION_BEGIN, SECTION_END, ECHO_MAX_LENGTH,
ContractLike, Refusal, json_type, api_rule, echo_rule, example_request,
refusal_example, api_reference_section, replace_section, documented_section,
documented_model_name, write_api_reference.
"""

from __future__ import annotations

import json
import math
import os
import re
import tempfile
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

API_REFERENCE_PATH = Path("docs") / "api.md"
SECTION_BEGIN = "<!-- api-contract:begin -->"
SECTION_END = "<!-- api-contract:end -->"
# The id a request may carry is echoed back, never used as a feature.
ECHO_MAX_LENGTH = 128
# The model name the examples show when the document does not say one.
DEFAULT_MODEL_NAME = "model"
_JSON_TYPES = {
    "integer": "integer",
    "number": "number",
    "boolean": "boolean",
    "category": "string",
    "text": "string",
    "date": "string (date)",
    "timestamp": "string (date-time)",
}
_ESCAPED = str.maketrans(
    {
        "\\": "\\\\",
        "|": "\\|",
        "*": "\\*",
        "_": "\\_",
        "`": "\\`",
        "<": "&lt;",
        ">": "&gt;",
        "&": "&amp;",
        "[": "\\[",
        "]": "\\]",
    }
)


class ColumnLike(Protocol):
    """What the reference reads of a contract column."""

    @property
    def name(self) -> str: ...
    @property
    def type(self) -> str: ...
    @property
    def description(self) -> str: ...
    @property
    def nullable(self) -> bool: ...
    @property
    def minimum(self) -> float | None: ...
    @property
    def exclusive_minimum(self) -> bool: ...
    @property
    def maximum(self) -> float | None: ...
    @property
    def values(self) -> tuple[str, ...]: ...
    def describe(self) -> str: ...


class EntityLike(Protocol):
    """What the reference reads of the contract's entity words."""

    @property
    def singular(self) -> str: ...
    @property
    def plural(self) -> str: ...


class LabelLike(Protocol):
    """What the reference reads of the contract's label."""

    @property
    def name(self) -> str: ...
    @property
    def positive(self) -> str | None: ...


class ContractLike(Protocol):
    """What the reference reads of a DataContract (the pipeline's contract module)."""

    @property
    def problem_type(self) -> str: ...
    @property
    def entity(self) -> EntityLike: ...
    @property
    def id_column(self) -> str | None: ...
    @property
    def label(self) -> LabelLike: ...
    def column(self, name: str) -> ColumnLike: ...
    def input_schema(self) -> dict[str, str]: ...
    def example_record(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class Refusal:
    """A request that breaks one rule, and the error the API answers it with."""

    record: dict[str, Any]
    field: str
    rule: str
    type: str

    @property
    def body(self) -> dict[str, Any]:
        """The 422 body: detail and errors, without the input value."""
        return {
            "detail": f"invalid request: {self.field}: {self.rule}",
            "errors": [{"field": self.field, "rule": self.rule, "type": self.type}],
        }


def _plain(value: float) -> int | float:
    """A bound as the contract means it: 100000, not 100000.0."""
    return int(value) if float(value).is_integer() else value


def _cell(text: str) -> str:
    """Text shown literally in a Markdown table cell, on one line."""
    return " ".join(str(text).split()).translate(_ESCAPED)


def _code(text: str) -> str:
    """A name in code style, whatever characters it holds."""
    fence = "``" if "`" in text else "`"
    pad = " " if "`" in text else ""
    return f"{fence}{pad}{' '.join(text.split())}{pad}{fence}"


def _inputs(contract: ContractLike) -> list[ColumnLike]:
    return [contract.column(name) for name in contract.input_schema()]


def json_type(column: ColumnLike) -> str:
    """The JSON type a request carries for the column."""
    kind = _JSON_TYPES[column.type]
    return f"{kind} or null" if column.nullable else kind


def api_rule(column: ColumnLike) -> str:
    """The column's rule as the API applies it (`Column.describe()`, in JSON terms).

    The raw files also take yes/no and 1/0 for booleans; a request takes JSON
    true and false only.
    """
    if column.type == "boolean":
        return f"{'may be empty' if column.nullable else 'required'}, true or false"
    return column.describe()


def echo_rule(column: ColumnLike) -> str:
    """The rule of the optional id a request may carry."""
    if column.type == "integer":
        kind = "a whole number"
    else:
        kind = f"1 to {ECHO_MAX_LENGTH} characters"
    return f"optional, {kind}; echoed back in the response, never a feature"


def _other_value(column: ColumnLike, example: Any) -> Any:
    """Another valid value than the example, for a second example record."""
    if column.nullable:
        return None
    if column.type == "category" and len(column.values) > 1:
        return column.values[-1]
    if column.type == "boolean":
        return not example
    if column.type in ("integer", "number"):
        # Halfway down to the minimum, as long as rounding keeps it valid.
        low = example - 10 if column.minimum is None else column.minimum
        halfway = (low + example) / 2
        other = math.ceil(halfway) if column.type == "integer" else round(halfway, 2)
        if other < low or (column.exclusive_minimum and other <= low):
            return example
        return other
    return example


def example_request(contract: ContractLike, variant: int = 0) -> dict[str, Any]:
    """A valid request record: `contract.example_record()` with an id to echo.

    `variant` 1 gives a second record with other values (nullable ones null).
    """
    record = contract.example_record()
    if variant:
        record = {
            name: _other_value(contract.column(name), value)
            for name, value in record.items()
        }
    if contract.id_column is None:
        return record
    key = contract.column(contract.id_column)
    echo = 1001 + variant if key.type == "integer" else f"example-{variant + 1}"
    return {key.name: echo, **record}


def refusal_example(contract: ContractLike) -> Refusal:
    """A request the API refuses, with the field and rule the answer names.

    The first numeric column with a maximum gets a value above it; a contract
    without one gets an unknown field.
    """
    record = example_request(contract)
    for column in _inputs(contract):
        if column.type in ("integer", "number") and column.maximum is not None:
            bound = _plain(column.maximum)
            return Refusal(
                record={**record, column.name: bound + 1},
                field=column.name,
                rule=f"Input should be less than or equal to {bound}",
                type="less_than_equal",
            )
    unknown = "unexpected_field"
    while unknown in record:
        unknown += "_"
    return Refusal(
        record={**record, unknown: 1},
        field=unknown,
        rule="Extra inputs are not permitted",
        type="extra_forbidden",
    )


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _curl(route: str, body: Any) -> list[str]:
    # The body goes in single quotes: a quote inside it is closed, escaped, reopened.
    quoted = _json(body).replace("'", "'\\''").replace("\n", "\n     ")
    return [
        "```bash",
        f"curl -s -X POST http://127.0.0.1:8000{route} \\",
        "  -H 'Content-Type: application/json' \\",
        f"  -d '{quoted}'",
        "```",
    ]


def _paragraph(text: str) -> list[str]:
    """A paragraph wrapped as the rest of the document is."""
    return textwrap.wrap(text, width=80, break_long_words=False, break_on_hyphens=False)


def _field_table(contract: ContractLike) -> list[str]:
    lines = ["| Field | Type | Meaning | Rule |", "|---|---|---|---|"]
    if contract.id_column is not None:
        key = contract.column(contract.id_column)
        kind = "integer" if key.type == "integer" else "string"
        lines.append(
            f"| {_code(key.name)} | {kind} or null | {_cell(key.description)} "
            f"| {_cell(echo_rule(key))} |"
        )
    for column in _inputs(contract):
        lines.append(
            f"| {_code(column.name)} | {json_type(column)} "
            f"| {_cell(column.description)} | {_cell(api_rule(column))} |"
        )
    return lines


def _predictions(contract: ContractLike, count: int) -> list[dict[str, Any]]:
    values = (
        [0.71, 0.04]
        if contract.problem_type == "binary_classification"
        else [84.2, 131.5]
    )
    found: list[dict[str, Any]] = []
    for variant, value in zip(range(count), values, strict=False):
        prediction: dict[str, Any] = {}
        if contract.id_column is not None:
            key = contract.id_column
            prediction[key] = example_request(contract, variant)[key]
        prediction["prediction"] = value
        found.append(prediction)
    return found


def _model_info(model_name: str, request_id: str) -> dict[str, Any]:
    return {
        "model_name": model_name,
        "model_version": 3,
        "model_alias": "champion",
        "feature_version": "5f0c2a9e41b7",
        "request_id": request_id,
    }


def api_reference_section(
    contract: ContractLike, model_name: str = DEFAULT_MODEL_NAME
) -> str:
    """The POST /predict and POST /predict/batch sections, markers included.

    `model_name` is the registered model the response examples name. The text
    ends with a newline.
    """
    one, many = contract.entity.singular, contract.entity.plural
    label = contract.label
    if contract.problem_type == "binary_classification":
        purpose = (
            f"The probability that {_code(label.name)} is "
            f"{_code(label.positive or '')} for one {_cell(one)}."
        )
    else:
        purpose = f"The predicted {_code(label.name)} of one {_cell(one)}."
    optional = [_code(c.name) for c in _inputs(contract) if c.nullable]
    if contract.id_column is not None:
        optional.insert(0, _code(contract.id_column))
    if not optional:
        fields = "Every field is required"
    elif len(optional) <= 3:
        fields = f"Every field is required except {', '.join(optional)}"
    else:
        fields = "The fields whose rule says they may be empty can be null or left out"
    [single] = _predictions(contract, 1)
    response = {**single, **_model_info(model_name, "0b6f8c1e2d3a4f5b9c8d7e6f5a4b3c2d")}
    refusal = refusal_example(contract)
    batch = [example_request(contract, 0), example_request(contract, 1)]
    lines = [
        SECTION_BEGIN,
        "## `POST /predict`",
        "",
        *_paragraph(
            f"{purpose} {fields}; unknown fields are refused. The fields are the "
            "input columns of `contract.yaml`:"
        ),
        "",
        *_field_table(contract),
        "",
        *_curl("/predict", example_request(contract)),
        "",
        "```json",
        _json(response),
        "```",
        "",
        "A request that breaks a rule gets 422, naming the field and the rule (input",
        f"values are not echoed); here {_code(refusal.field)} breaks its rule:",
        "",
        "```json",
        _json(refusal.body),
        "```",
        "",
        "503 when no model is loaded (see `GET /ready`).",
        "",
        "## `POST /predict/batch`",
        "",
        *_paragraph(
            f"Up to `serving.max_batch_size` {_cell(many)} (set in "
            "`configs/<env>.yaml`) in one request, with the fields above; "
            "predictions come back in request order. One more record than the "
            "limit is a 422 on the field `records`."
        ),
        "",
        *_curl("/predict/batch", {"records": batch}),
        "",
        "```json",
        _json(
            {
                **_model_info(model_name, "5d2e9a7c0f1b4e3a8c6d2b1a0f9e8d7c"),
                "predictions": _predictions(contract, 2),
            }
        ),
        "```",
        SECTION_END,
    ]
    return "\n".join(lines) + "\n"


def replace_section(text: str, section: str) -> str:
    """`text` with its prediction section replaced; unchanged without markers."""
    start = text.find(SECTION_BEGIN)
    end = text.find(SECTION_END, start + 1)
    if start < 0 or end < 0:
        return text
    tail = text[end + len(SECTION_END) :].removeprefix("\n")
    return text[:start] + section + tail


def documented_section(text: str) -> str | None:
    """The prediction section of a document, markers included, or None."""
    start = text.find(SECTION_BEGIN)
    end = text.find(SECTION_END, start + 1)
    if start < 0 or end < 0:
        return None
    return text[start : end + len(SECTION_END)] + "\n"


def documented_model_name(text: str) -> str:
    """The model name the document's examples show (DEFAULT_MODEL_NAME if none)."""
    section = documented_section(text) or ""
    found = re.search(r'"model_name": ("(?:[^"\\]|\\.)*")', section)
    return str(json.loads(found.group(1))) if found else DEFAULT_MODEL_NAME


def write_api_reference(
    path: Path, contract: ContractLike, model_name: str | None = None
) -> Path:
    """Rewrite the prediction section of the API reference at `path` for `contract`.

    `model_name` defaults to the one the document already shows. The file is
    replaced atomically; a document without the markers is left as it is.
    """
    text = path.read_text(encoding="utf-8")
    name = model_name or documented_model_name(text)
    updated = replace_section(text, api_reference_section(contract, name))
    if updated != text:
        _write_atomically(path, updated)
    return path


def _write_atomically(path: Path, text: str) -> None:
    """Write through a temporary file in the same folder, then rename it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
