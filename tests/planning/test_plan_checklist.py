"""One Code Review Checklist: the plan, CONTRIBUTING.md and review templates agree."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from planning_support import answers, load_engine, submodule

document = submodule("document")
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


def checklist_in(path: Path, heading: str = "## Code Review Checklist") -> list[str]:
    """The '- [ ] ' items of the checklist section of a Markdown file."""
    text = path.read_text(encoding="utf-8")
    section = text.split(f"\n{heading}\n", 1)[1].split("\n## ", 1)[0]
    return [line[6:] for line in section.splitlines() if line.startswith("- [ ] ")]


def engine_checklist(project: Path) -> list[str]:
    plan = document.load_plan((project / "plan" / "tasks.yaml").read_text("utf-8"))
    return list(load_engine().review_checklist(plan.answers))


def rendered_checklists(project: Path) -> dict[str, list[str]]:
    answers_file = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    plan_file = project / answers_file["plan_dir"] / "implementation-plan.md"
    review = (
        project / ".github" / "pull_request_template.md"
        if answers_file["ci_provider"] == "github"
        else project / ".gitlab" / "merge_request_templates" / "Default.md"
    )
    return {
        "plan": checklist_in(plan_file),
        "CONTRIBUTING.md": checklist_in(project / "CONTRIBUTING.md"),
        "review template": checklist_in(review),
    }


@pytest.fixture(scope="module")
def regulated_project(render_project: Any) -> Path:
    return render_project(REGULATED, name="regulated")


@pytest.mark.parametrize(
    "which", ["default_project", "contrast_project", "regulated_project"]
)
def test_the_plan_contributing_and_review_template_share_one_checklist(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    expected = engine_checklist(project)
    assert rendered_checklists(project) == {
        "plan": expected,
        "CONTRIBUTING.md": expected,
        "review template": expected,
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
