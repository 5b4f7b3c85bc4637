"""Runs after copier has rendered the project, on copy and on update.

Copier runs tasks in the real project and, on update, in two temporary renders of
the old and new template versions; every step here is idempotent and works in all
three. Arguments arrive as a list, never through a shell.
"""

from __future__ import annotations

import argparse
import subprocess
from pathlib import Path


def is_repository_root(folder: Path) -> bool:
    """Whether `folder` is the top of a git repository of its own."""
    return (folder / ".git").exists()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operation", choices=["copy", "update"], required=True)
    parser.add_argument("--package", required=True)
    args = parser.parse_args(argv)
    project = Path.cwd()
    if args.operation == "copy" and not is_repository_root(project):
        # The project is the root of its own repository even when it was generated
        # inside another one: its Makefile, pre-commit and CI files expect that.
        # Every file is staged: pre-commit checks tracked and staged files only, and
        # the team's first commit is then one command.
        subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
        subprocess.run(["git", "add", "--all"], cwd=project, check=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
