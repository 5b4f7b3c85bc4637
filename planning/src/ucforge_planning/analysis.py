"""What the plan implies: schedule, forecast, milestones and schedule risks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

from .availability import Availability
from .model import COMPONENT_NAMES, COMPONENTS, WEEKDAYS, Member, Plan, Risk, Task
from .schedule import Schedule, percentile, simulate_makespans
from .search import improve
from .vocabulary import METRIC_NAMES, ROLES, role_name
from .workdays import WorkCalendar, holidays_between, public_holidays

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
    # Each member's share of each working day, by handle.
    availability: dict[str, Availability] = field(default_factory=dict)
    # The public holidays on weekdays from the start to the last date shown.
    holidays: tuple[tuple[dt.date, str], ...] = ()

    def task_dates(self, task_id: str) -> tuple[dt.date, dt.date]:
        """First and last working day of a task."""
        slot = self.schedule.slots[task_id]
        return (
            self.calendar.start_date(slot.start),
            self.calendar.end_date(slot.start, slot.finish),
        )


def share(plan: Plan, member: Member) -> float:
    """The share of each working day a member gives plan work: their capacity
    times the team's focus factor."""
    return member.capacity * plan.calendar.focus_factor


def work_calendar(plan: Plan) -> WorkCalendar:
    """The team's working days: weekdays less days off and public holidays."""
    c = plan.calendar
    return WorkCalendar(c.start, c.non_working_days, public_holidays(c.public_holidays))


def _horizon(plan: Plan) -> int:
    """Working days within which every task is done, whatever the order.

    All the work in a row at the slowest member's pace, plus every day away.
    """
    pace = min(share(plan, m) * len(m.weekdays) / len(WEEKDAYS) for m in plan.team)
    work = sum(t.estimate.likely for t in plan.tasks)
    away = sum((a.end - a.start).days + 1 for m in plan.team for a in m.absences)
    return math.ceil(work / pace) + away + 10


def member_availability(plan: Plan, calendar: WorkCalendar) -> dict[str, Availability]:
    """Each member's share of each working day: nothing on a day away or on a
    weekday they do not work, their share of the day otherwise."""
    found = {}
    horizon = 0
    for member in plan.team:
        days: dict[int, float] = {}
        if set(member.weekdays) != set(WEEKDAYS):
            horizon = horizon or _horizon(plan)
            free = {WEEKDAYS.index(d) for d in WEEKDAYS if d not in member.weekdays}
            for index in range(horizon):
                if calendar.day(index).weekday() in free:
                    days[index] = 0.0
        for absence in member.absences:
            day = absence.start
            while day <= absence.end:
                away = calendar.index_of(day)
                if away is not None:
                    days[away] = 0.0
                day += dt.timedelta(days=1)
        found[member.handle] = Availability(share(plan, member), days)
    return found


def _schedule(
    plan: Plan,
    graph: dict[str, tuple[str, ...]],
    availability: dict[str, Availability],
) -> Schedule:
    """The plan's tasks on their owners at likely estimates, each member at their
    share of each day; the best of a bounded search (search.improve).

    When members' days differ (shares, weekdays, absences), the schedule for a
    full share of every day is tried too: timed on the real days, it can only
    end later if there is less time, so more capacity never finishes later than
    that schedule does.
    """
    tasks = {t.id: t for t in plan.tasks}
    owners = {t.id: [t.owner] for t in plan.tasks}

    def work(task_id: str, _owner: str) -> float:
        return tasks[task_id].estimate.likely

    steady = {(a.share, a.steady) for a in availability.values()}
    seeds = (
        ()
        if len(steady) == 1 and next(iter(steady))[1]
        else (improve(graph, owners, work),)
    )
    return improve(graph, owners, work, availability=availability, seeds=seeds)


def plan_schedule(plan: Plan) -> Schedule:
    """The schedule the plan shows, without the forecast."""
    calendar = work_calendar(plan)
    graph = {t.id: t.depends_on for t in plan.tasks}
    return _schedule(plan, graph, member_availability(plan, calendar))


