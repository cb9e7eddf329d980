"""git and process plumbing shared by generation and updates."""

from __future__ import annotations

import contextlib
import os
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
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # a second one must not cut the cleanup
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


@contextlib.contextmanager
def signals_ignored() -> Iterator[None]:
    """Ignore Ctrl-C and SIGTERM for the block (a cleanup that must finish)."""
    try:
        saved = {
            sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)
        }
    except ValueError:  # not the main thread
        yield
        return
    try:
        yield
    finally:
        for sig, handler in saved.items():
            signal.signal(sig, handler)


@contextlib.contextmanager
def environment(values: dict[str, str]) -> Iterator[None]:
    """Set environment variables for the calls inside (Copier runs git as a
    subprocess of this one), then put back what was there."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def fetch_url_from(url: str, repository: Path) -> dict[str, str]:
    """Environment that makes git read ``url`` from the local ``repository``
    (``url.<repository>.insteadOf <url>`` through ``GIT_CONFIG_COUNT``), for one
    process tree and without touching any git config file."""
    count = int(os.environ.get("GIT_CONFIG_COUNT") or 0)
    return {
        "GIT_CONFIG_COUNT": str(count + 1),
        f"GIT_CONFIG_KEY_{count}": f"url.{repository}.insteadOf",
        f"GIT_CONFIG_VALUE_{count}": url,
    }
