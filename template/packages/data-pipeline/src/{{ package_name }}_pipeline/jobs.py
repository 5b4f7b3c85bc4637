"""Jobs of the data pipeline: generate sample data, check a file, run ingest to storage.

Jobs orchestrate the pure steps and the I/O; they are what the command line and
the tests call. The data contract comes from the settings (`settings.contract`).

Public names: PipelineReport, CheckReport, SAMPLE_MARKER_SUFFIX, sample_marker,
is_generated_sample, generate_sample_data, run_pipeline, check_file.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

from . import store
from .engine import release
from .errors import RealDataProtectedError, ReconciliationError, SchemaViolationError
from .files import write_text_atomically
from .ingest import connect, fingerprint, read_raw
from .pseudonymise import pseudonymise_table, resolve_salt
from .sample import DEFAULT_BAD_FRACTION, write_sample_csv
from .settings import PipelineSettings
from .transform import normalise, to_curated
from .validate import split_valid_rows

logger = logging.getLogger(__name__)

# The marker beside a generated sample: <raw file>.sample.json, with its SHA-256.
SAMPLE_MARKER_SUFFIX = ".sample.json"
# Reasons shown per column by CheckReport.lines().
_TOP_REASONS = 3


@dataclass(frozen=True)
class PipelineReport:
    """What one pipeline run read, kept, set aside, and where it wrote it."""

    source: Path
    data_hash: str
    rows_in: int
    rows_stored: int
    rows_quarantined: int
    curated_path: Path
    quarantine_path: Path
    pseudonymised: bool
    reason_counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckReport:
    """A file checked against the contract: broken rows per column, and why.

    `problems` is the number of rows that would be quarantined; `broken_rows`
    holds, per column, how many rows break one of its rules, and `reasons` how
    many rows break each rule.
    """

    source: Path
    rows: int
    problems: int
    column_order: tuple[str, ...]
    broken_rows: dict[str, int] = field(default_factory=dict)
    reasons: dict[str, dict[str, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """One line per contract column, label included: `ok` or what is broken."""
        lines = []
        for name in self.column_order:
            count = self.broken_rows.get(name, 0)
            if not count:
                lines.append(f"{name}: ok")
                continue
            rules = list(self.reasons.get(name, {}).items())
            shown = ", ".join(f"{rule} ({rows})" for rule, rows in rules[:_TOP_REASONS])
            if len(rules) > _TOP_REASONS:
                shown += f", and {len(rules) - _TOP_REASONS} other rule(s)"
            noun = "row" if count == 1 else "rows"
            lines.append(f"{name}: {count} {noun}: {shown}")
        return lines


def sample_marker(raw_file: Path) -> Path:
    """The marker `data generate` writes beside the sample it wrote."""
    return raw_file.with_name(raw_file.name + SAMPLE_MARKER_SUFFIX)


def is_generated_sample(raw_file: Path) -> bool:
    """Whether a raw file is a synthetic sample `data generate` wrote, byte for byte."""
    marker = sample_marker(raw_file)
    try:
        recorded = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(recorded, dict) and recorded.get("sha256") == fingerprint(
        raw_file
    )


def generate_sample_data(
    settings: PipelineSettings,
    rows: int | None = None,
    seed: int | None = None,
    bad_fraction: float = DEFAULT_BAD_FRACTION,
    force: bool = False,
) -> Path:
    """Write synthetic rows shaped like the contract to settings.raw_file.

    `rows` and `seed` default to the settings. A marker file beside the sample
    records its SHA-256, so that a later run may replace it; any other file in
    its place may be real data, and RealDataProtectedError keeps it (unless
    `force`).
    """
    path = settings.raw_file
    if path.exists() and not force and not is_generated_sample(path):
        raise RealDataProtectedError(
            f"{path} exists and is not a sample that `data generate` wrote (or it "
            "was changed since), so it may be real data; nothing was written. "
            "Move it elsewhere and run the pipeline on it with --source, or "
            "replace it on purpose with `data generate --force`"
        )
    rows = settings.sample_rows if rows is None else rows
    seed = settings.sample_seed if seed is None else seed
    write_sample_csv(
        path, settings.contract, rows=rows, seed=seed, bad_fraction=bad_fraction
    )
    marker = {
        "sha256": fingerprint(path),
        "rows": rows,
        "seed": seed,
        "bad_fraction": bad_fraction,
        "note": "synthetic sample written by `data generate`; not real data",
    }
    write_text_atomically(sample_marker(path), json.dumps(marker, indent=2) + "\n")
    return path


def check_file(settings: PipelineSettings, path: Path) -> CheckReport:
    """Read and validate a file against the contract; store nothing.

    Raises RawDataError when the file cannot be read as the contract's CSV
    (missing, malformed, lacking columns); otherwise reports its broken rows.
    """
    contract = settings.contract
    raw = read_raw(connect(settings.engine), path, contract)
    result = split_valid_rows(contract, normalise(contract, raw.table))
    release(raw.table)
    return CheckReport(
        source=path,
        rows=raw.rows,
        problems=result.rows_quarantined,
        column_order=contract.raw_columns,
        broken_rows=result.broken_rows,
        reasons=result.column_counts,
    )


def run_pipeline(
    settings: PipelineSettings, source: Path | None = None
) -> PipelineReport:
    """Ingest, validate, transform and store a raw file (default: settings.raw_file).

    Every row read is either stored or quarantined: the counts are checked on the
    written files before anything is published, and ReconciliationError is raised
    (nothing published) when they differ. SchemaViolationError is raised when no
    row is valid, after the quarantine file is published so the reasons can be read.
    """
    contract = settings.contract
    path = settings.raw_file if source is None else source
    run_date = dt.date.today()
    con = connect(settings.engine)
    raw = read_raw(con, path, contract)
    result = split_valid_rows(
        contract, normalise(contract, raw.table), run_date=run_date
    )
    release(raw.table)  # judged and kept: the raw text is read no more
    valid, quarantined = result.valid, result.quarantined
    if settings.pseudonymise_ids and contract.personal_columns:
        salt = resolve_salt(settings)
        valid = pseudonymise_table(valid, contract.personal_columns, salt)
        quarantined = pseudonymise_table(quarantined, contract.personal_columns, salt)
    quarantine_file = store.quarantine_path(settings.quarantine_dir, path)
    staged: list[store.StagedOutput] = []
    try:
        staged_quarantine = store.stage_quarantine(con, quarantined, quarantine_file)
        staged.append(staged_quarantine)
        if result.rows_quarantined == raw.rows:
            store.publish(staged_quarantine)
            raise SchemaViolationError(
                f"every one of the {raw.rows} rows of {path} was quarantined; "
                f"nothing was stored. Read the reasons in {quarantine_file}"
            )
        curated_table = to_curated(
            contract,
            valid,
            run_date,
            pseudonymised=settings.pseudonymise_ids,
        )
        staged_curated = store.stage_curated(
            con, curated_table, settings.curated_dir, contract
        )
        staged.append(staged_curated)
        if raw.rows != staged_curated.rows + staged_quarantine.rows:
            raise ReconciliationError(
                f"{path}: {raw.rows} rows in, but {staged_curated.rows} stored and "
                f"{staged_quarantine.rows} quarantined; nothing was published"
            )
        curated = store.publish(staged_curated)
        quarantine = store.publish(staged_quarantine)
    finally:
        # Whatever was not published (an error, a full disk) leaves no trace.
        for output in staged:
            store.discard(output)
    logger.info(
        "%s: %d %s in, %d stored, %d quarantined",
        path,
        raw.rows,
        contract.entity.plural,
        staged_curated.rows,
        staged_quarantine.rows,
    )
    return PipelineReport(
        source=path,
        data_hash=raw.data_hash,
        rows_in=raw.rows,
        rows_stored=staged_curated.rows,
        rows_quarantined=staged_quarantine.rows,
        curated_path=curated,
        quarantine_path=quarantine,
        pseudonymised=settings.pseudonymise_ids and bool(contract.personal_columns),
        reason_counts=result.reason_counts,
    )
