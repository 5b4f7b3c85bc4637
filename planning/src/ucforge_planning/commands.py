"""The plan commands: read plan/tasks.yaml, render, check and report progress."""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .analysis import Analysis, analyse
from .baseline import Baseline, baseline_of, dump_baseline, read_baseline
from .document import load_plan, read_plan
from .errors import PlanError
from .model import COMPONENT_NAMES, COMPONENTS, STATUSES, Plan
from .render import render_markdown
from .verify import Record, dump_record, load_record, read_junit, verify
from .verify import Verification as Verification
from .verify import report_markdown as report_markdown
from .verify import report_text as report_text

TASKS_FILE = Path("plan") / "tasks.yaml"
BASELINE_FILE = Path("plan") / "baseline.yaml"
PLAN_FILE = "implementation-plan.md"
# The last `plan verify`, next to tasks.yaml; `plan render` shows it.
VERIFICATION_FILE = Path("plan") / "verification.yaml"
# Where `make test` writes the JUnit XML of each folder's run.
JUNIT_DIR = Path("reports") / "junit"


class BaselineExistsError(PlanError):
    """A baseline is already taken; it is replaced only when asked to."""


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


def load_baseline(project_root: Path) -> Baseline | None:
    """The project's baseline, None when none was taken; PlanError if unreadable."""
    path = project_root / BASELINE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise PlanError(f"{path} cannot be read: {error}") from error
    return read_baseline(text, BASELINE_FILE.as_posix())


def render_plan(project_root: Path) -> Path:
    """Rewrite the implementation plan from plan/tasks.yaml; returns its path.

    The plan is the same for the same tasks.yaml and baseline: its forecast is made
    from calendar.status_date or the latest actual date, never from the clock.
    The plan shows the last `plan verify` (plan/verification.yaml) when there is one.
    """
    plan = load_project_plan(project_root)
    baseline = load_baseline(project_root)
    target = project_root / plan.project.plan_dir / PLAN_FILE
    record = load_verification(project_root)
    write_atomically(target, render_markdown(plan, baseline=baseline, record=record))
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


def take_baseline(
    project_root: Path, *, as_of: dt.date | None = None, force: bool = False
) -> Path:
    """Write plan/baseline.yaml from the forecast as of a day (by default
    calendar.status_date when it is set, else today).

    An existing baseline is the team's record: it is replaced only with `force`.
    """
    path = project_root / BASELINE_FILE
    if path.exists() and not force:
        raise BaselineExistsError(
            f"{BASELINE_FILE.as_posix()} exists already (taken earlier); it is "
            "what progress is measured against, so it is kept. To replace it, run "
            "`make plan-baseline FORCE=1` (or `plan baseline --force`)."
        )
    plan = load_project_plan(project_root)
    day = as_of or plan.calendar.status_date or dt.date.today()
    baseline = baseline_of(plan, analyse(plan, day), day)
    write_atomically(path, dump_baseline(baseline, plan.project.use_case_id))
    return path


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
    return problems + _baseline_problems(project_root)


def _baseline_problems(project_root: Path) -> list[str]:
    """The problems of plan/baseline.yaml, each naming the file; none if absent."""
    try:
        load_baseline(project_root)
    except PlanError as error:
        name = BASELINE_FILE.as_posix()
        return [f"{name}: {p}" for p in error.problems] or [str(error)]
    return []


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
    broken_baseline = _baseline_problems(project_root)
    if broken_baseline:
        name += f", {BASELINE_FILE.as_posix()}"
    problems = problems + broken_baseline
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


def plan_status(project_root: Path, as_of: dt.date | None = None) -> str:
    """Progress by phase and component, then the forecast as of a day (by default
    calendar.status_date when it is set, else today) against the baseline: planned
    and forecast dates, the variance in working days, and how far P50 and P80
    moved."""
    plan = load_project_plan(project_root)
    baseline = load_baseline(project_root)
    day = as_of or plan.calendar.status_date or dt.date.today()
    analysis = analyse(plan, day)
    lines = _progress_lines(plan)
    lines += ["", *_forecast_lines(plan, analysis, day)]
    if baseline is None:
        lines += [
            "",
            "No baseline yet: run `make plan-baseline` (or "
            f"`{plan.project.cli} plan baseline`) to keep this forecast in "
            f"{BASELINE_FILE.as_posix()} and measure progress against it.",
        ]
        late = list(analysis.late)
        against = "the plan from the start date"
    else:
        lines += ["", *_baseline_lines(plan, analysis, baseline)]
        late = _late_against(plan, analysis, baseline)
        against = "the baseline"
    if late:
        lines += ["", f"Late against {against}:"]
        lines += [f"  {_late_line(plan, analysis, baseline, i)}" for i in late]
    return "\n".join(lines) + "\n"


def _progress_lines(plan: Plan) -> list[str]:
    """The progress table by phase, then the tasks in progress and blocked."""
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
    return lines


def _weekday(day: dt.date) -> str:
    return f"{day.isoformat()} ({day.strftime('%A')})"


