"""The two quick-start commands of ucforge, with nothing but Python 3.11 and git.

    python3 dev.py demo   generate a demo use case from this checkout and run it
    python3 dev.py test   run the template's whole test suite

and one for the template's maintainers:

    python3 dev.py lock   re-pin includes/constraints/*.txt, the versions every
                          generated project installs, after a dependency changed

All create `.venv` in this checkout on first use and install the template's
development dependencies (the `dev` group of pyproject.toml) into it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / "bin"
DEMO_DEFAULT = ROOT / "build" / "demo"


def run(
    command: list[str], cwd: Path = ROOT, env: dict[str, str] | None = None
) -> None:
    """Run one command (never through a shell); stop with its exit code if it fails."""
    print(f"$ {' '.join(command)}", flush=True)
    result = subprocess.run(command, cwd=cwd, env=env, check=False)
    if result.returncode != 0:
        sys.exit(result.returncode)


def tool_env() -> dict[str, str]:
    """The environment with .venv/bin first on PATH, so `uv` and `copier` are found."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.pop("VIRTUAL_ENV", None)
    return env


def ensure_environment() -> None:
    """Create .venv with the dev dependency group (and the Mermaid parser) if stale."""
    pyproject = ROOT / "pyproject.toml"
    engine = ROOT / "planning" / "pyproject.toml"
    lockfile = ROOT / "planning" / "tests" / "mermaid" / "package-lock.json"
    stamp = VENV / ".ucforge-installed"
    inputs = [p.stat().st_mtime for p in (pyproject, engine, lockfile) if p.exists()]
    if stamp.exists() and stamp.stat().st_mtime >= max(inputs):
        return
    if not (BIN / "python").exists():
        print(f"Creating {VENV.relative_to(ROOT)}", flush=True)
        venv.create(VENV, with_pip=True)
    requirements = tomllib.loads(pyproject.read_text())["dependency-groups"]["dev"]
    python = str(BIN / "python")
    run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", "uv"])
    run(
        [
            str(BIN / "uv"),
            "pip",
            "install",
            "--quiet",
            # Compiled now: with PYTHONDONTWRITEBYTECODE set, each process would
            # compile copier and the engine's libraries again.
            "--compile-bytecode",
            "--python",
            python,
            *requirements,
            # The planning engine, editable: its tests import it as projects do.
            "-e",
            str(ROOT / "planning"),
        ]
    )
    if shutil.which("npm"):
        # The real Mermaid parser, which the plan tests use to check the diagrams.
        run(["bash", str(ROOT / "planning" / "tests" / "mermaid" / "install.sh")])
    stamp.touch()


def install_and_run_demo(project: Path, env: dict[str, str]) -> None:
    """`make install` then `make demo` in the project, or their steps without make."""
    if shutil.which("make"):
        run(["make", "install"], cwd=project, env=env)
        run(["make", "demo"], cwd=project, env=env)
        return
    uv, python = str(BIN / "uv"), str(project / ".venv" / "bin" / "python")
    run(
        [uv, "venv", "--quiet", "--python", sys.executable, ".venv"],
        cwd=project,
        env=env,
    )
    editables = [f"packages/{p.name}" for p in sorted((project / "packages").iterdir())]
    editables += [".[dev]", "tests"]
    engine = [str(wheel) for wheel in sorted((project / "wheels").glob("*.whl"))]
    install = [uv, "pip", "install", "--quiet", "--python", python, *engine]
    run(
        [*install, *(arg for e in editables for arg in ("-e", e))], cwd=project, env=env
    )
    slug = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
    run([str(project / ".venv" / "bin" / slug), "demo"], cwd=project, env=env)


def copy_checkout(destination: Path, env: dict[str, str], *options: str) -> None:
    """`copier copy` of this checkout's HEAD into `destination`, default answers."""
    run(
        [
            str(BIN / "copier"),
            "copy",
            "--trust",
            "--defaults",
            "--quiet",
            "--vcs-ref",
            "HEAD",
            *options,
            str(ROOT),
            str(destination),
        ],
        env=env,
    )


