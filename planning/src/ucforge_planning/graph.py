"""The task dependency graph: unknown ids, cycles, order and longest paths."""

from __future__ import annotations

import heapq
from collections.abc import Mapping, Sequence


def unknown_dependencies(depends_on: Mapping[str, Sequence[str]]) -> list[str]:
    """One message per dependency on a task id that does not exist."""
    problems = []
    for task_id, deps in depends_on.items():
        for dep in deps:
            if dep not in depends_on:
                problems.append(
                    f"task {task_id} depends on {dep}, "
                    "which is not a task id in the plan"
                )
            elif dep == task_id:
                problems.append(f"task {task_id} depends on itself")
    return problems


def find_cycles(depends_on: Mapping[str, Sequence[str]]) -> list[list[str]]:
    """Dependency cycles, each as the list of task ids around it (first repeated)."""
    white, grey, black = 0, 1, 2
    colour = dict.fromkeys(depends_on, white)
    cycles: list[list[str]] = []
    for root in depends_on:
        if colour[root] != white:
            continue
        path: list[str] = [root]
        stack = [iter(depends_on[root])]
        colour[root] = grey
        while stack:
            dep = next(stack[-1], None)
            if dep is None:
                colour[path.pop()] = black
                stack.pop()
                continue
            if dep not in colour or dep == path[-1]:
                continue  # unknown ids and self-dependencies are reported apart
            if colour[dep] == grey:
                cycles.append([*path[path.index(dep) :], dep])
                continue
            if colour[dep] == white:
                colour[dep] = grey
                path.append(dep)
                stack.append(iter(depends_on[dep]))
    return cycles


def describe_cycle(cycle: Sequence[str]) -> str:
    """'DP-01 -> DP-02 -> DP-01' read as 'depends on'."""
    return " -> ".join(cycle)


def topological_order(depends_on: Mapping[str, Sequence[str]]) -> list[str]:
    """Task ids with every task after its dependencies, ties in the given order."""
    remaining = {task_id: len(set(deps)) for task_id, deps in depends_on.items()}
    position = {task_id: index for index, task_id in enumerate(depends_on)}
    dependants: dict[str, list[str]] = {task_id: [] for task_id in depends_on}
    for task_id, deps in depends_on.items():
        for dep in set(deps):
            dependants[dep].append(task_id)
    ids = list(depends_on)
    ready = [index for index, task_id in enumerate(ids) if remaining[task_id] == 0]
    heapq.heapify(ready)
    order: list[str] = []
    while ready:
        task_id = ids[heapq.heappop(ready)]
        order.append(task_id)
        for child in dependants[task_id]:
            remaining[child] -= 1
            if remaining[child] == 0:
                heapq.heappush(ready, position[child])
    if len(order) != len(depends_on):
        raise ValueError("the dependency graph has a cycle")
    return order


def longest_path(
    depends_on: Mapping[str, Sequence[str]], duration: Mapping[str, float]
) -> tuple[float, list[str]]:
    """Length and task ids of the longest dependency chain (the critical path)."""
    finish: dict[str, float] = {}
    via: dict[str, str | None] = {}
    for task_id in topological_order(depends_on):
        best, best_dep = 0.0, None
        for dep in depends_on[task_id]:
            if finish[dep] > best:
                best, best_dep = finish[dep], dep
        finish[task_id] = best + duration[task_id]
        via[task_id] = best_dep
    if not finish:
        return 0.0, []
    end = max(finish, key=lambda t: finish[t])
    chain = [end]
    while (previous := via[chain[-1]]) is not None:
        chain.append(previous)
    return finish[end], chain[::-1]
