"""Validation: the contract as rules run in the engine; bad rows go to quarantine.

Rows are judged one by one: a row that breaks a rule goes to quarantine with a
reason a person can act on, such as "<column>: must be at least 0 (got -12.5)";
the rest of the batch carries on. Every rule comes from the contract's columns.

Each rule is an Ibis expression that is true where a row breaks it, so the whole
judgement runs in the engine (DuckDB or Spark) in one pass over the batch (and a
grouping of its ids, for the repeated ones), and runs the same on both: a number
is a number by one pattern and one conversion, not by whatever each engine's
parser accepts. The rules are judged once, by queries compiled once per contract,
day and engine (docs/adr/0005-every-rule-judged-once.md). The same rules make the
contract's pandera schema (pandera's Ibis support), `build_schema`; its shape
and the uniqueness of the id are checked on the rows judged valid before anything
is stored.

Public names: Rule, ValidationResult, QUARANTINE_PREFIX, REASON, quarantine_columns,
parsed_columns, with_helpers, rules, build_schema, split_valid_rows, check_kept_rows.
"""

from __future__ import annotations

import datetime as dt
import functools
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import pandera.ibis as pa
from pandera.errors import SchemaErrors

from .contract import FALSE_WORDS, TRUE_WORDS, Column, DataContract
from .engine import SOURCE_ROW, count_rows, run_sql
from .errors import ReconciliationError, SchemaViolationError

# pandera registers its Ibis backends at the first validation; done with this
# module instead, for the reason engine.py imports Ibis's DuckDB backend early.
pa.DataFrameSchema.register_default_backends(ir.Table)

# Columns a quarantine file has before the raw values.
REASON = "reason"
QUARANTINE_PREFIX = (SOURCE_ROW, REASON)

_NOT_EMPTY = "must not be empty"
_DUPLICATE = "duplicates an earlier row"
# A number as people write it: digits with an optional sign, decimal point and
# exponent. Spelled out, so that every engine accepts the same texts.
_NUMBER_SHAPE = r"^[+-]?([0-9]+([.][0-9]*)?|[.][0-9]+)([eE][+-]?[0-9]+)?$"
_LARGEST_FLOAT = 1.7976931348623157e308
_DATE_SHAPE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# ISO 8601 without an offset: a date, optionally a time of day with seconds.
_TIME_SHAPE = (
    r"^[0-9]{4}-[0-9]{2}-[0-9]{2}"
    r"([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}([.][0-9]{1,9})?)?)?$"
)

# An expression over the batch that is true where a row breaks a rule.
Broken = Callable[[ir.Table], ir.BooleanValue]


@dataclass(frozen=True)
class Rule:
    """One rule of one column: `rule` is what a value must do ("must be at least 0").

    `of_the_batch` marks a rule a row breaks or keeps by the other rows of its
    batch (a duplicate id). It reads a helper column computed over the whole
    batch (`with_helpers`), so it can be judged again on a part of the batch;
    the schema checks what it stands for over the rows themselves.
    """

    column: str
    rule: str
    broken: Broken
    of_the_batch: bool = False

    @property
    def reason(self) -> str:
        """The rule as a quarantine reason names it: `<column>: <rule>`."""
        return f"{self.column}: {self.rule}"


@dataclass(frozen=True)
class ValidationResult:
    """Rows that meet the contract, and the quarantined rows with their reasons.

    `valid` and `quarantined` are Ibis tables on the engine that judged them; the
    valid rows keep SOURCE_ROW and the normalised text, the quarantined ones have
    QUARANTINE_PREFIX and then the raw columns. `reason_counts` counts each broken
    rule ("<column>: <rule>") over all rows; `column_counts` counts, per column,
    the rows that break each of its rules, and `broken_rows` the rows that break
    any rule of the column.
    """

    rows: int
    valid: ir.Table
    quarantined: ir.Table
    rows_quarantined: int
    reason_counts: dict[str, int] = field(default_factory=dict)
    column_counts: dict[str, dict[str, int]] = field(default_factory=dict)
    broken_rows: dict[str, int] = field(default_factory=dict)


def quarantine_columns(contract: DataContract) -> tuple[str, ...]:
    """Columns of a quarantine file: source row, reason, then the raw values."""
    return (*QUARANTINE_PREFIX, *contract.raw_columns)


