"""Storage: curated data as partitioned Parquet, and quarantine files, both atomic.

Nothing is written in place. Outputs are staged next to their destination and
published with a rename, so a reader sees the old data or the new data, never half.
The dataset's folder and partition column come from the data contract.

Public names: StagedOutput, stage_curated, stage_quarantine, publish, discard,
read_curated, curated_path, quarantine_path, write_text_atomically,
staging_path_for, publish_directory.
"""

from __future__ import annotations

import os
import shutil
import uuid
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

import ibis
import ibis.expr.types as ir
import pandas as pd

from .contract import DataContract
from .errors import CuratedDataNotFoundError
from .files import staging_path_for, write_text_atomically

__all__ = [
    "StagedOutput",
    "curated_path",
    "discard",
    "publish",
    "publish_directory",
    "quarantine_path",
    "read_curated",
    "stage_curated",
    "stage_quarantine",
    "staging_path_for",
    "write_text_atomically",
]


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


def _count_parquet_rows(con: ibis.BaseBackend, pattern: str) -> int:
    return int(con.read_parquet(pattern).count().execute())


def stage_curated(
    con: ibis.BaseBackend, table: ir.Table, curated_dir: Path, contract: DataContract
) -> StagedOutput:
    """Write the curated table as Parquet partitioned by month, staged."""
    destination = curated_path(curated_dir, contract)
    staging = staging_path_for(destination)
    try:
        con.to_parquet(table, staging, partition_by=contract.partition_column)
        rows = _count_parquet_rows(con, str(staging / "**" / "*.parquet"))
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return StagedOutput(staging=staging, destination=destination, rows=rows)


def stage_quarantine(
    con: ibis.BaseBackend, frame: pd.DataFrame, destination: Path
) -> StagedOutput:
    """Write the quarantined rows (reason and raw values) to one staged Parquet file."""
    staging = staging_path_for(destination)
    try:
        con.to_parquet(ibis.memtable(frame), staging)
        rows = _count_parquet_rows(con, str(staging))
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
    """The curated dataset as an Ibis table; the partition column stays text."""
    folder = curated_path(curated_dir, contract)
    if not any(folder.glob("*=*/*.parquet")):
        raise CuratedDataNotFoundError(
            f"no curated data in {folder}; run the pipeline first "
            "(`pipeline run`, after `data generate` for sample data)"
        )
    table = con.read_parquet(
        str(folder / "**" / "*.parquet"),
        hive_partitioning=True,
        hive_types_autocast=False,
    )
    # DuckDB writes the partition folder's name URL-encoded (a space as %20) and
    # reads it back as written: the column gets its contract name back here.
    encoded = {unquote(name): name for name in table.columns if unquote(name) != name}
    return table.rename(encoded) if encoded else table