def _duration_ranges(
    plan: Plan, schedule: Schedule, availability: dict[str, Availability]
) -> dict[str, tuple[float, float, float]]:
    """Each task's three-point duration in working days; fixed when done.

    A task takes as long, per day of likely work, as it does in the schedule:
    its owner's share of a day, and the days they are away while on it.
    """
    ranges = {}
    for task in plan.tasks:
        e, slot = task.estimate, schedule.slots[task.id]
        if e.likely > 0:
            stretch = (slot.finish - slot.start) / e.likely
        else:
            stretch = 1 / availability[task.owner].share
        if task.status == "DONE":
            ranges[task.id] = (e.likely * stretch,) * 3
        else:
            ranges[task.id] = (
                e.optimistic * stretch,
                e.likely * stretch,
                e.pessimistic * stretch,
            )
    return ranges


def analyse(plan: Plan) -> Analysis:
    """Schedule the plan's tasks on its team and forecast the finish."""
    calendar = work_calendar(plan)
    availability = member_availability(plan, calendar)
    graph = {t.id: t.depends_on for t in plan.tasks}
    schedule = _schedule(plan, graph, availability)
    # The forecast replays the schedule with each task stretched as in the
    # schedule; a replay that takes finish functions by handle can use
    # {h: a.finish for h, a in availability.items()} and the work instead.
    makespans = simulate_makespans(
        schedule,
        graph,
        _duration_ranges(plan, schedule, availability),
        plan.forecast.runs,
        plan.forecast.seed,
    )
    target_index = calendar.last_index_on_or_before(plan.calendar.target)
    on_time = sum(1 for m in makespans if m <= target_index + 1 + 1e-9)
    spans = {
        key: _span(calendar, schedule, [t.id for t in plan.tasks if t.component == key])
        for key in COMPONENTS
    }
    p80 = percentile(makespans, 0.8)
    last = calendar.end_date(0.0, max(schedule.makespan, p80))
    computed = Analysis(
        calendar,
        schedule,
        finish=calendar.end_date(0.0, schedule.makespan),
        p50=calendar.end_date(0.0, percentile(makespans, 0.5)),
        p80=calendar.end_date(0.0, p80),
        on_time_probability=on_time / len(makespans) if makespans else 1.0,
        target_index=target_index,
        spans=spans,
        milestones=(),
        risks=(),
        availability=availability,
        holidays=tuple(
            holidays_between(
                plan.calendar.public_holidays,
                plan.calendar.start,
                max(last, plan.calendar.target),
            )
        ),
    )
    return dataclasses.replace(
        computed,
        milestones=_milestones(plan, computed),
        risks=_risks(plan, computed),
    )


def _span(calendar: WorkCalendar, schedule: Schedule, ids: list[str]) -> Span:
    """The span of these tasks in the schedule; an empty span on day 0 if none."""
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
    """The first ids, then how many more: 'DP-01, DP-02 and 3 more'."""
    shown = ", ".join(ids[:limit])
    return shown + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


# A milestone with what orders it: its date, then its rank among same-day ones.
_Dated = tuple[dt.date, int, Milestone]


def _phase_milestones(plan: Plan, a: Analysis) -> list[_Dated]:
    """One milestone per component with tasks: all done, its gates passed."""
    gates_by_scope: dict[str, list[str]] = {}
    for gate in plan.gates:
        gates_by_scope.setdefault(gate.scope, []).append(gate.name)
    found = []
    for order, key in enumerate(COMPONENTS):
        ids = [t.id for t in plan.tasks if t.component == key]
        if not ids:
            continue
        gates = gates_by_scope.get(key, [])
        criteria = f"All {len(ids)} {COMPONENT_NAMES[key]} tasks done"
        criteria += f"; gates passed: {', '.join(gates)}" if gates else ""
        day = a.spans[key].last_day
        name = f"{COMPONENT_NAMES[key]} complete"
        found.append((day, order, Milestone(name, day, criteria)))
    return found


