"""Ingestion: read the raw CSV through Ibis on the engine, every column as text.

Reading as text means a malformed value (a word in a number column, an impossible
date) reaches validation, which quarantines the row with a reason, instead of
failing the whole file in the reader. A malformed file (a row with too few or too
many fields, a quote never closed) fails as a whole: its rows cannot be trusted.

Public names: RawBatch, connect, read_raw, fingerprint.
"""

from __future__ import annotations

import csv
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import ibis
import ibis.expr.types as ir

from .contract import DataContract
from .engine import EngineSettings, count_rows, read_csv_text
from .engine import connect as engine_connect
from .errors import RawDataError

logger = logging.getLogger(__name__)

# Bytes read to find the header line; a longer first line is not a header.
_LONGEST_HEADER = 1 << 20


@dataclass(frozen=True)
class RawBatch:
    """One raw file as read: its text table (with SOURCE_ROW), row count, data hash."""

    path: Path
    table: ir.Table
    rows: int
    data_hash: str


def connect(settings: EngineSettings | None = None) -> ibis.BaseBackend:
    """A connection to the configured engine (default: embedded, in-memory DuckDB)."""
    return engine_connect(settings)


def fingerprint(path: Path) -> str:
    """SHA-256 of a file's bytes: the data hash recorded as lineage."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _header(path: Path) -> list[str]:
    """The column names on the first line of the file, as written."""
    with path.open("rb") as handle:
        lines = handle.readline(_LONGEST_HEADER).splitlines()  # \n, \r\n or \r
    first_line = lines[0] if lines else b""
    try:
        header = next(csv.reader([first_line.decode("utf-8-sig")]), [])
    except UnicodeDecodeError as exc:
        raise RawDataError(
            f"raw file {path} is not a readable CSV file: its header is not UTF-8 text"
        ) from exc
    except csv.Error as exc:
        raise RawDataError(
            f"raw file {path} is not a readable CSV file: its header cannot be "
            f"read ({exc})"
        ) from exc
    if not header:
        raise RawDataError(f"raw file {path} is not a readable CSV file: it is empty")
    return header


_ERROR_LINE = re.compile(r"CSV Error on Line: (\d+)")
_FIELD_COUNT = re.compile(r"Expected Number of Columns: (\d+) Found: (\d+)")


def _csv_problem(message: str) -> str:
    """The engine's parse error, said briefly and without the row's values."""
    line = _ERROR_LINE.search(message)
    counts = _FIELD_COUNT.search(message)
    if line and counts:
        expected, found = int(counts[1]), int(counts[2])
        if found < expected:
            fields = "field" if found == 1 else "fields"
            return f"line {line[1]} has {found} {fields}, but the header has {expected}"
        return f"line {line[1]} has more fields than the {expected} of the header"
    if line and "unterminated quote" in message:
        return f"line {line[1]} opens a quote that is never closed"
    if line and "Invalid unicode" in message:
        return f"line {line[1]} is not UTF-8 text"
    if "MALFORMED_RECORD" in message:
        # Spark's reader names neither the line nor the fault, only the row's values.
        return (
            "a row has a number of fields other than the header's, or opens a quote "
            "that is never closed"
        )
    lines = message.splitlines()
    if line and len(lines) > 2 and lines[1].startswith("Original Line"):
        # The line after the row's values says what is wrong, in DuckDB's words.
        return f"line {line[1]}: {lines[2].strip()}"
    return lines[0].removeprefix("Invalid Input Error: ")


def read_raw(con: ibis.BaseBackend, path: Path, contract: DataContract) -> RawBatch:
    """The raw CSV as a table of text columns in the contract's raw order.

    Raises RawDataError when the file is missing or empty, lacks a column of the
    contract, names a column twice, or is not well-formed CSV (a row with a
    number of fields other than the header's, a quote never closed, text that is
    not UTF-8). Extra columns are ignored with a warning.
    """
    if not path.is_file():
        raise RawDataError(
            f"raw file {path} does not exist; create sample data with "
            "`data generate` or pass --source with the file to ingest"
        )
    header = _header(path)
    columns = contract.raw_columns
    missing = [name for name in columns if name not in header]
    if missing:
        raise RawDataError(
            f"raw file {path} lacks the column(s) {', '.join(missing)} of the data "
            f"contract; expected a header with {', '.join(columns)}"
        )
    repeated = sorted({name for name in columns if header.count(name) > 1})
    if repeated:
        raise RawDataError(
            f"raw file {path} names the column(s) {', '.join(repeated)} "
            "more than once in its header"
        )
    try:
        table = read_csv_text(con, path, header, columns)
        rows = count_rows(con, table)
    except Exception as exc:  # each engine reports parse errors with its own types
        raise RawDataError(
            f"raw file {path} is not a readable CSV file: {_csv_problem(str(exc))}"
        ) from exc
    if rows == 0:
        raise RawDataError(f"raw file {path} has a header but no rows")
    extra = [name for name in header if name not in columns]
    if extra:
        logger.warning("raw file %s: ignoring extra column(s) %s", path, extra)
    return RawBatch(
        path=path,
        table=table,
        rows=rows,
        data_hash=fingerprint(path),
    )
