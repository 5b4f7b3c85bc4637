"""The generated project's `plan` commands, run with CliRunner on a rendered copy.

The plan group is loaded from the rendered project's own cli/plan.py with its two
imports from the package (find_root and ExitCode) stood in for, so that the test
needs neither an install nor the components' libraries; the installed console
script runs `plan status` in the full tier (tests/test_full.py).
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
import types
from enum import IntEnum
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from ucforge_planning.commands import BaselineExistsError


class ExitCode(IntEnum):
    DATA = 4


@pytest.fixture
def plan_cli(
    default_project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Any, Path]:
    """The rendered project's plan group, rooted in a copy of its plan/ folder."""
    root = tmp_path / "project"
    shutil.copytree(default_project / "plan", root / "plan")
    package = next((default_project / "src").glob("*/cli/plan.py")).parent.parent
    name = f"rendered_{package.name}"
    for part, attributes in (
        ("", {"__path__": []}),
        (".cli", {"__path__": []}),
        (".config", {"find_root": lambda: root}),
        (".errors", {"ExitCode": ExitCode}),
    ):
        module = types.ModuleType(name + part)
        for key, value in attributes.items():
            setattr(module, key, value)
        monkeypatch.setitem(sys.modules, name + part, module)
    spec = importlib.util.spec_from_file_location(
        f"{name}.cli.plan", package / "cli" / "plan.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return module.plan, root


def start_of(root: Path) -> str:
    data = yaml.safe_load((root / "plan" / "tasks.yaml").read_text(encoding="utf-8"))
    return str(data["calendar"]["start_date"])


def test_plan_baseline_keeps_the_forecast_and_refuses_to_replace_it(
    plan_cli: tuple[Any, Path],
) -> None:
    plan, root = plan_cli
    day = start_of(root)
    runner = CliRunner()
    first = runner.invoke(plan, ["baseline", "--as-of", day])
    assert first.exit_code == 0, first.output
    assert first.output == f"baseline: {root / 'plan' / 'baseline.yaml'}\n"
    kept = (root / "plan" / "baseline.yaml").read_text(encoding="utf-8")
    assert f"taken: {day}" in kept
    again = runner.invoke(plan, ["baseline", "--as-of", day])
    assert isinstance(again.exception, BaselineExistsError)
    assert "--force" in str(again.exception)
    assert (root / "plan" / "baseline.yaml").read_text(encoding="utf-8") == kept
    forced = runner.invoke(plan, ["baseline", "--as-of", day, "--force"])
    assert forced.exit_code == 0, forced.output


def test_plan_status_reports_against_the_baseline_as_of_a_day(
    plan_cli: tuple[Any, Path],
) -> None:
    plan, root = plan_cli
    day = start_of(root)
    runner = CliRunner()
    before = runner.invoke(plan, ["status", "--as-of", day])
    assert before.exit_code == 0, before.output
    assert "No baseline yet: run `make plan-baseline`" in before.output
    runner.invoke(plan, ["baseline", "--as-of", day])
    after = runner.invoke(plan, ["status", "--as-of", day])
    assert f"Against the baseline taken on {day}" in after.output
    assert "  Finish  " in after.output and "unchanged" in after.output
    wrong = runner.invoke(plan, ["status", "--as-of", "next week"])
    assert wrong.exit_code == 2
    assert "'next week' does not match the format '%Y-%m-%d'" in wrong.output
