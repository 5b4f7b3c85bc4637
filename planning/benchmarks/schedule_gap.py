"""How far the engine's schedules are from the shortest possible one.

Run: python planning/benchmarks/schedule_gap.py [plans] [seconds]
(needs OR-Tools, a development dependency; defaults: 40 plans, 5 s per solve)

Random plans of 15 to 80 tasks on 2 to 8 members (random dependencies, roles and
half-day efforts) are scheduled by the engine's single pass and by its search,
and solved by OR-Tools CP-SAT with a time limit, both with the owners fixed (the
engine's own) and with any qualified member free to take a task. The gap is
engine / CP-SAT - 1 against CP-SAT's best schedule; CP-SAT also proves a lower
bound, printed as the largest gap to it. Last, the extra time the search takes
over the single pass for a 100-task plan, measured in the same run.

The random plans and the solver are shared with the engine's tests
(test_plan_search.py), which assert the gap bounds on small plans.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from planning_support import submodule  # noqa: E402

ROLES = ("data_engineer", "data_scientist", "ml_engineer", "mlops_engineer")


@dataclass(frozen=True)
class RandomPlan:
    """Tasks with dependencies, work by person, and who may do each."""

    depends_on: dict[str, tuple[str, ...]]
    candidates: dict[str, list[str]]
    work: dict[tuple[str, str], int]  # half days

    def duration(self, task_id: str, person: str) -> float:
        return self.work[(task_id, person)] / 2


def random_plan(seed: int, tasks: int, members: int) -> RandomPlan:
    """A random plan: a layered DAG, roles, efforts of 1 to 20 half days.

    Each member has a role; a task may go to the members of its role (the
    members of a second role when its own has none), at 1x in the role, 1.25x
    (rounded up to the half day) outside it.
    """
    rng = random.Random(seed)
    people = [f"p{i}" for i in range(members)]
    role_of = {
        p: ROLES[i % len(ROLES)] if i < 4 else rng.choice(ROLES)
        for i, p in enumerate(people)
    }
    ids = [f"T{i:02d}" for i in range(tasks)]
    depends_on: dict[str, tuple[str, ...]] = {}
    for i, task_id in enumerate(ids):
        earlier = ids[max(0, i - 12) : i]
        count = min(len(earlier), rng.choice((0, 1, 1, 1, 2, 2, 3)))
        depends_on[task_id] = tuple(sorted(rng.sample(earlier, count)))
    candidates: dict[str, list[str]] = {}
    work: dict[tuple[str, str], int] = {}
    for task_id in ids:
        role = rng.choice(ROLES)
        inside = [p for p in people if role_of[p] == role]
        base = rng.randint(1, 20)
        chosen = (
            inside
            or [p for p in people if role_of[p] == ROLES[(ROLES.index(role) + 1) % 4]]
            or people
        )
        candidates[task_id] = chosen
        for p in chosen:
            work[(task_id, p)] = base if role_of[p] == role else -(-base * 5 // 4)
    return RandomPlan(depends_on, candidates, work)


def solve(
    plan: RandomPlan, candidates: Mapping[str, Sequence[str]], seconds: float
) -> tuple[float, float]:
    """CP-SAT's best makespan and its proven lower bound, in days."""
    from ortools.sat.python import cp_model

    model = cp_model.CpModel()
    horizon = sum(
        max(plan.work[(t, p)] for p in candidates[t]) for t in plan.depends_on
    )
    start, end = {}, {}
    by_person: dict[str, list[object]] = {}
    for t, people in candidates.items():
        start[t] = model.new_int_var(0, horizon, f"s{t}")
        end[t] = model.new_int_var(0, horizon, f"e{t}")
        chosen = []
        for p in people:
            length = plan.work[(t, p)]
            if len(people) == 1:
                interval = model.new_interval_var(start[t], length, end[t], f"i{t}{p}")
            else:
                use = model.new_bool_var(f"u{t}{p}")
                chosen.append(use)
                interval = model.new_optional_interval_var(
                    start[t], length, end[t], use, f"i{t}{p}"
                )
            by_person.setdefault(p, []).append(interval)
        if chosen:
            model.add_exactly_one(chosen)
    for t, deps in plan.depends_on.items():
        for d in deps:
            model.add(start[t] >= end[d])
    for intervals in by_person.values():
        model.add_no_overlap(intervals)
    makespan = model.new_int_var(0, horizon, "makespan")
    model.add_max_equality(makespan, list(end.values()))
    model.minimize(makespan)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = seconds
    solver.parameters.num_workers = 1
    solver.parameters.random_seed = 1
    solver.solve(model)
    return solver.objective_value / 2, solver.best_objective_bound / 2


