"""Scheduling: hand-computed cases and properties over random task graphs."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from planning_support import submodule

schedule = submodule("schedule")
graph = submodule("graph")


def run(tasks: dict[str, tuple[str, float, tuple[str, ...]]]):
    """Schedule {id: (owner, days, depends_on)} with fixed owners."""
    return schedule.list_schedule(
        {t: deps for t, (_, _, deps) in tasks.items()},
        {t: [owner] for t, (owner, _, _) in tasks.items()},
        lambda t, _owner: tasks[t][1],
    )


def spans(result) -> dict[str, tuple[float, float]]:
    return {t: (s.start, s.finish) for t, s in result.slots.items()}


def test_a_chain_runs_back_to_back() -> None:
    result = run({"A": ("p", 2, ()), "B": ("p", 3, ("A",))})
    assert spans(result) == {"A": (0, 2), "B": (2, 5)}
    assert result.makespan == 5
    assert result.critical_path == ("A", "B")


def test_one_person_does_independent_tasks_one_at_a_time_longest_first() -> None:
    result = run({"A": ("p", 2, ()), "B": ("p", 3, ())})
    assert spans(result) == {"B": (0, 3), "A": (3, 5)}
    assert result.critical_path == ("B", "A")


def test_two_people_work_in_parallel_after_a_shared_dependency() -> None:
    result = run({"A": ("p", 1, ()), "B": ("p", 2, ("A",)), "C": ("q", 4, ("A",))})
    assert spans(result) == {"A": (0, 1), "B": (1, 3), "C": (1, 5)}
    assert result.critical_path == ("A", "C")


def test_a_short_task_fills_an_idle_gap_before_later_work() -> None:
    result = run(
        {
            "B": ("q", 4, ()),
            "A": ("p", 1, ("B",)),
            "D": ("p", 3, ("A",)),
            "C": ("p", 2, ()),
        }
    )
    assert spans(result)["C"] == (0, 2)
    assert spans(result)["A"] == (4, 5)
    assert result.makespan == 8


def test_a_task_goes_to_the_candidate_who_finishes_first() -> None:
    result = schedule.list_schedule(
        {"A": (), "B": ()},
        {"A": ["p"], "B": ["p", "q"]},
        lambda t, who: {"A": 3.0, "B": 2.0}[t] * (1.0 if who == "p" else 1.5),
    )
    assert result.slots["A"].owner == "p"
    assert result.slots["B"].owner == "q"
    assert result.makespan == 3


def test_the_longest_path_is_the_dependency_critical_path() -> None:
    deps = {"A": (), "B": ("A",), "C": ("A",), "D": ("B", "C")}
    length, path = graph.longest_path(deps, {"A": 1, "B": 5, "C": 2, "D": 1})
    assert length == 7
    assert path == ["A", "B", "D"]


def test_a_cycle_is_found_and_named() -> None:
    cycles = graph.find_cycles({"A": ("C",), "B": ("A",), "C": ("B",), "D": ()})
    assert len(cycles) == 1
    assert set(cycles[0]) == {"A", "B", "C"}
    assert cycles[0][0] == cycles[0][-1]


def test_an_unknown_dependency_is_named() -> None:
    problems = graph.unknown_dependencies({"A": ("Z",), "B": ("B",)})
    assert problems == [
        "task A depends on Z, which is not a task id in the plan",
        "task B depends on itself",
    ]


def test_percentiles_pick_the_value_at_the_share() -> None:
    values = [5.0, 1.0, 3.0, 2.0, 4.0]
    assert schedule.percentile(values, 0.5) == 3.0
    assert schedule.percentile(values, 0.8) == 4.0
    assert schedule.percentile([], 0.8) == 0.0


@st.composite
def task_graphs(draw, people: int | None = None):
    """Random DAGs: {id: (owner, days, deps)} with deps on earlier tasks only."""
    count = draw(st.integers(min_value=1, max_value=18))
    crew = draw(st.integers(min_value=1, max_value=4)) if people is None else people
    tasks = {}
    for i in range(count):
        deps = draw(st.sets(st.integers(min_value=0, max_value=max(i - 1, 0))))
        days = draw(st.sampled_from([0.5, 1.0, 1.5, 2.0, 3.0, 5.0, 8.0]))
        owner = f"p{i}" if people == 0 else f"p{draw(st.integers(0, crew - 1))}"
        tasks[f"T{i}"] = (owner, days, tuple(f"T{d}" for d in deps if d < i))
    return tasks


@settings(max_examples=80, deadline=None)
@given(task_graphs())
def test_every_schedule_respects_dependencies_and_one_task_per_person(tasks) -> None:
    result = run(tasks)
    for task_id, (owner, days, deps) in tasks.items():
        slot = result.slots[task_id]
        assert slot.owner == owner
        assert abs(slot.finish - slot.start - days) < 1e-9
        for dep in deps:
            assert slot.start >= result.slots[dep].finish - 1e-9
    for a, b in itertools.combinations(result.slots.values(), 2):
        if a.owner == b.owner:
            assert a.finish <= b.start + 1e-9 or b.finish <= a.start + 1e-9


@settings(max_examples=80, deadline=None)
@given(task_graphs(people=0))
def test_with_unlimited_capacity_the_critical_path_equals_the_makespan(tasks) -> None:
    result = run(tasks)
    length, _ = graph.longest_path(
        {t: deps for t, (_, _, deps) in tasks.items()},
        {t: days for t, (_, days, _) in tasks.items()},
    )
    assert abs(result.makespan - length) < 1e-9


@settings(max_examples=60, deadline=None)
@given(task_graphs())
def test_the_critical_path_adds_up_to_the_makespan(tasks) -> None:
    result = run(tasks)
    total = sum(tasks[t][1] for t in result.critical_path)
    assert abs(total - result.makespan) < 1e-9


@settings(max_examples=40, deadline=None)
@given(task_graphs(), st.integers(min_value=0, max_value=2**32))
def test_the_same_seed_gives_the_same_forecast(tasks, seed) -> None:
    first, second = run(tasks), run(tasks)
    assert spans(first) == spans(second)
    deps = {t: d for t, (_, _, d) in tasks.items()}
    ranges = {t: (days * 0.5, days, days * 2) for t, (_, days, _) in tasks.items()}
    one = schedule.simulate_makespans(first, deps, ranges, 50, seed)
    two = schedule.simulate_makespans(second, deps, ranges, 50, seed)
    assert one == two
    low = schedule.simulate_makespans(
        first, deps, {t: (r[0],) * 3 for t, r in ranges.items()}, 1, seed
    )[0]
    high = schedule.simulate_makespans(
        first, deps, {t: (r[2],) * 3 for t, r in ranges.items()}, 1, seed
    )[0]
    assert all(low - 1e-9 <= m <= high + 1e-9 for m in one)
