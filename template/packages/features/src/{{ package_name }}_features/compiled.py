"""The feature expression compiled once to NumPy, for request records.

Serving computes the features of a handful of records per call, where running
the SQL of `feature_expression` on an embedded database costs milliseconds of
setup for microseconds of work. `compile_projection` walks the same Ibis
expression that training executes, once per contract, and turns each node into
the NumPy operation with the engine's semantics: SQL nulls (every operation on a
null gives null, `and`/`or` follow three-valued logic, a null condition takes the
`else` branch), DuckDB's division (x / 0 is infinite, 0 / 0 NaN), floor division
and the remainder's sign, and casts to whole numbers that round halves to even.
There is still one definition of each feature: this is its compiler, and the
features package's parity tests hold it to the engine's result.

An expression with a node this module does not know compiles to None, and a value
whose result the engine might compute differently (a whole number beyond 2**53, a
cast of an infinite value) raises NotCompiled at run time: the caller runs the
SQL path instead, so the compiled path only ever answers when it is exact.

Public names: NotCompiled, CompiledProjection, compile_projection.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import ibis.expr.operations as ops
import ibis.expr.types as ir
import numpy as np

# Whole numbers beyond this are not all exact as float64, which the compiled
# arithmetic uses throughout.
_EXACT_LIMIT = 2.0**53
_EPOCH_DATE = dt.date(1970, 1, 1)
_EPOCH_TIME = dt.datetime(1970, 1, 1)


class NotCompiled(Exception):
    """These values need the engine: the compiled path cannot promise its result."""


@dataclass(frozen=True)
class _Value:
    """A column of values and where they are null.

    `kind` is "number" (float64), "flag" (bool), "text" (objects), "days" (whole
    days since 1970-01-01, int64) or "micros" (microseconds since then, int64).
    Values under a null are placeholders and never read.
    """

    kind: str
    values: np.ndarray
    null: np.ndarray


_Node = Callable[[Mapping[str, _Value]], _Value]


def _input_value(dtype: str, values: Sequence[Any]) -> _Value:
    """Checked request values of one input column (None where null) as a _Value."""
    null = np.fromiter(
        (value is None for value in values), dtype=bool, count=len(values)
    )
    if dtype in ("int64", "float64"):
        numbers = np.array(
            [0.0 if value is None else value for value in values], dtype="float64"
        )
        if dtype == "int64" and np.any(np.abs(numbers) > _EXACT_LIMIT):
            raise NotCompiled("a whole number beyond 2**53")
        return _Value("number", numbers, null)
    if dtype == "boolean":
        flags = np.array([bool(value) for value in values], dtype=bool)
        return _Value("flag", flags, null)
    if dtype == "date":
        days = np.array(
            [0 if v is None else (v - _EPOCH_DATE).days for v in values], dtype="int64"
        )
        return _Value("days", days, null)
    if dtype == "timestamp":
        micros = np.array(
            [
                0 if v is None else (v - _EPOCH_TIME) // dt.timedelta(microseconds=1)
                for v in values
            ],
            dtype="int64",
        )
        return _Value("micros", micros, null)
    return _Value("text", np.array(list(values), dtype=object), null)


def _as_number(value: _Value) -> np.ndarray:
    if value.kind == "number":
        return value.values
    if value.kind == "flag":
        return value.values.astype("float64")
    raise NotCompiled(f"arithmetic on {value.kind}")


def _cast(value: _Value, to: Any, null: np.ndarray) -> _Value:
    if to.is_string():
        if value.kind != "text":
            raise NotCompiled(f"{value.kind} to text")
        return value
    if to.is_boolean():
        if value.kind == "flag":
            return value
        return _Value("flag", _as_number(value) != 0, null)
    if value.kind == "text":
        raise NotCompiled("text to a number")
    if value.kind in ("days", "micros"):
        raise NotCompiled(f"{value.kind} cast")
    numbers = _as_number(value)
    if to.is_integer():
        live = numbers[~null]
        if not np.all(np.isfinite(live)) or np.any(np.abs(live) > _EXACT_LIMIT):
            raise NotCompiled("a cast of a value too large or not finite")
        numbers = np.rint(numbers)
    return _Value("number", numbers, null)


def _literal(op: ops.Literal) -> _Node | None:
    value, dtype = op.value, op.dtype
    scalar: Any
    if value is None:
        return None
    if dtype.is_boolean():
        kind, scalar = "flag", bool(value)
    elif dtype.is_numeric() and not dtype.is_decimal():
        if abs(float(value)) > _EXACT_LIMIT:
            return None
        kind, scalar = "number", float(value)
    elif dtype.is_string():
        kind, scalar = "text", value
    elif dtype.is_date():
        kind, scalar = "days", (value - _EPOCH_DATE).days
    elif dtype.is_timestamp() and getattr(value, "tzinfo", None) is None:
        kind, scalar = "micros", (value - _EPOCH_TIME) // dt.timedelta(microseconds=1)
    else:
        return None
    return _constant(kind, scalar)


def _arithmetic(
    function: Callable[[np.ndarray, np.ndarray], np.ndarray], left: _Node, right: _Node
) -> _Node:
    def node(inputs: Mapping[str, _Value]) -> _Value:
        a, b = left(inputs), right(inputs)
        with np.errstate(all="ignore"):
            values = function(_as_number(a), _as_number(b))
        return _Value("number", values, a.null | b.null)

    return node


def _floor_divide(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    quotient: np.ndarray = np.floor(a / b)
    return quotient


def _comparison(
    function: Callable[[np.ndarray, np.ndarray], np.ndarray], left: _Node, right: _Node
) -> _Node:
    def node(inputs: Mapping[str, _Value]) -> _Value:
        a, b = left(inputs), right(inputs)
        null = a.null | b.null
        if a.kind == "text" or b.kind == "text":
            if a.kind != b.kind or function not in (np.equal, np.not_equal):
                raise NotCompiled("text compared with another type")
            equal = np.array(
                [x == y for x, y in zip(a.values, b.values, strict=True)], dtype=bool
            )
            return _Value("flag", equal if function is np.equal else ~equal, null)
        if a.kind in ("days", "micros") or b.kind in ("days", "micros"):
            if a.kind != b.kind:
                raise NotCompiled("times compared with another type")
            return _Value("flag", function(a.values, b.values), null)
        with np.errstate(all="ignore"):
            return _Value("flag", function(_as_number(a), _as_number(b)), null)

    return node


def _logic(conjunction: bool, left: _Node, right: _Node) -> _Node:
    """SQL's and/or: a false (and) or true (or) side decides even beside a null."""

    def node(inputs: Mapping[str, _Value]) -> _Value:
        a, b = left(inputs), right(inputs)
        if a.kind != "flag" or b.kind != "flag":
            raise NotCompiled("logic on values that are not flags")
        decisive = not conjunction
        a_decides = ~a.null & (a.values == decisive)
        b_decides = ~b.null & (b.values == decisive)
        decided = a_decides | b_decides
        values = np.where(
            decided,
            decisive,
            a.values & b.values if conjunction else a.values | b.values,
        )
        return _Value("flag", values, ~decided & (a.null | b.null))

    return node


