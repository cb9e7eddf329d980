"""A throwaway PostgreSQL cluster on 127.0.0.1 for tests.

Uses initdb/pg_ctl from PATH (/usr/local/bin on these machines) or from
``pg_config --bindir`` / Debian's /usr/lib/postgresql/*/bin. As root, the
server runs as the ``postgres`` system user (initdb refuses root).
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

from scaffold.bench.server import free_port

from .procs import run

__all__ = ["PostgresServer", "find_bindir", "free_port"]


def find_bindir() -> Path | None:
    initdb = shutil.which("initdb")
    if initdb:
        return Path(initdb).resolve().parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        bindir = Path(out.stdout.strip())
        if (bindir / "initdb").exists():
            return bindir
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(candidate, "initdb").exists():
            return Path(candidate)
    return None


class PostgresServer:
    def __init__(self, bindir: Path) -> None:
        self.bindir = bindir
        self.port = free_port()
        self.host = "127.0.0.1"
        self.user = "postgres"
        self.tmp = Path(tempfile.mkdtemp(prefix="scaffold-pg-"))
        self.data = self.tmp / "data"
        self._as_postgres: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(self.tmp, "postgres")
            self._as_postgres = ["runuser", "-u", "postgres", "--"]

    def _pg(self, tool: str, *args: str, timeout: float = 120) -> None:
        run([*self._as_postgres, str(self.bindir / tool), *args], timeout=timeout)

    def start(self) -> None:
        self._pg("initdb", "-D", str(self.data), "-A", "trust", "-U", self.user, "--no-sync")
        self.resume()

    def pause(self) -> None:
        """Stop the server, keeping its data (``resume()`` starts it again): a database
        outage for fault tests."""
        self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)

    def resume(self) -> None:
        self._pg(
            "pg_ctl",
            "-D",
            str(self.data),
            "-l",
            str(self.tmp / "log"),
            "-w",
            "-t",
            "60",
            "-o",
            f"-h 127.0.0.1 -p {self.port} -k {self.tmp} -c fsync=off",
            "start",
        )

    def stop(self) -> None:
        try:
            self._pg("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop", timeout=60)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)

    def create_database(self, name: str | None = None) -> str:
        """Create a fresh database and return its ``postgresql://`` URL."""
        name = name or f"db_{uuid.uuid4().hex[:12]}"
        psql = shutil.which("psql") or str(self.bindir / "psql")
        run(
            [
                psql,
                "-h",
                self.host,
                "-p",
                str(self.port),
                "-U",
                self.user,
                "-d",
                "postgres",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                f'CREATE DATABASE "{name}"',
            ]
        )
        return self.url(name)

    def url(self, name: str) -> str:
        return f"postgresql://{self.user}@{self.host}:{self.port}/{name}"
