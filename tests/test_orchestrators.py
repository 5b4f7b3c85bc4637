"""Each orchestrator answer generates its own way of running the pipeline's steps.

One function per orchestrator: what its answer adds to the project, that a project
with another orchestrator has none of it, and that its Python passes the checks with
the longest names the validators allow (where a line is likeliest to outgrow the
formatter). Running the flows is the generated project's own integration suite.
"""

from __future__ import annotations

import ast
import hashlib
import re
import shutil
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from markdown_support import visible_text
from test_render import changed_paths, tree_digest
from ucforge_support import LONG_NAMES

# What any orchestrator answer changes against the default (none): the CronJob and
# its volume go, the ADR and deploy docs lose their none parts, the plan registers
# the pipeline in the orchestrator, and the pins are the orchestrator's own.
INSTEAD_OF_NONE = {
    "AE01_Implementations/UC-001/03_Implementation/implementation-plan.md",
    "constraints.txt",
    "deploy/README.md",
    "deploy/base/pipeline/cronjob.yaml",
    "deploy/base/pipeline/kustomization.yaml",
    "deploy/base/pipeline/persistentvolumeclaim.yaml",
    "deploy/overlays/prod/kustomization.yaml",
    "deploy/overlays/staging/kustomization.yaml",
    "docs/adr/0007-steps-retries-and-a-schedule.md",
    "plan/tasks.yaml",
    "tests/unit/app/test_orchestration.py",
}

# The pipeline's steps; every orchestrator runs these, in this order.
STEPS = ["ingest", "features", "train", "evaluate", "promote"]


def test_orchestrator_none_adds_the_cronjob_the_runner_docs_and_scheduler_task(
    default_project: Path, shared_project: Callable[..., Path]
) -> None:
    other = shared_project("orchestrator-airflow", {"orchestrator": "airflow"})
    none = default_project
    assert (
        yaml.safe_load((none / ".copier-answers.yml").read_text())["orchestrator"]
        == "none"
    )

    pipeline = {"cronjob.yaml", "kustomization.yaml", "persistentvolumeclaim.yaml"}
    assert {p.name for p in (none / "deploy/base/pipeline").iterdir()} == pipeline
    assert not (other / "deploy/base/pipeline").exists()
    for overlay in ("staging", "prod"):
        path = f"deploy/overlays/{overlay}/kustomization.yaml"
        assert (
            "../../base/pipeline"
            in yaml.safe_load((none / path).read_text())["resources"]
        )
        assert "../../base/pipeline" not in (other / path).read_text()

    # The runner is every project's: the CronJob's command, and a team's without one.
    for project in (none, other):
        package = yaml.safe_load((project / ".copier-answers.yml").read_text())[
            "package_name"
        ]
        assert (project / "src" / package / "orchestration" / "runner.py").is_file()
        assert (project / "tests/unit/app/test_orchestration.py").is_file()
    cronjob_test = "def test_the_cronjob_runs_the_flow_on_the_schedule"
    assert cronjob_test in (none / "tests/unit/app/test_orchestration.py").read_text()
    assert (
        cronjob_test not in (other / "tests/unit/app/test_orchestration.py").read_text()
    )

    readme, other_readme = (
        (p / "README.md").read_text(encoding="utf-8") for p in (none, other)
    )
    assert "## Running on a schedule" in readme
    assert "flow run" in readme and "deploy/base/pipeline/" in readme
    assert "deploy/base/pipeline/" not in other_readme
    deploy_readme = (none / "deploy/README.md").read_text(encoding="utf-8")
    assert "## The pipeline on a schedule" in deploy_readme
    assert "## The pipeline on a schedule" not in (
        other / "deploy/README.md"
    ).read_text(encoding="utf-8")
    adr = "docs/adr/0007-steps-retries-and-a-schedule.md"
    assert "child process" in (none / adr).read_text(encoding="utf-8")
    assert "child process" not in (other / adr).read_text(encoding="utf-8")

    # The plan: a scheduler to stand up without an orchestrator, none with one.
    tasks = {
        p: [
            t["title"]
            for t in yaml.safe_load((p / "plan/tasks.yaml").read_text())["tasks"]
        ]
        for p in (none, other)
    }
    assert any(t.startswith("Stand up a scheduler") for t in tasks[none])
    assert not any(t.startswith("Stand up a scheduler") for t in tasks[other])
    assert "Register the pipeline in Apache Airflow with retries" in tasks[other]


