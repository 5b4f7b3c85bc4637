"""The schedule search: near CP-SAT's optimum, never worse than one pass,
repeatable, and no later with more capacity."""

from __future__ import annotations

import importlib.util
import itertools
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

import pytest
from planning_support import DEFAULT_ANSWERS, submodule

availability = submodule("availability")
schedule = submodule("schedule")
search = submodule("search")
generate = submodule("generate")
analysis = submodule("analysis")
document = submodule("document")

BENCHMARK = Path(__file__).resolve().parents[1] / "benchmarks" / "schedule_gap.py"


def _benchmark():
    spec = importlib.util.spec_from_file_location("schedule_gap", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["schedule_gap"] = module
    spec.loader.exec_module(module)
    return module


gap = _benchmark()


def _p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, -(-9 * len(ordered) // 10) - 1)]


def _valid(plan, result, candidates) -> None:
    """Dependencies first, one task at a time per person, owners candidates."""
    for task_id, slot in result.slots.items():
        assert slot.owner in candidates[task_id]
        assert slot.finish - slot.start == pytest.approx(
            plan.duration(task_id, slot.owner)
        )
        for dep in plan.depends_on[task_id]:
            assert result.slots[dep].finish <= slot.start + 1e-9
    by_person: dict[str, list] = {}
    for slot in result.slots.values():
        by_person.setdefault(slot.owner, []).append((slot.start, slot.finish))
    for spans in by_person.values():
        spans.sort()
        for (_, end), (begin, _) in itertools.pairwise(spans):
            assert end <= begin + 1e-9


@pytest.fixture(scope="module")
def small_gaps():
    """Gaps on 24 small random plans (10-20 tasks, 2-4 members), CP-SAT 2 s."""
    pytest.importorskip("ortools")
    rng = random.Random(13)
    cases = [
        (rng.randrange(10**6), rng.randint(10, 20), rng.randint(2, 4))
        for _ in range(24)
    ]
    return gap.gaps(cases, seconds=2.0)


def test_the_search_is_within_2_percent_of_the_optimum_with_owners_fixed(
    small_gaps,
) -> None:
    assert _p90(small_gaps.search_fixed) <= 0.02, small_gaps.search_fixed
    assert min(small_gaps.search_fixed) >= -1e-9  # CP-SAT's optimum is a bound


def test_the_search_is_within_5_percent_of_the_optimum_with_owners_free(
    small_gaps,
) -> None:
    assert _p90(small_gaps.search_free) <= 0.05, small_gaps.search_free
    assert statistics.median(small_gaps.search_free) <= 0.01


def test_the_search_closes_most_of_the_single_pass_gap(small_gaps) -> None:
    assert sum(small_gaps.search_free) < 0.5 * sum(small_gaps.single_free)


@pytest.mark.parametrize("seed", range(12))
def test_the_search_is_valid_never_worse_and_repeatable(seed: int) -> None:
    rng = random.Random(seed)
    plan = gap.random_plan(seed, rng.randint(5, 60), rng.randint(1, 6))
    single = schedule.list_schedule(plan.depends_on, plan.candidates, plan.duration)
    found = search.improve(plan.depends_on, plan.candidates, plan.duration)
    _valid(plan, found, plan.candidates)
    assert found.makespan <= single.makespan + 1e-9
    again = search.improve(plan.depends_on, plan.candidates, plan.duration)
    assert again == found


def test_a_seed_schedule_is_kept_when_nothing_better_is_found() -> None:
    plan = gap.random_plan(3, 30, 3)
    found = search.improve(plan.depends_on, plan.candidates, plan.duration)
    fixed = {t: [found.slots[t].owner] for t in plan.depends_on}
    # With the owners fixed and the found schedule as a seed, the search ends no
    # later than that schedule, whatever its own passes find.
    reseeded = search.improve(
        plan.depends_on, fixed, plan.duration, starts=0, evaluations=0, seeds=[found]
    )
    assert reseeded.makespan <= found.makespan + 1e-9


def test_more_capacity_never_finishes_later_on_random_plans() -> None:
    """One member's share raised 0.6 -> 0.8 -> 1.0, the others' kept, on 40 plans."""
    later = []
    for seed in range(40):
        rng = random.Random(seed)
        plan = gap.random_plan(seed, rng.randint(10, 40), rng.randint(2, 5))
        found = search.improve(plan.depends_on, plan.candidates, plan.duration)
        owners = {t: [found.slots[t].owner] for t in plan.depends_on}
        people = sorted({s.owner for s in found.slots.values()})
        person = people[seed % len(people)]
        unit = search.improve(plan.depends_on, owners, plan.duration)
        makespans = []
        for share in (0.6, 0.8, 1.0):
            shares = {p: availability.Availability(0.8) for p in people}
            shares[person] = availability.Availability(share)
            makespans.append(
                search.improve(
                    plan.depends_on,
                    owners,
                    plan.duration,
                    availability=shares,
                    seeds=[unit],
                ).makespan
            )
        if not makespans[0] + 1e-9 >= makespans[1] + 1e-9 >= makespans[2] - 1e-9:
            later.append((seed, makespans))
    assert not later


def test_a_uniform_capacity_scales_the_schedule_exactly() -> None:
    plan = gap.random_plan(5, 40, 4)
    fixed = search.improve(plan.depends_on, plan.candidates, plan.duration)
    owners = {t: [fixed.slots[t].owner] for t in plan.depends_on}
    people = {s.owner for s in fixed.slots.values()}
    full = search.improve(plan.depends_on, owners, plan.duration)
    part = search.improve(
        plan.depends_on,
        owners,
        plan.duration,
        availability={p: availability.Availability(0.5) for p in people},
    )
    assert part.makespan == pytest.approx(2 * full.makespan)


def test_the_plan_shows_a_schedule_no_longer_than_the_single_pass() -> None:
    plan = document.load_plan(document.dump_plan(generate.build_plan(DEFAULT_ANSWERS)))
    shown = analysis.analyse(plan).schedule
    tasks = {t.id: t for t in plan.tasks}
    single = schedule.list_schedule(
        {t.id: t.depends_on for t in plan.tasks},
        {t.id: [t.owner] for t in plan.tasks},
        lambda task_id, _owner: tasks[task_id].estimate.likely,
        availability=analysis.member_availability(plan, analysis.work_calendar(plan)),
    )
    assert shown.makespan <= single.makespan + 1e-9
    assert shown == analysis.plan_schedule(plan)


def test_the_search_keeps_pinned_slots_and_release_dates() -> None:
    plan = gap.random_plan(21, 25, 3)
    ids = list(plan.depends_on)
    first = search.improve(plan.depends_on, plan.candidates, plan.duration)
    # The first three tasks to start are done or under way, where they were.
    pinned = {t: first.slots[t] for t in first.order[:3]}
    release = {t: 5.0 for t in ids if t not in pinned}
    found = search.improve(
        plan.depends_on,
        plan.candidates,
        plan.duration,
        pinned=pinned,
        release=release,
    )
    for task_id, slot in pinned.items():
        assert found.slots[task_id] == slot
    for task_id in release:
        assert found.slots[task_id].start >= 5.0 - 1e-9
    busy: dict[str, list] = {}
    for slot in found.slots.values():
        busy.setdefault(slot.owner, []).append((slot.start, slot.finish))
    for spans in busy.values():
        spans.sort()
        for (_, end), (begin, _) in itertools.pairwise(spans):
            assert end <= begin + 1e-9
    for task_id in release:
        for dep in plan.depends_on[task_id]:
            assert found.slots[dep].finish <= found.slots[task_id].start + 1e-9


def test_a_move_timed_from_where_it_changes_things_matches_a_full_timing() -> None:
    mismatches, compared = 0, 0
    for seed in range(6):
        plan = gap.random_plan(seed, 30, 4)
        problem = search._Search(
            plan.depends_on, plan.candidates, plan.duration, None, None, None
        )
        sequences = search._Sequences(problem)
        state = sequences.state(problem.first)
        rng = random.Random(seed)
        for step in range(30):
            moves = list(sequences._moves(state, everywhere=rng if step % 2 else None))
            for owner, sequence, changed, _ in moves[:6]:
                full = sequences.time(owner, sequence)
                quick = sequences.retime(state, owner, sequence, changed)
                compared += 1
                if (full is None) != (quick is None) or (
                    full is not None and quick.timed != full
                ):
                    mismatches += 1
            state = next(
                (
                    found
                    for owner, sequence, changed, _ in moves
                    if (found := sequences.retime(state, owner, sequence, changed))
                ),
                state,
            )
    assert compared > 500
    assert mismatches == 0


SAME_EVERYWHERE = """
import hashlib, yaml
from planning_support import make_answers
from ucforge_planning import document, generate, render
answers = {**make_answers(compliance=["gdpr", "hipaa"]), "public_holidays": "DE-BY"}
out = generate.generate_from_answers(answers)
data = yaml.safe_load(out["plan_tasks_yaml"])
data["team"][0]["weekdays"] = ["Mon", "Tue", "Wed"]
data["team"][1]["absences"] = [{"start": "2027-02-01", "end": "2027-02-12"}]
data["team"][1]["capacity"] = 0.6
edited = render.render_markdown(document.load_plan(yaml.safe_dump(data)))
text = out["plan_tasks_yaml"] + out["plan_markdown"] + edited
print(hashlib.sha256(text.encode()).hexdigest())
"""


def test_the_plan_is_the_same_whatever_the_hash_seed() -> None:
    tests = str(Path(__file__).resolve().parent)
    found = set()
    for hash_seed in ("1", "2"):
        env = {
            **os.environ,
            "PYTHONHASHSEED": hash_seed,
            "PYTHONPATH": os.pathsep.join(
                [tests, *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
        }
        result = subprocess.run(
            [sys.executable, "-c", SAME_EVERYWHERE],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=True,
        )
        found.add(result.stdout)
    assert len(found) == 1
