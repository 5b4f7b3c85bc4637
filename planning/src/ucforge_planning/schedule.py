"""Scheduling: who does which task when, the critical path and the forecast."""

from __future__ import annotations

import bisect
import heapq
import math
import random
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from .availability import STEADY, Availability
from .graph import topological_order

EPSILON = 1e-9


@dataclass(frozen=True)
class Slot:
    """When a task is worked on and by whom, in working days from the start."""

    task_id: str
    owner: str
    start: float
    finish: float


@dataclass(frozen=True)
class Schedule:
    """A feasible schedule: dependencies and one task at a time per person.

    `order` is the order work starts in (by start time); it respects both the
    dependencies and each person's sequence of tasks.
    """

    slots: dict[str, Slot]
    order: tuple[str, ...]
    makespan: float
    critical_path: tuple[str, ...]


def _tails(
    depends_on: Mapping[str, Sequence[str]], duration: Mapping[str, float]
) -> dict[str, float]:
    """Longest remaining chain from each task to the end, the task included."""
    dependants: dict[str, list[str]] = {task_id: [] for task_id in depends_on}
    for task_id, deps in depends_on.items():
        for dep in deps:
            dependants[dep].append(task_id)
    tail: dict[str, float] = {}
    for task_id in reversed(topological_order(depends_on)):
        after = max((tail[child] for child in dependants[task_id]), default=0.0)
        tail[task_id] = duration[task_id] + after
    return tail


def list_schedule(
    depends_on: Mapping[str, Sequence[str]],
    candidates: Mapping[str, Sequence[str]],
    duration: Callable[[str, str], float],
    *,
    availability: Mapping[str, Availability] | None = None,
    release: Mapping[str, float] | None = None,
    pinned: Mapping[str, Slot] | None = None,
    rank: Mapping[str, float] | None = None,
) -> Schedule:
    """Schedule tasks, longest remaining chain first, each on its best candidate.

    `candidates` names who may do each task (one handle when the owner is fixed);
    a task goes to the candidate who would finish it first, in the earliest gap in
    their calendar. Every person works on one task at a time and a task starts
    only when its dependencies are finished.

    `duration(task, person)` is the work in person-days; `availability` (by
    handle, a full share of every day when absent) turns work into time.
    `release` gives a task's earliest start (for example today, in a re-forecast);
    `pinned` tasks keep their slot (work already done or started) and occupy their
    owner's time. `rank` (smaller first) replaces the longest-chain priority
    among the tasks whose dependencies are scheduled; ties go by input order.
    """
    available = availability or {}
    released = release or {}
    fixed = pinned or {}
    ids = list(depends_on)
    position = {task_id: index for index, task_id in enumerate(ids)}
    shortest = {t: min(duration(t, c) for c in candidates[t]) for t in ids}
    tail = (
        {t: -rank[t] for t in ids} if rank is not None else _tails(depends_on, shortest)
    )
    waiting = {t: len(set(depends_on[t])) for t in ids}
    dependants: dict[str, list[str]] = {t: [] for t in ids}
    for task_id in ids:
        for dep in set(depends_on[task_id]):
            dependants[dep].append(task_id)
    ready = [(-tail[t], position[t], t) for t in ids if waiting[t] == 0]
    heapq.heapify(ready)
    busy: dict[str, list[tuple[float, float]]] = {}
    load: dict[str, float] = {}
    for slot in fixed.values():
        bisect.insort(busy.setdefault(slot.owner, []), (slot.start, slot.finish))
        load[slot.owner] = load.get(slot.owner, 0.0) + slot.finish - slot.start
    slots: dict[str, Slot] = {}
    order: list[str] = []
    while ready:
        _, _, task_id = heapq.heappop(ready)
        if task_id in fixed:
            slots[task_id] = fixed[task_id]
        else:
            slots[task_id] = _place(
                task_id,
                candidates[task_id],
                max(
                    [released.get(task_id, 0.0)]
                    + [slots[d].finish for d in depends_on[task_id]]
                ),
                duration,
                available,
                busy,
                load,
            )
            person = slots[task_id].owner
            bisect.insort(
                busy.setdefault(person, []),
                (slots[task_id].start, slots[task_id].finish),
            )
            load[person] = (
                load.get(person, 0.0) + slots[task_id].finish - slots[task_id].start
            )
        order.append(task_id)
        for child in dependants[task_id]:
            waiting[child] -= 1
            if waiting[child] == 0:
                heapq.heappush(ready, (-tail[child], position[child], child))
    if len(order) != len(ids):
        raise ValueError("the dependency graph has a cycle")
    popped = {task_id: index for index, task_id in enumerate(order)}
    work_order = sorted(ids, key=lambda t: (slots[t].start, slots[t].finish, popped[t]))
    makespan = max((slot.finish for slot in slots.values()), default=0.0)
    path = _critical_path(slots, depends_on, work_order)
    return Schedule(slots, tuple(work_order), makespan, path)


