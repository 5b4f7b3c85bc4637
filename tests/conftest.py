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

import copier
import pytest

ROOT = Path(__file__).resolve().parent.parent
IGNORED = shutil.ignore_patterns(
    ".git",
    ".venv",
    "build",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    ".mypy_cache",
    "node_modules",
    ".hypothesis",
)

# Fixed dates so that renders, plans and tests do not depend on today.
BASE_ANSWERS: dict[str, Any] = {
    "start_date": "2027-01-04",
    "target_date": "2027-03-29",
}

# A contrasting project: other CI, other team, compliance regimes, regression,
# fewer test levels, existing infrastructure, no optional documents.
CONTRAST_ANSWERS: dict[str, Any] = {
    **BASE_ANSWERS,
    "use_case_id": "UC-117",
    "use_case_name": "Clinic spend forecast",
    "description": "Forecast next month's spend per patient account for finance.",
    "problem_type": "regression",
    "team_members": [
        {
            "name": "Jonas Weber",
            "handle": "jweber",
            "email": "jonas.weber@example.org",
            "role": "data_scientist",
            "expertise": "junior",
        },
        {
            "name": "Amara Okafor",
            "handle": "amara.okafor",
            "email": "amara@example.org",
            "role": "mlops_engineer",
            "expertise": "senior",
        },
    ],
    "ci_provider": "gitlab",
    "tracking_server_url": "https://mlflow.internal.example.org",
    "existing_infrastructure": ["orchestrator", "monitoring"],
    "coverage_target": 85,
    "test_levels": ["unit", "integration", "model"],
    "primary_metric": "mae",
    "baseline_margin": 0.1,
    "reviewers": ["amara.okafor"],
    "required_approvals": 1,
    "documentation": [],
    "compliance": ["gdpr", "hipaa"],
    "hard_deadlines": [{"name": "Finance review", "date": "2027-03-01"}],
}


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


def render(template: Path, destination: Path, answers: Mapping[str, Any]) -> Path:
    """Copy the template into `destination` with `answers` over the defaults."""
    copier.run_copy(
        str(template),
        str(destination),
        data=dict(answers),
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    return destination


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
