"""Shared fixtures: a snapshot of the template as it is on disk, and rendered projects.

Copier reads a git template at a commit, which would hide uncommitted work; the
tests render from a plain copy of the working tree instead, so they test exactly
what is on disk. Update tests build their own tagged git repositories.

Under pytest-xdist, the workers share the main process's snapshot and the named
projects below (default, contrast, clinic, long names): each is rendered once per
run, by whichever worker asks first, instead of once per worker. Tests only read
those projects; a test that changes files renders its own with `render_project`.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from datasets_support import CLINIC_ANSWERS, write_clinic_sample
from ucforge_support import (
    BASE_ANSWERS,
    CONTRAST_ANSWERS,
    IGNORED,
    LONG_NAMES,
    ROOT,
    render,
)

# The snapshot this process renders from, and the one it made (and removes).
SNAPSHOT = pytest.StashKey[Path]()
OWN_SNAPSHOT = pytest.StashKey[Path]()
WORKER_SNAPSHOT = "ucforge_snapshot"


def pytest_configure(config: pytest.Config) -> None:
    """Snapshot the working tree once; pytest-copie's `copie` renders from it too."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and WORKER_SNAPSHOT in workerinput:
        # An xdist worker: render from the main process's snapshot, so that every
        # worker sees the same template even while the working tree changes.
        snapshot = Path(workerinput[WORKER_SNAPSHOT])
    else:
        snapshot = Path(tempfile.mkdtemp(prefix="ucforge-template-")) / "ucforge"
        shutil.copytree(ROOT, snapshot, ignore=IGNORED)
        config.stash[OWN_SNAPSHOT] = snapshot
    config.option.template = str(snapshot)
    config.stash[SNAPSHOT] = snapshot


# The slowest tests first, so that no long test starts last and runs alone.
# pytest-xdist (dev.py: --maxschedchunk 1) gives each worker two tests to start
# with, the first two to one worker and the next two to the other, then one at a
# time as each finishes: the full tests are ordered so that those pairs take about
# as long (on two cores: the default and the clinic project, then the Spark and
# the contrast project), and the short tests fill the gaps.
_SLOW_FIRST = ("orchestrators", "full", "update")
_FULL_ORDER = ("[default]", "copy_time", "[spark-airflow]", "[contrast]")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> tuple[int, int]:
        tier = next(
            (n for n, mark in enumerate(_SLOW_FIRST) if item.get_closest_marker(mark)),
            len(_SLOW_FIRST),
        )
        place = next(
            (n for n, part in enumerate(_FULL_ORDER) if part in item.name),
            len(_FULL_ORDER),
        )
        return tier, place

    items.sort(key=rank)  # stable: the order within a rank is the files' order


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """Hand the main process's snapshot to each xdist worker."""
    node.workerinput[WORKER_SNAPSHOT] = str(node.config.stash[SNAPSHOT])


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The time to green of each project a full test copied and tested, by step."""
    lines = []
    for report in terminalreporter.stats.get("passed", []):
        for name, seconds in getattr(report, "user_properties", []):
            if name != "time_to_green" or report.when != "call":
                continue
            steps = ", ".join(
                f"{step} {value:.0f} s" for step, value in seconds.items()
            )
            total = sum(seconds.values())
            lines.append(f"{report.nodeid}: {total:.0f} s ({steps})")
    if lines:
        cores = os.cpu_count()
        terminalreporter.section(
            f"time to green (copy, install, check, test; {cores} cores)"
        )
        for line in lines:
            terminalreporter.write_line(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    snapshot = config.stash.get(OWN_SNAPSHOT, None)
    if snapshot is not None:
        shutil.rmtree(snapshot.parent, ignore_errors=True)


@pytest.fixture(scope="session")
def template_dir(pytestconfig: pytest.Config) -> Path:
    return pytestconfig.stash[SNAPSHOT]


@pytest.fixture(scope="session")
def render_project(
    template_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Any]:
    """A function that renders a project for given answers (over BASE_ANSWERS)."""

    def _render(
        answers: Mapping[str, Any] | None = None, name: str = "project"
    ) -> Path:
        destination = tmp_path_factory.mktemp(name) / "project"
        return render(template_dir, destination, {**BASE_ANSWERS, **(answers or {})})

    yield _render


@pytest.fixture(scope="session")
def run_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder every xdist worker of this run shares; without xdist, the session's."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def made_once(folder: Path, make: Callable[[Path], Path]) -> Path:
    """`make(folder)`, unless some worker of this run has already made it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    done = folder.with_name(folder.name + ".done")
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            made = make(folder)
            done.write_text(str(made), encoding="utf-8")
    return Path(done.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def shared_project(template_dir: Path, run_folder: Path) -> Callable[..., Path]:
    """A read-only project for `answers`, rendered once per run under `name`."""

    def _shared(name: str, answers: Mapping[str, Any] | None = None) -> Path:
        return made_once(
            run_folder / "shared" / name,
            lambda folder: render(
                template_dir, folder / "project", {**BASE_ANSWERS, **(answers or {})}
            ),
        )

    return _shared


@pytest.fixture(scope="session")
def default_project(shared_project: Callable[..., Path]) -> Path:
    return shared_project("default")


@pytest.fixture(scope="session")
def contrast_project(shared_project: Callable[..., Path]) -> Path:
    return shared_project("contrast", CONTRAST_ANSWERS)


@pytest.fixture(scope="session")
def clinic_sample(run_folder: Path) -> Path:
    """A CSV sample of a dataset that shares nothing with the demo."""
    return made_once(
        run_folder / "shared" / "sample",
        lambda folder: write_clinic_sample(folder / "admissions.csv"),
    )


@pytest.fixture(scope="session")
def clinic_project(shared_project: Callable[..., Path], clinic_sample: Path) -> Path:
    """A project whose contract was inferred from the clinic sample at copy time."""
    return shared_project(
        "clinic", {**CLINIC_ANSWERS, "data_sample": str(clinic_sample)}
    )


@pytest.fixture(scope="session")
def long_names_project(shared_project: Callable[..., Path]) -> Path:
    return shared_project("long-names", LONG_NAMES)
