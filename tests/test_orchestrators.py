"""Each orchestrator answer renders its flow, and the flow's code passes the checks.

What each answer adds is listed in test_render.py (ANSWER_CHANGES); here the
rendered flow is checked with the longest names the validators allow, where a
line is likeliest to outgrow the formatter. Running the flows is the generated
project's own integration suite.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from conftest import LONG_NAMES


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


def test_the_airflow_dag_renders_clean_with_the_longest_names(
    shared_project: Callable[..., Path],
) -> None:
    project = shared_project("airflow-long", {**LONG_NAMES, "orchestrator": "airflow"})
    package = LONG_NAMES["package_name"]
    for path in (
        f"dags/{package}.py",
        f"src/{package}/orchestration/airflow_flow.py",
        "tests/integration/test_airflow_flow.py",
        "docs/adr/0007-orchestration-on-airflow.md",
    ):
        assert (project / path).is_file(), path
    dag_file = (project / f"dags/{package}.py").read_text()
    assert f"from {package}.orchestration.airflow_flow import build_dag" in dag_file
    assert ruff_problems(project) == ""
