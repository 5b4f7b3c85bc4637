"""Storage: curated data as partitioned Parquet, and quarantine files, both atomic.

Nothing is written in place. Outputs are staged next to their destination and
published with a rename, so a reader sees the old data or the new data, never half.
The dataset's folder and partition column come from the data contract.

Public names: StagedOutput, stage_curated, stage_quarantine, publish, discard,
read_curated, unreadable_curated_data, curating_rules, RULES_FILE, curated_path,
quarantine_path, write_text_atomically, staging_path_for, publish_directory.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import ibis
import ibis.expr.datatypes as dt
import ibis.expr.types as ir
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from .contract import CONTRACT_FILE, DataContract
from .engine import engine_errors, read_partitioned, write_partitioned
from .errors import (
    CuratedDataNotFoundError,
    CuratedDataOutOfStepError,
    CuratedDataUnreadableError,
)
from .files import staging_path_for, write_text_atomically

__all__ = [
    "RULES_FILE",
    "StagedOutput",
    "curated_path",
    "curating_rules",
    "discard",
    "publish",
    "publish_directory",
    "quarantine_path",
    "read_curated",
    "stage_curated",
    "stage_quarantine",
    "staging_path_for",
    "unreadable_curated_data",
    "write_text_atomically",
]


# Beside the curated files: the rules of the contract they were validated under.
RULES_FILE = ".contract-rules.json"
# The fields of a column that decide which rows are stored, and how.
_CURATING_FIELDS = {
    "type",
    "nullable",
    "minimum",
    "maximum",
    "exclusive_minimum",
    "values",
    "case_insensitive",
    "pattern",
    "earliest",
    "latest",
    "not_in_future",
    "personal",
}


def curating_rules(contract: DataContract) -> dict[str, Any]:
    """Per column and for the label, the rules that decide what is stored."""
    rules: dict[str, Any] = {
        column.name: column.model_dump(mode="json", include=_CURATING_FIELDS)
        for column in contract.columns
    }
    rules[contract.label.name] = {
        "problem_type": contract.problem_type,
        **contract.label.model_dump(mode="json", exclude={"name", "description"}),
    }
    return rules


@dataclass(frozen=True)
class StagedOutput:
    """An output written to a staging path, waiting to be published."""

    staging: Path
    destination: Path
    rows: int


def curated_path(curated_dir: Path, contract: DataContract) -> Path:
    """Folder of the curated dataset inside the configured curated folder."""
    return curated_dir / contract.dataset_name


def quarantine_path(quarantine_dir: Path, source: Path) -> Path:
    """Quarantine file of one raw source file (re-running replaces it)."""
    return quarantine_dir / f"{source.stem}.parquet"


def publish_directory(staging: Path, destination: Path) -> Path:
    """Swap a staged folder into place; the previous folder is removed afterwards."""
    retired = (
        destination.parent / f".{destination.name}.retired-{uuid.uuid4().hex[:12]}"
    )
    had_previous = destination.exists()
    if had_previous:
        os.rename(destination, retired)
    try:
        os.rename(staging, destination)
    except OSError:
        if had_previous:
            os.rename(retired, destination)
        raise
    if had_previous:
        shutil.rmtree(retired)
    return destination


def _stored_rows(staging: Path) -> int:
    """Rows in the Parquet files written under `staging`, read back from disk."""
    return int(ds.dataset(staging, format="parquet", partitioning="hive").count_rows())


def stage_curated(
    con: ibis.BaseBackend, table: ir.Table, curated_dir: Path, contract: DataContract
) -> StagedOutput:
    """Write the curated table as Parquet partitioned by month, staged."""
    destination = curated_path(curated_dir, contract)
    staging = staging_path_for(destination)
    try:
        write_partitioned(con, table, staging, contract.partition_column)
        rows = _stored_rows(staging)
        (staging / RULES_FILE).write_text(
            json.dumps(curating_rules(contract), sort_keys=True), encoding="utf-8"
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StagedOutput(staging=staging, destination=destination, rows=rows)


def stage_quarantine(
    con: ibis.BaseBackend, table: ir.Table, destination: Path
) -> StagedOutput:
    """Write the quarantined rows (reason and raw values) to one staged Parquet file.

    Quarantined rows are few by nature; they are gathered from the engine and
    written as one file people can open, whatever the engine.
    """
    staging = staging_path_for(destination)
    try:
        pq.write_table(con.to_pyarrow(table), staging)
        rows = int(pq.ParquetFile(staging).metadata.num_rows)
    except BaseException:
        staging.unlink(missing_ok=True)
        raise
    return StagedOutput(staging=staging, destination=destination, rows=rows)


def publish(staged: StagedOutput) -> Path:
    """Move a staged output to its destination and return the destination."""
    if staged.staging.is_dir():
        return publish_directory(staged.staging, staged.destination)
    os.replace(staged.staging, staged.destination)
    return staged.destination


def discard(staged: StagedOutput) -> None:
    """Remove a staged output that must not be published."""
    if staged.staging.is_dir():
        shutil.rmtree(staged.staging, ignore_errors=True)
    else:
        staged.staging.unlink(missing_ok=True)


def read_curated(
    con: ibis.BaseBackend, curated_dir: Path, contract: DataContract
) -> ir.Table:
    """The curated dataset as an Ibis table; the partition column stays text.

    Raises CuratedDataUnreadableError naming the file when a Parquet file of the
    dataset cannot be read, and CuratedDataOutOfStepError when the stored columns
    are not the ones the contract describes (contract.yaml changed since the run).
    """
    folder = curated_path(curated_dir, contract)
    if not any(folder.glob("*=*/*.parquet")):
        raise CuratedDataNotFoundError(
            f"no curated data in {folder}; run the pipeline first "
            "(`pipeline run`, after `data generate` for sample data)"
        )
    try:
        table = read_partitioned(con, folder)
    except engine_errors(con) as exc:
        raise unreadable_curated_data(folder, exc) from exc
    # DuckDB writes the partition folder's name URL-encoded (a space as %20) and
    # reads it back as written: the column gets its contract name back here.
    encoded = {unquote(name): name for name in table.columns if unquote(name) != name}
    table = table.rename(encoded) if encoded else table
    _check_in_step(table, folder, contract)
    return table


def unreadable_curated_data(
    folder: Path, error: Exception
) -> CuratedDataUnreadableError:
    """The error for curated data the engine failed on, naming the file when it can."""
    message = str(error)
    broken = sorted(
        path for path in folder.glob("*=*/*.parquet") if str(path) in message
    )
    reason = message.splitlines()[0] if message else type(error).__name__
    if broken:
        reason = reason.replace(f" '{broken[0]}'", "")
    where = f"curated file {broken[0]}" if broken else f"the curated data in {folder}"
    return CuratedDataUnreadableError(
        f"{where} cannot be read ({reason}); every file of the dataset must be "
        "Parquet written by `pipeline run`. Run `pipeline run` again to rewrite "
        "the dataset"
    )


def _expected_types(contract: DataContract) -> dict[str, tuple[str, ...]]:
    """What each curated column may hold: its curated type (text when pseudonymised)."""
    text: tuple[str, ...] = ("string",)
    expected = dict.fromkeys(contract.curated_columns, text)
    for column in contract.columns:
        kinds = (column.curated_type,)
        expected[column.name] = (*kinds, "string") if column.personal else kinds
    expected[contract.label.name] = (contract.curated_label_type,)
    return expected


def _check_in_step(table: ir.Table, folder: Path, contract: DataContract) -> None:
    expected = _expected_types(contract)
    stored = table.schema()
    problems = []
    missing = [name for name in contract.curated_columns if name not in stored]
    if missing:
        problems.append(f"it lacks the column(s) {', '.join(missing)}")
    extra = [name for name in stored if name not in expected]
    if extra:
        problems.append(f"it has the column(s) {', '.join(extra)} the contract lacks")
    for name, kinds in expected.items():
        if name in stored and not any(
            type(stored[name]) is type(dt.dtype(kind)) for kind in kinds
        ):
            held = stored[name].copy(nullable=True)
            problems.append(f"column {name} holds {held}, the contract says {kinds[0]}")
    if problems:
        raise CuratedDataOutOfStepError(
            f"the curated data in {folder} was stored under another {CONTRACT_FILE}: "
            f"{'; '.join(problems)}. Run `pipeline run` to curate the raw data again "
            f"under the current {CONTRACT_FILE} (its header must have the contract's "
            f"columns), or undo the edit of {CONTRACT_FILE}"
        )
    changed = _changed_rules(folder, contract)
    if changed:
        raise CuratedDataOutOfStepError(
            f"the curated data in {folder} was validated under other rules of "
            f"{CONTRACT_FILE}: the rules of {', '.join(changed)} changed since the "
            "last `pipeline run`. Run `pipeline run` to validate the raw data again "
            "under the current rules (rows that break them go to quarantine), or "
            f"undo the edit of {CONTRACT_FILE}"
        )


def _changed_rules(folder: Path, contract: DataContract) -> list[str]:
    """Columns whose rules differ from those the stored data was validated under.

    Data stored before the rules were recorded beside it is taken as it is.
    """
    recorded = folder / RULES_FILE
    if not recorded.is_file():
        return []
    try:
        stored = json.loads(recorded.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise CuratedDataUnreadableError(
            f"{recorded} cannot be read ({exc}); run `pipeline run` again to "
            "rewrite the dataset"
        ) from exc
    current = curating_rules(contract)
    return [
        name for name in current if stored.get(name, current[name]) != current[name]
    ]
