"""A throwaway Redis server on 127.0.0.1 for the tests of background jobs.

``RedisServer(root)``: Debian's ``redis-server`` on a free port, its files in ``root``,
nothing saved to disk. ``start()`` waits until it answers PING; ``stop()`` ends it
(SIGTERM to its process group); ``start()`` again serves the same port and URL, empty,
as a restarted Redis would. ``cli(*args, db=0)`` runs ``redis-cli`` against it.
``find_redis_server()`` is its path, or None.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

from scaffold.bench.procs import ManagedProcess
from scaffold.bench.server import LOOPBACK, free_port


def find_redis_server() -> str | None:
    return shutil.which("redis-server")


class RedisServer:
    def __init__(self, root: Path, binary: str = "redis-server") -> None:
        self.root = root
        self.binary = binary
        self.port = free_port()
        self.process: ManagedProcess | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://{LOOPBACK}:{self.port}/{db}"

    def start(self, timeout: float = 20.0) -> RedisServer:
        cmd = [self.binary, "--port", str(self.port), "--bind", LOOPBACK]
        cmd += ["--save", "", "--appendonly", "no", "--dir", str(self.root)]
        self.process = ManagedProcess(cmd, log_path=self.root / "redis.log").start()
        deadline = time.monotonic() + timeout
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"redis-server did not start:\n{self.process.log_tail()}")
            time.sleep(0.05)
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection((LOOPBACK, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None

    def cli(self, *args: str, db: int = 0) -> str:
        proc = subprocess.run(
            ["redis-cli", "-h", LOOPBACK, "-p", str(self.port), "-n", str(db), *args],
            capture_output=True, text=True, timeout=30, check=True, stdin=subprocess.DEVNULL,
        )  # fmt: skip
        return proc.stdout.strip()
