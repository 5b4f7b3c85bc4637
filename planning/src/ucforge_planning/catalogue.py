"""The task catalogue: the data files' tasks whose conditions hold, as drafts.

The tasks themselves are data (catalogue_data/, read by catalogue_schema.py);
this module selects, fills and links them. Efforts are three-point estimates in
working days for a senior member of the task's role; generate.py scales them for
the member who gets the task.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache

from .catalogue_schema import (
    BRACED,
    Catalogue,
    Placed,
    TaskEntry,
    holding_links,
    load_catalogue,
)
from .facts import Facts, facts_from_answers, placeholder_values

__all__ = [
    "Draft",
    "Facts",
    "default_catalogue",
    "drafts",
    "facts_from_answers",
    "fill",
    "release_draft",
]


@dataclass(frozen=True)
class Draft:
    """A catalogue task before it gets an id, an owner and a scaled estimate."""

    key: str
    component: str
    category: str
    title: str
    role: str
    effort: tuple[float, float, float]
    acceptance: str
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    regime: str = ""
    # Who owns it when the team lacks its role, in order; whose tasks' owners
    # must not own it.
    fallback_roles: tuple[str, ...] = ()
    independent_of: tuple[str, ...] = ()
    # The tests that prove the acceptance criteria, for these answers.
    verified_by: tuple[str, ...] = ()


@cache
def default_catalogue() -> Catalogue:
    """The catalogue shipped with the engine, read and checked once."""
    return load_catalogue()


def fill(text: str, values: dict[str, str]) -> str:
    """The text with its {placeholders} filled; {task.key} references stay."""
    if "{" not in text:
        return text
    return BRACED.sub(lambda m: values.get(m[1], m[0]), text)


def _draft(placed: Placed[TaskEntry], f: Facts | None, values: dict[str, str]) -> Draft:
    """The task for these facts: its variant that holds, its placeholders filled."""
    task = placed.entry if f is None else placed.resolved(f)
    return Draft(
        task.key,
        placed.component,
        fill(task.category, values),
        fill(task.title, values),
        task.role,
        task.effort,
        fill(task.acceptance, values),
        task.after,
        task.before,
        placed.regime,
        task.fallback_roles,
        task.independent_of,
        holding_links(task.verified_by, f),
    )


def release_draft(
    keys: list[str], f: Facts | None = None, catalogue: Catalogue | None = None
) -> Draft:
    """The closing task: the release-readiness review after everything else."""
    tasks = (catalogue or default_catalogue()).tasks
    closing = next(p for p in tasks if p.entry.closes_the_plan)
    values = placeholder_values(f) if f is not None else {}
    return replace(_draft(closing, f, values), after=tuple(keys), before=())


def drafts(f: Facts, catalogue: Catalogue | None = None) -> list[Draft]:
    """Every task of the plan for these answers, in catalogue order.

    `before` becomes `after` on the task that waits; dependencies on tasks these
    answers leave out are dropped; the closing task follows every open end.
    """
    catalogue = catalogue or default_catalogue()
    values = placeholder_values(f)
    tasks = [
        _draft(placed, f, values)
        for placed in catalogue.tasks
        if not placed.entry.closes_the_plan and placed.applies(f)
    ]
    keys = {t.key for t in tasks}
    extra_after: dict[str, list[str]] = {}
    for task in tasks:
        for blocked in task.before:
            if blocked in keys:
                extra_after.setdefault(blocked, []).append(task.key)
    resolved = [
        replace(
            task,
            after=tuple(
                dict.fromkeys(
                    [k for k in task.after if k in keys] + extra_after.get(task.key, [])
                )
            ),
            before=(),
            independent_of=tuple(k for k in task.independent_of if k in keys),
        )
        for task in tasks
    ]
    depended_on = {k for t in resolved for k in t.after}
    sinks = [t.key for t in resolved if t.key not in depended_on]
    return [*resolved, release_draft(sinks, f, catalogue)]
