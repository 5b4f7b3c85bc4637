"""Each package of a generated project declares exactly what its code imports.

The generated `make deps` runs deptry in every package against its own
pyproject.toml: an import nobody declares, a declaration nothing imports, and an
import that only arrives through another package all fail it. Here deptry comes
from the template's dev environment; a generated project has its own in .venv.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# The workspace's packages: the application, four components and the test suites.
PACKAGES = 6


def make_deps(project: Path) -> subprocess.CompletedProcess[str]:
    """The project's own `make deps`, with deptry from this environment on PATH."""
    tools = Path(sys.executable).parent
    assert (tools / "deptry").is_file(), "deptry is missing from the dev environment"
    env = {**os.environ, "PATH": f"{tools}{os.pathsep}{os.environ['PATH']}"}
    return subprocess.run(
        ["make", "--no-print-directory", "deps"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )


@pytest.mark.parametrize(
    "fixture", ["default_project", "contrast_project", "long_names_project"]
)
def test_each_package_declares_exactly_what_its_code_imports(
    fixture: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(fixture)
    result = make_deps(project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert output.count("No dependency issues found") == PACKAGES


def test_an_import_the_package_does_not_declare_fails_make_deps(
    default_project: Path, tmp_path: Path
) -> None:
    project = Path(shutil.copytree(default_project, tmp_path / "project"))
    module = next(project.glob("packages/serving/src/*/app.py"))
    module.write_text(
        "import uvicorn\n" + module.read_text(encoding="utf-8"), encoding="utf-8"
    )
    result = make_deps(project)
    assert result.returncode != 0
    assert "DEP001 'uvicorn' imported but missing" in result.stdout + result.stderr