def _choose(condition: _Node, then: _Node, otherwise: _Node) -> _Node:
    def node(inputs: Mapping[str, _Value]) -> _Value:
        test, a, b = condition(inputs), then(inputs), otherwise(inputs)
        if test.kind != "flag":
            raise NotCompiled("a condition that is not a flag")
        taken = test.values & ~test.null
        if a.kind == b.kind:
            kind, x, y = a.kind, a.values, b.values
        else:
            kind, x, y = "number", _as_number(a), _as_number(b)
        return _Value(kind, np.where(taken, x, y), np.where(taken, a.null, b.null))

    return node


def _coalesce(arguments: list[_Node]) -> _Node:
    def node(inputs: Mapping[str, _Value]) -> _Value:
        values = [argument(inputs) for argument in arguments]
        kinds = {value.kind for value in values}
        if len(kinds) != 1 and not kinds <= {"number", "flag"}:
            raise NotCompiled("coalesce of different types")
        kind = kinds.pop() if len(kinds) == 1 else "number"
        first = values[0]
        result = first.values if kind == first.kind else _as_number(first)
        null = first.null
        for value in values[1:]:
            other = value.values if kind == value.kind else _as_number(value)
            result = np.where(null, other, result)
            null = null & value.null
        return _Value(kind, result, null)

    return node


