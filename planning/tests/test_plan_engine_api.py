"""The planning engine: answers to plan, schedule, forecast and Markdown."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from planning_support import make_answers
from ucforge_planning import (
    build_plan,
    generate_from_answers,
    key_answers,
    review_checklist,
)
from ucforge_planning.analysis import analyse
from ucforge_planning.document import dump_plan, load_plan
from ucforge_planning.graph import longest_path
from ucforge_planning.model import Plan
from ucforge_planning.render import render_markdown
from ucforge_planning.schedule import list_schedule
from ucforge_planning.workdays import (
    WorkCalendar,
    sprint_count,
    sprint_of,
)


def plan_for(**changes: Any) -> tuple[Plan, str]:
    output = generate_from_answers(make_answers(**changes))
    return load_plan(output["plan_tasks_yaml"]), output["plan_markdown"]


def solo(expertise: str = "junior") -> dict[str, Any]:
    member = {
        "name": "Sam Solo",
        "handle": "sam",
        "email": "sam@example.com",
        "role": "data_scientist",
        "expertise": expertise,
    }
    return {
        "team_members": [member],
        "use_case_owner": "sam",
        "reviewers": ["sam"],
        "required_approvals": 0,
    }


def test_the_same_answers_give_the_same_files() -> None:
    assert generate_from_answers(make_answers()) == generate_from_answers(
        make_answers()
    )


def test_tasks_yaml_round_trips_through_the_reader() -> None:
    plan = build_plan(make_answers())
    assert load_plan(dump_plan(plan)) == plan


def test_a_one_junior_person_team_is_late_and_warned() -> None:
    plan, markdown = plan_for(**solo())
    risks = [r.risk for r in analyse(plan).risks]
    assert {t.owner for t in plan.tasks} == {"sam"}
    assert any(r.startswith("Key-person risk") for r in risks)
    assert any(r.startswith("Most of the team is junior") for r in risks)
    assert any("is unlikely to be met" in r for r in risks)
    assert "self-review" in markdown


def test_a_regulated_project_gets_its_tasks_gates_and_checklist_items() -> None:
    regimes = ["gdpr", "hipaa", "soc2", "pci_dss", "eu_ai_act", "sr_11_7"]
    plan, markdown = plan_for(compliance=regimes, documentation=[])
    ids = {t.id for t in plan.tasks}
    for part in ("GDPR", "HIPAA", "SOC2", "PCI", "EUAI", "SR117"):
        assert any(i.startswith(f"CMP-{part}-") for i in ids)
    assert "written to the audit log, new endpoints included" in markdown
    assert "Model card, updated with every promoted version" in markdown
    assert "the OpenAPI schema served by the service" in markdown


def test_existing_infrastructure_and_a_tracking_server_shrink_the_work() -> None:
    bare, _ = plan_for()
    ready, markdown = plan_for(
        existing_infrastructure=[
            "feature_store",
            "orchestrator",
            "container_platform",
            "monitoring",
        ],
        tracking_server_url="https://mlflow.example.com",
        test_levels=["unit", "integration"],
        latency_slo_p95_ms=30,
        throughput_slo_rps=800,
        problem_type="regression",
        target_column="next_month_spend",
        primary_metric="rmse",
        description=" ",
    )
    assert len(ready.tasks) < len(bare.tasks)
    assert "`https://mlflow.example.com`" in markdown
    assert "Not in scope for this use case" in markdown
    assert "30 ms leaves little room" in markdown
    assert "800 requests per second per replica" in markdown


def test_a_deadline_with_tasks_that_finish_late_is_a_risk() -> None:
    plan = build_plan(
        make_answers(hard_deadlines=[{"name": "Pilot", "date": "2027-01-11"}])
    )
    pilot = dataclasses.replace(plan.deadlines[0], tasks=("TS-06",))
    late = dataclasses.replace(plan, deadlines=(pilot,))
    risks = [r.risk for r in analyse(late).risks]
    assert any(r.startswith("The deadline Pilot (2027-01-11) is missed") for r in risks)
    markdown = render_markdown(late)
    assert "Hard deadline: TS-06 done (late, forecast" in markdown
    _, early = plan_for(hard_deadlines=[{"name": "Kick-off", "date": "2027-01-05"}])
    assert "no phase complete" in early


def test_a_tight_target_is_at_risk_rather_than_impossible() -> None:
    plan, markdown = plan_for(target_date="2027-03-15")
    result = analyse(plan)
    if result.p50 <= plan.calendar.target < result.p80:
        assert "the target is at risk" in markdown
    assert result.finish <= result.p80


def test_working_days_skip_weekends_and_non_working_days() -> None:
    calendar = WorkCalendar(dt.date(2027, 1, 2), [dt.date(2027, 1, 5)])
    assert str(calendar.day(0)) == "2027-01-04"
    assert str(calendar.day(1)) == "2027-01-06"
    assert str(calendar.end_date(0, 2)) == "2027-01-06"
    assert str(calendar.end_date(1, 1)) == "2027-01-06"
    assert calendar.last_index_on_or_before(calendar.day(0)) == 0
    assert calendar.last_index_on_or_before(dt.date(2026, 1, 1)) == -1
    with pytest.raises(ValueError, match="must not be negative"):
        calendar.day(-1)


def test_edited_capacity_and_holidays_move_the_dates() -> None:
    output = generate_from_answers(make_answers())
    data = yaml.safe_load(output["plan_tasks_yaml"])
    before = analyse(load_plan(output["plan_tasks_yaml"])).finish
    for member in data["team"]:
        member["capacity"] = 0.5
    data["calendar"]["non_working_days"] = ["2027-01-05"]
    after = analyse(load_plan(yaml.safe_dump(data))).finish
    assert after > before


@st.composite
def graphs(draw: st.DrawFn) -> dict[str, tuple[str, float, tuple[str, ...]]]:
    count = draw(st.integers(min_value=1, max_value=14))
    tasks: dict[str, tuple[str, float, tuple[str, ...]]] = {}
    for i in range(count):
        deps = draw(st.sets(st.integers(min_value=0, max_value=max(i - 1, 0))))
        days = draw(st.sampled_from([0.5, 1.0, 2.0, 3.5]))
        owner = f"p{draw(st.integers(min_value=0, max_value=2))}"
        tasks[f"T{i}"] = (owner, days, tuple(f"T{d}" for d in deps if d < i))
    return tasks


@settings(max_examples=40, deadline=None)
@given(graphs())
def test_schedules_respect_dependencies_and_capacity(
    tasks: dict[str, tuple[str, float, tuple[str, ...]]],
) -> None:
    deps = {t: d for t, (_, _, d) in tasks.items()}
    result = list_schedule(
        deps, {t: [o] for t, (o, _, _) in tasks.items()}, lambda t, _: tasks[t][1]
    )
    for task_id, (_, _, needs) in tasks.items():
        for dep in needs:
            assert result.slots[task_id].start >= result.slots[dep].finish - 1e-9
    for a, b in itertools.combinations(result.slots.values(), 2):
        if a.owner == b.owner:
            assert a.finish <= b.start + 1e-9 or b.finish <= a.start + 1e-9
    alone = list_schedule(deps, {t: [t] for t in tasks}, lambda t, _: tasks[t][1])
    length, _ = longest_path(deps, {t: d for t, (_, d, _) in tasks.items()})
    assert abs(alone.makespan - length) < 1e-9


def test_the_sprint_count_includes_the_sprint_of_the_target_day() -> None:
    start = dt.date(2027, 1, 4)
    assert sprint_count(start, dt.date(2027, 3, 29), 2) == 7
    assert sprint_count(start, dt.date(2027, 3, 28), 2) == 6
    for days in range(0, 120):
        target = start + dt.timedelta(days=days)
        assert sprint_of(start, target, 3) == sprint_count(start, target, 3)
    _, markdown = plan_for()
    assert "| Sprints/Iterations | 7 sprints of 2 weeks |" in markdown
    assert "| Target completion | 2027-03-29 (sprint 7) |" in markdown


def finish_note(plan: Plan) -> str:
    markdown = render_markdown(plan)
    return next(line for line in markdown.splitlines() if "planned finish" in line)


def test_the_overview_explains_a_forecast_later_or_earlier_than_the_plan() -> None:
    plan, _ = plan_for()
    assert "skewed towards the pessimistic side, so its P50 falls later" in (
        finish_note(plan)
    )

    def reshaped(low: float, high: float) -> Plan:
        tasks = tuple(
            dataclasses.replace(
                t,
                estimate=dataclasses.replace(
                    t.estimate,
                    optimistic=t.estimate.likely * low,
                    pessimistic=t.estimate.likely * high,
                ),
            )
            for t in plan.tasks
        )
        return dataclasses.replace(plan, tasks=tasks)

    exact = reshaped(1.0, 1.0)
    assert analyse(exact).p50 == analyse(exact).finish
    assert finish_note(exact).endswith("and its P50 falls on the same day.")
    optimistic = reshaped(0.2, 1.0)
    assert analyse(optimistic).p50 < analyse(optimistic).finish
    assert "skewed towards the optimistic side, so its P50 falls earlier" in (
        finish_note(optimistic)
    )
    symmetric = reshaped(0.5, 1.5)
    note = finish_note(symmetric)
    assert "skewed" not in note
    assert "P50 falls" in note


@pytest.mark.parametrize(
    ("description", "shown"),
    [
        ("Scores are ok", "Scores are ok. A binary"),
        ("Scores are ok.", "Scores are ok. A binary"),
        ("Are scores ok?", "Are scores ok? A binary"),
        ('He said "stop!"', 'He said "stop!" A binary'),
    ],
)
def test_the_description_ends_as_a_sentence(description: str, shown: str) -> None:
    _, markdown = plan_for(description=description)
    assert shown in markdown


def test_the_review_checklist_is_the_one_the_plan_shows() -> None:
    # The framework's items and their order: test_plan_checklist.py.
    items = review_checklist(key_answers(make_answers(compliance=["hipaa"])))
    assert "coverage stays at or above 80%" in items[1]
    assert "HIPAA obligations in `docs/COMPLIANCE.md` still hold" in items
    assert items[-1] == "Approved by 1 reviewer other than the author"
    _, markdown = plan_for(compliance=["hipaa"])
    assert "\n".join(f"- [ ] {i}" for i in items) in markdown
    quiet = review_checklist(
        key_answers(
            make_answers(
                test_levels=["unit", "integration"],
                documentation=[],
                required_approvals=0,
            )
        )
    )
    assert len(quiet) == 8
