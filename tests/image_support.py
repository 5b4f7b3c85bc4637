"""Container images in the full tests: buildah without a daemon, a local base image.

Registries are not reachable from the test machines, so `FROM python:3.11-slim`
is served by a stand-in made here: Debian bookworm (the slim image's own base,
with its Python 3.11) from debootstrap, plus `python` on PATH, the machine's CA
bundle and a pip configuration that names it, so that pip inside a build reaches
the package index the way pip on the machine does. It is imported once per machine
under the official name and reused; builds then run with `--pull-never`.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

BASE_IMAGE = "docker.io/library/python:3.11-slim"
# buildah's global options: no daemon, no overlay mounts, no user namespaces.
BUILDAH = ["buildah", "--storage-driver", "vfs"]
BUILD_FLAGS = ["--isolation", "chroot", "--network", "host", "--pull-never"]
DEBIAN_PACKAGES = "python3,python3-venv,python3-pip,ca-certificates"
CA_BUNDLE = Path("/etc/ssl/certs/ca-certificates.crt")


def missing_tools() -> list[str]:
    """The tools the image tests need that this machine does not have."""
    return [tool for tool in ("buildah", "debootstrap") if shutil.which(tool) is None]


def _run(command: list[str], timeout: int = 1200) -> str:
    result = subprocess.run(
        command, capture_output=True, text=True, timeout=timeout, check=False
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{output[-4000:]}"
    return result.stdout


def has_image(name: str) -> bool:
    result = subprocess.run(
        [*BUILDAH, "inspect", "--type", "image", name],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


def _mirror() -> str:
    """The Debian mirror this machine's apt uses (deb.debian.org otherwise)."""
    for source in Path("/etc/apt").rglob("*.sources"):
        for line in source.read_text(encoding="utf-8").splitlines():
            if line.startswith("URIs:") and "security" not in line:
                return line.split()[1]
    return "http://deb.debian.org/debian"


def ensure_base_image() -> str:
    """The stand-in for python:3.11-slim, made once per machine; returns its name."""
    lock_path = Path(tempfile.gettempdir()) / "ucforge-base-image.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not has_image(BASE_IMAGE):
            with tempfile.TemporaryDirectory(prefix="ucforge-base-") as work:
                _make_base(Path(work))
    return BASE_IMAGE


def _make_base(work: Path) -> None:
    root = work / "rootfs"
    _run(
        [
            "debootstrap",
            "--variant=minbase",
            f"--include={DEBIAN_PACKAGES}",
            "bookworm",
            str(root),
            _mirror(),
        ]
    )
    # What python:3.11-slim has and Debian spells differently.
    for name in ("python", "python3"):
        link = root / "usr/local/bin" / name
        link.unlink(missing_ok=True)
        link.symlink_to("/usr/bin/python3")
    shutil.copyfile(CA_BUNDLE, root / "etc/ssl/certs/ca-certificates.crt")
    (root / "etc/pip.conf").write_text(
        "[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n"
        "break-system-packages = true\n",
        encoding="utf-8",
    )
    shutil.rmtree(root / "var/cache/apt/archives", ignore_errors=True)
    (root / "var/cache/apt/archives/partial").mkdir(parents=True)
    archive = work / "rootfs.tar"
    _run(["tar", "-C", str(root), "-cf", str(archive), "."])
    container = _run([*BUILDAH, "from", "scratch"]).strip()
    try:
        _run([*BUILDAH, "add", container, str(archive), "/"])
        _run(
            [
                *BUILDAH,
                "config",
                "--env",
                "PATH=/usr/local/bin:/usr/bin:/bin",
                "--env",
                "LANG=C.UTF-8",
                # uv reads the CA bundle from here; pip from /etc/pip.conf.
                "--env",
                "SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt",
                "--cmd",
                "python3",
                container,
            ]
        )
        _run([*BUILDAH, "commit", "--quiet", container, BASE_IMAGE])
    finally:
        subprocess.run([*BUILDAH, "rm", container], capture_output=True, check=False)


def build_flags() -> str:
    """IMAGE_BUILD_FLAGS for the generated Makefile's `make image`."""
    return " ".join([*BUILD_FLAGS, "--format", "docker"])


def builder() -> str:
    """IMAGE_BUILDER for the generated Makefile's `make image`."""
    return " ".join(BUILDAH)


def local_name(tag: str) -> str:
    """The name buildah gives an image built under `tag`."""
    return tag if "/" in tag else f"localhost/{tag}"


@contextlib.contextmanager
def running(tag: str) -> Iterator[str]:
    """A working container of the image `tag`, with the image's user and settings."""
    container = _run([*BUILDAH, "from", "--pull-never", local_name(tag)]).strip()
    try:
        yield container
    finally:
        subprocess.run([*BUILDAH, "rm", container], capture_output=True, check=False)


def _run_prefix(container: str) -> list[str]:
    # Host networking: the service's port is the machine's, on loopback.
    return [*BUILDAH, "run", "--isolation", "chroot", "--network", "host", container]


def run_in(container: str, command: list[str]) -> str:
    """Run `command` in the container as the image's user; its standard output."""
    return _run([*_run_prefix(container), "--", *command], timeout=120)


@contextlib.contextmanager
def serving(container: str, command: list[str]) -> Iterator[subprocess.Popen[str]]:
    """`command` running in the container until the block ends."""
    process = subprocess.Popen(
        [*_run_prefix(container), "--", *command],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def image_config(tag: str) -> dict[str, object]:
    """The image's Docker-format configuration (user, env, healthcheck, cmd)."""
    found = json.loads(_run([*BUILDAH, "inspect", "--type", "image", local_name(tag)]))
    config: dict[str, object] = found["Docker"]["config"]
    return config


def healthcheck(tag: str) -> list[str]:
    """The image's HEALTHCHECK command, without its CMD marker."""
    check = image_config(tag).get("Healthcheck") or {}
    assert isinstance(check, dict), check
    test = [str(part) for part in check.get("Test", [])]
    assert test[:1] == ["CMD"], f"the image has no exec-form HEALTHCHECK: {test}"
    return test[1:]


def remove_image(tag: str) -> None:
    """Delete the image (vfs storage keeps a full copy per image)."""
    subprocess.run(
        [*BUILDAH, "rmi", "--force", local_name(tag)], capture_output=True, check=False
    )
