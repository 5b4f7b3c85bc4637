"""The template's own Python passes the checks it asks of generated projects.

ruff lints and formats everything here (the copy-time extension, the hooks, the
tests, the planning engine); the engine, a distribution that ships type hints
(py.typed), is also checked by mypy in strict mode.
"""

from __future__ import annotations

import shutil
import subprocess
import sys

import pytest
from ucforge_support import ROOT


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), cwd=ROOT, capture_output=True, text=True, check=False
    )


@pytest.mark.parametrize(
    "command", [("check", "."), ("format", "--check", ".")], ids=["lint", "format"]
)
def test_ruff_is_clean(command: tuple[str, ...]) -> None:
    ruff = shutil.which("ruff")
    if ruff is None:
        pytest.skip("ruff is not installed")
    result = run(ruff, *command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_engine_type_checks_strictly() -> None:
    result = run(
        sys.executable, "-m", "mypy", "--strict", "--no-incremental", "planning/src"
    )
    assert result.returncode == 0, result.stdout + result.stderr
