"""Risks from who owns the critical path, and chances shown without overstating."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from planning_support import make_answers
from ucforge_planning import build_plan
from ucforge_planning.analysis import analyse, chance_text
from ucforge_planning.model import Estimate, Plan, Task
from ucforge_planning.render import render_markdown


def chain_plan(owners_and_days: list[tuple[str, float]], **member_changes: Any) -> Plan:
    """The small team's plan with its tasks replaced by one chain, plus a short
    side task: the chain is the critical path, owned as given."""
    plan = build_plan(make_answers())
    team = tuple(
        dataclasses.replace(m, **member_changes.get(m.handle, {})) for m in plan.team
    )
    role = {m.handle: m.role for m in team}
    tasks = []
    for number, (owner, days) in enumerate(owners_and_days, start=1):
        tasks.append(
            Task(
                id=f"DP-{number:02d}",
                component="data_pipeline",
                category="Ingestion",
                title=f"Step {number}",
                role=role[owner],
                owner=owner,
                estimate=Estimate(days, days, days),
                depends_on=(f"DP-{number - 1:02d}",) if number > 1 else (),
                acceptance="Done",
                status="TODO",
            )
        )
    side_owner = next(h for h in role if h not in {o for o, _ in owners_and_days})
    side = dataclasses.replace(
        tasks[0], id="TS-01", component="testing", owner=side_owner, depends_on=()
    )
    side = dataclasses.replace(side, role=role[side_owner], estimate=Estimate(1, 1, 1))
    return dataclasses.replace(plan, team=team, tasks=(*tasks, side), deadlines=())


JUNIOR_BO = {"bo": {"expertise": "junior"}}


def risk_texts(plan: Plan) -> list[str]:
    return [r.risk for r in analyse(plan).risks]


def about(texts: list[str], name: str) -> list[str]:
    return [t for t in texts if name in t]


def test_a_junior_owning_most_critical_tasks_is_a_risk_in_a_senior_team() -> None:
    plan = chain_plan(
        [("bo", 2), ("ada", 2), ("bo", 2), ("ada", 2), ("bo", 2)], **JUNIOR_BO
    )
    texts = risk_texts(plan)
    assert about(texts, "Bo Chen") == [
        "A junior drives the date: Bo Chen owns 3 of the 5 critical-path tasks "
        "(6 of 10 likely days)"
    ]
    assert not any(t.startswith("Most of the team is junior") for t in texts)


def test_a_junior_owning_most_critical_effort_is_a_risk() -> None:
    plan = chain_plan(
        [("bo", 6), ("ada", 1), ("ada", 1), ("bo", 4), ("ada", 1)], **JUNIOR_BO
    )
    assert about(risk_texts(plan), "Bo Chen") == [
        "A junior drives the date: Bo Chen owns 2 of the 5 critical-path tasks "
        "(10 of 13 likely days)"
    ]


def test_a_junior_with_half_the_critical_path_or_less_raises_no_risk() -> None:
    plan = chain_plan(
        [("bo", 2), ("ada", 2), ("bo", 2), ("ada", 2), ("ada", 2), ("bo", 2)],
        **JUNIOR_BO,
    )
    assert about(risk_texts(plan), "Bo Chen") == []


def test_the_same_share_owned_by_a_senior_raises_no_junior_risk() -> None:
    plan = chain_plan([("bo", 2), ("ada", 2), ("bo", 2), ("ada", 2), ("bo", 2)])
    assert about(risk_texts(plan), "Bo Chen") == []


def test_one_member_owning_a_short_whole_critical_path_is_a_key_person() -> None:
    plan = chain_plan([("cy", 3), ("cy", 3), ("cy", 3)])
    risks = [r for r in analyse(plan).risks if "Cy Diaz" in r.risk]
    assert [r.risk for r in risks] == [
        "Key-person risk: Cy Diaz owns every one of the 3 critical-path tasks "
        "(9 likely days)"
    ]
    assert (risks[0].likelihood, risks[0].impact) == ("H", "H")


def test_most_but_not_all_of_a_long_critical_path_is_a_key_person() -> None:
    plan = chain_plan([("cy", 2), ("cy", 2), ("ada", 2), ("cy", 2), ("cy", 2)])
    assert about(risk_texts(plan), "Cy Diaz") == [
        "Key-person risk: Cy Diaz owns 4 of the 5 critical-path tasks "
        "(8 of 10 likely days)"
    ]


def test_a_junior_owning_the_whole_critical_path_gets_one_risk_not_two() -> None:
    plan = chain_plan([("bo", 2), ("bo", 2), ("bo", 2), ("bo", 2)], **JUNIOR_BO)
    risks = [r for r in analyse(plan).risks if "Bo Chen" in r.risk]
    assert [r.risk for r in risks] == [
        "Key-person risk: Bo Chen, a junior, owns every one of the 4 "
        "critical-path tasks (8 likely days)"
    ]
    assert "a senior reviews each of their critical tasks" in risks[0].mitigation


def test_three_of_five_critical_tasks_is_not_yet_a_key_person() -> None:
    plan = chain_plan([("cy", 2), ("ada", 2), ("cy", 2), ("ada", 2), ("cy", 2)])
    assert about(risk_texts(plan), "Cy Diaz") == []


@pytest.mark.parametrize(
    ("share", "shown"),
    [
        (1.0, "100%"),
        (0.995, "over 99%"),
        (0.991, "over 99%"),
        (0.99, "99%"),
        (0.5, "50%"),
        (0.434, "43%"),
        (0.01, "1%"),
        (0.005, "under 1%"),
        (0.0005, "under 1%"),
        (0.0, "0%"),
    ],
)
def test_a_chance_is_shown_without_overstating(share: float, shown: str) -> None:
    assert chance_text(share) == shown


@given(st.integers(min_value=1, max_value=5000), st.data())
def test_only_all_runs_read_100_percent_and_only_none_read_0(
    runs: int, data: st.DataObject
) -> None:
    on_time = data.draw(st.integers(min_value=0, max_value=runs))
    shown = chance_text(on_time / runs)
    assert (shown == "100%") == (on_time == runs)
    assert (shown == "0%") == (on_time == 0)


def test_the_plan_and_its_risks_show_the_chance_the_same_way() -> None:
    plan = build_plan(make_answers(target_date="2027-02-01"))
    a = analyse(plan)
    shown = chance_text(a.on_time_probability)
    assert f"{shown} chance of finishing by the target" in render_markdown(plan)
    target_risk = next(r for r in a.risks if "chance of finishing" in r.risk)
    assert f"{shown} chance" in target_risk.risk
