"""The Code Review Checklist: one list for the plan, CONTRIBUTING and the reviews."""

from __future__ import annotations

from .markup import text
from .model import KeyAnswers
from .vocabulary import (
    COMPLIANCE_NAMES,
    METRIC_NAMES,
    audits,
    governs_models,
    pseudonymises,
)


def review_checklist(answers: KeyAnswers) -> list[str]:
    """The checklist items as Markdown, without the '- [ ] ' of a task list.

    The framework's six items come first, each with what it means in this
    repository; then what the answers add: the plan, the serving SLOs, the
    baseline margin, the compliance duties and the approvals.
    """
    docs = "component README, RUNBOOK, ADR for a new decision"
    if "api_reference" in answers.documentation:
        docs += ", `docs/api.md` for an API change"
    items = [
        "Follows coding standards (ruff check, ruff format and mypy clean; "
        "`make check` passes)",
        "Has appropriate tests (unit tests for new logic; coverage stays at or "
        f"above {answers.coverage_target}%)",
        "Handles errors gracefully (bad input gets a message that names the input "
        "and the rule)",
        "Logging is adequate (operators can tell what happened from the logs and "
        "the runbook)",
        "No hardcoded secrets/configs (settings in `configs/`, secrets only from "
        "the environment)",
        f"Documentation updated ({docs})",
        "Implementation plan updated (`plan/tasks.yaml` status; `make plan` "
        "re-renders it)",
    ]
    if "performance" in answers.test_levels:
        items.append(
            f"Serving changes keep p95 latency at most {answers.latency_slo_p95_ms} "
            f"ms at {answers.throughput_slo_rps} requests per second (`make bench`)"
        )
    metric = METRIC_NAMES.get(answers.primary_metric, answers.primary_metric)
    items.append(
        f"Model changes beat the baseline on {text(metric)} by at least "
        f"{answers.baseline_margin * 100:g}%"
    )
    regimes = set(answers.compliance)
    if pseudonymises(regimes):
        items.append(
            "Personal identifiers stay pseudonymised; no personal, health or card "
            "data in logs, errors or fixtures"
        )
    if audits(regimes):
        items.append(
            "Every access to predictions is still written to the audit log, new "
            "endpoints included"
        )
    if governs_models(regimes):
        items.append(
            "Model card and validation record updated when the model, its data or "
            "its intended use changes"
        )
    elif "model_card" in answers.documentation:
        items.append(
            "Model card updated when the model, its data or its intended use changes"
        )
    items += [
        f"{text(COMPLIANCE_NAMES.get(r, r))} obligations in `docs/COMPLIANCE.md` "
        "still hold"
        for r in answers.compliance
    ]
    if answers.required_approvals:
        count = answers.required_approvals
        items.append(
            f"Approved by {count} reviewer{'s' if count != 1 else ''} other than "
            "the author"
        )
    return items
