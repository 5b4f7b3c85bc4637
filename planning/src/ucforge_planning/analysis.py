"""What the plan implies: schedule, forecast, milestones and schedule risks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .model import COMPONENT_NAMES, COMPONENTS, Plan, Risk, Task
from .schedule import Schedule, list_schedule, percentile, simulate_makespans
from .vocabulary import METRIC_NAMES, ROLES
from .workdays import WorkCalendar

LEVEL_ORDER = {"H": 0, "M": 1, "L": 2}


@dataclass(frozen=True)
class Milestone:
    """A dated milestone with its success criteria."""

    name: str
    date: dt.date
    criteria: str


@dataclass(frozen=True)
class Span:
    """Working-day offsets and dates of a group of tasks.

    `working_days` counts the working days from the first day to the last, both
    included: the days a reader counts between the dates shown.
    """

    start: float
    finish: float
    first_day: dt.date
    last_day: dt.date
    working_days: int


@dataclass(frozen=True)
class Analysis:
    """The computed side of a plan."""

    calendar: WorkCalendar
    schedule: Schedule
    finish: dt.date
    p50: dt.date
    p80: dt.date
    on_time_probability: float
    target_index: int
    spans: dict[str, Span]
    milestones: tuple[Milestone, ...]
    risks: tuple[Risk, ...]

    def task_dates(self, task_id: str) -> tuple[dt.date, dt.date]:
        """First and last working day of a task."""
        slot = self.schedule.slots[task_id]
        return (
            self.calendar.start_date(slot.start),
            self.calendar.end_date(slot.start, slot.finish),
        )


def analyse(plan: Plan) -> Analysis:
    """Schedule the plan's tasks on its team and forecast the finish."""
    calendar = WorkCalendar(plan.calendar.start, plan.calendar.non_working_days)
    capacity = {m.handle: m.capacity for m in plan.team}
    tasks = {t.id: t for t in plan.tasks}
    graph = {t.id: t.depends_on for t in plan.tasks}
    schedule = list_schedule(
        graph,
        {t.id: [t.owner] for t in plan.tasks},
        lambda task_id, owner: tasks[task_id].estimate.likely / capacity[owner],
    )
    ranges = {}
    for task in plan.tasks:
        e, share = task.estimate, capacity[task.owner]
        if task.status == "DONE":
            ranges[task.id] = (e.likely / share,) * 3
        else:
            ranges[task.id] = (
                e.optimistic / share,
                e.likely / share,
                e.pessimistic / share,
            )
    makespans = simulate_makespans(
        schedule, graph, ranges, plan.forecast.runs, plan.forecast.seed
    )
    target_index = calendar.last_index_on_or_before(plan.calendar.target)
    on_time = sum(1 for m in makespans if m <= target_index + 1 + 1e-9)
    spans = {
        key: _span(calendar, schedule, [t.id for t in plan.tasks if t.component == key])
        for key in COMPONENTS
    }
    finish = calendar.end_date(0.0, schedule.makespan)
    p50 = calendar.end_date(0.0, percentile(makespans, 0.5))
    p80 = calendar.end_date(0.0, percentile(makespans, 0.8))
    probability = on_time / len(makespans) if makespans else 1.0
    partial = Analysis(
        calendar, schedule, finish, p50, p80, probability, target_index, spans, (), ()
    )
    return Analysis(
        calendar,
        schedule,
        finish,
        p50,
        p80,
        probability,
        target_index,
        spans,
        _milestones(plan, partial),
        _risks(plan, partial),
    )


def _span(calendar: WorkCalendar, schedule: Schedule, ids: list[str]) -> Span:
    if not ids:
        day = calendar.day(0)
        return Span(0.0, 0.0, day, day, 0)
    start = min(schedule.slots[i].start for i in ids)
    finish = max(schedule.slots[i].finish for i in ids)
    first, last = calendar.start_date(start), calendar.end_date(start, finish)
    count = (
        calendar.last_index_on_or_before(last)
        - calendar.last_index_on_or_before(first)
        + 1
    )
    return Span(start, finish, first, last, count)