def _unary(function: Callable[[_Value], _Value], argument: _Node) -> _Node:
    return lambda inputs: function(argument(inputs))


def _negate(value: _Value) -> _Value:
    return _Value("number", -_as_number(value), value.null)


def _absolute(value: _Value) -> _Value:
    return _Value("number", np.abs(_as_number(value)), value.null)


def _not(value: _Value) -> _Value:
    if value.kind != "flag":
        raise NotCompiled("not of a value that is not a flag")
    return _Value("flag", ~value.values, value.null)


def _is_null(value: _Value) -> _Value:
    return _Value("flag", value.null.copy(), np.zeros_like(value.null))


def _not_null(value: _Value) -> _Value:
    return _Value("flag", ~value.null, np.zeros_like(value.null))


def _epoch_seconds(value: _Value) -> _Value:
    if value.kind != "micros":
        raise NotCompiled("epoch seconds of a value that is not a time")
    return _Value("number", value.values / 1_000_000, value.null)


_ARITHMETIC: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ops.Add: np.add,
    ops.Subtract: np.subtract,
    ops.Multiply: np.multiply,
    ops.Divide: np.divide,
    ops.FloorDivide: _floor_divide,
    ops.Modulus: np.fmod,
}
_COMPARISON: dict[type, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    ops.Less: np.less,
    ops.LessEqual: np.less_equal,
    ops.Greater: np.greater,
    ops.GreaterEqual: np.greater_equal,
    ops.Equals: np.equal,
    ops.NotEquals: np.not_equal,
}
_UNARY: dict[type, Callable[[_Value], _Value]] = {
    ops.Negate: _negate,
    ops.Abs: _absolute,
    ops.Not: _not,
    ops.IsNull: _is_null,
    ops.NotNull: _not_null,
    ops.ExtractEpochSeconds: _epoch_seconds,
}


def _date_constant(op: Any) -> int | None:
    """The days since 1970 of a date made of literal parts, else None."""
    if not isinstance(op, ops.DateFromYMD):
        return None
    parts = [getattr(op, name) for name in ("year", "month", "day")]
    if not all(isinstance(part, ops.Literal) for part in parts):
        return None
    return (dt.date(*(int(part.value) for part in parts)) - _EPOCH_DATE).days


def _constant(kind: str, scalar: Any) -> _Node:
    def node(inputs: Mapping[str, _Value]) -> _Value:
        rows = len(next(iter(inputs.values())).null)
        values = np.full(rows, scalar, dtype=object if kind == "text" else None)
        return _Value(kind, values, np.zeros(rows, dtype=bool))

    return node


def _epoch_days(op: ops.DateDelta) -> _Node | None:
    """DATE_DIFF('day', a date of literal parts, a date): the days between."""
    offset = _date_constant(op.right)
    argument = _compile(op.left)
    if str(op.part.value).lower() != "day" or offset is None or argument is None:
        return None
    compiled_argument = argument

    def node(inputs: Mapping[str, _Value]) -> _Value:
        value = compiled_argument(inputs)
        if value.kind != "days":
            raise NotCompiled("days between values that are not dates")
        return _Value("number", (value.values - offset).astype("float64"), value.null)

    return node