def _place(
    task_id: str,
    people: Sequence[str],
    earliest: float,
    duration: Callable[[str, str], float],
    availability: Mapping[str, Availability],
    busy: Mapping[str, list[tuple[float, float]]],
    load: Mapping[str, float],
) -> Slot:
    """The slot of the candidate who finishes the task first (less loaded on ties)."""
    best: tuple[float, float, int, str, float] | None = None
    for rank, person in enumerate(people):
        start, finish = _first_gap(
            busy.get(person, []),
            earliest,
            duration(task_id, person),
            availability.get(person, STEADY),
        )
        key = (finish, load.get(person, 0.0), rank, person, start)
        if best is None or key[:3] < best[:3]:
            best = key
    assert best is not None  # every task has at least one candidate
    finish, _, _, person, start = best
    return Slot(task_id, person, start, finish)


def _first_gap(
    intervals: list[tuple[float, float]],
    earliest: float,
    work: float,
    availability: Availability,
) -> tuple[float, float]:
    """The earliest (start, finish) from `earliest` where `work` fits between busy
    times, on the days the person works."""
    start = availability.begin(earliest)
    finish = availability.finish(start, work)
    for busy_start, busy_finish in intervals:
        if busy_finish <= start + EPSILON:
            continue
        if busy_start >= finish - EPSILON:
            break
        start = availability.begin(max(start, busy_finish))
        finish = availability.finish(start, work)
    return start, finish


def _critical_path(
    slots: Mapping[str, Slot],
    depends_on: Mapping[str, Sequence[str]],
    work_order: Sequence[str],
) -> tuple[str, ...]:
    """The chain of tasks, each waiting for the one before, that ends last."""
    if not slots:
        return ()
    previous: dict[str, str] = {}
    last_of: dict[str, str] = {}
    for task_id in work_order:
        owner = slots[task_id].owner
        if owner in last_of:
            previous[task_id] = last_of[owner]
        last_of[owner] = task_id
    position = {task_id: index for index, task_id in enumerate(work_order)}
    end = min(slots, key=lambda t: (-slots[t].finish, position[t]))
    chain = [end]
    while slots[chain[-1]].start > EPSILON:
        current = slots[chain[-1]]
        before = list(depends_on[current.task_id])
        if current.task_id in previous:
            before.append(previous[current.task_id])
        touching = [t for t in before if abs(slots[t].finish - current.start) < 1e-6]
        if not touching:
            break
        chain.append(touching[0])
    return tuple(reversed(chain))


# When work started at a time is done, for one person: finish(start, work).
FinishFunction = Callable[[float, float], float]


@dataclass(frozen=True)
class SampledRisk:
    """A risk the forecast samples: in a run it happens with `probability`, then
    delays the finish of `delays` (task ids; the end when empty) by working days
    drawn from `impact` (optimistic, likely, pessimistic)."""

    probability: float
    impact: tuple[float, float, float]
    delays: tuple[str, ...] = ()


@dataclass(frozen=True)
class Replays:
    """What the Monte Carlo replays found.

    `makespans` include the sampled risks, `unrisked` are the same runs without
    them; `criticality` is, per task, the share of runs in which the task was on
    the chain that set the finish.
    """

    makespans: list[float]
    unrisked: list[float]
    criticality: dict[str, float]


def _triangular(u: float, low: float, mode: float, high: float) -> float:
    """The triangular distribution's value at probability `u` (inverse CDF)."""
    span = high - low
    if u < (mode - low) / span:
        return low + math.sqrt(u * span * (mode - low))
    return high - math.sqrt((1 - u) * span * (high - mode))


