"""Progress and re-forecast: actual dates, the baseline, status, criticality, risks."""

from __future__ import annotations

import copy
import datetime as dt
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from planning_support import submodule

analysis = submodule("analysis")
commands = submodule("commands")
document = submodule("document")
errors = submodule("errors")
render = submodule("render")
schedule = submodule("schedule")
tasks_file = submodule("tasks_file")

MERMAID_DIR = Path(__file__).parent / "mermaid"
JAN = {day: dt.date(2027, 1, day) for day in range(1, 32)}


def member(handle: str) -> dict[str, Any]:
    return {
        "name": handle.title(),
        "handle": handle,
        "email": f"{handle}@example.com",
        "role": "ml_engineer",
        "expertise": "senior",
        "capacity": 1.0,
    }


def task(task_id: str, work: float, *deps: str, owner: str = "ana", **more: Any):
    """A task of `work` days exactly (optimistic = likely = pessimistic)."""
    return {
        "id": task_id,
        "component": "data_pipeline",
        "category": "Ingestion",
        "title": f"Task {task_id}",
        "role": "ml_engineer",
        "owner": owner,
        "estimate": {"optimistic": work, "likely": work, "pessimistic": work},
        "depends_on": list(deps),
        "acceptance": "Done when done",
        "status": "TODO",
        **more,
    }


def small(
    default_output: dict[str, str],
    tasks: list[dict[str, Any]],
    team: tuple[str, ...] = ("ana",),
    **calendar: Any,
) -> dict[str, Any]:
    """The default tasks.yaml with this team, these tasks and no risks."""
    data = yaml.safe_load(default_output["plan_tasks_yaml"])
    data["team"] = [member(h) for h in team]
    data["project"]["owner"] = team[0]
    data["key_questions"]["review"] = {"reviewers": [team[0]], "required_approvals": 1}
    data["deadlines"] = []
    data["tasks"] = tasks
    data["risks"] = []
    data["forecast"]["runs"] = 300
    # Every working day a full day of plan work, so days are easy to count.
    data["calendar"]["focus_factor"] = 1
    data["calendar"].update(calendar)
    return data


def plan_of(data: dict[str, Any]) -> Any:
    plan, problems = tasks_file.read_data(copy.deepcopy(data))
    assert problems == []
    return plan


def chain(default_output: dict[str, str], **calendar: Any) -> dict[str, Any]:
    """A, B, C in a row for one person: 2, 3 and 1 days."""
    tasks = [task("A", 2), task("B", 3, "A"), task("C", 1, "B")]
    return small(default_output, tasks, **calendar)


def write(project: Path, data: dict[str, Any]) -> None:
    (project / "plan" / "tasks.yaml").write_text(
        yaml.safe_dump(data, sort_keys=False), encoding="utf-8"
    )


# ---------------------------------------------------------------------------
# Actual dates in tasks.yaml
# ---------------------------------------------------------------------------
def test_actual_dates_that_contradict_the_status_or_the_calendar_are_named(
    default_output: dict[str, str],
) -> None:
    tasks = [
        task("A", 2, status="DONE"),
        task("B", 2, status="IN_PROGRESS"),
        task("C", 2, status="DONE", started="2027-01-08", finished="2027-01-06"),
        task("D", 2, status="TODO", started="2027-01-05"),
        task("E", 2, status="IN_PROGRESS", started="2027-01-05", finished="2027-01-06"),
        task("F", 2, status="DONE", started="2026-12-30", finished="2027-01-20"),
        task("G", 2, status="DONE", finished="2027-01-05"),
    ]
    data = small(default_output, tasks, status_date="2027-01-15")
    _, problems = tasks_file.read_data(data)
    # A and B hold no dates: plans written before dates were recorded stay valid.
    assert problems == [
        "task C.finished (2027-01-06) must not be before started (2027-01-08)",
        "task D.status must be IN_PROGRESS, BLOCKED or DONE when started is set; "
        "got TODO",
        "task E.status must be DONE when finished is set; got IN_PROGRESS",
        "task F.started (2026-12-30) must not be before the plan's start_date "
        "(2027-01-04)",
        "task F.finished (2027-01-20) must not be after calendar.status_date "
        "(2027-01-15)",
        "task G.finished is set but started is missing: a finished task needs the "
        "day work on it started",
    ]


