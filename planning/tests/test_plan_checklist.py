"""The Code Review Checklist: the framework's items first, then what the answers add."""

from __future__ import annotations

from typing import Any

from planning_support import answers, load_engine

FRAMEWORK_ITEMS = (
    "Follows coding standards",
    "Has appropriate tests",
    "Handles errors gracefully",
    "Logging is adequate",
    "No hardcoded secrets/configs",
    "Documentation updated",
)
REGULATED = {
    "ci_provider": "github",
    "compliance": ["gdpr", "hipaa", "soc2", "pci_dss", "eu_ai_act", "sr_11_7"],
    "documentation": [],
}


def test_the_framework_items_come_first_then_what_the_answers_add() -> None:
    engine = load_engine()
    items = engine.review_checklist(
        engine.key_answers(answers(compliance=REGULATED["compliance"]))
    )
    assert [i.split(" (")[0] for i in items[:6]] == list(FRAMEWORK_ITEMS)
    added = items[6:]
    for words in (
        "Implementation plan updated",
        "p95 latency at most 200 ms at 50 requests per second",
        "beat the baseline on ROC AUC by at least 5%",
        "pseudonymised",
        "audit log",
        "Model card",
        "GDPR obligations",
        "HIPAA obligations",
        "SOC 2 obligations",
        "PCI DSS obligations",
        "EU AI Act obligations",
        "SR 11-7 obligations",
        "Approved by 1 reviewer other than the author",
    ):
        assert sum(words in item for item in added) == 1, words
    positions = [
        next(n for n, item in enumerate(added) if words in item)
        for words in ("plan updated", "p95", "baseline", "pseudonymised", "audit")
    ]
    assert positions == sorted(positions)


def test_the_checklist_follows_the_answers() -> None:
    engine = load_engine()

    def items(**changes: Any) -> str:
        return "\n".join(
            engine.review_checklist(engine.key_answers(answers(**changes)))
        )

    plain = items(test_levels=["unit", "integration"], documentation=[])
    assert "p95" not in plain
    assert "Model card" not in plain
    assert "docs/api.md" not in plain
    assert "obligations" not in plain
    assert "coverage stays at or above 90%" in items(coverage_target=90)
    assert "Approved by" not in items(required_approvals=0)
    assert "Approved by 2 reviewers" in items(required_approvals=2)
    assert "by at least 12.5%" in items(baseline_margin=0.125)