def demo(destination: Path) -> None:
    """Generate the default use case from this checkout, install it and run it."""
    ensure_environment()
    started = time.monotonic()
    if destination.exists():
        shutil.rmtree(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    env = tool_env()
    copy_checkout(destination, env)
    install_and_run_demo(destination, env)
    elapsed = time.monotonic() - started
    print(
        f"\nThe demo use case is in {destination} ({elapsed:.0f} s). "
        "Its README says what to do next."
    )


# Single-choice questions whose choices each bring dependencies of their own (an
# engine, an orchestrator): the lock resolves the requirements of all of them at once.
ALTERNATIVES = ("compute_engine", "orchestrator")


def question_choices() -> dict[str, tuple[bool, list[str]]]:
    """Per question with choices: whether it is multiple-choice, and its values."""
    script = (
        "import json, sys, yaml\n"
        "questions = yaml.safe_load(open(sys.argv[1], encoding='utf-8'))\n"
        "print(json.dumps({name: [bool(q.get('multiselect')),"
        " list(q['choices'].values())"
        " if isinstance(q['choices'], dict) else q['choices']]"
        " for name, q in questions.items()"
        " if isinstance(q, dict) and q.get('choices')}))\n"
    )
    found = subprocess.run(
        [str(BIN / "python"), "-c", script, str(ROOT / "copier.yml")],
        capture_output=True,
        text=True,
        check=True,
    )
    return {
        name: (multi, values)
        for name, (multi, values) in json.loads(found.stdout).items()
    }


def every_choice_answers() -> dict[str, object]:
    """Every choice of every multiple-choice question, and the last choice of each
    of the ALTERNATIVES: the project that needs most."""
    choices = question_choices()
    answers: dict[str, object] = {
        name: values for name, (multi, values) in choices.items() if multi
    }
    for name in ALTERNATIVES:
        answers[name] = choices[name][1][-1]
    return answers


def requirements_of(project: Path) -> set[str]:
    """Every third-party requirement of a rendered project's pyprojects."""
    found: set[str] = set()
    for pyproject in project.glob("**/pyproject.toml"):
        if ".venv" in pyproject.parts:
            continue
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
        found.update(data.get("dependencies", []))
        for extra in data.get("optional-dependencies", {}).values():
            found.update(extra)
    slug = tomllib.loads((project / "pyproject.toml").read_text())["project"]["name"]
    return {r for r in found if not r.startswith((slug, "ucforge-planning"))}


def other_alternatives(
    base: dict[str, object], env: dict[str, str], keep: tuple[str, ...] = ()
) -> list[str]:
    """Requirements that the other choices of the ALTERNATIVES (but `keep`) add."""
    choices = question_choices()
    extra: set[str] = set()
    with tempfile.TemporaryDirectory(prefix="ucforge-lock-alt-") as folder:
        answers_file = Path(folder) / "answers.json"
        answers_file.write_text(json.dumps(base), encoding="utf-8")
        reference = Path(folder) / "reference"
        copy_checkout(reference, env, "--data-file", str(answers_file))
        own = requirements_of(reference)
        for name in (n for n in ALTERNATIVES if n not in keep):
            for value in choices[name][1]:
                if value == base[name]:
                    continue
                answers_file.write_text(
                    json.dumps({**base, name: value}), encoding="utf-8"
                )
                other = Path(folder) / f"{name}-{value}"
                copy_checkout(other, env, "--data-file", str(answers_file))
                extra |= requirements_of(other) - own
    return sorted(extra)


def add_dev_requirements(project: Path, requirements: list[str]) -> None:
    """Add requirements to the rendered project's dev extra, as a team would."""
    pyproject = project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    opening = "dev = [\n"
    if opening not in text:
        sys.exit(f"No `{opening.strip()}` line in the rendered {pyproject.name}.")
    added = "".join(f"    {json.dumps(r)},\n" for r in requirements)
    pyproject.write_text(text.replace(opening, opening + added, 1), encoding="utf-8")
    extra = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]
    missing = set(requirements) - set(extra["optional-dependencies"]["dev"])
    if missing:
        sys.exit(f"Could not add {sorted(missing)} to the dev extra.")


def pins(constraints: Path) -> dict[str, str]:
    """The pin lines of a constraints file, by distribution name."""
    if not constraints.exists():
        return {}
    lines = constraints.read_text(encoding="utf-8").splitlines()
    found: dict[str, str] = {}
    for line in lines:
        if line and not line.startswith("#"):
            name = line.split("==", 1)[0]
            found[name] = f"{found[name]}, {line}" if name in found else line
    return found


