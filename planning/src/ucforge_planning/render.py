"""The implementation plan as Markdown, in the framework's Output Format."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence

from .analysis import Analysis, analyse
from .checklist import review_checklist
from .markup import cell, code, end_sentence, text
from .model import (
    COMPONENT_FOLDERS,
    COMPONENT_NAMES,
    COMPONENTS,
    Member,
    Plan,
    Task,
)
from .vocabulary import (
    COMPLIANCE_NAMES,
    DOCUMENT_NAMES,
    INFRASTRUCTURE_NAMES,
    METRIC_NAMES,
    needs_model_card,
)
from .workdays import sprint_count, sprint_of

LEVEL_NAMES = {
    "unit": "Unit",
    "integration": "Integration",
    "performance": "Performance",
    "model": "Model",
    "chaos": "Chaos",
}
# Below this, a sum of estimate differences is zero (floating-point noise).
EPSILON = 1e-9
PROBLEM_TYPES = {
    "binary_classification": "binary classification",
    "regression": "regression",
}


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
    return f"{date.isoformat()} ({date.strftime('%A')})"


def role_name(role: str) -> str:
    words = {"ml": "ML", "mlops": "MLOps"}
    return " ".join(words.get(w, w) for w in role.split("_"))


def person(member: Member | None, handle: str) -> str:
    if member is None:
        return text(f"@{handle}")
    return f"{text(member.name)} ({text('@' + member.handle)})"


def effort(task: Task) -> str:
    e = task.estimate
    return f"{days(e.likely)} d ({days(e.optimistic)}-{days(e.pessimistic)})"


def _sentence(value: str) -> str:
    return value[:1].upper() + value[1:]


# ---------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------
def _overview(plan: Plan, a: Analysis) -> list[str]:
    c = plan.calendar
    sprints = sprint_count(c.start, c.target, c.sprint_length_weeks)
    roles: dict[str, int] = {}
    for m in plan.team:
        roles[m.role] = roles.get(m.role, 0) + 1
    composition = ", ".join(
        f"{n} {role_name(r)}{'s' if n > 1 else ''}" for r, n in roles.items()
    )
    total = sum(t.estimate.likely for t in plan.tasks)
    low = sum(t.estimate.optimistic for t in plan.tasks)
    high = sum(t.estimate.pessimistic for t in plan.tasks)
    done = [t for t in plan.tasks if t.status == "DONE"]
    weeks = c.sprint_length_weeks
    rows = [
        ["Start Date", weekday(c.start)],
        ["Target Completion", weekday(c.target)],
        ["Team Size", f"{len(plan.team)} ({composition})"],
        [
            "Sprints/Iterations",
            f"{sprints} sprint{'s' if sprints != 1 else ''} of {weeks} "
            f"week{'s' if weeks != 1 else ''}",
        ],
        [
            "Total Effort",
            f"{days(total)} person-days likely ({days(low)}-{days(high)})",
        ],
        [
            "Planned Finish",
            f"{a.finish} on likely estimates "
            f"(sprint {sprint_of(c.start, a.finish, weeks)})",
        ],
        [
            "Forecast",
            f"P50 {a.p50}, P80 {a.p80}; {a.on_time_probability:.0%} chance of "
            "finishing by the target",
        ],
        ["Progress", f"{len(done)} of {len(plan.tasks)} tasks done"],
    ]
    if a.p50 > c.target:
        verdict = (
            f"**Verdict: the target is unlikely to be met.** The median forecast "
            f"({a.p50}) is after the target; see the first risk below."
        )
    elif a.p80 > c.target:
        verdict = (
            f"**Verdict: the target is at risk.** The median forecast ({a.p50}) "
            f"meets it, but the P80 forecast ({a.p80}) does not."
        )
    else:
        verdict = (
            f"**Verdict: the target is achievable.** Four times out of five the "
            f"work is done by {a.p80}, leaving "
            f"{(c.target - a.p80).days} calendar days of buffer."
        )
    path = a.schedule.critical_path
    return [
        "## Overview",
        "",
        *table(["Attribute", "Value"], rows),
        "",
        _finish_note(plan, a),
        "",
        verdict,
        "",
        f"Critical path ({days(a.schedule.makespan)} working days, who is free "
        f"included): {' → '.join(path)}.",
        "",
        f"The forecast replays the schedule {plan.forecast.runs:,} times with every "
        "task's effort drawn between its optimistic and pessimistic estimates "
        f"(triangular distribution, seed {plan.forecast.seed}). Each member works "
        "on one task at a time, for the share of the day given by their capacity.",
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


def _component(plan: Plan, a: Analysis, key: str) -> list[str]:
    name = COMPONENT_NAMES[key]
    tasks = [t for t in plan.tasks if t.component == key]
    lines = [f"### Component: {name}", ""]
    if not tasks:
        return [*lines, "No tasks are planned for this component.", ""]
    load: dict[str, float] = {}
    for t in tasks:
        load[t.owner] = load.get(t.owner, 0.0) + t.estimate.likely
    lead = max(load, key=lambda h: (load[h], -list(load).index(h)))
    others = [h for h in load if h != lead]
    owner = person(plan.member(lead), lead)
    if others:
        owner += ", with " + ", ".join(person(plan.member(h), h) for h in others)
    ids = {t.id for t in tasks}
    outside = sorted({d for t in tasks for d in t.depends_on if d not in ids})
    by_id = {t.id: t for t in plan.tasks}
    grouped: dict[str, list[str]] = {}
    for dep in outside:
        grouped.setdefault(by_id[dep].component, []).append(dep)
    deps = "; ".join(
        f"{COMPONENT_NAMES[k]} ({', '.join(grouped[k])})"
        for k in COMPONENTS
        if k in grouped
    )
    span = a.spans[key]
    total = sum(t.estimate.likely for t in tasks)
    c = plan.calendar
    first = sprint_of(c.start, span.first_day, c.sprint_length_weeks)
    last = sprint_of(c.start, span.last_day, c.sprint_length_weeks)
    sprints = f"sprint {first}" if first == last else f"sprints {first}-{last}"
    lines += [
        f"**Owner:** {owner}",
        f"**Estimated Effort:** {days(total)} person-days over {span.working_days} "
        f"working days, {span.first_day} to {span.last_day} ({sprints})",
        f"**Dependencies:** {deps or 'none outside this component'}",
        "",
        "#### Tasks",
        "",
    ]
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
    lines += table(
        ["ID", "Task", "Effort", "Dependency", "Status", "Owner", "Planned"], rows
    )
    lines += ["", "#### Acceptance Criteria", ""]
    lines += [
        f"- [{'x' if t.status == 'DONE' else ' '}] {text(t.id)}: {text(t.acceptance)}"
        for t in tasks
    ]
    a_ = plan.answers
    reviewers = ", ".join("@" + r for r in a_.reviewers)
    review = (
        f"Code review passed ({a_.required_approvals} approval"
        f"{'s' if a_.required_approvals != 1 else ''} from {reviewers})"
        if a_.required_approvals
        else "Code review passed (self-review against the checklist)"
    )
    gates = [
        text(review),
        f"Tests written and passing, line coverage at least {a_.coverage_target}%",
        "Documentation updated (README, runbook, ADRs)",
    ]
    gates += [
        f"{text(g.name)}: {text(g.criteria)}" for g in plan.gates if g.scope == key
    ]
    lines += ["", "#### Quality Gates", ""]
    lines += [f"- [ ] {g}" for g in gates]
    return [*lines, ""]


def _dependencies(plan: Plan, a: Analysis) -> list[str]:
    node = {t.id: f"t{i + 1}" for i, t in enumerate(plan.tasks)}
    lines = ["## Dependencies", "", "```mermaid", "flowchart LR"]
    for key in COMPONENTS:
        tasks = [t for t in plan.tasks if t.component == key]
        if not tasks:
            continue
        lines.append(f"  subgraph {key}[{mermaid_label(COMPONENT_NAMES[key])}]")
        lines.append("    direction TB")
        for t in tasks:
            lines.append(f"    {node[t.id]}[{mermaid_label(t.id + ': ' + t.title)}]")
        lines.append("  end")
    for t in plan.tasks:
        for dep in t.depends_on:
            lines.append(f"  {node[dep]} --> {node[t.id]}")
    critical = [node[i] for i in a.schedule.critical_path]
    done = [node[t.id] for t in plan.tasks if t.status == "DONE"]
    lines.append("  classDef critical stroke:#c92a2a,stroke-width:3px")
    lines.append("  classDef done fill:#d3f9d8")
    if critical:
        lines.append(f"  class {','.join(critical)} critical")
    if done:
        lines.append(f"  class {','.join(done)} done")
    lines += ["```", ""]
    lines += [
        "Tasks on the critical path have a thick red border; done tasks are green.",
        "The schedule on likely estimates, each member working on one task at a time:",
        "",
        "```mermaid",
        "gantt",
        "  title Schedule on likely estimates",
        "  dateFormat YYYY-MM-DD",
        "  axisFormat %d %b",
        "  excludes "
        + ", ".join(
            ["weekends", *(d.isoformat() for d in plan.calendar.non_working_days)]
        ),
    ]
    on_path = set(a.schedule.critical_path)
    for key in COMPONENTS:
        tasks = [t for t in plan.tasks if t.component == key]
        if not tasks:
            continue
        lines.append(f"  section {COMPONENT_NAMES[key]}")
        for t in sorted(tasks, key=lambda x: (a.schedule.slots[x.id].start, x.id)):
            start, end = a.task_dates(t.id)
            length = (
                a.calendar.last_index_on_or_before(end)
                - a.calendar.last_index_on_or_before(start)
                + 1
            )
            tags = []
            if t.status == "DONE":
                tags.append("done")
            elif t.status == "IN_PROGRESS":
                tags.append("active")
            if t.id in on_path:
                tags.append("crit")
            tags += [node[t.id], start.isoformat(), f"{length}d"]
            lines.append(f"  {gantt_name(t.id + ' ' + t.title)} :{', '.join(tags)}")
    if plan.deadlines:
        lines.append("  section Deadlines")
        for i, d in enumerate(plan.deadlines, start=1):
            lines.append(
                f"  {gantt_name(d.name)} :milestone, m{i}, {d.date.isoformat()}, 0d"
            )
    lines += ["```"]
    return lines


def _milestones(plan: Plan, a: Analysis) -> list[str]:
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


def _risks(a: Analysis) -> list[str]:
    rows = [[cell(r.risk), r.likelihood, r.impact, cell(r.mitigation)] for r in a.risks]
    return [
        "## Risks",
        "",
        *table(["Risk", "Likelihood", "Impact", "Mitigation"], rows),
    ]


def _gates(plan: Plan) -> list[str]:
    rows = [[cell(g.name), cell(g.timing), cell(g.criteria)] for g in plan.gates]
    return ["## Quality Gates", "", *table(["Gate", "Timing", "Criteria"], rows)]


def _key_questions(plan: Plan) -> list[str]:
    a, c = plan.answers, plan.calendar
    team = table(
        ["Name", "Handle", "Role", "Expertise", "Capacity"],
        [
            [
                cell(m.name),
                cell("@" + m.handle),
                role_name(m.role),
                m.expertise,
                f"{m.capacity:.0%}",
            ]
            for m in plan.team
        ],
    )
    owner = plan.member(plan.project.owner)
    deadlines = (
        "; ".join(f"{text(d.name)} on {d.date}" for d in plan.deadlines)
        or "none beyond the target"
    )
    existing = [INFRASTRUCTURE_NAMES.get(x, x) for x in a.existing_infrastructure]
    tracking = (
        f"the MLflow server at {code(a.tracking_server_url)}"
        if a.tracking_server_url
        else "a local MLflow SQLite database (no shared server yet)"
    )
    metric = METRIC_NAMES.get(a.primary_metric, a.primary_metric)
    documents = ["a README, runbook and ADRs for every component"]
    documents += [DOCUMENT_NAMES.get(d, d) for d in a.documentation]
    regimes = [COMPLIANCE_NAMES.get(r, r) for r in a.compliance]
    levels = [LEVEL_NAMES.get(level, level) for level in a.test_levels]
    ci = {"github": "GitHub Actions", "gitlab": "GitLab CI"}.get(
        a.ci_provider, a.ci_provider
    )
    return [
        "## Key Questions Answered",
        "",
        "### 1. Team composition and expertise",
        "",
        *team,
        "",
        f"Use-case owner: {person(owner, plan.project.owner)}.",
        "",
        "### 2. Timeline and hard deadlines",
        "",
        f"From {c.start} to {c.target} in sprints of {c.sprint_length_weeks} "
        f"week{'s' if c.sprint_length_weeks != 1 else ''}. "
        f"Hard deadlines: {deadlines}.",
        "",
        "### 3. Existing infrastructure",
        "",
        f"CI on {text(ci)}; experiments and models in {tracking}; already in place: "
        f"{text(', '.join(existing)) if existing else 'nothing to reuse'}.",
        "",
        "### 4. Testing strategy",
        "",
        f"Levels: {', '.join(levels)}. Line coverage at least {a.coverage_target}% "
        f"per package; p95 latency at most {a.latency_slo_p95_ms} ms at "
        f"{a.throughput_slo_rps} requests per second; the model must beat the "
        f"baseline by {a.baseline_margin * 100:g}% on {text(metric)}.",
        "",
        "### 5. Code review",
        "",
        f"Reviewers: {text(', '.join('@' + r for r in a.reviewers))}; "
        f"{a.required_approvals} approval{'s' if a.required_approvals != 1 else ''} "
        "required before a change merges.",
        "",
        "### 6. Documentation",
        "",
        f"{_sentence(text('; '.join(documents)))}.",
        "",
        "### 7. Compliance",
        "",
        (
            f"{text(', '.join(regimes))}: each adds its own tasks (CMP-…), risks and "
            "quality gates above."
            if regimes
            else "No compliance regime applies."
        ),
    ]


def _review_checklist(plan: Plan) -> list[str]:
    items = review_checklist(plan.answers)
    return ["## Code Review Checklist", "", *(f"- [ ] {i}" for i in items)]


def _testing(plan: Plan) -> list[str]:
    a = plan.answers
    metric = METRIC_NAMES.get(a.primary_metric, a.primary_metric)
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
        [LEVEL_NAMES[level], cell(targets[level][0]), targets[level][1]]
        for level in LEVEL_NAMES
        if level in a.test_levels
    ]
    skipped = [
        LEVEL_NAMES[level] for level in LEVEL_NAMES if level not in a.test_levels
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


def render_markdown(plan: Plan, analysis: Analysis | None = None) -> str:
    """The whole implementation plan as Markdown text ending in one newline."""
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
    kind = PROBLEM_TYPES.get(p.problem_type, text(p.problem_type))
    if p.description.strip():
        lines += [
            f"{text(end_sentence(p.description))} A {kind} model predicts "
            f"{code(p.target_column)}.",
            "",
        ]
    lines += [*_overview(plan, a), ""]
    lines += [*_phases(plan, a), ""]
    lines += ["## Detailed Task Breakdown", ""]
    for key in COMPONENTS:
        lines += _component(plan, a, key)
    lines += [*_dependencies(plan, a), ""]
    lines += [*_milestones(plan, a), ""]
    lines += [*_risks(a), ""]
    lines += [*_gates(plan), ""]
    lines += [*_key_questions(plan), ""]
    lines += [*_review_checklist(plan), ""]
    lines += [*_testing(plan), ""]
    lines += _documentation(plan)
    return "\n".join(lines) + "\n"
