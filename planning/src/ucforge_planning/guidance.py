"""Deliverables, risks and quality gates that follow from the answers."""

from __future__ import annotations

from .catalogue import Facts

# (risk, likelihood, impact, mitigation); {task.key} becomes the task's id.
Risk = tuple[str, str, str, str]
# (gate, timing, criteria, scope)
Gate = tuple[str, str, str, str]


def deliverables(f: Facts) -> dict[str, list[str]]:
    """Key deliverables of each phase."""
    pipeline = [
        "Ingestion from the production sources",
        "pandera validation with quarantine",
        "Curated, partitioned Parquet",
        "Scheduled runs with retries and alerts",
    ]
    if {"gdpr", "hipaa", "pci_dss"} & set(f.compliance):
        pipeline.append("Pseudonymised or tokenised identifiers")
    features = [
        "Documented feature definitions",
        "Versioned feature sets",
        "Online and offline feature serving",
        "Drift checks",
    ]
    if "data_dictionary" in f.documents:
        features.append("Data dictionary")
    model = [
        "MLflow tracking and registry",
        f"Baseline and a tuned model that beats it by {f.margin_text}",
        f"Evaluation report ({f.metric_name}, slices, fairness)",
        "Registered versions with lineage",
    ]
    if f.model_card:
        model.append("Model card")
    serving = [
        "FastAPI service with validated contracts",
        "Real-time and batch inference",
        "Auto-scaling deployment",
        "Dashboards, alerts and runbooks",
    ]
    if {"hipaa", "soc2", "pci_dss"} & set(f.compliance):
        serving.append("Audit log of every request")
    if "api_reference" in f.documents:
        serving.append("API reference")
    testing = [f"{f.coverage}% unit-test coverage gate", "End-to-end integration test"]
    if "performance" in f.levels:
        testing.append(f"Load test against p95 {f.latency_ms} ms")
    if "model" in f.levels:
        testing.append("Model tests against the baseline")
    if "chaos" in f.levels:
        testing.append("Chaos tests of failure modes")
    testing.append("Release-readiness review")
    return {
        "data_pipeline": pipeline,
        "feature_engineering": features,
        "model_development": model,
        "serving": serving,
        "testing": testing,
    }


def risks(f: Facts) -> list[Risk]:
    """Risks that follow from the answers (schedule risks are added at render)."""
    found: list[Risk] = [
        (
            "Production data differs from the sample data the skeleton was built on",
            "M",
            "H",
            "Profile every source while connecting it ({dp.connect}) and turn the "
            "findings into pandera rules ({dp.schema}) before features are built",
        ),
        (
            f"The model does not beat the baseline by {f.margin_text} on "
            f"{f.metric_name}",
            "M",
            "H",
            "Fix the baseline early ({md.baseline}), time-box tuning ({md.train}) and "
            "agree the fallback with the use-case owner at the evaluation milestone",
        ),
        (
            "Training and serving compute features differently (skew)",
            "L",
            "H",
            "One feature code path for both ({fe.compute}); the integration test "
            "({ts.integration}) compares offline and online values",
        ),
    ]
    if "orchestrator" not in f.infrastructure:
        found.append(
            (
                "No workflow orchestrator yet: standing one up competes with "
                "pipeline work",
                "M",
                "M",
                "Choose the simplest scheduler that meets the need ({dp.scheduler}), "
                "record the choice in an ADR and revisit when a second use case "
                "needs more",
            )
        )
    if "container_platform" not in f.infrastructure:
        found.append(
            (
                "No container platform: deployment, scaling and on-call are new "
                "ground for the team",
                "M",
                "H",
                "Involve platform engineering from the first sprint; start with two "
                "replicas behind a load balancer and a tested rollback ({sv.scale})",
            )
        )
    if "monitoring" not in f.infrastructure:
        found.append(
            (
                "No monitoring stack: failures and drift can go unnoticed",
                "M",
                "H",
                "Set up metrics, dashboards and alerts before go-live "
                "({sv.monitor}); drift alerts from {fe.drift}",
            )
        )
    if not f.tracking_server:
        found.append(
            (
                "Experiments are tracked in a local SQLite file, not shared across "
                "the team",
                "M",
                "L",
                "Agree a shared MLflow server before training starts ({md.tracking}) "
                "and set its URL in configs/prod.yaml",
            )
        )
    if f.latency_ms <= 50:
        found.append(
            (
                f"A p95 latency objective of {f.latency_ms} ms leaves little room "
                "for feature lookups",
                "M",
                "H",
                "Measure latency from the first endpoint ({sv.inference}), keep "
                "online features precomputed and load-test early",
            )
        )
    if f.throughput_rps >= 500:
        found.append(
            (
                f"{f.throughput_rps} requests per second per replica needs batching "
                "and tuning",
                "M",
                "M",
                "Batch predictions, profile the hot path and size replicas from the "
                "load test",
            )
        )
    regimes = set(f.compliance)
    if "gdpr" in regimes:
        found.append(
            (
                "Personal data is processed without a lawful basis or kept too long "
                "(GDPR)",
                "M",
                "H",
                "DPIA before production data ({gdpr.dpia}), pseudonymised "
                "identifiers and retention ({gdpr.pseudonymise}), erasure path "
                "({gdpr.rights})",
            )
        )
    if "hipaa" in regimes:
        found.append(
            (
                "Protected health information leaks through logs, features or "
                "model artefacts (HIPAA)",
                "M",
                "H",
                "De-identify before features ({hipaa.deidentify}), audit-log every "
                "access ({hipaa.audit}), encrypted stores under BAAs "
                "({hipaa.access})",
            )
        )
    if "soc2" in regimes:
        found.append(
            (
                "The SOC 2 audit finds production changes without evidence of review",
                "M",
                "M",
                "Branch protection with required approvals; evidence collected per "
                "change ({soc2.change}); promotion audit trail ({soc2.promotion})",
            )
        )
    if "pci_dss" in regimes:
        found.append(
            (
                "Card numbers in the pipeline bring the whole platform into PCI DSS "
                "scope",
                "M",
                "H",
                "Tokenise at ingestion ({pci.tokenise}) and scan every artefact for "
                "card numbers in CI ({pci.scan})",
            )
        )
    if "eu_ai_act" in regimes:
        found.append(
            (
                "The system is classified high-risk under the EU AI Act after design "
                "decisions are fixed",
                "M",
                "H",
                "Classify in the first sprint ({euai.classify}) and design human "
                "oversight with the API ({euai.oversight})",
            )
        )
    if "sr_11_7" in regimes:
        found.append(
            (
                "Independent model validation takes longer than planned and delays "
                "go-live (SR 11-7)",
                "H",
                "H",
                "Engage the validators at the start, share the development document "
                "as it is written ({sr117.document}) and agree the scope of "
                "{sr117.validation}",
            )
        )
    return found