def _forecast_lines(plan: Plan, a: Analysis, day: dt.date) -> list[str]:
    """The forecast as of the status day."""
    chance = f"{a.on_time_probability:.0%}"
    return [
        f"Forecast as of {_weekday(day)}, from the work done and what remains:",
        f"  likely finish {a.finish}, P50 {a.p50}, P80 {a.p80}; {chance} chance of "
        f"finishing by the target {plan.calendar.target}",
    ]


def _index(a: Analysis, day: dt.date) -> int:
    return a.calendar.last_index_on_or_before(day)


def _moved(a: Analysis, before: dt.date, after: dt.date) -> str:
    """How far a date moved in working days: '+3 working days', 'unchanged'."""
    shift = _index(a, after) - _index(a, before)
    if shift == 0:
        return "unchanged"
    unit = "working day" if abs(shift) == 1 else "working days"
    return f"{shift:+d} {unit} ({'later' if shift > 0 else 'earlier'})"


def _variance(a: Analysis, before: dt.date, after: dt.date) -> str:
    shift = _index(a, after) - _index(a, before)
    return f"{shift:+d}" if shift else "0"


def _baseline_lines(plan: Plan, a: Analysis, baseline: Baseline) -> list[str]:
    """The forecast against the baseline: totals, then the tasks that matter."""
    lines = [
        f"Against the baseline taken on {baseline.taken} ({BASELINE_FILE.as_posix()}):",
    ]
    for name, before, after in (
        ("Finish", baseline.finish, a.finish),
        ("P50", baseline.p50, a.p50),
        ("P80", baseline.p80, a.p80),
    ):
        lines.append(f"  {name:<8}{before} -> {after}  {_moved(a, before, after)}")
    header = (
        f"  {'Task':<10}{'Status':<13}{'Planned':<25}{'Actual / forecast':<25}"
        f"{'Start':>6}{'Finish':>7}"
    )
    rows = []
    shown = set(_late_against(plan, a, baseline)) | set(a.schedule.critical_path)
    others: list[int] = []
    for t in plan.tasks:
        start, finish = a.task_dates(t.id)
        planned = baseline.tasks.get(t.id)
        if planned is None:
            rows.append(
                f"  {t.id:<10}{t.status:<13}{'(new since the baseline)':<25}"
                f"{f'{start} {finish}':<25}"
            )
            continue
        if t.status == "TODO" and t.id not in shown:
            shift = _index(a, finish) - _index(a, planned.finish)
            if shift:
                others.append(shift)
            continue
        rows.append(
            f"  {t.id:<10}{t.status:<13}{f'{planned.start} {planned.finish}':<25}"
            f"{f'{start} {finish}':<25}"
            f"{_variance(a, planned.start, start):>6}"
            f"{_variance(a, planned.finish, finish):>7}"
        )
    lines += [
        "",
        "Tasks started, done, late or on the critical path (variance in working "
        "days, + is later):",
        header,
        *rows,
    ]
    if others:
        lines.append(
            f"  {_count(len(others), 'other task')} to do moved: finish "
            f"{min(others):+d} to {max(others):+d} working days"
        )
    gone = [i for i in baseline.tasks if i not in {t.id for t in plan.tasks}]
    if gone:
        lines.append(f"In the baseline but no longer in the plan: {', '.join(gone)}")
    return lines


def _late_against(plan: Plan, a: Analysis, baseline: Baseline) -> list[str]:
    """Tasks not done that the baseline has starting, or finishing, before now."""
    late = []
    today = a.calendar.day(int(a.now))
    for t in plan.tasks:
        planned = baseline.tasks.get(t.id)
        if planned is None or t.status == "DONE":
            continue
        due = planned.start if t.started is None else planned.finish
        if due < today:
            late.append(t.id)
    return late


def _late_line(plan: Plan, a: Analysis, baseline: Baseline | None, task_id: str) -> str:
    """What a late task should have done by now, and when it is forecast."""
    task = next(t for t in plan.tasks if t.id == task_id)
    start, finish = a.task_dates(task_id)
    if baseline is not None and task_id in baseline.tasks:
        planned = baseline.tasks[task_id]
        planned_start, planned_finish = planned.start, planned.finish
    else:
        planned_start, planned_finish = a.planned_dates(task_id)
    if task.started is None:
        return (
            f"{task_id}  should have started on {planned_start}; not started, "
            f"forecast to start {start} (@{task.owner})"
        )
    return (
        f"{task_id}  should have finished by {planned_finish}; in progress since "
        f"{task.started}, forecast to finish {finish} (@{task.owner})"
    )


def _status_row(
    name: str, count: int, counts: dict[str, int], done: float, effort: float
) -> str:
    share = done / effort if effort else 0.0
    progress = f"{_bar(share)} {share:4.0%} ({done:g} of {effort:g} d)"
    return (
        f"{name:<22}{count:>6}  {counts['DONE']:>5}{counts['IN_PROGRESS']:>6}"
        f"{counts['BLOCKED']:>8}{counts['TODO']:>6}  {progress}"
    ).rstrip()
