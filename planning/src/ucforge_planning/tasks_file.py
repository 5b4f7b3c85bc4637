"""plan/tasks.yaml as strict models: parsed YAML in, a Plan and its problems out.

Each value's type carries its rule in the engine's words (`Rule`), so that pydantic's
errors read as `team[0].role must be one of data_engineer, ...; got 'wizard'`
rather than in pydantic's own words. Rules between entries and sections (a dependency
on an unknown task, a cycle, an owner not in the team, a milestone after the target)
are checked apart, on every part of the file that is valid by itself.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar, get_args, get_origin

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    ValidationError,
    ValidatorFunctionWrapHandler,
    WrapValidator,
    model_validator,
)
from pydantic_core import CoreSchema, ErrorDetails, PydanticCustomError, core_schema

from .graph import describe_cycle, find_cycles, unknown_dependencies
from .model import (
    COMPONENTS,
    EXPERTISE,
    GATE_SCOPES,
    LEVELS,
    ROLES,
    STATUSES,
    TEST_LEVELS,
    WEEKDAYS,
    Absence,
    Calendar,
    Deadline,
    Estimate,
    Forecast,
    Gate,
    KeyAnswers,
    Member,
    Plan,
    Project,
    Risk,
    Task,
)
from .verify import TEST_LINK, TEST_LINK_RULE
from .workdays import region_problem

FORMAT = 1
TASK_ID = r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*"
# Each part starts with a letter or digit: no absolute path, no '.' or '..' part.
RELATIVE_DIR = r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*"
_TASK_ID = re.compile(TASK_ID)
# The error type of the rules the models check themselves (an estimate's order).
_PLAN_RULE = "plan_rule"


# ---------------------------------------------------------------------------
# Values and their rules
# ---------------------------------------------------------------------------
class Rule:
    """What a value must be, as a problem says it, and how it is checked.

    Put in a type's Annotated metadata: `schema` replaces the type's own check,
    `before` turns the YAML value into what the check expects (null into []).
    """

    def __init__(
        self,
        rule: str,
        schema: CoreSchema | None = None,
        before: Callable[[Any], Any] | None = None,
    ) -> None:
        self.rule, self.schema, self.before = rule, schema, before

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = self.schema or handler(source)
        if self.before is None:
            return schema
        return core_schema.no_info_before_validator_function(self.before, schema)


def matches(rule: str, pattern: str) -> Rule:
    """Text in which the pattern is found (anchor it to match the whole text)."""
    return Rule(rule, core_schema.str_schema(pattern=pattern, strict=True))


def one_of(*choices: Any) -> Rule:
    listed = ", ".join(str(c) for c in choices)
    rule = f"must be one of {listed}" if choices[1:] else f"must be {listed}"
    return Rule(rule, core_schema.literal_schema(list(choices)))


def whole(low: int, high: int) -> Rule:
    """A whole number in a range; true and false are not numbers."""
    return Rule(
        f"must be a whole number from {low} to {high}",
        core_schema.int_schema(ge=low, le=high, strict=True),
    )


def number(low: float, high: float) -> Rule:
    return Rule(
        f"must be a number from {low:g} to {high:g}",
        core_schema.float_schema(ge=low, le=high, strict=True),
    )


def listed(rule: str = "must be a list") -> Rule:
    """A list; null is the empty list."""
    return Rule(rule, before=lambda value: [] if value is None else value)


def _as_date(value: Any) -> Any:
    """A YAML date or datetime, or a YYYY-MM-DD text, as a date; else unchanged."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return value
    return value


Text = Annotated[str, matches("must be non-empty text", r"\S")]
# Any text; null or a missing key is the empty text.
OptionalText = Annotated[
    str,
    Rule(
        "must be text",
        core_schema.str_schema(strict=True),
        before=lambda value: "" if value is None else value,
    ),
]
Texts = Annotated[list[Annotated[str, Rule("must be text")]], listed()]
Day = Annotated[
    dt.date,
    Rule(
        "must be a date written YYYY-MM-DD",
        core_schema.date_schema(strict=True),
        before=_as_date,
    ),
]
OptionalDay = Annotated[
    dt.date | None,
    Rule(
        "must be a date written YYYY-MM-DD",
        core_schema.nullable_schema(core_schema.date_schema(strict=True)),
        before=_as_date,
    ),
]
TaskId = Annotated[
    str,
    matches("must be letters and digits joined by '-', such as DP-01", rf"^{TASK_ID}$"),
]
TaskIds = Annotated[list[str], listed("must list task ids")]
Folder = Annotated[
    str,
    matches(
        "must be a relative folder inside the repository, without '..'",
        rf"^{RELATIVE_DIR}$",
    ),
]