def _plain(value: float) -> str:
    """A bound as people write it: 100000, not 1e+05 or 100000.0."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _number(value: ir.StringValue) -> ir.FloatingValue:
    """The text as a finite float; null when it is not one."""
    # The pattern is tested once per value (the compiled query repeats what an
    # expression reads as often as it is read, and the pattern costs most).
    number = value.try_cast("float64")
    finite = ibis.ifelse(number.abs() <= _LARGEST_FLOAT, number, ibis.null("float64"))
    return ibis.ifelse(value.re_search(_NUMBER_SHAPE), finite, ibis.null("float64"))


def _on_value(test: Callable[[ir.Table], ir.BooleanValue]) -> Broken:
    """A rule that empty values keep: emptiness is the not-empty rule's job."""
    return lambda table: test(table).fill_null(False)


def _number_rules(
    name: str,
    parsed: str,
    whole: bool,
    minimum: float | None,
    maximum: float | None,
    exclusive_minimum: bool = False,
) -> list[Rule]:
    def n(table: ir.Table) -> ir.FloatingValue:
        number: ir.FloatingValue = table[parsed]
        return number

    # Text, NaN and infinity alike: none of them can be stored or served. A value
    # that is not a number is reported by this rule only.
    rules = [
        Rule(
            name,
            "must be a finite number",
            _on_value(lambda t: t[name].notnull() & n(t).isnull()),
        )
    ]
    if whole:
        rules.append(
            Rule(
                name,
                "must be a whole number",
                _on_value(lambda t: n(t) != n(t).floor()),
            )
        )
    if minimum is not None:
        low = float(minimum)
        if exclusive_minimum:
            rules.append(
                Rule(
                    name,
                    f"must be greater than {_plain(low)}",
                    _on_value(lambda t: n(t) <= low),
                )
            )
        else:
            rules.append(
                Rule(
                    name,
                    f"must be at least {_plain(low)}",
                    _on_value(lambda t: n(t) < low),
                )
            )
    if maximum is not None:
        high = float(maximum)
        rules.append(
            Rule(
                name,
                f"must be at most {_plain(high)}",
                _on_value(lambda t: n(t) > high),
            )
        )
    return rules


def _moment(text: str) -> dt.datetime:
    """An ISO bound of the contract as a time without an offset (UTC)."""
    moment = dt.datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC).replace(tzinfo=None)
    return moment


def _moments(value: ir.StringValue, is_date: bool) -> ir.Value:
    """The text as a date or a time without an offset; null when it is not one."""
    if is_date:
        shaped = value.re_search(_DATE_SHAPE)
        return ibis.ifelse(shaped, value.try_cast("date"), ibis.null("date"))
    shaped = value.re_search(_TIME_SHAPE)
    return ibis.ifelse(shaped, value.try_cast("timestamp"), ibis.null("timestamp"))


def _time_rules(column: Column, parsed: str, run_date: dt.date) -> list[Rule]:
    name = column.name
    is_date = column.type == "date"

    def m(table: ir.Table) -> ir.Value:
        return table[parsed]

    def bound(text: str) -> ir.Value:
        moment = _moment(text)
        if is_date:
            return ibis.literal(moment.date(), type="date")
        return ibis.literal(moment, type="timestamp")

    written = (
        "must be a real date written YYYY-MM-DD"
        if is_date
        else "must be a real time written YYYY-MM-DDTHH:MM:SS (ISO 8601, no offset)"
    )
    rules = [
        Rule(name, written, _on_value(lambda t: t[name].notnull() & m(t).isnull()))
    ]
    if column.earliest is not None:
        earliest = bound(column.earliest)
        rules.append(
            Rule(
                name,
                f"must not be before {column.earliest}",
                _on_value(lambda t: m(t) < earliest),
            )
        )
    if column.latest is not None:
        latest = bound(column.latest)
        rules.append(
            Rule(
                name,
                f"must not be after {column.latest}",
                _on_value(lambda t: m(t) > latest),
            )
        )
    if column.not_in_future:
        day = run_date.isoformat()
        last = ibis.literal(run_date, type="date")
        end = ibis.literal(
            dt.datetime.combine(run_date + dt.timedelta(days=1), dt.time()),
            type="timestamp",
        )
        rules.append(
            Rule(
                name,
                f"must not be after {day}, the day of the run",
                _on_value(lambda t: m(t) > last if is_date else m(t) >= end),
            )
        )
    return rules


