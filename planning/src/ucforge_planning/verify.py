"""Acceptance criteria against a test run: JUnit XML in, a state per criterion out.

A task or a quality gate names the tests that prove it (`verified_by`): pytest
node ids relative to the repository root, such as
`packages/data-pipeline/tests/test_jobs.py::test_rows_in`, or `marker:NAME` for
every test that carries a marker. A node id matches a JUnit testcase the way pytest
writes one: its classname is the dotted path of the file (without `.py`) and its
classes, its name the function with its parameters. A node id without parameters
covers each parametrised case; one of a file or a class covers every test in it.
Markers are read from the testcase's `marker` properties (the project's test kit
records them). pytest writes the node ids relative to the folder it runs in, so a
run in a package's folder passes `--junit-prefix` with that folder, dotted.

Parsing and judging are pure; only `read_junit` touches the disk.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import PlanError
from .markup import code, text
from .model import Plan

MARKER_PREFIX = "marker:"
# A node id: a relative .py path, optional ::Class::function parts and parameters.
NODE_ID = (
    r"[A-Za-z0-9_][A-Za-z0-9._-]*(?:/[A-Za-z0-9_][A-Za-z0-9._-]*)*\.py"
    r"(?:::[A-Za-z_][A-Za-z0-9_]*)*(?:\[[^\]\n]+\])?"
)
MARKER = r"marker:[A-Za-z_][A-Za-z0-9_]*"
TEST_LINK = rf"^(?:{NODE_ID}|{MARKER})$"
TEST_LINK_RULE = (
    "must list pytest node ids relative to the repository root "
    "(packages/data-pipeline/tests/test_jobs.py::test_name) or marker:NAME"
)
_TEST_LINK = re.compile(TEST_LINK)

# The result of one linked test in a run; NOT_RUN when no testcase matches it.
PASSED, FAILED, ERROR, SKIPPED = "passed", "failed", "error", "skipped"
NOT_RUN = "not run"
RESULTS = (PASSED, FAILED, ERROR, SKIPPED, NOT_RUN)
# The state of a criterion: every linked test passed, one failed, or not proven.
VERIFIED, FAILING, UNVERIFIED = "verified", "failing", "unverified"
STATES = (VERIFIED, FAILING, UNVERIFIED)
RECORD_FORMAT = 1


def is_test_link(value: str) -> bool:
    """Whether the text is a node id or a marker:NAME link."""
    return bool(_TEST_LINK.fullmatch(value))


# ---------------------------------------------------------------------------
# JUnit XML
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class TestCase:
    """One testcase of a JUnit file, with what became of it."""

    __test__ = False  # not a test class, whatever pytest thinks of the name

    classname: str
    name: str
    result: str
    markers: tuple[str, ...] = ()

    @property
    def address(self) -> str:
        """classname.name, the form node ids are compared in."""
        return f"{self.classname}.{self.name}" if self.classname else self.name


@dataclass(frozen=True)
class TestRun:
    """The testcases of one or more JUnit files and when the latest suite ran."""

    __test__ = False

    cases: tuple[TestCase, ...]
    timestamp: str
    files: tuple[str, ...]

    def counts(self) -> dict[str, int]:
        """How many testcases had each result (not run excepted)."""
        return {r: sum(1 for c in self.cases if c.result == r) for r in RESULTS[:-1]}


def _result(case: ET.Element) -> str:
    tags = {child.tag for child in case}
    if "error" in tags:
        return ERROR
    if "failure" in tags:
        return FAILED
    if "skipped" in tags:
        return SKIPPED
    return PASSED


def _markers(case: ET.Element) -> tuple[str, ...]:
    found = [
        p.get("value", "")
        for p in case.iter("property")
        if p.get("name") == "marker" and p.get("value")
    ]
    return tuple(dict.fromkeys(found))


def _moment(value: str) -> dt.datetime | None:
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


def parse_junit(content: str, source: str) -> tuple[list[TestCase], list[str]]:
    """The testcases of JUnit XML text and the timestamps of its suites."""
    try:
        root = ET.fromstring(content)
    except ET.ParseError as error:
        raise PlanError(f"{source} is not JUnit XML: {error}") from error
    if root.tag not in ("testsuites", "testsuite"):
        raise PlanError(
            f"{source} is not JUnit XML: its root is <{root.tag}>, not <testsuites> "
            "or <testsuite> (write it with pytest --junitxml)"
        )
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    stamps = [s.get("timestamp", "") for s in suites if s.get("timestamp")]
    cases = [
        TestCase(
            classname=case.get("classname", ""),
            name=case.get("name", ""),
            result=_result(case),
            markers=_markers(case),
        )
        for case in root.iter("testcase")
    ]
    return cases, stamps


def read_junit(paths: Sequence[Path], shown: Sequence[str] | None = None) -> TestRun:
    """The testcases of every JUnit file; PlanError naming a file that is not one.

    `shown` are the names the record and the report give the files (relative
    paths); the latest suite timestamp of all files is the run's.
    """
    if not paths:
        raise PlanError(
            "no JUnit XML file given: run the tests with --junitxml (make test "
            "writes reports/junit/*.xml), then plan verify with those files"
        )
    names = list(shown) if shown is not None else [str(p) for p in paths]
    cases: list[TestCase] = []
    stamps: list[str] = []
    for path, name in zip(paths, names, strict=True):
        try:
            content = path.read_text(encoding="utf-8")
        except FileNotFoundError as error:
            raise PlanError(
                f"{name} does not exist: run the tests with --junitxml first"
            ) from error
        except (OSError, UnicodeDecodeError) as error:
            raise PlanError(f"{name} cannot be read: {error}") from error
        found, times = parse_junit(content, name)
        cases += found
        stamps += times
    return TestRun(tuple(cases), latest(stamps), tuple(names))


def run_time(stamp: str) -> str:
    """A run's timestamp as people read it, in UTC to the minute."""
    moment = _moment(stamp) if stamp else None
    if moment is None:
        return stamp or "an unknown time"
    return f"{moment.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


