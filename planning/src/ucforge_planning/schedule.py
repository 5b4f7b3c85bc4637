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


def simulate_makespans(
    schedule: Schedule,
    depends_on: Mapping[str, Sequence[str]],
    ranges: Mapping[str, tuple[float, float, float]],
    runs: int,
    seed: int,
) -> list[float]:
    """Makespans of `runs` replays of the schedule with durations drawn at random.

    Each person keeps the order of the schedule; each task's duration is drawn
    from the triangular distribution over its (optimistic, likely, pessimistic)
    range (by inverse CDF, so only rng.random() is used and the numbers are the
    same on every Python version). The same seed gives the same makespans.
    """
    order = list(schedule.order)
    index = {task_id: i for i, task_id in enumerate(order)}
    last_of: dict[str, int] = {}
    before: list[list[int]] = []
    for i, task_id in enumerate(order):
        owner = schedule.slots[task_id].owner
        preds = [index[d] for d in set(depends_on[task_id])]
        if owner in last_of:
            preds.append(last_of[owner])
        last_of[owner] = i
        before.append(preds)
    bounds = [ranges[task_id] for task_id in order]
    rng = random.Random(seed)
    sqrt = math.sqrt
    draw = rng.random
    makespans: list[float] = []
    for _ in range(runs):
        finish = [0.0] * len(order)
        for i, preds in enumerate(before):
            low, mode, high = bounds[i]
            if high - low < EPSILON:
                length = mode
            else:
                u = draw()
                span = high - low
                if u < (mode - low) / span:
                    length = low + sqrt(u * span * (mode - low))
                else:
                    length = high - sqrt((1 - u) * span * (high - mode))
            start = max([finish[p] for p in preds], default=0.0)
            finish[i] = start + length
        makespans.append(max(finish, default=0.0))
    return makespans


def percentile(values: Sequence[float], share: float) -> float:
    """The smallest value at or above the given share of sorted values."""
    ordered = sorted(values)
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]