def test_an_actual_date_must_be_a_date(default_output: dict[str, str]) -> None:
    data = small(default_output, [task("A", 2, status="DONE", started="soon")])
    _, problems = tasks_file.read_data(data)
    assert "task A.started must be a date written YYYY-MM-DD; got 'soon'" in problems


def test_actual_dates_and_sampled_risks_survive_a_write_and_a_read(
    default_output: dict[str, str],
) -> None:
    data = chain(default_output, status_date="2027-01-08")
    data["tasks"][0].update(status="DONE", started="2027-01-04", finished="2027-01-05")
    data["risks"] = [
        {
            "risk": "Access to the data is late",
            "likelihood": "M",
            "impact": "H",
            "mitigation": "Ask early",
            "probability": 0.3,
            "impact_days": {"optimistic": 1, "likely": 2, "pessimistic": 5},
            "delays": ["B"],
        }
    ]
    plan = plan_of(data)
    again = document.load_plan(document.dump_plan(plan))
    assert again == plan
    assert again.tasks[0].finished == JAN[5]
    assert again.risks[0].impact_days.pessimistic == 5


@pytest.mark.parametrize("impact", [-3, {"likely": 5}, {"likely": "five"}])
def test_a_bad_impact_is_a_problem_not_a_crash(
    default_output: dict[str, str], impact: Any
) -> None:
    data = chain(default_output)
    data["risks"] = [
        {
            "risk": "R",
            "likelihood": "M",
            "impact": "M",
            "mitigation": "M",
            "probability": 0.5,
            "impact_days": impact,
        }
    ]
    _, problems = tasks_file.read_data(data)
    assert problems and all(p.startswith("risks[0].impact_days") for p in problems)


def test_a_sampled_risk_needs_both_keys_and_known_tasks(
    default_output: dict[str, str],
) -> None:
    data = chain(default_output)
    base = {"risk": "R", "likelihood": "M", "impact": "M", "mitigation": "M"}
    data["risks"] = [
        {**base, "probability": 0.5},
        {**base, "probability": 0.5, "impact_days": "a week"},
        {**base, "probability": 1.5, "impact_days": 2},
        {**base, "probability": 0.5, "impact_days": 2, "delays": ["ZZ-9"]},
    ]
    _, problems = tasks_file.read_data(data)
    assert problems == [
        "risks[0] must have both probability and impact_days to be sampled in the "
        "forecast, or neither",
        "risks[1].impact_days must be working days: a number, or optimistic, likely "
        "and pessimistic; got 'a week'",
        "risks[2].probability must be a number from 0 to 1; got 1.5",
        "risks[3].delays lists ZZ-9, which is not a task id in the plan",
    ]


# ---------------------------------------------------------------------------
# The re-forecast
# ---------------------------------------------------------------------------
def test_without_actual_dates_the_forecast_starts_at_the_start(
    default_output: dict[str, str],
) -> None:
    a = analysis.analyse(plan_of(chain(default_output)))
    assert a.status_date is None and a.late == ()
    assert a.task_dates("A") == (JAN[4], JAN[5])
    assert a.finish == JAN[11]


def test_a_done_task_is_pinned_at_its_actual_dates(
    default_output: dict[str, str],
) -> None:
    data = chain(default_output)
    data["tasks"][0].update(status="DONE", started="2027-01-04", finished="2027-01-07")
    a = analysis.analyse(plan_of(data))
    assert a.status_date == JAN[7]  # the latest actual date recorded
    assert a.task_dates("A") == (JAN[4], JAN[7])
    assert a.task_dates("B") == (JAN[8], JAN[12])
    assert (a.finish, a.p50, a.p80) == (JAN[13], JAN[13], JAN[13])


def test_a_task_done_without_dates_leaves_nothing_to_do_after_the_status_date(
    default_output: dict[str, str],
) -> None:
    # A plan written before dates were recorded: A marked DONE, no dates.
    data = chain(default_output, status_date="2027-01-11")
    data["tasks"][0].update(status="DONE")
    a = analysis.analyse(plan_of(data))
    late = analysis.analyse(plan_of(chain(default_output, status_date="2027-01-11")))
    assert "A" not in a.late
    assert a.task_dates("B")[0] == JAN[11]
    assert a.finish < late.finish