def latest(stamps: Iterable[str]) -> str:
    """The latest of the ISO timestamps, as written; '' when none can be read."""
    dated = [(m, s) for s in stamps if (m := _moment(s)) is not None]
    return max(dated)[1] if dated else ""


# ---------------------------------------------------------------------------
# Links and states
# ---------------------------------------------------------------------------
def link_address(node_id: str) -> str:
    """A node id in the form of a testcase address, as pytest's JUnit writer does."""
    path, bracket, params = node_id.partition("[")
    names = path.split("::")
    names[0] = re.sub(r"\.py$", "", names[0].replace("/", "."))
    names[-1] += bracket + params
    return ".".join(names)


def covers(link: str, case: TestCase) -> bool:
    """Whether the link names this testcase (or a marker the testcase carries)."""
    if link.startswith(MARKER_PREFIX):
        return link.removeprefix(MARKER_PREFIX) in case.markers
    address, wanted = case.address, link_address(link)
    if address == wanted:
        return True
    if "[" in link:
        return False
    return address.startswith((wanted + "[", wanted + "."))


def link_result(link: str, cases: Iterable[TestCase]) -> tuple[str, int]:
    """The result of a link in a run and how many testcases it covers.

    Failed or error when any covered testcase is; passed when every one passed;
    skipped when some were skipped and none failed; not run when none matches.
    """
    results = [c.result for c in cases if covers(link, c)]
    for result in (ERROR, FAILED, SKIPPED):
        if result in results:
            return result, len(results)
    return (PASSED if results else NOT_RUN), len(results)


def criterion_state(links: Sequence[str], results: Mapping[str, str]) -> str:
    """Failing when a linked test failed, verified when all passed, else unverified."""
    found = [results.get(link, NOT_RUN) for link in links]
    if any(r in (FAILED, ERROR) for r in found):
        return FAILING
    if found and all(r == PASSED for r in found):
        return VERIFIED
    return UNVERIFIED


