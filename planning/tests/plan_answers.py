"""The answers the plan tests start from; a module of its own so tests import it.

Not conftest: the tests of several folders run in one session, and a test module
that imported from "conftest" could get another folder's conftest.
"""

from __future__ import annotations

import copy
from typing import Any

ANSWERS: dict[str, Any] = {
    "use_case_id": "UC-042",
    "use_case_name": "Parcel delay",
    "project_slug": "uc-042-parcel-delay",
    "package_name": "uc_042_parcel_delay",
    "description": "Predict which parcels arrive late, so dispatch can reroute first.",
    "problem_type": "binary_classification",
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
    "reviewers": ["ada", "bo", "cy"],
    "required_approvals": 1,
    "documentation": ["api_reference", "model_card", "data_dictionary"],
    "compliance": [],
    "plan_dir": "AE01_Implementations/UC-042/03_Implementation",
}


def make_answers(**changes: Any) -> dict[str, Any]:
    """The test answers with some changed."""
    result = copy.deepcopy(ANSWERS)
    result.update(changes)
    return result