def test_a_late_task_moves_the_forecast_and_is_named(
    default_output: dict[str, str],
) -> None:
    on_time = analysis.analyse(plan_of(chain(default_output)))
    late = analysis.analyse(plan_of(chain(default_output, status_date="2027-01-11")))
    assert late.task_dates("A") == (JAN[11], JAN[12])
    assert late.finish == JAN[18]
    assert on_time.finish == JAN[11]
    # A and B should have started by the 11th; C was planned to start that day.
    assert late.late == ("A", "B")
    assert late.planned_dates("A") == (JAN[4], JAN[5])


def test_a_started_task_keeps_the_work_that_remains(
    default_output: dict[str, str],
) -> None:
    data = chain(default_output, status_date="2027-01-08")
    data["tasks"][0].update(status="DONE", started="2027-01-04", finished="2027-01-06")
    data["tasks"][1].update(status="IN_PROGRESS", started="2027-01-07")
    a = analysis.analyse(plan_of(data))
    # B: 3 days of work, 1 given on the 7th, 2 left from the 8th.
    assert a.task_dates("B") == (JAN[7], JAN[11])
    assert a.task_dates("C") == (JAN[12], JAN[12])
    # A task past its estimate still needs a fifth of it.
    a = analysis.analyse(plan_of(data), JAN[20])
    slot = a.schedule.slots["B"]
    assert slot.finish - a.now == pytest.approx(0.6)


def test_a_person_s_started_tasks_share_their_days_and_finish_in_turn(
    default_output: dict[str, str],
) -> None:
    tasks = [
        task("B", 3, status="IN_PROGRESS", started="2027-01-04"),
        task("D", 2, status="IN_PROGRESS", started="2027-01-04"),
    ]
    data = small(default_output, tasks, status_date="2027-01-06")
    a = analysis.analyse(plan_of(data))
    # Two days worked on both: one each. B has 2 left, then D its last one.
    assert a.schedule.slots["B"].finish == pytest.approx(4.0)
    assert a.schedule.slots["D"].finish == pytest.approx(5.0)
    assert (a.finish, a.p80) == (JAN[8], JAN[8])


def test_a_status_date_before_an_actual_date_is_refused(
    default_output: dict[str, str],
) -> None:
    data = chain(default_output)
    data["tasks"][0].update(status="DONE", started="2027-01-04", finished="2027-01-06")
    with pytest.raises(errors.PlanError, match=r"task A.finished \(2027-01-06\) is"):
        analysis.analyse(plan_of(data), JAN[5])


# ---------------------------------------------------------------------------
# Criticality and sampled risks
# ---------------------------------------------------------------------------
def test_a_lone_chain_is_always_critical_and_a_task_with_slack_never(
    default_output: dict[str, str],
) -> None:
    tasks = [
        {
            **task("A", 10),
            "estimate": {"optimistic": 9, "likely": 10, "pessimistic": 12},
        },
        task("B", 1, "A"),
        {
            **task("D", 1, owner="bob"),
            "estimate": {"optimistic": 0.5, "likely": 1, "pessimistic": 2},
        },
    ]
    a = analysis.analyse(plan_of(small(default_output, tasks, team=("ana", "bob"))))
    assert a.criticality == {"A": 1.0, "B": 1.0, "D": 0.0}


def test_two_parallel_chains_share_the_criticality(
    default_output: dict[str, str],
) -> None:
    wide = {"optimistic": 1, "likely": 5, "pessimistic": 9}
    tasks = [
        {**task("A", 5), "estimate": wide},
        {**task("D", 5, owner="bob"), "estimate": wide},
    ]
    data = small(default_output, tasks, team=("ana", "bob"))
    data["forecast"]["runs"] = 2000
    a = analysis.analyse(plan_of(data))
    assert a.criticality["A"] + a.criticality["D"] == pytest.approx(1.0)
    assert 0.4 < a.criticality["A"] < 0.6


def sampled_risk(probability: float, impact: float, *delays: str) -> dict[str, Any]:
    return {
        "risk": "A supplier is late",
        "likelihood": "M",
        "impact": "M",
        "mitigation": "Chase them",
        "probability": probability,
        "impact_days": impact,
        "delays": list(delays),
    }


