"""The plan commands on a project folder: render, check and status."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from ucforge_planning import PlanError, generate_from_answers
from ucforge_planning.commands import (
    check_plan,
    check_report,
    plan_status,
    render_plan,
)


@pytest.fixture
def project(tmp_path: Path, answers: dict[str, Any]) -> Path:
    (tmp_path / "plan").mkdir()
    output = generate_from_answers(answers)
    (tmp_path / "plan" / "tasks.yaml").write_text(
        output["plan_tasks_yaml"], encoding="utf-8"
    )
    return tmp_path


def edit(project: Path, **sections: Any) -> dict[str, Any]:
    path = project / "plan" / "tasks.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.update(sections)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return data


def tasks_with(project: Path, task_id: str, **fields: Any) -> list[dict[str, Any]]:
    path = project / "plan" / "tasks.yaml"
    tasks: list[dict[str, Any]] = yaml.safe_load(path.read_text(encoding="utf-8"))[
        "tasks"
    ]
    next(t for t in tasks if t["id"] == task_id).update(fields)
    return tasks


def test_render_writes_the_plan_where_tasks_yaml_says(
    project: Path, answers: dict[str, Any]
) -> None:
    path = render_plan(project)
    assert path == project / answers["plan_dir"] / "implementation-plan.md"
    expected = generate_from_answers(answers)["plan_markdown"]
    assert path.read_text(encoding="utf-8") == expected


def test_a_status_edit_flows_into_the_rendered_plan(project: Path) -> None:
    done = {"status": "DONE", "started": "2027-01-04", "finished": "2027-01-05"}
    edit(project, tasks=tasks_with(project, "DP-01", **done))
    text = render_plan(project).read_text(encoding="utf-8")
    assert "- [x] DP-01:" in text


def test_check_passes_on_the_generated_plan(project: Path) -> None:
    assert check_plan(project) == []


def test_check_finds_a_cycle(project: Path) -> None:
    edit(project, tasks=tasks_with(project, "DP-01", depends_on=["DP-06"]))
    problems = check_plan(project)
    assert problems
    assert all(p.startswith("dependency cycle: DP-01 -> DP-06") for p in problems)


def test_check_finds_an_unknown_dependency_and_a_stranger(project: Path) -> None:
    tasks = tasks_with(project, "FE-01", depends_on=["ZZ-01"], owner="stranger")
    edit(project, tasks=tasks)
    problems = check_plan(project)
    assert "task FE-01 depends on ZZ-01, which is not a task id in the plan" in problems
    assert any("owned by 'stranger', who is not in the team" in p for p in problems)


def test_check_finds_a_milestone_past_the_target(project: Path) -> None:
    late = [{"name": "Launch", "date": "2027-06-01", "tasks": ["NOPE"]}]
    edit(project, deadlines=late)
    problems = check_plan(project)
    assert "milestone 'Launch' on 2027-06-01 is after the target date 2027-03-29" in (
        problems
    )
    assert any("lists NOPE, which is not a task id" in p for p in problems)


def test_check_reports_each_bad_value(project: Path) -> None:
    data = edit(project)
    data["format"] = 2
    data["project"]["plan_dir"] = "../outside"
    data["project"]["owner"] = "nobody"
    data["key_questions"]["review"]["reviewers"] = ["nobody"]
    data["key_questions"]["review"]["required_approvals"] = 3
    data["key_questions"]["testing"]["test_levels"] = ["unit", "smoke"]
    data["key_questions"]["testing"]["baseline_margin"] = "lots"
    data["calendar"]["target_date"] = "2026-01-01"
    data["calendar"]["non_working_days"] = ["someday"]
    data["team"].append(dict(data["team"][0]))
    data["team"][1]["capacity"] = 2
    data["components"]["extra"] = {}
    data["deadlines"] = [{"name": "Early", "date": "2026-12-01", "tasks": []}]
    data["risks"] = [{"risk": "x", "likelihood": "X", "impact": "H", "mitigation": ""}]
    data["gates"] = ["not a mapping"]
    data["tasks"][0]["id"] = "bad id!"
    data["tasks"][1]["depends_on"] = [7]
    data["tasks"][2]["id"] = data["tasks"][3]["id"]
    data["tasks"][4]["estimate"] = {"optimistic": 3, "likely": 2, "pessimistic": 1}
    data["tasks"][5]["title"] = ""
    del data["tasks"][6]["acceptance"]
    (project / "plan" / "tasks.yaml").write_text(yaml.safe_dump(data), "utf-8")
    problems = "\n".join(check_plan(project))
    for expected in (
        "format must be 1",
        "project.plan_dir must be a relative folder",
        "project.owner 'nobody' is not in the team",
        "reviewer 'nobody' is not in the team",
        "required_approvals (3) exceeds the number of reviewers (1)",
        "test_levels[1] must be one of",
        "baseline_margin must be a number",
        "target_date (2026-01-01) must be after start_date",
        "non_working_days[0] must be a date",
        "team lists the handle 'ada' twice",
        "capacity must be a number from 0.05 to 1",
        "components: unknown key 'extra'",
        "is before the start date",
        "likelihood must be one of L, M, H",
        "gates[0] must be a mapping",
        "tasks[0].id must be letters and digits",
        "depends_on must list task ids",
        "is used by 2 tasks",
        "must have optimistic <= likely <= pessimistic",
        "title must be non-empty text",
        "acceptance is missing",
    ):
        assert expected in problems


def test_check_reports_unreadable_files(project: Path) -> None:
    path = project / "plan" / "tasks.yaml"
    path.write_text("- just\n- a list\n", encoding="utf-8")
    assert "must be a YAML mapping" in check_plan(project)[0]
    path.write_text("key: [unclosed\n", encoding="utf-8")
    assert "is not valid YAML" in check_plan(project)[0]
    path.write_bytes(b"\xff\xfe\x00bad")
    assert "cannot be read" in check_plan(project)[0]
    path.unlink()
    assert "does not exist" in check_plan(project)[0]
    with pytest.raises(PlanError, match="does not exist"):
        plan_status(project)


def test_render_refuses_an_invalid_plan_and_writes_nothing(project: Path) -> None:
    edit(project, tasks=tasks_with(project, "MD-01", status="STARTED"))
    with pytest.raises(PlanError, match="status must be one of") as raised:
        render_plan(project)
    assert raised.value.problems
    assert not (project / "AE01_Implementations").exists()


def test_status_shows_progress_by_phase_and_component(project: Path) -> None:
    done = {"status": "DONE", "started": "2027-01-04", "finished": "2027-01-05"}
    tasks = tasks_with(project, "DP-01", **done)
    next(t for t in tasks if t["id"] == "SV-01").update(
        status="IN_PROGRESS", started="2027-01-05"
    )
    next(t for t in tasks if t["id"] == "MD-02")["status"] = "BLOCKED"
    edit(project, tasks=tasks)
    report = plan_status(project, dt.date(2027, 1, 8))
    assert "Data Pipeline" in report
    assert "All phases" in report
    assert "In progress:\n  SV-01" in report
    assert "Blocked:\n  MD-02" in report


def test_check_names_every_unknown_key_and_where_it_is(project: Path) -> None:
    data = edit(project)
    data["calendar"]["non_working_day"] = []
    data["tasks"][2]["stauts"] = "DONE"
    data["tasks"][3]["acceptence"] = "Done"
    data["tasks"][3]["estimate"]["likley"] = 2
    data["key_questions"]["revue"] = {}
    data["components"]["serving"]["deliverable"] = []
    data["forecast"]["sed"] = 1
    data["risks"][0]["owner"] = "ada"
    data["gates"][0]["name"] = "Review"
    data["extra"] = True
    (project / "plan" / "tasks.yaml").write_text(yaml.safe_dump(data), "utf-8")
    third, fourth = data["tasks"][2]["id"], data["tasks"][3]["id"]
    assert sorted(check_plan(project)) == sorted(
        [
            "top level: unknown key 'extra'",
            "components.serving: unknown key 'deliverable' "
            "(did you mean 'deliverables'?)",
            "forecast: unknown key 'sed' (did you mean 'seed'?)",
            "key_questions: unknown key 'revue' (did you mean 'review'?)",
            "calendar: unknown key 'non_working_day' "
            "(did you mean 'non_working_days'?)",
            f"task {third}: unknown key 'stauts' (did you mean 'status'?)",
            f"task {fourth}: unknown key 'acceptence' (did you mean 'acceptance'?)",
            f"task {fourth} estimate: unknown key 'likley' (did you mean 'likely'?)",
            "risks[0]: unknown key 'owner'",
            "gates[0]: unknown key 'name'",
        ]
    )


def test_a_misspelt_key_is_named_and_the_missing_one_too(project: Path) -> None:
    tasks = tasks_with(project, "DP-03")
    task = next(t for t in tasks if t["id"] == "DP-03")
    task["stauts"] = task.pop("status")
    edit(project, tasks=tasks)
    message = "task DP-03: unknown key 'stauts' (did you mean 'status'?)"
    assert check_plan(project) == [message, "task DP-03.status is missing"]
    with pytest.raises(PlanError, match="did you mean 'status'") as raised:
        render_plan(project)
    assert message in str(raised.value)


def test_the_check_report_names_the_file(project: Path) -> None:
    problems, report = check_report(project)
    assert problems == []
    assert report.startswith("plan/tasks.yaml is consistent: ")
    assert "3 team members, no deadlines, target 2027-03-29" in report
    edit(project, deadlines=[{"name": "Pilot", "date": "2027-02-01", "tasks": []}])
    assert "1 deadline, target" in check_report(project)[1]
    (project / "plan" / "tasks.yaml").write_text("key: [unclosed\n", "utf-8")
    problems, report = check_report(project)
    assert len(problems) == 1
    assert report.startswith("plan/tasks.yaml: 1 problem\n  - ")
    assert "is not valid YAML" in report
