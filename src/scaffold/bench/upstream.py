"""A slow upstream service for the I/O-bound case of ``scaffold bench --async``.

``python -m scaffold.bench.upstream --port PORT --delay-ms 100`` listens on 127.0.0.1
and answers every HTTP/1.1 GET after ``delay`` milliseconds with a small JSON body,
keeping the connection alive: it stands for the other service (an API, a payment
provider) that a view waits on. One asyncio event loop serves every connection, so
the wait costs it no CPU, and thousands of requests can wait at once; the bench
starts it in its own process group, away from the servers it measures, and stops it
at the end (``UpstreamServer``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from pathlib import Path

from .procs import ManagedProcess, tail
from .server import LOOPBACK, free_port, http_request

BODY = b'{"upstream": "ok"}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
    b"Content-Length: " + str(len(BODY)).encode() + b"\r\n\r\n" + BODY
)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, delay: float):
    """Answer each request of one connection after ``delay`` seconds, until it closes.
    Requests carry no body (GET), so a request ends at its blank line."""
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            await asyncio.sleep(delay)
            writer.write(RESPONSE)
            await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
        pass
    finally:
        writer.close()


async def serve(port: int, delay: float) -> None:
    server = await asyncio.start_server(
        lambda r, w: _answer(r, w, delay), LOOPBACK, port, backlog=4096
    )
    async with server:
        await server.serve_forever()


class UpstreamServer:
    """``python -m scaffold.bench.upstream`` in its own process group, on a free port;
    ``url`` is where a view reaches it. A context manager: started on entry (it waits
    for the first answer), stopped on exit."""

    def __init__(self, delay_ms: int, log_path: Path) -> None:
        self.delay_ms = delay_ms
        self.log_path = log_path
        self.proc: ManagedProcess | None = None
        self.url = ""

    def __enter__(self) -> UpstreamServer:
        from ..errors import BenchError

        port = free_port()
        cmd = [sys.executable, "-m", "scaffold.bench.upstream", "--port", str(port)]
        self.proc = ManagedProcess(
            [*cmd, "--delay-ms", str(self.delay_ms)], log_path=self.log_path
        )
        self.proc.start()
        self.url = f"http://{LOOPBACK}:{port}/"
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                http_request(self.url.rstrip("/"), "GET", "/", timeout=5)
                return self
            except OSError:
                if self.proc.poll() is not None:
                    break
                time.sleep(0.05)
        log = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        self.__exit__()
        raise BenchError(f"the upstream delay server did not start:\n{tail(log)}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None:
            self.proc.stop()
            self.proc = None


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m scaffold.bench.upstream")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--delay-ms", type=int, default=100)
    args = parser.parse_args(argv)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(args.port, args.delay_ms / 1000))


if __name__ == "__main__":
    main()