def _one_of(name: str, allowed: tuple[str, ...], written: tuple[str, ...]) -> Rule:
    return Rule(
        name,
        "must be one of " + ", ".join(written),
        _on_value(lambda t: t[name].notnull() & ~t[name].isin(allowed)),
    )


def _column_rules(column: Column, parsed: str, run_date: dt.date) -> list[Rule]:
    name = column.name
    if column.type in ("integer", "number"):
        return _number_rules(
            name,
            parsed,
            column.type == "integer",
            column.minimum,
            column.maximum,
            column.exclusive_minimum,
        )
    if column.type == "category":
        return [_one_of(name, column.allowed, column.values)]
    if column.type == "boolean":
        words = (*TRUE_WORDS, *FALSE_WORDS)
        return [
            Rule(
                name,
                "must be true or false (also yes/no, 1/0)",
                _on_value(lambda t: t[name].notnull() & ~t[name].isin(words)),
            )
        ]
    if column.type in ("date", "timestamp"):
        return _time_rules(column, parsed, run_date)
    if column.pattern is not None:
        whole = f"^(?:{column.pattern})$"
        return [
            Rule(
                name,
                f"must be text matching {column.pattern}",
                _on_value(lambda t: t[name].notnull() & ~t[name].re_search(whole)),
            )
        ]
    return []


def _not_empty(name: str) -> Rule:
    return Rule(name, _NOT_EMPTY, lambda t: t[name].isnull())


def _no_duplicate(name: str, first: str) -> Rule:
    def broken(table: ir.Table) -> ir.BooleanValue:
        # `first` is null for an id that occurs once, and for an empty one.
        return (table[first] < table[SOURCE_ROW]).fill_null(False)

    return Rule(name, _DUPLICATE, broken, of_the_batch=True)


def _parsed_name(contract: DataContract, name: str) -> str:
    """The helper column that holds a column's value as a number or a time."""
    return f"_parsed_{contract.raw_columns.index(name)}"


def _first_name(contract: DataContract, name: str) -> str:
    """The helper column that holds the first SOURCE_ROW of a repeated id."""
    return f"_first_{contract.raw_columns.index(name)}"


def parsed_columns(contract: DataContract, table: ir.Table) -> dict[str, ir.Value]:
    """Helper columns the rules read: each number or time column's value, parsed once.

    Each maps to an expression over the normalised `table`; the rules compare the
    parsed values instead of parsing the text again for every rule.
    """
    parsed: dict[str, ir.Value] = {}
    for column in contract.columns:
        helper = _parsed_name(contract, column.name)
        if column.type in ("integer", "number"):
            parsed[helper] = _number(table[column.name])
        elif column.type in ("date", "timestamp"):
            parsed[helper] = _moments(table[column.name], column.type == "date")
    if contract.problem_type != "binary_classification":
        label = contract.label.name
        parsed[_parsed_name(contract, label)] = _number(table[label])
    return parsed


def with_helpers(contract: DataContract, table: ir.Table) -> ir.Table:
    """The normalised `table` with the helper columns the rules read, after its own.

    They are each number or time column's value, parsed once (`parsed_columns`),
    and, when the contract has an id column, the SOURCE_ROW of the first row of
    each id that occurs more than once (null for the others): the rows of an id
    are found by grouping, which costs the engine less than numbering them in
    order, and only the repeated ids are joined back.
    """
    helped = table.mutate(**parsed_columns(contract, table))
    key = contract.id_column
    if key is None:
        return helped
    first = _first_name(contract, key)
    rows = f"{first}_rows"
    present = table.filter(table[key].notnull())
    repeated = (
        present.group_by(key)
        .aggregate(**{first: present[SOURCE_ROW].min(), rows: present.count()})
        .filter(lambda groups: groups[rows] > 1)
    )
    joined = helped.left_join(repeated, helped[key] == repeated[key])
    return joined.select(*helped.columns, first)


