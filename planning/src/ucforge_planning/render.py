"""The implementation plan as Markdown, in the framework's Output Format."""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Iterable, Sequence

from .analysis import Analysis, Span, analyse, chance_text, deadline_scope
from .baseline import Baseline
from .checklist import review_checklist
from .markup import cell, code, end_sentence, text
from .model import (
    COMPONENT_FOLDERS,
    COMPONENT_NAMES,
    COMPONENTS,
    WEEKDAYS,
    KeyAnswers,
    Member,
    Plan,
    Task,
)
from .verify import (
    FAILING,
    NOT_RUN,
    VERIFIED,
    Record,
    criteria,
    criterion_state,
    run_time,
)
from .vocabulary import (
    CI_PROVIDER_NAMES,
    COMPLIANCE_NAMES,
    DOCUMENT_NAMES,
    INFRASTRUCTURE_NAMES,
    METRIC_NAMES,
    PROBLEM_TYPE_NAMES,
    TEST_LEVEL_NAMES,
    needs_model_card,
    role_name,
)
from .workdays import sprint_count, sprint_of

# Below this, a sum of estimate differences is zero (floating-point noise).
EPSILON = 1e-9
# The Gantt tag that shows a task's status, for the statuses that have one.
GANTT_STATUS_TAGS = {"DONE": "done", "IN_PROGRESS": "active"}


# ---------------------------------------------------------------------------
# Markdown structure (escaping of free text is in .markup)
# ---------------------------------------------------------------------------
def mermaid_label(value: object) -> str:
    """A double-quoted Mermaid label that shows the text literally."""
    raw = " ".join(str(value).split())
    return '"' + re.sub(r'["#`<>{}\[\]|;&]', lambda m: f"#{ord(m[0])};", raw) + '"'


def gantt_name(value: object) -> str:
    """A Gantt task name: the separators of Mermaid's Gantt syntax removed."""
    cleaned = str(value).replace(":", " -").replace(";", ",")
    cleaned = re.sub(r"[#`]", " ", cleaned)
    return " ".join(cleaned.split()) or "task"


