"""Fast render tests of the orchestrator answer: its files appear, and only for it.

One section per orchestrator. Each renders with the longest names the validators
allow, so that the orchestrator's Python is also checked at the widest it gets.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from typing import Any

from conftest import LONG_NAMES
from markdown_support import visible_text
from test_render import changed_paths, tree_digest


def ruff_problems(project: Path) -> list[str]:
    """ruff's complaints about the project's Python, lint and format."""
    ruff = shutil.which("ruff")
    assert ruff, "ruff is part of the template's dev dependencies"
    problems = []
    for command in ([ruff, "check", "."], [ruff, "format", "--check", "."]):
        result = subprocess.run(
            command, cwd=project, capture_output=True, text=True, check=False
        )
        if result.returncode != 0:
            problems.append(result.stdout + result.stderr)
    return problems


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
    "docs/adr/0007-the-pipeline-as-a-prefect-flow.md",
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

    assert changed == {p.replace("{package}", package) for p in PREFECT_CHANGES}
    assert ruff_problems(prefect) == []
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