def _baseline_milestone(plan: Plan, a: Analysis) -> list[_Dated]:
    """The day the evaluation tasks end and the model must beat the baseline."""
    evaluation = [
        t.id
        for t in plan.tasks
        if t.component == "model_development" and t.category == "Evaluation"
    ]
    if not evaluation:
        return []
    day = max(a.task_dates(i)[1] for i in evaluation)
    metric = METRIC_NAMES.get(plan.answers.primary_metric, plan.answers.primary_metric)
    margin = f"{plan.answers.baseline_margin * 100:g}%"
    criteria = (
        f"{metric} on the holdout at least {margin} better than the "
        f"baseline ({_ids_text(evaluation)})"
    )
    return [(day, -1, Milestone("Candidate model beats the baseline", day, criteria))]


def _deadline_milestones(plan: Plan, a: Analysis) -> list[_Dated]:
    """One milestone per hard deadline, with the forecast against it."""
    return [
        (
            d.date,
            10,
            Milestone(
                d.name, d.date, _deadline_criteria(plan, a, d.date, list(d.tasks))
            ),
        )
        for d in plan.deadlines
    ]


def _target_milestone(plan: Plan, a: Analysis) -> list[_Dated]:
    """The target date: the release-readiness review, with the forecast finish."""
    target = plan.calendar.target
    criteria = (
        "Release-readiness review passed: every quality gate green, use-case "
        f"owner sign-off (forecast: likely {a.finish}, P80 {a.p80})"
    )
    return [(target, 20, Milestone("Target completion", target, criteria))]


_MILESTONE_RULES = (
    _phase_milestones,
    _baseline_milestone,
    _deadline_milestones,
    _target_milestone,
)


def _milestones(plan: Plan, a: Analysis) -> tuple[Milestone, ...]:
    """Every milestone of the plan, by date."""
    found = [item for rule in _MILESTONE_RULES for item in rule(plan, a)]
    found.sort(key=lambda item: (item[0], item[1]))
    return tuple(item[2] for item in found)


def _deadline_criteria(plan: Plan, a: Analysis, date: dt.date, ids: list[str]) -> str:
    """What a hard deadline checks, with the forecast for it."""
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


def _name(plan: Plan, handle: str) -> str:
    """The member's name, or the handle when no member has it."""
    member = plan.member(handle)
    return member.name if member else handle


def _article(noun: str) -> str:
    """The indefinite article for the noun: 'an' or 'a'."""
    return "an" if noun[:1] in "aeiouAEIOU" or noun.startswith("ML") else "a"


def _target_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk when the median or the P80 forecast falls after the target date."""
    target = plan.calendar.target
    critical = _ids_text(list(a.schedule.critical_path))
    chance = f"{a.on_time_probability:.0%}"
    if a.p50 > target:
        return [
            Risk(
                f"The target date {target} is unlikely to be met with this team and "
                f"scope: P50 {a.p50}, P80 {a.p80}, {chance} chance of finishing by "
                f"the target (likely estimates alone give {a.finish})",
                "H",
                "H",
                f"Agree a new target of {a.p80} (P80) with the use-case owner, or "
                f"cut or defer scope on the critical path ({critical}), or add "
                "people for the roles on it",
            )
        ]
    if a.p80 > target:
        return [
            Risk(
                f"The target date {target} is at risk: P50 {a.p50}, P80 {a.p80}, "
                f"{chance} chance of finishing by the target",
                "M",
                "H",
                f"Protect the critical path ({critical}): no side work for its "
                "owners, and re-forecast each sprint",
            )
        ]
    return []


def _deadline_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk for each deadline whose tasks finish after it by forecast."""
    found = []
    for deadline in plan.deadlines:
        if not deadline.tasks:
            continue
        last = max(a.task_dates(i)[1] for i in deadline.tasks)
        if last > deadline.date:
            found.append(
                Risk(
                    f"The deadline {deadline.name} ({deadline.date}) is missed: "
                    f"its tasks finish on {last} by forecast",
                    "H",
                    "H",
                    f"Start {_ids_text(list(deadline.tasks))} first, reduce their "
                    "scope, or move the deadline with the stakeholders",
                )
            )
    return found