def rules(contract: DataContract, run_date: dt.date | None = None) -> tuple[Rule, ...]:
    """Every rule of the contract, in the order reasons name them.

    Columns come in the raw file's order, a column's rules in the order of their
    wording. Dates and times are judged against `run_date` (default: today) where
    the contract says they must not lie in the future.
    """
    today = dt.date.today() if run_date is None else run_date
    per_column: dict[str, list[Rule]] = {}
    for column in contract.columns:
        found = _column_rules(column, _parsed_name(contract, column.name), today)
        if not column.nullable:
            found.append(_not_empty(column.name))
        if column.name == contract.id_column:
            found.append(_no_duplicate(column.name, _first_name(contract, column.name)))
        per_column[column.name] = found
    label = contract.label
    if contract.problem_type == "binary_classification":
        written = (str(label.positive), str(label.negative))
        allowed = tuple(label.normalise(v) for v in written)
        label_rules = [_one_of(label.name, allowed, written)]
    else:
        label_rules = _number_rules(
            label.name,
            _parsed_name(contract, label.name),
            False,
            label.minimum,
            label.maximum,
        )
    per_column[label.name] = [*label_rules, _not_empty(label.name)]
    return tuple(
        rule
        for name in contract.raw_columns
        for rule in sorted(per_column.get(name, []), key=lambda r: r.rule)
    )


def build_schema(
    contract: DataContract,
    run_date: dt.date | None = None,
    *,
    rules_per_row: bool = True,
) -> pa.DataFrameSchema:
    """The contract as a pandera schema over the normalised text of the raw file.

    Its checks are the contract's rules; it runs on the engine that holds the
    table (pandera's Ibis backend). Uniqueness of the id is checked over the
    whole table, the other rules per row. The table has the helper columns too
    (`with_helpers`), after the raw ones. With `rules_per_row` False the schema
    checks the columns, their order and types and the id's uniqueness only: what
    the pipeline checks on rows its judgement already kept.
    """
    # One check over the whole table for every rule of a row (each rule reads its
    # column and the parsed helper), empty values included, so that the table is
    # scanned once: a nullable=False per column would be a query per column.
    row_rules = [rule for rule in rules(contract, run_date) if not rule.of_the_batch]

    def keeps_every_rule(data: Any) -> ir.BooleanValue:
        broken = ibis.literal(False)
        for rule in row_rules:
            broken = broken | rule.broken(data.table)
        return ~broken

    checks = []
    if rules_per_row:
        checks.append(
            pa.Check(keeps_every_rule, error="every rule of the contract's columns")
        )
    columns = {SOURCE_ROW: pa.Column(int)} | {
        name: pa.Column(str, nullable=True) for name in contract.raw_columns
    }
    placeholder = ibis.table(
        {SOURCE_ROW: "int64", **dict.fromkeys(contract.raw_columns, "string")},
        name="normalised",
    )
    helped = with_helpers(contract, placeholder)
    for helper in helped.columns[len(placeholder.columns) :]:
        # A parsed value's type is the engine's (a time's precision differs).
        columns[helper] = pa.Column(None, nullable=True)
    if contract.id_column is not None:
        key = contract.id_column
        checks.append(
            pa.Check(
                lambda data: data.table[key].nunique() == data.table[key].count(),
                error=f"{key}: {_DUPLICATE}",
            )
        )
    return pa.DataFrameSchema(
        columns,
        checks=checks,
        strict=True,
        ordered=True,
        name=f"raw {contract.entity.plural}",
    )


def _sentence(rule: Rule, table: ir.Table) -> ir.StringValue:
    """The reason of one broken rule, with the value it got when there is one."""
    value = table[rule.column]
    plain = ibis.literal(rule.reason)
    shown = ibis.literal(f"{rule.reason} (got ").concat(value, ")")
    return ibis.ifelse(value.isnull(), plain, shown)


