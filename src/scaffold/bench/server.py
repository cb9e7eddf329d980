"""gunicorn serving a starter on 127.0.0.1: the one way scaffold (``scaffold bench``)
and its test suite serve a project.

``GunicornServer(project, ...)`` starts gunicorn in its own process group on a
free port of 127.0.0.1 with the project's production environment, waits until
``/api/health/`` answers (any HTTP status), and stops the whole group again
(SIGTERM, then SIGKILL); as a context manager it starts on entry and stops on
exit. By default gunicorn reads the project's own ``gunicorn.conf.py``, as a
deployment does; ``own_config=False`` ignores it and runs plain sync workers with
no access log, as the benchmark wants every server to run exactly the same way.
"""

from __future__ import annotations

import functools
import http.client
import os
import socket
import subprocess
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BenchError
from .procs import ManagedProcess, children, group_members, rss_mib, tail

if TYPE_CHECKING:
    from .project import StarterProject

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A TCP port of 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def http_request(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | None = None,
    headers: dict[str, str] | None = None,
    timeout: float = 10.0,
) -> tuple[int, dict[str, str], bytes]:
    host, port = base_url.removeprefix("http://").rstrip("/").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        conn.close()


class GunicornServer:
    """gunicorn serving ``project`` on 127.0.0.1, in its own process group.

    ``app`` is the WSGI target (default: the starter's, see ``starters``); ``env``
    entries override the project's production environment; ``log_path`` receives
    gunicorn's output (default: a file of its own in the project folder)."""

    def __init__(
        self,
        project: StarterProject,
        *,
        app: str | None = None,
        env: Mapping[str, str] | None = None,
        workers: int = 2,
        own_config: bool = True,
        startup_timeout: float = 90.0,
        log_path: Path | None = None,
    ) -> None:
        self.project = project
        self.app = app or project.app_target
        self.env = {**project.env, **(env or {})}
        self.workers = workers
        self.own_config = own_config
        self.startup_timeout = startup_timeout
        self.log_path = log_path or project.path / f"gunicorn-{os.getpid()}-{id(self)}.log"
        self.proc: ManagedProcess | None = None
        self.base_url = ""

    @property
    def pid(self) -> int | None:
        return self.proc.pid if self.proc else None

    def command(self, port: int) -> list[str]:
        gunicorn = str(self.project.bin / "gunicorn")
        # Without the project's gunicorn.conf.py (gthread, access log), every server
        # runs exactly the settings below.
        settings = [] if self.own_config else ["--config", os.devnull, "--worker-class", "sync"]
        return [
            gunicorn,
            *settings,
            "--bind", f"{LOOPBACK}:{port}",
            "--workers", str(self.workers),
            "--timeout", "60",
            "--graceful-timeout", "5",
            "--error-logfile", "-",
            *_private_control(gunicorn),
            self.app,
        ]  # fmt: skip

    def start(self) -> float:
        """Start and wait for the first answer of /api/health/; return the seconds taken."""
        for _attempt in range(3):  # a free port can be taken before gunicorn binds it
            port = free_port()
            self.base_url = f"http://{LOOPBACK}:{port}"
            self.proc = ManagedProcess(
                self.command(port), cwd=self.project.path, env=self.env, log_path=self.log_path
            )
            started = time.perf_counter()
            self.proc.start()
            try:
                self._wait(started + self.startup_timeout)
            except BaseException as exc:
                log = self.log_tail()
                self.stop()
                if isinstance(exc, BenchError) and "Address already in use" in log:
                    continue
                raise
            return time.perf_counter() - started
        raise BenchError(f"gunicorn could not bind a port on {LOOPBACK}")

    def _wait(self, deadline: float) -> None:
        assert self.proc is not None
        while True:
            if self.proc.poll() is not None:
                raise BenchError(
                    f"gunicorn stopped before answering ({self.project.framework}):\n"
                    + tail(self.log_tail())
                )
            try:
                http_request(self.base_url, "GET", "/api/health/", timeout=5)
                return
            except OSError:
                pass
            if time.perf_counter() > deadline:
                raise BenchError(
                    f"gunicorn did not answer in time ({self.project.framework}):\n"
                    + tail(self.log_tail())
                )
            time.sleep(0.01)

    def worker_pids(self) -> list[int]:
        if self.proc is None or self.proc.pid is None:
            return []
        return children(self.proc.pid)

    def worker_rss(self) -> tuple[float | None, list[float]]:
        """VmRSS of the master and of each worker, in MiB."""
        if self.proc is None or self.proc.pid is None:
            return None, []
        workers = [rss_mib(pid) for pid in children(self.proc.pid)]
        return rss_mib(self.proc.pid), [round(r, 1) for r in workers if r is not None]

    def listening_addresses(self) -> set[tuple[str, int]]:
        """``(ip, port)`` of every TCP socket the server's processes listen on
        (Linux /proc; empty where it is not available)."""
        if self.proc is None or self.proc.pid is None or not Path("/proc/net/tcp").exists():
            return set()
        inodes: set[str] = set()
        for pid in group_members(self.proc.pid):
            try:
                for fd in Path(f"/proc/{pid}/fd").iterdir():
                    target = os.readlink(fd)
                    if target.startswith("socket:["):
                        inodes.add(target[8:-1])
            except OSError:
                continue
        found: set[tuple[str, int]] = set()
        for table in ("/proc/net/tcp", "/proc/net/tcp6"):
            try:
                lines = Path(table).read_text().splitlines()[1:]
            except OSError:
                continue
            for line in lines:
                parts = line.split()
                local, state, inode = parts[1], parts[3], parts[9]
                if state == "0A" and inode in inodes:  # 0A = LISTEN
                    found.add(_decode_address(local))
        return found

    def log_text(self) -> str:
        """All of gunicorn's output so far: its start-up lines, then the access log."""
        try:
            return self.log_path.read_text(errors="replace")
        except OSError:
            return "(no log)"

    def log_tail(self, chars: int = 6000) -> str:
        """The end of gunicorn's output (for failure messages)."""
        return self.log_text()[-chars:]

    def stop(self) -> None:
        """Stop gunicorn and every process of its group; safe to call twice."""
        if self.proc is not None:
            self.proc.stop()
            self.proc = None

    def __enter__(self) -> GunicornServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


@functools.cache
def _private_control(gunicorn: str) -> tuple[str, ...]:
    """gunicorn 24+ opens a control socket at one path per user (~/.gunicorn/), which
    servers running side by side would share: turn it off where the option exists."""
    try:
        help_text = subprocess.run(
            [gunicorn, "--help"], capture_output=True, text=True, timeout=60,
            stdin=subprocess.DEVNULL, check=False,
        ).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return ()
    return ("--no-control-socket",) if "--no-control-socket" in help_text else ()


def _decode_address(hex_address: str) -> tuple[str, int]:
    ip_hex, port_hex = hex_address.split(":")
    raw = bytes.fromhex(ip_hex)
    if len(raw) == 4:
        ip = ".".join(str(b) for b in reversed(raw))
    else:  # IPv6: four little-endian 32-bit words
        full = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
        ip = ":".join(full[i : i + 2].hex() for i in range(0, 16, 2))
    return ip, int(port_hex, 16)
