"""What the plan implies: schedule, forecast, milestones and schedule risks."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from dataclasses import dataclass, field

from .availability import Availability
from .errors import PlanError
from .model import COMPONENT_NAMES, COMPONENTS, WEEKDAYS, Member, Plan, Risk, Task
from .schedule import (
    FinishFunction,
    SampledRisk,
    Schedule,
    Slot,
    percentile,
    simulate,
)
from .search import improve
from .vocabulary import METRIC_NAMES, ROLES, role_name
from .workdays import WorkCalendar, holidays_between, public_holidays

LEVEL_ORDER = {"H": 0, "M": 1, "L": 2}


def chance_text(share: float) -> str:
    """A share of forecast runs as a percentage that never overstates: '43%'.

    '100%' only when every run made it and '0%' only when none did: a share
    above 99% reads 'over 99%', one below 1% 'under 1%'; others round to the
    nearest percent.
    """
    if 0.99 < share < 1:
        return "over 99%"
    if 0 < share < 0.01:
        return "under 1%"
    percent = math.floor(share * 100 + 0.5)
    return f"{percent}%"


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
    # The re-forecast: the day it is made from (None: from the start, no actuals),
    # as a working-day offset, the tasks that are late against the plan from the
    # start, each task's criticality index and the forecast without sampled risks.
    status_date: dt.date | None = None
    now: float = 0.0
    late: tuple[str, ...] = ()
    criticality: dict[str, float] = field(default_factory=dict)
    p50_without_risks: dt.date | None = None
    p80_without_risks: dt.date | None = None
    planned: Schedule | None = None

    def planned_dates(self, task_id: str) -> tuple[dt.date, dt.date]:
        """First and last working day of a task in the plan from the start."""
        slot = (self.planned or self.schedule).slots[task_id]
        return (
            self.calendar.start_date(slot.start),
            self.calendar.end_date(slot.start, slot.finish),
        )

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


# An in-progress task still needs at least this share of each point of its
# estimate, however long it has been worked on.
REMAINING_FLOOR = 0.2


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
    progress: _Progress | None = None,
) -> Schedule:
    """The plan's tasks on their owners at likely estimates, each member at their
    share of each day; the best of a bounded search (search.improve). With
    progress, work done and started is kept and the rest starts from now.

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
    return improve(
        graph,
        owners,
        work,
        availability=availability,
        seeds=seeds,
        release=progress.release if progress else None,
        pinned=progress.pinned if progress else None,
    )


def plan_schedule(plan: Plan) -> Schedule:
    """The schedule the plan shows, without the forecast."""
    calendar = work_calendar(plan)
    graph = {t.id: t.depends_on for t in plan.tasks}
    return _schedule(plan, graph, member_availability(plan, calendar))


def _finish_functions(
    availability: dict[str, Availability],
) -> dict[str, FinishFunction]:
    """When work started at a time is done, for each member of the team."""
    return {handle: a.finish for handle, a in availability.items()}


def _work_ranges(plan: Plan) -> dict[str, tuple[float, float, float]]:
    """Each task's three-point work in person-days; a done task's is its likely."""
    ranges = {}
    for t in plan.tasks:
        e = t.estimate
        if t.status == "DONE":
            ranges[t.id] = (e.likely, e.likely, e.likely)
        else:
            ranges[t.id] = (e.optimistic, e.likely, e.pessimistic)
    return ranges


@dataclass(frozen=True)
class _Progress:
    """What the actual dates fix in a re-forecast made at offset `now`."""

    now: float
    pinned: dict[str, Slot]
    release: dict[str, float]
    done: tuple[str, ...]
    work: dict[str, tuple[float, float, float]]


def status_day(plan: Plan, as_of: dt.date | None = None) -> dt.date | None:
    """The day the forecast is made from: `as_of`, calendar.status_date, or the
    latest actual date recorded; None when there is none (plan from the start)."""
    if as_of is not None:
        return as_of
    if plan.calendar.status_date is not None:
        return plan.calendar.status_date
    recorded = [d for t in plan.tasks for d in (t.started, t.finished) if d]
    return max(recorded, default=None)


