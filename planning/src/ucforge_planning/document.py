"""plan/tasks.yaml as text: writing it for people, reading it back with checks."""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from .errors import PlanError
from .graph import describe_cycle, find_cycles, unknown_dependencies
from .model import (
    COMPONENTS,
    EXPERTISE,
    GATE_SCOPES,
    LEVELS,
    ROLES,
    STATUSES,
    TEST_LEVELS,
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

FORMAT = 1
# The keys each mapping of tasks.yaml may have; any other key is a problem.
TOP_KEYS = (
    "format",
    "project",
    "key_questions",
    "team",
    "calendar",
    "deadlines",
    "forecast",
    "components",
    "tasks",
    "risks",
    "gates",
)
PROJECT_KEYS = (
    "use_case_id",
    "name",
    "description",
    "problem_type",
    "target_column",
    "owner",
    "cli",
    "plan_dir",
)
KEY_QUESTION_KEYS = (
    "infrastructure",
    "testing",
    "review",
    "documentation",
    "compliance",
)
INFRASTRUCTURE_KEYS = ("ci_provider", "tracking_server_url", "existing")
TESTING_KEYS = (
    "coverage_target",
    "test_levels",
    "latency_slo_p95_ms",
    "throughput_slo_rps",
    "primary_metric",
    "baseline_margin",
)
REVIEW_KEYS = ("reviewers", "required_approvals")
MEMBER_KEYS = ("name", "handle", "email", "role", "expertise", "capacity")
CALENDAR_KEYS = ("start_date", "target_date", "sprint_length_weeks", "non_working_days")
DEADLINE_KEYS = ("name", "date", "tasks")
FORECAST_KEYS = ("seed", "runs")
COMPONENT_KEYS = ("deliverables",)
TASK_KEYS = (
    "id",
    "component",
    "category",
    "title",
    "role",
    "owner",
    "estimate",
    "depends_on",
    "acceptance",
    "status",
)
ESTIMATE_KEYS = ("optimistic", "likely", "pessimistic")
RISK_KEYS = ("risk", "likelihood", "impact", "mitigation")
GATE_KEYS = ("gate", "timing", "criteria", "scope")
TASK_ID = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*")
RELATIVE_DIR = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")


# ---------------------------------------------------------------------------
# Writing
# ---------------------------------------------------------------------------
class _Flow(dict[str, Any]):
    """A mapping written on one line."""


class _FlowList(list[Any]):
    """A list written on one line."""


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes _Flow and _FlowList in flow style."""


def _represent_flow(dumper: yaml.SafeDumper, data: _Flow) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def number(value: float) -> float | int:
    """A whole number as int, so YAML shows 2 rather than 2.0."""
    return int(value) if float(value).is_integer() else float(value)


def _section(key: str, value: Any, comment: str) -> str:
    lines = [f"# {line}".rstrip() for line in comment.splitlines()]
    body = yaml.dump(
        {key: value},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
    return "\n".join(lines) + "\n" + body


def task_entry(task: Task) -> dict[str, Any]:
    """One task as it is written in tasks.yaml."""
    return {
        "id": task.id,
        "component": task.component,
        "category": task.category,
        "title": task.title,
        "role": task.role,
        "owner": task.owner,
        "estimate": _Flow(
            optimistic=number(task.estimate.optimistic),
            likely=number(task.estimate.likely),
            pessimistic=number(task.estimate.pessimistic),
        ),
        "depends_on": _FlowList(task.depends_on),
        "acceptance": task.acceptance,
        "status": task.status,
    }


def dump_plan(plan: Plan) -> str:
    """tasks.yaml text for a plan: commented sections, stable order."""
    p, a, c = plan.project, plan.answers, plan.calendar
    header = [
        f"Implementation plan of {p.use_case_id}: the source of",
        f"{p.plan_dir}/implementation-plan.md.",
        "",
        "Edit this file, never the markdown. Then:",
        f"  make plan          (or: {p.cli} plan render)  rewrites the plan",
        f"  make plan-check    (or: {p.cli} plan check)   validates this file",
        f"  {p.cli} plan status   shows progress by phase and component",
        "Dates, the schedule, the critical path, milestone dates and the forecast are",
        "computed from this file at every render.",
        "",
        "- status: TODO, IN_PROGRESS, DONE or BLOCKED",
        "- estimate: working days for the owner named, as optimistic, likely and",
        "  pessimistic; generated values are already scaled for the owner's expertise",
        "  (senior x1, intermediate x1.25, junior x1.6; x1.25 outside their role)",
        "- depends_on: ids of the tasks that must be finished first",
        "- owner: the handle of a member of team; a member's capacity is the share of",
        "  each working day they spend on this plan",
        "- deadlines: hard dates; list task ids under tasks to have the forecast",
        "  checked against them",
    ]
    sections = [
        "\n".join(f"# {line}".rstrip() for line in header) + f"\nformat: {FORMAT}\n",
        _section(
            "project",
            {
                "use_case_id": p.use_case_id,
                "name": p.name,
                "description": p.description,
                "problem_type": p.problem_type,
                "target_column": p.target_column,
                "owner": p.owner,
                "cli": p.cli,
                "plan_dir": p.plan_dir,
            },
            "The use case and where its plan is rendered.",
        ),
        _section(
            "key_questions",
            {
                "infrastructure": {
                    "ci_provider": a.ci_provider,
                    "tracking_server_url": a.tracking_server_url,
                    "existing": _FlowList(a.existing_infrastructure),
                },
                "testing": {
                    "coverage_target": a.coverage_target,
                    "test_levels": _FlowList(a.test_levels),
                    "latency_slo_p95_ms": a.latency_slo_p95_ms,
                    "throughput_slo_rps": a.throughput_slo_rps,
                    "primary_metric": a.primary_metric,
                    "baseline_margin": number(a.baseline_margin),
                },
                "review": {
                    "reviewers": _FlowList(a.reviewers),
                    "required_approvals": a.required_approvals,
                },
                "documentation": _FlowList(a.documentation),
                "compliance": _FlowList(a.compliance),
            },
            "Answers to Key Questions 3 to 7 (1 is the team, 2 the calendar).",
        ),
        _section(
            "team",
            [
                {
                    "name": m.name,
                    "handle": m.handle,
                    "email": m.email,
                    "role": m.role,
                    "expertise": m.expertise,
                    "capacity": number(m.capacity),
                }
                for m in plan.team
            ],
            "Key Question 1: who builds it.",
        ),
        _section(
            "calendar",
            {
                "start_date": c.start.isoformat(),
                "target_date": c.target.isoformat(),
                "sprint_length_weeks": c.sprint_length_weeks,
                "non_working_days": _FlowList(
                    d.isoformat() for d in c.non_working_days
                ),
            },
            "Key Question 2: working days are Monday to Friday less non_working_days\n"
            "(add public holidays and team days off as YYYY-MM-DD).",
        ),
        _section(
            "deadlines",
            [
                {
                    "name": d.name,
                    "date": d.date.isoformat(),
                    "tasks": _FlowList(d.tasks),
                }
                for d in plan.deadlines
            ],
            "Hard deadlines; each is a milestone and must not fall after target_date.",
        ),
        _section(
            "forecast",
            {"seed": plan.forecast.seed, "runs": plan.forecast.runs},
            "Monte Carlo over the three-point estimates; the seed makes it repeatable.",
        ),
        _section(
            "components",
            {
                key: {"deliverables": list(plan.deliverables.get(key, ()))}
                for key in COMPONENTS
            },
            "Key deliverables of each phase.",
        ),
        _section(
            "tasks",
            [task_entry(t) for t in plan.tasks],
            "The work, component by component.",
        ),
        _section(
            "risks",
            [
                {
                    "risk": r.risk,
                    "likelihood": r.likelihood,
                    "impact": r.impact,
                    "mitigation": r.mitigation,
                }
                for r in plan.risks
            ],
            "Risks from the answers, likelihood and impact L, M or H. Schedule\n"
            "risks (a late target, a missing role) are added when the plan renders.",
        ),
        _section(
            "gates",
            [
                {
                    "gate": g.name,
                    "timing": g.timing,
                    "criteria": g.criteria,
                    "scope": g.scope,
                }
                for g in plan.gates
            ],
            "Quality gates; scope is all or the component they apply to.",
        ),
    ]
    return "\n".join(sections)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
class _Reader:
    """Typed access to the parsed YAML that records a problem per bad value."""

    def __init__(self) -> None:
        self.problems: list[str] = []

    def fail(self, where: str, rule: str, value: Any) -> None:
        self.problems.append(f"{where} {rule}; got {value!r}")

    def mapping(
        self, data: Any, where: str, keys: tuple[str, ...] = ()
    ) -> Mapping[str, Any]:
        """The mapping at `where`; with `keys`, any other key is a problem."""
        if not isinstance(data, Mapping):
            self.fail(where, "must be a mapping", data)
            return {}
        for key in data if keys else ():
            if key not in keys:
                self.problems.append(f"{where}: unknown key {key!r}{_hint(key, keys)}")
        return data

    def sequence(self, data: Any, where: str) -> list[Any]:
        if data is None:
            return []
        if isinstance(data, list):
            return data
        self.fail(where, "must be a list", data)
        return []

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key)
        if isinstance(value, str) and value.strip():
            return value
        if value is None and key not in data:
            self.problems.append(f"{where}.{key} is missing")
        else:
            self.fail(f"{where}.{key}", "must be non-empty text", value)
        return ""

    def optional_text(self, data: Mapping[str, Any], key: str, where: str) -> str:
        value = data.get(key, "")
        if value is None:
            return ""
        if isinstance(value, str):
            return value
        self.fail(f"{where}.{key}", "must be text", value)
        return ""

    def choice(
        self, data: Mapping[str, Any], key: str, where: str, allowed: tuple[str, ...]
    ) -> str:
        value = data.get(key)
        if value in allowed:
            return str(value)
        if key not in data:
            self.problems.append(f"{where}.{key} is missing")
        else:
            self.fail(f"{where}.{key}", f"must be one of {', '.join(allowed)}", value)
        return allowed[0]

    def integer(
        self, data: Mapping[str, Any], key: str, where: str, low: int, high: int
    ) -> int:
        value = data.get(key)
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and low <= value <= high
        ):
            return value
        self.fail(
            f"{where}.{key}", f"must be a whole number from {low} to {high}", value
        )
        return low

    def real(
        self, data: Mapping[str, Any], key: str, where: str, low: float, high: float
    ) -> float:
        value = data.get(key)
        if (
            isinstance(value, (int, float))
            and not isinstance(value, bool)
            and low <= float(value) <= high
        ):
            return float(value)
        self.fail(f"{where}.{key}", f"must be a number from {low:g} to {high:g}", value)
        return low

    def date(self, data: Mapping[str, Any], key: str, where: str) -> dt.date | None:
        return self.date_value(data.get(key), f"{where}.{key}")

    def date_value(self, value: Any, where: str) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(where, "must be a date written YYYY-MM-DD", value)
        return None

    def texts(
        self,
        data: Mapping[str, Any],
        key: str,
        where: str,
        allowed: tuple[str, ...] | None = None,
    ) -> tuple[str, ...]:
        values = self.sequence(data.get(key), f"{where}.{key}")
        out: list[str] = []
        for position, value in enumerate(values):
            if not isinstance(value, str) or (allowed and value not in allowed):
                rule = (
                    f"must be one of {', '.join(allowed)}"
                    if allowed
                    else "must be text"
                )
                self.fail(f"{where}.{key}[{position}]", rule, value)
                continue
            out.append(value)
        return tuple(out)


def _hint(key: object, keys: tuple[str, ...]) -> str:
    """' (did you mean 'status'?)' for a near miss, else nothing."""
    close = difflib.get_close_matches(str(key), keys, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _read_project(r: _Reader, raw: Mapping[str, Any]) -> Project:
    data = r.mapping(raw.get("project"), "project", PROJECT_KEYS)
    plan_dir = r.text(data, "plan_dir", "project")
    if plan_dir and (
        not RELATIVE_DIR.fullmatch(plan_dir)
        or any(part in (".", "..") for part in plan_dir.split("/"))
    ):
        r.fail(
            "project.plan_dir",
            "must be a relative folder inside the repository, without '..'",
            plan_dir,
        )
        plan_dir = ""
    return Project(
        use_case_id=r.text(data, "use_case_id", "project"),
        name=r.text(data, "name", "project"),
        description=r.optional_text(data, "description", "project"),
        problem_type=r.text(data, "problem_type", "project"),
        target_column=r.text(data, "target_column", "project"),
        owner=r.text(data, "owner", "project"),
        cli=r.text(data, "cli", "project"),
        plan_dir=plan_dir,
    )


def _read_answers(r: _Reader, raw: Mapping[str, Any]) -> KeyAnswers:
    data = r.mapping(raw.get("key_questions"), "key_questions", KEY_QUESTION_KEYS)
    w_infra, w_test = "key_questions.infrastructure", "key_questions.testing"
    w_review = "key_questions.review"
    infra = r.mapping(data.get("infrastructure"), w_infra, INFRASTRUCTURE_KEYS)
    testing = r.mapping(data.get("testing"), w_test, TESTING_KEYS)
    review = r.mapping(data.get("review"), w_review, REVIEW_KEYS)
    return KeyAnswers(
        ci_provider=r.text(infra, "ci_provider", w_infra),
        tracking_server_url=r.optional_text(infra, "tracking_server_url", w_infra),
        existing_infrastructure=r.texts(infra, "existing", w_infra),
        coverage_target=r.integer(testing, "coverage_target", w_test, 0, 100),
        test_levels=r.texts(testing, "test_levels", w_test, TEST_LEVELS),
        latency_slo_p95_ms=r.integer(testing, "latency_slo_p95_ms", w_test, 1, 10**7),
        throughput_slo_rps=r.integer(testing, "throughput_slo_rps", w_test, 1, 10**7),
        primary_metric=r.text(testing, "primary_metric", w_test),
        baseline_margin=r.real(testing, "baseline_margin", w_test, 0, 1),
        reviewers=r.texts(review, "reviewers", w_review),
        required_approvals=r.integer(review, "required_approvals", w_review, 0, 100),
        documentation=r.texts(data, "documentation", "key_questions"),
        compliance=r.texts(data, "compliance", "key_questions"),
    )


def _read_team(r: _Reader, raw: Mapping[str, Any]) -> tuple[Member, ...]:
    members = []
    entries = r.sequence(raw.get("team"), "team")
    if not entries:
        r.problems.append("team must list at least one member")
    for position, entry in enumerate(entries):
        where = f"team[{position}]"
        data = r.mapping(entry, where, MEMBER_KEYS)
        members.append(
            Member(
                name=r.text(data, "name", where),
                handle=r.text(data, "handle", where),
                email=r.optional_text(data, "email", where),
                role=r.choice(data, "role", where, ROLES),
                expertise=r.choice(data, "expertise", where, EXPERTISE),
                capacity=r.real(data, "capacity", where, 0.05, 1.0),
            )
        )
    seen: set[str] = set()
    for member in members:
        if member.handle and member.handle in seen:
            r.problems.append(f"team lists the handle {member.handle!r} twice")
        seen.add(member.handle)
    return tuple(members)


def _read_calendar(r: _Reader, raw: Mapping[str, Any]) -> Calendar:
    data = r.mapping(raw.get("calendar"), "calendar", CALENDAR_KEYS)
    start = r.date(data, "start_date", "calendar")
    target = r.date(data, "target_date", "calendar")
    if start and target and target <= start:
        r.problems.append(
            f"calendar.target_date ({target}) must be after start_date ({start})"
        )
    closed = r.sequence(data.get("non_working_days"), "calendar.non_working_days")
    days = [
        r.date_value(value, f"calendar.non_working_days[{i}]")
        for i, value in enumerate(closed)
    ]
    return Calendar(
        start=start or dt.date(2000, 1, 3),
        target=target or (start or dt.date(2000, 1, 3)) + dt.timedelta(weeks=12),
        sprint_length_weeks=r.integer(data, "sprint_length_weeks", "calendar", 1, 8),
        non_working_days=tuple(sorted(d for d in days if d is not None)),
    )


def _read_estimate(r: _Reader, value: Any, where: str) -> Estimate:
    data = r.mapping(value, where, ESTIMATE_KEYS)
    low = r.real(data, "optimistic", where, 0, 1000)
    mode = r.real(data, "likely", where, 0, 1000)
    high = r.real(data, "pessimistic", where, 0, 1000)
    if not low <= mode <= high:
        r.problems.append(
            f"{where} must have optimistic <= likely <= pessimistic; "
            f"got {low:g}, {mode:g}, {high:g}"
        )
        low, high = min(low, mode, high), max(low, mode, high)
        mode = min(max(mode, low), high)
    return Estimate(low, mode, high)


def _read_tasks(r: _Reader, raw: Mapping[str, Any]) -> tuple[Task, ...]:
    tasks = []
    entries = r.sequence(raw.get("tasks"), "tasks")
    if not entries:
        r.problems.append("tasks must list at least one task")
    for position, entry in enumerate(entries):
        data = r.mapping(entry, f"tasks[{position}]")
        task_id = data.get("id")
        where = f"task {task_id}" if isinstance(task_id, str) else f"tasks[{position}]"
        r.mapping(data, where, TASK_KEYS)
        if not isinstance(task_id, str) or not TASK_ID.fullmatch(task_id):
            r.fail(
                f"tasks[{position}].id",
                "must be letters and digits joined by '-', such as DP-01",
                task_id,
            )
            task_id = f"#{position + 1}"
        depends = r.sequence(data.get("depends_on"), f"{where} depends_on")
        if any(not isinstance(d, str) for d in depends):
            r.fail(f"{where} depends_on", "must list task ids", depends)
        tasks.append(
            Task(
                id=task_id,
                component=r.choice(data, "component", where, COMPONENTS),
                category=r.text(data, "category", where),
                title=r.text(data, "title", where),
                role=r.choice(data, "role", where, ROLES),
                owner=r.text(data, "owner", where),
                estimate=_read_estimate(r, data.get("estimate"), f"{where} estimate"),
                depends_on=tuple(str(d) for d in depends),
                acceptance=r.text(data, "acceptance", where),
                status=r.choice(data, "status", where, STATUSES),
            )
        )
    return tuple(tasks)


def _read_list(
    r: _Reader,
    raw: Mapping[str, Any],
    key: str,
    keys: tuple[str, ...],
    build: Callable[[Mapping[str, Any], str], Any],
) -> tuple[Any, ...]:
    return tuple(
        build(r.mapping(entry, f"{key}[{i}]", keys), f"{key}[{i}]")
        for i, entry in enumerate(r.sequence(raw.get(key), key))
    )


def _cross_checks(r: _Reader, plan: Plan) -> None:
    """Rules between sections: ids, dependencies, owners, reviewers, dates."""
    ids: dict[str, int] = {}
    for task in plan.tasks:
        ids[task.id] = ids.get(task.id, 0) + 1
    for task_id, count in ids.items():
        if count > 1:
            r.problems.append(f"task id {task_id} is used by {count} tasks")
    graph = {t.id: t.depends_on for t in plan.tasks}
    r.problems.extend(unknown_dependencies(graph))
    for cycle in find_cycles(graph):
        r.problems.append(
            f"dependency cycle: {describe_cycle(cycle)} (each depends on the next)"
        )
    handles = [m.handle for m in plan.team]
    team_text = ", ".join(handles) or "no members"
    for task in plan.tasks:
        if task.owner and task.owner not in handles:
            r.problems.append(
                f"task {task.id} is owned by {task.owner!r}, who is not in the team "
                f"({team_text})"
            )
    if plan.project.owner and plan.project.owner not in handles:
        r.problems.append(
            f"project.owner {plan.project.owner!r} is not in the team ({team_text})"
        )
    for reviewer in plan.answers.reviewers:
        if reviewer not in handles:
            r.problems.append(f"reviewer {reviewer!r} is not in the team ({team_text})")
    if plan.answers.required_approvals > len(plan.answers.reviewers):
        r.problems.append(
            "key_questions.review.required_approvals "
            f"({plan.answers.required_approvals}) exceeds the number of reviewers "
            f"({len(plan.answers.reviewers)})"
        )
    for deadline in plan.deadlines:
        if deadline.date > plan.calendar.target:
            r.problems.append(
                f"milestone {deadline.name!r} on {deadline.date} is after the target "
                f"date {plan.calendar.target}"
            )
        if deadline.date < plan.calendar.start:
            r.problems.append(
                f"milestone {deadline.name!r} on {deadline.date} is before the start "
                f"date {plan.calendar.start}"
            )
        for task_id in deadline.tasks:
            if task_id not in ids:
                r.problems.append(
                    f"milestone {deadline.name!r} lists {task_id}, which is not a "
                    "task id in the plan"
                )


def read_plan(text: str, source: str = "plan/tasks.yaml") -> tuple[Plan, list[str]]:
    """The plan in tasks.yaml text and every problem found in it.

    Raises PlanError when the text is not YAML at all; otherwise returns the
    problems (empty when the plan is valid) and the plan read as far as possible.
    """
    try:
        raw = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise PlanError(f"{source} is not valid YAML: {error}") from error
    r = _Reader()
    if not isinstance(raw, Mapping):
        raise PlanError(f"{source} must be a YAML mapping with project, team and tasks")
    r.mapping(raw, "top level", TOP_KEYS)
    if raw.get("format") != FORMAT:
        r.fail("format", f"must be {FORMAT}", raw.get("format"))
    components = r.mapping(raw.get("components", {}), "components", COMPONENTS)
    deliverables = {
        key: r.texts(
            r.mapping(components.get(key, {}), f"components.{key}", COMPONENT_KEYS),
            "deliverables",
            f"components.{key}",
        )
        for key in COMPONENTS
    }
    forecast = r.mapping(raw.get("forecast"), "forecast", FORECAST_KEYS)
    plan = Plan(
        project=_read_project(r, raw),
        answers=_read_answers(r, raw),
        team=_read_team(r, raw),
        calendar=_read_calendar(r, raw),
        deadlines=_read_list(
            r,
            raw,
            "deadlines",
            DEADLINE_KEYS,
            lambda d, w: Deadline(
                name=r.text(d, "name", w),
                date=r.date(d, "date", w) or dt.date.min,
                tasks=r.texts(d, "tasks", w),
            ),
        ),
        forecast=Forecast(
            seed=r.integer(forecast, "seed", "forecast", 0, 2**63),
            runs=r.integer(forecast, "runs", "forecast", 1, 100_000),
        ),
        deliverables=deliverables,
        tasks=_read_tasks(r, raw),
        risks=_read_list(
            r,
            raw,
            "risks",
            RISK_KEYS,
            lambda d, w: Risk(
                risk=r.text(d, "risk", w),
                likelihood=r.choice(d, "likelihood", w, LEVELS),
                impact=r.choice(d, "impact", w, LEVELS),
                mitigation=r.text(d, "mitigation", w),
            ),
        ),
        gates=_read_list(
            r,
            raw,
            "gates",
            GATE_KEYS,
            lambda d, w: Gate(
                name=r.text(d, "gate", w),
                timing=r.text(d, "timing", w),
                criteria=r.text(d, "criteria", w),
                scope=r.choice(d, "scope", w, GATE_SCOPES),
            ),
        ),
    )
    _cross_checks(r, plan)
    return plan, r.problems


def load_plan(text: str, source: str = "plan/tasks.yaml") -> Plan:
    """The plan in tasks.yaml text; PlanError listing every problem if invalid."""
    plan, problems = read_plan(text, source)
    if problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise PlanError(f"{source} has {len(problems)} problem(s):\n{listed}", problems)
    return plan
