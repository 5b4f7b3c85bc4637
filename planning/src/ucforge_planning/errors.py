"""The errors the planning engine raises: a plan, or a catalogue, it cannot use."""

from __future__ import annotations


class PlanError(Exception):
    """plan/tasks.yaml is missing, unreadable or invalid; the message says why."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems = list(problems or [])


class CatalogueError(PlanError):
    """A catalogue data file is missing or invalid; the message names every problem."""
