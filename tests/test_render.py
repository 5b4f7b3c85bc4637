"""Fast render tests: what each answer does to the generated repository.

No test here installs the generated project; test_full.py does that.
"""

from __future__ import annotations

import ast
import fnmatch
import hashlib
import json
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
import ucforge_planning
import yaml
from datasets_support import CLINIC_ANSWERS, CLINIC_COLUMNS, DEMO_WORDS
from markdown_support import visible_text
from ucforge_support import CONTRAST_ANSWERS

TEXT_SUFFIXES = {".py", ".md", ".toml", ".yaml", ".yml", ".cfg", ".txt", ".json", ""}
# Opening Jinja tags: an expression, a statement or a comment (a GitHub Actions
# expression, `${{ ... }}`, is the workflow's own syntax, kept by {% raw %}).
JINJA_MARKERS = re.compile(r"(?<!\$)\{\{-?\s*[A-Za-z_(]|\{%-?\s|\{#-?\s")
PACKAGES = ["data-pipeline", "features", "model", "serving"]


# Folders that are not the render: git's, and caches the checks here leave behind.
NOT_RENDERED = {".git", ".ruff_cache", ".mypy_cache", ".pytest_cache", "__pycache__"}


def project_files(project: Path) -> list[Path]:
    return sorted(
        p
        for p in project.rglob("*")
        if p.is_file() and not NOT_RENDERED.intersection(p.parts)
    )


def text_files(project: Path) -> list[Path]:
    return [
        p
        for p in project_files(project)
        if p.suffix in TEXT_SUFFIXES
        or p.name in {"Makefile", "Dockerfile", "CODEOWNERS"}
    ]


