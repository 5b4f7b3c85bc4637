"""`plan verify` as the generated project runs it, without installing the project.

The generated command module (cli/plan.py) is loaded on its own, next to the
project's real ExitCode and a find_root that answers the project's copy; the
engine is this checkout's. The generated Makefile is asked what it would run.
The full tier runs the same command installed.
"""

from __future__ import annotations

import ast
import importlib
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
import yaml
from click.testing import CliRunner

STUB = "generated_plan_cli"
ROWS = (
    'classname="packages.data-pipeline.tests.test_jobs" '
    'name="test_rows_in_equal_rows_stored_plus_rows_quarantined"'
)


def exit_code_source(project: Path, package: str) -> str:
    """The ExitCode class of the project's errors.py, as written."""
    path = project / "src" / package / "errors.py"
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    node = next(
        n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == "ExitCode"
    )
    segment = ast.get_source_segment(source, node)
    assert segment is not None
    return "from enum import IntEnum\n\n\n" + segment + "\n"


@pytest.fixture
def copy(default_project: Path, tmp_path: Path) -> Path:
    """The parts of the default project plan verify reads, in a folder of its own."""
    target = tmp_path / "project"
    shutil.copytree(default_project / "plan", target / "plan")
    shutil.copy(default_project / "Makefile", target / "Makefile")
    shutil.copy(default_project / ".copier-answers.yml", target / ".copier-answers.yml")
    return target


@pytest.fixture
def plan_cli(default_project: Path, copy: Path, tmp_path: Path) -> Iterator[ModuleType]:
    package = yaml.safe_load((copy / ".copier-answers.yml").read_text())["package_name"]
    stub = tmp_path / "stub" / STUB
    (stub / "cli").mkdir(parents=True)
    (stub / "__init__.py").write_text("")
    (stub / "cli" / "__init__.py").write_text("")
    (stub / "config.py").write_text(
        f"from pathlib import Path\n\n\ndef find_root() -> Path:\n"
        f"    return Path({str(copy)!r})\n"
    )
    (stub / "errors.py").write_text(exit_code_source(default_project, package))
    shutil.copy(default_project / "src" / package / "cli" / "plan.py", stub / "cli")
    sys.path.insert(0, str(stub.parent))
    try:
        yield importlib.import_module(f"{STUB}.cli.plan")
    finally:
        sys.path.remove(str(stub.parent))
        for name in [n for n in sys.modules if n.split(".")[0] == STUB]:
            del sys.modules[name]


def write_run(path: Path, testcase: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(
        '<testsuites><testsuite name="pytest" timestamp="2027-01-05T09:30:00+00:00">'
        f"{testcase}</testsuite></testsuites>",
        encoding="utf-8",
    )
    return path


def test_plan_verify_reads_make_tests_junit_and_records_it(
    plan_cli: ModuleType, copy: Path
) -> None:
    write_run(
        copy / "reports" / "junit" / "packages-data-pipeline.xml",
        f"<testcase {ROWS}/>",
    )
    result = CliRunner().invoke(plan_cli.plan, ["verify"])
    assert result.exit_code == 0, result.output
    assert "Test run of 2027-01-05 09:30 UTC: 1 tests (1 passed)" in result.output
    record = yaml.safe_load((copy / "plan" / "verification.yaml").read_text())
    assert record["run"]["junit"] == ["reports/junit/packages-data-pipeline.xml"]
    assert record["summary"]["verified"] == 1


def test_a_failed_linked_test_exits_5_and_writes_the_summary(
    plan_cli: ModuleType, copy: Path, tmp_path: Path
) -> None:
    run = write_run(
        tmp_path / "elsewhere.xml",
        f"<testcase {ROWS}><failure message='a row was lost'/></testcase>",
    )
    summary = tmp_path / "step-summary.md"
    summary.write_text("# Earlier steps\n", encoding="utf-8")
    result = CliRunner().invoke(
        plan_cli.plan, ["verify", str(run), "--summary", str(summary)]
    )
    assert result.exit_code == 5, result.output  # ExitCode.GATE_NOT_MET
    assert "Failing:\n" in result.output
    written = summary.read_text(encoding="utf-8")
    assert written.startswith("# Earlier steps\n### Acceptance criteria of UC-001")
    assert "| failing |" in written


def test_make_test_writes_junit_per_folder_named_from_the_root(copy: Path) -> None:
    dry = subprocess.run(
        ["make", "-n", "test"], cwd=copy, capture_output=True, text=True, check=True
    )
    assert f'--junitxml="{copy}/reports/junit/${{folder//\\//-}}.xml"' in dry.stdout
    assert '--junit-prefix="${folder//\\//.}"' in dry.stdout
    verify = subprocess.run(
        ["make", "-n", "plan-verify", "SUMMARY=out.md"],
        cwd=copy,
        capture_output=True,
        text=True,
        check=True,
    )
    assert verify.stdout.rstrip().endswith(' plan verify --summary "out.md"')
