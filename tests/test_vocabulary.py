"""One vocabulary: copier.yml's choices, the engine and the rendered files agree.

The planning engine's vocabulary module defines the answers' words once; copier.yml
must offer exactly those choices, and what is rendered must use the same names.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml
from ucforge_planning import vocabulary
from ucforge_support import ROOT

QUESTIONS: dict[str, Any] = yaml.safe_load((ROOT / "copier.yml").read_text())
ALL_REGIMES = [regime.key for regime in vocabulary.REGIMES]


def choices(question: str) -> list[Any]:
    offered = QUESTIONS[question]["choices"]
    return list(offered.values()) if isinstance(offered, dict) else list(offered)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("problem_type", list(vocabulary.PROBLEM_TYPES)),
        # Asked as text, so that a word gets a message naming the question.
        ("sprint_length_weeks", [str(n) for n in vocabulary.SPRINT_LENGTHS]),
        ("ci_provider", list(vocabulary.CI_PROVIDERS)),
        ("existing_infrastructure", list(vocabulary.INFRASTRUCTURE_NAMES)),
        ("test_levels", list(vocabulary.TEST_LEVELS)),
        ("primary_metric", list(vocabulary.METRIC_NAMES)),
        ("documentation", list(vocabulary.DOCUMENT_NAMES)),
        ("compliance", ALL_REGIMES),
    ],
)
def test_copier_offers_exactly_the_vocabulary(
    question: str, expected: list[Any]
) -> None:
    assert choices(question) == expected


def test_every_metric_belongs_to_one_problem_type() -> None:
    scored = [m for metrics in vocabulary.METRICS.values() for m in metrics]
    assert sorted(scored) == sorted(vocabulary.METRIC_NAMES)
    assert set(vocabulary.METRICS) == set(vocabulary.PROBLEM_TYPES)
    assert set(scored) >= vocabulary.HIGHER_IS_BETTER


def test_the_team_question_names_every_role_and_expertise_level() -> None:
    help_text = " ".join(QUESTIONS["team_members"]["help"].split())
    roles = re.search(r"role \(([^)]*)\)", help_text)
    expertise = re.search(r"expertise \(([^)]*)\)", help_text)
    assert roles is not None and expertise is not None
    assert roles.group(1).split(", ") == list(vocabulary.ROLES)
    assert expertise.group(1).split(", ") == list(vocabulary.EXPERTISE)
    defaults = QUESTIONS["team_members"]["default"]
    assert {m["role"] for m in defaults} <= set(vocabulary.ROLES)
    assert {m["expertise"] for m in defaults} <= set(vocabulary.EXPERTISE)
    assert set(vocabulary.REQUIRED_TEST_LEVELS) <= set(
        QUESTIONS["test_levels"]["default"]
    )


@pytest.fixture(scope="module")
def every_regime_project(render_project: Any) -> Path:
    return render_project(
        {"compliance": ALL_REGIMES, "documentation": []}, name="every-regime"
    )


def test_rendered_files_name_and_apply_every_regime_as_the_vocabulary_says(
    every_regime_project: Path,
) -> None:
    project = every_regime_project
    compliance = (project / "docs" / "COMPLIANCE.md").read_text(encoding="utf-8")
    tasks = yaml.safe_load((project / "plan" / "tasks.yaml").read_text())
    ids = {task["id"] for task in tasks["tasks"]}
    for regime in vocabulary.REGIMES:
        assert regime.name in compliance, regime.key
        assert any(i.startswith(f"CMP-{regime.id_part}-") for i in ids), regime.key
    # The duties follow from the regimes: pseudonymisation, audit log, model card.
    pipeline_adrs = project / "packages" / "data-pipeline" / "docs" / "adr"
    assert any("pseudonymise" in p.name for p in pipeline_adrs.iterdir())
    serving_adrs = project / "packages" / "serving" / "docs" / "adr"
    assert any("audit-log" in p.name for p in serving_adrs.iterdir())
    assert (project / "docs" / "model-card.md").is_file()


def test_a_regime_brings_its_own_duties_only(render_project: Any) -> None:
    auditing_only = next(
        r for r in vocabulary.REGIMES if r.audits and not r.pseudonymises
    )
    project = render_project({"compliance": [auditing_only.key]}, name="one-regime")
    pipeline_adrs = project / "packages" / "data-pipeline" / "docs" / "adr"
    assert not any("pseudonymise" in p.name for p in pipeline_adrs.iterdir())
    serving_adrs = project / "packages" / "serving" / "docs" / "adr"
    assert any("audit-log" in p.name for p in serving_adrs.iterdir())


@pytest.mark.parametrize("which", ["default_project", "contrast_project"])
def test_owners_and_test_levels_follow_the_vocabulary(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    owners = {
        line.split()[0]: line.split()[1:]
        for line in (project / "CODEOWNERS").read_text().splitlines()
        if line.startswith("/")
    }
    for folder, roles in vocabulary.COMPONENT_OWNER_ROLES.items():
        expected = [
            f"@{m['handle']}" for m in answers["team_members"] if m["role"] in roles
        ] or [f"@{answers['use_case_owner']}"]
        assert owners[f"/{folder}/"] == expected, folder
    levels = [lv for lv in vocabulary.TEST_LEVELS if lv in answers["test_levels"]]
    suites = tomllib.loads((project / "tests" / "pyproject.toml").read_text())
    assert suites["tool"]["pytest"]["ini_options"]["testpaths"] == levels
    makefile = (project / "Makefile").read_text(encoding="utf-8")
    assert f"## The tests/ package: {', '.join(levels)} suites\n" in makefile


def test_the_model_docs_and_cli_call_a_trained_version_by_its_alias(
    default_project: Path,
) -> None:
    settings = next(default_project.glob("packages/model/src/*_model/settings.py"))
    alias = re.search(r'candidate_alias: str = "(\w+)"', settings.read_text())
    assert alias is not None
    said = [
        *default_project.glob("packages/*/README.md"),
        *default_project.glob("packages/*/RUNBOOK.md"),
        *default_project.glob("src/*/cli/model.py"),
    ]
    for path in said:
        text = path.read_text()
        assert "candidate" not in text.replace("candidate_alias", ""), path
    model_readme = default_project / "packages/model/README.md"
    assert alias.group(1) in model_readme.read_text()