def _key_person_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk when one person is the team or owns most of the critical path."""
    if len(plan.team) == 1:
        return [
            Risk(
                f"Key-person risk: {plan.team[0].name} is the whole team and owns "
                "every task; illness, leave or departure stops the use case",
                "M",
                "H",
                "Write runbooks and ADRs as you go, name a backup reviewer outside "
                "the team, and keep tasks small enough to hand over",
            )
        ]
    critical = a.schedule.critical_path
    owners: dict[str, int] = {}
    for task_id in critical:
        owner = a.schedule.slots[task_id].owner
        owners[owner] = owners.get(owner, 0) + 1
    return [
        _critical_owner_risk(_name(plan, handle), count, len(critical))
        for handle, count in sorted(owners.items())
        if len(critical) >= 4 and count / len(critical) > 0.6
    ]


def _critical_owner_risk(name: str, count: int, length: int) -> Risk:
    """The risk that one member owns most of the critical path."""
    return Risk(
        f"Key-person risk: {name} owns {count} of the {length} critical-path tasks",
        "M",
        "H",
        f"Pair another member with {name} on the critical path and "
        "hand over the next critical task if they are away",
    )


def _missing_role_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk for each role with tasks but no member in the team."""
    roles_present = {m.role for m in plan.team}
    found = []
    for role in ROLES:
        borrowed = [t for t in plan.tasks if t.role == role]
        if borrowed and role not in roles_present:
            found.append(_missing_role_risk(plan, role, borrowed))
    return found


def _blocked_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk naming the blocked tasks, when there are any."""
    blocked = [t.id for t in plan.tasks if t.status == "BLOCKED"]
    if not blocked:
        return []
    return [
        Risk(
            f"{len(blocked)} task(s) blocked: {_ids_text(blocked)}",
            "H",
            "M",
            "Name the blocker and its owner at the next stand-up and escalate "
            "to the use-case owner if it is not cleared within two days",
        )
    ]


def _junior_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk when most of the team is junior."""
    juniors = [m for m in plan.team if m.expertise == "junior"]
    if len(juniors) * 2 <= len(plan.team):
        return []
    return [
        Risk(
            "Most of the team is junior: estimates are wider and reviews slower",
            "M",
            "M",
            "Pair juniors with a senior reviewer, keep tasks small and "
            "re-estimate after the first sprint",
        )
    ]


# The schedule risks a render adds, in the order they are listed before sorting.
_RISK_RULES = (
    _target_risks,
    _deadline_risks,
    _key_person_risks,
    _missing_role_risks,
    _blocked_risks,
    _junior_risks,
)


def _risks(plan: Plan, a: Analysis) -> tuple[Risk, ...]:
    """The schedule risks and the plan's own, highest impact and likelihood first."""
    ordered = [risk for rule in _RISK_RULES for risk in rule(plan, a)]
    ordered += plan.risks
    ordered.sort(key=lambda r: (LEVEL_ORDER[r.impact], LEVEL_ORDER[r.likelihood]))
    return tuple(ordered)


def _missing_role_risk(plan: Plan, role: str, tasks: list[Task]) -> Risk:
    """The risk that a role's tasks go to members outside that role."""
    owners = sorted({t.owner for t in tasks})
    names = [_name(plan, h) for h in owners]
    effort = sum(t.estimate.likely for t in tasks)
    return Risk(
        f"No {role_name(role)} in the team: {len(tasks)} tasks "
        f"({effort:g} days) go to {', '.join(names)}",
        "M",
        "M",
        "Estimates include x1.25 for work outside one's role; borrow "
        f"{_article(role_name(role))} {role_name(role)} for "
        f"{_ids_text([t.id for t in tasks], 4)}, or pair with one from another team",
    )
