"""The tests a generated plan links to its criteria exist in the generated project.

The catalogue links the skeleton's own tests to the acceptance criteria and gates
they prove (verified_by). Each link of a rendered plan/tasks.yaml must name a test
function (or a file, or a class) that the rendered project has, in a folder that
`make test` runs, for every answer set below: a renamed or removed test, or a link
whose condition is wrong, fails here rather than as an unverified criterion.
Test files are read with `ast`, so nothing is installed or imported.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from ucforge_planning.document import load_plan
from ucforge_planning.verify import MARKER_PREFIX

# The folders `make test` runs pytest in, besides tests/<level> (TEST_FOLDERS).
PACKAGE_TESTS = (
    "packages/data-pipeline/tests/",
    "packages/features/tests/",
    "packages/model/tests/",
    "packages/serving/tests/",
)
ORCHESTRATED = {
    "spark-airflow": {"compute_engine": "spark", "orchestrator": "airflow"},
    "prefect": {"orchestrator": "prefect"},
    "dagster": {"orchestrator": "dagster"},
}


def defined_tests(path: Path) -> set[str]:
    """The `::`-joined names in a test file: test functions, classes, their tests."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            names.add(node.name)
            names.update(
                f"{node.name}::{item.name}"
                for item in node.body
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef)
            )
    return names


def missing_link(project: Path, link: str) -> str | None:
    """Why the link names no test that `make test` runs in the project, or None."""
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    if link.startswith(MARKER_PREFIX):
        mark = f"pytest.mark.{link.removeprefix(MARKER_PREFIX)}"
        found = any(
            mark in path.read_text("utf-8") for path in project.rglob("test_*.py")
        )
        return None if found else f"no test carries {mark}"
    path_part, _, rest = link.partition("[")[0].partition("::")
    suites = tuple(f"tests/{level}/" for level in answers["test_levels"])
    if not path_part.startswith(PACKAGE_TESTS + suites):
        return "is not in a folder make test runs"
    file = project / path_part
    if not file.is_file():
        return f"{path_part} does not exist"
    if not Path(path_part).name.startswith("test_"):
        return f"{path_part} is not a test file pytest collects (test_*.py)"
    if rest and rest not in defined_tests(file):
        return f"{path_part} has no {rest}"
    return None


def links_of(project: Path) -> dict[str, tuple[str, ...]]:
    """Each criterion of the rendered plan that links tests, with its links."""
    plan = load_plan((project / "plan" / "tasks.yaml").read_text("utf-8"))
    found = {f"task {t.id}": t.verified_by for t in plan.tasks if t.verified_by}
    found |= {f"gate {g.name}": g.verified_by for g in plan.gates if g.verified_by}
    return found


def assert_links_exist(project: Path) -> dict[str, tuple[str, ...]]:
    links = links_of(project)
    problems = [
        f"{criterion}: {link} {why}"
        for criterion, listed in links.items()
        for link in listed
        if (why := missing_link(project, link)) is not None
    ]
    assert not problems, "\n".join(problems)
    return links


@pytest.mark.parametrize(
    "which",
    ["default_project", "contrast_project", "clinic_project", "long_names_project"],
)
def test_every_linked_test_exists_in_the_rendered_project(
    which: str, request: pytest.FixtureRequest
) -> None:
    links = assert_links_exist(request.getfixturevalue(which))
    # The criteria every answer set has: rows add up, promotion, coverage.
    assert "gate Model promotion" in links
    assert "gate Unit tests and coverage" in links
    rows = "test_rows_in_equal_rows_stored_plus_rows_quarantined"
    assert any(rows in link for link in links["gate Data validation"])


@pytest.mark.parametrize("pair", list(ORCHESTRATED))
def test_links_that_hold_for_an_engine_or_orchestrator_exist_with_it(
    pair: str, shared_project: Callable[..., Path]
) -> None:
    project = shared_project(f"links-{pair}", ORCHESTRATED[pair])
    links = assert_links_exist(project)
    orchestrator = ORCHESTRATED[pair]["orchestrator"]
    listed = [link for group in links.values() for link in group]
    scheduled = [x for x in listed if f"test_{orchestrator}_" in x]
    assert scheduled, f"no criterion links the {orchestrator} flow's tests"


def test_links_for_test_levels_not_asked_for_are_left_out(
    contrast_project: Path,
) -> None:
    # The contrast project asks for no chaos or performance tests.
    listed = [link for group in links_of(contrast_project).values() for link in group]
    assert not [
        x for x in listed if x.startswith(("tests/chaos/", "tests/performance/"))
    ]
    assert not [x for x in listed if "engine_parity" in x]


def test_a_missing_test_is_named(default_project: Path) -> None:
    named = "packages/model/tests/test_jobs.py::test_that_was_renamed"
    assert missing_link(default_project, named) == (
        "packages/model/tests/test_jobs.py has no test_that_was_renamed"
    )
    assert missing_link(default_project, "tests/chaos/test_nothing.py") == (
        "tests/chaos/test_nothing.py does not exist"
    )
    assert missing_link(default_project, "docs/test_x.py") == (
        "is not in a folder make test runs"
    )
    assert missing_link(default_project, "marker:integration") is None
    assert missing_link(default_project, "marker:nowhere") == (
        "no test carries pytest.mark.nowhere"
    )
