"""Run commands in tests: bounded in time, output shown when they fail."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from scaffold.bench.procs import CommandFailed
from scaffold.install import find_uv, install_commands

__all__ = ["CommandFailed", "install_project", "python_for", "run", "uv_binary"]


def run(
    cmd: list[str | os.PathLike[str]],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 600,
    check: bool = True,
    input: str | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` with a timeout; on failure raise with its output."""
    full_env = {**os.environ, **(env or {})}
    try:
        proc = subprocess.run(
            [str(c) for c in cmd],
            cwd=cwd,
            env=full_env,
            text=True,
            capture_output=True,
            timeout=timeout,
            input=input,
            stdin=None if input is not None else subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired as exc:
        raise CommandFailed(
            f"{cmd} timed out after {timeout}s\n{exc.stdout}\n{exc.stderr}"
        ) from exc
    if check and proc.returncode != 0:
        raise CommandFailed(
            f"{' '.join(map(str, cmd))} exited {proc.returncode} in {cwd}\n"
            f"--- stdout ---\n{proc.stdout[-6000:]}\n--- stderr ---\n{proc.stderr[-6000:]}"
        )
    return proc


def uv_binary() -> str:
    """The uv executable scaffold finds (``scaffold.install.find_uv``); it must exist."""
    found = find_uv()
    if not found:
        raise RuntimeError("uv is not installed: pip install uv (it is in the test extra)")
    return found


def python_for(version: str) -> str:
    """A working CPython ``version`` (e.g. "3.12"): pyenv's install of it, else
    ``pythonX.Y`` on PATH, each checked by running it (a pyenv shim of a version that is
    not selected is on PATH but does not run). "" if there is none."""
    pyenv_root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    candidates = [
        str(exe)
        for exe in sorted(Path(pyenv_root, "versions").glob(f"{version}.*/bin/python3"))[::-1]
    ]
    candidates.append(shutil.which(f"python{version}") or "")
    for exe in filter(None, candidates):
        try:
            out = subprocess.run(
                [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
            )  # fmt: skip
        except (OSError, subprocess.TimeoutExpired):
            continue
        if out.returncode == 0 and out.stdout.strip() == version:
            return exe
    return ""


def install_project(project: Path, *, python: str | None = None) -> Path:
    """Create ``project/.venv`` and install the project with its dev extra, as its
    README says, using uv for speed: the commands ``scaffold new --install`` and
    ``scaffold bench`` run (``scaffold.install.install_commands``).

    Returns the venv's bin directory.
    """
    commands = install_commands(project, uv=uv_binary(), python=python or sys.executable)
    for cmd in commands:
        run(cmd, cwd=project, timeout=900)
    return project / ".venv" / "bin"
