"""git and process plumbing shared by generation and updates."""

from __future__ import annotations

import contextlib
import signal
import subprocess
from collections.abc import Iterator
from pathlib import Path

from .errors import ExternalCommandError


def run_git(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """``git ARGS`` in ``cwd`` whatever its exit status; never reads stdin."""
    try:
        return subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
            stdin=subprocess.DEVNULL,
        )  # fmt: skip
    except FileNotFoundError:
        raise ExternalCommandError("git is not installed; install git or use --no-git") from None


def git(*args: str, cwd: Path, check: bool = True) -> str:
    """``git ARGS``'s stripped stdout; a failure (with ``check``) is one clear error."""
    proc = run_git(*args, cwd=cwd)
    if check and proc.returncode != 0:
        detail = (proc.stderr or proc.stdout).strip().splitlines()
        raise ExternalCommandError(
            f"git {args[0]} failed in {cwd}: {detail[-1] if detail else proc.returncode}"
        )
    return proc.stdout.strip()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Let SIGTERM unwind like Ctrl-C, so cleanups in ``finally``/``except`` run."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
