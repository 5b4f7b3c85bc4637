"""plan/tasks.yaml as text: writing it for people, reading it back with checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import yaml

from .errors import PlanError
from .model import COMPONENTS, Plan, Project, Risk, Task
from .tasks_file import FORMAT, read_data


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
    """The mapping as a YAML node in flow style."""
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=True)


def _represent_flow_list(dumper: yaml.SafeDumper, data: _FlowList) -> yaml.Node:
    """The list as a YAML node in flow style."""
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=True)


_Dumper.add_representer(_Flow, _represent_flow)
_Dumper.add_representer(_FlowList, _represent_flow_list)


def number(value: float) -> float | int:
    """A whole number as int, so YAML shows 2 rather than 2.0."""
    return int(value) if float(value).is_integer() else float(value)


def _comment(lines: Iterable[str]) -> str:
    """The lines as a YAML comment block, without trailing spaces."""
    return "\n".join(f"# {line}".rstrip() for line in lines)


def _section(key: str, value: Any, comment: str) -> str:
    """One top-level key of tasks.yaml in block style, under its comment."""
    body = yaml.dump(
        {key: value},
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=False,
    )
    return _comment(comment.splitlines()) + "\n" + body


def task_entry(task: Task) -> dict[str, Any]:
    """One task as it is written in tasks.yaml.

    verified_by is written only when it has links, before the acceptance
    criteria, so that a team's edit of a status line and a template update that
    links a test never touch neighbouring lines (copier update merges the two);
    the actual dates only when recorded.
    """
    entry: dict[str, Any] = {
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
    }
    if task.verified_by:
        entry["verified_by"] = list(task.verified_by)
    entry["acceptance"] = task.acceptance
    entry["status"] = task.status
    for key, day in (("started", task.started), ("finished", task.finished)):
        if day is not None:
            entry[key] = day.isoformat()
    return entry


# How to edit the file, at its top; {cli} and the others come from the project.
_HEADER = (
    "Implementation plan of {use_case_id}: the source of",
    "{plan_dir}/implementation-plan.md.",
    "",
    "Edit this file, never the markdown. Then:",
    "  make plan          (or: {cli} plan render)  rewrites the plan",
    "  make plan-check    (or: {cli} plan check)   validates this file",
    "  make plan-status   (or: {cli} plan status)  progress and the forecast",
    "  make plan-baseline (or: {cli} plan baseline) keeps the forecast to compare",
    "Dates, the schedule, the critical path, milestone dates and the forecast are",
    "computed from this file at every render.",
    "",
    "- status: TODO, IN_PROGRESS, DONE or BLOCKED; add started: YYYY-MM-DD when",
    "  work starts and finished: YYYY-MM-DD when it is done: the forecast starts",
    "  from the latest such date (or calendar.status_date)",
    "- estimate: working days for the owner named, as optimistic, likely and",
    "  pessimistic; generated values are already scaled for the owner's expertise",
    "  (senior x1, intermediate x1.25, junior x1.6; x1.25 outside their role)",
    "- depends_on: ids of the tasks that must be finished first",
    "- owner: the handle of a member of team; a member's capacity is the share of",
    "  each working day they spend on this plan (1 full time, 0.5 half days),",
    "  weekdays the days they work (part time: [Mon, Tue, Wed, Thu]) and absences",
    "  their days away: {{start: YYYY-MM-DD, end: YYYY-MM-DD, reason: Leave}}",
    "- deadlines: hard dates; list task ids under tasks to have the forecast",
    "  checked against them",
    "- verified_by (tasks and gates): the tests that prove the criteria, as pytest",
    "  node ids from the repository root or marker:NAME; make plan-verify marks",
    "  each verified, failing or unverified from the JUnit XML of a test run",
    "  (or: {cli} plan verify reports/junit/*.xml)",
    "- risks: add probability (0-1) and impact_days (working days, or optimistic,",
    "  likely and pessimistic) to sample a risk in the forecast; delays lists the",
    "  tasks it holds up (the end when none)",
)


def _header(project: Project) -> str:
    """The opening comment that says how to edit the file, and the format line."""
    lines = (
        line.format(
            use_case_id=project.use_case_id, plan_dir=project.plan_dir, cli=project.cli
        )
        for line in _HEADER
    )
    return _comment(lines) + f"\nformat: {FORMAT}\n"


def _project(plan: Plan) -> dict[str, Any]:
    """The project section: the use case and where its plan is rendered."""
    p = plan.project
    return {
        "use_case_id": p.use_case_id,
        "name": p.name,
        "description": p.description,
        "problem_type": p.problem_type,
        "target_column": p.target_column,
        "owner": p.owner,
        "cli": p.cli,
        "plan_dir": p.plan_dir,
    }


def _key_questions(plan: Plan) -> dict[str, Any]:
    """The key_questions section: the answers to Key Questions 3 to 7."""
    a = plan.answers
    return {
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
    }


def _team(plan: Plan) -> list[dict[str, Any]]:
    """The team section: one entry per member."""
    return [
        {
            "name": m.name,
            "handle": m.handle,
            "email": m.email,
            "role": m.role,
            "expertise": m.expertise,
            "capacity": number(m.capacity),
            "weekdays": _FlowList(m.weekdays),
            "absences": [
                _Flow(start=a.start.isoformat(), end=a.end.isoformat(), reason=a.reason)
                for a in m.absences
            ],
        }
        for m in plan.team
    ]


def _calendar(plan: Plan) -> dict[str, Any]:
    """The calendar section: dates as ISO text, days off on one line."""
    c = plan.calendar
    entry: dict[str, Any] = {
        "start_date": c.start.isoformat(),
        "target_date": c.target.isoformat(),
        "sprint_length_weeks": c.sprint_length_weeks,
        "non_working_days": _FlowList(d.isoformat() for d in c.non_working_days),
        "public_holidays": c.public_holidays,
        "focus_factor": number(c.focus_factor),
    }
    if c.status_date is not None:
        entry["status_date"] = c.status_date.isoformat()
    return entry


def _deadlines(plan: Plan) -> list[dict[str, Any]]:
    """The deadlines section: name, ISO date and the task ids checked against it."""
    return [
        {"name": d.name, "date": d.date.isoformat(), "tasks": _FlowList(d.tasks)}
        for d in plan.deadlines
    ]


def _forecast(plan: Plan) -> dict[str, Any]:
    """The forecast section: the Monte Carlo seed and number of runs."""
    return {"seed": plan.forecast.seed, "runs": plan.forecast.runs}


def _components(plan: Plan) -> dict[str, Any]:
    """The components section: every component's deliverables, in phase order."""
    return {
        key: {"deliverables": list(plan.deliverables.get(key, ()))}
        for key in COMPONENTS
    }


