"""Shared values of the template's tests: the checkout, and the answer sets.

A module of its own (not conftest) so that test modules import it by a name no
other conftest shares.
"""

from __future__ import annotations

import shutil
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import copier

ROOT = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "node_modules",
    ".hypothesis",
)

# Fixed dates so that renders, plans and tests do not depend on today.
BASE_ANSWERS: dict[str, Any] = {
    "start_date": "2027-01-04",
    "target_date": "2027-03-29",
}

# A contrasting project: other CI, other team, compliance regimes, regression,
# fewer test levels, existing infrastructure, no optional documents.
CONTRAST_ANSWERS: dict[str, Any] = {
    **BASE_ANSWERS,
    "use_case_id": "UC-117",
    "use_case_name": "Clinic spend forecast",
    "description": "Forecast next month's spend per patient account for finance.",
    "problem_type": "regression",
    "team_members": [
        {
            "name": "Jonas Weber",
            "handle": "jweber",
            "email": "jonas.weber@example.org",
            "role": "data_scientist",
            "expertise": "junior",
        },
        {
            "name": "Amara Okafor",
            "handle": "amara.okafor",
            "email": "amara@example.org",
            "role": "mlops_engineer",
            "expertise": "senior",
        },
    ],
    "ci_provider": "gitlab",
    "tracking_server_url": "https://mlflow.internal.example.org",
    "existing_infrastructure": ["orchestrator", "monitoring"],
    "coverage_target": 85,
    "test_levels": ["unit", "integration", "model"],
    "primary_metric": "mae",
    "baseline_margin": 0.1,
    "reviewers": ["amara.okafor"],
    "required_approvals": 1,
    "documentation": [],
    "compliance": ["gdpr", "hipaa"],
    "hard_deadlines": [{"name": "Finance review", "date": "2027-03-01"}],
}


def render(template: Path, destination: Path, answers: Mapping[str, Any]) -> Path:
    """Copy the template into `destination` with `answers` over the defaults."""
    copier.run_copy(
        str(template),
        str(destination),
        data=dict(answers),
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return destination


# The longest names the validators allow: rendered Python must still be formatted.
LONG_NAMES = {
    "project_slug": "uc-001-" + "-".join(["abcdefghij"] * 5)[:53],
    "package_name": "uc_001_" + "x" * 23,
    "target_column": "will_cancel_within_the_next_thirty_days",
}