def _once_each(links: list[str]) -> list[str]:
    """A list of test links that names no test twice."""
    twice = [link for link, n in Counter(links).items() if n > 1]
    if twice:
        raise PydanticCustomError(
            _PLAN_RULE,
            "names {twice} more than once",
            {"twice": ", ".join(repr(t) for t in twice)},
        )
    return links


# Tests that prove a task's acceptance criteria or a gate's criteria.
TestLinks = Annotated[
    list[Annotated[str, matches(TEST_LINK_RULE, TEST_LINK)]],
    listed(TEST_LINK_RULE),
    AfterValidator(_once_each),
]
Role = Annotated[str, one_of(*ROLES)]
Level = Annotated[str, one_of(*LEVELS)]
Approvals = Annotated[int, whole(0, 100)]
Rate = Annotated[int, whole(1, 10**7)]
Days = Annotated[float, number(0, 1000)]
Share = Annotated[
    float,
    Rule(
        "must be a number above 0 and at most 1",
        core_schema.float_schema(gt=0, le=1, strict=True),
    ),
]


def _region(value: str) -> str:
    """A holiday region the holidays package knows, or the empty text."""
    problem = region_problem(value)
    if problem:
        raise PydanticCustomError(_PLAN_RULE, "{problem}", {"problem": problem})
    return value.strip()


Region = Annotated[
    str,
    Rule(
        "must be text",
        core_schema.no_info_after_validator_function(
            _region, core_schema.str_schema(strict=True)
        ),
        before=lambda value: "" if value is None else value,
    ),
]
Weekdays = Annotated[
    list[Annotated[str, one_of(*WEEKDAYS)]],
    Field(min_length=1),
    Rule("must list at least one of Mon, Tue, Wed, Thu, Fri"),
]


# ---------------------------------------------------------------------------
# The file, mapping by mapping
# ---------------------------------------------------------------------------
class _Entry(BaseModel):
    """A mapping of tasks.yaml: these keys and no other, values of these types."""

    model_config = ConfigDict(
        extra="forbid", strict=True, frozen=True, protected_namespaces=()
    )


class ProjectEntry(_Entry):
    use_case_id: Text
    name: Text
    description: OptionalText = ""
    problem_type: Text
    target_column: Text
    owner: Text
    cli: Text
    plan_dir: Folder


class InfrastructureEntry(_Entry):
    ci_provider: Text
    tracking_server_url: OptionalText = ""
    existing: Texts = []


class TestingEntry(_Entry):
    __test__ = False  # not a test class, whatever pytest thinks of the name

    coverage_target: Annotated[int, whole(0, 100)]
    test_levels: Annotated[list[Annotated[str, one_of(*TEST_LEVELS)]], listed()] = []
    latency_slo_p95_ms: Rate
    throughput_slo_rps: Rate
    primary_metric: Text
    baseline_margin: Annotated[float, number(0, 1)]


class ReviewEntry(_Entry):
    reviewers: Texts = []
    required_approvals: Approvals


class KeyQuestionsEntry(_Entry):
    infrastructure: InfrastructureEntry
    testing: TestingEntry
    review: ReviewEntry
    documentation: Texts = []
    compliance: Texts = []


class AbsenceEntry(_Entry):
    start: Day
    end: Day
    reason: OptionalText = ""

    @model_validator(mode="after")
    def _in_order(self) -> AbsenceEntry:
        if self.end < self.start:
            raise PydanticCustomError(
                _PLAN_RULE,
                "must not end before it starts; got start {start}, end {end}",
                {"start": str(self.start), "end": str(self.end)},
            )
        return self


