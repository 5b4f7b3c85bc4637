"""The compute engine: the Ibis backend that runs the pipeline, and what differs.

The pipeline's and the features' logic is Ibis expressions that run unchanged on
every engine. Only four things depend on the engine, and they live here: opening
a connection, reading the raw CSV as text with each row's position in the file,
computing an intermediate result once and keeping it, and writing and reading
partitioned Parquet. DuckDB is embedded and is the default; Spark is opened from
the `spark` module of this package when the project has one (`compute_engine`
spark), in local mode for tests or on a cluster or Spark Connect server.

Public names: EngineSettings, SOURCE_ROW, connect, backend_of, read_csv_text,
release, run_sql, engine_errors, write_partitioned, read_partitioned, count_rows.
"""

from __future__ import annotations

import importlib
import uuid
from pathlib import Path
from typing import Any, Literal

import duckdb
import ibis
import ibis.backends.duckdb  # loaded with this module: see below
import ibis.expr.types as ir
from pydantic import BaseModel, ConfigDict, Field

from .errors import EngineUnavailableError

# The 1-based line of a row among the data rows of its raw file.
SOURCE_ROW = "source_row"
# The table of a raw file's fields, behind the numbered view read_csv_text returns.
_KEPT_FIELDS = "_fields"

Backend = Literal["duckdb", "spark"]

# Ibis's DuckDB backend is imported above, with this module, rather than by the
# first connection: its import (Ibis's SQL compilers) costs more than the rest of
# connecting, and a process that imports the jobs once and runs them many times (a
# flow's fork server, a worker, the tests) then pays it once, not in every run.


