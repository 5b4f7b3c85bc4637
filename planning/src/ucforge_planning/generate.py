"""From copier's answers to the first plan: tasks, owners, estimates, tasks.yaml."""

from __future__ import annotations

import datetime as dt
import hashlib
import math
import re
from collections.abc import Mapping
from typing import Any

from .analysis import plan_schedule
from .availability import Availability
from .catalogue import Draft, drafts, facts_from_answers
from .deadlines import QUESTION, entry_label, linked_tasks
from .document import dump_plan, load_plan
from .errors import PlanError
from .guidance import deliverables, gates, risks
from .model import (
    COMPONENT_PREFIXES,
    COMPONENTS,
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
from .render import render_markdown
from .schedule import Schedule, list_schedule
from .search import improve
from .vocabulary import COMPLIANCE_ID_PARTS

EXPERTISE_FACTORS = {"senior": 1.0, "intermediate": 1.25, "junior": 1.6}
OUTSIDE_ROLE_FACTOR = 1.25
# A member works full days on the plan; 80% of a day goes to plan work, the
# rest to meetings, support and reviews (capacity x focus factor = 0.8).
DEFAULT_CAPACITY = 1.0
DEFAULT_FOCUS_FACTOR = 0.8
MONTE_CARLO_RUNS = 2000
# Who picks up a role's work when the team has no one in that role, in order.
FALLBACK_ROLES = {
    "data_engineer": ("ml_engineer", "mlops_engineer", "data_scientist"),
    "data_scientist": ("ml_engineer", "data_engineer", "mlops_engineer"),
    "ml_engineer": ("mlops_engineer", "data_scientist", "data_engineer"),
    "mlops_engineer": ("ml_engineer", "data_engineer", "data_scientist"),
}


def _date(value: Any) -> dt.date:
    """An answered date, given as a date, a datetime or ISO text."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value).strip())


def _half_days(value: float) -> float:
    """Rounded up to the next half day, at least half a day."""
    return max(0.5, math.ceil(value * 2 - 1e-9) / 2)


def candidates_for(role: str, team: tuple[Member, ...]) -> list[Member]:
    """Members who may take a task of this role.

    The members of that role; when the team has none, the members of the first
    two fallback roles the team has (the schedule picks whoever finishes first).
    """
    found = [m for m in team if m.role == role]
    if found:
        return found
    present = [r for r in FALLBACK_ROLES[role] if any(m.role == r for m in team)]
    return [m for r in present[:2] for m in team if m.role == r]


def draft_candidates(draft: Draft, team: tuple[Member, ...]) -> list[Member]:
    """Members who may take this draft: those of its role, else those of the first
    of its own fallback roles the team has (a compliance task names the roles
    that own it), else `candidates_for` its role."""
    for role in (draft.role, *draft.fallback_roles):
        found = [m for m in team if m.role == role]
        if found:
            return found
    return candidates_for(draft.role, team)


def _independent_owners(
    items: list[Draft], owners: Mapping[str, Member], team: tuple[Member, ...]
) -> dict[str, Member]:
    """The owners, with each draft that must be independent of other drafts moved
    off a member who owns one of them.

    It goes to the first role, in its owning order, with a member who owns none
    of them: the least loaded (fewest drafts) such member, first in team order on
    a tie. With no such member the owner stays and the plan names the risk.
    """
    result = dict(owners)
    for draft in items:
        excluded = {result[k].handle for k in draft.independent_of if k in result}
        if result[draft.key].handle not in excluded:
            continue
        roles = dict.fromkeys(
            (draft.role, *draft.fallback_roles, *FALLBACK_ROLES[draft.role])
        )
        for role in roles:
            free = [m for m in team if m.role == role and m.handle not in excluded]
            if free:
                load = [sum(o == m for o in result.values()) for m in free]
                result[draft.key] = free[load.index(min(load))]
                break
    return result


def _independence_risks(
    items: list[Draft],
    ids: Mapping[str, str],
    tasks: tuple[Task, ...],
    team: tuple[Member, ...],
) -> list[Risk]:
    """A risk for each task whose owner owns a task it must be independent of."""
    owner = {t.id: t.owner for t in tasks}
    names = {m.handle: m.name for m in team}
    found = []
    for draft in items:
        own = [
            ids[k]
            for k in draft.independent_of
            if owner[ids[k]] == owner[ids[draft.key]]
        ]
        if own:
            found.append(
                Risk(
                    f"{ids[draft.key]} needs an owner independent of "
                    f"{' and '.join(own)}, and every member owns one of them: "
                    f"{names[owner[ids[draft.key]]]} owns {ids[draft.key]} too",
                    "H",
                    "H",
                    "Ask the use-case owner to name an owner outside the team "
                    f"(the model-risk or validation function) for {ids[draft.key]} "
                    "before it starts",
                )
            )
    return found


def effort_factor(member: Member, role: str) -> float:
    """How much longer than a senior in the role this member needs."""
    factor = EXPERTISE_FACTORS[member.expertise]
    return factor if member.role == role else factor * OUTSIDE_ROLE_FACTOR


def _ids(items: list[Draft]) -> dict[str, str]:
    """Task ids: DP-01.. per component, CMP-GDPR-01.. per compliance regime."""
    counters: dict[str, int] = {}
    ids: dict[str, str] = {}
    for draft in items:
        if draft.regime:
            prefix = f"CMP-{COMPLIANCE_ID_PARTS[draft.regime]}"
        else:
            prefix = COMPONENT_PREFIXES[draft.component]
        counters[prefix] = counters.get(prefix, 0) + 1
        ids[draft.key] = f"{prefix}-{counters[prefix]:02d}"
    return ids


def _with_ids(text: str, ids: Mapping[str, str]) -> str:
    """Replace {task.key} placeholders by task ids (unknown keys are dropped)."""
    replaced = re.sub(r"\{([a-z0-9]+\.[a-z0-9]+)\}", lambda m: ids.get(m[1], ""), text)
    return re.sub(r" \(\)", "", replaced)


def seed_for(answers: Mapping[str, Any]) -> int:
    """A seed that depends on the use case only, so the plan is repeatable."""
    digest = hashlib.sha256(str(answers["use_case_id"]).encode()).hexdigest()
    return int(digest[:8], 16)


def team_from_answers(answers: Mapping[str, Any]) -> tuple[Member, ...]:
    """The answered team with the default capacity."""
    return tuple(
        Member(
            name=str(m["name"]),
            handle=str(m["handle"]),
            email=str(m["email"]),
            role=str(m["role"]),
            expertise=str(m["expertise"]),
            capacity=DEFAULT_CAPACITY,
        )
        for m in answers["team_members"]
    )


def key_answers(answers: Mapping[str, Any]) -> KeyAnswers:
    """Copier's answers to Key Questions 3 to 7, as the plan records them."""
    return KeyAnswers(
        ci_provider=str(answers["ci_provider"]),
        tracking_server_url=str(answers["tracking_server_url"] or ""),
        existing_infrastructure=tuple(answers["existing_infrastructure"] or ()),
        coverage_target=int(answers["coverage_target"]),
        test_levels=tuple(answers["test_levels"] or ()),
        latency_slo_p95_ms=int(answers["latency_slo_p95_ms"]),
        throughput_slo_rps=int(answers["throughput_slo_rps"]),
        primary_metric=str(answers["primary_metric"]),
        baseline_margin=float(answers["baseline_margin"]),
        reviewers=tuple(str(r) for r in answers["reviewers"]),
        required_approvals=int(answers["required_approvals"]),
        documentation=tuple(answers["documentation"] or ()),
        compliance=tuple(answers["compliance"] or ()),
    )


def _owners(
    items: list[Draft], team: tuple[Member, ...], focus: float
) -> list[dict[str, Member]]:
    """Who owns each draft, by the schedule search (search.improve) with any
    candidate free to take it; the single pass's owners second."""
    by_key = {d.key: d for d in items}
    members = {m.handle: m for m in team}
    graph = {d.key: d.after for d in items}
    candidates = {d.key: [m.handle for m in draft_candidates(d, team)] for d in items}

    def work(key: str, handle: str) -> float:
        """Person-days the member needs for the draft at its likely effort."""
        draft, member = by_key[key], members[handle]
        return _half_days(draft.effort[1] * effort_factor(member, draft.role))

    availability = {m.handle: Availability(m.capacity * focus) for m in team}
    found: list[Schedule] = [
        improve(graph, candidates, work, availability=availability),
        list_schedule(graph, candidates, work, availability=availability),
    ]
    return [
        {key: members[slot.owner] for key, slot in schedule.slots.items()}
        for schedule in found
    ]


def _task(draft: Draft, owner: Member, ids: Mapping[str, str]) -> Task:
    """The task of a draft, its estimate scaled for the owner and in half days."""
    factor = effort_factor(owner, draft.role)
    low, mode, high = (_half_days(x * factor) for x in draft.effort)
    return Task(
        id=ids[draft.key],
        component=draft.component,
        category=draft.category,
        title=draft.title,
        role=draft.role,
        owner=owner.handle,
        estimate=Estimate(low, max(low, mode), max(mode, high)),
        depends_on=tuple(ids[k] for k in draft.after),
        acceptance=draft.acceptance,
        status="TODO",
        verified_by=draft.verified_by,
    )


def _tasks(
    items: list[Draft], ids: Mapping[str, str], owners: Mapping[str, Member]
) -> tuple[Task, ...]:
    """Every draft as a task with its owner, in component order."""
    ordered = sorted(items, key=lambda d: _task_order(d, ids))
    return tuple(_task(draft, owners[draft.key], ids) for draft in ordered)


def _project(answers: Mapping[str, Any]) -> Project:
    """The use case the answers describe."""
    return Project(
        use_case_id=str(answers["use_case_id"]),
        name=str(answers["use_case_name"]),
        description=str(answers["description"]),
        problem_type=str(answers["problem_type"]),
        target_column=str(answers["target_column"]),
        owner=str(answers["use_case_owner"]),
        cli=str(answers["project_slug"]),
        plan_dir=str(answers["plan_dir"]),
    )


def _calendar(answers: Mapping[str, Any]) -> Calendar:
    """The answered start, target, sprint length and holiday region, with no
    team days off yet."""
    return Calendar(
        start=_date(answers["start_date"]),
        target=_date(answers["target_date"]),
        sprint_length_weeks=int(answers["sprint_length_weeks"]),
        non_working_days=(),
        public_holidays=str(answers.get("public_holidays") or "").strip(),
        focus_factor=DEFAULT_FOCUS_FACTOR,
    )


def _components(items: list[Draft], ids: Mapping[str, str]) -> dict[str, str]:
    """Every task id of the plan, in plan order, with its component."""
    ordered = sorted(items, key=lambda d: _task_order(d, ids))
    return {ids[d.key]: d.component for d in ordered}


def _linked_deadlines(
    answers: Mapping[str, Any], components: Mapping[str, str]
) -> tuple[tuple[Deadline, ...], list[str]]:
    """The answered hard deadlines by date, each with the ids of the phases and
    tasks it names, and what is wrong with the phases and ids answered."""
    found, problems = [], []
    for position, entry in enumerate(answers["hard_deadlines"] or (), start=1):
        where = entry_label(position, entry)
        ids, wrong = linked_tasks(entry, where, components)
        problems += wrong
        found.append(
            Deadline(name=str(entry["name"]), date=_date(entry["date"]), tasks=ids)
        )
    return tuple(sorted(found, key=lambda d: d.date)), problems


def deadline_problems(answers: Mapping[str, Any]) -> list[str]:
    """What is wrong with the answered deadlines' phases and task ids, for the copy.

    Task ids are known once the answers' tasks are drafted; this drafts them
    without owners or a schedule, so the copy can refuse before writing anything.
    """
    items = drafts(facts_from_answers(answers))
    return _linked_deadlines(answers, _components(items, _ids(items)))[1]


def _deadlines(
    answers: Mapping[str, Any], items: list[Draft], ids: Mapping[str, str]
) -> tuple[Deadline, ...]:
    """The answered hard deadlines by date, with the tasks each one checks."""
    deadlines, problems = _linked_deadlines(answers, _components(items, ids))
    if problems:
        raise PlanError(
            f"{QUESTION} has {len(problems)} problem(s):\n"
            + "".join(f"  - {p}\n" for p in problems),
            problems,
        )
    return deadlines


def build_plan(answers: Mapping[str, Any]) -> Plan:
    """The first plan for these answers, owners and estimates included."""
    facts = facts_from_answers(answers)
    team = team_from_answers(answers)
    items = drafts(facts)
    ids = _ids(items)
    reviewers = [str(r) for r in answers["reviewers"]]
    calendar = _calendar(answers)
    plans = []
    for owners in _owners(items, team, calendar.focus_factor):
        tasks = _tasks(items, ids, _independent_owners(items, owners, team))
        plans.append(
            Plan(
                project=_project(answers),
                answers=key_answers(answers),
                team=team,
                calendar=calendar,
                deadlines=_deadlines(answers, items, ids),
                forecast=Forecast(seed=seed_for(answers), runs=MONTE_CARLO_RUNS),
                deliverables={k: tuple(v) for k, v in deliverables(facts).items()},
                tasks=tasks,
                risks=(
                    *(
                        Risk(r[0], r[1], r[2], _with_ids(r[3], ids))
                        for r in risks(facts)
                    ),
                    *_independence_risks(items, ids, tasks, team),
                ),
                gates=tuple(Gate(*g) for g in gates(facts, reviewers)),
            )
        )
    # The owners whose schedule, as the plan computes and shows it, ends first.
    return min(plans, key=lambda plan: plan_schedule(plan).makespan)


def _task_order(draft: Draft, ids: Mapping[str, str]) -> tuple[int, int, str]:
    """Component order, then component tasks before compliance tasks, then id."""
    return (COMPONENTS.index(draft.component), 1 if draft.regime else 0, ids[draft.key])


def generate_from_answers(answers: Mapping[str, Any]) -> dict[str, str]:
    """tasks.yaml and the rendered markdown for copier's answers.

    The markdown is rendered from the tasks.yaml text, exactly as `plan render`
    does later, so a fresh project re-renders to the same bytes.
    """
    tasks_yaml = dump_plan(build_plan(answers))
    plan = load_plan(tasks_yaml, "the generated plan/tasks.yaml")
    return {"plan_tasks_yaml": tasks_yaml, "plan_markdown": render_markdown(plan)}
