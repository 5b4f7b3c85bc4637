"""The team's calendar: public holidays, absences, part-time weekdays, focus."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
import yaml
from planning_support import DEFAULT_ANSWERS, make_answers, submodule

analysis = submodule("analysis")
document = submodule("document")
generate = submodule("generate")
render = submodule("render")
workdays = submodule("workdays")

# Monday 2027-01-04; Wednesday 2027-01-06 is Epiphany in Bavaria (DE-BY).
START = dt.date(2027, 1, 4)
_DEFAULT = yaml.safe_load(
    generate.generate_from_answers(DEFAULT_ANSWERS)["plan_tasks_yaml"]
)


def task(task_id: str, owner: str, likely: float, *after: str) -> dict[str, Any]:
    return {
        "id": task_id,
        "component": "data_pipeline",
        "category": "Ingestion",
        "title": f"Task {task_id}",
        "role": "data_engineer",
        "owner": owner,
        "estimate": {"optimistic": likely, "likely": likely, "pessimistic": likely},
        "depends_on": list(after),
        "acceptance": "Done",
        "status": "TODO",
    }


def data(tasks: list[dict[str, Any]], **calendar: Any) -> dict[str, Any]:
    """The default plan's file with these tasks, full capacity and focus."""
    found = copy.deepcopy(_DEFAULT)
    found["tasks"] = tasks
    found["deadlines"] = []
    found["calendar"].update({"focus_factor": 1, **calendar})
    for member in found["team"]:
        member["capacity"] = 1
    return found


def read(content: dict[str, Any]) -> Any:
    return document.load_plan(yaml.safe_dump(content, sort_keys=False))


def problems(content: dict[str, Any]) -> list[str]:
    return document.read_plan(yaml.safe_dump(content, sort_keys=False))[1]


def dates(content: dict[str, Any], task_id: str) -> tuple[dt.date, dt.date]:
    return analysis.analyse(read(content)).task_dates(task_id)


def owner(index: int = 0) -> str:
    return str(_DEFAULT["team"][index]["handle"])


# ---------------------------------------------------------------------------
# Calendar arithmetic
# ---------------------------------------------------------------------------
def test_the_calendar_skips_weekends_days_off_and_holidays() -> None:
    holidays = workdays.public_holidays("DE-BY")
    calendar = workdays.WorkCalendar(START, [dt.date(2027, 1, 8)], holidays)
    days = [calendar.day(i) for i in range(4)]
    assert days == [
        dt.date(2027, 1, 4),
        dt.date(2027, 1, 5),
        dt.date(2027, 1, 7),  # 6th: Epiphany
        dt.date(2027, 1, 11),  # 8th: team day off, then the weekend
    ]
    assert calendar.index_of(dt.date(2027, 1, 7)) == 2
    assert calendar.index_of(dt.date(2027, 1, 6)) is None
    assert calendar.index_of(dt.date(2027, 1, 1)) is None
    # Without the region, the 6th is a working day.
    assert workdays.WorkCalendar(START).day(2) == dt.date(2027, 1, 6)


def test_holidays_between_lists_weekday_holidays_with_their_names() -> None:
    found = workdays.holidays_between(
        "DE-BY", dt.date(2027, 1, 1), dt.date(2027, 1, 31)
    )
    assert found == [
        (dt.date(2027, 1, 1), "New Year's Day"),
        (dt.date(2027, 1, 6), "Epiphany"),
    ]
    assert (
        workdays.holidays_between("", dt.date(2027, 1, 1), dt.date(2027, 12, 31)) == []
    )


@pytest.mark.parametrize("region", ["", "DE", "de-by", "US-CA", "GB-SCT", "FR"])
def test_known_regions_have_no_problem(region: str) -> None:
    assert workdays.region_problem(region) == ""


@pytest.mark.parametrize(
    ("region", "words"),
    [
        ("XX", "names no country the holidays package knows; got 'XX'"),
        ("DE-ZZ", "names no region of DE; got 'ZZ' (regions: BB, BE"),
        ("Bavaria, Germany", "must be a country code such as DE"),
    ],
)
def test_unknown_regions_are_named(region: str, words: str) -> None:
    assert words in workdays.region_problem(region)


# ---------------------------------------------------------------------------
# The schedule on the calendar
# ---------------------------------------------------------------------------
def test_a_public_holiday_moves_a_task() -> None:
    tasks = [task("A", owner(), 2), task("B", owner(), 1, "A")]
    plain = data(tasks, start_date=START.isoformat())
    bavaria = data(tasks, start_date=START.isoformat(), public_holidays="DE-BY")
    assert dates(plain, "B") == (dt.date(2027, 1, 6), dt.date(2027, 1, 6))
    assert dates(bavaria, "B") == (dt.date(2027, 1, 7), dt.date(2027, 1, 7))


