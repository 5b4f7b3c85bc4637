"""Generated documents name only commands that exist for the answers given.

Every `make <target>` in the Markdown of a generated project is a target of its
Makefile, and every `pytest -m <level>` names a suite that was generated. The
commands of the project's own CLI are run with `--help` in the full tier
(tests/test_full.py), where the project is installed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from documents_support import code_in, documented

MAKE = re.compile(r"(?:\$ )?make ([a-z][a-z0-9_-]*)")
PYTEST_MARKER = re.compile(r"(?:\$ )?pytest\b.*?\s-m\s+([a-z]+)")
TARGET = re.compile(r"^([a-zA-Z0-9_.-]+(?:\s+[a-zA-Z0-9_.-]+)*)\s*:(?!=)")


def makefile_targets(makefile: Path) -> set[str]:
    """The targets a Makefile defines (rules, not variable assignments)."""
    targets: set[str] = set()
    for line in makefile.read_text(encoding="utf-8").splitlines():
        match = TARGET.match(line)
        if match and not line.startswith("\t"):
            targets.update(match.group(1).split())
    return targets


@pytest.fixture(params=["default_project", "contrast_project"])
def project(request: pytest.FixtureRequest) -> Path:
    rendered: Path = request.getfixturevalue(request.param)
    return rendered


def test_only_code_counts_as_a_command() -> None:
    text = "Run `make check`, then make the first commit.\n\n```bash\nmake demo\n```\n"
    assert list(code_in(text)) == ["make check", "make demo"]


def test_rules_are_targets_and_assignments_are_not(tmp_path: Path) -> None:
    makefile = tmp_path / "Makefile"
    makefile.write_text(
        "BIN := .venv/bin\nexport PATH := $(BIN)\n.PHONY: a b\n"
        "a b: ## two\n\techo a: b\ncheck: a\n",
        encoding="utf-8",
    )
    assert makefile_targets(makefile) == {".PHONY", "a", "b", "check"}


def test_every_make_target_in_the_documents_is_in_the_makefile(project: Path) -> None:
    targets = makefile_targets(project / "Makefile")
    documents = documented(project, MAKE)
    assert {"install", "check", "test"} <= documents.keys()
    missing = {t: files for t, files in documents.items() if t not in targets}
    assert missing == {}, f"documented make targets the Makefile lacks: {missing}"


def test_every_pytest_level_in_the_documents_was_generated(project: Path) -> None:
    levels = documented(project, PYTEST_MARKER)
    missing = {
        level: files
        for level, files in levels.items()
        if not (project / "tests" / level).is_dir()
    }
    assert missing == {}, f"documented test levels that were not generated: {missing}"
