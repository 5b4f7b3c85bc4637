"""plan verify: acceptance criteria and gates against a test run's JUnit XML."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
import yaml
from planning_support import submodule

commands = submodule("commands")
document = submodule("document")
errors = submodule("errors")
verify = submodule("verify")

PLAN = Path("AE01_Implementations/UC-001/03_Implementation/implementation-plan.md")
ROWS = (
    "packages/data-pipeline/tests/test_jobs.py"
    "::test_rows_in_equal_rows_stored_plus_rows_quarantined"
)
BROKEN_RULE = (
    "packages/data-pipeline/tests/test_validate.py::test_each_broken_rule_is_explained"
)
STAMP = "2027-01-05T10:30:00.123456+01:00"


def junit_case(link: str, outcome: str = "", markers: tuple[str, ...] = ()) -> str:
    """A testcase as pytest writes it for a node id (run with --junit-prefix)."""
    path, bracket, params = link.partition("[")
    *owner, function = path.split("::")
    classname = verify.link_address("::".join(owner))
    props = "".join(f'<property name="marker" value="{m}"/>' for m in markers)
    body = (f"<properties>{props}</properties>" if props else "") + outcome
    name = function + bracket + params
    return (
        f'<testcase classname="{classname}" name="{name}" time="0.1">{body}</testcase>'
    )


def junit(*cases: str, stamp: str = STAMP) -> str:
    return (
        '<?xml version="1.0" encoding="utf-8"?><testsuites name="pytest tests">'
        f'<testsuite name="pytest" timestamp="{stamp}">{"".join(cases)}</testsuite>'
        "</testsuites>"
    )


FAILURE = '<failure message="assert 3 == 4">lost a row</failure>'
ERROR = '<error message="fixture failed">setup</error>'
SKIPPED = '<skipped type="pytest.skip" message="no spark">skip</skipped>'


def write(folder: Path, name: str, content: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(content, encoding="utf-8")
    return path


def edit(project: Path, change: Any) -> None:
    path = project / "plan" / "tasks.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


def entry(data: dict[str, Any], task_id: str) -> dict[str, Any]:
    return next(t for t in data["tasks"] if t["id"] == task_id)


def case(result: str, classname: str, name: str, markers: tuple[str, ...] = ()) -> Any:
    return verify.TestCase(classname, name, result, markers)


# ---------------------------------------------------------------------------
# JUnit XML
# ---------------------------------------------------------------------------
def test_junit_results_are_passed_failed_error_and_skipped() -> None:
    cases, stamps = verify.parse_junit(
        junit(
            junit_case("a/test_x.py::test_ok"),
            junit_case("a/test_x.py::test_bad", FAILURE),
            junit_case("a/test_x.py::test_broken", ERROR),
            junit_case("a/test_x.py::test_later", SKIPPED),
            junit_case("a/test_x.py::test_both", FAILURE + ERROR),
        ),
        "run.xml",
    )
    assert [(c.name, c.result) for c in cases] == [
        ("test_ok", "passed"),
        ("test_bad", "failed"),
        ("test_broken", "error"),
        ("test_later", "skipped"),
        ("test_both", "error"),
    ]
    assert stamps == [STAMP]
    assert cases[0].classname == "a.test_x"


def test_a_single_testsuite_root_and_markers_are_read() -> None:
    text = (
        f'<testsuite timestamp="{STAMP}">'
        f"{junit_case('a/test_x.py::test_ok', markers=('integration', 'slow'))}"
        "</testsuite>"
    )
    cases, _ = verify.parse_junit(text, "run.xml")
    assert cases[0].markers == ("integration", "slow")


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("<testsuites><testsuite>", "run.xml is not JUnit XML: "),
        ("<html><body/></html>", "its root is <html>, not <testsuites>"),
        ("", "run.xml is not JUnit XML: "),
    ],
)
def test_a_file_that_is_not_junit_is_named(content: str, says: str) -> None:
    with pytest.raises(errors.PlanError, match=r"run\.xml") as raised:
        verify.parse_junit(content, "run.xml")
    assert says in str(raised.value)


def test_several_files_make_one_run_timed_by_its_latest_suite(tmp_path: Path) -> None:
    first = write(tmp_path, "a.xml", junit(junit_case("a/test_x.py::test_ok")))
    later = "2027-01-05T09:40:00+00:00"  # 10:40 in +01:00, after STAMP
    second = write(
        tmp_path,
        "b.xml",
        junit(junit_case("b/test_y.py::test_no", FAILURE), stamp=later),
    )
    run = verify.read_junit([first, second], ["a.xml", "b.xml"])
    assert [c.name for c in run.cases] == ["test_ok", "test_no"]
    assert run.timestamp == later
    assert run.files == ("a.xml", "b.xml")
    assert run.counts() == {"passed": 1, "failed": 1, "error": 0, "skipped": 0}


def test_a_missing_file_or_none_at_all_says_how_to_make_one(tmp_path: Path) -> None:
    with pytest.raises(errors.PlanError, match=r"gone.xml does not exist: run the"):
        verify.read_junit([tmp_path / "gone.xml"], ["gone.xml"])
    with pytest.raises(errors.PlanError, match="no JUnit XML file given"):
        verify.read_junit([])


def test_the_timestamp_reads_in_utc_to_the_minute() -> None:
    assert verify.run_time(STAMP) == "2027-01-05 09:30 UTC"
    assert verify.run_time("") == "an unknown time"
    assert verify.run_time("yesterday") == "yesterday"
    assert verify.latest(["2027-01-05T09:00:00", "not a time"]) == "2027-01-05T09:00:00"
    assert verify.latest([]) == ""


# ---------------------------------------------------------------------------
# Links
# ---------------------------------------------------------------------------
def test_a_node_id_matches_the_testcase_pytest_writes_for_it() -> None:
    assert verify.link_address(ROWS) == (
        "packages.data-pipeline.tests.test_jobs."
        "test_rows_in_equal_rows_stored_plus_rows_quarantined"
    )
    assert verify.link_address("t/test_a.py::TestX::test_y[1.5-a/b]") == (
        "t.test_a.TestX.test_y[1.5-a/b]"
    )


def test_a_link_without_parameters_covers_every_case_of_its_test() -> None:
    cases = [
        case("passed", "t.test_a", "test_y[1]"),
        case("passed", "t.test_a", "test_y[2]"),
        case("passed", "t.test_a", "test_yz"),
        case("passed", "t.test_a.TestK", "test_m"),
    ]
    assert verify.link_result("t/test_a.py::test_y", cases) == ("passed", 2)
    assert verify.link_result("t/test_a.py::test_y[2]", cases) == ("passed", 1)
    assert verify.link_result("t/test_a.py::test_y[3]", cases) == ("not run", 0)
    assert verify.link_result("t/test_a.py::TestK", cases) == ("passed", 1)
    assert verify.link_result("t/test_a.py", cases) == ("passed", 4)
    assert verify.link_result("t/test_b.py", cases) == ("not run", 0)


def test_one_failed_or_skipped_case_decides_the_result_of_a_link() -> None:
    def result(*outcomes: str) -> str:
        cases = [case(o, "t.test_a", f"test_y[{n}]") for n, o in enumerate(outcomes)]
        return str(verify.link_result("t/test_a.py::test_y", cases)[0])

    assert result("passed", "skipped") == "skipped"
    assert result("skipped", "failed", "passed") == "failed"
    assert result("failed", "error") == "error"
    assert result("passed", "passed") == "passed"


def test_a_marker_link_covers_the_tests_that_carry_the_marker() -> None:
    cases = [
        case("passed", "tests.integration.test_a", "test_x", ("integration",)),
        case("failed", "tests.model.test_b", "test_y", ("model",)),
    ]
    assert verify.link_result("marker:integration", cases) == ("passed", 1)
    assert verify.link_result("marker:model", cases) == ("failed", 1)
    assert verify.link_result("marker:chaos", cases) == ("not run", 0)


def test_a_criterion_is_verified_failing_or_unverified() -> None:
    results = {"a": "passed", "b": "failed", "c": "skipped", "d": "error"}
    assert verify.criterion_state(["a"], results) == "verified"
    assert verify.criterion_state(["a", "b"], results) == "failing"
    assert verify.criterion_state(["d", "c"], results) == "failing"
    assert verify.criterion_state(["a", "c"], results) == "unverified"
    assert verify.criterion_state(["a", "not in the run"], results) == "unverified"
    assert verify.criterion_state([], results) == "unverified"


# ---------------------------------------------------------------------------
# tasks.yaml
# ---------------------------------------------------------------------------
def test_the_generated_plan_links_the_skeletons_tests(project: Path) -> None:
    plan = commands.load_project_plan(project)
    by_id = {t.id: t for t in plan.tasks}
    gates = {g.name: g for g in plan.gates}
    assert ROWS in by_id["DP-05"].verified_by
    assert ROWS in gates["Data validation"].verified_by
    assert gates["Model promotion"].verified_by
    assert gates["Unit tests and coverage"].verified_by
    assert not gates["Code review"].verified_by
    text = (project / "plan" / "tasks.yaml").read_text(encoding="utf-8")
    assert f"  verified_by:\n  - {ROWS}\n" in text
    assert "verified_by: []" not in text  # only entries that link tests say so


def test_links_survive_a_round_trip_through_tasks_yaml(project: Path) -> None:
    plan = commands.load_project_plan(project)
    again = document.load_plan(document.dump_plan(plan))
    assert again == plan


@pytest.mark.parametrize(
    ("links", "problem"),
    [
        ("tests/test_x.py", "task DP-01 verified_by must list pytest node ids"),
        (
            [""],
            "task DP-01 verified_by[0] must list pytest node ids relative to the "
            "repository root (packages/data-pipeline/tests/test_jobs.py::test_name) "
            "or marker:NAME; got ''",
        ),
        (["/abs/test_x.py::test_y"], "task DP-01 verified_by[0] must list"),
        (["tests/test_x::test_y"], "task DP-01 verified_by[0] must list"),
        (["marker:"], "task DP-01 verified_by[0] must list"),
        ([3], "task DP-01 verified_by[0] must list"),
        (
            ["marker:slow", "marker:slow"],
            "task DP-01 verified_by names 'marker:slow' more than once",
        ),
    ],
)
def test_a_bad_link_is_named_with_the_rule(
    project: Path, links: Any, problem: str
) -> None:
    edit(project, lambda data: entry(data, "DP-01").__setitem__("verified_by", links))
    problems = commands.check_plan(project)
    assert len(problems) == 1, problems
    assert problems[0].startswith(problem), problems


def test_a_gate_link_is_checked_too(project: Path) -> None:
    def change(data: dict[str, Any]) -> None:
        data["gates"][0]["verified_by"] = ["not a test"]

    edit(project, change)
    assert commands.check_plan(project)[0].startswith("gates[0].verified_by[0] must")


def test_null_links_are_none(project: Path) -> None:
    edit(project, lambda data: entry(data, "DP-05").__setitem__("verified_by", None))
    plan = commands.load_project_plan(project)
    assert next(t for t in plan.tasks if t.id == "DP-05").verified_by == ()


# ---------------------------------------------------------------------------
# plan verify on a project folder
# ---------------------------------------------------------------------------
def test_verify_writes_the_record_and_fails_on_a_failed_test(project: Path) -> None:
    write(
        project,
        "reports/junit/packages-data-pipeline.xml",
        junit(junit_case(ROWS), junit_case(BROKEN_RULE, FAILURE)),
    )
    result = commands.plan_verify(project)
    assert result.failing
    record = yaml.safe_load((project / "plan" / "verification.yaml").read_text())
    assert record["run"] == {
        "timestamp": STAMP,
        "junit": ["reports/junit/packages-data-pipeline.xml"],
        "tests": {"total": 2, "passed": 2 - 1, "failed": 1, "error": 0, "skipped": 0},
    }
    states = {(e.get("task") or e.get("gate")): e["state"] for e in record["criteria"]}
    assert states["DP-05"] == "verified"
    assert states["Data validation"] == "failing"  # rows add up, a rule was broken
    assert states["DP-03"] == "failing"
    assert states["Code review"] == "unverified"
    assert record["summary"]["failing"] == 2
    report = commands.report_text(result)
    assert report.startswith(
        "Acceptance criteria of UC-001 Customer churn prediction: 1 verified, "
        "2 failing, "
    )
    assert "Test run of 2027-01-05 09:30 UTC: 2 tests (1 passed, 1 failed)" in report
    assert f"      failed   {BROKEN_RULE}\n" in report
    assert "No tests linked (verified_by), so unverified:\n  DP-01, " in report


def test_verify_passes_when_nothing_linked_failed(project: Path) -> None:
    run = write(
        project,
        "out/run.xml",
        junit(junit_case(ROWS), junit_case("x/test_z.py::t", FAILURE)),
    )
    result = commands.plan_verify(project, [run])
    assert not result.failing  # a failure of a test no criterion links
    assert [c.name for c in result.by_state("verified")] == ["DP-05"]
    assert "linked tests are not in the run" in commands.report_text(result)


def test_the_same_run_writes_the_same_record(project: Path) -> None:
    run = write(project, "run.xml", junit(junit_case(ROWS)))
    commands.plan_verify(project, [Path("run.xml")])
    first = (project / "plan" / "verification.yaml").read_bytes()
    commands.plan_verify(project, [run])
    assert (project / "plan" / "verification.yaml").read_bytes() == first


def test_verify_without_a_run_says_to_run_the_tests(project: Path) -> None:
    with pytest.raises(errors.PlanError, match="no JUnit XML in reports/junit: run"):
        commands.plan_verify(project)


def test_the_markdown_report_is_a_table_of_the_linked_criteria(project: Path) -> None:
    run = write(
        project, "run.xml", junit(junit_case(ROWS), junit_case(BROKEN_RULE, SKIPPED))
    )
    markdown = commands.report_markdown(commands.plan_verify(project, [run]))
    assert markdown.startswith(
        "### Acceptance criteria of UC-001 Customer churn prediction: 1 verified, "
        "0 failing, "
    )
    assert f"| DP-05 | verified | `{ROWS}` passed |" in markdown
    assert f"`{BROKEN_RULE}` skipped<br>" in markdown
    assert "\n\nNo tests linked, so unverified: DP-01, " in markdown


# ---------------------------------------------------------------------------
# The rendered plan
# ---------------------------------------------------------------------------
def test_without_a_record_the_plan_names_the_tests_to_verify(project: Path) -> None:
    text = commands.render_plan(project).read_text(encoding="utf-8")
    assert (
        "- [ ] DP-05: Rows in = rows stored + rows quarantined on every run\n"
        f"  - To be verified by `{ROWS}`\n"
    ) in text
    assert "Tests that prove the gates:\n\n- Unit tests and coverage\n" in text
    assert (
        " acceptance criteria and gates name the tests that prove them; after a "
        in text
    )


def test_with_a_record_the_plan_shows_what_each_test_did(project: Path) -> None:
    run = write(
        project, "run.xml", junit(junit_case(ROWS), junit_case(BROKEN_RULE, FAILURE))
    )
    commands.plan_verify(project, [run])
    text = commands.render_plan(project).read_text(encoding="utf-8")
    assert (
        "- [ ] DP-05: Rows in = rows stored + rows quarantined on every run\n"
        f"  - Verified in the test run of 2027-01-05 09:30 UTC: `{ROWS}` passed\n"
    ) in text
    assert (
        "  - Failing in the test run of 2027-01-05 09:30 UTC: "
        f"`{ROWS}` passed, `{BROKEN_RULE}` failed\n"
    ) in text
    assert "Test run of 2027-01-05 09:30 UTC (`make plan-verify`): of " in text
    assert ", 1 verified, 2 failing, " in text


def test_a_link_added_after_the_run_shows_as_not_run(project: Path) -> None:
    run = write(project, "run.xml", junit(junit_case(ROWS)))
    commands.plan_verify(project, [run])
    edit(
        project,
        lambda data: entry(data, "DP-05")["verified_by"].append(
            "t/test_new.py::test_n"
        ),
    )
    text = commands.render_plan(project).read_text(encoding="utf-8")
    assert (
        f"  - Unverified in the test run of 2027-01-05 09:30 UTC: `{ROWS}` passed, "
        in text
    )
    assert "`t/test_new.py::test_n` not run\n" in text


def test_a_broken_record_is_named(project: Path) -> None:
    write(
        project,
        "plan/verification.yaml",
        "format: 1\nrun: {}\ncriteria:\n- {tests: 3}\n",
    )
    with pytest.raises(errors.PlanError, match=r"criteria\[0\].tests must be a list"):
        commands.render_plan(project)
    write(project, "plan/verification.yaml", "format: 2\n")
    with pytest.raises(errors.PlanError, match="is not a record of format 1"):
        commands.render_plan(project)


def test_a_fresh_project_renders_as_the_copy_did(
    project: Path, default_output: dict[str, str]
) -> None:
    path = commands.render_plan(project)
    assert path.read_text(encoding="utf-8") == default_output["plan_markdown"]


def test_an_answer_with_markup_in_a_link_result_shows_literally(project: Path) -> None:
    link = "t/test_a.py::test_y[a|b]"
    edit(project, lambda data: entry(data, "DP-05").__setitem__("verified_by", [link]))
    run = write(project, "run.xml", junit(junit_case(link)))
    markdown = commands.report_markdown(commands.plan_verify(project, [run]))
    assert "| DP-05 | verified | `t/test_a.py::test_y[a\\|b]` passed |" in markdown


# ---------------------------------------------------------------------------
# pytest itself: the names it writes are the names the links use
# ---------------------------------------------------------------------------
def test_a_real_pytest_run_in_a_package_folder_matches_the_links(
    tmp_path: Path,
) -> None:
    package = tmp_path / "packages" / "data-pipeline"
    write(package, "pyproject.toml", "[tool.pytest.ini_options]\n")
    write(
        package,
        "conftest.py",
        textwrap.dedent(
            """
            def pytest_collection_modifyitems(items):
                for item in items:
                    for mark in item.iter_markers():
                        item.user_properties.append(("marker", mark.name))
            """
        ),
    )
    write(
        package,
        "tests/test_jobs.py",
        textwrap.dedent(
            """
            import pytest

            @pytest.mark.integration
            def test_rows_in_equal_rows_stored_plus_rows_quarantined():
                assert 3 == 2 + 1

            @pytest.mark.parametrize("n", [1, 2.5])
            def test_many(n):
                assert n

            class TestGroup:
                def test_one(self):
                    assert False, "broken"

            def test_later():
                pytest.skip("not today")
            """
        ),
    )
    xml = tmp_path / "reports" / "junit" / "packages-data-pipeline.xml"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--junitxml={xml}",
            "--junit-prefix=packages.data-pipeline",
        ],
        cwd=package,
        check=False,
        capture_output=True,
    )
    run = verify.read_junit([xml])
    base = "packages/data-pipeline/tests/test_jobs.py"
    assert verify.link_result(ROWS, run.cases) == ("passed", 1)
    assert verify.link_result(f"{base}::test_many", run.cases) == ("passed", 2)
    assert verify.link_result(f"{base}::test_many[2.5]", run.cases) == ("passed", 1)
    assert verify.link_result(f"{base}::TestGroup::test_one", run.cases) == (
        "failed",
        1,
    )
    assert verify.link_result(f"{base}::test_later", run.cases) == ("skipped", 1)
    assert verify.link_result("marker:integration", run.cases) == ("passed", 1)
    assert verify.link_result(base, run.cases) == ("failed", 5)
    assert verify.run_time(run.timestamp).endswith(" UTC")