def ruff_problems(project: Path) -> str:
    """What `ruff check` and `ruff format --check` say of the project, if anything."""
    ruff = shutil.which("ruff")
    assert ruff, "ruff is part of the template's dev dependencies"
    output = ""
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
        result = subprocess.run(
            command, cwd=project, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            output += result.stdout + result.stderr
    return output


def test_the_airflow_dag_and_the_spark_engine_render_clean_with_the_longest_names(
    shared_project: Callable[..., Path],
) -> None:
    answers = {**LONG_NAMES, "orchestrator": "airflow", "compute_engine": "spark"}
    project = shared_project("spark-airflow-long", answers)
    package = LONG_NAMES["package_name"]
    for path in (
        f"dags/{package}.py",
        f"src/{package}/orchestration/airflow_flow.py",
        "tests/integration/test_airflow_flow.py",
        "docs/adr/0008-orchestration-on-airflow.md",
        f"packages/data-pipeline/src/{package}_pipeline/spark.py",
        "packages/data-pipeline/tests/test_spark.py",
        "tests/integration/test_engine_parity.py",
    ):
        assert (project / path).is_file(), path
    dag_file = (project / f"dags/{package}.py").read_text()
    assert f"from {package}.orchestration.airflow_flow import build_dag" in dag_file
    assert ruff_problems(project) == ""


def click_commands(source: Path) -> set[str]:
    """The names given to `@<group>.command("name")` in a module."""
    names = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "command"
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(str(node.args[0].value))
    return names


# --- prefect ---------------------------------------------------------------------

PREFECT_CHANGES = {
    "README.md",
    "configs/ci.yaml",
    "configs/local.yaml",
    "configs/prod.yaml",
    "docs/adr/0008-the-pipeline-as-a-prefect-flow.md",
    "pyproject.toml",
    "src/{package}/orchestration/prefect_flow.py",
    "tests/integration/test_prefect_flow.py",
    "tests/pyproject.toml",
    "tests/src/{package}_testkit/plugin.py",
}


def test_prefect_adds_its_flow_tests_adr_and_dependency_and_nothing_else(
    render_project: Any, long_names_project: Path
) -> None:
    package = LONG_NAMES["package_name"]
    prefect = render_project({**LONG_NAMES, "orchestrator": "prefect"}, "prefect")

    changed = changed_paths(tree_digest(long_names_project), tree_digest(prefect))

    expected = {p.replace("{package}", package) for p in PREFECT_CHANGES}
    assert changed == expected | INSTEAD_OF_NONE
    assert ruff_problems(prefect) == ""
    for pyproject in ("pyproject.toml", "tests/pyproject.toml"):
        data = tomllib.loads((prefect / pyproject).read_text())
        assert "prefect>=3.9,<4" in data["project"]["dependencies"], pyproject
        before = tomllib.loads((long_names_project / pyproject).read_text())
        assert not any(
            d.startswith("prefect") for d in before["project"]["dependencies"]
        )
    readme = (prefect / "README.md").read_text()
    assert "Running on a schedule" in visible_text(readme)
    module = f"{package}.orchestration.prefect_flow"
    documented = re.findall(rf"-m {re.escape(module)} --env \w+ ([a-z]+)", readme)
    assert documented == ["run", "serve", "deploy"]
    flow_source = prefect / "src" / package / "orchestration" / "prefect_flow.py"
    assert set(documented) <= click_commands(flow_source)
    assert "Prefect" not in visible_text((long_names_project / "README.md").read_text())


# --- dagster ---------------------------------------------------------------------


def _digest(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in project.rglob("*")
        if path.is_file() and not {".git", ".ruff_cache"} & set(path.parts)
    }


def _package(project: Path) -> str:
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text())
    return str(answers["package_name"])


def _requirements(pyproject: Path, extra: str | None = None) -> list[str]:
    project = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    if extra is None:
        return list(project["dependencies"])
    return list(project["optional-dependencies"][extra])


# Dagster: a job of the steps, its test, its ADR and its dependencies.
DAGSTER_FILES = {
    "src/{package}/orchestration/dagster_flow.py",
    "tests/integration/test_dagster_flow.py",
    "docs/adr/0008-the-steps-as-a-dagster-job.md",
}
# Files that also change: the dependencies, the README's schedule section, the
# comment over `orchestration:` in each configuration, and the recorded answers.
DAGSTER_CHANGED = {
    ".copier-answers.yml",
    "README.md",
    "configs/ci.yaml",
    "configs/local.yaml",
    "configs/prod.yaml",
    "pyproject.toml",
    "tests/pyproject.toml",
}


def test_dagster_generates_its_job_test_adr_and_dependencies_only_when_chosen(
    default_project: Path, render_project: Any
) -> None:
    dagster = render_project({"orchestrator": "dagster"}, name="dagster")
    package = _package(dagster)
    own = {path.format(package=package) for path in DAGSTER_FILES}

    before, after = _digest(default_project), _digest(dagster)
    changed = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
    assert changed == own | DAGSTER_CHANGED | INSTEAD_OF_NONE
    assert not own & before.keys()
    assert not any("dagster" in name.lower() for name in before)

    assert "dagster>=1.13" in _requirements(dagster / "pyproject.toml")
    assert "dagster-webserver>=1.13" in _requirements(dagster / "pyproject.toml", "dev")
    assert "dagster>=1.13" in _requirements(dagster / "tests" / "pyproject.toml")
    for pyproject in ("pyproject.toml", "tests/pyproject.toml"):
        text = (default_project / pyproject).read_text(encoding="utf-8")
        assert "dagster" not in text.lower(), pyproject

    readme = (dagster / "README.md").read_text(encoding="utf-8")
    module = f"{package}.orchestration.dagster_flow"
    section = readme.split("## Running on a schedule", 1)[1].split("\n## ", 1)[0]
    assert f"dagster dev -m {module}" in section
    assert "docs/adr/0008-the-steps-as-a-dagster-job.md" in section
    assert "dagster" not in (default_project / "README.md").read_text().lower()
    flow = (dagster / "src" / package / "orchestration" / "dagster_flow.py").read_text()
    assert f"dagster dev -m {module}" in flow
    assert "run_step(step.name, env)" in flow


def test_dagster_flow_and_its_test_are_ruff_clean_with_the_longest_names(
    render_project: Any,
) -> None:
    project = render_project(
        {**LONG_NAMES, "orchestrator": "dagster"}, name="dagster-long"
    )
    package = _package(project)
    files = [
        f"src/{package}/orchestration/dagster_flow.py",
        "tests/integration/test_dagster_flow.py",
    ]
    ruff = shutil.which("ruff")
    assert ruff, "ruff is part of the template's dev dependencies"
    for command in ([ruff, "check", *files], [ruff, "format", "--check", *files]):
        result = subprocess.run(
            command, cwd=project, capture_output=True, text=True, check=False
        )
        assert result.returncode == 0, result.stdout + result.stderr