# Each orchestrator's pins, which template/constraints.txt.jinja includes.
PINS = ROOT / "includes" / "constraints"


def lock(also: list[str], upgrade: bool) -> None:
    """Re-pin includes/constraints/<orchestrator>.txt with a project's `make lock`.

    The orchestrators' libraries cannot share one resolution (each bounds FastAPI
    differently), so each orchestrator has its own pins. For each, a project is
    rendered from this checkout with every multiple-choice answer on and every
    compute engine's requirements (ALTERNATIVES other than the orchestrator are
    added to its dev extra with `also`); its `make lock` resolves them together and
    starts from the pins the template ships, which it keeps unless a requirement
    moved or `upgrade` is set.
    """
    if not shutil.which("make"):
        sys.exit("dev.py lock runs the generated project's `make lock`: install make.")
    ensure_environment()
    env = tool_env()
    for orchestrator in question_choices()["orchestrator"][1]:
        shipped = PINS / f"{orchestrator}.txt"
        before = pins(shipped)
        with tempfile.TemporaryDirectory(prefix="ucforge-lock-") as folder:
            project = Path(folder) / "project"
            answers = Path(folder) / "answers.json"
            widest = {**every_choice_answers(), "orchestrator": orchestrator}
            answers.write_text(json.dumps(widest), encoding="utf-8")
            copy_checkout(project, env, "--data-file", str(answers))
            extra = [*also, *other_alternatives(widest, env, keep=("orchestrator",))]
            if extra:
                add_dev_requirements(project, extra)
            run(["make", "lock", *(["UPGRADE=1"] if upgrade else [])], project, env)
            shutil.copyfile(project / "constraints.txt", shipped)
        after = pins(shipped)
        changed = sorted(
            n for n in before.keys() | after.keys() if before.get(n) != after.get(n)
        )
        for name in changed:
            print(f"  {before.get(name, '(new)')}  ->  {after.get(name, '(removed)')}")
        print(
            f"{shipped.relative_to(ROOT)}: {len(after)} distributions pinned, "
            f"{len(changed)} changed."
        )
    print("Commit the pins with the change that needed them.")


def test(pytest_args: list[str]) -> None:
    """Run the template's tests: fast render tests and full generate-and-run tests.

    Tests are spread over every core (pytest-xdist) unless the arguments say
    otherwise with -n or -p no:xdist. Each worker is handed one test at a time
    (--maxschedchunk 1), in the order of tests/conftest.py, the slowest first: a
    worker that holds a long test is not also holding a queue of others.
    """
    ensure_environment()
    spread = ["-n", "auto", "--maxschedchunk", "1"]
    parallel = [] if {"-n", "-p"} & set(pytest_args) else spread
    run([str(BIN / "python"), "-m", "pytest", *parallel, *pytest_args], env=tool_env())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    demo_parser = commands.add_parser("demo", help="generate and run a demo use case")
    demo_parser.add_argument(
        "--dest", type=Path, default=DEMO_DEFAULT, help="where to generate it"
    )
    test_parser = commands.add_parser(
        "test", help="run the template's test suite; other arguments go to pytest"
    )
    test_parser.add_argument("pytest_args", nargs=argparse.REMAINDER)
    lock_parser = commands.add_parser(
        "lock", help="re-pin includes/constraints/*.txt from the generated pyprojects"
    )
    lock_parser.add_argument(
        "--with",
        dest="also",
        action="append",
        default=[],
        metavar="REQUIREMENT",
        help="also pin this requirement, as if the dev extra named it (repeatable)",
    )
    lock_parser.add_argument(
        "--upgrade",
        action="store_true",
        help="move every pin to the newest version the requirements allow",
    )
    # Everything after `test` belongs to pytest, options such as -m and -k included,
    # which argparse would otherwise claim for itself.
    if sys.argv[1:2] == ["test"] and not {"-h", "--help"} & set(sys.argv[2:3]):
        test(sys.argv[2:])
        return
    args = parser.parse_args()
    if args.command == "demo":
        demo(args.dest.resolve())
    elif args.command == "lock":
        lock(args.also, args.upgrade)
    else:
        test(args.pytest_args)


if __name__ == "__main__":
    main()