def test_a_risk_that_happens_moves_p80_and_one_that_cannot_changes_nothing(
    default_output: dict[str, str],
) -> None:
    wide = {"optimistic": 2, "likely": 3, "pessimistic": 8}
    data = chain(default_output)
    data["tasks"][1]["estimate"] = wide
    plain = analysis.analyse(plan_of(data))
    data["risks"] = [sampled_risk(0.0, 10, "B")]
    never = analysis.analyse(plan_of(data))
    data["risks"] = [sampled_risk(1.0, 5, "B")]
    always = analysis.analyse(plan_of(data))
    data["risks"] = [sampled_risk(1.0, 5)]
    at_end = analysis.analyse(plan_of(data))
    assert (never.p50, never.p80, never.criticality) == (
        plain.p50,
        plain.p80,
        plain.criticality,
    )
    index = plain.calendar.last_index_on_or_before
    assert index(always.p80) - index(plain.p80) == 5
    assert index(at_end.p80) - index(plain.p80) == 5
    assert always.p80_without_risks == plain.p80
    assert always.finish == plain.finish  # the plan on likely estimates stays


def test_a_risk_happens_about_as_often_as_its_probability() -> None:
    slots = {"A": schedule.Slot("A", "ana", 0.0, 1.0)}
    fixed = schedule.Schedule(slots, ("A",), 1.0, ("A",))
    risk = schedule.SampledRisk(0.25, (4.0, 4.0, 4.0), ("A",))
    replays = schedule.simulate(
        fixed,
        {"A": ()},
        {"A": (1.0, 1.0, 1.0)},
        {"ana": schedule.STEADY.finish},
        4000,
        7,
        risks=[risk],
    )
    hit = sum(1 for m in replays.makespans if m > 4.5) / 4000
    assert 0.22 < hit < 0.28
    assert set(replays.unrisked) == {1.0}


def test_the_replay_turns_work_into_time_through_each_owner() -> None:
    slots = {"A": schedule.Slot("A", "ana", 0.0, 4.0)}
    fixed = schedule.Schedule(slots, ("A",), 4.0, ("A",))
    half = schedule.Availability(0.5)
    replays = schedule.simulate(
        fixed, {"A": ()}, {"A": (2.0, 2.0, 2.0)}, {"ana": half.finish}, 3, 1
    )
    assert replays.makespans == [4.0, 4.0, 4.0]


# ---------------------------------------------------------------------------
# Baseline and status
# ---------------------------------------------------------------------------
@pytest.fixture
def chain_project(tmp_path: Path, default_output: dict[str, str]) -> Path:
    (tmp_path / "plan").mkdir()
    write(tmp_path, chain(default_output))
    return tmp_path


def test_a_baseline_is_never_overwritten_unless_forced(chain_project: Path) -> None:
    path = commands.take_baseline(chain_project, as_of=JAN[4])
    first = path.read_text(encoding="utf-8")
    assert "taken: 2027-01-04" in first
    assert "A: {start: 2027-01-04, finish: 2027-01-05, effort: 2}" in first
    with pytest.raises(commands.BaselineExistsError, match="--force"):
        commands.take_baseline(chain_project, as_of=JAN[11])
    assert path.read_text(encoding="utf-8") == first
    commands.take_baseline(chain_project, as_of=JAN[11], force=True)
    assert "taken: 2027-01-11" in path.read_text(encoding="utf-8")
    assert commands.load_baseline(chain_project).finish == JAN[18]


def test_a_broken_baseline_is_named_key_by_key(chain_project: Path) -> None:
    (chain_project / "plan" / "baseline.yaml").write_text(
        "format: 1\ntaken: yesterday\nforecast: {finish: 2027-01-11, p50: 2027-01-11}"
        "\ntasks: {A: {start: 2027-01-04, finish: 2027-01-05, effort: 2, owner: x}}\n",
        encoding="utf-8",
    )
    with pytest.raises(errors.PlanError) as raised:
        commands.plan_status(chain_project, JAN[4])
    assert raised.value.problems == [
        "taken must be a date written YYYY-MM-DD; got 'yesterday'",
        "forecast.p80 is missing",
        "tasks.A: unknown key 'owner'",
    ]
    assert commands.check_plan(chain_project) == [
        "plan/baseline.yaml: taken must be a date written YYYY-MM-DD; got 'yesterday'",
        "plan/baseline.yaml: forecast.p80 is missing",
        "plan/baseline.yaml: tasks.A: unknown key 'owner'",
    ]
    problems, report = commands.check_report(chain_project)
    assert len(problems) == 3
    assert report.startswith(
        "plan/tasks.yaml, plan/baseline.yaml: 3 problems\n  - plan/baseline.yaml: "
    )