def _offset(calendar: WorkCalendar, day: dt.date) -> float:
    """The offset at which working day `day` (or the next working day) begins."""
    return float(calendar.last_index_on_or_before(day - dt.timedelta(days=1)) + 1)


def _worked(finish: FinishFunction, start: float, end: float) -> float:
    """Person-days a person gives the plan between two offsets: the most work that
    `finish` has done by `end` (nobody gives more than a full day a day)."""
    low, high = 0.0, max(end - start, 0.0)
    if finish(start, high) <= end + 1e-9:
        return high
    for _ in range(40):
        middle = (low + high) / 2
        if finish(start, middle) <= end + 1e-9:
            low = middle
        else:
            high = middle
    return low


def _progress(
    plan: Plan,
    calendar: WorkCalendar,
    as_of: dt.date,
    availability: dict[str, Availability],
) -> _Progress:
    """Done tasks at their actual dates, started ones from their start with the
    work that remains, everything else released at the status date."""
    now = _offset(calendar, as_of)
    finish = _finish_functions(availability)
    pinned: dict[str, Slot] = {}
    release: dict[str, float] = {}
    done: list[str] = []
    work = _work_ranges(plan)
    started: list[Task] = []
    for t in plan.tasks:
        for key, day in (("started", t.started), ("finished", t.finished)):
            if day is not None and day > as_of:
                raise PlanError(
                    f"task {t.id}.{key} ({day}) is after the status date {as_of}; "
                    "report progress as of a later date"
                )
        if t.status == "DONE" and t.started and t.finished:
            start = _offset(calendar, t.started)
            end = calendar.last_index_on_or_before(t.finished) + 1.0
            pinned[t.id] = Slot(t.id, t.owner, start, max(start, end))
            done.append(t.id)
            continue
        if t.status == "DONE":
            # Done on a day nobody recorded: nothing of it is left to do from now.
            pinned[t.id] = Slot(t.id, t.owner, now, now)
            done.append(t.id)
            continue
        release[t.id] = now
        if t.started is not None:
            started.append(t)
    # A person's started tasks share the days worked since they started, and
    # what remains of them is done one after the other, earliest started first.
    started.sort(key=lambda t: t.started or as_of)
    sharing = {t.owner: sum(1 for u in started if u.owner == t.owner) for t in started}
    free = dict.fromkeys(sharing, now)
    for t in started:
        start = min(_offset(calendar, t.started or as_of), now)
        spent = _worked(finish[t.owner], start, now) / sharing[t.owner]
        left = tuple(max(x - spent, REMAINING_FLOOR * x) for x in work[t.id])
        work[t.id] = (left[0], left[1], left[2])
        end = finish[t.owner](free[t.owner], left[1])
        free[t.owner] = end
        pinned[t.id] = Slot(t.id, t.owner, start, end)
    return _Progress(now, pinned, release, tuple(done), work)


def _late(plan: Plan, planned: Schedule, progress: _Progress) -> tuple[str, ...]:
    """Tasks not done that should have started, or finished, by the status date."""
    late = []
    for t in plan.tasks:
        if t.id in progress.done:
            continue
        slot = planned.slots[t.id]
        due = slot.start if t.started is None else slot.finish
        if due < progress.now - 1e-9:
            late.append(t.id)
    return tuple(late)


def _sampled_risks(plan: Plan) -> list[SampledRisk]:
    """The plan's risks that carry a probability and an impact in working days."""
    return [
        SampledRisk(
            r.probability,
            (r.impact_days.optimistic, r.impact_days.likely, r.impact_days.pessimistic),
            r.delays,
        )
        for r in plan.risks
        if r.probability is not None and r.impact_days is not None
    ]


