"""The quality gates of plan/tasks.yaml, as the repository's configuration holds them.

plan/tasks.yaml links these tests (verified_by), so that `make plan-verify` shows
the gates proven by a test run.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml


def _coverage_target(repository_root: Path) -> int:
    plan = yaml.safe_load((repository_root / "plan" / "tasks.yaml").read_text("utf-8"))
    target: int = plan["key_questions"]["testing"]["coverage_target"]
    return target


def _gated_folders(makefile: str) -> list[str]:
    """Every folder `make test` runs pytest in: the components, then tests/."""
    folders = re.search(r"^TEST_FOLDERS := \$\(COMPONENTS\) tests$", makefile, re.M)
    assert folders, "make test no longer runs the components and tests/ (TEST_FOLDERS)"
    components = re.search(r"^COMPONENTS := (.+)$", makefile, re.MULTILINE)
    assert components, "the Makefile no longer lists COMPONENTS"
    return [*components[1].split(), "tests"]


def test_every_package_is_gated_at_the_planned_coverage(repository_root: Path) -> None:
    target = _coverage_target(repository_root)
    makefile = (repository_root / "Makefile").read_text("utf-8")
    gated = re.search(r"^PYTEST_GATED := pytest .*--cov\b", makefile, re.MULTILINE)
    assert gated, "make test no longer measures coverage (PYTEST_GATED)"
    folders = _gated_folders(makefile)
    assert len(folders) == 5, folders
    for folder in folders:
        path = repository_root / folder / "pyproject.toml"
        report = tomllib.loads(path.read_text("utf-8"))["tool"]["coverage"]["report"]
        assert report["fail_under"] == target, (
            f"{path}: fail_under is {report['fail_under']}, the plan's coverage "
            f"target {target}"
        )
