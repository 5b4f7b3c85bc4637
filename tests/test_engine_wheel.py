"""The planning engine reaches a generated project as a pinned, installable wheel.

The copy builds the wheel with the standard library (hooks/engine_wheel.py); these
tests hold it to what a real build backend makes of planning/pyproject.toml, and
install it into a clean environment with nothing else on offer.
"""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest
import ucforge_planning
from ucforge_support import ROOT

sys.path.insert(0, str(ROOT / "hooks"))
import engine_wheel

ENGINE = ROOT / "planning"


def metadata_of(wheel: Path) -> email.message.Message:
    with zipfile.ZipFile(wheel) as archive:
        name = next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))
        return email.parser.Parser().parsestr(archive.read(name).decode())


def files_of(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def test_the_wheel_is_named_by_the_engine_version_and_built_byte_for_byte(
    tmp_path: Path,
) -> None:
    first = engine_wheel.build_wheel(ENGINE, tmp_path / "one")
    second = engine_wheel.build_wheel(ENGINE, tmp_path / "two")
    version = ucforge_planning.__version__
    assert first.name == f"ucforge_planning-{version}-py3-none-any.whl"
    assert first.read_bytes() == second.read_bytes()


def test_a_project_keeps_one_engine_wheel(tmp_path: Path) -> None:
    stale = tmp_path / "wheels" / "ucforge_planning-0.0.1-py3-none-any.whl"
    stale.parent.mkdir()
    stale.write_bytes(b"an older engine")
    written = engine_wheel.refresh_project_wheel(ENGINE, tmp_path)
    assert sorted(p.name for p in (tmp_path / "wheels").iterdir()) == [written.name]


def test_the_wheel_matches_what_the_build_backend_makes(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    ours = engine_wheel.build_wheel(ENGINE, tmp_path / "ours")
    subprocess.run(
        [uv, "build", "--quiet", "--wheel", "--out-dir", str(tmp_path / "backend")],
        cwd=ENGINE,
        check=True,
    )
    (theirs,) = (tmp_path / "backend").glob("*.whl")
    assert theirs.name == ours.name
    assert files_of(ours) == files_of(theirs)
    mine, backend = metadata_of(ours), metadata_of(theirs)
    for field in ("Name", "Version", "Requires-Python"):
        assert mine[field] == backend[field], field
    assert sorted(mine.get_all("Requires-Dist")) == sorted(
        backend.get_all("Requires-Dist")
    )
    project = tomllib.loads((ENGINE / "pyproject.toml").read_text())["project"]
    assert sorted(mine.get_all("Requires-Dist")) == sorted(project["dependencies"])


def test_the_wheel_installs_and_serves_the_plan_commands(tmp_path: Path) -> None:
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed")
    wheel = engine_wheel.build_wheel(ENGINE, tmp_path / "wheels")
    environment = tmp_path / "venv"
    env = {**os.environ, "VIRTUAL_ENV": str(environment)}
    subprocess.run([uv, "venv", "--quiet", str(environment)], check=True, env=env)
    python = environment / "bin" / "python"
    subprocess.run(
        [uv, "pip", "install", "--quiet", "--python", str(python), str(wheel)],
        check=True,
        env=env,
    )
    shown = subprocess.run(
        [
            str(python),
            "-c",
            "import ucforge_planning, ucforge_planning.commands as c; "
            "print(ucforge_planning.__file__); print(c.TASKS_FILE)",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.splitlines()
    assert str(environment) in shown[0]
    assert shown[1] == "plan/tasks.yaml"
    with zipfile.ZipFile(wheel) as archive:
        assert "ucforge_planning/py.typed" in archive.namelist()
