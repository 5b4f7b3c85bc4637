"""A person's share of each day turns work into time; pinned and released tasks."""

from __future__ import annotations

import pytest
from planning_support import submodule

availability = submodule("availability")
schedule = submodule("schedule")


def test_a_steady_share_stretches_work() -> None:
    half = availability.Availability(0.5)
    assert half.finish(1.0, 2.0) == pytest.approx(5.0)
    assert half.begin(1.25) == 1.25


def test_work_stops_on_a_day_away_and_resumes_after() -> None:
    away = availability.Availability(1.0, {2: 0.0, 3: 0.0})
    assert away.finish(1.5, 1.0) == pytest.approx(4.5)
    assert away.begin(2.2) == 4.0
    assert away.finish(0.0, 2.0) == pytest.approx(2.0)


def test_a_part_day_counts_its_share() -> None:
    part = availability.Availability(1.0, {0: 0.5})
    assert part.finish(0.0, 1.0) == pytest.approx(1.5)


def test_a_share_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        availability.Availability(0.0)


def test_pinned_tasks_keep_their_slot_and_released_ones_wait() -> None:
    deps = {"A": (), "B": ("A",), "C": ()}
    result = schedule.list_schedule(
        deps,
        {"A": ["p"], "B": ["p"], "C": ["q"]},
        lambda _t, _p: 2.0,
        availability={"p": availability.Availability(1.0, {4: 0.0})},
        release={"C": 3.0},
        pinned={"A": schedule.Slot("A", "p", 0.0, 3.5)},
    )
    assert result.slots["A"] == schedule.Slot("A", "p", 0.0, 3.5)
    assert (result.slots["B"].start, result.slots["B"].finish) == (3.5, 6.5)
    assert (result.slots["C"].start, result.slots["C"].finish) == (3.0, 5.0)