def engine(
    plan: RandomPlan, candidates: Mapping[str, Sequence[str]], searched: bool
) -> float:
    """The engine's makespan: one list pass, or the search."""
    if searched:
        result = submodule("search").improve(plan.depends_on, candidates, plan.duration)
    else:
        result = submodule("schedule").list_schedule(
            plan.depends_on, candidates, plan.duration
        )
    return float(result.makespan)


@dataclass(frozen=True)
class Gaps:
    """Gaps of the pass and of the search to CP-SAT, owners fixed and free."""

    single_fixed: list[float]
    search_fixed: list[float]
    single_free: list[float]
    search_free: list[float]
    to_bound: list[float]


def gaps(
    cases: Sequence[tuple[int, int, int]], seconds: float, progress: bool = False
) -> Gaps:
    """The gaps on each (seed, tasks, members) case."""
    found = Gaps([], [], [], [], [])
    for seed, tasks, members in cases:
        plan = random_plan(seed, tasks, members)
        owners = submodule("search").improve(
            plan.depends_on, plan.candidates, plan.duration
        )
        fixed = {t: [owners.slots[t].owner] for t in plan.depends_on}
        best_fixed, _ = solve(plan, fixed, seconds)
        best_free, bound = solve(plan, plan.candidates, seconds)
        found.single_fixed.append(engine(plan, fixed, False) / best_fixed - 1)
        found.search_fixed.append(engine(plan, fixed, True) / best_fixed - 1)
        found.single_free.append(engine(plan, plan.candidates, False) / best_free - 1)
        found.search_free.append(engine(plan, plan.candidates, True) / best_free - 1)
        found.to_bound.append(engine(plan, plan.candidates, True) / bound - 1)
        if progress:
            print(".", end="", flush=True, file=sys.stderr)
    return found


def summary(values: Sequence[float]) -> str:
    """Median, P90 and max of the gaps, in percent."""
    ordered = sorted(values)
    p90 = ordered[max(0, -(-9 * len(ordered) // 10) - 1)]
    return (
        f"median {statistics.median(ordered):.1%}, P90 {p90:.1%}, max {ordered[-1]:.1%}"
    )


def extra_time(
    tasks: int = 100, members: int = 6, repeat: int = 5
) -> tuple[float, float]:
    """Best-of wall times in ms: one list pass, and the search, on one plan."""
    plan = random_plan(7, tasks, members)

    def timed(action: Callable[[], object]) -> float:
        best = float("inf")
        for _ in range(repeat):
            begin = time.perf_counter()
            action()
            best = min(best, time.perf_counter() - begin)
        return best * 1000

    single = timed(lambda: engine(plan, plan.candidates, False))
    searched = timed(lambda: engine(plan, plan.candidates, True))
    return single, searched


def main(plans: int = 40, seconds: float = 5.0) -> None:
    rng = random.Random(2026)
    cases = [
        (rng.randrange(10**6), rng.randint(15, 80), rng.randint(2, 8))
        for _ in range(plans)
    ]
    found = gaps(cases, seconds, progress=True)
    print(file=sys.stderr)
    print(f"{plans} random plans of 15-80 tasks on 2-8 members, CP-SAT {seconds:g} s")
    print(f"owners fixed, single pass: {summary(found.single_fixed)}")
    print(f"owners fixed, search:      {summary(found.search_fixed)}")
    print(f"owners free, single pass:  {summary(found.single_free)}")
    print(f"owners free, search:       {summary(found.search_free)}")
    print(f"owners free, search to CP-SAT's lower bound: {summary(found.to_bound)}")
    single, searched = extra_time()
    print(
        f"100-task plan: single pass {single:.1f} ms, search {searched:.1f} ms "
        f"(+{searched - single:.1f} ms)"
    )


if __name__ == "__main__":
    main(*(int(a) if i == 0 else float(a) for i, a in enumerate(sys.argv[1:])))
