"""Runs after copier has rendered the project, on copy and on update.

Copier runs tasks in the real project and, on update, in two temporary renders of
the old and new template versions; every step here is idempotent and works in all
three. Arguments arrive as a list, never through a shell.
"""

from __future__ import annotations

import argparse
import importlib
import subprocess
import sys
from pathlib import Path

from engine_wheel import refresh_project_wheel

TEMPLATE_ROOT = Path(__file__).resolve().parents[1]


def is_repository_root(folder: Path) -> bool:
    """Whether `folder` is the top of a git repository of its own."""
    return (folder / ".git").exists()


def write_data_documents(project: Path, package: str) -> None:
    """Write the documents that describe the data with the project's own code.

    The data dictionary lists the features, which the project's feature modules
    declare; rendering it with those modules (they import no computing library)
    keeps one implementation for the copy and for `contract infer` afterwards.
    """
    sources = [project / "src", *sorted((project / "packages").glob("*/src"))]
    sys.path[:0] = [str(folder) for folder in sources]
    documents = importlib.import_module(f"{package}.documents")
    contract = importlib.import_module(f"{package}_pipeline.contract")
    found = contract.load_contract(project / contract.CONTRACT_FILE)
    documents.refresh_documents(project, found)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--operation", choices=["copy", "update"], required=True)
    parser.add_argument("--package", required=True)
    args = parser.parse_args(argv)
    project = Path.cwd()
    refresh_project_wheel(TEMPLATE_ROOT / "planning", project)
    write_data_documents(project, args.package)
    if args.operation == "copy" and not is_repository_root(project):
        # The project is the root of its own repository even when it was generated
        # inside another one: its Makefile, pre-commit and CI files expect that.
        # Every file is staged: pre-commit checks tracked and staged files only, and
        # the team's first commit is then one command.
        subprocess.run(["git", "init", "--quiet"], cwd=project, check=True)
        # `git init` names the branch after init.defaultBranch (master when unset),
        # while the documents and CI speak of main. `git init -b` needs git 2.28;
        # pointing HEAD at main before the first commit works on every version.
        subprocess.run(
            ["git", "symbolic-ref", "HEAD", "refs/heads/main"], cwd=project, check=True
        )
        # Written as one pack instead of a loose object per file (bigFileThreshold
        # streams every blob into the pack `git add` keeps open for the command):
        # staging costs one file write, not two hundred. Set for this command
        # only, so the repository's diffs treat no file as binary.
        subprocess.run(
            ["git", "-c", "core.bigFileThreshold=1", "add", "--all"],
            cwd=project,
            check=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
