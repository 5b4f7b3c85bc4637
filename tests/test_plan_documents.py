"""One Code Review Checklist: the plan, CONTRIBUTING.md and review templates agree.

The engine computes the checklist; the rendered documents must show the same items.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from ucforge_planning import review_checklist
from ucforge_planning.document import load_plan

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
    plan = load_plan((project / "plan" / "tasks.yaml").read_text("utf-8"))
    return list(review_checklist(plan.answers))


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
