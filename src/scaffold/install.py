"""Create a generated project's virtual environment and install it (``new --install``).

Uses uv when it is on PATH (a warm install takes seconds): ``uv lock`` writes
``uv.lock`` (every dependency pinned, for every supported Python), ``uv sync``
installs exactly that into ``.venv``, and the lock file is committed to the project's
repository. Without uv: ``python -m venv`` and pip, exactly as the project's README
says (no lock file). The command runner is a parameter so tests and callers can swap it.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from .errors import ExternalCommandError
from .vcs import git

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
            [uv, "lock", "--quiet", "--python", python],
            [uv, "sync", "--quiet", "--extra", "dev", "--python", python],
        ]
    return [
        [python, "-m", "venv", str(venv)],
        [venv_python, "-m", "pip", "install", "--quiet", "-e", ".[dev]"],
    ]


def commit_lock_file(project: Path) -> bool:
    """Commit ``uv.lock`` when the project is a git repository (by the author of its
    first commit); True if it did."""
    if not (project / "uv.lock").is_file() or not (project / ".git").exists():
        return False
    git("add", "uv.lock", cwd=project)
    if not git("status", "--porcelain", "--", "uv.lock", cwd=project):
        return False  # already committed as it is
    author = git("log", "-1", "--format=%an%n%ae", cwd=project).splitlines()
    identity = ["-c", f"user.name={author[0]}", "-c", f"user.email={author[1]}"]
    git(
        *identity, "commit", "--quiet", "--no-verify", "-m",
        "Lock the dependencies (uv.lock, written by uv lock)", "--", "uv.lock",
        cwd=project,
    )  # fmt: skip
    return True


def install(project: Path, *, runner: Runner = run_quietly, uv: str | None = None) -> str:
    """Install ``project`` into ``project/.venv``; returns the tool used ("uv" or "pip").

    With uv, ``uv.lock`` is written and committed too."""
    uv = uv if uv is not None else find_uv()
    try:
        for cmd in install_commands(project, uv=uv or None):
            runner(cmd, project)
    except ExternalCommandError as exc:
        raise ExternalCommandError(
            f"the project is in {project}, but installing it failed ({exc}); "
            'run: python -m venv .venv && .venv/bin/pip install -e ".[dev]"'
        ) from None
    if uv:
        commit_lock_file(project)
    return "uv" if uv else "pip"