def analyse(plan: Plan, as_of: dt.date | None = None) -> Analysis:
    """Schedule the plan's tasks on its team and forecast the finish.

    With a status date (`as_of`, else calendar.status_date, else the latest
    actual date in the plan) the forecast starts from it: done tasks at their
    actual dates, started ones with the work that remains, the rest not before.
    """
    calendar = work_calendar(plan)
    availability = member_availability(plan, calendar)
    graph = {t.id: t.depends_on for t in plan.tasks}
    day = status_day(plan, as_of)
    progress = _progress(plan, calendar, day, availability) if day is not None else None
    schedule = _schedule(plan, graph, availability, progress)
    late: tuple[str, ...] = ()
    planned = None
    if progress is not None:
        planned = _schedule(plan, graph, availability)
        late = _late(plan, planned, progress)
    replays = simulate(
        schedule,
        graph,
        progress.work if progress else _work_ranges(plan),
        _finish_functions(availability),
        plan.forecast.runs,
        plan.forecast.seed,
        release=progress.release if progress else None,
        fixed=progress.done if progress else (),
        risks=_sampled_risks(plan),
    )
    makespans = replays.makespans
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
        status_date=day,
        now=progress.now if progress else 0.0,
        late=late,
        criticality=replays.criticality,
        p50_without_risks=calendar.end_date(0.0, percentile(replays.unrisked, 0.5)),
        p80_without_risks=calendar.end_date(0.0, percentile(replays.unrisked, 0.8)),
        planned=planned,
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


def deadline_scope(plan: Plan, ids: list[str]) -> str:
    """What a deadline checks, whole phases by name: 'Data Pipeline complete,
    MD-02 done'; 'no task linked' when it checks none."""
    if not ids:
        return "no task linked"
    named = set(ids)
    component = {t.id: t.component for t in plan.tasks}
    whole = [
        key
        for key in COMPONENTS
        if (tasks := [t.id for t in plan.tasks if t.component == key])
        and named.issuperset(tasks)
    ]
    rest = [i for i in ids if component.get(i) not in whole]
    phases = [f"{COMPONENT_NAMES[key]} complete" for key in whole]
    return ", ".join([*phases, *([f"{_ids_text(rest)} done"] if rest else [])])


