"""Fast render tests: each orchestrator answer generates its flow, and only that one.

No test here installs the generated project; test_full.py does that.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import yaml
from conftest import LONG_NAMES


def _digest(project: Path) -> dict[str, str]:
    return {
        str(path.relative_to(project)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in project.rglob("*")
        if path.is_file() and ".git" not in path.parts
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
    assert changed == own | DAGSTER_CHANGED
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
