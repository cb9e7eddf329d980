"""Create a generated project's virtual environment and install it (``new --install``).

Uses uv when it is on PATH (a warm install takes seconds), else ``python -m venv``
and pip, exactly as the project's README says. The command runner is a
parameter so tests and callers can swap it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import ExternalCommandError

Runner = Callable[[Sequence[str], Path], None]


def run_quietly(cmd: Sequence[str], cwd: Path) -> None:
    proc = subprocess.run(
        list(cmd), cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL,
        check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        lines = [line.strip() for line in (proc.stderr or proc.stdout).splitlines()]
        lines = [line for line in lines if line] or [f"exit code {proc.returncode}"]
        errors = [line for line in lines if "error" in line.lower()]
        detail = " ".join((errors or lines[-1:])[0].split())
        raise ExternalCommandError(f"{' '.join(map(str, cmd[:3]))} failed: {detail}")


def find_uv() -> str:
    """uv installed beside this Python (as the test extra does), else on PATH; else "".
    The one place scaffold (``new --install``, ``bench``) and its tests look for uv."""
    beside = Path(sys.executable).parent / "uv"
    return str(beside) if beside.exists() else shutil.which("uv") or ""


def install_commands(project: Path, *, uv: str | None, python: str = sys.executable) -> list:
    venv = project / ".venv"
    venv_python = str(venv / "bin" / "python")
    if uv:
        return [
            [uv, "venv", "--quiet", "--python", python, str(venv)],
            [uv, "pip", "install", "--quiet", "--python", venv_python, "-e", ".[dev]"],
        ]
    return [
        [python, "-m", "venv", str(venv)],
        [venv_python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"],
    ]


def install(project: Path, *, runner: Runner = run_quietly, uv: str | None = None) -> str:
    """Install ``project`` into ``project/.venv``; returns the tool used ("uv" or "pip")."""
    uv = uv if uv is not None else find_uv()
    try:
        for cmd in install_commands(project, uv=uv or None):
            runner(cmd, project)
    except ExternalCommandError as exc:
        raise ExternalCommandError(
            f"the project is in {project}, but installing it failed ({exc}); "
            'run: python -m venv .venv && .venv/bin/pip install -e ".[dev]"'
        ) from None
    return "uv" if uv else "pip"