def _ids_text(ids: list[str], limit: int = 6) -> str:
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _milestones(plan: Plan, a: Analysis) -> tuple[Milestone, ...]:
    found: list[tuple[dt.date, int, Milestone]] = []
    gates_by_scope: dict[str, list[str]] = {}
    for gate in plan.gates:
        gates_by_scope.setdefault(gate.scope, []).append(gate.name)
    for order, key in enumerate(COMPONENTS):
        ids = [t.id for t in plan.tasks if t.component == key]
        if not ids:
            continue
        gates = gates_by_scope.get(key, [])
        criteria = f"All {len(ids)} {COMPONENT_NAMES[key]} tasks done"
        criteria += f"; gates passed: {', '.join(gates)}" if gates else ""
        found.append(
            (
                a.spans[key].last_day,
                order,
                Milestone(
                    f"{COMPONENT_NAMES[key]} complete", a.spans[key].last_day, criteria
                ),
            )
        )
    evaluation = [
        t.id
        for t in plan.tasks
        if t.component == "model_development" and t.category == "Evaluation"
    ]
    if evaluation:
        day = max(a.task_dates(i)[1] for i in evaluation)
        metric = METRIC_NAMES.get(
            plan.answers.primary_metric, plan.answers.primary_metric
        )
        margin = f"{plan.answers.baseline_margin * 100:g}%"
        found.append(
            (
                day,
                -1,
                Milestone(
                    "Candidate model beats the baseline",
                    day,
                    f"{metric} on the holdout at least {margin} better than the "
                    f"baseline ({_ids_text(evaluation)})",
                ),
            )
        )
    for deadline in plan.deadlines:
        found.append(
            (
                deadline.date,
                10,
                Milestone(
                    deadline.name,
                    deadline.date,
                    _deadline_criteria(plan, a, deadline.date, list(deadline.tasks)),
                ),
            )
        )
    found.append(
        (
            plan.calendar.target,
            20,
            Milestone(
                "Target completion",
                plan.calendar.target,
                "Release-readiness review passed: every quality gate green, use-case "
                f"owner sign-off (forecast: likely {a.finish}, P80 {a.p80})",
            ),
        )
    )
    found.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in found)


def _deadline_criteria(plan: Plan, a: Analysis, date: dt.date, ids: list[str]) -> str:
    if ids:
        last = max(a.task_dates(i)[1] for i in ids)
        verdict = "on track" if last <= date else f"late, forecast {last}"
        return f"Hard deadline: {_ids_text(ids)} done ({verdict})"
    done = [
        COMPONENT_NAMES[key]
        for key in COMPONENTS
        if any(t.component == key for t in plan.tasks) and a.spans[key].last_day <= date
    ]
    if done:
        return f"Hard deadline; forecast by then: {', '.join(done)} complete"
    finished = [t for t in plan.tasks if a.task_dates(t.id)[1] <= date]
    return (
        f"Hard deadline; forecast by then: {len(finished)} of {len(plan.tasks)} "
        "tasks done, no phase complete"
    )


def _role_name(role: str) -> str:
    words = {"ml": "ML", "mlops": "MLOps"}
    return " ".join(words.get(w, w) for w in role.split("_"))


def _name(plan: Plan, handle: str) -> str:
    member = plan.member(handle)
    return member.name if member else handle


def _article(noun: str) -> str:
    return "an" if noun[:1] in "aeiouAEIOU" or noun.startswith("ML") else "a"


