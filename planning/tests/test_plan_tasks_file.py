"""Reading plan/tasks.yaml: strict models, every problem at once, in plain words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml
from planning_support import make_answers, submodule

document = submodule("document")
generate = submodule("generate")
model = submodule("model")
tasks_file = submodule("tasks_file")
TARGET = "target_date: '2027-03-29'"


@pytest.fixture(scope="module")
def tasks_yaml() -> str:
    text: str = generate.generate_from_answers(make_answers())["plan_tasks_yaml"]
    assert TARGET in text
    return text


def problems_after(text: str, change: Callable[[dict[str, Any]], Any]) -> list[str]:
    data = yaml.safe_load(text)
    change(data)
    _, problems = document.read_plan(yaml.safe_dump(data, sort_keys=False))
    return problems


def task(data: dict[str, Any], task_id: str) -> dict[str, Any]:
    return next(t for t in data["tasks"] if t["id"] == task_id)


def test_a_value_of_the_wrong_type_is_named_with_its_rule(tasks_yaml: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["team"][1]["capacity"] = "half"
        data["key_questions"]["testing"]["coverage_target"] = 80.5
        task(data, "DP-02")["estimate"]["likely"] = True
        task(data, "DP-03")["title"] = 42

    assert problems_after(tasks_yaml, change) == [
        "key_questions.testing.coverage_target must be a whole number from 0 to 100; "
        "got 80.5",
        "team[1].capacity must be a number from 0.05 to 1; got 'half'",
        "task DP-02 estimate.likely must be a number from 0 to 1000; got True",
        "task DP-03.title must be non-empty text; got 42",
    ]


def test_a_misspelt_key_is_named_with_the_key_it_is_close_to(tasks_yaml: str) -> None:
    def change(data: dict[str, Any]) -> None:
        review = data["key_questions"]["review"]
        review["requried_approvals"] = review.pop("required_approvals")
        data["forecast"]["runz"] = 10

    assert problems_after(tasks_yaml, change) == [
        "key_questions.review: unknown key 'requried_approvals' "
        "(did you mean 'required_approvals'?)",
        "key_questions.review.required_approvals is missing",
        "forecast: unknown key 'runz' (did you mean 'runs'?)",
    ]


def test_every_problem_is_reported_together_in_the_order_of_the_file(
    tasks_yaml: str,
) -> None:
    def change(data: dict[str, Any]) -> None:
        data["format"] = 2
        data["project"]["plan_dir"] = "/etc"
        data["team"][0]["expertise"] = "guru"
        data["deadlines"] = [{"name": "Pilot", "date": "soon", "tasks": ["NOPE"]}]
        task(data, "SV-01")["status"] = "FINISHED"
        task(data, "SV-02")["owner"] = "stranger"
        data["gates"][0]["scope"] = "everything"
        data["tasks"][0]["id"] = "DP 01"

    assert problems_after(tasks_yaml, change) == [
        "format must be 1; got 2",
        "project.plan_dir must be a relative folder inside the repository, without "
        "'..'; got '/etc'",
        "team[0].expertise must be one of junior, intermediate, senior; got 'guru'",
        "deadlines[0].date must be a date written YYYY-MM-DD; got 'soon'",
        "tasks[0].id must be letters and digits joined by '-', such as DP-01; "
        "got 'DP 01'",
        "task SV-01.status must be one of TODO, IN_PROGRESS, DONE, BLOCKED; "
        "got 'FINISHED'",
        "gates[0].scope must be one of all, data_pipeline, feature_engineering, "
        "model_development, serving, testing; got 'everything'",
        "task DP-02 depends on DP-01, which is not a task id in the plan",
        "task DP-03 depends on DP-01, which is not a task id in the plan",
        "task SV-02 is owned by 'stranger', who is not in the team (ada, bo, cy)",
        "milestone 'Pilot' lists NOPE, which is not a task id in the plan",
    ]


def test_a_bad_value_brings_no_problems_that_follow_from_it(tasks_yaml: str) -> None:
    def change(data: dict[str, Any]) -> None:
        task(data, "DP-02")["estimate"] = {"optimistic": 1, "pessimistic": 3}
        data["gates"][0] = "a gate"
        data["team"] = {"ada": "Ada"}

    assert problems_after(tasks_yaml, change) == [
        "team must list at least one member; got {'ada': 'Ada'}",
        "task DP-02 estimate.likely is missing",
        "gates[0] must be a mapping; got 'a gate'",
    ]


def test_dates_may_be_quoted_or_written_with_a_time(tasks_yaml: str) -> None:
    def change(data: dict[str, Any]) -> None:
        data["calendar"]["non_working_days"] = ["2027-01-06", "2027-01-05"]
        data["calendar"]["target_date"] = "2027-03-29"

    assert problems_after(tasks_yaml, change) == []
    text = tasks_yaml.replace(TARGET, "target_date: 2027-03-29 09:00:00")
    assert str(document.load_plan(text).calendar.target) == "2027-03-29"


def test_an_impossible_unquoted_date_is_one_problem_not_a_crash(
    tasks_yaml: str,
) -> None:
    text = tasks_yaml.replace(TARGET, "target_date: 2027-02-30")
    plan, problems = document.read_plan(text)
    assert plan is None
    assert problems == [
        "plan/tasks.yaml is not valid YAML: day is out of range for month"
    ]


def test_the_plan_is_read_when_only_rules_between_sections_are_broken(
    tasks_yaml: str,
) -> None:
    data = yaml.safe_load(tasks_yaml)
    task(data, "DP-01")["depends_on"] = ["DP-02"]
    plan, problems = document.read_plan(yaml.safe_dump(data))
    assert plan is not None
    assert problems == [
        "dependency cycle: DP-01 -> DP-02 -> DP-01 (each depends on the next)"
    ]
    task(data, "DP-01")["status"] = "STARTED"
    plan, problems = document.read_plan(yaml.safe_dump(data))
    assert plan is None
    assert len(problems) == 2
    with pytest.raises(submodule("errors").PlanError) as raised:
        document.load_plan(yaml.safe_dump(data))
    assert raised.value.problems == problems


def test_the_file_format_lists_one_entry_per_component() -> None:
    assert tuple(tasks_file.ComponentsEntry.model_fields) == model.COMPONENTS
