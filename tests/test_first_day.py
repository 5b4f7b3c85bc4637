"""A generated project's first day: its repository, its checks and its tests.

Fast tests: each renders a project, or uses a shared one, and runs one piece of it
(the copy's git repository, a Makefile target over small stand-in packages) with
the tools of the template's own environment.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import copier
import pytest
from documents_support import code_in
from ucforge_support import BASE_ANSWERS, render

TOOLS = Path(sys.executable).parent


def tool_env(**extra: str) -> dict[str, str]:
    """The environment with this environment's tools (pytest, mypy) first on PATH."""
    env = {
        k: v for k, v in os.environ.items() if k not in {"VIRTUAL_ENV", "PYTHONPATH"}
    }
    env["PATH"] = f"{TOOLS}{os.pathsep}{env['PATH']}"
    return {**env, **extra}


def make(
    project: Path, *arguments: str, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", "--no-print-directory", *arguments],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def test_the_new_repository_is_on_main_whatever_git_calls_a_new_branch(
    template_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = trunk\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    plain = tmp_path / "plain"
    subprocess.run(["git", "init", "--quiet", str(plain)], check=True)
    head = ["git", "symbolic-ref", "HEAD"]

    def branch(folder: Path) -> str:
        return subprocess.run(
            head, cwd=folder, capture_output=True, text=True, check=True
        ).stdout.strip()

    assert branch(plain) == "refs/heads/trunk", "the git configuration was not read"
    project = render(template_dir, tmp_path / "project", BASE_ANSWERS)
    assert branch(project) == "refs/heads/main"


def test_no_document_asks_to_create_or_rename_the_branch_again(
    default_project: Path, contrast_project: Path
) -> None:
    renames = re.compile(r"git (init|branch -[mM]|checkout -b main|switch -c main)\b")
    for project in (default_project, contrast_project):
        for document in project.rglob("*.md"):
            text = document.read_text(encoding="utf-8")
            commands = [c for c in code_in(text) if renames.search(c)]
            assert commands == [], f"{document.relative_to(project)}: {commands}"
        readme = (project / "README.md").read_text(encoding="utf-8")
        assert "on the branch `main`" in readme


# Stand-ins for each folder `make test` runs pytest in: the rendered pyproject.toml
# (pytest options, coverage source and gate) over a module and tests of our own.
MODULE = '''"""A stand-in for the package's code."""


def sign(number: int) -> str:
    if number > 0:
        return "positive"
    if number < 0:
        return "negative"
    return "zero"
'''
TESTS = {
    "covered": (
        "def test_every_sign() -> None:\n"
        "    assert [sign(n) for n in (3, -3, 0)] == ['positive', 'negative', 'zero']\n"
    ),
    # Covers every line, so that only its test fails it.
    "failing": (
        "def test_a_bug() -> None:\n"
        "    assert [sign(n) for n in (3, -3, 0)] == ['positive', 'negative', 'one']\n"
    ),
    "under_covered": "def test_one_sign() -> None:\n    assert sign(3) == 'positive'\n",
}
# What each folder gets: the components in `make test` order, then the suites.
SCENARIO = {
    "packages/data-pipeline": "covered",
    "packages/features": "failing",
    "packages/model": "under_covered",
    "packages/serving": "covered",
    "tests": "covered",
}


def stand_in_project(rendered: Path, destination: Path) -> tuple[Path, list[Path]]:
    """The rendered Makefile and pyprojects over stand-ins; returns it and their src."""
    destination.mkdir()
    shutil.copy(rendered / "Makefile", destination / "Makefile")
    shutil.copy(rendered / "pyproject.toml", destination / "pyproject.toml")
    sources = []
    for folder, kind in SCENARIO.items():
        pyproject = rendered / folder / "pyproject.toml"
        config = tomllib.loads(pyproject.read_text(encoding="utf-8"))
        (module,) = config["tool"]["coverage"]["run"]["source"]
        target = destination / folder
        (target / "src" / module).mkdir(parents=True)
        (target / "src" / module / "__init__.py").write_text(MODULE, encoding="utf-8")
        sources.append(target / "src")
        # The suites' pytest collects its level folders, unit/ first.
        tests = target / ("unit" if folder == "tests" else "tests")
        tests.mkdir(parents=True)
        shutil.copy(pyproject, target / "pyproject.toml")
        header = f"from {module} import sign\n\n\n"
        (tests / "test_sign.py").write_text(header + TESTS[kind], encoding="utf-8")
        # One more file that passes and covers nothing in particular.
        (tests / "test_imports.py").write_text(
            f"import {module}\n\n\ndef test_it_imports() -> None:\n"
            f"    assert {module}.sign.__doc__ is None\n",
            encoding="utf-8",
        )
    return destination, sources


@pytest.fixture
def stand_in(default_project: Path, tmp_path: Path) -> tuple[Path, dict[str, str]]:
    project, sources = stand_in_project(default_project, tmp_path / "project")
    assert (TOOLS / "pytest").is_file() and (TOOLS / "python").is_file()
    found = subprocess.run(
        [str(TOOLS / "python"), "-c", "import pytest_cov"], check=False
    )
    assert found.returncode == 0, "pytest-cov is missing from the dev environment"
    return project, tool_env(PYTHONPATH=os.pathsep.join(map(str, sources)))


@pytest.mark.parametrize("jobs", ["1", "3"], ids=["one-by-one", "side-by-side"])
def test_make_test_runs_every_package_then_names_each_that_failed(
    stand_in: tuple[Path, dict[str, str]], jobs: str
) -> None:
    project, env = stand_in
    result = make(project, "test", f"TEST_JOBS={jobs}", env=env)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    # Every folder ran, the ones after the first failure included: one by one in
    # order; side by side the suites first, each folder's output in one piece.
    headers = re.findall(r"^== (\S+)$", result.stdout, flags=re.MULTILINE)
    if jobs == "1":
        assert headers == list(SCENARIO), output
    else:
        assert sorted(headers) == sorted(SCENARIO), output
        pieces = re.split(r"(?m)^== \S+$", result.stdout)[1:]
        sections = dict(zip(headers, pieces, strict=True))
        assert "1 failed" in sections["packages/features"], output
        assert "Required test coverage" in sections["packages/model"], output
        for folder in ("packages/data-pipeline", "packages/serving", "tests"):
            assert re.search(r"\b2 passed\b", sections[folder]), output
    (summary,) = [line for line in result.stderr.splitlines() if "Failed in:" in line]
    failed = {folder for folder, kind in SCENARIO.items() if kind != "covered"}
    named = set(summary.split("Failed in:")[1].split("(")[0].split())
    assert named == failed, summary
    # The model's tests pass: its gate failed it.
    gate = re.compile(r"Required test coverage of 80(\.0)?% not reached")
    assert len(gate.findall(output)) == 1, output
    assert "1 failed" in output


@pytest.mark.parametrize(
    "focus", [["tests/test_sign.py"], ["-k", "sign"]], ids=["one-file", "keyword"]
)
def test_a_focused_run_is_free_of_the_coverage_gate(
    stand_in: tuple[Path, dict[str, str]], focus: list[str]
) -> None:
    project, env = stand_in
    result = subprocess.run(
        ["pytest", *focus],
        cwd=project / "packages" / "model",
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "Required test coverage" not in output
    assert "1 passed" in output


RECORDER = """#!{python}
import json, os, sys
with open({log!r}, "a", encoding="utf-8") as log:
    log.write(json.dumps([os.getcwd(), sys.argv[1:]]) + "\\n")
"""


def python_files(root: Path, paths: list[str]) -> set[Path]:
    found: set[Path] = set()
    for name in paths:
        path = (root / name).resolve()
        found |= set(path.rglob("*.py")) if path.is_dir() else {path}
    return found


@pytest.mark.parametrize("which", ["default_project", "contrast_project"])
def test_make_typecheck_hands_every_test_module_to_mypy(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    project: Path = request.getfixturevalue(which)
    tools, log = tmp_path / "bin", tmp_path / "mypy.log"
    tools.mkdir()
    recorder = tools / "mypy"
    recorder.write_text(RECORDER.format(python=sys.executable, log=str(log)))
    recorder.chmod(0o755)
    env = tool_env()
    env["PATH"] = f"{tools}{os.pathsep}{env['PATH']}"
    result = make(project, "typecheck", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    configured = tomllib.loads((project / "pyproject.toml").read_text())
    checked: set[Path] = set()
    for line in log.read_text(encoding="utf-8").splitlines():
        cwd, arguments = json.loads(line)
        paths = [a for a in arguments if not a.startswith("-")]
        checked |= python_files(Path(cwd), paths or configured["tool"]["mypy"]["files"])
    tests = {
        path.resolve()
        for folder in [*project.glob("packages/*/tests"), project / "tests"]
        for path in folder.rglob("*.py")
    }
    assert len(tests) > 20
    assert sorted(tests - checked) == []
    # `make check` runs mypy through pre-commit, from the same target.
    hooks = (project / ".pre-commit-config.yaml").read_text(encoding="utf-8")
    assert re.search(r"- id: mypy\n(\s+\w+: .*\n)*?\s+entry: make typecheck\n", hooks)


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test Team",
    "GIT_AUTHOR_EMAIL": "team@example.com",
    "GIT_COMMITTER_NAME": "Test Team",
    "GIT_COMMITTER_EMAIL": "team@example.com",
}


def commit_all(folder: Path, message: str) -> None:
    for command in (
        ["add", "--all"],
        ["commit", "--quiet", "--no-verify", "-m", message],
    ):
        subprocess.run(
            ["git", *command], cwd=folder, env=tool_env(**GIT_ENV), check=True
        )


def tag(folder: Path, name: str) -> None:
    subprocess.run(["git", "tag", name], cwd=folder, check=True)


@pytest.mark.update
def test_make_update_pulls_the_next_version_with_the_copier_of_the_environment(
    template_dir: Path, tmp_path: Path
) -> None:
    repo = Path(shutil.copytree(template_dir, tmp_path / "ucforge"))
    subprocess.run(["git", "init", "--quiet"], cwd=repo, check=True)
    commit_all(repo, "version A")
    tag(repo, "v1.0.0")
    project = tmp_path / "project"
    copier.run_copy(
        str(repo),
        str(project),
        data=BASE_ANSWERS,
        vcs_ref="v1.0.0",
        defaults=True,
        unsafe=True,
        quiet=True,
    )
    commit_all(project, "Start from the template")
    # The team and the next version change the same heading; the version also
    # adds a rule.
    contributing = project / "CONTRIBUTING.md"
    text = contributing.read_text(encoding="utf-8")
    contributing.write_text(text.replace("## Conventions", "## Our conventions"))
    commit_all(project, "The team's heading")
    source = repo / "template" / "CONTRIBUTING.md.jinja"
    text = source.read_text(encoding="utf-8")
    rule = "- Every public function has a docstring."
    source.write_text(
        text.replace("## Conventions\n", f"## House rules\n\n{rule}\n"),
        encoding="utf-8",
    )
    commit_all(repo, "version B")
    tag(repo, "v2.0.0")

    result = make(project, "update", env=tool_env(**GIT_ENV))
    output = result.stdout + result.stderr
    answers = (project / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "_commit: v2.0.0" in answers, output
    assert rule in contributing.read_text(encoding="utf-8")
    # The heading both sides changed is left marked, and make update says where.
    assert result.returncode != 0, output
    assert re.search(r"^CONTRIBUTING\.md:\d+:<<<<<<< ", output, re.MULTILINE), output
    assert "Resolve the conflict markers" in output
