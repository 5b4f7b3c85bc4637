"""plan render, check and status on a project folder."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from planning_support import submodule

commands = submodule("commands")
errors = submodule("errors")

PLAN = Path("AE01_Implementations/UC-001/03_Implementation/implementation-plan.md")


def edit(project: Path, change) -> None:
    path = project / "plan" / "tasks.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def task(data: dict, task_id: str) -> dict:
    return next(t for t in data["tasks"] if t["id"] == task_id)


def test_render_writes_the_same_plan_as_the_copy(
    project: Path, default_output: dict[str, str]
) -> None:
    path = commands.render_plan(project)
    assert path == project / PLAN
    assert path.read_text(encoding="utf-8") == default_output["plan_markdown"]
    assert [p.name for p in path.parent.iterdir()] == [PLAN.name]


def test_editing_tasks_yaml_then_rendering_updates_the_plan(project: Path) -> None:
    def change(data: dict) -> None:
        task(data, "DP-01").update(
            status="DONE", started="2027-01-04", finished="2027-01-06"
        )
        task(data, "DP-02")["status"] = "BLOCKED"
        task(data, "MD-04")["estimate"] = {
            "optimistic": 10,
            "likely": 15,
            "pessimistic": 25,
        }

    edit(project, change)
    text = commands.render_plan(project).read_text(encoding="utf-8")
    assert "| DP-01 |" in text
    assert "- [x] DP-01:" in text
    assert "| 15 d (10-25) |" in text
    assert "1 task(s) blocked: DP-02" in text
    assert "| Progress | 1 of 35 tasks done |" in text


def test_check_passes_on_the_generated_plan(project: Path) -> None:
    assert commands.check_plan(project) == []


def test_check_names_the_tasks_of_a_cycle(project: Path) -> None:
    edit(project, lambda d: task(d, "DP-01").update(depends_on=["DP-05"]))
    problems = commands.check_plan(project)
    assert problems == [
        "dependency cycle: DP-01 -> DP-05 -> DP-03 -> DP-01 (each depends on the next)",
        "dependency cycle: DP-01 -> DP-05 -> DP-02 -> DP-01 (each depends on the next)",
    ]


def test_check_names_an_unknown_dependency(project: Path) -> None:
    edit(project, lambda d: task(d, "FE-02").update(depends_on=["FE-01", "XX-99"]))
    assert commands.check_plan(project) == [
        "task FE-02 depends on XX-99, which is not a task id in the plan"
    ]


def test_check_names_an_owner_not_in_the_team(project: Path) -> None:
    edit(project, lambda d: task(d, "SV-01").update(owner="ghost"))
    [problem] = commands.check_plan(project)
    assert "task SV-01 is owned by 'ghost', who is not in the team" in problem


def test_check_names_a_milestone_past_the_target(project: Path) -> None:
    edit(
        project,
        lambda d: d.update(
            deadlines=[{"name": "Go-live", "date": "2027-05-03", "tasks": []}]
        ),
    )
    assert commands.check_plan(project) == [
        "milestone 'Go-live' on 2027-05-03 is after the target date 2027-03-29"
    ]


def test_check_reports_bad_values_with_where_they_are(project: Path) -> None:
    def change(data: dict) -> None:
        task(data, "TS-01")["status"] = "FINISHED"
        task(data, "TS-02")["estimate"]["likely"] = 99
        data["team"][0]["role"] = "wizard"

    edit(project, change)
    problems = commands.check_plan(project)
    assert any("task TS-01.status must be one of TODO" in p for p in problems)
    assert any(
        "task TS-02 estimate must have optimistic <= likely" in p for p in problems
    )
    assert any("team[0].role must be one of" in p for p in problems)


def test_check_reports_a_file_that_is_not_yaml(project: Path) -> None:
    (project / "plan" / "tasks.yaml").write_text("tasks: [unclosed\n", encoding="utf-8")
    [problem] = commands.check_plan(project)
    assert "plan/tasks.yaml is not valid YAML" in problem


def test_render_refuses_an_invalid_plan_and_leaves_the_old_one(project: Path) -> None:
    path = commands.render_plan(project)
    before = path.read_text(encoding="utf-8")
    edit(project, lambda d: task(d, "DP-03").update(depends_on=["NOPE"]))
    with pytest.raises(errors.PlanError, match="depends on NOPE"):
        commands.render_plan(project)
    assert path.read_text(encoding="utf-8") == before


def test_a_missing_tasks_file_is_a_plan_error(tmp_path: Path) -> None:
    with pytest.raises(errors.PlanError, match="does not exist"):
        commands.render_plan(tmp_path)
    assert "does not exist" in commands.check_plan(tmp_path)[0]


def test_status_shows_progress_by_phase_and_component(project: Path) -> None:
    def change(data: dict) -> None:
        task(data, "DP-01").update(
            status="DONE", started="2027-01-04", finished="2027-01-06"
        )
        task(data, "DP-02").update(status="IN_PROGRESS", started="2027-01-07")
        task(data, "MD-01")["status"] = "BLOCKED"

    edit(project, change)
    report = commands.plan_status(project, dt.date(2027, 1, 8))
    lines = report.splitlines()
    pipeline = next(line for line in lines if line.startswith("Data Pipeline"))
    assert pipeline.split()[2:7] == ["8", "1", "1", "0", "6"]
    assert "All phases" in report
    assert "  DP-02  Handle source formats" in report
    assert "Blocked:" in report
    assert "  MD-01  " in report


def test_check_names_each_unknown_key_where_it_is(project: Path) -> None:
    def change(data: dict) -> None:
        data["calendar"]["non_working_day"] = ["2027-02-01"]
        task(data, "DP-03")["stauts"] = "DONE"
        task(data, "DP-04")["acceptence"] = "Alerts fire"
        task(data, "DP-04")["estimate"]["likley"] = 3
        data["team"][1]["capcity"] = 0.5
        data["key_questions"]["testing"]["coverage"] = 90
        data["deadlines"] = [{"name": "Pilot", "date": "2027-02-01", "taks": []}]
        data["milestones"] = []

    edit(project, change)
    assert commands.check_plan(project) == [
        "top level: unknown key 'milestones'",
        "key_questions.testing: unknown key 'coverage' "
        "(did you mean 'coverage_target'?)",
        "team[1]: unknown key 'capcity' (did you mean 'capacity'?)",
        "calendar: unknown key 'non_working_day' (did you mean 'non_working_days'?)",
        "deadlines[0]: unknown key 'taks' (did you mean 'tasks'?)",
        "task DP-03: unknown key 'stauts' (did you mean 'status'?)",
        "task DP-04: unknown key 'acceptence' (did you mean 'acceptance'?)",
        "task DP-04 estimate: unknown key 'likley' (did you mean 'likely'?)",
    ]


def test_render_refuses_a_plan_with_an_unknown_key_and_says_which(
    project: Path,
) -> None:
    edit(project, lambda d: task(d, "DP-03").update(stauts="DONE"))
    with pytest.raises(errors.PlanError) as raised:
        commands.render_plan(project)
    message = "task DP-03: unknown key 'stauts' (did you mean 'status'?)"
    assert message in str(raised.value)
    assert raised.value.problems == [message]
    assert not (project / PLAN).exists()


def test_the_check_report_names_the_file_it_checked(project: Path) -> None:
    problems, report = commands.check_report(project)
    assert problems == []
    assert report == (
        "plan/tasks.yaml is consistent: 35 tasks, 3 team members, no deadlines, "
        "target 2027-03-29"
    )
    edit(
        project,
        lambda d: task(d, "DP-03").update(stauts="DONE", depends_on=["NOPE"]),
    )
    problems, report = commands.check_report(project)
    assert report.splitlines() == [
        "plan/tasks.yaml: 2 problems",
        "  - task DP-03: unknown key 'stauts' (did you mean 'status'?)",
        "  - task DP-03 depends on NOPE, which is not a task id in the plan",
    ]
    assert problems == [line[4:] for line in report.splitlines()[1:]]
