"""Shared fixtures: a snapshot of the template as it is on disk, and rendered projects.

Copier reads a git template at a commit, which would hide uncommitted work; the
tests render from a plain copy of the working tree instead, so they test exactly
what is on disk. Update tests build their own tagged git repositories.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from datasets_support import CLINIC_ANSWERS, write_clinic_sample
from ucforge_support import BASE_ANSWERS, CONTRAST_ANSWERS, IGNORED, ROOT, render


def pytest_configure(config: pytest.Config) -> None:
    """Snapshot the working tree once; pytest-copie's `copie` renders from it too."""
    snapshot = Path(tempfile.mkdtemp(prefix="ucforge-template-")) / "ucforge"
    shutil.copytree(ROOT, snapshot, ignore=IGNORED)
    config.option.template = str(snapshot)
    config.stash[SNAPSHOT] = snapshot


def pytest_unconfigure(config: pytest.Config) -> None:
    snapshot = config.stash.get(SNAPSHOT, None)
    if snapshot is not None:
        shutil.rmtree(snapshot.parent, ignore_errors=True)


SNAPSHOT = pytest.StashKey[Path]()


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
def default_project(render_project: Any) -> Path:
    return render_project(name="default")


@pytest.fixture(scope="session")
def contrast_project(render_project: Any) -> Path:
    return render_project(CONTRAST_ANSWERS, name="contrast")


@pytest.fixture(scope="session")
def clinic_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A CSV sample of a dataset that shares nothing with the demo."""
    return write_clinic_sample(tmp_path_factory.mktemp("sample") / "admissions.csv")


@pytest.fixture(scope="session")
def clinic_project(render_project: Any, clinic_sample: Path) -> Path:
    """A project whose contract was inferred from the clinic sample at copy time."""
    answers = {**CLINIC_ANSWERS, "data_sample": str(clinic_sample)}
    return render_project(answers, name="clinic")


# The longest names the validators allow: rendered Python must still be formatted.
LONG_NAMES = {
    "project_slug": "uc-001-" + "-".join(["abcdefghij"] * 5)[:53],
    "package_name": "uc_001_" + "x" * 23,
    "target_column": "will_cancel_within_the_next_thirty_days",
}


@pytest.fixture(scope="session")
def long_names_project(render_project: Any) -> Path:
    return render_project(LONG_NAMES, name="long-names")
