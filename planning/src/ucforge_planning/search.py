"""A bounded, deterministic search for a shorter schedule than one list pass.

The single pass of `schedule.list_schedule` (longest remaining chain first, each
task on the candidate who finishes it first) is where `improve` starts; it keeps
the shortest of:

- seeds: schedules given by the caller, their owners and sequences timed on this
  input (a schedule timed so never ends later when work shrinks or shares grow);
- forward-backward improvement: the tasks scheduled backwards from the end in the
  order they finish, then forwards in the order the backward pass starts them;
- priority orders: the longest chain or the busiest follower's work, whichever is
  larger, and that priority perturbed by a seeded random factor
  (`random.Random(seed)` gives the same numbers on every Python);
- the busiest member's tasks, when others may take them, given to the others;
- a local search on owners and sequences: a task on the critical chain moved
  earlier (with what it depends on) or later among its owner's tasks, or given
  to another candidate, each move timed again from where it changes things;
  descents from the best and from random kicks of it, within a fixed number of
  moves.

Every candidate is a complete feasible schedule; the winner is the shortest,
ties going to the earlier candidate, so the same input gives the same schedule.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

from .availability import Availability
from .graph import topological_order
from .schedule import (
    EPSILON,
    Schedule,
    Slot,
    _critical_path,
    _tails,
    list_schedule,
)

T = TypeVar("T")

# Passes of each kind: bounded so that a 100-task plan stays within ~50 ms.
STARTS = 1
BACKWARD_FORWARD_ROUNDS = 1
OWNER_MOVES = 12
NOISE = 0.3
LOCAL_EVALUATIONS = 800
# Task-evaluations of the local search: fewer moves for a larger plan.
LOCAL_WORK = 50_000
KICK_MOVES = 3
# A kicked schedule this much longer than the best is still walked from.
ACCEPT = 0.01
# Kicks in a row that find nothing shorter before the search stops.
STALE_KICKS = 12


def improve(
    depends_on: Mapping[str, Sequence[str]],
    candidates: Mapping[str, Sequence[str]],
    duration: Callable[[str, str], float],
    *,
    availability: Mapping[str, Availability] | None = None,
    release: Mapping[str, float] | None = None,
    pinned: Mapping[str, Slot] | None = None,
    seed: int = 0,
    starts: int = STARTS,
    evaluations: int = LOCAL_EVALUATIONS,
    seeds: Sequence[Schedule] = (),
) -> Schedule:
    """The shortest of a bounded set of schedules, the single pass among them.

    Same arguments as `list_schedule`. `seeds` are schedules of the same tasks
    whose owners and sequences are timed on this input and kept if shorter:
    timed so, a schedule found with less capacity never ends later with more.
    `starts` perturbed priority orders and `evaluations` local moves bound the
    work; `seed` fixes the random choices.
    """
    search = _Search(depends_on, candidates, duration, availability, release, pinned)
    sequences = _Sequences(search)
    best = search.first
    for schedule in seeds:
        replayed = sequences.replay(schedule)
        if replayed is not None:
            best = search.better(best, replayed)
    best = search.backward_forward(best)
    tail = _tails(depends_on, search.shortest)
    loaded = search.load_tails()
    bound = {t: max(tail[t], loaded[t]) for t in search.ids}
    best = search.better(
        best, search.backward_forward(search.forward(_negated(bound), candidates))
    )
    rng = random.Random(seed)
    for _ in range(starts):
        rank = {t: -bound[t] * (1.0 + NOISE * rng.random()) for t in search.ids}
        found = search.backward_forward(search.forward(rank, candidates))
        best = search.better(best, found)
    if any(len(candidates[t]) > 1 for t in search.ids):
        best = search.better(best, search.unload_busiest(best))
    budget = min(evaluations, max(20, LOCAL_WORK // max(1, len(search.ids))))
    return sequences.iterate(best, random.Random(seed + 1), budget)


class _Search:
    """One problem and the passes over it."""

    def __init__(
        self,
        depends_on: Mapping[str, Sequence[str]],
        candidates: Mapping[str, Sequence[str]],
        duration: Callable[[str, str], float],
        availability: Mapping[str, Availability] | None,
        release: Mapping[str, float] | None,
        pinned: Mapping[str, Slot] | None,
    ) -> None:
        self.depends_on, self.candidates = depends_on, candidates
        self.availability = availability or {}
        self.release, self.pinned = release or {}, pinned or {}
        self.ids = list(depends_on)
        self.index = {t: i for i, t in enumerate(self.ids)}
        cache: dict[tuple[str, str], float] = {}

        def work(task_id: str, person: str) -> float:
            key = (task_id, person)
            if key not in cache:
                cache[key] = duration(task_id, person)
            return cache[key]

        self.duration = work
        self.shortest = {t: min(work(t, c) for c in candidates[t]) for t in self.ids}
        dependants: dict[str, list[str]] = {t: [] for t in self.ids}
        for task_id in self.ids:
            for dep in dict.fromkeys(depends_on[task_id]):
                dependants[dep].append(task_id)
        self.dependants = {t: tuple(v) for t, v in dependants.items()}
        self.unique_deps = {t: tuple(dict.fromkeys(depends_on[t])) for t in self.ids}
        # Each task and all that follow it, as bits by input position.
        self.below: dict[str, int] = {}
        for task_id in reversed(topological_order(depends_on)):
            mask = 1 << self.index[task_id]
            for child in self.dependants[task_id]:
                mask |= self.below[child]
            self.below[task_id] = mask
        self.first = self.forward(None, candidates)

    def load_tails(self) -> dict[str, float]:
        """For each task, its work and the most one person has in what follows.

        Work open to several candidates counts shared among them. A task whose
        followers keep one person busy for long must start early, even when no
        single chain after it is long.
        """
        bits = self.below
        shares: dict[str, list[tuple[int, float]]] = {}
        for task_id in self.ids:
            people = self.candidates[task_id]
            for person in people:
                shares.setdefault(person, []).append(
                    (self.index[task_id], self.duration(task_id, person) / len(people))
                )
        loaded = {}
        for task_id in self.ids:
            mask = bits[task_id] & ~(1 << self.index[task_id])
            loaded[task_id] = self.shortest[task_id] + max(
                sum(work for i, work in items if mask >> i & 1)
                for items in shares.values()
            )
        return loaded

    def forward(
        self, rank: Mapping[str, float] | None, candidates: Mapping[str, Sequence[str]]
    ) -> Schedule:
        """One list pass in this priority, on these candidates."""
        return list_schedule(
            self.depends_on,
            candidates,
            self.duration,
            availability=self.availability,
            release=self.release,
            pinned=self.pinned,
            rank=rank,
        )

    @staticmethod
    def better(best: Schedule, other: Schedule) -> Schedule:
        """The other schedule when it ends earlier, else the best so far."""
        return other if other.makespan < best.makespan - EPSILON else best

    def fixed(self, schedule: Schedule) -> dict[str, list[str]]:
        """Each task on its owner in the schedule."""
        return {t: [schedule.slots[t].owner] for t in self.ids}

    def in_order(self, order: Sequence[str]) -> dict[str, float]:
        """A rank that takes the tasks in this order."""
        return {t: float(i) for i, t in enumerate(order)}

    def backward(self, schedule: Schedule) -> list[str]:
        """The order the tasks start in when scheduled backwards from the end.

        The reversed problem (each task after its dependants, on its owner, at a
        steady share of each day) takes the tasks latest-finishing first.
        """
        owners = {t: schedule.slots[t].owner for t in self.ids}
        reverse = list_schedule(
            self.dependants,
            {t: [owners[t]] for t in self.ids},
            self.duration,
            availability={
                p: Availability(a.share) for p, a in self.availability.items()
            },
            rank={t: -schedule.slots[t].finish for t in self.ids},
        )
        return sorted(
            self.ids,
            key=lambda t: (-reverse.slots[t].finish, -reverse.slots[t].start),
        )

    def backward_forward(self, schedule: Schedule) -> Schedule:
        """Forward-backward improvement from the schedule while it helps."""
        best = schedule
        for _ in range(BACKWARD_FORWARD_ROUNDS):
            rank = self.in_order(self.backward(best))
            found = self.forward(rank, self.fixed(best))
            if any(len(self.candidates[t]) > 1 for t in self.ids):
                found = self.better(found, self.forward(rank, self.candidates))
            if found.makespan >= best.makespan - EPSILON:
                break
            best = found
        return best

    def unload_busiest(self, schedule: Schedule) -> Schedule:
        """The busiest member's tasks that others may do, free to move."""
        load: dict[str, float] = {}
        for slot in schedule.slots.values():
            load[slot.owner] = load.get(slot.owner, 0.0) + slot.finish - slot.start
        if not load:
            return schedule
        busiest = min(load, key=lambda p: (-load[p], p))
        owners = self.fixed(schedule)
        for task_id in self.ids:
            if schedule.slots[task_id].owner == busiest:
                owners[task_id] = [c for c in self.candidates[task_id] if c != busiest]
                owners[task_id] = owners[task_id] or [busiest]
        found = self.forward(self.in_order(schedule.order), owners)
        return self.better(schedule, found)