def _compile(op: Any) -> _Node | None:
    """The NumPy function of one node, or None when a node is not known here."""
    kind = type(op)
    if kind is ops.Field:
        name = op.name
        return lambda inputs: inputs[name]
    if kind is ops.Literal:
        return _literal(op)
    if kind is ops.Cast:
        argument, to = _compile(op.arg), op.to
        if argument is None or not (
            to.is_string() or to.is_boolean() or to.is_integer() or to.is_floating()
        ):
            return None
        compiled_argument = argument

        def cast(inputs: Mapping[str, _Value]) -> _Value:
            value = compiled_argument(inputs)
            return _cast(value, to, value.null)

        return cast
    if kind in _ARITHMETIC or kind in _COMPARISON:
        left, right = _compile(op.left), _compile(op.right)
        if left is None or right is None:
            return None
        if kind in _ARITHMETIC:
            return _arithmetic(_ARITHMETIC[kind], left, right)
        return _comparison(_COMPARISON[kind], left, right)
    if kind in (ops.And, ops.Or):
        left, right = _compile(op.left), _compile(op.right)
        if left is None or right is None:
            return None
        return _logic(kind is ops.And, left, right)
    if kind in _UNARY:
        argument = _compile(op.arg)
        return None if argument is None else _unary(_UNARY[kind], argument)
    if kind is ops.IfElse:
        condition = _compile(op.bool_expr)
        then = _compile(op.true_expr)
        otherwise = _compile(op.false_null_expr)
        if condition is None or then is None or otherwise is None:
            return None
        return _choose(condition, then, otherwise)
    if kind is ops.Coalesce:
        arguments = [_compile(argument) for argument in op.arg]
        if any(argument is None for argument in arguments):
            return None
        return _coalesce([a for a in arguments if a is not None])
    if kind is ops.DateDelta:
        return _epoch_days(op)
    if kind is ops.DateFromYMD:
        days = _date_constant(op)
        return None if days is None else _constant("days", days)
    return None


def _output(value: _Value, numeric: bool) -> np.ndarray:
    """A feature as `online_columns` gives it: float64 with NaN, or text with None."""
    if numeric:
        numbers = _as_number(value).astype("float64", copy=True)
        numbers[value.null] = np.nan
        return numbers
    if value.kind != "text":
        raise NotCompiled(f"a text feature computed as {value.kind}")
    text = value.values.copy()
    text[value.null] = None
    return text


@dataclass(frozen=True)
class CompiledProjection:
    """A projection's columns as NumPy functions of the input columns."""

    schema: Mapping[str, str]
    columns: Mapping[str, tuple[_Node, bool]]

    def __call__(self, values: Mapping[str, Sequence[Any]]) -> dict[str, np.ndarray]:
        """The projection over checked input values (None where null), by name.

        Raises NotCompiled when the values need the engine.
        """
        inputs = {
            name: _input_value(dtype, values[name])
            for name, dtype in self.schema.items()
        }
        return {
            name: _output(node(inputs), numeric)
            for name, (node, numeric) in self.columns.items()
        }


def compile_projection(
    expression: ir.Table, schema: Mapping[str, str], numeric: Mapping[str, bool]
) -> CompiledProjection | None:
    """The columns named in `numeric` of a projection over a table of `schema`.

    `numeric` says, per output column, whether it is a number (float64 out) or
    text. None when the expression is not one projection of known nodes.
    """
    projection = expression.op()
    if not isinstance(projection, ops.Project):
        return None
    columns: dict[str, tuple[_Node, bool]] = {}
    for name, is_number in numeric.items():
        op = projection.values.get(name)
        node = None if op is None else _compile(op)
        if node is None:
            return None
        columns[name] = (node, is_number)
    return CompiledProjection(schema=dict(schema), columns=columns)