class MemberEntry(_Entry):
    name: Text
    handle: Text
    email: OptionalText = ""
    role: Role
    expertise: Annotated[str, one_of(*EXPERTISE)]
    capacity: Annotated[float, number(0.05, 1.0)]
    weekdays: Weekdays = list(WEEKDAYS)
    absences: Annotated[list[AbsenceEntry], listed()] = []


class CalendarEntry(_Entry):
    start_date: Day
    target_date: Day
    sprint_length_weeks: Annotated[int, whole(1, 8)]
    non_working_days: Annotated[list[Day], listed()] = []
    status_date: OptionalDay = None
    public_holidays: Region = ""
    focus_factor: Share = 1.0


class DeadlineEntry(_Entry):
    name: Text
    date: Day
    tasks: Texts = []


class ForecastEntry(_Entry):
    seed: Annotated[int, whole(0, 2**63)]
    runs: Annotated[int, whole(1, 100_000)]


class ComponentEntry(_Entry):
    deliverables: Texts = []


class ComponentsEntry(_Entry):
    """One entry per key of model.COMPONENTS (a test holds the two together)."""

    data_pipeline: ComponentEntry = ComponentEntry()
    feature_engineering: ComponentEntry = ComponentEntry()
    model_development: ComponentEntry = ComponentEntry()
    serving: ComponentEntry = ComponentEntry()
    testing: ComponentEntry = ComponentEntry()


class EstimateEntry(_Entry):
    optimistic: Days
    likely: Days
    pessimistic: Days

    @model_validator(mode="after")
    def _in_order(self) -> EstimateEntry:
        if not self.optimistic <= self.likely <= self.pessimistic:
            raise PydanticCustomError(
                _PLAN_RULE,
                "must have optimistic <= likely <= pessimistic; got {got}",
                {"got": f"{self.optimistic:g}, {self.likely:g}, {self.pessimistic:g}"},
            )
        return self


class TaskEntry(_Entry):
    id: TaskId
    component: Annotated[str, one_of(*COMPONENTS)]
    category: Text
    title: Text
    role: Role
    owner: Text
    estimate: EstimateEntry
    depends_on: TaskIds = []
    acceptance: Text
    status: Annotated[str, one_of(*STATUSES)]
    verified_by: TestLinks = []
    started: OptionalDay = None
    finished: OptionalDay = None


def _impact_range(value: Any) -> Any:
    """A number of working days as a range of one value; a mapping unchanged."""
    if value is None or isinstance(value, dict):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return {"optimistic": value, "likely": value, "pessimistic": value}
    raise PydanticCustomError(
        _PLAN_RULE,
        "must be working days: a number, or optimistic, likely and pessimistic; "
        "got {got}",
        {"got": repr(value)},
    )


class RiskEntry(_Entry):
    risk: Text
    likelihood: Level
    impact: Level
    mitigation: Text
    probability: Annotated[
        float | None,
        Rule(
            "must be a number from 0 to 1",
            core_schema.nullable_schema(
                core_schema.float_schema(ge=0, le=1, strict=True)
            ),
        ),
    ] = None
    impact_days: Annotated[
        EstimateEntry | None,
        Rule(
            "must be working days: a number, or optimistic, likely and pessimistic",
            before=_impact_range,
        ),
    ] = None
    delays: TaskIds = []

    @model_validator(mode="after")
    def _sampled_in_full(self) -> RiskEntry:
        if (self.probability is None) != (self.impact_days is None):
            raise PydanticCustomError(
                _PLAN_RULE,
                "must have both probability and impact_days to be sampled in the "
                "forecast, or neither",
            )
        return self


class GateEntry(_Entry):
    gate: Text
    timing: Text
    criteria: Text
    scope: Annotated[str, one_of(*GATE_SCOPES)]
    verified_by: TestLinks = []


