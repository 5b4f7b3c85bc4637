"""Fast tests of constraints.txt: the pins every generated project installs with.

The template ships the file (refreshed by `python3 dev.py lock`); these tests check
that it covers what the generated pyprojects require, that `make install` and CI
use it and that `make lock` would write it without the project's own packages.
No test here installs anything or resolves against a package index.
"""

from __future__ import annotations

import re
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version
from ucforge_support import ROOT

# The pins of each orchestrator answer; template/constraints.txt.jinja includes one.
PINS = ROOT / "includes" / "constraints"
ORCHESTRATORS = ["none", "airflow", "prefect", "dagster"]
PYPROJECTS = [
    "pyproject.toml",
    "packages/data-pipeline/pyproject.toml",
    "packages/features/pyproject.toml",
    "packages/model/pyproject.toml",
    "packages/serving/pyproject.toml",
    "tests/pyproject.toml",
]
PROJECTS = ["default_project", "contrast_project", "long_names_project"]
ENGINE = "ucforge-planning"


def pinned_versions(constraints: Path) -> dict[str, list[Version]]:
    """Each pinned distribution's versions (more than one where markers split it)."""
    pins: dict[str, list[Version]] = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        requirement = Requirement(line)
        (specifier,) = requirement.specifier
        assert specifier.operator == "==", line
        name = canonicalize_name(requirement.name)
        pins.setdefault(name, []).append(Version(specifier.version))
    return pins


def own_names(project: Path) -> set[str]:
    """The distributions the project builds itself, and the planning engine."""
    names = {canonicalize_name(ENGINE)}
    for path in PYPROJECTS:
        data = tomllib.loads((project / path).read_text(encoding="utf-8"))
        names.add(canonicalize_name(data["project"]["name"]))
    return names


def requirements_of(project: Path) -> list[tuple[str, Requirement]]:
    """Every runtime and extra requirement of every pyproject, with its file."""
    found = []
    for path in PYPROJECTS:
        data = tomllib.loads((project / path).read_text(encoding="utf-8"))["project"]
        lines = list(data.get("dependencies", []))
        for extra in data.get("optional-dependencies", {}).values():
            lines.extend(extra)
        found.extend((path, Requirement(line)) for line in lines)
    return found


def test_there_are_pins_for_each_orchestrator_and_no_other() -> None:
    assert sorted(p.stem for p in PINS.glob("*.txt")) == sorted(ORCHESTRATORS)


@pytest.mark.parametrize("orchestrator", ORCHESTRATORS)
def test_the_shipped_constraints_pin_exact_versions_of_no_own_package(
    orchestrator: str,
) -> None:
    shipped = PINS / f"{orchestrator}.txt"
    text = shipped.read_text(encoding="utf-8")
    assert "#    make lock" in text.splitlines()[:8], "the header names make lock"
    pins = pinned_versions(shipped)
    assert len(pins) > 50
    assert canonicalize_name(ENGINE) not in pins
    # Static: no project's name, path or local file reaches it.
    assert not re.search(r"(?m)^(-e|file:|\.|/)|uc-\d", text)
    # `make lock` runs after `make install` because uv comes with the dev extra.
    assert "uv" in pins


@pytest.mark.parametrize("which", [*PROJECTS, *ORCHESTRATORS[1:]])
def test_every_requirement_of_a_generated_project_has_a_pin_that_satisfies_it(
    which: str, request: pytest.FixtureRequest, shared_project: Callable[..., Path]
) -> None:
    if which in ORCHESTRATORS:
        answers = {"orchestrator": which, "compute_engine": "spark"}
        project = shared_project(f"orchestrator-{which}-spark", answers)
    else:
        project = request.getfixturevalue(which)
    orchestrator = yaml.safe_load((project / ".copier-answers.yml").read_text())[
        "orchestrator"
    ]
    shipped = (project / "constraints.txt").read_text(encoding="utf-8")
    assert shipped == (PINS / f"{orchestrator}.txt").read_text(encoding="utf-8")
    pins = pinned_versions(project / "constraints.txt")
    own = own_names(project)
    problems = []
    for path, requirement in requirements_of(project):
        name = canonicalize_name(requirement.name)
        if name in own:
            continue
        versions = pins.get(name)
        if not versions:
            problems.append(f"{path}: {requirement} has no pin")
        elif not any(requirement.specifier.contains(v) for v in versions):
            pinned = ", ".join(map(str, versions))
            problems.append(f"{path}: {requirement} excludes the pin {pinned}")
    assert problems == [], "run python3 dev.py lock:\n" + "\n".join(problems)


def make_dry_run(project: Path, target: str) -> str:
    """The commands `make <target>` would run in the project, without running them."""
    printed = subprocess.run(
        ["make", "-n", "--no-print-directory", target],
        cwd=project,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return re.sub(r"\\\n\s*", " ", printed)


@pytest.mark.parametrize("which", ["default_project", "long_names_project"])
def test_make_lock_pins_every_pyproject_and_leaves_out_the_own_packages(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    commands = make_dry_run(project, "lock")
    compile_command = commands.split("uv pip compile", 1)[1].split("\n")[0]
    for path in PYPROJECTS:
        assert f" {path}" in compile_command
    left_out = set(re.findall(r"--no-emit-package (\S+)", compile_command))
    assert {canonicalize_name(n) for n in left_out} == own_names(project)
    for option in ("--universal", "--all-extras", "--output-file constraints.txt"):
        assert option in compile_command
    assert "--upgrade" not in compile_command


def test_make_install_installs_with_the_constraints_on_both_paths(
    default_project: Path,
) -> None:
    makefile = (default_project / "Makefile").read_text(encoding="utf-8")
    recipe = makefile.split("\ninstall:", 1)[1].split("\n\n", 1)[0]
    uv_path, pip_path = recipe.split("\nelse\n", 1)
    assert "--constraints $(CONSTRAINTS)" in uv_path.replace("\\\n", " ")
    pip_install = [line for line in pip_path.splitlines() if "$(INSTALLS)" in line]
    assert pip_install and "--constraint $(CONSTRAINTS)" in pip_install[0]
    assert "\nCONSTRAINTS := constraints.txt\n" in makefile


@pytest.mark.parametrize(
    ("which", "ci_file"),
    [
        ("default_project", ".github/workflows/ci.yml"),
        ("contrast_project", ".gitlab-ci.yml"),
    ],
)
def test_ci_installs_through_make_install_with_uv_pinned_and_caches_by_the_pins(
    which: str, ci_file: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    ci = (project / ci_file).read_text(encoding="utf-8")
    assert "make install" in ci
    assert "pip install --quiet --constraint constraints.txt uv" in ci
    assert "constraints.txt" in ci.split("cache", 1)[1]


@pytest.mark.parametrize("which", ["default_project", "contrast_project"])
def test_every_warning_filter_names_its_message_and_why(
    which: str, request: pytest.FixtureRequest
) -> None:
    project: Path = request.getfixturevalue(which)
    for path in PYPROJECTS[1:]:
        text = (project / path).read_text(encoding="utf-8")
        options = tomllib.loads(text).get("tool", {}).get("pytest", {})
        filters = options.get("ini_options", {}).get("filterwarnings", [])
        lines = text.splitlines()
        for entry in filters:
            action, message, *rest = entry.split(":")
            assert action == "ignore" and message, f"{path}: {entry} names no message"
            assert rest and rest[0].endswith("Warning"), f"{path}: {entry}"
            line = next(i for i, t in enumerate(lines) if entry[:20] in t)
            assert lines[line - 1].lstrip().startswith("#"), f"{path}: {entry}"
