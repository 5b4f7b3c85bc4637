"""Full tests: generate a project, install it, run its own checks like a new user.

Each project gets its own virtual environment (`make install`), then `make check`
(ruff, mypy, pre-commit), `make test` (every package against its coverage gate and
the suites), and its installed console script: `--help`, `plan check`, `demo`.
"""

from __future__ import annotations

import os
import subprocess
import tomllib
from pathlib import Path
from typing import Any

import pytest
from ucforge_support import BASE_ANSWERS, CONTRAST_ANSWERS

pytestmark = pytest.mark.full

COMBINATIONS = {"default": BASE_ANSWERS, "contrast": CONTRAST_ANSWERS}


def run(command: list[str], cwd: Path, timeout: int = 900) -> str:
    """Run a command in the project as a user would; fail with its output."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    result = subprocess.run(
        command,
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output[-6000:]}"
    return output


@pytest.mark.parametrize("combination", sorted(COMBINATIONS))
def test_generated_project_installs_and_passes_its_own_checks(
    combination: str, render_project: Any
) -> None:
    project = render_project(COMBINATIONS[combination], name=f"full-{combination}")
    slug = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]

    run(["make", "install"], project)
    run(["make", "check"], project)
    run(["make", "test"], project)

    script = project / ".venv" / "bin" / slug
    assert "demo" in run([str(script), "--help"], project)
    run([str(script), "plan", "check"], project)
    demo = run([str(script), "demo"], project)
    assert "prediction" in demo.lower()
