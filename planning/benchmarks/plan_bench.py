"""How long the implementation plan takes to compute and render.

Run: python planning/benchmarks/plan_bench.py   (prints one line per case)

Cases: the default answers (what every `copier copy --defaults` computes), a
500-task plan made of copies of the catalogue's tasks on a ten-person team, and the
default plan re-forecast three weeks in (done and started tasks, a sampled risk).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import importlib
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
# The engine loader and the default answers are shared with the engine's tests.
sys.path.insert(0, str(ROOT / "tests"))
from planning_support import DEFAULT_ANSWERS, load_engine  # noqa: E402


def best_of(repeat: int, action: Callable[[], Any]) -> tuple[float, Any]:
    """Fastest wall time of `repeat` runs, and the last result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        result = action()
        best = min(best, time.perf_counter() - start)
    return best, result


def large_plan(plan: Any, size: int) -> Any:
    """A plan of `size` tasks: copies of the catalogue, each copy after the last."""
    roles = ["ml_engineer", "data_engineer", "data_scientist", "mlops_engineer"]
    extra = tuple(
        dataclasses.replace(
            plan.team[0],
            name=f"Member {i}",
            handle=f"member-{i}",
            email=f"member{i}@example.com",
            role=roles[i % 4],
        )
        for i in range(10 - len(plan.team))
    )
    team = plan.team + extra
    tasks = []
    copy = 0
    while len(tasks) < size:
        for task in plan.tasks:
            if len(tasks) == size:
                break
            deps = [f"{d}-C{copy}" for d in task.depends_on]
            if copy and not task.depends_on:
                deps.append(f"{task.id}-C{copy - 1}")
            same_role = [m for m in team if m.role == task.role] or list(team)
            owner = same_role[(copy + len(tasks)) % len(same_role)].handle
            tasks.append(
                dataclasses.replace(
                    task,
                    id=f"{task.id}-C{copy}",
                    owner=owner,
                    depends_on=tuple(deps),
                )
            )
        copy += 1
    known = {t.id for t in tasks}
    tasks = [
        dataclasses.replace(t, depends_on=tuple(d for d in t.depends_on if d in known))
        for t in tasks
    ]
    return dataclasses.replace(plan, team=team, tasks=tuple(tasks))


def main() -> int:
    engine = load_engine()

    document = importlib.import_module("ucforge_planning.document")
    analysis = importlib.import_module("ucforge_planning.analysis")
    render = importlib.import_module("ucforge_planning.render")

    total, _ = best_of(5, lambda: engine.generate_from_answers(DEFAULT_ANSWERS))
    plan = engine.build_plan(DEFAULT_ANSWERS)
    compute, result = best_of(5, lambda: analysis.analyse(plan))
    rendering, _ = best_of(5, lambda: render.render_markdown(plan, result))
    print(
        f"default answers: {len(plan.tasks)} tasks, {plan.forecast.runs} Monte Carlo "
        f"runs: compute {compute * 1000:.0f} ms, render {rendering * 1000:.0f} ms, "
        f"generate_from_answers end to end {total * 1000:.0f} ms"
    )

    big = large_plan(plan, 500)
    text = document.dump_plan(big)
    loading, big = best_of(3, lambda: document.load_plan(text))
    compute, result = best_of(3, lambda: analysis.analyse(big))
    rendering, markdown = best_of(3, lambda: render.render_markdown(big, result))
    print(
        f"500-task plan: {len(big.tasks)} tasks, {len(big.team)} members, "
        f"{big.forecast.runs} Monte Carlo runs: read and check tasks.yaml "
        f"{loading * 1000:.0f} ms, compute {compute * 1000:.0f} ms, render "
        f"{rendering * 1000:.0f} ms ({len(markdown) // 1024} KiB of Markdown)"
    )

    progressed = progressed_plan(plan)
    compute, result = best_of(5, lambda: analysis.analyse(progressed))
    done = sum(1 for t in progressed.tasks if t.status == "DONE")
    print(
        f"re-forecast: {done} of {len(progressed.tasks)} tasks done, one started, "
        f"one sampled risk, as of {result.status_date}: compute "
        f"{compute * 1000:.0f} ms"
    )
    return 0


def progressed_plan(plan: Any) -> Any:
    """The default plan three weeks in: the tasks planned done by then are done,
    one is started, and a risk with a probability delays the last task."""
    model = importlib.import_module("ucforge_planning.model")
    analysis = importlib.import_module("ucforge_planning.analysis")
    planned = analysis.analyse(plan)
    today = plan.calendar.start + dt.timedelta(days=21)
    tasks, started = [], False
    for task in plan.tasks:
        first, last = planned.task_dates(task.id)
        if last < today:
            task = dataclasses.replace(
                task, status="DONE", started=first, finished=last
            )
        elif first < today and not started:
            task = dataclasses.replace(task, status="IN_PROGRESS", started=first)
            started = True
        tasks.append(task)
    risk = model.Risk(
        "A supplier is late",
        "M",
        "M",
        "Chase them",
        probability=0.3,
        impact_days=model.Estimate(2, 5, 10),
        delays=(plan.tasks[-1].id,),
    )
    calendar = dataclasses.replace(plan.calendar, status_date=today)
    return dataclasses.replace(
        plan, tasks=tuple(tasks), risks=(*plan.risks, risk), calendar=calendar
    )


if __name__ == "__main__":
    raise SystemExit(main())