def test_status_without_a_baseline_says_how_to_take_one(chain_project: Path) -> None:
    report = commands.plan_status(chain_project, JAN[4])
    assert "Forecast as of 2027-01-04 (Monday)" in report
    assert "likely finish 2027-01-11, P50 2027-01-11, P80 2027-01-11" in report
    assert "No baseline yet: run `make plan-baseline`" in report


def test_status_and_baseline_default_to_the_status_date_in_the_file(
    tmp_path: Path, default_output: dict[str, str]
) -> None:
    # The status date lies after today's date: the file's, not the clock's, counts.
    (tmp_path / "plan").mkdir()
    data = chain(default_output, status_date="2099-01-05")
    data["calendar"]["target_date"] = "2099-03-30"
    data["calendar"]["start_date"] = "2099-01-05"
    data["tasks"][0].update(status="IN_PROGRESS", started="2099-01-05")
    write(tmp_path, data)
    assert "Forecast as of 2099-01-05 (Monday)" in commands.plan_status(tmp_path)
    baseline = commands.take_baseline(tmp_path).read_text(encoding="utf-8")
    assert "taken: 2099-01-05" in baseline


def test_status_shows_the_variance_against_the_baseline(
    chain_project: Path, default_output: dict[str, str]
) -> None:
    commands.take_baseline(chain_project, as_of=JAN[4])
    data = chain(default_output)
    data["tasks"][0].update(status="DONE", started="2027-01-04", finished="2027-01-06")
    data["tasks"][1].update(status="IN_PROGRESS", started="2027-01-07")
    write(chain_project, data)
    report = commands.plan_status(chain_project, JAN[8])
    rows = {
        line.split()[0]: line.split()
        for line in report.splitlines()
        if re.match(r"  [ABC] ", line)
    }
    # Planned A 4-5, B 6-8, C 11; actual A 4-6, B from 7 to 11, C on 12.
    assert rows["A"][1:] == [
        "DONE",
        "2027-01-04",
        "2027-01-05",
        "2027-01-04",
        "2027-01-06",
        "0",
        "+1",
    ]
    assert rows["B"][1:] == [
        "IN_PROGRESS",
        "2027-01-06",
        "2027-01-08",
        "2027-01-07",
        "2027-01-11",
        "+1",
        "+1",
    ]
    assert rows["C"][-2:] == ["+1", "+1"]
    assert "  Finish  2027-01-11 -> 2027-01-12  +1 working day (later)" in report
    assert "  P80     2027-01-11 -> 2027-01-12  +1 working day (later)" in report
    assert "Late against" not in report
    report = commands.plan_status(chain_project, JAN[12])
    assert "Late against the baseline:\n  B  should have finished by 2027-01-08" in (
        report
    )


def test_the_rendered_plan_is_the_same_for_the_same_files(
    chain_project: Path, default_output: dict[str, str]
) -> None:
    commands.take_baseline(chain_project, as_of=JAN[4])
    data = chain(default_output)
    data["tasks"][0].update(status="DONE", started="2027-01-04", finished="2027-01-06")
    write(chain_project, data)
    first = commands.render_plan(chain_project).read_text(encoding="utf-8")
    second = commands.render_plan(chain_project).read_text(encoding="utf-8")
    assert first == second
    assert "made as of 2027-01-06 (Wednesday), the latest actual date recorded" in first
    assert re.search(r"^  line \[6(, 6)+\]$", first, flags=re.MULTILINE)  # scope
    assert "  bar [2]" in first  # A's 2 days done in the first week


