"""Fixtures of the planning engine tests; the helpers live in planning_support."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import planning_support
import pytest


@pytest.fixture(scope="session")
def engine() -> ModuleType:
    return planning_support.load_engine()


@pytest.fixture(scope="session")
def default_output(engine: ModuleType) -> dict[str, str]:
    return engine.generate_from_answers(planning_support.answers())


@pytest.fixture
def answers() -> dict[str, Any]:
    """A small team's answers, for the tests that change one of them."""
    return planning_support.make_answers()


@pytest.fixture
def project(tmp_path: Path, default_output: dict[str, str]) -> Path:
    """A project folder holding the default plan/tasks.yaml."""
    (tmp_path / "plan").mkdir()
    (tmp_path / "plan" / "tasks.yaml").write_text(
        default_output["plan_tasks_yaml"], encoding="utf-8"
    )
    return tmp_path
