"""The implementation-plan engine: one place for the copy and the plan commands."""

from __future__ import annotations

from .checklist import review_checklist
from .errors import PlanError
from .generate import build_plan, generate_from_answers, key_answers

__all__ = [
    "PlanError",
    "build_plan",
    "generate_from_answers",
    "key_answers",
    "review_checklist",
]