# ---------------------------------------------------------------------------
# The charts in the rendered plan
# ---------------------------------------------------------------------------
def progressed_markdown(default_output: dict[str, str], tmp_path: Path) -> str:
    """The default plan two weeks in, with a baseline and a sampled risk."""
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "tasks.yaml").write_text(
        default_output["plan_tasks_yaml"], encoding="utf-8"
    )
    commands.take_baseline(tmp_path, as_of=JAN[4])
    data = yaml.safe_load(default_output["plan_tasks_yaml"])
    by_id = {t["id"]: t for t in data["tasks"]}
    by_id["DP-01"].update(status="DONE", started="2027-01-04", finished="2027-01-08")
    by_id["DP-02"].update(status="IN_PROGRESS", started="2027-01-11")
    data["calendar"]["status_date"] = "2027-01-15"
    data["risks"].append(sampled_risk(0.4, 3, "MD-04"))
    write(tmp_path, data)
    return commands.render_plan(tmp_path).read_text(encoding="utf-8")


def test_a_risk_that_moves_the_forecast_shows_it_with_and_without(
    default_output: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "plan").mkdir()
    data = yaml.safe_load(default_output["plan_tasks_yaml"])
    last = data["tasks"][-1]["id"]
    data["risks"].append(sampled_risk(1.0, 10, last))
    write(tmp_path, data)
    text = commands.render_plan(tmp_path).read_text(encoding="utf-8")
    assert "without them it would be P50" in text
    assert "do not move the forecast" not in text


def test_the_plan_shows_drivers_risk_exposure_and_the_burn_up(
    default_output: dict[str, str], tmp_path: Path
) -> None:
    text = progressed_markdown(default_output, tmp_path)
    assert "### Tasks that drive the date" in text
    assert "| ID | Task | Owner | Criticality |" in text
    assert "### Risk exposure in the forecast" in text
    assert "| A supplier is late | 40% | 3 | MD-04 | 1.2 |" in text
    # MD-04 has slack: three days on it, four runs in ten, move neither date.
    assert "These risks do not move the forecast (P50 " in text
    assert "title Forecast as of 2027-01-15" in text
    assert "  Status date :milestone, now, 2027-01-15, 0d" in text
    assert "Blue: the effort the baseline of 2027-01-04 planned done" not in text
    assert "blue: the effort the baseline of 2027-01-04 planned done by each" in text
    assert "the 10 highest of the " in text
    burn_up = re.search(r"xychart-beta\n(.*?)```", text, flags=re.DOTALL)
    assert burn_up is not None
    assert len(re.findall(r"^  line ", burn_up[1], flags=re.MULTILINE)) == 3
    assert "  bar [4, 4]" in burn_up[1]  # DP-01 done in week 1, two weeks shown


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_progress_charts_parse_with_the_mermaid_library(
    default_output: dict[str, str], tmp_path: Path
) -> None:
    if not (MERMAID_DIR / "node_modules" / "mermaid").is_dir():
        pytest.fail(
            "the mermaid parser is not installed; run planning/tests/mermaid/install.sh"
        )
    text = progressed_markdown(default_output, tmp_path)
    diagrams = re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)
    broken = diagrams[0].replace("line [", "line [[", 1)
    completed = subprocess.run(
        ["node", str(MERMAID_DIR / "parse.mjs")],
        input=json.dumps([*diagrams, broken]),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results = json.loads(completed.stdout)
    assert [r["ok"] for r in results[:-1]] == [True] * len(diagrams), results
    assert [r["type"] for r in results[:-1]] == ["xychart", "flowchart-v2", "gantt"]
    assert results[-1]["ok"] is False


def test_a_sampled_risk_s_text_shows_literally(
    default_output: dict[str, str],
) -> None:
    markup = submodule("markup")
    data = chain(default_output)
    hostile = 'Vendor "X" | <b>late</b> {{ 7*7 }}'
    data["risks"] = [{**sampled_risk(0.5, 2, "B"), "risk": hostile}]
    text = render.render_markdown(plan_of(data))
    listed, sampled = [line for line in text.splitlines() if line.startswith("| Ven")]
    assert listed == f"| {markup.cell(hostile)} | M | M | Chase them |"
    row = sampled
    assert row == f"| {markup.cell(hostile)} | 50% | 2 | B | 1 |"
    assert "\\<b>late\\</b>" in row  # escaped, so shown as typed
