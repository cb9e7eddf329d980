"""Processes started by ``scaffold bench`` and the test suite: each in its own
process group, all stopped again, on success, on error, on Ctrl-C and on SIGTERM.

``ManagedProcess`` starts a command in a new session (so its children, e.g.
gunicorn's workers, share its process group) and ``stop()`` sends the whole
group SIGTERM, then SIGKILL. Every running one is listed in ``_RUNNING``;
``cleanup_guard()`` turns SIGTERM/SIGHUP into ``KeyboardInterrupt`` and stops
all of them when it exits, and an ``atexit`` hook does the same as a last resort.
``run_command()`` runs one command to its end that way and raises
``CommandFailed`` (with its output) when it fails.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import signal
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import BenchError
from ..vcs import sigterm_as_interrupt

_RUNNING: set[ManagedProcess] = set()


class CommandFailed(BenchError):
    """A command exited with another status than 0, or ran out of time."""


class ManagedProcess:
    """A command run in its own process group, output to ``log_path`` (or discarded);
    with ``stderr_path``, its standard error goes there instead."""

    def __init__(
        self,
        cmd: Sequence[str | os.PathLike[str]],
        *,
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        log_path: str | os.PathLike[str] | None = None,
        stderr_path: str | os.PathLike[str] | None = None,
    ) -> None:
        self.cmd = [str(c) for c in cmd]
        self.cwd = cwd
        self.env = dict(env) if env is not None else None
        self.log_path = Path(log_path) if log_path else None
        self.stderr_path = Path(stderr_path) if stderr_path else None
        self.popen: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int | None:
        return self.popen.pid if self.popen else None

    def start(self) -> ManagedProcess:
        with contextlib.ExitStack() as files:
            log = files.enter_context(self.log_path.open("ab")) if self.log_path else None
            err = files.enter_context(self.stderr_path.open("ab")) if self.stderr_path else None
            self.popen = subprocess.Popen(
                self.cmd,
                cwd=self.cwd,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log or subprocess.DEVNULL,
                stderr=err or (subprocess.STDOUT if log else subprocess.DEVNULL),
                start_new_session=True,  # its own process group, stopped as a whole
            )
        _RUNNING.add(self)
        return self

    def poll(self) -> int | None:
        return self.popen.poll() if self.popen else None

    def wait(self, timeout: float | None = None) -> int:
        assert self.popen is not None
        return self.popen.wait(timeout=timeout)

    def stop(self, grace: float = 10.0) -> None:
        """Stop every process of the group (SIGTERM, then SIGKILL); safe to call twice."""
        _RUNNING.discard(self)
        popen, self.popen = self.popen, None
        if popen is None:
            return
        pgid = popen.pid
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            try:
                os.killpg(pgid, sig)
            except ProcessLookupError:
                break
            try:
                popen.wait(timeout=wait)
            except subprocess.TimeoutExpired:
                continue
            break
        with contextlib.suppress(subprocess.TimeoutExpired):
            popen.wait(timeout=5)
        # The leader is gone: no other member of its group may outlive it.
        deadline = time.monotonic() + 5
        while group_members(pgid) and time.monotonic() < deadline:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pgid, signal.SIGKILL)
            time.sleep(0.05)

    def log_tail(self, chars: int = 3000) -> str:
        if not self.log_path:
            return ""
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def stop_all() -> None:
    """Stop every process started through ``ManagedProcess`` that is still running."""
    for proc in list(_RUNNING):
        with contextlib.suppress(Exception):
            proc.stop(grace=5.0)


atexit.register(stop_all)


@contextlib.contextmanager
def cleanup_guard() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise ``KeyboardInterrupt`` (like Ctrl-C),
    with the one handler of ``vcs.sigterm_as_interrupt``; on the way out, by any
    path, every started process is stopped."""
    with sigterm_as_interrupt():
        main = threading.current_thread() is threading.main_thread()
        previous_hup = (
            signal.signal(signal.SIGHUP, signal.getsignal(signal.SIGTERM)) if main else None
        )
        try:
            yield
        finally:
            if main:  # a second signal during cleanup must not cut it short
                signal.signal(signal.SIGTERM, signal.SIG_IGN)
                signal.signal(signal.SIGHUP, signal.SIG_IGN)
            try:
                stop_all()
            finally:
                if main:
                    signal.signal(signal.SIGHUP, previous_hup or signal.SIG_DFL)


@dataclass
class Completed:
    """A command that ran to its end: exit status, output and the seconds it took."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def tail(text: str, lines: int = 15) -> str:
    return "\n".join(text.strip().splitlines()[-lines:])


def run_command(
    cmd: Sequence[str | os.PathLike[str]],
    *,
    cwd: Path,
    env: Mapping[str, str] | None = None,
    timeout: float = 900,
    what: str | None = None,
    check: bool = True,
) -> Completed:
    """Run ``cmd`` in its own process group (stopped with the others on Ctrl-C and
    SIGTERM) and wait for it; with ``check``, raise ``CommandFailed`` unless it
    exits 0. ``what`` names it in the message (default: the command line)."""
    what = what or " ".join(map(str, cmd))
    with tempfile.TemporaryDirectory(prefix="scaffold-run-") as tmp:
        out, err = Path(tmp, "stdout"), Path(tmp, "stderr")
        proc = ManagedProcess(cmd, cwd=cwd, env=env, log_path=out, stderr_path=err)
        started = time.perf_counter()
        proc.start()
        code: int | None
        try:
            code = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            code = None
        finally:
            proc.stop()
            elapsed = time.perf_counter() - started
            stdout = out.read_text(errors="replace")
            stderr = err.read_text(errors="replace")
    output = "\n".join(filter(None, (tail(stdout), tail(stderr))))
    if code is None:
        raise CommandFailed(f"{what} took longer than {timeout:.0f} s:\n{output}")
    if check and code != 0:
        raise CommandFailed(f"{what} failed (exit {code}) in {cwd}:\n{output}")
    return Completed([str(c) for c in cmd], code, stdout, stderr, elapsed)


# ----------------------------------------------------------------- /proc facts


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state is [0], ppid [1], pgrp [2])."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rfind(")") + 2 :].split()


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def _live(field: int, value: int) -> list[int]:
    """Live (not zombie) processes whose /proc stat ``field`` is ``value``."""
    found = []
    for pid in _pids():
        fields = _stat_fields(pid)
        if fields and fields[0] != "Z" and int(fields[field]) == value:
            found.append(pid)
    return sorted(found)


def group_members(pgid: int) -> list[int]:
    """Live processes of process group ``pgid`` (Linux /proc)."""
    return _live(2, pgid)


def children(pid: int) -> list[int]:
    """Live direct children of ``pid`` (gunicorn's workers, for its master)."""
    return _live(1, pid)


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time used so far by ``pids`` (Linux /proc), in seconds."""
    ticks = 0
    for pid in pids:
        fields = _stat_fields(pid)
        if fields:
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mib(pid: int) -> float | None:
    """Resident memory of ``pid`` in MiB (VmRSS of /proc/PID/status), None if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def command_line(pid: int) -> str:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return ""
    return raw.replace(b"\0", b" ").decode(errors="replace").strip()
