"""Hard deadlines answered with their phases and tasks, checked by the forecast."""

from __future__ import annotations

from typing import Any

import pytest
from planning_support import make_answers
from ucforge_planning import (
    PlanError,
    build_plan,
    deadline_problems,
    generate_from_answers,
)
from ucforge_planning.analysis import analyse
from ucforge_planning.deadlines import entry_problems
from ucforge_planning.document import dump_plan, load_plan


def deadlines(*entries: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return make_answers(hard_deadlines=list(entries), **changes)


def test_a_phase_by_name_links_all_its_tasks_compliance_tasks_included() -> None:
    plan = build_plan(
        deadlines(
            {"name": "Data ready", "date": "2027-02-15", "phase": "Data Pipeline"},
            compliance=["gdpr"],
        )
    )
    pipeline = tuple(t.id for t in plan.tasks if t.component == "data_pipeline")
    assert plan.deadlines[0].tasks == pipeline
    assert "CMP-GDPR-01" in pipeline
    assert all(i.startswith(("DP-", "CMP-GDPR-")) for i in pipeline)


def test_phases_by_key_and_tasks_by_id_are_linked_in_plan_order_once() -> None:
    plan = build_plan(
        deadlines(
            {
                "name": "Pilot",
                "date": "2027-03-01",
                "phase": ["feature_engineering", "data-pipeline"],
                "tasks": ["MD-02", "FE-01"],
            }
        )
    )
    linked = plan.deadlines[0].tasks
    order = [t.id for t in plan.tasks]
    assert linked == tuple(sorted(linked, key=order.index))
    assert len(set(linked)) == len(linked)
    assert {t.component for t in plan.tasks if t.id in linked} == {
        "data_pipeline",
        "feature_engineering",
        "model_development",
    }
    assert [i for i in linked if i.startswith("MD-")] == ["MD-02"]


def test_a_deadline_with_neither_keeps_no_tasks_and_says_it_checks_nothing() -> None:
    output = generate_from_answers(deadlines({"name": "Demo", "date": "2027-02-01"}))
    plan = load_plan(output["plan_tasks_yaml"])
    assert plan.deadlines[0].tasks == ()
    assert (
        "| Demo | 2027-02-01 (sprint 3) | Hard deadline with no task linked, so the "
        "forecast checks nothing against it (list its task ids under tasks in "
        "plan/tasks.yaml); forecast by then:" in output["plan_markdown"]
    )
    assert "Demo on 2027-02-01 (no task linked)" in output["plan_markdown"]


def test_a_phase_deadline_is_checked_by_the_forecast_from_the_copy_on() -> None:
    output = generate_from_answers(
        deadlines(
            {"name": "Models", "date": "2027-01-18", "phase": "Model Development"}
        )
    )
    plan = load_plan(output["plan_tasks_yaml"])
    risks = [r.risk for r in analyse(plan).risks]
    assert any(
        r.startswith("The deadline Models (2027-01-18) is missed") for r in risks
    )
    assert (
        "Hard deadline: Model Development complete (late, forecast"
        in (output["plan_markdown"])
    )
    assert (
        "Models on 2027-01-18 (Model Development complete)" in (output["plan_markdown"])
    )


def test_a_deadline_names_whole_phases_and_single_tasks_apart() -> None:
    output = generate_from_answers(
        deadlines(
            {
                "name": "Pilot",
                "date": "2027-03-26",
                "phase": "data_pipeline",
                "tasks": ["MD-02"],
            }
        )
    )
    assert (
        "Hard deadline: Data Pipeline complete, MD-02 done (on track)"
        in (output["plan_markdown"])
    )


def test_an_unknown_task_id_stops_the_plan_naming_the_entry_and_the_ids() -> None:
    answers = deadlines(
        {"name": "Pilot", "date": "2027-02-01", "tasks": ["DP-01"]},
        {"name": "Launch", "date": "2027-03-01", "tasks": ["CMP-GDPR-01"]},
    )
    expected = (
        "hard_deadlines entry 2 ('Launch') names the task CMP-GDPR-01, which this "
        "plan does not have; with these answers its tasks are DP-01 to DP-08, "
        "FE-01 to FE-06, MD-01 to MD-07, SV-01 to SV-08, TS-01 to TS-06"
    )
    assert deadline_problems(answers) == [expected]
    with pytest.raises(PlanError) as stopped:
        build_plan(answers)
    assert stopped.value.problems == [expected]
    assert str(stopped.value).startswith("hard_deadlines has 1 problem(s):")
    regulated = dict(answers, compliance=["gdpr"])
    assert deadline_problems(regulated) == []


def test_every_bad_deadline_is_listed_at_once() -> None:
    answers = deadlines(
        {"name": "A", "date": "2027-02-01", "phase": "Modelling"},
        {"name": "B", "date": "2027-02-01", "tasks": ["DP-99"]},
    )
    problems = deadline_problems(answers)
    assert [p.split(" ", 4)[:4] for p in problems] == [
        ["hard_deadlines", "entry", "1", "('A')"],
        ["hard_deadlines", "entry", "2", "('B')"],
    ]


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        ({"phase": "Modelling"}, "phase must be a phase or a list of phases"),
        ({"phase": []}, "got []"),
        ({"phase": ["serving", 3]}, "got 3"),
        ({"tasks": ["dp-3"]}, "tasks must be a list of task ids"),
        ({"tasks": [3]}, "got 3"),
        ({"tasks": {"DP-01": 1}}, "got {'DP-01': 1}"),
        ({"tasks": ["CMP-ISO-01"]}, "such as DP-03 or CMP-GDPR-01"),
    ],
)
def test_a_phase_or_task_list_of_the_wrong_shape_is_named(
    entry: dict[str, Any], fragment: str
) -> None:
    problems = entry_problems({"name": "A", "date": "2027-02-01", **entry}, "here")
    assert len(problems) == 1
    assert problems[0].startswith("here ")
    assert fragment in problems[0]


@pytest.mark.parametrize(
    "entry",
    [
        {"phase": "Data Pipeline"},
        {"phase": "data_pipeline"},
        {"phase": ["serving", "testing"]},
        {"tasks": "DP-01"},
        {"tasks": ["CMP-SR117-02", "TS-06"]},
        {},
    ],
)
def test_phases_by_key_or_name_and_well_formed_ids_pass(entry: dict[str, Any]) -> None:
    assert entry_problems({"name": "A", "date": "2027-02-01", **entry}, "here") == []


def test_linked_tasks_are_written_to_tasks_yaml_and_read_back_the_same() -> None:
    answers = deadlines(
        {"name": "Pilot", "date": "2027-02-15", "phase": "Serving", "tasks": ["DP-02"]}
    )
    tasks_yaml = generate_from_answers(answers)["plan_tasks_yaml"]
    assert dump_plan(load_plan(tasks_yaml)) == tasks_yaml
    assert "tasks: [DP-02, SV-01," in tasks_yaml