class TasksFile(_Entry):
    """plan/tasks.yaml as a whole, sections in the order the file writes them."""

    format: Annotated[int, one_of(FORMAT)]
    project: ProjectEntry
    key_questions: KeyQuestionsEntry
    team: Annotated[
        list[MemberEntry], Field(min_length=1), Rule("must list at least one member")
    ]
    calendar: CalendarEntry
    deadlines: Annotated[list[DeadlineEntry], listed()] = []
    forecast: ForecastEntry
    components: ComponentsEntry = ComponentsEntry()
    tasks: Annotated[
        list[TaskEntry], Field(min_length=1), Rule("must list at least one task")
    ]
    risks: Annotated[list[RiskEntry], listed()] = []
    gates: Annotated[list[GateEntry], listed()] = []


def to_plan(file: TasksFile) -> Plan:
    """The engine's plan from a valid file; most records have the keys of the file.

    (A model's `vars` are its fields, and much faster to read than `dict(model)`.)
    """
    kq, c = file.key_questions, file.calendar
    infra, testing, review = kq.infrastructure, kq.testing, kq.review
    return Plan(
        project=Project(**vars(file.project)),
        answers=KeyAnswers(
            ci_provider=infra.ci_provider,
            tracking_server_url=infra.tracking_server_url,
            existing_infrastructure=tuple(infra.existing),
            coverage_target=testing.coverage_target,
            test_levels=tuple(testing.test_levels),
            latency_slo_p95_ms=testing.latency_slo_p95_ms,
            throughput_slo_rps=testing.throughput_slo_rps,
            primary_metric=testing.primary_metric,
            baseline_margin=testing.baseline_margin,
            reviewers=tuple(review.reviewers),
            required_approvals=review.required_approvals,
            documentation=tuple(kq.documentation),
            compliance=tuple(kq.compliance),
        ),
        team=tuple(
            Member(
                **{
                    **vars(m),
                    "weekdays": tuple(d for d in WEEKDAYS if d in m.weekdays),
                    "absences": tuple(
                        Absence(a.start, a.end, a.reason)
                        for a in sorted(m.absences, key=lambda a: (a.start, a.end))
                    ),
                }
            )
            for m in file.team
        ),
        calendar=Calendar(
            start=c.start_date,
            target=c.target_date,
            sprint_length_weeks=c.sprint_length_weeks,
            non_working_days=tuple(sorted(c.non_working_days)),
            status_date=c.status_date,
            public_holidays=c.public_holidays,
            focus_factor=c.focus_factor,
        ),
        deadlines=tuple(
            Deadline(name=d.name, date=d.date, tasks=tuple(d.tasks))
            for d in file.deadlines
        ),
        forecast=Forecast(**vars(file.forecast)),
        deliverables={
            key: tuple(getattr(file.components, key).deliverables) for key in COMPONENTS
        },
        tasks=tuple(
            Task(
                **{
                    **vars(t),
                    "estimate": Estimate(**vars(t.estimate)),
                    "depends_on": tuple(t.depends_on),
                    "verified_by": tuple(t.verified_by),
                }
            )
            for t in file.tasks
        ),
        risks=tuple(
            Risk(
                **{
                    **vars(r),
                    "impact_days": Estimate(**vars(r.impact_days))
                    if r.impact_days
                    else None,
                    "delays": tuple(r.delays),
                }
            )
            for r in file.risks
        ),
        gates=tuple(
            Gate(
                name=g.gate,
                timing=g.timing,
                criteria=g.criteria,
                scope=g.scope,
                verified_by=tuple(g.verified_by),
            )
            for g in file.gates
        ),
    )


# ---------------------------------------------------------------------------
# Rules between entries, on the parts of the file valid by themselves
# ---------------------------------------------------------------------------
T = TypeVar("T")


def _or_none(value: Any, handler: ValidatorFunctionWrapHandler) -> Any:
    try:
        return handler(value)
    except ValidationError:
        return None


# A value of type T, or None where the file's value is not one (or is missing).
Maybe = Annotated[T | None, WrapValidator(_or_none)]