@dataclass(frozen=True)
class Criterion:
    """A task's acceptance criteria or a quality gate, with its linked tests."""

    kind: str  # "task" or "gate"
    name: str  # the task id or the gate's name
    text: str  # the acceptance criteria or the gate's criteria
    links: tuple[str, ...]


def criteria(plan: Plan) -> list[Criterion]:
    """Every criterion of the plan: the tasks in plan order, then the gates."""
    return [
        Criterion("task", t.id, t.acceptance, t.verified_by) for t in plan.tasks
    ] + [Criterion("gate", g.name, g.criteria, g.verified_by) for g in plan.gates]


@dataclass(frozen=True)
class Verification:
    """A plan's criteria judged against a test run."""

    run: TestRun
    criteria: tuple[Criterion, ...]
    # Result and number of covered testcases of every link the plan names.
    links: dict[str, tuple[str, int]]
    # The use case, as the reports name it: 'UC-001 Customer churn prediction'.
    title: str = ""

    @property
    def results(self) -> dict[str, str]:
        """The result of every link the plan names."""
        return {link: result for link, (result, _) in self.links.items()}

    def state(self, criterion: Criterion) -> str:
        """Verified, failing or unverified."""
        return criterion_state(criterion.links, self.results)

    def by_state(self, state: str) -> list[Criterion]:
        """The criteria in this state, in plan order."""
        return [c for c in self.criteria if self.state(c) == state]

    @property
    def failing(self) -> bool:
        """Whether a linked test of some criterion failed: plan verify fails then."""
        return any(self.state(c) == FAILING for c in self.criteria)


def verify(plan: Plan, run: TestRun) -> Verification:
    """Each criterion of the plan against the run."""
    found = criteria(plan)
    links = dict.fromkeys(link for c in found for link in c.links)
    p = plan.project
    return Verification(
        run,
        tuple(found),
        {link: link_result(link, run.cases) for link in links},
        f"{p.use_case_id} {p.name}",
    )


# ---------------------------------------------------------------------------
# The record (plan/verification.yaml) and the reports
# ---------------------------------------------------------------------------
_RECORD_HEADER = (
    "# The acceptance criteria of plan/tasks.yaml against a test run, written by\n"
    "# `plan verify` from the run's JUnit XML; `plan render` shows it in the plan.\n"
    "# Do not edit it: run the tests and `plan verify` again.\n"
)


def dump_record(v: Verification) -> str:
    """The record's YAML text: the run, each criterion's state, each link's result."""
    counts = v.run.counts()
    entries: list[dict[str, Any]] = []
    for c in v.criteria:
        entry: dict[str, Any] = {c.kind: c.name, "state": v.state(c)}
        if c.links:
            entry["tests"] = [
                {"test": link, "result": v.links[link][0], "cases": v.links[link][1]}
                for link in c.links
            ]
        entries.append(entry)
    data = {
        "format": RECORD_FORMAT,
        "run": {
            "timestamp": v.run.timestamp,
            "junit": list(v.run.files),
            "tests": {"total": len(v.run.cases), **counts},
        },
        "summary": {s: len(v.by_state(s)) for s in STATES},
        "criteria": entries,
    }
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=88)
    return _RECORD_HEADER + body


@dataclass(frozen=True)
class Record:
    """What render reads of a record: when the run was and each link's result."""

    timestamp: str
    results: dict[str, str]


