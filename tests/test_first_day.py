"""A generated project's first day: its repository, its checks and its tests.

Fast tests: each renders a project, or uses a shared one, and runs one piece of it
(the copy's git repository, a Makefile target over small stand-in packages) with
the tools of the template's own environment.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from documents_support import code_in
from ucforge_support import BASE_ANSWERS, render

TOOLS = Path(sys.executable).parent


def tool_env(**extra: str) -> dict[str, str]:
    """The environment with this environment's tools (pytest, mypy) first on PATH."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    env["PATH"] = f"{TOOLS}{os.pathsep}{env['PATH']}"
    return {**env, **extra}


def make(
    project: Path, *arguments: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_new_repository_is_on_main_whatever_git_calls_a_new_branch(
    template_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = trunk\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    plain = tmp_path / "plain"
    subprocess.run(["git", "init", "--quiet", str(plain)], check=True)
    head = ["git", "symbolic-ref", "HEAD"]

    def branch(folder: Path) -> str:
        return subprocess.run(
            head, cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert branch(plain) == "refs/heads/trunk", "the git configuration was not read"
    project = render(template_dir, tmp_path / "project", BASE_ANSWERS)
    assert branch(project) == "refs/heads/main"


def test_no_document_asks_to_create_or_rename_the_branch_again(
    default_project: Path, contrast_project: Path
) -> None:
    renames = re.compile(r"git (init|branch -[mM]|checkout -b main|switch -c main)\b")
    for project in (default_project, contrast_project):
        for document in project.rglob("*.md"):
            text = document.read_text(encoding="utf-8")
            commands = [c for c in code_in(text) if renames.search(c)]
            assert commands == [], f"{document.relative_to(project)}: {commands}"
        readme = (project / "README.md").read_text(encoding="utf-8")
        assert "on the branch `main`" in readme


# Stand-ins for each folder `make test` runs pytest in: the rendered pyproject.toml
