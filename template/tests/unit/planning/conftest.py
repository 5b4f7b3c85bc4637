"""Answers for the tests of the planning engine and the plan commands."""

from __future__ import annotations

from typing import Any

import pytest
from plan_answers import make_answers


@pytest.fixture
def answers() -> dict[str, Any]:
    return make_answers()