def load_record(content: str, source: str) -> Record:
    """A record's run timestamp and link results; PlanError naming a bad key."""
    try:
        data = yaml.safe_load(content)
    except yaml.YAMLError as error:
        raise PlanError(f"{source} is not valid YAML: {error}") from error
    again = "; run the tests and plan verify again"
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT:
        raise PlanError(f"{source} is not a record of format {RECORD_FORMAT}{again}")
    run, entries = data.get("run"), data.get("criteria")
    if not isinstance(run, dict) or not isinstance(entries, list):
        raise PlanError(f"{source} must have a run mapping and a criteria list{again}")
    results: dict[str, str] = {}
    for position, entry in enumerate(entries):
        tests = entry.get("tests", []) if isinstance(entry, dict) else None
        if not isinstance(tests, list):
            raise PlanError(f"{source}: criteria[{position}].tests must be a list")
        for test in tests:
            link = test.get("test") if isinstance(test, dict) else None
            result = test.get("result") if isinstance(test, dict) else None
            if not isinstance(link, str) or result not in RESULTS:
                raise PlanError(
                    f"{source}: criteria[{position}].tests needs a test and a "
                    f"result, one of {', '.join(RESULTS)}{again}"
                )
            results[link] = str(result)
    stamp = run.get("timestamp")
    return Record(stamp if isinstance(stamp, str) else "", results)


def _run_line(v: Verification) -> str:
    counts = v.run.counts()
    listed = ", ".join(f"{n} {r}" for r, n in counts.items() if n)
    when, total = run_time(v.run.timestamp), len(v.run.cases)
    return f"Test run of {when}: {total} tests ({listed or 'none'})"


def _summary(v: Verification) -> str:
    return ", ".join(f"{len(v.by_state(s))} {s}" for s in STATES)


def _hint(v: Verification) -> list[str]:
    missing = [link for link, (result, _) in v.links.items() if result == NOT_RUN]
    if not missing or not v.run.cases:
        return []
    return [
        (
            "1 linked test is"
            if len(missing) == 1
            else f"{len(missing)} linked tests are"
        )
        + " not in the run. Node ids are relative to "
        "the repository root: a run inside a package folder needs "
        "--junit-prefix=<the folder, dotted> (make test passes it)."
    ]


def _label(c: Criterion) -> str:
    return c.name if c.kind == "task" else f"gate {c.name}"


def report_text(v: Verification) -> str:
    """The verification as plain text for a terminal."""
    lines = [
        f"Acceptance criteria of {v.title}: {_summary(v)}",
        _run_line(v) + ", from " + ", ".join(v.run.files),
    ]
    for state in (FAILING, VERIFIED, UNVERIFIED):
        listed = [c for c in v.by_state(state) if c.links]
        if not listed:
            continue
        lines += ["", f"{state.capitalize()}:"]
        for c in listed:
            lines.append(f"  {_label(c)}: {' '.join(c.text.split())}")
            for link in c.links:
                result, count = v.links[link]
                cases = f" ({count} cases)" if count > 1 else ""
                lines.append(f"      {result:<8} {link}{cases}")
    unlinked = [_label(c) for c in v.criteria if not c.links]
    if unlinked:
        lines += ["", "No tests linked (verified_by), so unverified:"]
        lines += [f"  {', '.join(unlinked)}"]
    hint = _hint(v)
    if hint:
        lines += ["", *hint]
    return "\n".join(lines) + "\n"


def _table_code(value: str) -> str:
    """Inline code inside a table cell, where a pipe would end the cell."""
    return code(value).replace("|", "\\|")


def report_markdown(v: Verification) -> str:
    """The verification as Markdown, for a CI job's summary page."""
    lines = [
        f"### Acceptance criteria of {text(v.title)}: {_summary(v)}",
        "",
        f"{text(_run_line(v))}.",
        "",
        "| Criterion | State | Tests |",
        "|---|---|---|",
    ]
    for state in (FAILING, VERIFIED, UNVERIFIED):
        for c in v.by_state(state):
            if not c.links:
                continue
            label = text(c.name) if c.kind == "task" else f"Gate: {text(c.name)}"
            tests = "<br>".join(
                _table_code(link) + " " + v.links[link][0] for link in c.links
            )
            lines.append(f"| {label} | {state} | {tests} |")
    unlinked = [text(_label(c)) for c in v.criteria if not c.links]
    if unlinked:
        lines += ["", f"No tests linked, so unverified: {', '.join(unlinked)}."]
    return "\n".join(lines) + "\n"
