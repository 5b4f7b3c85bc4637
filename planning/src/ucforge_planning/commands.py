"""The plan commands: read plan/tasks.yaml, render, check and report progress."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .document import load_plan, read_plan
from .errors import PlanError
from .model import COMPONENT_NAMES, COMPONENTS, STATUSES, Plan
from .render import render_markdown
from .verify import Record, dump_record, load_record, read_junit, verify
from .verify import Verification as Verification
from .verify import report_markdown as report_markdown
from .verify import report_text as report_text

TASKS_FILE = Path("plan") / "tasks.yaml"
PLAN_FILE = "implementation-plan.md"
# The last `plan verify`, next to tasks.yaml; `plan render` shows it.
VERIFICATION_FILE = Path("plan") / "verification.yaml"
# Where `make test` writes the JUnit XML of each folder's run.
JUNIT_DIR = Path("reports") / "junit"


def _read_text(project_root: Path) -> str:
    path = project_root / TASKS_FILE
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise PlanError(
            f"{path} does not exist; the plan's source is plan/tasks.yaml in the "
            "repository root"
        ) from error
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{path} cannot be read: {error}") from error


def load_project_plan(project_root: Path) -> Plan:
    """The valid plan of a project; PlanError naming every problem otherwise."""
    return load_plan(_read_text(project_root), str(TASKS_FILE))


def write_atomically(path: Path, content: str) -> None:
    """Write through a temporary file in the same folder, then rename over."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(content)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def render_plan(project_root: Path) -> Path:
    """Rewrite the implementation plan from plan/tasks.yaml; returns its path.

    The plan shows the last `plan verify` (plan/verification.yaml) when there is one.
    """
    plan = load_project_plan(project_root)
    target = project_root / plan.project.plan_dir / PLAN_FILE
    record = load_verification(project_root)
    write_atomically(target, render_markdown(plan, record=record))
    return target


def load_verification(project_root: Path) -> Record | None:
    """The record of the last `plan verify`, or None when there is none."""
    path = project_root / VERIFICATION_FILE
    try:
        content = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{path} cannot be read: {error}") from error
    return load_record(content, VERIFICATION_FILE.as_posix())


def _shown(path: Path, project_root: Path) -> str:
    """A JUnit file's path as the record names it: from the root when inside it."""
    try:
        return path.resolve().relative_to(project_root.resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def plan_verify(project_root: Path, junit_paths: Sequence[Path] = ()) -> Verification:
    """Each acceptance criterion and gate against the JUnit XML of a test run.

    Without paths, reads every reports/junit/*.xml (where `make test` writes them);
    relative paths are from the project root. Writes plan/verification.yaml with
    the run's own timestamp, not the clock's, so that the plan renders the same from
    the same run. The caller reports the result with report_text or
    report_markdown, and fails when `failing` is true.
    """
    plan = load_project_plan(project_root)
    if not junit_paths:
        junit_paths = sorted((project_root / JUNIT_DIR).glob("*.xml"))
        if not junit_paths:
            raise PlanError(
                f"no JUnit XML in {JUNIT_DIR.as_posix()}: run make test first (it "
                "writes one file per folder), or name the files"
            )
    paths = [p if p.is_absolute() else project_root / p for p in junit_paths]
    run = read_junit(paths, [_shown(p, project_root) for p in paths])
    result = verify(plan, run)
    write_atomically(project_root / VERIFICATION_FILE, dump_record(result))
    return result


def check_plan(project_root: Path) -> list[str]:
    """Every problem in plan/tasks.yaml; empty when the plan is valid.

    Problems include a dependency cycle, a dependency on an unknown task, an owner
    who is not in the team, a milestone after the target date and a key the file
    format does not know. A file that is missing or not YAML is one problem.
    """
    try:
        _, problems = read_plan(_read_text(project_root), str(TASKS_FILE))
    except PlanError as error:
        return [str(error)]
    return problems


def check_report(project_root: Path) -> tuple[list[str], str]:
    """The problems of plan/tasks.yaml and a report that names the file.

    The report is 'plan/tasks.yaml: N problems' followed by one line per problem,
    or 'plan/tasks.yaml is consistent: ...' with what the plan holds.
    """
    name = TASKS_FILE.as_posix()
    try:
        plan, problems = read_plan(_read_text(project_root), name)
    except PlanError as error:
        plan, problems = None, [str(error)]
    if plan is None or problems:
        lines = [f"{name}: {_count(len(problems), 'problem')}"]
        return problems, "\n".join([*lines, *(f"  - {p}" for p in problems)])
    held = [
        _count(len(plan.tasks), "task"),
        _count(len(plan.team), "team member"),
        _count(len(plan.deadlines), "deadline") if plan.deadlines else "no deadlines",
        f"target {plan.calendar.target}",
    ]
    return [], f"{name} is consistent: {', '.join(held)}"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"


def _bar(share: float, width: int = 20) -> str:
    filled = round(share * width)
    return "#" * filled + "." * (width - filled)


def plan_status(project_root: Path) -> str:
    """Progress by phase and component, from the Status column of the tasks."""
    plan = load_project_plan(project_root)
    header = (
        f"{'Phase / component':<22}{'Tasks':>6}  {'Done':>5}{'Doing':>6}"
        f"{'Blocked':>8}{'To do':>6}  Effort done"
    )
    lines = [
        f"Implementation plan of {plan.project.use_case_id} {plan.project.name}",
        f"Progress from the Status column of {TASKS_FILE}:",
        "",
        header,
        "-" * len(header),
    ]
    totals = dict.fromkeys(STATUSES, 0)
    total_effort = done_effort = 0.0
    for key in COMPONENTS:
        tasks = [t for t in plan.tasks if t.component == key]
        counts = {s: sum(1 for t in tasks if t.status == s) for s in STATUSES}
        effort = sum(t.estimate.likely for t in tasks)
        done = sum(t.estimate.likely for t in tasks if t.status == "DONE")
        for status in STATUSES:
            totals[status] += counts[status]
        total_effort += effort
        done_effort += done
        lines.append(
            _status_row(COMPONENT_NAMES[key], len(tasks), counts, done, effort)
        )
    lines.append("-" * len(header))
    lines.append(
        _status_row("All phases", len(plan.tasks), totals, done_effort, total_effort)
    )
    for status, label in (("IN_PROGRESS", "In progress"), ("BLOCKED", "Blocked")):
        listed = [t for t in plan.tasks if t.status == status]
        if listed:
            lines += ["", f"{label}:"]
            lines += [f"  {t.id}  {t.title} (@{t.owner})" for t in listed]
    return "\n".join(lines) + "\n"


def _status_row(
    name: str, count: int, counts: dict[str, int], done: float, effort: float
) -> str:
    share = done / effort if effort else 0.0
    progress = f"{_bar(share)} {share:4.0%} ({done:g} of {effort:g} d)"
    return (
        f"{name:<22}{count:>6}  {counts['DONE']:>5}{counts['IN_PROGRESS']:>6}"
        f"{counts['BLOCKED']:>8}{counts['TODO']:>6}  {progress}"
    ).rstrip()
