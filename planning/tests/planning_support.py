"""Answers and module lookups shared by the planning engine's tests.

A module of its own (not conftest) so that test modules can import it by a name
no other conftest shares.
"""

from __future__ import annotations

import copy
import importlib
from types import ModuleType
from typing import Any

ENGINE_NAME = "ucforge_planning"


def load_engine() -> ModuleType:
    """The engine package, as the copy and the generated projects import it."""
    return importlib.import_module(ENGINE_NAME)


def submodule(name: str) -> ModuleType:
    """One module of the engine, such as 'schedule' or 'commands'."""
    return importlib.import_module(f"{ENGINE_NAME}.{name}")


DEFAULT_ANSWERS: dict[str, Any] = {
    "use_case_id": "UC-001",
    "use_case_name": "Customer churn prediction",
    "project_slug": "uc-001-customer-churn",
    "package_name": "uc_001_customer_churn",
    "description": "Predict which customers are likely to cancel next month, "
    "so retention can reach them first.",
    "problem_type": "binary_classification",
    "target_column": "churned",
    "team_members": [
        {
            "name": "Priya Natarajan",
            "handle": "priya-n",
            "email": "priya.natarajan@example.com",
            "role": "ml_engineer",
            "expertise": "senior",
        },
        {
            "name": "Tomás Ortega",
            "handle": "tortega",
            "email": "tomas.ortega@example.com",
            "role": "data_engineer",
            "expertise": "intermediate",
        },
        {
            "name": "Mei Chen",
            "handle": "meichen",
            "email": "mei.chen@example.com",
            "role": "data_scientist",
            "expertise": "senior",
        },
    ],
    "use_case_owner": "priya-n",
    "start_date": "2027-01-04",
    "target_date": "2027-03-29",
    "sprint_length_weeks": 2,
    "hard_deadlines": [],
    "ci_provider": "github",
    "tracking_server_url": "",
    "existing_infrastructure": [],
    "coverage_target": 80,
    "test_levels": ["unit", "integration", "performance", "model", "chaos"],
    "latency_slo_p95_ms": 200,
    "throughput_slo_rps": 50,
    "primary_metric": "roc_auc",
    "baseline_margin": 0.05,
    "reviewers": ["priya-n", "tortega", "meichen"],
    "required_approvals": 1,
    "documentation": ["api_reference", "model_card", "data_dictionary"],
    "compliance": [],
    "plan_dir": "AE01_Implementations/UC-001/03_Implementation",
}


def answers(**changes: Any) -> dict[str, Any]:
    """The default answers with some changed."""
    result = copy.deepcopy(DEFAULT_ANSWERS)
    result.update(changes)
    return result


# A second answer set: another use case, with a small team of short handles.
SMALL_TEAM_ANSWERS: dict[str, Any] = {
    **DEFAULT_ANSWERS,
    "use_case_id": "UC-042",
    "use_case_name": "Parcel delay",
    "project_slug": "uc-042-parcel-delay",
    "package_name": "uc_042_parcel_delay",
    "description": "Predict which parcels arrive late, so dispatch can reroute first.",
    "target_column": "arrived_late",
    "team_members": [
        {
            "name": "Ada Byron",
            "handle": "ada",
            "email": "ada@example.com",
            "role": "ml_engineer",
            "expertise": "senior",
        },
        {
            "name": "Bo Chen",
            "handle": "bo",
            "email": "bo@example.com",
            "role": "data_engineer",
            "expertise": "intermediate",
        },
        {
            "name": "Cy Diaz",
            "handle": "cy",
            "email": "cy@example.com",
            "role": "data_scientist",
            "expertise": "senior",
        },
    ],
    "use_case_owner": "ada",
    "reviewers": ["ada", "bo", "cy"],
    "plan_dir": "AE01_Implementations/UC-042/03_Implementation",
}


def make_answers(**changes: Any) -> dict[str, Any]:
    """The small team's answers with some changed."""
    result = copy.deepcopy(SMALL_TEAM_ANSWERS)
    result.update(changes)
    return result