# ---------------------------------------------------------------------------
# Local search on owners and sequences, timed semi-actively
# ---------------------------------------------------------------------------


class _Sequences:
    """Who does each task and in which order; timed as early as everything allows.

    A fixed set of owners and sequences, each task started when its dependencies
    and the task before it on its owner are done, can only finish earlier when
    work shrinks or shares grow: the timing of a sequence is monotone.
    """

    def __init__(self, search: _Search) -> None:
        self.s = search
        self.pinned_by_person: dict[str, list[Slot]] = {}
        for slot in search.pinned.values():
            self.pinned_by_person.setdefault(slot.owner, []).append(slot)
        # The share of those whose every day is the same (a full day if not listed).
        people = {p for c in search.candidates.values() for p in c}
        self.steady = {
            p: search.availability[p].share if p in search.availability else 1.0
            for p in people
            if p not in search.availability or search.availability[p].steady
        }

    def time(
        self, owner: Mapping[str, str], sequence: Mapping[str, Sequence[str]]
    ) -> tuple[dict[str, float], dict[str, float], dict[str, str]] | None:
        """Start, finish and what each task waited for last; None on a cycle."""
        s = self.s
        previous: dict[str, str] = {}
        following: dict[str, str] = {}
        for tasks in sequence.values():
            for before, after in itertools.pairwise(tasks):
                previous[after] = before
                following[before] = after
        deps, dependants, pinned = s.unique_deps, s.dependants, s.pinned
        waiting = {t: len(deps[t]) for t in s.ids}
        for after in previous:
            waiting[after] += 1
        ready = [t for t in s.ids if waiting[t] == 0]
        start: dict[str, float] = {}
        finish: dict[str, float] = {}
        cause: dict[str, str] = {}
        release, steady, duration = s.release, self.steady, s.duration
        clashes = self.pinned_by_person
        while ready:
            task_id = ready.pop()
            if task_id in pinned:
                slot = pinned[task_id]
                start[task_id], finish[task_id] = slot.start, slot.finish
            else:
                earliest = release.get(task_id, 0.0)
                why = ""
                for dep in deps[task_id]:
                    if finish[dep] > earliest:
                        earliest, why = finish[dep], dep
                prior = previous.get(task_id)
                if prior is not None and finish[prior] > earliest:
                    earliest, why = finish[prior], prior
                person = owner[task_id]
                share = steady.get(person)
                if share is not None:
                    begin = earliest
                    end = earliest + duration(task_id, person) / share
                else:
                    calendar = s.availability[person]
                    begin = calendar.begin(earliest)
                    end = calendar.finish(begin, duration(task_id, person))
                for slot in clashes.get(person, ()):
                    if slot.start < end - EPSILON and begin < slot.finish - EPSILON:
                        return None
                start[task_id], finish[task_id] = begin, end
                if why:
                    cause[task_id] = why
            for child in dependants[task_id]:
                waiting[child] -= 1
                if not waiting[child]:
                    ready.append(child)
            then = following.get(task_id)
            if then is not None:
                waiting[then] -= 1
                if not waiting[then]:
                    ready.append(then)
        if len(finish) != len(s.ids):
            return None
        return start, finish, cause

    def schedule(
        self, owner: Mapping[str, str], sequence: Mapping[str, Sequence[str]]
    ) -> Schedule | None:
        """The timed sequences as a schedule; None on a cycle or a clash."""
        timed = self.time(owner, sequence)
        if timed is None:
            return None
        start, finish, _ = timed
        ids = self.s.ids
        position = {t: i for i, t in enumerate(ids)}
        slots = {t: Slot(t, owner[t], start[t], finish[t]) for t in ids}
        order = tuple(sorted(ids, key=lambda t: (start[t], finish[t], position[t])))
        makespan = max(finish.values(), default=0.0)
        path = _critical_path(slots, self.s.depends_on, order)
        return Schedule(slots, order, makespan, path)

    def lower_bound(self) -> float:
        """No schedule ends before this (0 when days differ and it is unknown):
        the longest chain, and the work of the busiest person who alone can do
        their tasks, each at their steady share."""
        s = self.s
        people = {p for c in s.candidates.values() for p in c}
        if set(self.steady) != people or s.release or s.pinned:
            return 0.0
        chain = _tails(
            s.depends_on,
            {
                t: min(s.duration(t, p) / self.steady[p] for p in s.candidates[t])
                for t in s.ids
            },
        )
        load: dict[str, float] = {}
        for t in s.ids:
            if len(s.candidates[t]) == 1:
                p = s.candidates[t][0]
                load[p] = load.get(p, 0.0) + s.duration(t, p) / self.steady[p]
        return max([*chain.values(), *load.values()], default=0.0)

    def replay(self, schedule: Schedule) -> Schedule | None:
        """The schedule's owners and sequences timed on this input, if they fit."""
        s = self.s
        if set(schedule.slots) != set(s.ids) or any(
            schedule.slots[t].owner not in s.candidates[t] for t in s.ids
        ):
            return None
        state = self.state(schedule)
        return None if state is None else self.schedule(state.owner, state.sequence)

    def retime(
        self,
        state: _State,
        owner: dict[str, str],
        sequence: dict[str, list[str]],
        changed: Sequence[str],
    ) -> _State | None:
        """The state after a move that changed these people's sequences.

        Only the tasks that follow a changed place (by dependency or sequence)
        are timed again; None when the move makes a cycle or a clash.
        """
        s = self.s
        previous = dict(state.previous)
        roots = []
        for person in changed:
            new, old = sequence.get(person, []), state.sequence.get(person, [])
            for task_id in new[:1]:
                previous.pop(task_id, None)
            for before, after in itertools.pairwise(new):
                previous[after] = before
            same = 0
            while same < len(new) and same < len(old) and new[same] == old[same]:
                same += 1
            roots.extend(new[same : same + 1])
        following = dict(state.following)
        for person in changed:
            for task_id in state.sequence.get(person, [])[-1:]:
                following.pop(task_id, None)
            for task_id in sequence.get(person, [])[-1:]:
                following.pop(task_id, None)
            for before, after in itertools.pairwise(sequence.get(person, [])):
                following[before] = after
        dependants, deps = s.dependants, s.unique_deps
        after_of = following.get

        affected = set(roots)
        stack = list(roots)
        while stack:
            task_id = stack.pop()
            nexts = list(dependants[task_id])
            then = after_of(task_id)
            if then is not None:
                nexts.append(then)
            for child in nexts:
                if child not in affected:
                    affected.add(child)
                    stack.append(child)
        old_start, old_finish, old_cause = state.timed
        start, finish, cause = dict(old_start), dict(old_finish), dict(old_cause)
        waiting = {}
        for task_id in affected:
            count = sum(1 for d in deps[task_id] if d in affected)
            prior = previous.get(task_id)
            waiting[task_id] = count + (prior is not None and prior in affected)
        ready = [t for t in affected if not waiting[t]]
        done = 0
        while ready:
            task_id = ready.pop()
            done += 1
            timed = self._time_one(task_id, owner, previous, finish)
            if timed is None:
                return None
            start[task_id], finish[task_id], why = timed
            if why:
                cause[task_id] = why
            else:
                cause.pop(task_id, None)
            nexts = list(dependants[task_id])
            then = after_of(task_id)
            if then is not None:
                nexts.append(then)
            for child in nexts:
                if child in waiting:
                    waiting[child] -= 1
                    if not waiting[child]:
                        ready.append(child)
        if done != len(affected):
            return None
        return _State(owner, sequence, (start, finish, cause), previous, following)

    def _time_one(
        self,
        task_id: str,
        owner: Mapping[str, str],
        previous: Mapping[str, str],
        finish: Mapping[str, float],
    ) -> tuple[float, float, str] | None:
        """A task's start, finish and what it waited for; None on a clash."""
        s = self.s
        if task_id in s.pinned:
            slot = s.pinned[task_id]
            return slot.start, slot.finish, ""
        earliest = s.release.get(task_id, 0.0)
        why = ""
        for dep in s.unique_deps[task_id]:
            if finish[dep] > earliest:
                earliest, why = finish[dep], dep
        prior = previous.get(task_id)
        if prior is not None and finish[prior] > earliest:
            earliest, why = finish[prior], prior
        person = owner[task_id]
        share = self.steady.get(person)
        if share is not None:
            begin, end = earliest, earliest + s.duration(task_id, person) / share
        else:
            calendar = s.availability[person]
            begin = calendar.begin(earliest)
            end = calendar.finish(begin, s.duration(task_id, person))
        for slot in self.pinned_by_person.get(person, ()):
            if slot.start < end - EPSILON and begin < slot.finish - EPSILON:
                return None
        return begin, end, why

    def state(self, schedule: Schedule) -> _State | None:
        """The schedule's owners and sequences, timed; None if they do not fit."""
        owner = {t: schedule.slots[t].owner for t in self.s.ids}
        sequence: dict[str, list[str]] = {}
        for task_id in schedule.order:
            sequence.setdefault(owner[task_id], []).append(task_id)
        timed = self.time(owner, sequence)
        if timed is None:
            return None
        previous = {
            after: before
            for tasks in sequence.values()
            for before, after in itertools.pairwise(tasks)
        }
        following = {before: after for after, before in previous.items()}
        return _State(owner, sequence, timed, previous, following)

    def descend(self, state: _State, budget: int) -> tuple[_State, int]:
        """First-improvement descent over moves on the critical chain.

        Moves: a critical task earlier or later among its owner's tasks, or given
        to another candidate (placed by start time among their tasks). Returns
        the local optimum and the evaluations spent.
        """
        evaluations = 0
        improved = True
        resume = 0
        while improved and evaluations < budget:
            improved = False
            for owner, sequence, changed, position in self._moves(state, first=resume):
                evaluations += 1
                resume = position
                candidate = self.retime(state, owner, sequence, changed)
                if (
                    candidate is not None
                    and candidate.makespan < state.makespan - EPSILON
                ):
                    state, improved = candidate, True
                    break
                if evaluations >= budget:
                    break
        return state, evaluations

    def kick(self, state: _State, rng: random.Random) -> _State:
        """The state after a few random moves that keep it feasible."""
        for step in range(KICK_MOVES):
            moves = list(self._moves(state, everywhere=rng if step % 2 else None))
            _shuffle(moves, rng)
            for owner, sequence, changed, _ in moves[:4]:
                found = self.retime(state, owner, sequence, changed)
                if found is not None:
                    state = found
                    break
        return state

    def iterate(
        self, schedule: Schedule, rng: random.Random, budget: int = LOCAL_EVALUATIONS
    ) -> Schedule:
        """Descents from the schedule and from random kicks of the best found."""
        start = self.state(schedule)
        if start is None or start.makespan > schedule.makespan + EPSILON:
            return schedule
        best, spent = self.descend(start, budget)
        current = best
        stale = 0
        bound = self.lower_bound()
        while (
            spent < budget and stale < STALE_KICKS and best.makespan > bound + EPSILON
        ):
            found, used = self.descend(self.kick(current, rng), budget - spent)
            spent += used + KICK_MOVES
            stale += 1
            if found.makespan < best.makespan - EPSILON:
                best, current, stale = found, found, 0
            elif found.makespan <= best.makespan * (1 + ACCEPT) + EPSILON:
                current = found
            else:
                current = best
        result = self.schedule(best.owner, best.sequence)
        if result is None or result.makespan > schedule.makespan - EPSILON:
            return schedule
        return result

    def _earlier(self, tasks: list[str], index: int, place: int) -> list[str]:
        """The task at `index` moved to `place`; moved earlier, it takes along the
        tasks in between that it depends on (in their order)."""
        task_id = tasks[index]
        if place > index:
            moved = [t for t in tasks if t != task_id]
            moved.insert(place, task_id)
            return moved
        bit = 1 << self.s.index[task_id]
        between = tasks[place:index]
        before = [t for t in between if self.s.below[t] & bit]
        after = [t for t in between if not self.s.below[t] & bit]
        return [*tasks[:place], *before, task_id, *after, *tasks[index + 1 :]]

    def _moves(
        self, state: _State, everywhere: random.Random | None = None, first: int = 0
    ) -> Iterator[tuple[dict[str, str], dict[str, list[str]], tuple[str, ...], int]]:
        """Neighbours of the sequences along the critical chain, with the people
        whose sequence changed and the place in the chain of the task moved.

        The chain is taken from its last task back, starting at place `first`
        (round to the start again), so a descent resumes where it found its last
        step rather than trying again the moves that just failed.

        With `everywhere` (a random source), the moves of a few random tasks.
        """
        s = self.s
        owner, sequence = state.owner, state.sequence
        start, finish, cause = state.timed
        if everywhere is not None:
            chain = _shuffle(list(s.ids), everywhere)[:3]
        else:
            end = min(s.ids, key=lambda t: (-finish[t], start[t], t))
            chain = [end]
            while chain[-1] in cause and len(chain) <= len(s.ids):
                chain.append(cause[chain[-1]])
        first %= len(chain)
        for position in [*range(first, len(chain)), *range(first)]:
            task_id = chain[position]
            if task_id in s.pinned:
                continue
            person = owner[task_id]
            tasks = sequence[person]
            index = tasks.index(task_id)
            places = [index + 1, *range(index - 1, -1, -1)]
            for place in places if everywhere is None else places[:4]:
                if 0 <= place < len(tasks) and not (
                    s.pinned
                    and s.pinned.keys()
                    & set(tasks[min(place, index) : max(place, index) + 1])
                ):
                    yield (
                        owner,
                        {**sequence, person: self._earlier(tasks, index, place)},
                        (person,),
                        position,
                    )
            for other in s.candidates[task_id]:
                if other == person:
                    continue
                theirs = sequence.get(other, [])
                at = sum(1 for t in theirs if start[t] < start[task_id])
                for place in dict.fromkeys((at, max(at - 1, 0))):
                    new_owner = dict(owner)
                    new_owner[task_id] = other
                    yield (
                        new_owner,
                        {
                            **sequence,
                            person: [t for t in tasks if t != task_id],
                            other: [*theirs[:place], task_id, *theirs[place:]],
                        },
                        (person, other),
                        position,
                    )


@dataclass(frozen=True)
class _State:
    """Owners and sequences with their timing and makespan."""

    owner: dict[str, str]
    sequence: dict[str, list[str]]
    timed: tuple[dict[str, float], dict[str, float], dict[str, str]]
    previous: dict[str, str]  # the task before each on its owner
    following: dict[str, str]  # the task after each on its owner

    @property
    def makespan(self) -> float:
        return max(self.timed[1].values(), default=0.0)


def _shuffle(items: list[T], rng: random.Random) -> list[T]:
    """The items shuffled in place (and returned) with rng.random() alone, whose
    numbers, unlike shuffle's and sample's, no Python version has changed."""
    for i in range(len(items) - 1, 0, -1):
        j = int(rng.random() * (i + 1))
        items[i], items[j] = items[j], items[i]
    return items


def _negated(values: Mapping[str, float]) -> dict[str, float]:
    """A rank that takes the largest values first."""
    return {key: -value for key, value in values.items()}