class _Refs(BaseModel):
    """The values the cross-checks read; the rest of the mapping is ignored."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)


class _AbsenceRefs(_Refs):
    start: Maybe[Day] = None
    end: Maybe[Day] = None


class _MemberRefs(_Refs):
    handle: Maybe[Text] = None
    absences: Maybe[list[Maybe[_AbsenceRefs]]] = None


class _TaskRefs(_Refs):
    id: Maybe[TaskId] = None
    owner: Maybe[Text] = None
    depends_on: Maybe[TaskIds] = None
    status: Maybe[Annotated[str, one_of(*STATUSES)]] = None
    started: Maybe[OptionalDay] = None
    finished: Maybe[OptionalDay] = None


class _ProjectRefs(_Refs):
    owner: Maybe[Text] = None


class _ReviewRefs(_Refs):
    reviewers: Maybe[Texts] = None
    required_approvals: Maybe[Approvals] = None


class _KeyQuestionsRefs(_Refs):
    review: Maybe[_ReviewRefs] = None


class _CalendarRefs(_Refs):
    start_date: Maybe[Day] = None
    target_date: Maybe[Day] = None
    status_date: Maybe[OptionalDay] = None


class _RiskRefs(_Refs):
    risk: Maybe[Text] = None
    delays: Maybe[TaskIds] = None


class _DeadlineRefs(_Refs):
    name: Maybe[Text] = None
    date: Maybe[Day] = None
    tasks: Maybe[Texts] = None


class _PlanRefs(_Refs):
    project: Maybe[_ProjectRefs] = None
    key_questions: Maybe[_KeyQuestionsRefs] = None
    team: Maybe[list[Maybe[_MemberRefs]]] = None
    calendar: Maybe[_CalendarRefs] = None
    deadlines: Maybe[list[Maybe[_DeadlineRefs]]] = None
    tasks: Maybe[list[Maybe[_TaskRefs]]] = None
    risks: Maybe[list[Maybe[_RiskRefs]]] = None


def _present(items: Sequence[T | None] | None) -> list[T]:
    return [item for item in items or () if item is not None]


def cross_checks(data: dict[str, Any]) -> list[str]:
    """Rules between entries and sections: ids, dependencies, owners, dates.

    Each rule reads only values that are valid by themselves, so that a bad value
    elsewhere in the file hides none of these problems.
    """
    refs = _PlanRefs.model_validate(data)
    problems: list[str] = []
    handles = [m.handle for m in _present(refs.team) if m.handle is not None]
    for handle, count in Counter(handles).items():
        if count > 1:
            times = "twice" if count == 2 else f"{count} times"
            problems.append(f"team lists the handle {handle!r} {times}")
    calendar = refs.calendar or _CalendarRefs()
    start, target = calendar.start_date, calendar.target_date
    if start and target and target <= start:
        problems.append(
            f"calendar.target_date ({target}) must be after start_date ({start})"
        )
    problems.extend(_absence_problems(refs, start))
    tasks = [t for t in _present(refs.tasks) if t.id is not None]
    ids = Counter(t.id for t in tasks)
    for task_id, count in ids.items():
        if count > 1:
            problems.append(f"task id {task_id} is used by {count} tasks")
    graph = {t.id: tuple(t.depends_on or ()) for t in tasks if t.id is not None}
    problems.extend(unknown_dependencies(graph))
    for cycle in find_cycles(graph):
        problems.append(
            f"dependency cycle: {describe_cycle(cycle)} (each depends on the next)"
        )
    review = (refs.key_questions.review if refs.key_questions else None) or (
        _ReviewRefs()
    )
    if handles:  # an empty or unreadable team is a problem of its own
        team = ", ".join(dict.fromkeys(handles))
        for task in tasks:
            if task.owner is not None and task.owner not in handles:
                problems.append(
                    f"task {task.id} is owned by {task.owner!r}, who is not in the "
                    f"team ({team})"
                )
        owner = refs.project.owner if refs.project else None
        if owner is not None and owner not in handles:
            problems.append(f"project.owner {owner!r} is not in the team ({team})")
        for reviewer in review.reviewers or ():
            if reviewer not in handles:
                problems.append(f"reviewer {reviewer!r} is not in the team ({team})")
    approvals, reviewers = review.required_approvals, review.reviewers
    if approvals is not None and reviewers is not None and approvals > len(reviewers):
        problems.append(
            f"key_questions.review.required_approvals ({approvals}) exceeds the "
            f"number of reviewers ({len(reviewers)})"
        )
    for position, deadline in enumerate(refs.deadlines or ()):
        if deadline is None:
            continue
        name = f"{deadline.name!r}" if deadline.name else f"deadlines[{position}]"
        if deadline.date and target and deadline.date > target:
            problems.append(
                f"milestone {name} on {deadline.date} is after the target date {target}"
            )
        if deadline.date and start and deadline.date < start:
            problems.append(
                f"milestone {name} on {deadline.date} is before the start date {start}"
            )
        for task_id in deadline.tasks or ():
            if task_id not in ids:
                problems.append(
                    f"milestone {name} lists {task_id}, which is not a task id in "
                    "the plan"
                )
    problems += _actual_date_problems(tasks, calendar)
    for position, risk in enumerate(refs.risks or ()):
        for task_id in (risk.delays or ()) if risk else ():
            if task_id not in ids:
                problems.append(
                    f"risks[{position}].delays lists {task_id}, which is not a task "
                    "id in the plan"
                )
    return problems


def _actual_date_problems(tasks: list[_TaskRefs], calendar: _CalendarRefs) -> list[str]:
    """Actual dates that contradict each other, the status or the calendar."""
    problems: list[str] = []
    start, today = calendar.start_date, calendar.status_date
    if start and today and today < start:
        problems.append(
            f"calendar.status_date ({today}) must not be before start_date ({start})"
        )
    for t in tasks:
        name, status = f"task {t.id}", t.status
        if t.finished and not t.started:
            problems.append(
                f"{name}.finished is set but started is missing: a finished task "
                "needs the day work on it started"
            )
        if t.started and t.finished and t.finished < t.started:
            problems.append(
                f"{name}.finished ({t.finished}) must not be before started "
                f"({t.started})"
            )
        if status in ("TODO", "IN_PROGRESS", "BLOCKED") and t.finished:
            problems.append(
                f"{name}.status must be DONE when finished is set; got {status}"
            )
        if status == "TODO" and t.started:
            problems.append(
                f"{name}.status must be IN_PROGRESS, BLOCKED or DONE when started "
                "is set; got TODO"
            )
        for key, day in (("started", t.started), ("finished", t.finished)):
            if day and start and day < start:
                problems.append(
                    f"{name}.{key} ({day}) must not be before the plan's start_date "
                    f"({start})"
                )
            if day and today and day > today:
                problems.append(
                    f"{name}.{key} ({day}) must not be after calendar.status_date "
                    f"({today})"
                )
    return problems


def _absence_problems(refs: _PlanRefs, start: dt.date | None) -> list[str]:
    """An absence that ends before the plan starts is a mistake in its dates."""
    problems = []
    for position, member in enumerate(refs.team or ()):
        for number_, absence in enumerate((member.absences if member else None) or ()):
            if absence and absence.end and start and absence.end < start:
                problems.append(
                    f"team[{position}].absences[{number_}] ends on {absence.end}, "
                    f"before the plan starts ({start})"
                )
    return problems


# ---------------------------------------------------------------------------
# Reading: pydantic's errors in the engine's words
# ---------------------------------------------------------------------------
def read_data(data: dict[str, Any]) -> tuple[Plan | None, list[str]]:
    """The plan in parsed tasks.yaml and every problem found in it.

    The plan is None when a value breaks its rule; it is returned, with the
    problems, when only rules between sections are broken (a dependency cycle).
    """
    try:
        file = TasksFile.model_validate(data)
    except ValidationError as error:
        found = sorted(error.errors(), key=lambda e: _order(e, data))
        problems = list(dict.fromkeys(_describe(e, data) for e in found))
        return None, problems + cross_checks(data)
    return to_plan(file), cross_checks(data)


def _hint(key: object, keys: Sequence[str]) -> str:
    """' (did you mean 'status'?)' for a near miss, else nothing."""
    close = difflib.get_close_matches(str(key), keys, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


@dataclass(frozen=True)
class _Node:
    """Where a step along an error's location lands in the models."""

    kind: Any  # a model class, list[...], or a value's type
    rules: tuple[Any, ...] = ()

    @property
    def model(self) -> type[BaseModel] | None:
        kind = self.kind
        return kind if isinstance(kind, type) and issubclass(kind, BaseModel) else None

    @property
    def rule(self) -> str | None:
        return next((m.rule for m in self.rules if isinstance(m, Rule)), None)

    def step(self, part: str | int) -> _Node | None:
        """The node at `part` (a key or a list position); None for an unknown key."""
        model = self.model
        if model is not None:
            field = model.model_fields.get(part) if isinstance(part, str) else None
            if field is None:
                return None
            return _Node(field.annotation, tuple(field.metadata))
        if get_origin(self.kind) is list and isinstance(part, int):
            item = get_args(self.kind)[0]
            if get_origin(item) is Annotated:
                return _Node(get_args(item)[0], tuple(item.__metadata__))
            return _Node(item)
        return None