def split_valid_rows(
    contract: DataContract, table: ir.Table, run_date: dt.date | None = None
) -> ValidationResult:
    """Judge normalised raw rows in the engine; the valid ones and the quarantined ones.

    `table` holds SOURCE_ROW (the row's 1-based position among the file's data
    rows) and the contract's raw columns as normalised text. Quarantined rows keep
    that text, SOURCE_ROW and a `reason`. Dates are judged against `run_date`
    (default: today). The valid rows are checked against the shape of the
    contract's pandera schema before they are returned (its columns, their types
    and a unique id); ReconciliationError says what they break if they do not
    pass, and nothing is stored. SchemaViolationError is raised when the batch as
    a whole breaks the contract (a column missing).
    """
    missing = [
        name
        for name in (SOURCE_ROW, *contract.raw_columns)
        if name not in table.columns
    ]
    if missing:
        raise SchemaViolationError(
            "the raw data breaks the contract as a whole: missing column "
            + ", missing column ".join(missing)
        )
    # The day is fixed here, not in the cached queries: a process that runs for
    # days (a worker, a served flow) judges each batch against its own day.
    run_date = dt.date.today() if run_date is None else run_date
    batch = table.select(SOURCE_ROW, *contract.raw_columns)
    queries = _judgement_sql(contract, run_date, dialect_of(batch))
    # Parsed as the judgement reads the batch (a view, not a copy of it), judged
    # once and kept: valid rows, quarantine and counts are read from the judged
    # table, the one copy of the batch the judgement makes.
    prepared = run_sql(batch, queries.parse, _PARSE_INPUT, keep=False)
    judged = run_sql(prepared, queries.judge, _JUDGE_INPUT)
    totals = (
        run_sql(judged, queries.count, _COUNT_INPUT, keep=False)
        .to_pyarrow()
        .to_pylist()[0]
    )
    totals["rows"] = count_rows(judged._find_backend(use_default=True), judged)
    all_rules = rules(contract, run_date)
    columns = list(dict.fromkeys(rule.column for rule in all_rules))
    reason_counts: dict[str, int] = {}
    column_counts: dict[str, dict[str, int]] = {}
    for flag, rule in zip(_flags(all_rules), all_rules, strict=True):
        if totals[flag]:
            reason_counts[rule.reason] = int(totals[flag])
            column_counts.setdefault(rule.column, {})[rule.rule] = int(totals[flag])
    broken_rows = {
        name: int(totals[flag])
        for flag, name in zip(_column_flags(columns), columns, strict=True)
        if totals[flag]
    }
    rows, bad = int(totals["rows"]), int(totals["bad"] or 0)
    kept = judged.filter(judged[REASON] == "")
    if rows > bad:  # pandera's Ibis backend takes an empty table for a broken one
        helpers = [name for name in prepared.columns if name not in batch.columns]
        check_kept_rows(
            contract, kept.select(SOURCE_ROW, *contract.raw_columns, *helpers)
        )
    quarantined = judged.filter(judged[REASON] != "").select(
        *quarantine_columns(contract)
    )
    return ValidationResult(
        rows=rows,
        valid=kept.select(SOURCE_ROW, *contract.raw_columns),
        quarantined=quarantined.order_by(SOURCE_ROW),
        rows_quarantined=bad,
        reason_counts=_by_count(reason_counts),
        column_counts={
            name: _by_count(counts) for name, counts in column_counts.items()
        },
        broken_rows=broken_rows,
    )


def _by_count(counts: dict[str, int]) -> dict[str, int]:
    """Most frequent first; equal counts keep the order of the rules."""
    return dict(sorted(counts.items(), key=lambda item: -item[1]))


def _flags(all_rules: tuple[Rule, ...]) -> list[str]:
    return [f"_broken_{position}" for position in range(len(all_rules))]


def _column_flags(columns: list[str]) -> list[str]:
    return [f"_column_{position}" for position in range(len(columns))]


def _per_column(
    all_rules: tuple[Rule, ...], columns: list[str], flags: dict[str, ir.BooleanValue]
) -> dict[str, ir.BooleanValue]:
    """Per column, a flag that is true where a row breaks any rule of the column."""
    per_column: dict[str, ir.BooleanValue] = {}
    for flag, name in zip(_column_flags(columns), columns, strict=True):
        own = [
            value
            for value, rule in zip(flags.values(), all_rules, strict=True)
            if rule.column == name
        ]
        any_broken = own[0]
        for value in own[1:]:
            any_broken = any_broken | value
        per_column[flag] = any_broken
    return per_column


# Names of the placeholder tables the judgement is compiled over, once per contract.
_PARSE_INPUT = "ucforge_batch_to_parse"
_JUDGE_INPUT = "ucforge_batch_to_judge"
_COUNT_INPUT = "ucforge_batch_judged"


