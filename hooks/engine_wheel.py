"""Builds the planning engine's wheel from the template's planning/ folder.

A generated project installs the engine as a pinned dependency from the wheel the
copy leaves in its wheels/ folder, so `make install` needs no index that holds
the engine and the plan commands work offline. The wheel is pure Python; building
it needs only the standard library, because copier's own Python may have no build
backend. The bytes depend only on the engine's files: the same version written by
two renders of an update is the same file.
"""

from __future__ import annotations

import base64
import hashlib
import re
import tomllib
import zipfile
from pathlib import Path

DISTRIBUTION = "ucforge_planning"
WHEELS_DIR = "wheels"
# Zip entries carry this timestamp, the earliest a zip file can hold.
FIXED_TIME = (1980, 1, 1, 0, 0, 0)
VERSION = re.compile(r'^__version__ = "([^"]+)"$', re.MULTILINE)
# What the package is made of: modules, the catalogue's data and its format, and
# the typing marker. Anything else in a checkout (editor files, caches) stays out.
PACKAGE_SUFFIXES = (".py", ".yaml", ".md", ".typed")


def engine_version(engine_root: Path) -> str:
    """The version written in the engine package's __init__.py."""
    init = engine_root / "src" / DISTRIBUTION / "__init__.py"
    found = VERSION.search(init.read_text(encoding="utf-8"))
    if found is None:
        raise SystemExit(f"{init}: no __version__ line")
    return found.group(1)


def wheel_name(version: str) -> str:
    return f"{DISTRIBUTION}-{version}-py3-none-any.whl"


def _metadata(engine_root: Path, version: str) -> str:
    project = tomllib.loads((engine_root / "pyproject.toml").read_text("utf-8"))[
        "project"
    ]
    lines = [
        "Metadata-Version: 2.1",
        f"Name: {project['name']}",
        f"Version: {version}",
        f"Summary: {project['description']}",
        f"License: {project['license']['text']}",
        f"Requires-Python: {project['requires-python']}",
        *(f"Requires-Dist: {requirement}" for requirement in project["dependencies"]),
        "Description-Content-Type: text/markdown",
    ]
    readme = (engine_root / project["readme"]).read_text(encoding="utf-8")
    return "\n".join(lines) + "\n\n" + readme


def _package_files(engine_root: Path) -> list[tuple[str, bytes]]:
    package = engine_root / "src" / DISTRIBUTION
    files = [
        path
        for path in package.rglob("*")
        if path.is_file()
        and "__pycache__" not in path.parts
        and path.suffix in PACKAGE_SUFFIXES
    ]
    return [
        (path.relative_to(package.parent).as_posix(), path.read_bytes())
        for path in sorted(files)
    ]


def _record_line(name: str, content: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(content).digest()).rstrip(b"=")
    return f"{name},sha256={digest.decode()},{len(content)}"


def build_wheel(engine_root: Path, destination: Path) -> Path:
    """Write the engine's wheel into `destination`; returns the wheel's path."""
    version = engine_version(engine_root)
    info = f"{DISTRIBUTION}-{version}.dist-info"
    entries = _package_files(engine_root)
    entries += [
        (f"{info}/METADATA", _metadata(engine_root, version).encode()),
        (
            f"{info}/WHEEL",
            b"Wheel-Version: 1.0\nGenerator: ucforge\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n",
        ),
    ]
    record = [_record_line(name, content) for name, content in entries]
    record.append(f"{info}/RECORD,,")
    entries.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    destination.mkdir(parents=True, exist_ok=True)
    target = destination / wheel_name(version)
    temporary = target.with_name(f".{target.name}.tmp")
    with zipfile.ZipFile(temporary, "w", zipfile.ZIP_DEFLATED) as wheel:
        for name, content in entries:
            entry = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            entry.external_attr = 0o644 << 16
            entry.compress_type = zipfile.ZIP_DEFLATED
            wheel.writestr(entry, content)
    temporary.replace(target)
    return target


def refresh_project_wheel(engine_root: Path, project: Path) -> Path:
    """Write the engine's wheel into the project, removing other versions of it."""
    folder = project / WHEELS_DIR
    written = build_wheel(engine_root, folder)
    for other in folder.glob(f"{DISTRIBUTION}-*.whl"):
        if other != written:
            other.unlink()
    return written