def _nodes(loc: tuple[str | int, ...]) -> list[_Node | None]:
    """The node of each prefix of `loc`, the file itself first."""
    nodes: list[_Node | None] = [_Node(TasksFile)]
    for part in loc:
        last = nodes[-1]
        nodes.append(last.step(part) if last else None)
    return nodes


def _value_at(data: Any, loc: Sequence[str | int]) -> Any:
    for part in loc:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and isinstance(part, int) and part < len(data):
            data = data[part]
        else:
            return None
    return data


def _order(error: ErrorDetails, data: Any) -> tuple[tuple[int, int], ...]:
    """Problems in the order of the file; a mapping's unknown keys first."""
    loc, nodes = error["loc"], _nodes(error["loc"])
    key: list[tuple[int, int]] = []
    for depth, part in enumerate(loc):
        parent = nodes[depth]
        if parent is None:
            break
        model = parent.model
        if model is not None and part not in model.model_fields:
            keys = list(_value_at(data, loc[:depth]) or ())
            key.append((0, keys.index(part) if part in keys else 0))
            break
        if model is not None:
            key.append((1, list(model.model_fields).index(str(part))))
        else:
            # A list index; a part of a union or a scalar (impact_days as a
            # number or a range) has no order of its own.
            key.append((1, part if isinstance(part, int) else 0))
    return (*key, (2, 0))


