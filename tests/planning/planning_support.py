"""Loads the planning engine from the template tree, as copier's context hook does.

A module of its own (not conftest) so that test modules can import it by a name
no other conftest shares.
"""

from __future__ import annotations

import copy
import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ENGINE_DIR = (
    Path(__file__).resolve().parents[2]
    / "template"
    / "src"
    / "{{ package_name }}"
    / "planning"
)
ENGINE_NAME = "ucforge_planning_engine"


def load_engine() -> ModuleType:
    """The engine package, imported by file path with its submodules."""
    if ENGINE_NAME in sys.modules:
        return sys.modules[ENGINE_NAME]
    spec = importlib.util.spec_from_file_location(
        ENGINE_NAME,
        ENGINE_DIR / "__init__.py",
        submodule_search_locations=[str(ENGINE_DIR)],
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[ENGINE_NAME] = module
    spec.loader.exec_module(module)
    return module


def submodule(name: str) -> ModuleType:
    """One module of the engine, such as 'schedule' or 'commands'."""
    load_engine()
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
