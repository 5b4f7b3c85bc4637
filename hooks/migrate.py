"""Migrations that `copier update` runs in a generated project (see copier.yml).

Each subcommand is idempotent: copier may run a migration again, and running it on
an already migrated project changes nothing. Arguments arrive as a list, never
through a shell, and answers are only ever read as data.

    rename-answer OLD NEW   before the update: a renamed question keeps its answer
    move-file OLD NEW       after the update: a moved file keeps the team's edits
    render-plan             after the update: the plan markdown is rendered again
                            from the merged plan/tasks.yaml
"""

from __future__ import annotations

import argparse
import importlib
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

ANSWERS_FILE = ".copier-answers.yml"
CONFLICT_MARKER = re.compile(r"^(<{7}|={7}|>{7})( |$)", re.MULTILINE)


def rename_answer(project: Path, old: str, new: str) -> str:
    """Rename the top-level key `old` to `new` in the answers file."""
    answers = project / ANSWERS_FILE
    text = answers.read_text(encoding="utf-8")
    has_old = re.search(rf"^{re.escape(old)}:", text, re.MULTILINE)
    has_new = re.search(rf"^{re.escape(new)}:", text, re.MULTILINE)
    if not has_old:
        return f"{ANSWERS_FILE}: no answer {old!r} to rename (already migrated)"
    if has_new:
        return f"{ANSWERS_FILE}: {new!r} already answered; {old!r} left as it is"
    answers.write_text(
        re.sub(rf"^{re.escape(old)}:", f"{new}:", text, count=1, flags=re.MULTILINE),
        encoding="utf-8",
    )
    return f"{ANSWERS_FILE}: answer {old!r} is now {new!r}"


def _git(project: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    """Run git in the project when it is a repository; None otherwise."""
    if not (shutil.which("git") and (project / ".git").exists()):
        return None
    return subprocess.run(["git", *args], cwd=project, capture_output=True, check=False)


def _team_version(project: Path, old: str) -> bytes | None:
    """The team's last version of `old`: on disk, else as committed before the update.

    Copier deletes files that only the old template version had before it runs the
    migrations of the "after" stage, but it only updates a clean repository, so
    HEAD still holds the team's version of a file the new version moved.
    """
    on_disk = project / old
    if on_disk.is_file():
        return on_disk.read_bytes()
    shown = _git(project, "show", f"HEAD:{old}")
    return shown.stdout if shown is not None and shown.returncode == 0 else None


def move_file(project: Path, old: str, new: str) -> str:
    """Carry the team's version of `old` to `new`, where the template moved it.

    Template versions move a file without changing its content in the same version,
    so the template's copy at `new` equals the old file before the team's edits:
    the team's version is the right result.
    """
    content = _team_version(project, old)
    if content is None:
        return f"{old}: nothing to move (already migrated)"
    target = project / new
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_file() and target.read_bytes() == content:
        message = f"{old}: {new} already holds the team's version"
    else:
        target.write_bytes(content)
        message = f"{old}: moved to {new} with the team's edits"
    (project / old).unlink(missing_ok=True)
    _git(project, "rm", "--cached", "--quiet", "--ignore-unmatch", "--", old)
    _git(project, "add", "--", new)
    return message


def load_planning() -> ModuleType:
    """The planning engine of the template version being applied.

    `copier update` moves the project to this version's engine (its wheel and its
    pin), so the plan is rendered by the engine the project is about to install.
    """
    source = Path(__file__).resolve().parents[1] / "planning" / "src"
    sys.path.insert(0, str(source))
    return importlib.import_module("ucforge_planning")


def render_plan(project: Path) -> str:
    """Render the plan markdown from plan/tasks.yaml, unless a conflict is open."""
    tasks = project / "plan" / "tasks.yaml"
    if not tasks.exists():
        return "plan/tasks.yaml: absent, nothing to render"
    if CONFLICT_MARKER.search(tasks.read_text(encoding="utf-8")):
        return (
            "plan/tasks.yaml has conflict markers: resolve them, then run `make plan` "
            "to render the implementation plan"
        )
    engine = load_planning()
    commands = importlib.import_module(f"{engine.__name__}.commands")
    written = commands.render_plan(project)
    return f"rendered {Path(written).resolve().relative_to(project.resolve())}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("rename-answer", "move-file"):
        sub = commands.add_parser(name)
        sub.add_argument("old")
        sub.add_argument("new")
    commands.add_parser("render-plan")
    args = parser.parse_args(argv)
    project = Path.cwd()
    if args.command == "rename-answer":
        message = rename_answer(project, args.old, args.new)
    elif args.command == "move-file":
        message = move_file(project, args.old, args.new)
    else:
        message = render_plan(project)
    print(f"migration {args.command}: {message}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