def gates(f: Facts, reviewers: list[str]) -> list[Gate]:
    """Quality gates with their timing, criteria and scope."""
    approvals = (
        f"{f.approvals} approval{'s' if f.approvals != 1 else ''} from "
        + ", ".join(f"@{r}" for r in reviewers)
        if f.approvals
        else "Self-review by the author (one-person team)"
    )
    found: list[Gate] = [
        (
            "Code review",
            "Every merge request",
            f"{approvals}; Code Review Checklist complete",
            "all",
        ),
        (
            "Unit tests and coverage",
            "Every merge request, in CI",
            f"All tests pass; line coverage at least {f.coverage}% in every package",
            "all",
        ),
        (
            "Data validation",
            "Every pipeline run",
            "Rows in = rows stored + rows quarantined; quarantine rate below the "
            "agreed threshold",
            "data_pipeline",
        ),
        (
            "Feature drift",
            "Every feature build",
            "Population stability index of every feature below 0.2 against the "
            "training reference",
            "feature_engineering",
        ),
        (
            "Model promotion",
            "Before the champion alias moves",
            f"{f.metric_name} beats the baseline by {f.margin_text} on the holdout; "
            "lineage tags present",
            "model_development",
        ),
        (
            "Integration",
            "Every merge to main",
            "The end-to-end test from raw data to a served prediction passes",
            "testing",
        ),
    ]
    if "performance" in f.levels:
        found.append(
            (
                "Performance",
                "Before go-live and every release",
                f"p95 latency at most {f.latency_ms} ms at {f.throughput_rps} "
                "requests per second on one replica",
                "serving",
            )
        )
    if "model" in f.levels:
        found.append(
            (
                "Model tests",
                "Every candidate model",
                f"Holdout and per-slice {f.metric_name} beat the baseline by "
                f"{f.margin_text}",
                "model_development",
            )
        )
    if "chaos" in f.levels:
        found.append(
            (
                "Chaos",
                "Before go-live",
                "Registry outage, bad input and slow dependencies end in a clear "
                "error or a retry, never a hang",
                "serving",
            )
        )
    regimes = set(f.compliance)
    if "gdpr" in regimes:
        found.append(
            (
                "GDPR: DPIA approved",
                "Before production data is ingested",
                "Data-protection officer sign-off; pseudonymisation and retention "
                "verified",
                "data_pipeline",
            )
        )
    if "hipaa" in regimes:
        found.append(
            (
                "HIPAA safeguards",
                "Before go-live",
                "An audit line for every request, verified by test; no PHI in logs, "
                "features or artefacts; BAAs signed",
                "serving",
            )
        )
    if "soc2" in regimes:
        found.append(
            (
                "SOC 2 change evidence",
                "Every production change",
                "Reviewed merge request, green CI run and deploy record linked",
                "testing",
            )
        )
    if "pci_dss" in regimes:
        found.append(
            (
                "PCI DSS scope",
                "Every release",
                "The scan finds no card number in logs, features or artefacts",
                "data_pipeline",
            )
        )
    if "eu_ai_act" in regimes:
        found.append(
            (
                "EU AI Act conformity",
                "Before go-live",
                "Risk classification recorded, technical file complete, human "
                "oversight tested",
                "model_development",
            )
        )
    if "sr_11_7" in regimes:
        found.append(
            (
                "SR 11-7 independent validation",
                "Before go-live",
                "The validation report approves the model; findings closed or "
                "formally accepted",
                "model_development",
            )
        )
    documents = ["READMEs, runbooks and ADRs updated"]
    extra = [
        name
        for key, name in (
            ("api_reference", "API reference"),
            ("data_dictionary", "data dictionary"),
        )
        if key in f.documents
    ]
    if f.model_card:
        extra.append("model card")
    if extra:
        documents.append(", ".join(extra) + " published")
    found.append(
        ("Documentation", "End of each component", "; ".join(documents), "all")
    )
    found.append(
        (
            "Release readiness",
            "At the target date",
            "Every gate above is green and the use-case owner signs off",
            "all",
        )
    )
    return found