def test_an_absence_moves_a_task_to_after_it() -> None:
    content = data([task("A", owner(), 1), task("B", owner(), 2, "A")])
    content["team"][0]["absences"] = [
        {"start": "2027-01-05", "end": "2027-01-08", "reason": "Leave"}
    ]
    # A on Monday; away Tuesday to Friday; B on the next Monday and Tuesday.
    assert dates(content, "A") == (dt.date(2027, 1, 4), dt.date(2027, 1, 4))
    assert dates(content, "B") == (dt.date(2027, 1, 11), dt.date(2027, 1, 12))


def test_a_critical_path_that_waits_for_its_owner_says_from_when() -> None:
    content = data([task("A", owner(), 2)])
    content["team"][0]["absences"] = [{"start": "2027-01-04", "end": "2027-01-06"}]
    text = render.render_markdown(read(content))
    # Away Monday to Wednesday: A is worked on Thursday and Friday.
    assert (
        "Critical path (the last 2 of 5 working days, from 2027-01-07, when its "
        "first task can start; who is free and who is away included): A." in text
    )
    plain = render.render_markdown(read(data([task("A", owner(), 2)])))
    assert "Critical path (2 working days, who is free included): A." in plain


def test_an_absence_pauses_a_task_that_spans_it() -> None:
    content = data([task("A", owner(), 3)])
    content["team"][0]["absences"] = [{"start": "2027-01-05", "end": "2027-01-05"}]
    assert dates(content, "A") == (dt.date(2027, 1, 4), dt.date(2027, 1, 7))


def test_part_time_weekdays_skip_the_days_not_worked() -> None:
    content = data([task("A", owner(), 4), task("B", owner(), 1, "A")])
    content["team"][0]["weekdays"] = ["Mon", "Tue", "Wed", "Thu"]
    assert dates(content, "A") == (dt.date(2027, 1, 4), dt.date(2027, 1, 7))
    assert dates(content, "B") == (dt.date(2027, 1, 11), dt.date(2027, 1, 11))


def test_a_half_day_task_at_half_capacity_takes_one_day() -> None:
    content = data([task("A", owner(), 0.5), task("B", owner(), 0.5, "A")])
    content["team"][0]["capacity"] = 0.5
    assert dates(content, "A") == (dt.date(2027, 1, 4), dt.date(2027, 1, 4))
    assert dates(content, "B") == (dt.date(2027, 1, 5), dt.date(2027, 1, 5))


def test_days_off_and_half_capacity_cost_exactly_what_they_take() -> None:
    """Five days off and a half-capacity member: 10 days of work take 20 working
    days, and the five days off add five calendar working days, no more."""
    chain = [task(f"T{i}", owner(), 2, *([f"T{i - 1}"] if i else [])) for i in range(5)]
    full = data(chain)
    slowed = data(
        chain,
        non_working_days=[f"2027-01-{d:02d}" for d in (5, 6, 7, 12, 13)],
    )
    slowed["team"][0]["capacity"] = 0.5
    assert analysis.analyse(read(full)).schedule.makespan == pytest.approx(10)
    computed = analysis.analyse(read(slowed))
    assert computed.schedule.makespan == pytest.approx(20)
    # 20 working days from Monday 4 January, five of the weekdays off: 5 Feb.
    assert computed.finish == dt.date(2027, 2, 5)


def test_the_focus_factor_and_capacity_multiply() -> None:
    content = data([task("A", owner(), 2)], focus_factor=0.5)
    content["team"][0]["capacity"] = 0.5
    assert analysis.analyse(read(content)).schedule.makespan == pytest.approx(8)


def test_generated_plans_keep_the_share_of_a_day_of_earlier_plans() -> None:
    """Capacity 1 x focus 0.8 is the share earlier plans gave with capacity 0.8."""
    plan = generate.build_plan(make_answers())
    assert {m.capacity for m in plan.team} == {1.0}
    assert plan.calendar.focus_factor == 0.8
    old = copy.deepcopy(yaml.safe_load(document.dump_plan(plan)))
    del old["calendar"]["focus_factor"]
    for member in old["team"]:
        member["capacity"] = 0.8
        del member["weekdays"], member["absences"]
    assert analysis.plan_schedule(read(old)).makespan == pytest.approx(
        analysis.plan_schedule(plan).makespan
    )