@dataclass(frozen=True)
class _Judgement:
    """The queries of a judgement, each compiled over its placeholder table.

    `parse` adds the helper columns to the batch (`with_helpers`); `judge` adds
    the reason, empty for a row that keeps every rule; `count` counts, over the
    judged rows, the quarantined ones and those of each rule and column.
    """

    parse: str
    judge: str
    count: str


def dialect_of(table: ir.Table) -> str:
    """The SQL dialect of the engine that holds `table`: duckdb or pyspark."""
    return str(table._find_backend(use_default=True).name)


@functools.lru_cache(maxsize=16)
def _judgement_sql(
    contract: DataContract, run_date: dt.date, dialect: str
) -> _Judgement:
    """The queries of a judgement, compiled once per contract, day and engine.

    Compiling the rules is what costs time with many of them, more than judging
    a small batch; the parse and the judgement are one pass together, beside the
    grouping of the ids.
    """
    raw = {SOURCE_ROW: "int64", **dict.fromkeys(contract.raw_columns, "string")}
    batch = ibis.table(raw, name=_PARSE_INPUT)
    parsed = with_helpers(contract, batch)
    parse_sql = str(ibis.to_sql(parsed, dialect=dialect))
    prepared = ibis.table(parsed.schema(), name=_JUDGE_INPUT)
    all_rules = rules(contract, run_date)
    flags = dict(zip(_flags(all_rules), all_rules, strict=True))
    # The flags first, then the reason made of them: each rule is computed once.
    flagged = prepared.mutate(
        **{flag: rule.broken(prepared) for flag, rule in flags.items()}
    )
    reason = ibis.literal("; ").join(
        [
            ibis.ifelse(flagged[flag], _sentence(rule, flagged), ibis.null("string"))
            for flag, rule in flags.items()
        ]
    )
    # Most rows break nothing: their reason is empty without joining the pieces.
    any_broken = functools.reduce(operator.or_, (flagged[flag] for flag in flags))
    reason = ibis.ifelse(any_broken, reason, ibis.literal(""))
    judged = flagged.select(*prepared.columns, **{REASON: reason})
    return _Judgement(
        parse=parse_sql,
        judge=str(ibis.to_sql(judged, dialect=dialect)),
        count=_count_sql(all_rules, judged.schema(), dialect),
    )


def _count_sql(all_rules: tuple[Rule, ...], schema: Any, dialect: str) -> str:
    """The query that counts the quarantined rows, per rule and per column.

    The judged table keeps no flag per rule: one per rule and row would cost more
    memory than the batch's text. The rules are counted by judging the
    quarantined rows again, a small part of the batch, with the same expressions
    over the same values and helpers.
    """
    judged = ibis.table(schema, name=_COUNT_INPUT)
    rejected = judged.filter(judged[REASON] != "")
    columns = list(dict.fromkeys(rule.column for rule in all_rules))
    flags = {
        flag: rule.broken(rejected)
        for flag, rule in zip(_flags(all_rules), all_rules, strict=True)
    }
    per_column = _per_column(all_rules, columns, flags)
    counted = rejected.aggregate(
        bad=rejected.count(),
        **{
            flag: value.cast("int64").sum()
            for flag, value in (flags | per_column).items()
        },
    )
    return str(ibis.to_sql(counted, dialect=dialect))


def check_kept_rows(contract: DataContract, kept: ir.Table) -> None:
    """Check the rows a judgement kept against the shape of the contract's schema.

    `kept` holds SOURCE_ROW, the raw columns and the helper columns. The row rules
    are not judged again: the judgement that kept the rows is the same rules,
    compiled once (docs/adr/0005-every-rule-judged-once.md). What is checked is
    what the judgement could still get wrong as a whole: the columns, their order
    and types, and an id that occurs once. ReconciliationError names what broke.
    """
    try:
        build_schema(contract, rules_per_row=False).validate(kept, lazy=True)
    except SchemaErrors as errors:
        # A check of the whole table (the id's) names its column in its error.
        broken = sorted(
            {
                str(case.check)
                if case.schema_context == "DataFrameSchema"
                else f"{case.column}: {case.check}"
                for case in errors.failure_cases.itertuples()
            }
        )
        raise ReconciliationError(
            "rows judged valid break the contract's schema, so nothing was stored: "
            + "; ".join(broken or ["see the schema errors"])
        ) from errors
