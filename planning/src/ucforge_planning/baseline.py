"""The plan's baseline: a snapshot of the forecast that progress is measured against.

plan/baseline.yaml holds, for the day it was taken, each task's planned start and
finish and its likely effort, and the forecast finish, P50 and P80. `plan status`
compares the forecast of today with it; no I/O here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from .analysis import Analysis
from .errors import PlanError
from .model import Plan
from .tasks_file import Day, Days, whole

BASELINE_FORMAT = 1


@dataclass(frozen=True)
class PlannedTask:
    """A task as the baseline planned it: first and last working day, effort."""

    start: dt.date
    finish: dt.date
    effort: float


@dataclass(frozen=True)
class Baseline:
    """The forecast on the day the baseline was taken."""

    taken: dt.date
    finish: dt.date
    p50: dt.date
    p80: dt.date
    tasks: dict[str, PlannedTask]

    @property
    def scope(self) -> float:
        """The likely effort of every task in the baseline, in person-days."""
        return sum(t.effort for t in self.tasks.values())


def baseline_of(plan: Plan, analysis: Analysis, taken: dt.date) -> Baseline:
    """The baseline of a plan's forecast, taken on `taken`."""
    tasks = {}
    for t in plan.tasks:
        start, finish = analysis.task_dates(t.id)
        tasks[t.id] = PlannedTask(start, finish, t.estimate.likely)
    return Baseline(taken, analysis.finish, analysis.p50, analysis.p80, tasks)


def _number(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


class _Dumper(yaml.SafeDumper):
    """Safe dumper that writes a date each time rather than an alias to it."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump_baseline(baseline: Baseline, use_case_id: str) -> str:
    """plan/baseline.yaml text: a comment on what it is, then the snapshot."""
    header = (
        f"# Baseline of the implementation plan of {use_case_id}, taken on "
        f"{baseline.taken}.\n"
        "# `plan status` measures progress against it. Do not edit it by hand: when\n"
        "# the plan is agreed anew, take a new one with `make plan-baseline FORCE=1`.\n"
    )
    data = {
        "format": BASELINE_FORMAT,
        "taken": baseline.taken,
        "forecast": {
            "finish": baseline.finish,
            "p50": baseline.p50,
            "p80": baseline.p80,
        },
        "tasks": {
            task_id: {"start": t.start, "finish": t.finish, "effort": _number(t.effort)}
            for task_id, t in baseline.tasks.items()
        },
    }
    body = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=88,
        default_flow_style=None,
    )
    return header + body


class _Entry(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Forecast(_Entry):
    finish: Day
    p50: Day
    p80: Day


class _Task(_Entry):
    start: Day
    finish: Day
    effort: Days


class _File(_Entry):
    format: Annotated[int, whole(BASELINE_FORMAT, BASELINE_FORMAT)]
    taken: Day
    forecast: _Forecast
    tasks: dict[str, _Task]


def _problem(error: Any) -> str:
    """One validation error of the baseline file in the engine's words."""
    loc = [str(part) for part in error["loc"]]
    where = ".".join(loc) or "top level"
    if error["type"] == "extra_forbidden":
        return f"{'.'.join(loc[:-1]) or 'top level'}: unknown key {loc[-1]!r}"
    if error["type"] == "missing":
        return f"{where} is missing"
    rules = {
        "taken": "must be a date written YYYY-MM-DD",
        "finish": "must be a date written YYYY-MM-DD",
        "p50": "must be a date written YYYY-MM-DD",
        "p80": "must be a date written YYYY-MM-DD",
        "start": "must be a date written YYYY-MM-DD",
        "effort": "must be a number from 0 to 1000",
        "format": f"must be {BASELINE_FORMAT}",
    }
    rule = rules.get(loc[-1]) if loc else None
    return f"{where} {rule or error['msg'].lower()}; got {error['input']!r}"


def read_baseline(text: str, source: str) -> Baseline:
    """The baseline in the text; PlanError naming every problem otherwise."""
    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError) as error:
        raise PlanError(f"{source} is not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise PlanError(f"{source} must be a YAML mapping with taken and tasks")
    try:
        file = _File.model_validate(data)
    except ValidationError as error:
        problems = [_problem(e) for e in error.errors()]
        listed = "\n".join(f"  - {p}" for p in problems)
        raise PlanError(
            f"{source} has {len(problems)} problem(s):\n{listed}\nTake a new "
            "baseline with `make plan-baseline FORCE=1` if it cannot be repaired.",
            problems,
        ) from error
    return Baseline(
        taken=file.taken,
        finish=file.forecast.finish,
        p50=file.forecast.p50,
        p80=file.forecast.p80,
        tasks={
            task_id: PlannedTask(t.start, t.finish, t.effort)
            for task_id, t in file.tasks.items()
        },
    )
