"""Runs after copier has rendered the project, on copy and on update.

Copier runs tasks in the real project and, on update, in two temporary renders of
the old and new template versions; every step here is idempotent and works in all
three. Arguments arrive as a list, never through a shell.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def inside_git_work_tree(folder: Path) -> bool:
    """Whether `folder` already belongs to a git work tree."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--is-inside-work-tree"],
            cwd=folder,
            capture_output=True,
            text=True,
            check=False,
        )
    except FileNotFoundError:
        return True  # no git here: nothing to initialise, and nothing to break
    return result.returncode == 0 and result.stdout.strip() == "true"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operation", choices=["copy", "update"], required=True)
    parser.add_argument("--package", required=True)
    args = parser.parse_args(argv)
    project = Path.cwd()
    if args.operation == "copy" and not inside_git_work_tree(project):
        # A fresh repository with every file staged: pre-commit checks staged and
        # tracked files only, and the team's first commit is then one command.
        subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
        subprocess.run(["git", "add", "--all"], cwd=project, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
