"""Bounded HTTP load for ``scaffold bench``: wrk when installed, else a Python client.

Both tools send the same requests (a POST body carries a unique title on every
request, so the slug never collides) with a fixed number of connections for a
fixed time, and report the same numbers: completed requests, requests per
second, latency percentiles, socket errors and non-2xx/3xx answers.

The Python client keeps one ``http.client`` connection per thread, reused while
the server keeps it alive (gunicorn's sync workers close it after each answer;
the client then reconnects, as wrk does).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .procs import ManagedProcess


@dataclass(frozen=True)
class Request:
    """One kind of request. With ``body_parts``, the body is
    ``prefix + unique token + suffix`` (a fresh token per request)."""

    method: str
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    body_parts: tuple[str, str] | None = None

    def body(self, token: str) -> bytes | None:
        if self.body_parts is None:
            return None
        return (self.body_parts[0] + token + self.body_parts[1]).encode()


@dataclass
class LoadResult:
    tool: str
    requests: int  # answers received (any status)
    duration_s: float
    errors: int = 0  # connect/read/write errors and timeouts
    non_2xx: int = 0  # answers with a status outside 200-399
    p50_ms: float = math.nan
    p90_ms: float = math.nan
    p99_ms: float = math.nan
    max_ms: float = math.nan
    statuses: dict[int, int] = field(default_factory=dict)  # Python client only
    server_cpu_s: float | None = None  # CPU the server's workers used meanwhile
    # Set by combine_rounds: the median over the rounds (a burst of other work on the
    # machine during one round then does not move the result).
    median_requests_per_s: float | None = None
    median_server_cpu_ms_per_request: float | None = None

    @property
    def server_cpu_ms_per_request(self) -> float | None:
        if self.median_server_cpu_ms_per_request is not None:
            return self.median_server_cpu_ms_per_request
        if self.server_cpu_s is None or not self.requests:
            return None
        return self.server_cpu_s * 1000 / self.requests

    @property
    def requests_per_s(self) -> float:
        if self.median_requests_per_s is not None:
            return self.median_requests_per_s
        return self.requests / self.duration_s if self.duration_s > 0 else 0.0

    def to_dict(self) -> dict[str, Any]:
        def num(value: float) -> float | None:
            return None if math.isnan(value) else round(value, 3)

        return {
            "requests_per_s": round(self.requests_per_s, 1),
            "p50_ms": num(self.p50_ms),
            "p90_ms": num(self.p90_ms),
            "p99_ms": num(self.p99_ms),
            "max_ms": num(self.max_ms),
            "server_cpu_ms_per_request": None
            if self.server_cpu_ms_per_request is None
            else round(self.server_cpu_ms_per_request, 3),
            "requests": self.requests,
            "duration_s": round(self.duration_s, 3),
            "errors": self.errors,
            "non_2xx": self.non_2xx,
            "tool": self.tool,
        }


def percentile(values: Sequence[float], q: float) -> float:
    """The ``q``-th percentile (0-100) of ``values``, interpolating linearly between
    the closest ranks (numpy's default method); NaN for no values."""
    if not 0 <= q <= 100:
        raise ValueError(f"percentile must be within 0 and 100, not {q}")
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def round_plan(duration: int, rounds: int) -> tuple[int, int]:
    """``(rounds, seconds per round)`` for ``duration`` seconds in at most ``rounds``
    rounds of whole seconds (wrk counts in seconds), at least one second each."""
    rounds = max(1, min(rounds, duration))
    return rounds, max(1, round(duration / rounds))


def combine_rounds(runs: Sequence[LoadResult]) -> LoadResult:
    """One result for several runs of the same request: counts and durations added;
    requests/s, CPU per request and the percentiles the median over the runs; the
    maximum the largest."""
    if not runs:
        raise ValueError("no runs to combine")
    if len(runs) == 1:
        return runs[0]

    def middle(values: list[float]) -> float:
        values = [v for v in values if not math.isnan(v)]
        return percentile(values, 50)

    statuses: Counter[int] = Counter()
    for run in runs:
        statuses.update(run.statuses)
    cpu = [r.server_cpu_ms_per_request for r in runs]
    return LoadResult(
        tool=runs[0].tool,
        requests=sum(r.requests for r in runs),
        duration_s=sum(r.duration_s for r in runs),
        errors=sum(r.errors for r in runs),
        non_2xx=sum(r.non_2xx for r in runs),
        p50_ms=middle([r.p50_ms for r in runs]),
        p90_ms=middle([r.p90_ms for r in runs]),
        p99_ms=middle([r.p99_ms for r in runs]),
        max_ms=max((r.max_ms for r in runs if not math.isnan(r.max_ms)), default=math.nan),
        statuses=dict(statuses),
        server_cpu_s=None
        if any(r.server_cpu_s is None for r in runs)
        else sum(r.server_cpu_s or 0.0 for r in runs),
        median_requests_per_s=percentile([r.requests_per_s for r in runs], 50),
        median_server_cpu_ms_per_request=None
        if any(c is None for c in cpu)
        else percentile([c for c in cpu if c is not None], 50),
    )


def wrk_path() -> str | None:
    """wrk on PATH, unless ``SCAFFOLD_BENCH_NO_WRK`` is set (forces the Python client)."""
    if os.environ.get("SCAFFOLD_BENCH_NO_WRK"):
        return None
    return shutil.which("wrk")


def run_load(
    base_url: str,
    request: Request,
    *,
    duration: float,
    connections: int,
    tool: str = "auto",
    timeout: float = 10.0,
) -> LoadResult:
    """Load ``base_url`` with ``request`` for ``duration`` seconds over ``connections``
    connections, with ``tool`` "wrk", "python" or "auto" (wrk when installed)."""
    if tool == "auto":
        tool = "wrk" if wrk_path() else "python"
    if tool == "wrk":
        return wrk_load(base_url, request, duration=duration, connections=connections)
    return python_load(
        base_url, request, duration=duration, connections=connections, timeout=timeout
    )


# --------------------------------------------------------------- Python client


def python_load(
    base_url: str,
    request: Request,
    *,
    duration: float,
    connections: int,
    timeout: float = 10.0,
) -> LoadResult:
    """``connections`` threads, each sending ``request`` back to back until
    ``duration`` seconds have passed; every latency is kept for exact percentiles."""
    parts = urlsplit(base_url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    headers = dict(request.headers)
    stop = threading.Event()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors = 0

    def worker(index: int) -> None:
        nonlocal errors
        mine: list[float] = []
        my_statuses: Counter[int] = Counter()
        my_errors = 0
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        count = 0
        try:
            while not stop.is_set() and time.perf_counter() < deadline:
                count += 1
                body = request.body(f"{index}-{count}-{os.getpid()}")
                started = time.perf_counter()
                try:
                    conn.request(request.method, request.path, body=body, headers=headers)
                    response = conn.getresponse()
                    response.read()
                except (OSError, http.client.HTTPException):
                    my_errors += 1
                    conn.close()
                    continue
                mine.append(time.perf_counter() - started)
                my_statuses[response.status] += 1
                if response.will_close:
                    conn.close()
        finally:
            conn.close()
            with lock:
                latencies.extend(mine)
                statuses.update(my_statuses)
                errors += my_errors

    threads = [
        threading.Thread(target=worker, args=(i,), daemon=True, name=f"bench-load-{i}")
        for i in range(connections)
    ]
    started = time.perf_counter()
    deadline = started + duration
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=max(0.0, deadline - time.perf_counter()) + timeout + 5)
    finally:
        stop.set()
    elapsed = time.perf_counter() - started
    with lock:
        done = list(latencies)
        counts = dict(statuses)
        error_count = errors
    ms = [value * 1000 for value in done]
    return LoadResult(
        tool="python",
        requests=len(done),
        duration_s=elapsed,
        errors=error_count,
        non_2xx=sum(n for status, n in counts.items() if not 200 <= status < 400),
        p50_ms=percentile(ms, 50),
        p90_ms=percentile(ms, 90),
        p99_ms=percentile(ms, 99),
        max_ms=max(ms) if ms else math.nan,
        statuses=counts,
    )


# ------------------------------------------------------------------------- wrk

_WRK_SCRIPT = """\
local method = %(method)s
local path = %(path)s
local headers = %(headers)s
local prefix = %(prefix)s
local suffix = %(suffix)s
local threads = {}
local counter = 0

function setup(thread)
  table.insert(threads, thread)
  thread:set("tid", #threads)
end

function request()
  local body = nil
  if prefix ~= nil then
    counter = counter + 1
    body = prefix .. "wrk" .. tid .. "-" .. counter .. "-" .. %(nonce)s .. suffix
  end
  return wrk.format(method, path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "SCAFFOLD_BENCH {\\"requests\\": %%d, \\"duration_us\\": %%d, \\"connect\\": %%d, " ..
    "\\"read\\": %%d, \\"write\\": %%d, \\"status\\": %%d, \\"timeout\\": %%d, " ..
    "\\"p50_us\\": %%d, \\"p90_us\\": %%d, \\"p99_us\\": %%d, \\"max_us\\": %%d}\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def _lua(value: str | None) -> str:
    if value is None:
        return "nil"
    return json.dumps(value)  # a JSON string is a valid Lua string literal here


def wrk_script(request: Request, nonce: str) -> str:
    """The Lua script that makes wrk send ``request`` and print a JSON summary."""
    headers = "{" + ", ".join(f"[{_lua(k)}] = {_lua(v)}" for k, v in request.headers) + "}"
    prefix, suffix = request.body_parts or (None, None)
    return _WRK_SCRIPT % {
        "method": _lua(request.method),
        "path": _lua(request.path),
        "headers": headers,
        "prefix": _lua(prefix),
        "suffix": _lua(suffix),
        "nonce": _lua(nonce),
    }


def parse_wrk_output(text: str) -> LoadResult:
    """The numbers of a wrk run from the line our ``done()`` prints."""
    for line in text.splitlines():
        if line.startswith("SCAFFOLD_BENCH "):
            data = json.loads(line.split(" ", 1)[1])
            break
    else:
        raise ValueError(f"no summary in the output of wrk:\n{text[-2000:]}")
    answered = data["requests"] > 0  # with no answer, wrk's percentiles are 0

    def ms(key: str) -> float:
        return data[key] / 1000 if answered else math.nan

    return LoadResult(
        tool="wrk",
        requests=data["requests"],
        duration_s=data["duration_us"] / 1e6,
        errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
        non_2xx=data["status"],
        p50_ms=ms("p50_us"),
        p90_ms=ms("p90_us"),
        p99_ms=ms("p99_us"),
        max_ms=ms("max_us"),
    )


def wrk_load(base_url: str, request: Request, *, duration: float, connections: int) -> LoadResult:
    exe = wrk_path() or "wrk"
    seconds = max(1, round(duration))
    threads = max(1, min(connections, os.cpu_count() or 1, 4))
    with tempfile.TemporaryDirectory(prefix="scaffold-bench-wrk-") as tmp:
        script = os.path.join(tmp, "request.lua")
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(wrk_script(request, nonce=f"{os.getpid()}-{time.time_ns()}"))
        log = os.path.join(tmp, "wrk.log")
        cmd = [
            exe, "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s",
            "--timeout", "10s", "-s", script, base_url.rstrip("/") + request.path,
        ]  # fmt: skip
        proc = ManagedProcess(cmd, log_path=log)
        proc.start()
        try:
            code = proc.wait(timeout=seconds + 30)
        finally:
            proc.stop()
        with open(log, encoding="utf-8", errors="replace") as handle:
            output = handle.read()
    if code != 0:
        raise RuntimeError(f"wrk exited with {code}:\n{output[-2000:]}")
    return parse_wrk_output(output)
