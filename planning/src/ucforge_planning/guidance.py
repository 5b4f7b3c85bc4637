"""Deliverables, risks and quality gates of the catalogue that follow from the answers.

They are data (catalogue_data/); this module selects the entries whose conditions
hold, applies their variants and fills their placeholders.
"""

from __future__ import annotations

from dataclasses import replace

from .catalogue import default_catalogue, fill
from .catalogue_schema import Catalogue, holding_links
from .facts import Facts, placeholder_values
from .model import COMPONENTS

# (risk, likelihood, impact, mitigation); {task.key} becomes the task's id.
Risk = tuple[str, str, str, str]
# (gate, timing, criteria, scope, tests that prove it)
Gate = tuple[str, str, str, str, tuple[str, ...]]


def deliverables(f: Facts, catalogue: Catalogue | None = None) -> dict[str, list[str]]:
    """Key deliverables of each phase."""
    values = placeholder_values(f)
    found: dict[str, list[str]] = {c: [] for c in COMPONENTS}
    for placed in (catalogue or default_catalogue()).deliverables:
        if placed.applies(f):
            entry = placed.resolved(f)
            found[placed.component].append(fill(entry.deliverable, values))
    return found


def risks(f: Facts, catalogue: Catalogue | None = None) -> list[Risk]:
    """Risks that follow from the answers (schedule risks are added at render)."""
    values = placeholder_values(f)
    found: list[Risk] = []
    for placed in (catalogue or default_catalogue()).risks:
        if placed.applies(f):
            entry = placed.resolved(f)
            found.append(
                (
                    fill(entry.risk, values),
                    entry.likelihood,
                    entry.impact,
                    fill(entry.mitigation, values),
                )
            )
    return found


def gates(
    f: Facts, reviewers: list[str], catalogue: Catalogue | None = None
) -> list[Gate]:
    """Quality gates with their timing, criteria and scope."""
    f = replace(f, reviewers=tuple(reviewers))
    values = placeholder_values(f)
    found: list[Gate] = []
    for placed in (catalogue or default_catalogue()).gates:
        if placed.applies(f):
            entry = placed.resolved(f)
            found.append(
                (
                    fill(entry.gate, values),
                    fill(entry.timing, values),
                    fill(entry.criteria, values),
                    entry.scope,
                    holding_links(entry.verified_by, f),
                )
            )
    return found