def _tasks(plan: Plan) -> list[dict[str, Any]]:
    """The tasks section: every task in plan order."""
    return [task_entry(t) for t in plan.tasks]


def _risks(plan: Plan) -> list[dict[str, Any]]:
    """The risks section: each risk with its likelihood, impact and mitigation."""
    return [_risk_entry(r) for r in plan.risks]


def _risk_entry(r: Risk) -> dict[str, Any]:
    """One risk; the keys of a sampled risk only when it has them."""
    entry: dict[str, Any] = {
        "risk": r.risk,
        "likelihood": r.likelihood,
        "impact": r.impact,
        "mitigation": r.mitigation,
    }
    if r.probability is not None and r.impact_days is not None:
        entry["probability"] = number(r.probability)
        entry["impact_days"] = _Flow(
            optimistic=number(r.impact_days.optimistic),
            likely=number(r.impact_days.likely),
            pessimistic=number(r.impact_days.pessimistic),
        )
        if r.delays:
            entry["delays"] = _FlowList(r.delays)
    return entry


def _gates(plan: Plan) -> list[dict[str, Any]]:
    """The gates section: each quality gate with its timing, criteria and scope."""
    entries: list[dict[str, Any]] = []
    for g in plan.gates:
        entry: dict[str, Any] = {
            "gate": g.name,
            "timing": g.timing,
            "criteria": g.criteria,
            "scope": g.scope,
        }
        if g.verified_by:
            entry["verified_by"] = list(g.verified_by)
        entries.append(entry)
    return entries


# The sections of tasks.yaml in the order written: key, value, comment above it.
_SECTIONS: tuple[tuple[str, Callable[[Plan], Any], str], ...] = (
    ("project", _project, "The use case and where its plan is rendered."),
    (
        "key_questions",
        _key_questions,
        "Answers to Key Questions 3 to 7 (1 is the team, 2 the calendar).",
    ),
    ("team", _team, "Key Question 1: who builds it."),
    (
        "calendar",
        _calendar,
        "Key Question 2: working days are Monday to Friday less non_working_days\n"
        "(team days off as YYYY-MM-DD) and the public holidays of public_holidays:\n"
        "a country code, or a country and its subdivision (DE, DE-BY, US-CA,\n"
        "GB-SCT; empty for none). focus_factor is the share of a working day that\n"
        "goes to plan work (meetings, support and reviews take the rest): each\n"
        "member gives the plan their capacity times it, on every day they work.",
    ),
    (
        "deadlines",
        _deadlines,
        "Hard deadlines; each is a milestone and must not fall after target_date.",
    ),
    (
        "forecast",
        _forecast,
        "Monte Carlo over the three-point estimates; the seed makes it repeatable.",
    ),
    ("components", _components, "Key deliverables of each phase."),
    ("tasks", _tasks, "The work, component by component."),
    (
        "risks",
        _risks,
        "Risks from the answers, likelihood and impact L, M or H. Schedule\n"
        "risks (a late target, a missing role) are added when the plan renders.",
    ),
    ("gates", _gates, "Quality gates; scope is all or the component they apply to."),
)


def dump_plan(plan: Plan) -> str:
    """tasks.yaml text for a plan: commented sections, stable order."""
    sections = [_header(plan.project)]
    sections += [_section(key, value(plan), note) for key, value, note in _SECTIONS]
    return "\n".join(sections)


# ---------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------
def _parse(text: str, source: str) -> dict[str, Any]:
    """The YAML mapping in the text; PlanError when it is not one."""
    try:
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except (yaml.YAMLError, ValueError) as error:  # ValueError: a date like 02-30
        raise PlanError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise PlanError(f"{source} must be a YAML mapping with project, team and tasks")
    return data


def read_plan(
    text: str, source: str = "plan/tasks.yaml"
) -> tuple[Plan | None, list[str]]:
    """The plan in tasks.yaml text and every problem found in it.

    The problems are empty when the plan is valid. The plan is None when the text
    is not a YAML mapping (one problem says so) or a value breaks its rule; it is
    read when only rules between sections are broken, such as a dependency cycle.
    """
    try:
        data = _parse(text, source)
    except PlanError as error:
        return None, [str(error)]
    return read_data(data)


def load_plan(text: str, source: str = "plan/tasks.yaml") -> Plan:
    """The plan in tasks.yaml text; PlanError listing every problem if invalid."""
    plan, problems = read_data(_parse(text, source))
    if plan is None or problems:
        listed = "\n".join(f"  - {p}" for p in problems)
        raise PlanError(f"{source} has {len(problems)} problem(s):\n{listed}", problems)
    return plan
