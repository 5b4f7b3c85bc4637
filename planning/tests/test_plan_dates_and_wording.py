"""What the rendered plan says about time and text: sprints, durations, forecast."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from planning_support import answers, submodule

document = submodule("document")
generate = submodule("generate")
render = submodule("render")
workdays = submodule("workdays")

DATE = r"(\d{4}-\d{2}-\d{2})"
PHASE_ROW = re.compile(
    rf"^\| [^|]+ \| (\d+) working days \([^)]*\): {DATE} to {DATE} \|"
)
COMPONENT_EFFORT = re.compile(rf"over (\d+) working days, {DATE} to {DATE} ")
SOLO = {
    "team_members": [
        {
            "name": "Sam Solo",
            "handle": "sam",
            "email": "sam@example.com",
            "role": "data_scientist",
            "expertise": "junior",
        }
    ],
    "use_case_owner": "sam",
    "reviewers": ["sam"],
    "required_approvals": 0,
}


def tasks_yaml(**changes: Any) -> dict[str, Any]:
    output = generate.generate_from_answers(answers(**changes))
    return yaml.safe_load(output["plan_tasks_yaml"])


def rendered(data: dict[str, Any]) -> str:
    return render.render_markdown(document.load_plan(yaml.safe_dump(data)))


def with_days_off(data: dict[str, Any]) -> dict[str, Any]:
    data["calendar"]["non_working_days"] = [
        "2027-01-06",
        "2027-01-22",
        "2027-02-01",
        "2027-02-15",
        "2027-03-01",
    ]
    for member in data["team"]:
        member["capacity"] = 0.7
    return data


PLANS = {
    "default": lambda: tasks_yaml(),
    "days_off": lambda: with_days_off(tasks_yaml()),
    "solo": lambda: tasks_yaml(**SOLO),
    "solo_days_off": lambda: with_days_off(tasks_yaml(**SOLO)),
    "regulated": lambda: tasks_yaml(compliance=["gdpr", "soc2", "eu_ai_act"]),
}


def working_days(first: str, last: str, closed: list[str]) -> int:
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    count = 0
    while day <= end:
        count += day.weekday() < 5 and day.isoformat() not in closed
        day += dt.timedelta(days=1)
    return count


def overview_sprints(text: str) -> int:
    found = re.search(r"\| Sprints/Iterations \| (\d+) sprints? of ", text)
    assert found, "the Overview has no Sprints/Iterations row"
    return int(found[1])


@pytest.mark.parametrize("name", PLANS)
def test_phase_durations_count_the_working_days_of_the_dates_shown(name: str) -> None:
    data = PLANS[name]()
    text = rendered(data)
    closed = [str(d) for d in data["calendar"]["non_working_days"]]
    rows = [PHASE_ROW.match(line) for line in text.splitlines()]
    phases = [m for m in rows if m]
    efforts = COMPONENT_EFFORT.findall(text)
    assert len(phases) == 5
    assert len(efforts) == 5
    for shown, first, last in [m.groups() for m in phases] + efforts:
        assert int(shown) == working_days(first, last, closed), (first, last)


@pytest.mark.parametrize("name", PLANS)
def test_no_milestone_up_to_the_target_lands_after_the_last_sprint(name: str) -> None:
    data = PLANS[name]()
    text = rendered(data)
    sprints = overview_sprints(text)
    target = str(data["calendar"]["target_date"])
    milestones = re.findall(rf"\| {DATE} \(sprint (\d+)\) \|", text)
    assert milestones
    for date, sprint in milestones:
        if date <= target:
            assert int(sprint) <= sprints, (date, sprint, sprints)
    assert (target, str(sprints)) in milestones


def test_a_twelve_week_period_in_two_week_sprints_touches_seven_sprints() -> None:
    text = rendered(tasks_yaml())
    assert "| Sprints/Iterations | 7 sprints of 2 weeks |" in text
    assert "| Target completion | 2027-03-29 (sprint 7) |" in text


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=dt.date(2026, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.integers(min_value=1, max_value=400),
    st.integers(min_value=1, max_value=8),
)
def test_the_sprint_count_covers_every_day_up_to_the_target(
    start: dt.date, length: int, weeks: int
) -> None:
    target = start + dt.timedelta(days=length)
    count = workdays.sprint_count(start, target, weeks)
    assert workdays.sprint_of(start, target, weeks) == count
    assert all(
        workdays.sprint_of(start, start + dt.timedelta(days=d), weeks) <= count
        for d in range(length + 1)
    )


def overview(text: str) -> str:
    return text.split("## Overview", 1)[1].split("## Phase Breakdown", 1)[0]


def test_the_overview_says_why_the_median_forecast_is_after_the_planned_finish() -> (
    None
):
    text = overview(rendered(tasks_yaml()))
    planned = re.search(rf"\| Planned Finish \| {DATE} ", text)
    median = re.search(rf"\| Forecast \| P50 {DATE},", text)
    assert planned and median and planned[1] < median[1]
    assert (
        "The planned finish takes every task at its likely estimate; the forecast "
        "draws from the three-point estimates, which are skewed towards the "
        "pessimistic side, so its P50 falls later."
    ) in text


def test_with_exact_estimates_the_median_forecast_is_the_planned_finish() -> None:
    data = tasks_yaml()
    for task in data["tasks"]:
        likely = task["estimate"]["likely"]
        task["estimate"] = {
            "optimistic": likely,
            "likely": likely,
            "pessimistic": likely,
        }
    text = overview(rendered(data))
    planned = re.search(rf"\| Planned Finish \| {DATE} ", text)
    median = re.search(rf"\| Forecast \| P50 {DATE},", text)
    assert planned and median and planned[1] == median[1]
    assert "and its P50 falls on the same day." in text
    assert "skewed" not in text


def description_line(**changes: Any) -> str:
    text = generate.generate_from_answers(answers(**changes))["plan_markdown"]
    return next(line for line in text.splitlines() if "model predicts" in line)


def test_a_description_without_a_final_period_gets_one() -> None:
    line = description_line(description="Churn scores for the retention team are ok")
    assert line.startswith("Churn scores for the retention team are ok. A binary ")


@pytest.mark.parametrize(
    "description", ["Spot churn early.", "Spot churn early!", "Is churn rising?"]
)
def test_a_description_that_ends_a_sentence_is_left_as_it_is(description: str) -> None:
    assert description_line(description=description).startswith(f"{description} A ")