def test_the_region_answered_at_copy_time_is_in_tasks_yaml_and_the_plan() -> None:
    output = generate.generate_from_answers(
        make_answers(public_holidays="DE-BY", start_date="2027-01-04")
    )
    assert yaml.safe_load(output["plan_tasks_yaml"])["calendar"]["public_holidays"] == (
        "DE-BY"
    )
    text = output["plan_markdown"]
    section = text.split("## Team Calendar", 1)[1].split("\n## ", 1)[0]
    assert "the public holidays of `DE-BY`" in section
    assert "| 2027-01-06 (Wednesday) | Epiphany |" in section
    assert "| 2027-01-01" not in section  # before the start


def test_the_plan_shows_capacities_weekdays_and_absences() -> None:
    content = data([task("A", owner(), 2)], focus_factor=0.8)
    content["team"][1]["capacity"] = 0.5
    content["team"][1]["weekdays"] = ["Mon", "Tue", "Wed"]
    content["team"][1]["absences"] = [
        {"start": "2027-02-01", "end": "2027-02-05", "reason": "Parental | leave *"}
    ]
    content["calendar"]["non_working_days"] = ["2027-01-29"]
    text = render.render_markdown(read(content))
    section = text.split("## Team Calendar", 1)[1].split("\n## ", 1)[0]
    member = content["team"][1]
    row = next(line for line in section.splitlines() if f"@{member['handle']}" in line)
    assert "| Mon, Tue, Wed | 50% | 40% |" in row
    assert "2027-02-01 to 2027-02-05 (Parental \\| leave \\*)" in row
    assert "times the focus factor (80%) of every day they work" in section
    assert "Monday to Friday less 1 team day off." in section
    assert "Team days off: 2027-01-29." in section


# ---------------------------------------------------------------------------
# Strict validation
# ---------------------------------------------------------------------------
def test_bad_calendar_entries_are_named() -> None:
    content = data([task("A", owner(), 1)], focus_factor=0, public_holidays="XX")
    content["team"][0]["absences"] = [
        {"start": "2027-02-05", "end": "2027-02-01"},
        {"start": "2026-12-01", "end": "2026-12-03"},
    ]
    content["team"][1]["weekdays"] = ["Mon", "Sat"]
    content["team"][2]["capacity"] = 0
    found = problems(content)
    assert (
        "team[0].absences[0] must not end before it starts; got start 2027-02-05, "
        "end 2027-02-01" in found
    )
    assert (
        "team[0].absences[1] ends on 2026-12-03, before the plan starts (2027-01-04)"
        in found
    )
    assert (
        "team[1].weekdays[1] must be one of Mon, Tue, Wed, Thu, Fri; got 'Sat'" in found
    )
    assert "team[2].capacity must be a number from 0.05 to 1; got 0" in found
    assert (
        "calendar.focus_factor must be a number above 0 and at most 1; got 0" in found
    )
    assert any(
        p.startswith("calendar.public_holidays names no country the holidays package")
        for p in found
    ), found


def test_an_empty_weekday_list_is_a_problem() -> None:
    content = data([task("A", owner(), 1)], focus_factor=1.5)
    content["team"][0]["weekdays"] = []
    found = problems(content)
    assert any(
        p.startswith("team[0].weekdays must list at least one of Mon") for p in found
    ), found
    assert (
        "calendar.focus_factor must be a number above 0 and at most 1; got 1.5" in found
    )


def test_old_files_without_the_new_keys_mean_what_they_meant() -> None:
    content = data([task("A", owner(), 2)])
    del content["calendar"]["focus_factor"], content["calendar"]["public_holidays"]
    for member in content["team"]:
        del member["weekdays"], member["absences"]
    plan = read(content)
    assert plan.calendar.focus_factor == 1.0
    assert plan.calendar.public_holidays == ""
    assert plan.team[0].weekdays == ("Mon", "Tue", "Wed", "Thu", "Fri")
    assert analysis.analyse(plan).schedule.makespan == pytest.approx(2)


def test_the_forecast_counts_the_days_away_too() -> None:
    content = data([task("A", owner(), 3), task("B", owner(1), 1, "A")])
    content["team"][0]["absences"] = [{"start": "2027-01-05", "end": "2027-01-06"}]
    computed = analysis.analyse(read(content))
    assert computed.finish == dt.date(2027, 1, 11)
    assert computed.p50 == computed.p80 == computed.finish