def _deadline_criteria(plan: Plan, a: Analysis, date: dt.date, ids: list[str]) -> str:
    """What a hard deadline checks, with the forecast for it."""
    if ids:
        last = max(a.task_dates(i)[1] for i in ids)
        verdict = "on track" if last <= date else f"late, forecast {last}"
        return f"Hard deadline: {deadline_scope(plan, ids)} ({verdict})"
    unlinked = (
        "Hard deadline with no task linked, so the forecast checks nothing against "
        "it (list its task ids under tasks in plan/tasks.yaml)"
    )
    done = [
        COMPONENT_NAMES[key]
        for key in COMPONENTS
        if any(t.component == key for t in plan.tasks) and a.spans[key].last_day <= date
    ]
    if done:
        return f"{unlinked}; forecast by then: {', '.join(done)} complete"
    finished = [t for t in plan.tasks if a.task_dates(t.id)[1] <= date]
    return (
        f"{unlinked}; forecast by then: {len(finished)} of {len(plan.tasks)} "
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
    chance = chance_text(a.on_time_probability)
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


# One member owning more than this share of the critical-path tasks, on a path of
# at least this many tasks, is a key-person risk; so is owning all of a path of
# two or more tasks in a team of several.
KEY_PERSON_SHARE = 0.6
KEY_PERSON_MIN_TASKS = 4
# A junior owning more than this share of the critical path, by tasks or by
# likely effort, is a risk whatever the rest of the team's experience.
JUNIOR_CRITICAL_SHARE = 0.5


@dataclass(frozen=True)
class _CriticalShare:
    """What one member owns of the critical path: tasks and likely days."""

    handle: str
    tasks: int
    days: float
    path_tasks: int
    path_days: float

    @property
    def whole(self) -> bool:
        """Whether the member owns every critical-path task."""
        return self.tasks == self.path_tasks

    def text(self) -> str:
        """'5 of the 8 critical-path tasks (21 of 30 likely days)'."""
        if self.whole:
            return (
                f"every one of the {self.path_tasks} critical-path tasks "
                f"({self.days:g} likely days)"
            )
        return (
            f"{self.tasks} of the {self.path_tasks} critical-path tasks "
            f"({self.days:g} of {self.path_days:g} likely days)"
        )


def _critical_shares(plan: Plan, a: Analysis) -> list[_CriticalShare]:
    """Each owner's part of the critical path, by handle."""
    likely = {t.id: t.estimate.likely for t in plan.tasks}
    critical = a.schedule.critical_path
    tasks: dict[str, int] = {}
    days: dict[str, float] = {}
    for task_id in critical:
        owner = a.schedule.slots[task_id].owner
        tasks[owner] = tasks.get(owner, 0) + 1
        days[owner] = days.get(owner, 0.0) + likely[task_id]
    total = sum(likely[i] for i in critical)
    return [
        _CriticalShare(h, tasks[h], days[h], len(critical), total)
        for h in sorted(tasks)
    ]


def _is_key_person(share: _CriticalShare) -> bool:
    """Whether a member's part of the critical path makes them a key person."""
    if share.whole:
        return share.path_tasks >= 2
    return (
        share.path_tasks >= KEY_PERSON_MIN_TASKS
        and share.tasks / share.path_tasks > KEY_PERSON_SHARE
    )


def _is_junior(plan: Plan, handle: str) -> bool:
    """Whether the member with this handle is junior."""
    member = plan.member(handle)
    return member is not None and member.expertise == "junior"


def _key_person_risks(plan: Plan, a: Analysis) -> list[Risk]:
    """A risk when one person is the team, owns all or most of the critical path."""
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
    return [
        _critical_owner_risk(plan, share)
        for share in _critical_shares(plan, a)
        if _is_key_person(share)
    ]


def _critical_owner_risk(plan: Plan, share: _CriticalShare) -> Risk:
    """The risk that one member owns all or most of the critical path."""
    name = _name(plan, share.handle)
    junior = _is_junior(plan, share.handle)
    who = f"{name}, a junior," if junior else name
    mitigation = (
        f"Pair another member with {name} on the critical path and "
        "hand over the next critical task if they are away"
    )
    if junior:
        mitigation += "; a senior reviews each of their critical tasks"
    return Risk(
        f"Key-person risk: {who} owns {share.text()}",
        "H" if share.whole else "M",
        "H",
        mitigation,
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
    """A risk when most of the team is junior, and one per junior owning more
    than half the critical path (unless that is a key-person risk already)."""
    found = []
    juniors = [m for m in plan.team if m.expertise == "junior"]
    if len(juniors) * 2 > len(plan.team):
        found.append(
            Risk(
                "Most of the team is junior: estimates are wider and reviews slower",
                "M",
                "M",
                "Pair juniors with a senior reviewer, keep tasks small and "
                "re-estimate after the first sprint",
            )
        )
    if len(plan.team) == 1:
        return found
    for share in _critical_shares(plan, a):
        if not _is_junior(plan, share.handle) or _is_key_person(share):
            continue
        by_tasks = share.tasks / share.path_tasks > JUNIOR_CRITICAL_SHARE
        by_days = share.days > JUNIOR_CRITICAL_SHARE * share.path_days
        if by_tasks or by_days:
            name = _name(plan, share.handle)
            found.append(
                Risk(
                    f"A junior drives the date: {name} owns {share.text()}",
                    "M",
                    "H",
                    f"A senior reviews each of {name}'s critical tasks as it "
                    "starts; move the largest of them to a more experienced member "
                    "if it slips",
                )
            )
    return found


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