def table(headers: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    """A Markdown table; cells are expected escaped already."""
    lines = [
        "| " + " | ".join(headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


# ---------------------------------------------------------------------------
# Wording
# ---------------------------------------------------------------------------
def days(value: float) -> str:
    """'2.5' for 2.5 working days, '3' for 3.0."""
    return f"{round(value, 1):g}"


def weekday(date: dt.date) -> str:
    """The date with its weekday: '2027-01-04 (Monday)'."""
    return f"{date.isoformat()} ({date.strftime('%A')})"


def person(member: Member | None, handle: str) -> str:
    """A member as 'Name (@handle)', or '@handle' when no member has it."""
    if member is None:
        return text(f"@{handle}")
    return f"{text(member.name)} ({text('@' + member.handle)})"


def effort(task: Task) -> str:
    """A task's likely effort with its range: '3 d (2-5)'."""
    e = task.estimate
    return f"{days(e.likely)} d ({days(e.optimistic)}-{days(e.pessimistic)})"


def _sentence(value: str) -> str:
    """The text with its first letter upper-case."""
    return value[:1].upper() + value[1:]


def _plural(count: int, noun: str) -> str:
    """The count and the noun, plural unless the count is one: '2 weeks'."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def _metric(answers: KeyAnswers) -> str:
    """The name people read for the primary metric."""
    return METRIC_NAMES.get(answers.primary_metric, answers.primary_metric)


def _component_tasks(plan: Plan) -> list[tuple[str, list[Task]]]:
    """The components that have tasks, in phase order, each with its tasks."""
    grouped = [
        (key, [t for t in plan.tasks if t.component == key]) for key in COMPONENTS
    ]
    return [(key, tasks) for key, tasks in grouped if tasks]


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------
def _composition(team: Sequence[Member]) -> str:
    """How many members of each role, in team order: '1 ML engineer, 2 ...'."""
    roles: dict[str, int] = {}
    for m in team:
        roles[m.role] = roles.get(m.role, 0) + 1
    return ", ".join(_plural(n, role_name(r)) for r, n in roles.items())


def _total_effort(tasks: Sequence[Task]) -> str:
    """The summed likely effort in person-days, with its three-point range."""
    total = sum(t.estimate.likely for t in tasks)
    low = sum(t.estimate.optimistic for t in tasks)
    high = sum(t.estimate.pessimistic for t in tasks)
    return f"{days(total)} person-days likely ({days(low)}-{days(high)})"


def _overview_rows(plan: Plan, a: Analysis) -> list[list[str]]:
    """The overview's attribute rows: dates, team, effort, forecast, progress."""
    c = plan.calendar
    weeks = c.sprint_length_weeks
    sprints = sprint_count(c.start, c.target, weeks)
    done = [t for t in plan.tasks if t.status == "DONE"]
    return [
        ["Start Date", weekday(c.start)],
        ["Target Completion", weekday(c.target)],
        ["Team Size", f"{len(plan.team)} ({_composition(plan.team)})"],
        [
            "Sprints/Iterations",
            f"{_plural(sprints, 'sprint')} of {_plural(weeks, 'week')}",
        ],
        ["Total Effort", _total_effort(plan.tasks)],
        [
            "Planned Finish",
            f"{a.finish} on likely estimates "
            f"(sprint {sprint_of(c.start, a.finish, weeks)})",
        ],
        [
            "Forecast",
            f"P50 {a.p50}, P80 {a.p80}; {chance_text(a.on_time_probability)} chance of "
            "finishing by the target",
        ],
        ["Progress", f"{len(done)} of {len(plan.tasks)} tasks done"],
    ]


def _verdict(plan: Plan, a: Analysis) -> str:
    """The bold verdict on the target date: unlikely, at risk or achievable."""
    target = plan.calendar.target
    if a.p50 > target:
        return (
            f"**Verdict: the target is unlikely to be met.** The median forecast "
            f"({a.p50}) is after the target; see the first risk below."
        )
    if a.p80 > target:
        return (
            f"**Verdict: the target is at risk.** The median forecast ({a.p50}) "
            f"meets it, but the P80 forecast ({a.p80}) does not."
        )
    return (
        f"**Verdict: the target is achievable.** Four times out of five the "
        f"work is done by {a.p80}, leaving "
        f"{(target - a.p80).days} calendar days of buffer."
    )


def _overview(plan: Plan, a: Analysis, baseline: Baseline | None = None) -> list[str]:
    """The Overview section: attributes, verdict, critical path, forecast method,
    the tasks that drive the date and the burn-up chart."""
    return [
        "## Overview",
        "",
        *table(["Attribute", "Value"], _overview_rows(plan, a)),
        "",
        _finish_note(plan, a),
        "",
        _verdict(plan, a),
        "",
        _critical_path_line(a),
        "",
        f"The forecast replays the schedule {plan.forecast.runs:,} times with every "
        "task's effort drawn between its optimistic and pessimistic estimates "
        f"(triangular distribution, seed {plan.forecast.seed}). Each member works "
        "on one task at a time, for the share of the day given by their capacity "
        "and the focus factor (see Team Calendar).",
        *_reforecast_note(plan, a),
        *_drivers(plan, a),
        "",
        *_burn_up(plan, a, baseline),
    ]


def _critical_path_line(a: Analysis) -> str:
    """The chain of tasks that ends the plan, with the working days it spans.

    When its first task cannot start at the beginning (its owner is away, or the
    re-forecast starts it at the status date), the line says from when.
    """
    path = a.schedule.critical_path
    chain = " → ".join(path)
    start = a.schedule.slots[path[0]].start if path else 0.0
    if start < 1e-9:
        return (
            f"Critical path ({days(a.schedule.makespan)} working days, who is free "
            f"included): {chain}."
        )
    return (
        f"Critical path (the last {days(a.schedule.makespan - start)} of "
        f"{days(a.schedule.makespan)} working days, from "
        f"{a.calendar.start_date(start)}, when its first task can start; who is "
        f"free and who is away included): {chain}."
    )


def _reforecast_note(plan: Plan, a: Analysis) -> list[str]:
    """How the forecast uses the actual dates, and the tasks that are late."""
    if a.status_date is None:
        return []
    source = (
        "the status date in calendar.status_date"
        if plan.calendar.status_date is not None
        else "the latest actual date recorded"
    )
    lines = [
        "",
        f"The forecast is made as of {weekday(a.status_date)}, {source}: done "
        "tasks stay at "
        "their actual dates, started ones keep the work that remains (at least a "
        "fifth of their estimate), and nothing else starts before that day.",
    ]
    if a.late:
        lines += [
            "",
            f"Late against the plan from the start date: {_late_text(plan, a)}.",
        ]
    return lines


def _late_text(plan: Plan, a: Analysis) -> str:
    """'DP-03 (planned to start 2027-01-11), DP-02 (planned to finish ...)'."""
    by_id = {t.id: t for t in plan.tasks}
    parts = []
    for task_id in a.late:
        start, finish = a.planned_dates(task_id)
        if by_id[task_id].started is None:
            parts.append(f"{task_id} (planned to start {start})")
        else:
            parts.append(f"{task_id} (planned to finish {finish})")
    return text(", ".join(parts))


# Tasks on the chain that sets the finish in at least this share of the runs
# are shown as driving the date, at most DRIVERS_SHOWN of them.
DRIVER_INDEX = 0.2
DRIVERS_SHOWN = 10


def _drivers(plan: Plan, a: Analysis) -> list[str]:
    """The tasks that drive the date: their criticality index, highest first."""
    position = {t.id: i for i, t in enumerate(plan.tasks)}
    driving = sorted(
        (t for t in plan.tasks if a.criticality.get(t.id, 0.0) >= DRIVER_INDEX),
        key=lambda t: (-a.criticality[t.id], position[t.id]),
    )
    ranked = driving[:DRIVERS_SHOWN]
    if not ranked:
        return []
    which = (
        f"below are the {len(ranked)} highest of the {len(driving)} tasks at "
        if len(driving) > len(ranked)
        else "below are the tasks at "
    )
    rows = [
        [
            cell(t.id),
            cell(t.title),
            cell("@" + t.owner),
            chance_text(a.criticality[t.id]),
        ]
        for t in ranked
    ]
    return [
        "",
        "### Tasks that drive the date",
        "",
        "The criticality index of a task is the share of the forecast's runs in "
        f"which it is on the chain of work that sets the finish; {which}"
        f"{DRIVER_INDEX:.0%} or more: a day one of them gains or loses moves the "
        "finish in that share of the runs.",
        "",
        *table(["ID", "Task", "Owner", "Criticality"], rows),
    ]


# The burn-up's colours, in the order its series are drawn.
BURN_UP_COLOURS = {
    "scope": ("#868e96", "grey"),
    "baseline": ("#1c7ed6", "blue"),
    "forecast": ("#e8590c", "orange"),
    "done": ("#2f9e44", "green"),
}


def _cumulative(
    ends: Sequence[dt.date], finished: Sequence[tuple[dt.date, float]]
) -> list[str]:
    """The effort finished by each end date, as chart values."""
    return [days(sum(e for day, e in finished if day <= end)) for end in ends]


def _burn_up(plan: Plan, a: Analysis, baseline: Baseline | None) -> list[str]:
    """The burn-up chart: scope, baseline, forecast and effort done per week."""
    c = plan.calendar
    last = max(a.finish, a.p80, c.target, *([baseline.finish] if baseline else []))
    weeks = (last - c.start).days // 7 + 1
    ends = [c.start + dt.timedelta(days=7 * k - 1) for k in range(1, weeks + 1)]
    scope = sum(t.estimate.likely for t in plan.tasks)
    top = max(scope, baseline.scope if baseline else 0.0, 1.0)
    series = [("scope", "line", [days(scope)] * weeks)]
    if baseline is not None:
        planned = [(t.finish, t.effort) for t in baseline.tasks.values()]
        series.append(("baseline", "line", _cumulative(ends, planned)))
    forecast = [(a.task_dates(t.id)[1], t.estimate.likely) for t in plan.tasks]
    series.append(("forecast", "line", _cumulative(ends, forecast)))
    finished = [
        (t.finished, t.estimate.likely)
        for t in plan.tasks
        if t.status == "DONE" and t.finished is not None
    ]
    if finished and a.status_date is not None:
        shown = [end for end in ends if end - dt.timedelta(days=6) <= a.status_date]
        series.append(("done", "bar", _cumulative(shown, finished)))
    palette = ", ".join(BURN_UP_COLOURS[name][0] for name, _, _ in series)
    labels = ", ".join(f"W{k}" for k in range(1, weeks + 1))
    chart = [
        "```mermaid",
        '%%{init: {"themeVariables": {"xyChart": {"plotColorPalette": '
        f'"{palette}"}}}}}}%%',
        "xychart-beta",
        '  title "Burn-up: effort in person-days, week by week"',
        f'  x-axis "Weeks from {c.start}" [{labels}]',
        f'  y-axis "Person-days" 0 --> {math.ceil(top)}',
        *(f"  {kind} [{', '.join(values)}]" for _, kind, values in series),
        "```",
    ]
    legend = [
        f"{BURN_UP_COLOURS['scope'][1]}: the scope, {days(scope)} person-days of "
        "likely effort"
    ]
    if baseline is not None:
        legend.append(
            f"{BURN_UP_COLOURS['baseline'][1]}: the effort the baseline of "
            f"{baseline.taken} planned done by each week's end"
        )
    legend.append(
        f"{BURN_UP_COLOURS['forecast'][1]}: the effort done by each week's end on "
        "the schedule below"
        + (
            " (actual dates up to the status date, the forecast after it)"
            if a.status_date
            else ""
        )
    )
    if series[-1][0] == "done":
        legend.append(
            f"{BURN_UP_COLOURS['done'][1]} bars: the tasks finished, by their "
            "finished dates"
        )
    return [
        "### Progress",
        "",
        *chart,
        "",
        "Each task counts at its likely effort from the week it is finished. "
        f"{_sentence('; '.join(legend))}.",
    ]


def _finish_note(plan: Plan, a: Analysis) -> str:
    """Why the median forecast differs from the finish on likely estimates."""
    capacity = {m.handle: m.capacity for m in plan.team}
    skew = 0.0
    for t in plan.tasks:
        if t.status != "DONE" and t.owner in capacity:
            e = t.estimate
            upside = (e.pessimistic - e.likely) - (e.likely - e.optimistic)
            skew += upside / capacity[t.owner]
    note = (
        "The planned finish takes every task at its likely estimate; the forecast "
        "draws from the three-point estimates"
    )
    if a.p50 > a.finish:
        if skew > EPSILON:
            return (
                f"{note}, which are skewed towards the pessimistic side, so its P50 "
                "falls later."
            )
        return (
            f"{note}, and a task that waits for several others waits for the "
            "slowest of them, so its P50 falls later."
        )
    if a.p50 < a.finish:
        if skew < -EPSILON:
            return (
                f"{note}, which are skewed towards the optimistic side, so its P50 "
                "falls earlier."
            )
        return f"{note}, so its P50 falls earlier."
    return f"{note}, and its P50 falls on the same day."


def _phases(plan: Plan, a: Analysis) -> list[str]:
    """The Phase Breakdown section: each component's dates and deliverables."""
    rows = []
    for key in COMPONENTS:
        if not any(t.component == key for t in plan.tasks):
            rows.append([COMPONENT_NAMES[key], "No tasks", "-"])
            continue
        span = a.spans[key]
        duration = (
            f"{span.working_days} working days ({span.working_days / 5:.1f} weeks): "
            f"{span.first_day} to {span.last_day}"
        )
        rows.append(
            [
                COMPONENT_NAMES[key],
                duration,
                cell("; ".join(plan.deliverables.get(key, ())) or "-"),
            ]
        )
    return [
        "## Phase Breakdown",
        "",
        *table(["Phase", "Duration", "Key Deliverables"], rows),
        "",
        "Phases overlap: each task starts when its dependencies are done and its "
        "owner is free, not when the previous phase ends.",
    ]


def _component_owner(plan: Plan, tasks: Sequence[Task]) -> str:
    """The member with most likely effort in the tasks, then the other owners."""
    load: dict[str, float] = {}
    for t in tasks:
        load[t.owner] = load.get(t.owner, 0.0) + t.estimate.likely
    lead = max(load, key=lambda h: (load[h], -list(load).index(h)))
    owner = person(plan.member(lead), lead)
    others = [h for h in load if h != lead]
    if others:
        owner += ", with " + ", ".join(person(plan.member(h), h) for h in others)
    return owner


def _outside_dependencies(plan: Plan, tasks: Sequence[Task]) -> str:
    """The tasks of other components these depend on, grouped by component."""
    ids = {t.id for t in tasks}
    outside = sorted({d for t in tasks for d in t.depends_on if d not in ids})
    by_id = {t.id: t for t in plan.tasks}
    grouped: dict[str, list[str]] = {}
    for dep in outside:
        grouped.setdefault(by_id[dep].component, []).append(dep)
    return "; ".join(
        f"{COMPONENT_NAMES[k]} ({', '.join(grouped[k])})"
        for k in COMPONENTS
        if k in grouped
    )


def _sprints(plan: Plan, span: Span) -> str:
    """The sprint or sprints a span falls in: 'sprint 2' or 'sprints 2-4'."""
    c = plan.calendar
    first = sprint_of(c.start, span.first_day, c.sprint_length_weeks)
    last = sprint_of(c.start, span.last_day, c.sprint_length_weeks)
    return f"sprint {first}" if first == last else f"sprints {first}-{last}"


def _component_summary(
    plan: Plan, a: Analysis, key: str, tasks: Sequence[Task]
) -> list[str]:
    """The owner, effort and dependency lines that open a component."""
    span = a.spans[key]
    total = sum(t.estimate.likely for t in tasks)
    deps = _outside_dependencies(plan, tasks) or "none outside this component"
    return [
        f"**Owner:** {_component_owner(plan, tasks)}",
        f"**Estimated Effort:** {days(total)} person-days over {span.working_days} "
        f"working days, {span.first_day} to {span.last_day} ({_sprints(plan, span)})",
        f"**Dependencies:** {deps}",
    ]


def _task_table(a: Analysis, tasks: Sequence[Task]) -> list[str]:
    """The table of a component's tasks with effort, status and planned dates."""
    rows = []
    for t in tasks:
        start, end = a.task_dates(t.id)
        rows.append(
            [
                cell(t.id),
                cell(t.title),
                effort(t),
                cell(", ".join(t.depends_on) or "-"),
                t.status,
                cell("@" + t.owner),
                f"{start} to {end}",
            ]
        )
    headers = ["ID", "Task", "Effort", "Dependency", "Status", "Owner", "Planned"]
    return table(headers, rows)


def _proof(links: Sequence[str], record: Record | None) -> list[str]:
    """The item under a criterion: the tests that prove it, and how they did."""
    if not links:
        return []
    if record is None:
        return [f"  - To be verified by {', '.join(code(x) for x in links)}"]
    state = criterion_state(links, record.results)
    found = ", ".join(f"{code(x)} {record.results.get(x, NOT_RUN)}" for x in links)
    lead = {VERIFIED: "Verified", FAILING: "Failing"}.get(state, "Unverified")
    return [f"  - {lead} in the test run of {run_time(record.timestamp)}: {found}"]


def _acceptance(tasks: Sequence[Task], record: Record | None = None) -> list[str]:
    """One checkbox per task with its acceptance criteria, ticked when done."""
    lines = []
    for t in tasks:
        tick = "x" if t.status == "DONE" else " "
        lines.append(f"- [{tick}] {text(t.id)}: {text(t.acceptance)}")
        lines += _proof(t.verified_by, record)
    return lines


def _review_gate(answers: KeyAnswers) -> str:
    """The code-review gate every component passes, with its approvals."""
    if not answers.required_approvals:
        return "Code review passed (self-review against the checklist)"
    reviewers = ", ".join("@" + r for r in answers.reviewers)
    approvals = _plural(answers.required_approvals, "approval")
    return f"Code review passed ({approvals} from {reviewers})"


def _component_gates(plan: Plan, key: str, record: Record | None = None) -> list[str]:
    """The quality gates of a component: review, tests, docs, then its own gates."""
    gates = [
        text(_review_gate(plan.answers)),
        "Tests written and passing, line coverage at least "
        f"{plan.answers.coverage_target}%",
        "Documentation updated (README, runbook, ADRs)",
    ]
    lines = [f"- [ ] {g}" for g in gates]
    for g in plan.gates:
        if g.scope == key:
            lines.append(f"- [ ] {text(g.name)}: {text(g.criteria)}")
            lines += _proof(g.verified_by, record)
    return lines


def _component(
    plan: Plan, a: Analysis, key: str, record: Record | None = None
) -> list[str]:
    """One component's breakdown: summary, tasks, acceptance criteria and gates."""
    tasks = [t for t in plan.tasks if t.component == key]
    heading = [f"### Component: {COMPONENT_NAMES[key]}", ""]
    if not tasks:
        return [*heading, "No tasks are planned for this component.", ""]
    return [
        *heading,
        *_component_summary(plan, a, key, tasks),
        "",
        "#### Tasks",
        "",
        *_task_table(a, tasks),
        "",
        "#### Acceptance Criteria",
        "",
        *_acceptance(tasks, record),
        "",
        "#### Quality Gates",
        "",
        *_component_gates(plan, key, record),
        "",
    ]


def _flowchart(plan: Plan, a: Analysis, node: dict[str, str]) -> list[str]:
    """The Mermaid flowchart of the tasks, a subgraph per component."""
    lines = ["```mermaid", "flowchart LR"]
    for key, tasks in _component_tasks(plan):
        lines.append(f"  subgraph {key}[{mermaid_label(COMPONENT_NAMES[key])}]")
        lines.append("    direction TB")
        for t in tasks:
            lines.append(f"    {node[t.id]}[{mermaid_label(t.id + ': ' + t.title)}]")
        lines.append("  end")
    lines += [f"  {node[d]} --> {node[t.id]}" for t in plan.tasks for d in t.depends_on]
    critical = [node[i] for i in a.schedule.critical_path]
    done = [node[t.id] for t in plan.tasks if t.status == "DONE"]
    lines.append("  classDef critical stroke:#c92a2a,stroke-width:3px")
    lines.append("  classDef done fill:#d3f9d8")
    if critical:
        lines.append(f"  class {','.join(critical)} critical")
    if done:
        lines.append(f"  class {','.join(done)} done")
    return [*lines, "```"]


def _gantt_task(a: Analysis, t: Task, node: str, critical: bool) -> str:
    """One Gantt line: the task's name, status tags, start and working days."""
    start, end = a.task_dates(t.id)
    length = (
        a.calendar.last_index_on_or_before(end)
        - a.calendar.last_index_on_or_before(start)
        + 1
    )
    tags = [GANTT_STATUS_TAGS[t.status]] if t.status in GANTT_STATUS_TAGS else []
    if critical:
        tags.append("crit")
    tags += [node, start.isoformat(), f"{length}d"]
    return f"  {gantt_name(t.id + ' ' + t.title)} :{', '.join(tags)}"


def _gantt(plan: Plan, a: Analysis, node: dict[str, str]) -> list[str]:
    """The Mermaid Gantt chart of the schedule, a section per component."""
    excludes = ["weekends", *(d.isoformat() for d in plan.calendar.non_working_days)]
    lines = [
        "```mermaid",
        "gantt",
        "  title "
        + (
            f"Forecast as of {a.status_date}"
            if a.status_date
            else "Schedule on likely estimates"
        ),
        "  dateFormat YYYY-MM-DD",
        "  axisFormat %d %b",
        "  excludes " + ", ".join(excludes),
    ]
    on_path = set(a.schedule.critical_path)
    for key, tasks in _component_tasks(plan):
        lines.append(f"  section {COMPONENT_NAMES[key]}")
        for t in sorted(tasks, key=lambda x: (a.schedule.slots[x.id].start, x.id)):
            lines.append(_gantt_task(a, t, node[t.id], t.id in on_path))
    if a.status_date is not None:
        lines.append("  section Progress")
        lines.append(f"  Status date :milestone, now, {a.status_date.isoformat()}, 0d")
    if plan.deadlines:
        lines.append("  section Deadlines")
        lines += [
            f"  {gantt_name(d.name)} :milestone, m{i}, {d.date.isoformat()}, 0d"
            for i, d in enumerate(plan.deadlines, start=1)
        ]
    return [*lines, "```"]


def _dependencies(plan: Plan, a: Analysis) -> list[str]:
    """The Dependencies section: the task flowchart and the Gantt schedule."""
    node = {t.id: f"t{i + 1}" for i, t in enumerate(plan.tasks)}
    return [
        "## Dependencies",
        "",
        *_flowchart(plan, a, node),
        "",
        "Tasks on the critical path have a thick red border; done tasks are green.",
        "The schedule on likely estimates, each member working on one task at a time:",
        "",
        *_gantt(plan, a, node),
    ]


def _milestones(plan: Plan, a: Analysis) -> list[str]:
    """The Milestones section: each milestone with its date, sprint and criteria."""
    weeks = plan.calendar.sprint_length_weeks
    rows = [
        [
            cell(m.name),
            f"{m.date} (sprint {sprint_of(plan.calendar.start, m.date, weeks)})",
            cell(m.criteria),
        ]
        for m in a.milestones
    ]
    return ["## Milestones", "", *table(["Milestone", "Date", "Criteria"], rows)]


def _weekdays(member: Member) -> str:
    """'Mon to Fri', or the days listed: 'Mon, Tue, Wed, Thu'."""
    if member.weekdays == WEEKDAYS:
        return "Mon to Fri"
    return ", ".join(member.weekdays)


def _away(member: Member) -> str:
    """A member's absences: '2027-02-01 to 2027-02-05 (Leave)'; 'none'."""
    found = []
    for absence in member.absences:
        days_away = (
            str(absence.start)
            if absence.start == absence.end
            else f"{absence.start} to {absence.end}"
        )
        found.append(days_away + (f" ({absence.reason})" if absence.reason else ""))
    return cell("; ".join(found) or "none")


def _calendar_rule(plan: Plan) -> str:
    """Which days are working days and how much of a day goes to plan work."""
    c = plan.calendar
    region = c.public_holidays
    count = len(c.non_working_days)
    closed = [f"the public holidays of {code(region)}"] if region else []
    closed += [f"{_plural(count, 'team day')} off"] if count else []
    days = (
        f"Working days are Monday to Friday less {' and '.join(closed)}."
        if closed
        else "Working days are Monday to Friday: no public holidays (calendar."
        "public_holidays) or team days off (calendar.non_working_days) are set."
    )
    focus = f"{c.focus_factor:.0%}"
    return (
        f"{days} Each "
        f"member gives the plan their capacity times the focus factor ({focus}) of "
        "every day they work; meetings, support and reviews take the rest of the "
        "day. A member's tasks wait while they are away."
    )


def _team_calendar(plan: Plan, a: Analysis) -> list[str]:
    """The Team Calendar section: working days, each member's time, holidays."""
    rows = [
        [
            person(m, m.handle),
            _weekdays(m),
            f"{m.capacity:.0%}",
            f"{m.capacity * plan.calendar.focus_factor:.0%}",
            _away(m),
        ]
        for m in plan.team
    ]
    lines = [
        "## Team Calendar",
        "",
        _calendar_rule(plan),
        "",
        *table(["Member", "Works", "Capacity", "Plan work a day", "Away"], rows),
    ]
    if plan.calendar.public_holidays:
        last = max(a.p80, a.finish, plan.calendar.target)
        lines += ["", f"Public holidays from {plan.calendar.start} to {last}:", ""]
        if a.holidays:
            lines += table(
                ["Date", "Holiday"],
                ([weekday(day), cell(name)] for day, name in a.holidays),
            )
        else:
            lines[-1] = f"No public holidays fall from {plan.calendar.start} to {last}."
    if plan.calendar.non_working_days:
        listed = ", ".join(str(d) for d in plan.calendar.non_working_days)
        lines += ["", f"Team days off: {listed}."]
    return lines


def _risks(a: Analysis) -> list[str]:
    """The Risks section: every risk with its likelihood, impact and mitigation."""
    rows = [[cell(r.risk), r.likelihood, r.impact, cell(r.mitigation)] for r in a.risks]
    return [
        "## Risks",
        "",
        *table(["Risk", "Likelihood", "Impact", "Mitigation"], rows),
    ]


def _risk_exposure(plan: Plan, a: Analysis) -> list[str]:
    """The risks sampled in the forecast: their chance, impact and expected delay,
    and the forecast with and without them."""
    sampled = [
        r for r in plan.risks if r.probability is not None and r.impact_days is not None
    ]
    if not sampled:
        return []
    rows = []
    for r in sampled:
        assert r.probability is not None and r.impact_days is not None
        e = r.impact_days
        mean = (e.optimistic + e.likely + e.pessimistic) / 3
        impact = (
            days(e.likely)
            if e.optimistic == e.pessimistic
            else f"{days(e.likely)} ({days(e.optimistic)}-{days(e.pessimistic)})"
        )
        rows.append(
            [
                cell(r.risk),
                chance_text(r.probability),
                impact,
                cell(", ".join(r.delays) or "the finish"),
                days(r.probability * mean),
            ]
        )
    headers = [
        "Risk",
        "Probability",
        "Impact (working days)",
        "Delays",
        "Expected delay",
    ]
    return [
        "",
        "### Risk exposure in the forecast",
        "",
        "Each run of the forecast draws whether each of these risks happens and, "
        "if it does, how many working days it adds to the tasks it delays. The "
        "expected delay is the chance times the mean impact, before it spreads to "
        "the tasks that follow.",
        "",
        *table(headers, rows),
        "",
        (
            f"With these risks the forecast is P50 {a.p50} and P80 {a.p80}; without "
            f"them it would be P50 {a.p50_without_risks} and P80 "
            f"{a.p80_without_risks}."
            if (a.p50, a.p80) != (a.p50_without_risks, a.p80_without_risks)
            else f"These risks do not move the forecast (P50 {a.p50}, P80 {a.p80}): "
            "the tasks they delay have slack, or they are too unlikely."
        ),
    ]


def _gates(plan: Plan, record: Record | None = None) -> list[str]:
    """The Quality Gates section: each gate with its timing and criteria.

    Then how many criteria tests prove, and the tests of each gate that has any.
    """
    rows = [[cell(g.name), cell(g.timing), cell(g.criteria)] for g in plan.gates]
    lines = ["## Quality Gates", "", *table(["Gate", "Timing", "Criteria"], rows)]
    return [*lines, "", *_verification(plan, record)]


def _verification(plan: Plan, record: Record | None) -> list[str]:
    """How many criteria tests prove, and the tests that prove each gate."""
    found = criteria(plan)
    linked = [c for c in found if c.links]
    if record is None:
        summary = (
            f"{len(linked)} of {len(found)} acceptance criteria and gates name the "
            "tests that prove them; after a test run, `make plan-verify` marks each "
            "verified, failing or unverified and `make plan` shows it here."
        )
    else:
        states = [criterion_state(c.links, record.results) for c in found]
        counts = ", ".join(
            f"{states.count(s)} {s}" for s in (VERIFIED, FAILING, "unverified")
        )
        summary = (
            f"Test run of {run_time(record.timestamp)} (`make plan-verify`): of "
            f"{len(found)} acceptance criteria and gates, {counts}."
        )
    lines = [summary]
    gates = [g for g in plan.gates if g.verified_by]
    if gates:
        lines += ["", "Tests that prove the gates:", ""]
        for g in gates:
            lines.append(f"- {text(g.name)}")
            lines += _proof(g.verified_by, record)
    return lines


def _team_answer(plan: Plan) -> list[str]:
    """Key Question 1: the team table and the use-case owner."""
    rows = [
        [
            cell(m.name),
            cell("@" + m.handle),
            role_name(m.role),
            m.expertise,
            f"{m.capacity:.0%}",
        ]
        for m in plan.team
    ]
    owner = person(plan.member(plan.project.owner), plan.project.owner)
    return [
        *table(["Name", "Handle", "Role", "Expertise", "Capacity"], rows),
        "",
        f"Use-case owner: {owner}.",
    ]


def _timeline_answer(plan: Plan) -> list[str]:
    """Key Question 2: the dates, the sprint length and the hard deadlines."""
    c = plan.calendar
    deadlines = (
        "; ".join(
            f"{text(d.name)} on {d.date} ({deadline_scope(plan, list(d.tasks))})"
            for d in plan.deadlines
        )
        or "none beyond the target"
    )
    return [
        f"From {c.start} to {c.target} in sprints of "
        f"{_plural(c.sprint_length_weeks, 'week')}. Hard deadlines: {deadlines}."
    ]


def _infrastructure_answer(plan: Plan) -> list[str]:
    """Key Question 3: the CI, the tracking server and what is reused."""
    a = plan.answers
    existing = [INFRASTRUCTURE_NAMES.get(x, x) for x in a.existing_infrastructure]
    tracking = (
        f"the MLflow server at {code(a.tracking_server_url)}"
        if a.tracking_server_url
        else "a local MLflow SQLite database (no shared server yet)"
    )
    ci = CI_PROVIDER_NAMES.get(a.ci_provider, a.ci_provider)
    reused = text(", ".join(existing)) if existing else "nothing to reuse"
    return [
        f"CI on {text(ci)}; experiments and models in {tracking}; already in place: "
        f"{reused}."
    ]


def _testing_answer(plan: Plan) -> list[str]:
    """Key Question 4: the test levels, coverage, SLOs and the baseline margin."""
    a = plan.answers
    levels = [TEST_LEVEL_NAMES.get(level, level) for level in a.test_levels]
    return [
        f"Levels: {', '.join(levels)}. Line coverage at least {a.coverage_target}% "
        f"per package; p95 latency at most {a.latency_slo_p95_ms} ms at "
        f"{a.throughput_slo_rps} requests per second; the model must beat the "
        f"baseline by {a.baseline_margin * 100:g}% on {text(_metric(a))}."
    ]


def _review_answer(plan: Plan) -> list[str]:
    """Key Question 5: the reviewers and the approvals a change needs."""
    a = plan.answers
    return [
        f"Reviewers: {text(', '.join('@' + r for r in a.reviewers))}; "
        f"{_plural(a.required_approvals, 'approval')} required before a change "
        "merges."
    ]


def _documentation_answer(plan: Plan) -> list[str]:
    """Key Question 6: the documents every component and the use case keep."""
    documents = ["a README, runbook and ADRs for every component"]
    documents += [DOCUMENT_NAMES.get(d, d) for d in plan.answers.documentation]
    return [f"{_sentence(text('; '.join(documents)))}."]


def _compliance_answer(plan: Plan) -> list[str]:
    """Key Question 7: the compliance regimes that apply, if any."""
    regimes = [COMPLIANCE_NAMES.get(r, r) for r in plan.answers.compliance]
    if not regimes:
        return ["No compliance regime applies."]
    return [
        f"{text(', '.join(regimes))}: each adds its own tasks (CMP-…), risks and "
        "quality gates above."
    ]


# The Key Questions in the framework's order: heading, then how its answer reads.
KEY_QUESTIONS: tuple[tuple[str, Callable[[Plan], list[str]]], ...] = (
    ("1. Team composition and expertise", _team_answer),
    ("2. Timeline and hard deadlines", _timeline_answer),
    ("3. Existing infrastructure", _infrastructure_answer),
    ("4. Testing strategy", _testing_answer),
    ("5. Code review", _review_answer),
    ("6. Documentation", _documentation_answer),
    ("7. Compliance", _compliance_answer),
)


def _key_questions(plan: Plan) -> list[str]:
    """The Key Questions Answered section, one subsection per question."""
    lines = ["## Key Questions Answered"]
    for heading, answer in KEY_QUESTIONS:
        lines += ["", f"### {heading}", "", *answer(plan)]
    return lines


def _review_checklist(plan: Plan) -> list[str]:
    """The Code Review Checklist section for these answers."""
    items = review_checklist(plan.answers)
    return ["## Code Review Checklist", "", *(f"- [ ] {i}" for i in items)]


def _testing(plan: Plan) -> list[str]:
    """The Testing Requirements section: a target and owner per level in scope."""
    a = plan.answers
    metric = _metric(a)
    targets = {
        "unit": (f"{a.coverage_target}%+ line coverage per package", "Developer"),
        "integration": ("Key paths: raw data to a served prediction", "Team"),
        "performance": (
            f"SLA validation: p95 at most {a.latency_slo_p95_ms} ms at "
            f"{a.throughput_slo_rps} requests per second",
            "Team",
        ),
        "model": (
            f"Baseline beat by {a.baseline_margin * 100:g}% on {metric}, overall and "
            "per slice",
            "Data Scientist",
        ),
        "chaos": ("Failure modes: registry down, bad input, slow dependencies", "Team"),
    }
    rows = [
        [TEST_LEVEL_NAMES[level], cell(targets[level][0]), targets[level][1]]
        for level in TEST_LEVEL_NAMES
        if level in a.test_levels
    ]
    skipped = [
        TEST_LEVEL_NAMES[level]
        for level in TEST_LEVEL_NAMES
        if level not in a.test_levels
    ]
    lines = [
        "## Testing Requirements",
        "",
        *table(["Level", "Coverage Target", "Responsibility"], rows),
    ]
    if skipped:
        lines += ["", f"Not in scope for this use case: {', '.join(skipped)} tests."]
    return lines


def _documentation(plan: Plan) -> list[str]:
    """The Documentation Requirements section as a checklist."""
    up = "../" * len(plan.project.plan_dir.split("/"))
    readmes = ", ".join(
        f"[{COMPONENT_NAMES[k]}]({up}{COMPONENT_FOLDERS[k]}/README.md)"
        for k in COMPONENTS
    )
    items = [f"README for each component: {readmes}"]
    docs = plan.answers.documentation
    items.append(
        "API documentation: the API reference of every endpoint"
        if "api_reference" in docs
        else "API documentation: the OpenAPI schema served by the service"
    )
    items += [
        "Runbook updates for every alert and failure mode",
        "Architecture decision records for every significant choice",
    ]
    if needs_model_card(docs, plan.answers.compliance):
        items.append("Model card, updated with every promoted version")
    if "data_dictionary" in docs:
        items.append("Data dictionary of raw columns and features")
    return ["## Documentation Requirements", "", *(f"- [ ] {i}" for i in items)]


def render_markdown(
    plan: Plan,
    analysis: Analysis | None = None,
    *,
    baseline: Baseline | None = None,
    record: Record | None = None,
) -> str:
    """The whole implementation plan as Markdown text ending in one newline.

    `record` is the last `plan verify` (plan/verification.yaml); without one, the
    tests linked to each criterion are shown as the tests that will verify it.
    """
    a = analysis or analyse(plan)
    p = plan.project
    lines = [
        f"# Implementation Plan: {text(p.name)} ({text(p.use_case_id)})",
        "",
        f"> Rendered from `plan/tasks.yaml`; edit that file, then run `make plan` "
        f"(`{p.cli} plan render`) to update this plan and `make plan-check` to "
        "check it.",
        "",
    ]
    kind = PROBLEM_TYPE_NAMES.get(p.problem_type, text(p.problem_type))
    if p.description.strip():
        lines += [
            f"{text(end_sentence(p.description))} A {kind} model predicts "
            f"{code(p.target_column)}.",
            "",
        ]
    lines += [*_overview(plan, a, baseline), ""]
    lines += [*_phases(plan, a), ""]
    lines += ["## Detailed Task Breakdown", ""]
    for key in COMPONENTS:
        lines += _component(plan, a, key, record)
    lines += [*_dependencies(plan, a), ""]
    lines += [*_milestones(plan, a), ""]
    lines += [*_team_calendar(plan, a), ""]
    lines += [*_risks(a), *_risk_exposure(plan, a), ""]
    lines += [*_gates(plan, record), ""]
    lines += [*_key_questions(plan), ""]
    lines += [*_review_checklist(plan), ""]
    lines += [*_testing(plan), ""]
    lines += _documentation(plan)
    return "\n".join(lines) + "\n"