def strings_in(value: Any) -> list[str]:
    """Every string inside a loaded YAML or JSON document."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for item in value.values() for s in strings_in(item)]
    if isinstance(value, list):
        return [s for item in value for s in strings_in(item)]
    return []


def tree_digest(project: Path) -> dict[str, str]:
    """Relative path -> content hash, without the answers file (it always differs)."""
    return {
        str(p.relative_to(project)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in project_files(project)
        if p.name != ".copier-answers.yml"
    }


def test_default_project_has_the_documented_layout(default_project: Path) -> None:
    expected = [
        "README.md",
        "ONBOARDING.md",
        "CONTRIBUTING.md",
        "CODEOWNERS",
        "Makefile",
        "pyproject.toml",
        ".pre-commit-config.yaml",
        ".github/workflows/ci.yml",
        ".github/pull_request_template.md",
        "Dockerfile",
        ".copier-answers.yml",
        "plan/tasks.yaml",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "configs/local.yaml",
        "configs/ci.yaml",
        "configs/prod.yaml",
        "deploy/README.md",
        "deploy/base/kustomization.yaml",
        "deploy/overlays/staging/kustomization.yaml",
        "deploy/overlays/prod/kustomization.yaml",
        "docs/adr/0001-record-architecture-decisions.md",
        "src/uc_001_customer_churn/cli/__init__.py",
        "tests/pyproject.toml",
        "tests/README.md",
        "tests/RUNBOOK.md",
    ]
    for package in PACKAGES:
        expected += [
            f"packages/{package}/pyproject.toml",
            f"packages/{package}/README.md",
            f"packages/{package}/RUNBOOK.md",
        ]
    missing = [path for path in expected if not (default_project / path).is_file()]
    assert missing == []
    for folder in [*(f"packages/{p}" for p in PACKAGES), "tests"]:
        adrs = list((default_project / folder / "docs" / "adr").glob("*.md"))
        assert adrs, f"{folder} has no ADR"
    assert not (default_project / ".gitlab-ci.yml").exists()


@pytest.mark.parametrize(
    "which", ["default_project", "contrast_project", "clinic_project"]
)
def test_no_file_keeps_jinja_markers(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    leftovers = [
        f"{p.relative_to(project)}:{n}: {line.strip()}"
        for p in text_files(project)
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if JINJA_MARKERS.search(line)
    ]
    assert leftovers == []
    names = [str(p.relative_to(project)) for p in project.rglob("*")]
    assert [n for n in names if JINJA_MARKERS.search(n) or n.endswith(".jinja")] == []


@pytest.mark.parametrize(
    "which", ["default_project", "contrast_project", "clinic_project"]
)
def test_rendered_files_look_hand_written(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    problems = []
    for path in text_files(project):
        text = path.read_text(encoding="utf-8")
        name = path.relative_to(project)
        if text and not text.endswith("\n"):
            problems.append(f"{name}: no newline at the end")
        if text.endswith("\n\n"):
            problems.append(f"{name}: blank lines at the end")
        if re.search(r"\n\s*\n\s*\n\s*\n", text) and path.suffix != ".py":
            problems.append(f"{name}: a run of blank lines")
        if re.search(r"[ \t]+\n", text):
            problems.append(f"{name}: trailing whitespace")
    assert problems == []


@pytest.mark.parametrize(
    "which",
    ["default_project", "contrast_project", "long_names_project", "clinic_project"],
)
def test_rendered_python_is_ruff_clean_and_formatted(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    ruff = shutil.which("ruff")
    assert ruff, "ruff is part of the template's dev dependencies"
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
        result = subprocess.run(
            command, cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    "which", ["default_project", "contrast_project", "clinic_project"]
)
def test_structured_files_parse(which: str, request: pytest.FixtureRequest) -> None:
    project: Path = request.getfixturevalue(which)
    for path in project_files(project):
        if path.suffix not in {".yaml", ".yml", ".toml", ".py", ".json"}:
            continue
        text = path.read_text(encoding="utf-8")
        if path.suffix in {".yaml", ".yml"}:
            list(yaml.safe_load_all(text))
        elif path.suffix == ".toml":
            tomllib.loads(text)
        elif path.suffix == ".py":
            ast.parse(text, filename=str(path))
        elif path.suffix == ".json":
            json.loads(text)


@pytest.mark.parametrize(
    ("which", "target"), [("default_project", 80), ("contrast_project", 85)]
)
def test_every_package_gates_coverage_at_the_answered_target(
    which: str, target: int, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    for folder in [*(f"packages/{p}" for p in PACKAGES), "tests"]:
        config = tomllib.loads((project / folder / "pyproject.toml").read_text())
        assert config["tool"]["coverage"]["report"]["fail_under"] == target, folder


# One changed answer per question, each valid together with the defaults.
CHANGED_ANSWER: dict[str, Any] = {
    "use_case_id": "UC-777",
    "use_case_name": "Fraud triage",
    "project_slug": "churn-radar",
    "package_name": "churn_radar",
    "description": "Rank accounts by the risk that they leave this quarter.",
    "problem_type": "regression",
    "data_sample": "(a CSV sample the test writes)",
    "target_column": "left_company",
    "id_column": "",
    "entity_name": "subscriber",
    "entity_plural": "subscriber accounts",
    "team_members": [CONTRAST_ANSWERS["team_members"][1]],
    "use_case_owner": "meichen",
    "start_date": "2027-01-11",
    "target_date": "2027-04-26",
    "sprint_length_weeks": "3",
    "hard_deadlines": [
        {"name": "Pilot", "date": "2027-02-15", "phase": "Data Pipeline"}
    ],
    "public_holidays": "DE-BY",
    "orchestrator": "airflow",
    "compute_engine": "spark",
    "ci_provider": "gitlab",
    "tracking_server_url": "https://mlflow.example.com",
    "existing_infrastructure": ["feature_store"],
    "coverage_target": "90",
    "test_levels": ["unit", "integration"],
    "latency_slo_p95_ms": "150",
    "throughput_slo_rps": "80",
    "primary_metric": "average_precision",
    "baseline_margin": "0.1",
    "reviewers": ["meichen"],
    "required_approvals": "2",
    "documentation": [],
    "compliance": ["soc2"],
    "plan_dir": "planning/UC-001",
}


def test_every_question_has_a_changed_answer_in_this_test() -> None:
    from ucforge_support import ROOT

    questions = {
        k
        for k in yaml.safe_load((ROOT / "copier.yml").read_text())
        if not k.startswith("_")
    }
    assert questions == set(CHANGED_ANSWER)
    assert questions == set(ANSWER_CHANGES)


# What each changed answer changes in the generated tree, relative to the default
# project: every file it adds, removes or rewrites (the answers file always changes
# and is left out). Built from real renders; when a template change moves what an
# answer reaches, the test below names the paths, and the entry is updated on
# purpose. A pattern is a path or an fnmatch glob (`*` crosses folders);
# `{package}` stands for the default package name and for the changed one.
# A glob promises that every file it matches, in either tree, changes.

# The slug follows use_case_id, use_case_name and the data answers, and the package
# name follows the slug: every file that names the package moves or changes with it.
RENAMED_PACKAGE = (
    "*{package}*",
    "Dockerfile",
    "README.md",
    "configs/*.yaml",
    "deploy/README.md",
    "deploy/base/deployment.yaml",
    "deploy/base/kustomization.yaml",
    "deploy/base/pipeline/cronjob.yaml",
    "docs/adr/0002-five-packages-in-one-repository.md",
    "docs/adr/0005-one-data-contract.md",
    "docs/adr/0006-the-planning-engine-as-a-dependency.md",
    "docs/adr/0007-steps-retries-and-a-schedule.md",
    "docs/data-dictionary.md",
    "packages/*/README.md",
    "packages/*/pyproject.toml",
    "packages/*/tests/[!_]*.py",
    "packages/data-pipeline/RUNBOOK.md",
    "packages/features/RUNBOOK.md",
    "packages/serving/RUNBOOK.md",
    "packages/serving/docs/adr/0003-online-features-from-training-code.md",
    "pyproject.toml",
    "tests/*.py",
    "tests/README.md",
    "tests/docs/adr/0001-five-test-levels-and-one-plugin.md",
    "tests/pyproject.toml",
)

ANSWER_CHANGES: dict[str, tuple[str, ...]] = {
    "compute_engine": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "README.md",
        "configs/*.yaml",
        "packages/data-pipeline/docs/adr/0001-duckdb-through-ibis.md",
        "packages/data-pipeline/docs/adr/0004-spark-through-the-same-ibis-code.md",
        "packages/data-pipeline/pyproject.toml",
        "packages/data-pipeline/src/{package}_pipeline/spark.py",
        "packages/data-pipeline/tests/test_engine.py",
        "packages/data-pipeline/tests/test_spark.py",
        "plan/tasks.yaml",
        "tests/integration/test_engine_parity.py",
    ),
    "baseline_margin": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "README.md",
        "configs/*.yaml",
        "docs/model-card.md",
        "packages/model/README.md",
        "packages/model/RUNBOOK.md",
        "packages/model/docs/adr/0002-promotion-gate-baseline-and-margin.md",
        "packages/model/src/{package}_model/settings.py",
        "packages/model/tests/test_settings.py",
        "plan/tasks.yaml",
        "tests/README.md",
        "tests/model/test_model_quality.py",
    ),
    "ci_provider": (
        ".github/pull_request_template.md",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        ".gitlab/merge_request_templates/Default.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "docs/adr/0003-ci-on-github.md",
        "docs/adr/0003-ci-on-gitlab.md",
        "plan/tasks.yaml",
    ),
    "compliance": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "README.md",
        "configs/*.yaml",
        "deploy/README.md",
        "deploy/base/deployment.yaml",
        "docs/COMPLIANCE.md",
        "docs/api.md",
        "docs/model-card.md",
        "packages/serving/README.md",
        "packages/serving/RUNBOOK.md",
        "packages/serving/docs/adr/0004-audit-log-of-predictions.md",
        "plan/tasks.yaml",
    ),
    "coverage_target": (
        ".github/pull_request_template.md",
        ".github/workflows/ci.yml",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "README.md",
        "packages/*/README.md",
        "packages/*/pyproject.toml",
        "plan/tasks.yaml",
        "tests/README.md",
        "tests/RUNBOOK.md",
        "tests/docs/adr/0001-five-test-levels-and-one-plugin.md",
        "tests/pyproject.toml",
    ),
    "data_sample": (
        *RENAMED_PACKAGE,
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "Makefile",
        "ONBOARDING.md",
        "contract.yaml",
        "deploy/*",
        "docs/api.md",
        "docs/model-card.md",
        "packages/model/RUNBOOK.md",
        "packages/serving/docs/adr/0005-the-model-baked-into-the-image.md",
        "plan/tasks.yaml",
    ),
    "description": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "README.md",
        "deploy/base/deployment.yaml",
        "docs/model-card.md",
        "plan/tasks.yaml",
        "pyproject.toml",
    ),
    "documentation": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "README.md",
        "configs/*.yaml",
        "docs/api.md",
        "docs/data-dictionary.md",
        "docs/model-card.md",
        "packages/model/README.md",
        "packages/model/RUNBOOK.md",
        "packages/model/docs/adr/0004-model-card-per-version.md",
        "packages/model/src/{package}_model/settings.py",
        "packages/serving/README.md",
        "plan/tasks.yaml",
    ),
    "entity_name": (
        "README.md",
        "contract.yaml",
        "docs/api.md",
        "docs/data-dictionary.md",
        "docs/model-card.md",
        "packages/data-pipeline/README.md",
    ),
    "entity_plural": (
        "contract.yaml",
        "docs/api.md",
        "docs/model-card.md",
        "packages/data-pipeline/README.md",
    ),
    "existing_infrastructure": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "docs/adr/0004-reuse-existing-infrastructure.md",
        "packages/features/README.md",
        "packages/features/docs/adr/0001-one-definition-for-training-and-serving.md",
        "plan/tasks.yaml",
    ),
    "hard_deadlines": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "plan/tasks.yaml",
    ),
    "public_holidays": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "plan/tasks.yaml",
    ),
    "id_column": (
        "README.md",
        "contract.yaml",
        "docs/api.md",
        "docs/data-dictionary.md",
    ),
    "latency_slo_p95_ms": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "README.md",
        "docs/api.md",
        "packages/serving/RUNBOOK.md",
        "plan/tasks.yaml",
        "tests/RUNBOOK.md",
        "tests/docs/adr/0002-performance-as-properties-and-a-benchmark.md",
        "tests/performance/bench_serving.py",
    ),
    "orchestrator": (
        "README.md",
        "configs/*.yaml",
        "dags/{package}.py",
        "docs/adr/0008-orchestration-on-airflow.md",
        "pyproject.toml",
        "src/{package}/orchestration/airflow_flow.py",
        "tests/integration/test_airflow_flow.py",
        "tests/pyproject.toml",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "constraints.txt",
        "deploy/README.md",
        "deploy/base/pipeline/*",
        "deploy/overlays/*/kustomization.yaml",
        "docs/adr/0007-steps-retries-and-a-schedule.md",
        "plan/tasks.yaml",
        "tests/unit/app/test_orchestration.py",
    ),
    "package_name": RENAMED_PACKAGE,
    "plan_dir": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CODEOWNERS",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "README.md",
        "packages/*/README.md",
        "plan/tasks.yaml",
        "planning/UC-001/implementation-plan.md",
        "tests/README.md",
    ),
    "primary_metric": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "README.md",
        "configs/*.yaml",
        "docs/model-card.md",
        "packages/model/README.md",
        "packages/model/RUNBOOK.md",
        "packages/model/docs/adr/0002-promotion-gate-baseline-and-margin.md",
        "packages/model/src/{package}_model/settings.py",
        "packages/model/tests/test_evaluate.py",
        "packages/model/tests/test_plots.py",
        "packages/model/tests/test_report.py",
        "packages/model/tests/test_settings.py",
        "packages/model/tests/test_train.py",
        "plan/tasks.yaml",
        "tests/README.md",
        "tests/model/test_model_quality.py",
    ),
    "problem_type": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "README.md",
        "configs/*.yaml",
        "contract.yaml",
        "docs/api.md",
        "docs/data-dictionary.md",
        "docs/model-card.md",
        "packages/data-pipeline/RUNBOOK.md",
        "packages/model/README.md",
        "packages/model/RUNBOOK.md",
        "packages/model/docs/adr/0002-promotion-gate-baseline-and-margin.md",
        "packages/model/docs/adr/0003-gradient-boosting-on-one-hot-features.md",
        "packages/model/docs/adr/0005-tuned-on-leak-free-folds.md",
        "packages/model/src/{package}_model/arrays.py",
        "packages/model/src/{package}_model/data.py",
        "packages/model/src/{package}_model/evaluate.py",
        "packages/model/src/{package}_model/fairness.py",
        "packages/model/src/{package}_model/jobs.py",
        "packages/model/src/{package}_model/plots.py",
        "packages/model/src/{package}_model/report.py",
        "packages/model/src/{package}_model/settings.py",
        "packages/model/src/{package}_model/train.py",
        "packages/model/tests/conftest.py",
        "packages/model/tests/test_arrays.py",
        "packages/model/tests/test_data.py",
        "packages/model/tests/test_evaluate.py",
        "packages/model/tests/test_fairness.py",
        "packages/model/tests/test_jobs.py",
        "packages/model/tests/test_plots.py",
        "packages/model/tests/test_report.py",
        "packages/model/tests/test_settings.py",
        "packages/model/tests/test_train.py",
        "packages/serving/src/{package}_serving/api_doc.py",
        "packages/serving/src/{package}_serving/contracts.py",
        "packages/serving/src/{package}_serving/inference.py",
        "packages/serving/src/{package}_serving/loading.py",
        "packages/serving/tests/test_app.py",
        "plan/tasks.yaml",
        "tests/README.md",
        "tests/model/test_model_quality.py",
    ),
    "project_slug": (
        *RENAMED_PACKAGE,
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "Makefile",
        "deploy/*",
        "docs/api.md",
        "docs/model-card.md",
        "packages/model/RUNBOOK.md",
        "packages/serving/docs/adr/0005-the-model-baked-into-the-image.md",
        "plan/tasks.yaml",
    ),
    "required_approvals": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CODEOWNERS",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "docs/adr/0003-ci-on-github.md",
        "plan/tasks.yaml",
    ),
    "reviewers": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CODEOWNERS",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "plan/tasks.yaml",
    ),
    "sprint_length_weeks": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "README.md",
        "plan/tasks.yaml",
    ),
    "start_date": (
        "*docs/adr/*.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "README.md",
        "plan/tasks.yaml",
    ),
    "target_column": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "README.md",
        "contract.yaml",
        "docs/api.md",
        "docs/data-dictionary.md",
        "docs/model-card.md",
        "plan/tasks.yaml",
    ),
    "target_date": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "README.md",
        "plan/tasks.yaml",
    ),
    "team_members": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CODEOWNERS",
        "CONTRIBUTING.md",
        "ONBOARDING.md",
        "README.md",
        "docs/adr/0001-record-architecture-decisions.md",
        "docs/adr/0002-five-packages-in-one-repository.md",
        "docs/adr/0003-ci-on-github.md",
        "docs/adr/0005-one-data-contract.md",
        "docs/adr/0006-the-planning-engine-as-a-dependency.md",
        "docs/adr/0007-steps-retries-and-a-schedule.md",
        "docs/data-dictionary.md",
        "docs/model-card.md",
        "packages/data-pipeline/docs/adr/0001-duckdb-through-ibis.md",
        "packages/data-pipeline/docs/adr/0002-quarantine-instead-of-failing-the-batch.md",
        "packages/data-pipeline/docs/adr/0005-every-rule-judged-once.md",
        "packages/features/README.md",
        "packages/features/docs/adr/0001-one-definition-for-training-and-serving.md",
        "packages/features/docs/adr/0002-feature-version-from-compiled-logic.md",
        "packages/features/docs/adr/0003-population-stability-index-for-drift.md",
        "packages/features/src/{package}_features/definitions.py",
        "packages/model/docs/adr/0001-mlflow-tracking-and-registry.md",
        "packages/model/docs/adr/0002-promotion-gate-baseline-and-margin.md",
        "packages/model/docs/adr/0005-tuned-on-leak-free-folds.md",
        "plan/tasks.yaml",
        "pyproject.toml",
    ),
    "test_levels": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "Makefile",
        "README.md",
        "packages/model/docs/adr/0005-tuned-on-leak-free-folds.md",
        "packages/serving/RUNBOOK.md",
        "packages/serving/docs/adr/0006-micro-batching-of-concurrent-requests.md",
        "plan/tasks.yaml",
        "tests/README.md",
        "tests/RUNBOOK.md",
        "tests/chaos/test_failure_modes.py",
        "tests/docs/adr/0001-five-test-levels-and-one-plugin.md",
        "tests/docs/adr/0002-performance-as-properties-and-a-benchmark.md",
        "tests/model/test_model_quality.py",
        "tests/performance/bench_pipeline.py",
        "tests/performance/bench_serving.py",
        "tests/performance/bench_train.py",
        "tests/performance/test_bench_pipeline.py",
        "tests/performance/test_bench_serving.py",
        "tests/performance/test_serving_limits.py",
        "tests/performance/test_bench_train.py",
        "tests/pyproject.toml",
    ),
    "throughput_slo_rps": (
        ".github/pull_request_template.md",
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "README.md",
        "docs/api.md",
        "packages/serving/RUNBOOK.md",
        "plan/tasks.yaml",
        "tests/RUNBOOK.md",
        "tests/docs/adr/0002-performance-as-properties-and-a-benchmark.md",
        "tests/performance/bench_serving.py",
    ),
    "tracking_server_url": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "configs/prod.yaml",
        "deploy/README.md",
        "deploy/base/deployment.yaml",
        "deploy/base/kustomization.yaml",
        "deploy/base/pipeline/cronjob.yaml",
        "docs/adr/0004-reuse-existing-infrastructure.md",
        "packages/model/docs/adr/0001-mlflow-tracking-and-registry.md",
        "plan/tasks.yaml",
    ),
    "use_case_id": (
        *RENAMED_PACKAGE,
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "AE01_Implementations/UC-777/03_Implementation/implementation-plan.md",
        "CODEOWNERS",
        "CONTRIBUTING.md",
        "Makefile",
        "ONBOARDING.md",
        "contract.yaml",
        "deploy/*",
        "docs/adr/0001-record-architecture-decisions.md",
        "docs/api.md",
        "docs/model-card.md",
        "packages/model/RUNBOOK.md",
        "packages/serving/docs/adr/0005-the-model-baked-into-the-image.md",
        "plan/tasks.yaml",
        "tests/RUNBOOK.md",
    ),
    "use_case_name": (
        *RENAMED_PACKAGE,
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CONTRIBUTING.md",
        "Makefile",
        "ONBOARDING.md",
        "deploy/*",
        "docs/api.md",
        "docs/model-card.md",
        "packages/model/RUNBOOK.md",
        "packages/serving/docs/adr/0005-the-model-baked-into-the-image.md",
        "plan/tasks.yaml",
    ),
    "use_case_owner": (
        "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
        "CODEOWNERS",
        "ONBOARDING.md",
        "README.md",
        "docs/adr/0002-five-packages-in-one-repository.md",
        "docs/adr/0003-ci-on-github.md",
        "docs/adr/0005-one-data-contract.md",
        "docs/adr/0006-the-planning-engine-as-a-dependency.md",
        "docs/adr/0007-steps-retries-and-a-schedule.md",
        "docs/model-card.md",
        "packages/data-pipeline/docs/adr/0002-quarantine-instead-of-failing-the-batch.md",
        "packages/data-pipeline/docs/adr/0005-every-rule-judged-once.md",
        "packages/features/docs/adr/0002-feature-version-from-compiled-logic.md",
        "packages/features/docs/adr/0003-population-stability-index-for-drift.md",
        "packages/model/docs/adr/0001-mlflow-tracking-and-registry.md",
        "packages/model/docs/adr/0002-promotion-gate-baseline-and-margin.md",
        "packages/model/docs/adr/0005-tuned-on-leak-free-folds.md",
        "plan/tasks.yaml",
        "pyproject.toml",
    ),
}


def changed_paths(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """Paths added, removed or rewritten between two tree digests."""
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def paths_matching(
    patterns: tuple[str, ...], paths: set[str], packages: set[str]
) -> dict[str, set[str]]:
    """Each pattern of a table entry, with the paths it stands for."""
    return {
        pattern: {
            path
            for path in paths
            for package in packages
            if fnmatch.fnmatchcase(path, pattern.replace("{package}", package))
        }
        for pattern in patterns
    }


def package_of(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["package_name"])


@pytest.mark.parametrize("question", sorted(CHANGED_ANSWER))
def test_each_answer_changes_exactly_the_files_the_table_names(
    question: str,
    default_project: Path,
    render_project: Any,
    clinic_sample: Path,
) -> None:
    answer = CHANGED_ANSWER[question]
    answers = {question: answer}
    if question == "data_sample":
        answer = str(clinic_sample)
        answers = {"data_sample": answer, "target_column": "readmitted"}
    changed = render_project(answers, name=question)
    recorded = yaml.safe_load((changed / ".copier-answers.yml").read_text())
    assert recorded[question] == answer

    before, after = tree_digest(default_project), tree_digest(changed)
    observed = changed_paths(before, after)
    matches = paths_matching(
        ANSWER_CHANGES[question],
        before.keys() | after.keys(),
        {package_of(default_project), package_of(changed)},
    )
    expected = set().union(*matches.values())
    unexpected = sorted(observed - expected)
    missing = sorted(expected - observed)
    stale = sorted(pattern for pattern, paths in matches.items() if not paths)
    assert (unexpected, missing, stale) == ([], [], []), (
        f"{question}: the files this answer changes are not the ones "
        f"ANSWER_CHANGES[{question!r}] names; if the template now means it, "
        "update the entry.\n"
        + "".join(
            f"  {label}:\n" + "".join(f"    {path}\n" for path in paths)
            for label, paths in (
                ("changed, not in the table", unexpected),
                ("in the table, unchanged", missing),
                ("patterns that match no file", stale),
            )
            if paths
        )
    )


HOSTILE = 'Churn "radar" {{ 7*7 }} #1: café — 😀 $(touch PWNED); `id` \\ end'


def test_hostile_free_text_answers_stay_data(
    render_project: Any, tmp_path: Path
) -> None:
    team = [
        {
            "name": 'O\'Brien "Bob" {{ 7*7 }}: #x',
            "handle": "obrien",
            "email": "bob@example.com",
            "role": "ml_engineer",
            "expertise": "senior",
        },
        {
            "name": "Zoë Ünal",
            "handle": "zoe",
            "email": "zoe@example.com",
            "role": "data_engineer",
            "expertise": "junior",
        },
    ]
    project = render_project(
        {
            "use_case_name": HOSTILE[:80],
            "description": HOSTILE,
            "team_members": team,
            "hard_deadlines": [{"name": HOSTILE[:80], "date": "2027-02-01"}],
        },
        name="hostile",
    )
    assert not list(project.parent.rglob("PWNED"))
    assert not (Path.cwd() / "PWNED").exists()
    for path in project_files(project):
        if path.suffix in {".yaml", ".yml"}:
            list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
        elif path.suffix == ".toml":
            tomllib.loads(path.read_text(encoding="utf-8"))
        elif path.suffix == ".py":
            ast.parse(path.read_text(encoding="utf-8"))
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())
    assert pyproject["project"]["description"] == HOSTILE
    assert pyproject["project"]["authors"][0]["name"] == team[0]["name"]
    readme = (project / "README.md").read_text(encoding="utf-8")
    unescaped = re.sub(r"\\(.)", r"\1", readme)
    assert HOSTILE in unescaped
    assert "49" not in readme
    onboarding = re.sub(r"\\(.)", r"\1", (project / "ONBOARDING.md").read_text())
    assert team[0]["name"] in onboarding and "Zoë Ünal" in onboarding
    tasks = yaml.safe_load((project / "plan" / "tasks.yaml").read_text())
    assert HOSTILE[:80] in strings_in(tasks)


# Answers full of Markdown and HTML, each with a word no template holds, so a
# document that shows the answer can be found by that word.
MARKUP_ANSWERS = {
    "use_case_name": "Qzname <!-- c --> *b* `k` &lt;i&gt; <b>t</b> [l](u) _u_ ~s~ | #",
    "description": "- Qzdesc: <em>x</em> &amp; &#60; **y** $m$ :smile: [r]: u > q",
}
MARKUP_MEMBER = "Qzmember &lt;b&gt; <i>Ann</i> *Bo* | `x`_"
MARKUP_DEADLINE = "Qzdeadline <script>x</script> ~~y~~ & [z]"


def test_free_text_reads_as_typed_in_every_document_and_the_answers_file(
    render_project: Any,
) -> None:
    team = [
        {
            "name": MARKUP_MEMBER,
            "handle": "ann",
            "email": "ann@example.com",
            "role": "ml_engineer",
            "expertise": "senior",
        },
        {
            "name": "Bo Ek",
            "handle": "bo",
            "email": "bo@example.com",
            "role": "data_scientist",
            "expertise": "intermediate",
        },
    ]
    deadlines = [{"name": MARKUP_DEADLINE, "date": "2027-02-01"}]
    project = render_project(
        {**MARKUP_ANSWERS, "team_members": team, "hard_deadlines": deadlines},
        name="markup",
    )
    typed = {
        "Qzname": MARKUP_ANSWERS["use_case_name"],
        "Qzdesc": MARKUP_ANSWERS["description"],
        "Qzmember": MARKUP_MEMBER,
        "Qzdeadline": MARKUP_DEADLINE,
    }
    seen_in: dict[str, list[str]] = {word: [] for word in typed}
    for document in sorted(project.rglob("*.md")):
        shown = visible_text(document.read_text(encoding="utf-8"))
        for word, answer in typed.items():
            if word in shown:
                name = str(document.relative_to(project))
                assert " ".join(answer.split()) in shown, (name, answer)
                seen_in[word].append(name)
    # Each answer is shown somewhere, so the check above has checked something.
    assert seen_in["Qzname"] and "README.md" in seen_in["Qzname"]
    assert "README.md" in seen_in["Qzdesc"]
    assert "ONBOARDING.md" in seen_in["Qzmember"]
    assert any(
        name.endswith("implementation-plan.md") for name in seen_in["Qzdeadline"]
    )
    saved = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert saved["use_case_name"] == MARKUP_ANSWERS["use_case_name"]
    assert saved["description"] == MARKUP_ANSWERS["description"]
    assert saved["team_members"] == team
    assert saved["hard_deadlines"] == deadlines


def test_contrast_answers_reach_ci_owners_docs_and_tests(
    contrast_project: Path,
) -> None:
    project = contrast_project
    assert (project / ".gitlab-ci.yml").is_file()
    assert (project / ".gitlab/merge_request_templates/Default.md").is_file()
    assert not (project / ".github").exists()
    codeowners = (project / "CODEOWNERS").read_text()
    assert "* @amara.okafor" in codeowners
    assert "/packages/model/ @jweber" in codeowners
    compliance = (project / "docs/COMPLIANCE.md").read_text()
    assert "## GDPR" in compliance and "## HIPAA" in compliance
    assert "audit log" in compliance
    assert (project / "docs/adr/0004-reuse-existing-infrastructure.md").is_file()
    assert "mlflow.internal.example.org" in (project / "configs/prod.yaml").read_text()
    for level in ("performance", "chaos"):
        assert not (project / "tests" / level).exists()
    assert (project / "tests" / "model").is_dir()
    assert not (project / "docs/api.md").exists()
    assert "bench:" not in (project / "Makefile").read_text()
    assert (project / "AE01_Implementations/UC-117/03_Implementation").is_dir()


def test_default_answers_generate_the_optional_documents(default_project: Path) -> None:
    for document in ("docs/api.md", "docs/model-card.md", "docs/data-dictionary.md"):
        assert (default_project / document).is_file(), document
    assert not (default_project / "docs/COMPLIANCE.md").exists()
    assert not list((default_project / "docs/adr").glob("0004-*"))


def test_a_project_generated_inside_another_repository_gets_its_own(
    template_dir: Path, tmp_path: Path
) -> None:
    outer = tmp_path / "monorepo"
    outer.mkdir()
    subprocess.run(["git", "init", "--quiet"], cwd=outer, check=True)
    from ucforge_support import BASE_ANSWERS, render

    project = render(template_dir, outer / "uc-001", BASE_ANSWERS)
    top = subprocess.run(
        ["git", "rev-parse", "--show-toplevel"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert Path(top).resolve() == project.resolve()
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert "Makefile" in staged and ".copier-answers.yml" in staged


def test_the_first_copy_stages_every_file_in_one_pack(default_project: Path) -> None:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args],
            cwd=default_project,
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    counts = dict(line.split(": ") for line in git("count-objects", "-v").splitlines())
    staged = git("ls-files", "--cached").splitlines()
    assert counts["count"] == "0" and counts["packs"] == "1"
    assert int(counts["in-pack"]) >= len(staged) > 100
    # The threshold was the staging command's only: text files still diff as text
    # (numstat counts their lines; it prints "-" for a file it takes as binary).
    numstat = {
        name: added
        for added, _, name in (
            line.split("\t")
            for line in git("diff", "--cached", "--numstat").splitlines()
        )
    }
    assert numstat["Makefile"].isdigit() and int(numstat["Makefile"]) > 10


def test_a_project_for_another_contract_never_speaks_of_the_demo(
    clinic_project: Path,
) -> None:
    hits = [
        f"{path.relative_to(clinic_project)}:{number}: {word}"
        for path in text_files(clinic_project)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        for word in DEMO_WORDS
        if word in line.lower()
    ]
    assert hits == []


def test_the_contract_is_inferred_from_the_sample_at_copy_time(
    clinic_project: Path, clinic_sample: Path
) -> None:
    text = (clinic_project / "contract.yaml").read_text(encoding="utf-8")
    contract = yaml.safe_load(text)
    assert contract["entity"] == {"singular": "patient", "plural": "patients"}
    assert contract["id_column"] == "patient_ref"
    assert contract["event_time"] == "admitted_on"
    assert contract["label"]["name"] == "readmitted"
    assert contract["label"]["positive"] == "yes"
    columns = {column["name"]: column for column in contract["columns"]}
    assert tuple(columns) == CLINIC_COLUMNS
    assert columns["ward"]["type"] == "category" and columns["ward"]["nullable"]
    assert columns["systolic_bp"]["type"] == "number"
    assert columns["smoker"]["type"] == "boolean"
    assert columns["age"]["type"] == "integer"
    assert columns["contact_email"]["personal"] is True
    assert columns["admitted_on"]["type"] == "date"
    readme = (clinic_project / "README.md").read_text(encoding="utf-8")
    assert "`systolic_bp`" in readme and "one patient per row" in readme
    assert clinic_sample.name in text
    sample_rows = clinic_sample.read_text(encoding="utf-8").splitlines()[1:3]
    for path in project_files(clinic_project):
        content = path.read_text(encoding="utf-8", errors="ignore")
        assert not any(row in content for row in sample_rows), path


def test_a_copy_without_a_sample_gets_the_demo_contract_with_the_answered_label(
    default_project: Path, contrast_project: Path
) -> None:
    demo = yaml.safe_load((default_project / "contract.yaml").read_text())
    assert demo["entity"]["singular"] == "customer"
    assert demo["label"] == {
        "name": "churned",
        "description": "1 when the customer cancelled in the following month",
        "positive": "1",
        "negative": "0",
    }
    regression = yaml.safe_load((contrast_project / "contract.yaml").read_text())
    assert regression["problem_type"] == "regression"
    assert regression["label"]["name"] == "next_month_spend"
    assert "positive" not in regression["label"]


def test_the_project_holds_its_plan_and_a_pinned_engine_not_the_engine_code(
    default_project: Path,
) -> None:
    version = ucforge_planning.__version__
    wheel = f"wheels/ucforge_planning-{version}-py3-none-any.whl"
    assert [p.name for p in (default_project / "wheels").iterdir()] == [
        Path(wheel).name
    ]
    pyproject = tomllib.loads((default_project / "pyproject.toml").read_text())
    assert f"ucforge-planning=={version}" in pyproject["project"]["dependencies"]
    assert pyproject["tool"]["uv"]["sources"]["ucforge-planning"] == {"path": wheel}
    makefile = (default_project / "Makefile").read_text(encoding="utf-8")
    assert f"ENGINE := {wheel}\n" in makefile
    assert f"./{wheel}" in (default_project / "Dockerfile").read_text()
    # No module of the engine is rendered into the project: it is installed.
    engine_modules = {p.name for p in Path(ucforge_planning.__file__).parent.iterdir()}
    engine_modules -= {"__init__.py", "errors.py", "model.py", "py.typed"}
    assert {"catalogue.py", "schedule.py"} <= engine_modules
    rendered = {p.name for p in project_files(default_project)}
    assert rendered & engine_modules == set()
    assert (default_project / "plan" / "tasks.yaml").is_file()


# Documents a team keeps and edits; the data words in them must follow the contract.
KEPT_DOCUMENTS = (
    "README.md",
    "ONBOARDING.md",
    "docs/adr/*.md",
    "packages/*/README.md",
    "packages/*/RUNBOOK.md",
    "packages/*/docs/adr/*.md",
    "tests/README.md",
    "tests/RUNBOOK.md",
)
# The sections `contract infer` and `features docs` rewrite from the contract.
REWRITTEN_SECTION = re.compile(
    r"<!-- (data-contract|model-card-data|pipeline-outputs):begin -->.*?"
    r"<!-- \1:end -->",
    re.DOTALL,
)


def test_kept_documents_name_the_data_only_where_contract_infer_rewrites_them(
    clinic_project: Path,
) -> None:
    contract = yaml.safe_load((clinic_project / "contract.yaml").read_text())
    entity = contract["entity"]
    dataset = entity["plural"].lower()
    words = {
        entity["singular"],
        entity["plural"],
        contract["label"]["name"],
        f"{contract['event_time']}_month",
        f"data/raw/{dataset}",
        f"{dataset}.parquet",
    }
    hits = []
    for pattern in KEPT_DOCUMENTS:
        for path in sorted(clinic_project.glob(pattern)):
            text = REWRITTEN_SECTION.sub("", path.read_text(encoding="utf-8"))
            text = text.replace(CLINIC_ANSWERS["description"], "")
            hits += [
                f"{path.relative_to(clinic_project)}: {word}"
                for word in sorted(words)
                if re.search(rf"(?<![\w/-]){re.escape(word)}(?![\w-])", text)
            ]
    assert hits == []


def test_the_pipeline_benchmark_comes_with_the_performance_level(
    default_project: Path, contrast_project: Path
) -> None:
    makefile = (default_project / "Makefile").read_text()
    assert re.search(
        r"^bench-pipeline: ## .+\n\tpython tests/performance/bench_pipeline\.py$",
        makefile,
        re.MULTILINE,
    )
    assert (default_project / "tests/performance/bench_pipeline.py").is_file()
    assert "`make bench-pipeline`" in (default_project / "README.md").read_text()
    for document in ("Makefile", "README.md"):
        assert "bench-pipeline" not in (contrast_project / document).read_text()
