"""Times `copier copy` and `copier update` of ucforge against a floor template.

The floor template holds the very files a default copy of ucforge produces, as
plain files: no Jinja, no extensions, no questions, no tasks, no migrations. It
is what copier itself costs for that many files, so the ratio ucforge / floor is
what ucforge adds. Both templates live in temporary git repositories with two
tagged versions, v1.0.0 and v2.0.0 (the second one edits a document and adds
one), as a release would; the floor's versions are ucforge's two default copies.

Runs alternate ucforge, floor, ucforge, floor...; each figure is the median of
the rounds (5 unless `--rounds`). Run it from the template repository:

    python benchmarks/copy_update.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import functools
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The template's tests snapshot the checkout leaving out the same folders.
sys.path.insert(0, str(ROOT / "tests"))
from ucforge_support import IGNORED  # noqa: E402

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Benchmark",
    "GIT_AUTHOR_EMAIL": "benchmark@example.com",
    "GIT_COMMITTER_NAME": "Benchmark",
    "GIT_COMMITTER_EMAIL": "benchmark@example.com",
}
# Fixed dates, so both versions plan the same calendar whatever day it runs.
ANSWERS = ("start_date=2027-01-04", "target_date=2027-03-29")
FLOOR_SETTINGS = "_subdirectory: template\n_answers_file: .copier-answers.yml\n"
ANSWERS_TEMPLATE = (
    "# Changes here will be overwritten by Copier\n"
    "{{ _copier_answers|to_nice_yaml -}}\n"
)


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        check=True,
        capture_output=True,
    )


def commit_and_tag(repo: Path, tag: str) -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", tag)
    git(repo, "tag", tag)


def copier(*args: str, cwd: Path | None = None) -> None:
    """Copier's command line, as a team runs it, in this Python's environment."""
    result = subprocess.run(
        [sys.executable, "-m", "copier", *args],
        cwd=cwd,
        env={**os.environ, **GIT_ENV},
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise SystemExit(f"copier {' '.join(args)} failed:\n{result.stderr}")


def copy(template: Path, destination: Path, ref: str) -> None:
    data = [part for answer in ANSWERS for part in ("--data", answer)]
    copier(
        "copy",
        "--trust",
        "--defaults",
        "--quiet",
        "-r",
        ref,
        *data,
        str(template),
        str(destination),
    )


def update(project: Path, ref: str) -> None:
    copier(
        "update",
        "--trust",
        "--defaults",
        "--quiet",
        "-r",
        ref,
        cwd=project,
    )


def release_b(template_dir: Path) -> None:
    """Version B: an edited document and a new one, as most releases are."""
    contributing = template_dir / "CONTRIBUTING.md.jinja"
    text = contributing.read_text(encoding="utf-8")
    contributing.write_text(
        text + "\n- Every public function has a docstring.\n", encoding="utf-8"
    )
    (template_dir / "docs" / "SECURITY.md.jinja").write_text(
        "# Security\n\nReport vulnerabilities in {{ use_case_id }} to the owner.\n",
        encoding="utf-8",
    )


def ucforge_repo(where: Path) -> Path:
    repo = where / "ucforge"
    shutil.copytree(ROOT, repo, ignore=IGNORED)
    git(repo, "init", "--quiet", "--initial-branch", "main")
    commit_and_tag(repo, "v1.0.0")
    release_b(repo / "template")
    commit_and_tag(repo, "v2.0.0")
    return repo


def floor_files(project: Path, template_dir: Path) -> None:
    """The copy's files, verbatim, as the floor's template tree."""
    if template_dir.exists():
        shutil.rmtree(template_dir)
    shutil.copytree(project, template_dir, ignore=shutil.ignore_patterns(".git"))
    (template_dir / ".copier-answers.yml").unlink()
    (template_dir / "{{ _copier_conf.answers_file }}.jinja").write_text(
        ANSWERS_TEMPLATE, encoding="utf-8"
    )


def floor_repo(where: Path, ucforge: Path) -> Path:
    """The floor: ucforge's default copies at v1.0.0 and v2.0.0, as plain files."""
    repo = where / "floor"
    repo.mkdir()
    (repo / "copier.yml").write_text(FLOOR_SETTINGS, encoding="utf-8")
    for tag in ("v1.0.0", "v2.0.0"):
        project = where / f"floor-source-{tag}"
        copy(ucforge, project, tag)
        floor_files(project, repo / "template")
        if tag == "v1.0.0":
            git(repo, "init", "--quiet", "--initial-branch", "main")
        commit_and_tag(repo, tag)
    return repo


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def measure(
    where: Path, templates: dict[str, Path], rounds: int
) -> dict[str, dict[str, list[float]]]:
    figures: dict[str, dict[str, list[float]]] = {
        name: {"copy": [], "update": []} for name in templates
    }
    for round_ in range(rounds):
        for name, template in templates.items():
            project = where / f"{name}-{round_}"
            figures[name]["copy"].append(
                timed(functools.partial(copy, template, project, "v1.0.0"))
            )
            if not (project / ".git").exists():
                # The floor has no task that makes the copy a repository.
                git(project, "init", "--quiet", "--initial-branch", "main")
            git(project, "add", "--all")
            git(project, "commit", "--quiet", "--no-verify", "-m", "start")
            figures[name]["update"].append(
                timed(functools.partial(update, project, "v2.0.0"))
            )
            shutil.rmtree(project)
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="ucforge-copy-bench-") as folder:
        where = Path(folder)
        ucforge = ucforge_repo(where)
        floor = floor_repo(where, ucforge)
        files = sum(1 for path in (floor / "template").rglob("*") if path.is_file())
        figures = measure(where, {"ucforge": ucforge, "floor": floor}, args.rounds)
    print(f"{files} files, medians of {args.rounds} interleaved rounds")
    for operation in ("copy", "update"):
        ours = statistics.median(figures["ucforge"][operation])
        floor_time = statistics.median(figures["floor"][operation])
        print(
            f"copier {operation:6}  ucforge {ours:6.2f} s  floor {floor_time:6.2f} s"
            f"  ratio {ours / floor_time:.2f}x"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
