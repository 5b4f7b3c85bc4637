"""Hard deadlines as answered: the phases and tasks each one checks, no I/O.

The copy asks a deadline as a name, a date and, optionally, the phases (by key or
by name) and the task ids it covers. The question's validator checks the shape
with `entry_problems`; the ids exist only once the plan's tasks are drafted, so
`linked_tasks` checks them against the plan and lists a deadline's task ids.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

from .model import COMPONENT_NAMES, COMPONENT_PREFIXES, COMPONENTS
from .vocabulary import COMPLIANCE_ID_PARTS

QUESTION = "hard_deadlines"
ENTRY_KEYS = ("name", "date", "phase", "tasks")
TASK_ID = re.compile(
    "(?:"
    + "|".join(COMPONENT_PREFIXES.values())
    + "|CMP-(?:"
    + "|".join(COMPLIANCE_ID_PARTS.values())
    + "))-[0-9]{2}"
)


def _words(text: str) -> str:
    """Lower-case words joined by one space: 'Data Pipeline' -> 'data pipeline'."""
    return " ".join(re.split(r"[\s_-]+", text.strip().lower()))


# A phase may be named by its key (data_pipeline) or its name (Data Pipeline).
_PHASES = {
    **{_words(key): key for key in COMPONENTS},
    **{_words(name): key for key, name in COMPONENT_NAMES.items()},
}
PHASES_TEXT = ", ".join(f"{key} ({COMPONENT_NAMES[key]})" for key in COMPONENTS)


def phase_key(value: Any) -> str | None:
    """The component a phase answer names, or None when it names none."""
    return _PHASES.get(_words(value)) if isinstance(value, str) else None


def _as_list(value: Any) -> list[Any] | None:
    """A single text or a list as a list; None for anything else."""
    if isinstance(value, str):
        return [value]
    return list(value) if isinstance(value, list) else None


def entry_problems(entry: Mapping[str, Any], where: str) -> list[str]:
    """What is wrong with an answered deadline's phase and tasks, if anything."""
    problems = []
    if "phase" in entry:
        phases = _as_list(entry["phase"])
        unknown = (
            [p for p in phases if phase_key(p) is None] if phases else [entry["phase"]]
        )
        if unknown:
            problems.append(
                f"{where} phase must be a phase or a list of phases, each by key or "
                f"name: {PHASES_TEXT}; got {unknown[0]!r}"
            )
    if "tasks" in entry:
        tasks = _as_list(entry["tasks"])
        wrong = (
            [t for t in tasks if not isinstance(t, str) or not TASK_ID.fullmatch(t)]
            if tasks is not None
            else [entry["tasks"]]
        )
        if wrong:
            problems.append(
                f"{where} tasks must be a list of task ids as the plan numbers them, "
                f"such as DP-03 or CMP-GDPR-01; got {wrong[0]!r}"
            )
    return problems


def _id_ranges(ids: Sequence[str]) -> str:
    """The plan's ids as ranges per prefix: 'DP-01 to DP-08, FE-01 to FE-06'."""
    by_prefix: dict[str, list[str]] = {}
    for task_id in ids:
        by_prefix.setdefault(task_id.rsplit("-", 1)[0], []).append(task_id)
    return ", ".join(
        group[0] if len(group) == 1 else f"{group[0]} to {group[-1]}"
        for group in (sorted(g) for g in by_prefix.values())
    )


def linked_tasks(
    entry: Mapping[str, Any], where: str, components: Mapping[str, str]
) -> tuple[tuple[str, ...], list[str]]:
    """The ids a deadline checks, in plan order, and its problems.

    `components` maps every task id of the plan, in plan order, to its component;
    a phase stands for all of its tasks, compliance tasks in it included.
    """
    problems = entry_problems(entry, where)
    if problems:
        return (), problems
    phases = {phase_key(p) for p in _as_list(entry.get("phase")) or ()}
    named = [str(t) for t in _as_list(entry.get("tasks")) or ()]
    missing = [t for t in named if t not in components]
    if missing:
        return (), [
            f"{where} names the task {missing[0]}, which this plan does not have; "
            f"with these answers its tasks are {_id_ranges(list(components))}"
        ]
    ids = tuple(t for t, c in components.items() if c in phases or t in named)
    return ids, []


def entry_label(position: int, entry: Any) -> str:
    """How a problem names an answered deadline: "hard_deadlines entry 2 ('Pilot')"."""
    where = f"{QUESTION} entry {position}"
    if isinstance(entry, Mapping) and isinstance(entry.get("name"), str):
        where += f" ({entry['name']!r})"
    return where
