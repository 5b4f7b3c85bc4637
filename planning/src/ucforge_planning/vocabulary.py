"""The answers' words, defined once: the copy, the plan and the checks share them.

Each answer that is a choice (a role, an expertise level, a test level, a metric, a
document, a piece of existing infrastructure, a compliance regime) has its key
here, with the name people read and, for regimes, the duties it brings. copier.yml
lists the same keys as its choices; a template test holds the two together.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Each choice with the name people read; the keys, in order, are the choices.
PROBLEM_TYPE_NAMES = {
    "binary_classification": "binary classification",
    "regression": "regression",
}
ROLE_NAMES = {
    "data_engineer": "data engineer",
    "data_scientist": "data scientist",
    "ml_engineer": "ML engineer",
    "mlops_engineer": "MLOps engineer",
}
TEST_LEVEL_NAMES = {
    "unit": "Unit",
    "integration": "Integration",
    "performance": "Performance",
    "model": "Model",
    "chaos": "Chaos",
}
CI_PROVIDER_NAMES = {"github": "GitHub Actions", "gitlab": "GitLab CI"}

PROBLEM_TYPES = tuple(PROBLEM_TYPE_NAMES)
ROLES = tuple(ROLE_NAMES)
EXPERTISE = ("junior", "intermediate", "senior")
TEST_LEVELS = tuple(TEST_LEVEL_NAMES)
# The levels every project keeps: the skeleton is untested without them.
REQUIRED_TEST_LEVELS = ("unit", "integration")
CI_PROVIDERS = tuple(CI_PROVIDER_NAMES)
SPRINT_LENGTHS = (1, 2, 3, 4)

# The roles that own each folder of a generated repository (CODEOWNERS, onboarding);
# a folder whose roles nobody on the team has goes to the use case's owner.
COMPONENT_OWNER_ROLES = {
    "packages/data-pipeline": ("data_engineer",),
    "packages/features": ("data_scientist", "ml_engineer"),
    "packages/model": ("data_scientist",),
    "packages/serving": ("ml_engineer", "mlops_engineer"),
    "tests": ("ml_engineer", "mlops_engineer"),
}

METRIC_NAMES = {
    "roc_auc": "ROC AUC",
    "average_precision": "average precision",
    "rmse": "RMSE",
    "mae": "MAE",
}
# The metrics each problem type is scored with, and those where higher is better.
METRICS = {
    "binary_classification": ("roc_auc", "average_precision"),
    "regression": ("rmse", "mae"),
}
HIGHER_IS_BETTER = frozenset({"roc_auc", "average_precision"})

DOCUMENT_NAMES = {
    "api_reference": "API reference",
    "model_card": "model card",
    "data_dictionary": "data dictionary",
}
# The orchestrators a flow is generated for; "none" keeps the command line's runner.
ORCHESTRATOR_NAMES = {
    "none": "none (the command line's runner and a Kubernetes CronJob)",
    "airflow": "Apache Airflow",
    "prefect": "Prefect",
    "dagster": "Dagster",
}
COMPUTE_ENGINE_NAMES = {"duckdb": "DuckDB", "spark": "Apache Spark"}
INFRASTRUCTURE_NAMES = {
    "feature_store": "feature store",
    "orchestrator": "workflow orchestrator",
    "container_platform": "container platform",
    "monitoring": "monitoring stack",
}


@dataclass(frozen=True)
class Regime:
    """A compliance regime: its key, its name, and the duties it brings."""

    key: str
    name: str
    # The part of its tasks' ids, such as CMP-GDPR-1.
    id_part: str
    # Identifiers and personal columns are pseudonymised before storage.
    pseudonymises: bool = False
    # Every prediction served is written to an audit log.
    audits: bool = False
    # A model card and a validation record for every model version.
    governs_models: bool = False


REGIMES = (
    Regime("gdpr", "GDPR", "GDPR", pseudonymises=True),
    Regime("hipaa", "HIPAA", "HIPAA", pseudonymises=True, audits=True),
    Regime("soc2", "SOC 2", "SOC2", audits=True),
    Regime("pci_dss", "PCI DSS", "PCI", pseudonymises=True, audits=True),
    Regime("eu_ai_act", "EU AI Act", "EUAI", governs_models=True),
    Regime("sr_11_7", "SR 11-7", "SR117", governs_models=True),
)
REGIME_BY_KEY = {regime.key: regime for regime in REGIMES}
COMPLIANCE_NAMES = {regime.key: regime.name for regime in REGIMES}
COMPLIANCE_ID_PARTS = {regime.key: regime.id_part for regime in REGIMES}
PSEUDONYMISING_REGIMES = frozenset(r.key for r in REGIMES if r.pseudonymises)
AUDITING_REGIMES = frozenset(r.key for r in REGIMES if r.audits)
MODEL_RISK_REGIMES = frozenset(r.key for r in REGIMES if r.governs_models)


def pseudonymises(compliance: Iterable[str]) -> bool:
    """Whether the answered regimes ask for pseudonymised identifiers."""
    return not PSEUDONYMISING_REGIMES.isdisjoint(compliance)


def audits(compliance: Iterable[str]) -> bool:
    """Whether the answered regimes ask for an audit log of predictions."""
    return not AUDITING_REGIMES.isdisjoint(compliance)


def governs_models(compliance: Iterable[str]) -> bool:
    """Whether the answered regimes ask for model governance (card, validation)."""
    return not MODEL_RISK_REGIMES.isdisjoint(compliance)


def needs_model_card(documentation: Iterable[str], compliance: Iterable[str]) -> bool:
    """A model card is asked for, or a regime requires one."""
    return "model_card" in set(documentation) or governs_models(compliance)


def role_name(role: str) -> str:
    """The role as people read it in a sentence: 'ML engineer'."""
    return ROLE_NAMES.get(role, role.replace("_", " "))