def _risks(plan: Plan, a: Analysis) -> tuple[Risk, ...]:
    derived: list[Risk] = []
    target = plan.calendar.target
    critical = list(a.schedule.critical_path)
    chance = f"{a.on_time_probability:.0%}"
    if a.p50 > target:
        derived.append(
            Risk(
                f"The target date {target} is unlikely to be met with this team and "
                f"scope: P50 {a.p50}, P80 {a.p80}, {chance} chance of finishing by "
                f"the target (likely estimates alone give {a.finish})",
                "H",
                "H",
                f"Agree a new target of {a.p80} (P80) with the use-case owner, or "
                "cut or defer scope on the critical path "
                f"({_ids_text(critical)}), or add people for the roles on it",
            )
        )
    elif a.p80 > target:
        derived.append(
            Risk(
                f"The target date {target} is at risk: P50 {a.p50}, P80 {a.p80}, "
                f"{chance} chance of finishing by the target",
                "M",
                "H",
                "Protect the critical path "
                f"({_ids_text(critical)}): no side work for its owners, and "
                "re-forecast each sprint",
            )
        )
    for deadline in plan.deadlines:
        if deadline.tasks:
            last = max(a.task_dates(i)[1] for i in deadline.tasks)
            if last > deadline.date:
                derived.append(
                    Risk(
                        f"The deadline {deadline.name} ({deadline.date}) is missed: "
                        f"its tasks finish on {last} by forecast",
                        "H",
                        "H",
                        f"Start {_ids_text(list(deadline.tasks))} first, reduce their "
                        "scope, or move the deadline with the stakeholders",
                    )
                )
    if len(plan.team) == 1:
        only = plan.team[0]
        derived.append(
            Risk(
                f"Key-person risk: {only.name} is the whole team and owns every "
                "task; illness, leave or departure stops the use case",
                "M",
                "H",
                "Write runbooks and ADRs as you go, name a backup reviewer outside "
                "the team, and keep tasks small enough to hand over",
            )
        )
    else:
        owners: dict[str, int] = {}
        for task_id in critical:
            owner = a.schedule.slots[task_id].owner
            owners[owner] = owners.get(owner, 0) + 1
        for handle, count in sorted(owners.items()):
            if len(critical) >= 4 and count / len(critical) > 0.6:
                name = _name(plan, handle)
                derived.append(
                    Risk(
                        f"Key-person risk: {name} owns {count} of the "
                        f"{len(critical)} critical-path tasks",
                        "M",
                        "H",
                        f"Pair another member with {name} on the critical path and "
                        "hand over the next critical task if they are away",
                    )
                )
    roles_present = {m.role for m in plan.team}
    for role in ROLES:
        borrowed = [t for t in plan.tasks if t.role == role]
        if borrowed and role not in roles_present:
            derived.append(_missing_role_risk(plan, role, borrowed))
    blocked = [t.id for t in plan.tasks if t.status == "BLOCKED"]
    if blocked:
        derived.append(
            Risk(
                f"{len(blocked)} task(s) blocked: {_ids_text(blocked)}",
                "H",
                "M",
                "Name the blocker and its owner at the next stand-up and escalate "
                "to the use-case owner if it is not cleared within two days",
            )
        )
    juniors = [m for m in plan.team if m.expertise == "junior"]
    if len(juniors) * 2 > len(plan.team):
        derived.append(
            Risk(
                "Most of the team is junior: estimates are wider and reviews slower",
                "M",
                "M",
                "Pair juniors with a senior reviewer, keep tasks small and "
                "re-estimate after the first sprint",
            )
        )
    ordered = derived + list(plan.risks)
    ordered.sort(key=lambda r: (LEVEL_ORDER[r.impact], LEVEL_ORDER[r.likelihood]))
    return tuple(ordered)


def _missing_role_risk(plan: Plan, role: str, tasks: list[Task]) -> Risk:
    owners = sorted({t.owner for t in tasks})
    names = [_name(plan, h) for h in owners]
    effort = sum(t.estimate.likely for t in tasks)
    return Risk(
        f"No {_role_name(role)} in the team: {len(tasks)} tasks "
        f"({effort:g} days) go to {', '.join(names)}",
        "M",
        "M",
        "Estimates include x1.25 for work outside one's role; borrow "
        f"{_article(_role_name(role))} {_role_name(role)} for "
        f"{_ids_text([t.id for t in tasks], 4)}, or pair with one from another team",
    )
