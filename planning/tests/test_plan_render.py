"""The rendered plan: sections in order, well-formed tables, Mermaid that parses."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from planning_support import answers, submodule

generate = submodule("generate")
MERMAID_DIR = Path(__file__).parent / "mermaid"

SECTIONS = [
    "## Overview",
    "## Phase Breakdown",
    "## Detailed Task Breakdown",
    "### Component: Data Pipeline",
    "### Component: Feature Engineering",
    "### Component: Model Development",
    "### Component: Serving",
    "### Component: Testing",
    "## Dependencies",
    "## Milestones",
    "## Team Calendar",
    "## Risks",
    "## Quality Gates",
    "## Key Questions Answered",
    "## Code Review Checklist",
    "## Testing Requirements",
    "## Documentation Requirements",
]
COMPONENT_PARTS = [
    "**Owner:**",
    "**Estimated Effort:**",
    "**Dependencies:**",
    "#### Tasks",
    "| ID | Task | Effort | Dependency | Status |",
    "#### Acceptance Criteria",
    "#### Quality Gates",
    "- [ ] Code review passed",
    "- [ ] Tests written and passing",
    "- [ ] Documentation updated",
]
VARIANTS = {
    "default": answers(),
    "hipaa_gdpr": answers(compliance=["gdpr", "hipaa", "sr_11_7"]),
    "late_solo": answers(
        target_date="2027-01-20",
        team_members=[
            {
                "name": 'Ana "pipes" | Lopez',
                "handle": "ana",
                "email": "ana@example.com",
                "role": "data_scientist",
                "expertise": "junior",
            }
        ],
        use_case_owner="ana",
        reviewers=["ana"],
        required_approvals=0,
        hard_deadlines=[{"name": "Board: review #1 {{ x }}", "date": "2027-01-15"}],
        use_case_name="Fraud | risk: `scoring` #1 {{ 7*7 }}",
    ),
}


def markdown(name: str) -> str:
    return generate.generate_from_answers(VARIANTS[name])["plan_markdown"]


def headings(text: str) -> list[str]:
    outside = re.sub(r"```.*?```", "", text, flags=re.DOTALL)
    return [line for line in outside.splitlines() if re.match(r"#{2,3} \S", line)]


def split_row(line: str) -> list[str]:
    assert line.startswith("| "), line
    assert line.endswith(" |"), line
    return [c.strip() for c in re.split(r"(?<!\\)\|", line[1:-1])]


def tables(text: str) -> list[list[str]]:
    found, current = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found + ([current] if current else [])


@pytest.mark.parametrize("name", VARIANTS)
def test_every_section_is_present_in_the_framework_order(name: str) -> None:
    found = [h for h in headings(markdown(name)) if h in SECTIONS]
    assert found == SECTIONS


@pytest.mark.parametrize("name", VARIANTS)
def test_each_component_block_has_owner_effort_tasks_criteria_and_gates(
    name: str,
) -> None:
    text = markdown(name)
    blocks = re.split(r"^### Component: ", text, flags=re.MULTILINE)[1:]
    assert len(blocks) == 5
    for block in blocks:
        positions = [block.index(part) for part in COMPONENT_PARTS]
        assert positions == sorted(positions)


@pytest.mark.parametrize("name", VARIANTS)
def test_every_table_is_well_formed_with_no_empty_cell(name: str) -> None:
    found = tables(markdown(name))
    assert len(found) >= 12
    for rows in found:
        header = split_row(rows[0])
        assert re.fullmatch(r"\|(---\|)+", rows[1]), rows[1]
        assert rows[1].count("---") == len(header)
        for row in rows[2:]:
            cells = split_row(row)
            assert len(cells) == len(header), row
            assert all(cells), row


def test_free_text_is_escaped_and_stays_literal() -> None:
    text = markdown("late_solo")
    assert 'Ana "pipes" \\| Lopez' in text
    # Only what could start markup is escaped: a pipe and backticks, not "#1".
    assert "# Implementation Plan: Fraud \\| risk: \\`scoring\\` #1 {{ 7\\*7 }}" in text
    assert "Board: review #1 {{ x }}" in text


def test_the_plan_says_it_is_rendered_from_tasks_yaml() -> None:
    assert "Rendered from `plan/tasks.yaml`" in markdown("default")


def test_the_plan_reads_without_template_debris() -> None:
    text = markdown("default")
    assert "\n\n\n" not in text
    assert text.endswith("\n")
    assert not text.endswith("\n\n")
    assert "None" not in text
    assert "nan" not in text.lower().split()
    assert "{%" not in text
    assert "{{" not in text


def github_anchor(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading: '## A: B c' is 'a-b-c'."""
    slug = re.sub(r"[^\w\- ]", "", heading.lstrip("#").strip().lower())
    return slug.replace(" ", "-")


def test_component_headings_give_the_anchors_the_readmes_link_to() -> None:
    anchors = {github_anchor(h) for h in headings(markdown("default"))}
    for linked in (
        "component-data-pipeline",
        "component-feature-engineering",
        "component-model-development",
        "component-serving",
        "component-testing",
    ):
        assert linked in anchors


def mermaid_blocks(text: str) -> list[str]:
    return re.findall(r"```mermaid\n(.*?)```", text, flags=re.DOTALL)


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
def test_the_mermaid_diagrams_parse_with_the_mermaid_library() -> None:
    if not (MERMAID_DIR / "node_modules" / "mermaid").is_dir():
        pytest.fail(
            "the mermaid parser is not installed; run planning/tests/mermaid/install.sh"
        )
    diagrams = [block for name in VARIANTS for block in mermaid_blocks(markdown(name))]
    assert len(diagrams) == 3 * len(VARIANTS)
    broken = "flowchart LR\n  a --> --> b\n"
    completed = subprocess.run(
        ["node", str(MERMAID_DIR / "parse.mjs")],
        input=json.dumps([*diagrams, broken]),
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    results = json.loads(completed.stdout)
    assert [r["ok"] for r in results[:-1]] == [True] * len(diagrams), results
    assert {r["type"] for r in results[:-1]} == {"xychart", "flowchart-v2", "gantt"}
    assert results[-1]["ok"] is False  # the parser does reject bad syntax