def simulate(
    schedule: Schedule,
    depends_on: Mapping[str, Sequence[str]],
    work: Mapping[str, tuple[float, float, float]],
    finish: Mapping[str, FinishFunction],
    runs: int,
    seed: int,
    *,
    release: Mapping[str, float] | None = None,
    fixed: Sequence[str] = (),
    risks: Sequence[SampledRisk] = (),
) -> Replays:
    """`runs` replays of the schedule with each task's work drawn at random.

    Each person keeps the order of the schedule. A task's work (person-days) is
    drawn from the triangular distribution over its (optimistic, likely,
    pessimistic) range by inverse CDF, so only rng.random() is used and the numbers
    are the same on every Python version; the owner's `finish` function turns it
    into time. A task starts when its dependencies and its owner's previous task
    are finished, not before its `release`; `fixed` tasks (work already done) keep
    their slot in the schedule. Risks are drawn from a stream of their own, so a
    risk that never happens changes nothing. The same seed gives the same numbers.
    """
    order = list(schedule.order)
    index = {task_id: i for i, task_id in enumerate(order)}
    last_of: dict[str, int] = {}
    before: list[list[int]] = []
    for i, task_id in enumerate(order):
        owner = schedule.slots[task_id].owner
        preds = sorted({index[d] for d in depends_on[task_id]})
        if owner in last_of:
            preds.append(last_of[owner])
        last_of[owner] = i
        before.append(preds)
    count = len(order)
    kept = {index[t] for t in fixed}
    done_at = [schedule.slots[t].finish if index[t] in kept else 0.0 for t in order]
    earliest = [(release or {}).get(t, 0.0) for t in order]
    turn = [finish[schedule.slots[t].owner] for t in order]
    bounds = [work[t] for t in order]
    drawn = [
        i
        for i in range(count)
        if i not in kept and bounds[i][2] - bounds[i][0] >= EPSILON
    ]
    hit_lists = [[index[t] for t in r.delays] for r in risks]

    def replay(
        lengths: list[float], delay: list[float]
    ) -> tuple[list[float], list[int]]:
        ends = done_at[:]
        driver = [-1] * count
        for i in range(count):
            if i in kept:
                continue
            start, by = earliest[i], -1
            for p in before[i]:
                if ends[p] > start:
                    start, by = ends[p], p
            ends[i] = turn[i](start, lengths[i]) + delay[i]
            driver[i] = by
        return ends, driver

    rng = random.Random(seed)
    risk_rng = random.Random(seed + 1)
    draw, risk_draw = rng.random, risk_rng.random
    on_path = [0] * count
    makespans: list[float] = []
    unrisked: list[float] = []
    no_delay = [0.0] * count
    for _ in range(runs):
        lengths = [b[1] for b in bounds]
        for i in drawn:
            low, mode, high = bounds[i]
            lengths[i] = _triangular(draw(), low, mode, high)
        ends, driver = replay(lengths, no_delay)
        unrisked.append(max(ends, default=0.0))
        delay, at_end, happened = no_delay, 0.0, False
        for r, hits in zip(risks, hit_lists, strict=True):
            happens = risk_draw() < r.probability
            low, mode, high = r.impact
            u = risk_draw()
            if not happens:
                continue
            impact = mode if high - low < EPSILON else _triangular(u, low, mode, high)
            if not happened:
                delay, happened = [0.0] * count, True
            if hits:
                for i in hits:
                    delay[i] += impact
            else:
                at_end += impact
        if happened:
            ends, driver = replay(lengths, delay)
        last = max(range(count), key=ends.__getitem__, default=-1)
        makespans.append((ends[last] if last >= 0 else 0.0) + at_end)
        while last >= 0:
            on_path[last] += 1
            last = driver[last]
    share = 1 / runs if runs else 0.0
    criticality = {t: on_path[i] * share for i, t in enumerate(order)}
    return Replays(makespans, unrisked, criticality)


def simulate_makespans(
    schedule: Schedule,
    depends_on: Mapping[str, Sequence[str]],
    ranges: Mapping[str, tuple[float, float, float]],
    runs: int,
    seed: int,
) -> list[float]:
    """Makespans of `runs` replays with durations (time, not work) drawn at random.

    Each person keeps the order of the schedule; see `simulate`, of which this is
    the case of people who give every day in full.
    """
    steady = dict.fromkeys(
        {slot.owner for slot in schedule.slots.values()}, STEADY.finish
    )
    return simulate(schedule, depends_on, ranges, steady, runs, seed).makespans


def percentile(values: Sequence[float], share: float) -> float:
    """The smallest value at or above the given share of sorted values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
