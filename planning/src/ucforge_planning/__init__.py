"""The implementation-plan engine: one place for the copy and the plan commands.

It turns the Key Question answers into plan/tasks.yaml and the implementation plan
in Markdown, and afterwards reads, checks and renders a team's plan/tasks.yaml.
It needs only pydantic and PyYAML.
"""

from __future__ import annotations

__version__ = "0.4.0"

from .checklist import review_checklist
from .errors import PlanError
from .generate import (
    build_plan,
    deadline_problems,
    generate_from_answers,
    key_answers,
)

__all__ = [
    "PlanError",
    "__version__",
    "build_plan",
    "deadline_problems",
    "generate_from_answers",
    "key_answers",
    "review_checklist",
]