class EngineSettings(BaseModel):
    """The `pipeline.engine` section: the backend, and where Spark runs when it is used.

    `spark_remote` (a Spark Connect URL, sc://host:15002) wins over `spark_master`
    (local[N] for local mode, or a cluster's master URL); `spark_config` is passed
    to the session as it is (spark.executor.memory and the like).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    backend: Backend = "duckdb"
    spark_master: str = "local[2]"
    spark_remote: str = ""
    spark_app_name: str = Field(default="", max_length=200)
    spark_config: dict[str, str] = Field(default_factory=dict)


def _spark_module() -> Any:
    try:
        return importlib.import_module(f"{__package__}.spark")
    except ImportError as exc:
        raise EngineUnavailableError(
            "pipeline.engine.backend is spark, but this project has no Spark engine "
            f"({exc}). It was generated with compute_engine duckdb: set "
            "pipeline.engine.backend to duckdb, or generate the project with "
            "compute_engine spark, which adds pyspark and the Spark engine"
        ) from exc


def connect(settings: EngineSettings | None = None) -> ibis.BaseBackend:
    """A connection to the engine: in-memory DuckDB, or a Spark session through Ibis."""
    engine = settings or EngineSettings()
    if engine.backend == "spark":
        connection: ibis.BaseBackend = _spark_module().connect(engine)
        return connection
    return ibis.duckdb.connect()


def backend_of(con: ibis.BaseBackend) -> Backend:
    """Which engine a connection belongs to."""
    return "spark" if con.name == "pyspark" else "duckdb"


def read_csv_text(
    con: ibis.BaseBackend, path: Path, header: list[str], columns: tuple[str, ...]
) -> ir.Table:
    """The CSV's `columns` as text, plus SOURCE_ROW, parsed in full now.

    `header` is the file's header as written; every row must have as many fields
    as it. The dialect is fixed (comma, double quote, quote doubled to escape it),
    not guessed. Errors of the engine's reader propagate; the caller says them in
    the user's words.
    """
    if backend_of(con) == "spark":
        table: ir.Table = _spark_module().read_csv_text(con, path, header, columns)
        return table
    # Positional names: the header's own names may hold anything.
    positional = {f"field_{n}": "VARCHAR" for n in range(len(header))}
    parsed = con.read_csv(
        path,
        header=True,
        auto_detect=False,
        columns=positional,
        delim=",",
        quote='"',
        escape='"',
        strict_mode=True,
        null_padding=False,
    )
    named = parsed.select(
        **{name: parsed[f"field_{header.index(name)}"] for name in columns}
    )
    # Parsed in full here, once: a bad row anywhere fails now, not mid-run. A table
    # keeps the file's order, and its rowid numbers the rows in that order; the
    # view over it is what `release` frees.
    name = f"raw_{uuid.uuid4().hex}"
    con.create_table(name + _KEPT_FIELDS, named, temp=True)
    quoted = ", ".join('"' + column.replace('"', '""') + '"' for column in columns)
    con.raw_sql(
        f'CREATE TEMP VIEW "{name}" AS SELECT rowid + 1 AS "{SOURCE_ROW}", '
        f'{quoted} FROM "{name}{_KEPT_FIELDS}"'
    )
    return con.table(name)


def release(table: ir.Table) -> None:
    """Free the parsed file behind a table of `read_csv_text`: it is read no more.

    On DuckDB the file's text is held in memory until the connection closes, as
    much again as a judged batch: freed once the batch is judged, it leaves room
    for writing the outputs. Spark keeps it cached, which it drops by itself when
    memory runs short, so there it stays until the session ends.
    """
    con = table._find_backend(use_default=True)
    if backend_of(con) == "spark":
        return
    name = table.get_name()
    con.raw_sql(f'DROP VIEW IF EXISTS "{name}"')
    con.raw_sql(f'DROP TABLE IF EXISTS "{name}{_KEPT_FIELDS}"')


def run_sql(
    table: ir.Table, sql: str, placeholder: str, *, keep: bool = True
) -> ir.Table:
    """The result of `sql`, compiled over a table named `placeholder`, run on `table`.

    Expressions compiled once (over a placeholder table with `table`'s schema) run
    this way on any table of either engine: `table` becomes a view, the query reads
    it under the view's name, and the result is kept (computed once, now). With
    `keep` False the result is a view instead, computed where it is read: a step
    that only feeds the next one then costs no copy of the batch.
    """
    con = table._find_backend(use_default=True)
    source, target = f"view_{uuid.uuid4().hex}", f"kept_{uuid.uuid4().hex}"
    con.create_view(source, table)
    quote = "`" if backend_of(con) == "spark" else '"'
    query = sql.replace(f"{quote}{placeholder}{quote}", f"{quote}{source}{quote}")
    if placeholder in query:
        raise ValueError(f"the query does not read {placeholder} by a quoted name")
    if not keep:  # the query as it was compiled: both engines read this statement
        con.raw_sql(f"CREATE TEMPORARY VIEW {quote}{target}{quote} AS {query}")
    elif backend_of(con) == "spark":
        _spark_module().keep_query(con, query, target)
    else:
        con.raw_sql(f'CREATE TEMP TABLE "{target}" AS {query}')
    return con.table(target)


def engine_errors(con: ibis.BaseBackend) -> tuple[type[Exception], ...]:
    """The exception types the engine raises for what it cannot read or compute."""
    if backend_of(con) == "spark":
        errors: tuple[type[Exception], ...] = _spark_module().ENGINE_ERRORS
        return errors
    return (duckdb.Error,)


def count_rows(con: ibis.BaseBackend, table: ir.Table) -> int:
    """The number of rows of `table`."""
    return int(con.execute(table.count()))


def write_partitioned(
    con: ibis.BaseBackend, table: ir.Table, folder: Path, partition_by: str
) -> None:
    """Write `table` as Parquet under `folder`, one sub-folder per partition value."""
    if backend_of(con) == "spark":
        _spark_module().write_partitioned(con, table, folder, partition_by)
        return
    con.to_parquet(table, folder, partition_by=partition_by)


def read_partitioned(con: ibis.BaseBackend, folder: Path) -> ir.Table:
    """Every Parquet file under `folder`; the partition column read as text.

    Every file's schema is read now, so that a damaged file is found here.
    """
    if backend_of(con) == "spark":
        table: ir.Table = _spark_module().read_partitioned(con, folder)
        return table
    read: ir.Table = con.read_parquet(
        str(folder / "**" / "*.parquet"),
        hive_partitioning=True,
        hive_types_autocast=False,
        union_by_name=True,
    )
    return read
