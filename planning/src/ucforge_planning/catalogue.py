"""The task catalogue: every task category of the five phases, shaped by answers.

Efforts are three-point estimates in working days for a senior member of the
task's role; generate.py scales them for the member who gets the task.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

METRIC_NAMES = {
    "roc_auc": "ROC AUC",
    "average_precision": "average precision",
    "rmse": "RMSE",
    "mae": "MAE",
}
COMPLIANCE_NAMES = {
    "gdpr": "GDPR",
    "hipaa": "HIPAA",
    "soc2": "SOC 2",
    "pci_dss": "PCI DSS",
    "eu_ai_act": "EU AI Act",
    "sr_11_7": "SR 11-7",
}
COMPLIANCE_ID_PARTS = {
    "gdpr": "GDPR",
    "hipaa": "HIPAA",
    "soc2": "SOC2",
    "pci_dss": "PCI",
    "eu_ai_act": "EUAI",
    "sr_11_7": "SR117",
}
INFRASTRUCTURE_NAMES = {
    "feature_store": "feature store",
    "orchestrator": "workflow orchestrator",
    "container_platform": "container platform",
    "monitoring": "monitoring stack",
}
DOCUMENT_NAMES = {
    "api_reference": "API reference",
    "model_card": "model card",
    "data_dictionary": "data dictionary",
}


@dataclass(frozen=True)
class Draft:
    """A catalogue task before it gets an id, an owner and a scaled estimate."""

    key: str
    component: str
    category: str
    title: str
    role: str
    effort: tuple[float, float, float]
    acceptance: str
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    regime: str = ""


@dataclass(frozen=True)
class Facts:
    """The answers the catalogue reads, in the shape it needs."""

    problem_type: str
    target_column: str
    metric: str
    higher_is_better: bool
    margin: float
    coverage: int
    latency_ms: int
    throughput_rps: int
    levels: frozenset[str]
    infrastructure: frozenset[str]
    tracking_server: bool
    documents: frozenset[str]
    compliance: tuple[str, ...]
    approvals: int
    team_size: int

    @property
    def metric_name(self) -> str:
        """The primary metric as people write it."""
        return METRIC_NAMES.get(self.metric, self.metric)

    @property
    def margin_text(self) -> str:
        """The baseline margin as a percentage, such as '5%'."""
        return f"{self.margin * 100:g}%"

    @property
    def model_card(self) -> bool:
        """Whether a model card is required (asked for, or by regulation)."""
        return "model_card" in self.documents or bool(
            {"eu_ai_act", "sr_11_7"} & set(self.compliance)
        )


def facts_from_answers(answers: Mapping[str, Any]) -> Facts:
    """Read the answers the catalogue needs."""
    metric = str(answers["primary_metric"])
    return Facts(
        problem_type=str(answers["problem_type"]),
        target_column=str(answers["target_column"]),
        metric=metric,
        higher_is_better=metric in ("roc_auc", "average_precision"),
        margin=float(answers["baseline_margin"]),
        coverage=int(answers["coverage_target"]),
        latency_ms=int(answers["latency_slo_p95_ms"]),
        throughput_rps=int(answers["throughput_slo_rps"]),
        levels=frozenset(answers["test_levels"] or ()),
        infrastructure=frozenset(answers["existing_infrastructure"] or ()),
        tracking_server=bool(str(answers["tracking_server_url"] or "").strip()),
        documents=frozenset(answers["documentation"] or ()),
        compliance=tuple(answers["compliance"] or ()),
        approvals=int(answers["required_approvals"]),
        team_size=len(answers["team_members"] or ()),
    )


def _data_pipeline(f: Facts) -> list[Draft]:
    c = "data_pipeline"
    tasks = [
        Draft(
            "dp.connect",
            c,
            "Ingestion",
            "Connect the production sources and manage their credentials",
            "data_engineer",
            (2, 3, 5),
            "Ingestion reads every production source with credentials taken from "
            "the environment; no secret is in the repository",
        ),
        Draft(
            "dp.formats",
            c,
            "Ingestion",
            "Handle source formats, late files and re-deliveries",
            "data_engineer",
            (1, 2, 4),
            "Re-running ingestion for the same day stores nothing twice",
            after=("dp.connect",),
        ),
        Draft(
            "dp.schema",
            c,
            "Validation",
            "Encode schema checks and quality rules as pandera schemas",
            "data_engineer",
            (1.5, 2, 4),
            "Every rule of the data contract is a pandera check; bad rows reach "
            "quarantine with a reason",
            after=("dp.connect",),
        ),
        Draft(
            "dp.anomaly",
            c,
            "Validation",
            "Detect anomalies in volumes and null rates between runs",
            "data_engineer",
            (1, 2, 3),
            "A run whose volume or null rate moves beyond its threshold fails "
            "with a message naming the column",
            after=("dp.schema",),
        ),
        Draft(
            "dp.transform",
            c,
            "Transformation",
            "Implement cleaning, normalisation and aggregation",
            "data_engineer",
            (2, 3, 5),
            "Rows in = rows stored + rows quarantined on every run",
            after=("dp.schema", "dp.formats"),
        ),
        Draft(
            "dp.storage",
            c,
            "Storage",
            "Write curated data partitioned, indexed and atomically",
            "data_engineer",
            (1, 1.5, 3),
            "Curated Parquet is partitioned by date; an interrupted run leaves no "
            "partial partition",
            after=("dp.transform",),
        ),
    ]
    if "orchestrator" not in f.infrastructure:
        tasks.append(
            Draft(
                "dp.scheduler",
                c,
                "Orchestration",
                "Stand up a scheduler for the pipeline (no orchestrator exists yet)",
                "mlops_engineer",
                (2, 3, 5),
                "The scheduler runs in every environment from configuration and "
                "its choice is recorded in an ADR",
            )
        )
        tasks.append(
            Draft(
                "dp.orchestrate",
                c,
                "Orchestration",
                "Schedule the pipeline with dependencies, retries and alerts",
                "mlops_engineer",
                (1.5, 2, 3.5),
                "A failed step retries with back-off, then alerts the owner; "
                "daily runs need no one at the keyboard",
                after=("dp.storage", "dp.scheduler"),
            )
        )
    else:
        tasks.append(
            Draft(
                "dp.orchestrate",
                c,
                "Orchestration",
                "Register the pipeline in the existing orchestrator with retries",
                "mlops_engineer",
                (0.5, 1, 2),
                "The pipeline runs daily in the existing orchestrator; a failed "
                "step retries with back-off, then alerts the owner",
                after=("dp.storage",),
            )
        )
    return tasks


def _feature_engineering(f: Facts) -> list[Draft]:
    c = "feature_engineering"
    store = "feature_store" in f.infrastructure
    tasks = [
        Draft(
            "fe.define",
            c,
            "Feature Definition",
            "Define the features and document their business logic",
            "data_scientist",
            (1, 2, 3),
            "Every feature has a name, owner, dtype and business logic in the "
            "feature registry, reviewed with the business",
            after=("dp.schema",),
        ),
        Draft(
            "fe.compute",
            c,
            "Computation",
            "Implement feature transformations and aggregations",
            "ml_engineer",
            (2, 3, 5),
            "Training and serving compute features with the same code; each "
            "feature has a unit test",
            after=("fe.define",),
        ),
        Draft(
            "fe.store",
            c,
            "Storage",
            "Integrate feature sets with the existing feature store"
            if store
            else "Version and store feature sets offline",
            "ml_engineer",
            (1, 1.5, 3) if store else (2, 3, 5),
            "Every feature set is stored with a version that training and "
            "serving both record",
            after=("fe.compute",),
        ),
        Draft(
            "fe.serve",
            c,
            "Serving",
            "Serve features online and offline from the existing feature store"
            if store
            else "Serve features online and offline with point-in-time correctness",
            "ml_engineer",
            (1, 1.5, 2.5) if store else (1.5, 2.5, 4),
            "Offline training sets and online lookups return the same values for "
            "the same entity and time",
            after=("fe.store",),
        ),
        Draft(
            "fe.drift",
            c,
            "Validation",
            "Add feature quality checks and drift detection",
            "data_scientist",
            (1, 2, 3),
            "Drift above the PSI threshold on any feature raises an alert naming "
            "the feature",
            after=("fe.compute",),
        ),
    ]
    if "data_dictionary" in f.documents:
        tasks.append(
            Draft(
                "fe.dictionary",
                c,
                "Documentation",
                "Publish the data dictionary of raw columns and features",
                "data_scientist",
                (0.5, 1, 1.5),
                "The data dictionary lists every raw column and feature with type, "
                "meaning and owner, and is regenerated from the code",
                after=("fe.define",),
            )
        )
    return tasks


def _model_development(f: Facts) -> list[Draft]:
    c = "model_development"
    better = "higher" if f.higher_is_better else "lower"
    balance = (
        "Prepare train/test splits, sampling and class balance"
        if f.problem_type == "binary_classification"
        else "Prepare train/test splits, sampling and target outliers"
    )
    tasks = [
        Draft(
            "md.tracking",
            c,
            "Experiment Setup",
            "Connect experiments and the registry to the existing MLflow server"
            if f.tracking_server
            else "Set up MLflow experiment tracking and the model registry",
            "ml_engineer",
            (0.5, 1, 1.5) if f.tracking_server else (1, 2, 3),
            "Every training run logs parameters, metrics and artefacts to MLflow "
            "in every environment",
        ),
        Draft(
            "md.baseline",
            c,
            "Experiment Setup",
            f"Establish the baseline and its {f.metric_name} on the holdout",
            "data_scientist",
            (1, 1.5, 2),
            f"The baseline's {f.metric_name} is logged; the bar for promotion is "
            f"{f.margin_text} better ({better} is better)",
            after=("md.tracking", "fe.compute"),
        ),
        Draft(
            "md.prepare",
            c,
            "Data Preparation",
            balance,
            "data_scientist",
            (1, 2, 3),
            "Splits are reproducible from a seed and free of leakage across time "
            "and between records of the same entity",
            after=("fe.compute",),
        ),
        Draft(
            "md.train",
            c,
            "Model Training",
            "Train candidate models and tune hyperparameters",
            "data_scientist",
            (3, 5, 8),
            f"The best candidate and its search are logged in MLflow with the "
            f"{f.metric_name} of every trial",
            after=("md.prepare", "md.baseline"),
        ),
        Draft(
            "md.evaluate",
            c,
            "Evaluation",
            "Evaluate metrics, errors, slices and fairness",
            "data_scientist",
            (2, 3, 5),
            f"The candidate beats the baseline by {f.margin_text} on {f.metric_name} "
            "on the holdout; the report covers every slice column of the data "
            "contract",
            after=("md.train",),
        ),
        Draft(
            "md.registry",
            c,
            "Model Registry",
            "Register versions with metadata and lineage; promote by alias",
            "ml_engineer",
            (1, 1.5, 2.5),
            "Every registered version carries data hash, feature version and git "
            "commit; the champion alias moves only when the gate holds",
            after=("md.evaluate",),
        ),
    ]
    if f.model_card:
        tasks.append(
            Draft(
                "md.card",
                c,
                "Documentation",
                "Write the model card",
                "data_scientist",
                (1, 1.5, 2),
                "The model card states intended use, data, metrics by slice, "
                "limitations and owner, and matches the registered version",
                after=("md.evaluate",),
            )
        )
    return tasks


def _serving(f: Facts) -> list[Draft]:
    c = "serving"
    platform = "container_platform" in f.infrastructure
    monitoring = "monitoring" in f.infrastructure
    tasks = [
        Draft(
            "sv.contract",
            c,
            "API Development",
            "Define endpoint contracts and request validation",
            "ml_engineer",
            (1, 2, 3),
            "Invalid requests get a 422 naming the field and the rule; the "
            "OpenAPI schema is versioned",
            after=("fe.define",),
        ),
        Draft(
            "sv.loading",
            c,
            "Model Loading",
            "Load the champion model from the registry and cache it",
            "ml_engineer",
            (1, 1.5, 2.5),
            "The service loads the model by alias at start-up, reports not-ready "
            "until it has one, and reloads on promotion",
            after=("sv.contract", "md.tracking"),
        ),
        Draft(
            "sv.inference",
            c,
            "Inference",
            "Implement real-time and batch inference on shared feature code",
            "ml_engineer",
            (1.5, 2.5, 4),
            "Single and batch predictions match offline scoring for the same "
            "input and carry model and feature versions",
            after=("sv.loading", "fe.serve"),
        ),
        Draft(
            "sv.scale",
            c,
            "Scaling",
            "Deploy on the existing container platform with auto-scaling"
            if platform
            else "Containerise the service and set up load balancing and auto-scaling",
            "mlops_engineer",
            (1, 1.5, 3) if platform else (3, 4, 7),
            f"Replicas scale on load and each one sustains {f.throughput_rps} "
            "requests per second",
            after=("sv.inference",),
        ),
        Draft(
            "sv.integrate",
            c,
            "Integration",
            "Connect downstream systems to the predictions",
            "ml_engineer",
            (1.5, 2.5, 4),
            "Downstream consumers receive predictions through the agreed contract, "
            "with retries and idempotent delivery",
            after=("sv.inference",),
        ),
        Draft(
            "sv.monitor",
            c,
            "Integration",
            "Add dashboards and alerts to the existing monitoring stack"
            if monitoring
            else "Set up metrics collection, dashboards and alerts",
            "mlops_engineer",
            (0.5, 1, 2) if monitoring else (2, 3, 4.5),
            f"Dashboards show latency, errors and drift; an alert fires when p95 "
            f"latency passes {f.latency_ms} ms",
            after=("sv.inference",),
        ),
        Draft(
            "sv.runbook",
            c,
            "Documentation",
            "Write the runbooks for pipeline and serving incidents",
            "mlops_engineer",
            (1, 1.5, 2),
            "Every alert links to a runbook step that says what the operator sees "
            "and what to do",
            after=("sv.monitor", "dp.orchestrate"),
        ),
    ]
    if "api_reference" in f.documents:
        tasks.append(
            Draft(
                "sv.reference",
                c,
                "Documentation",
                "Publish the API reference for the endpoints",
                "ml_engineer",
                (0.5, 1, 1.5),
                "The API reference documents every endpoint, field, error and "
                "example, generated from the OpenAPI schema",
                after=("sv.contract",),
            )
        )
    return tasks


def _testing(f: Facts) -> list[Draft]:
    c = "testing"
    tasks = [
        Draft(
            "ts.unit",
            c,
            "Unit Tests",
            f"Enforce {f.coverage}% unit-test coverage per package in CI",
            "ml_engineer",
            (0.5, 1, 2),
            f"CI fails any change that takes a package below {f.coverage}% line "
            "coverage",
        ),
        Draft(
            "ts.integration",
            c,
            "Integration Tests",
            "Test the pipeline end to end, from raw data to a served prediction",
            "ml_engineer",
            (2, 3, 5),
            "One test run ingests, validates, builds features, trains, registers, "
            "serves and predicts on generated data",
            after=("sv.inference", "dp.storage", "md.registry"),
        ),
    ]
    if "performance" in f.levels:
        tasks.append(
            Draft(
                "ts.performance",
                c,
                "Performance Tests",
                f"Load-test serving against p95 {f.latency_ms} ms at "
                f"{f.throughput_rps} requests per second",
                "mlops_engineer",
                (1.5, 2, 3.5),
                f"p95 latency stays at or below {f.latency_ms} ms at "
                f"{f.throughput_rps} requests per second on one replica",
                after=("sv.scale",),
            )
        )
    if "model" in f.levels:
        tasks.append(
            Draft(
                "ts.model",
                c,
                "Model Tests",
                "Automate holdout, slice and baseline tests for every candidate",
                "data_scientist",
                (1.5, 2, 3),
                f"A candidate that does not beat the baseline by {f.margin_text} on "
                f"{f.metric_name}, overall and per slice, fails the build",
                after=("md.evaluate",),
            )
        )
    if "chaos" in f.levels:
        tasks.append(
            Draft(
                "ts.chaos",
                c,
                "Chaos Tests",
                "Test failure modes: registry down, bad input, slow dependencies",
                "mlops_engineer",
                (1.5, 2.5, 4),
                "Each failure mode ends in a clear error, a retry or a degraded "
                "answer, never a hang or a wrong prediction",
                after=("sv.scale", "sv.loading"),
            )
        )
    return tasks


def _compliance(f: Facts) -> list[Draft]:
    tasks: list[Draft] = []
    regimes = set(f.compliance)
    if "gdpr" in regimes:
        tasks += [
            Draft(
                "gdpr.dpia",
                "data_pipeline",
                "Compliance",
                "Carry out the data-protection impact assessment (DPIA)",
                "data_engineer",
                (2, 3, 5),
                "The DPIA is signed off by the data-protection officer before "
                "production data is ingested",
                before=("dp.connect",),
                regime="gdpr",
            ),
            Draft(
                "gdpr.pseudonymise",
                "data_pipeline",
                "Compliance",
                "Pseudonymise identifiers and enforce the retention period",
                "data_engineer",
                (1, 2, 3),
                "No direct identifier leaves ingestion; data older than the "
                "retention period is deleted by a scheduled job",
                after=("dp.transform",),
                before=("fe.compute",),
                regime="gdpr",
            ),
            Draft(
                "gdpr.rights",
                "data_pipeline",
                "Compliance",
                "Support data-subject access and erasure requests",
                "data_engineer",
                (1.5, 2, 3),
                "An erasure request removes the person from raw, curated and "
                "feature data within the legal deadline",
                after=("dp.storage", "fe.store"),
                regime="gdpr",
            ),
        ]
    if "hipaa" in regimes:
        tasks += [
            Draft(
                "hipaa.access",
                "data_pipeline",
                "Compliance",
                "Restrict access to stores of health data and confirm the BAAs",
                "data_engineer",
                (1, 2, 3),
                "Stores holding PHI are encrypted at rest, access is least "
                "privilege, and every processor has a signed BAA",
                before=("dp.connect",),
                regime="hipaa",
            ),
            Draft(
                "hipaa.deidentify",
                "data_pipeline",
                "Compliance",
                "De-identify health data before it reaches features",
                "data_engineer",
                (1.5, 2, 3),
                "Features and training sets contain none of the HIPAA Safe Harbor "
                "identifiers",
                after=("dp.transform",),
                before=("fe.compute",),
                regime="hipaa",
            ),
            Draft(
                "hipaa.audit",
                "serving",
                "Compliance",
                "Audit-log every access to health data and predictions",
                "ml_engineer",
                (1, 2, 3),
                "Every request appends an audit line (time, request id, endpoint, "
                "model version, status) without raw values",
                after=("sv.inference",),
                regime="hipaa",
            ),
        ]
    if "soc2" in regimes:
        tasks += [
            Draft(
                "soc2.change",
                "testing",
                "Compliance",
                "Collect change-management evidence from reviews, CI and deploys",
                "mlops_engineer",
                (1, 1.5, 2.5),
                "Each production change links a reviewed merge request, a green CI "
                "run and a deploy record",
                after=("ts.unit",),
                regime="soc2",
            ),
            Draft(
                "soc2.promotion",
                "model_development",
                "Compliance",
                "Keep an audit trail of model promotions and access reviews",
                "ml_engineer",
                (1, 1.5, 2),
                "Every alias change records who, when and why; access to the "
                "registry is reviewed each quarter",
                after=("md.registry",),
                regime="soc2",
            ),
        ]
    if "pci_dss" in regimes:
        tasks += [
            Draft(
                "pci.tokenise",
                "data_pipeline",
                "Compliance",
                "Keep card data out of scope: tokenise card numbers at ingestion",
                "data_engineer",
                (1.5, 2, 3),
                "No primary account number is stored past ingestion; tokens "
                "replace them before validation",
                after=("dp.connect",),
                before=("dp.transform",),
                regime="pci_dss",
            ),
            Draft(
                "pci.scan",
                "testing",
                "Compliance",
                "Scan logs, features and artefacts for card numbers",
                "mlops_engineer",
                (1, 1.5, 2),
                "An automated scan of logs, feature sets and model artefacts finds "
                "no card number and runs in CI",
                after=("ts.integration",),
                regime="pci_dss",
            ),
        ]
    if "eu_ai_act" in regimes:
        tasks += [
            Draft(
                "euai.classify",
                "model_development",
                "Compliance",
                "Classify the system's risk level and start the technical file",
                "data_scientist",
                (1, 2, 3),
                "The risk classification is recorded and the technical file holds "
                "intended purpose, data governance and the risk assessment",
                regime="eu_ai_act",
            ),
            Draft(
                "euai.oversight",
                "serving",
                "Compliance",
                "Design human oversight and transparency for affected people",
                "ml_engineer",
                (1.5, 2, 3),
                "Reviewers can inspect and override a prediction; affected people "
                "are told a model is involved",
                after=("sv.contract", "euai.classify"),
                regime="eu_ai_act",
            ),
            Draft(
                "euai.monitoring",
                "model_development",
                "Compliance",
                "Set up post-market monitoring of accuracy and drift",
                "data_scientist",
                (1, 1.5, 2.5),
                "Accuracy and drift are reported monthly and serious incidents "
                "have a reporting path",
                after=("sv.monitor", "fe.drift"),
                regime="eu_ai_act",
            ),
        ]
    if "sr_11_7" in regimes:
        tasks += [
            Draft(
                "sr117.document",
                "model_development",
                "Compliance",
                "Write the model development document for validation",
                "data_scientist",
                (2, 3, 4),
                "The document covers purpose, data, methodology, assumptions, "
                "limitations and ongoing monitoring",
                after=("md.evaluate",),
                regime="sr_11_7",
            ),
            Draft(
                "sr117.validation",
                "model_development",
                "Compliance",
                "Support independent model validation and close its findings",
                "data_scientist",
                (3, 5, 10),
                "The independent validation report approves the model; every "
                "finding has an owner and a closing date",
                after=("sr117.document",),
                before=("sv.loading",),
                regime="sr_11_7",
            ),
            Draft(
                "sr117.inventory",
                "model_development",
                "Compliance",
                "Record the model in the model inventory with its risk tier",
                "ml_engineer",
                (0.5, 1, 1.5),
                "The inventory entry names owner, tier, validation date and the "
                "next review",
                after=("md.registry",),
                regime="sr_11_7",
            ),
        ]
    return tasks


def release_draft(keys: list[str]) -> Draft:
    """The closing task: the release-readiness review after everything else."""
    return Draft(
        "ts.release",
        "testing",
        "Integration Tests",
        "Run the release-readiness review against every quality gate",
        "ml_engineer",
        (0.5, 1, 2),
        "Every quality gate of this plan is green and the use-case owner signs "
        "off the release",
        after=tuple(keys),
    )


def drafts(f: Facts) -> list[Draft]:
    """Every task of the plan for these answers, in catalogue order."""
    tasks = (
        _data_pipeline(f)
        + _feature_engineering(f)
        + _model_development(f)
        + _serving(f)
        + _testing(f)
        + _compliance(f)
    )
    keys = {t.key for t in tasks}
    extra_after: dict[str, list[str]] = {}
    for task in tasks:
        for blocked in task.before:
            if blocked in keys:
                extra_after.setdefault(blocked, []).append(task.key)
    resolved = []
    for task in tasks:
        after = [k for k in task.after if k in keys] + extra_after.get(task.key, [])
        resolved.append(
            Draft(
                task.key,
                task.component,
                task.category,
                task.title,
                task.role,
                task.effort,
                task.acceptance,
                tuple(dict.fromkeys(after)),
                (),
                task.regime,
            )
        )
    depended_on = {k for t in resolved for k in t.after}
    sinks = [t.key for t in resolved if t.key not in depended_on]
    return [*resolved, release_draft(sinks)]