def _where(loc: Sequence[str | int], data: Any) -> str:
    """`project.plan_dir`, `team[1].role`, `task DP-03.status`, `tasks[0].id`."""
    if len(loc) >= 2 and loc[0] == "tasks" and tuple(loc[2:]) != ("id",):
        task_id = _value_at(data, (*loc[:2], "id"))
        if isinstance(task_id, str) and _TASK_ID.fullmatch(task_id):
            rest = loc[2:]
            if not rest:
                return f"task {task_id}"
            joint = " " if rest[0] in ("estimate", "depends_on", "verified_by") else "."
            return f"task {task_id}{joint}{_path(rest)}"
    return _path(loc)


def _path(loc: Sequence[str | int]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


def _describe(error: ErrorDetails, data: Any) -> str:
    """One of pydantic's errors as the engine words a problem."""
    loc, kind = error["loc"], error["type"]
    if kind in ("extra_forbidden", "invalid_key"):
        parent = _nodes(loc[:-1])[-1]
        model = parent.model if parent else None
        keys = list(model.model_fields) if model else []
        where = _where(loc[:-1], data) or "top level"
        return f"{where}: unknown key {loc[-1]!r}{_hint(loc[-1], keys)}"
    if kind == "missing":
        return f"{_where(loc, data)} is missing"
    if kind in ("model_type", "model_attributes_type", "dict_type"):
        return f"{_where(loc, data)} must be a mapping; got {error['input']!r}"
    if kind == _PLAN_RULE:
        return f"{_where(loc, data)} {error['msg']}"
    # The rule of the value, or of the list of plain values it is part of.
    nodes = _nodes(loc)
    for depth in range(len(loc), 0, -1):
        node = nodes[depth]
        if node is None or node.model is not None:
            break
        if node.rule is not None:
            value = _value_at(data, loc[:depth])
            return f"{_where(loc[:depth], data)} {node.rule}; got {value!r}"
    return f"{_where(loc, data)}: {error['msg']}; got {error['input']!r}"
