#!/usr/bin/env python3
"""The password-reset request with and without background jobs, against a slow mail server.

    .venv/bin/python benchmarks/jobs_latency.py              # 15 requests per project
    .venv/bin/python benchmarks/jobs_latency.py --requests 31 --smtp-delay 0.5
    .venv/bin/python benchmarks/jobs_latency.py --write      # also record it in RESULTS.md

For each framework, two projects generated with the same answers but ``background_jobs``
(off, on) are installed, migrated and served by gunicorn (2 workers) on 127.0.0.1, with
one user who has an e-mail address. A local SMTP server (aiosmtpd) answers every mail
after ``--smtp-delay`` seconds, as a slow or distant mail server does. The project with
jobs also gets a Redis (``redis-server``) and its own Celery worker (``--pool=solo``).
Then ``POST /password-reset/`` (with the form's CSRF token) is timed, whole request, in
interleaved rounds: off, on, off, on... The report gives the median (min-max) of each and
the ratio on / off; with jobs on the request does not wait for the SMTP server, so the
gap is about the delay. Every mail is checked to arrive. Nothing passes or fails on a
number.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from run import write_results

from scaffold.bench.procs import ManagedProcess, cleanup_guard
from scaffold.bench.project import StarterProject, generate_project
from scaffold.bench.server import LOOPBACK, GunicornServer
from scaffold.starters import FRAMEWORKS

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.contract.browsing import Browser
from tests.support.mail import Mailbox, smtp_server
from tests.support.redis import RedisServer, find_redis_server

START, END = "<!-- jobs-latency:start -->", "<!-- jobs-latency:end -->"
ANSWERS = {"project_name": "Jobs Bench", "package_name": "jobs_bench", "github_actions": False}


class SlowMailbox(Mailbox):
    """Keeps the mails like ``Mailbox``, answering each after ``delay`` seconds."""

    def __init__(self, delay: float) -> None:
        super().__init__()
        self.delay = delay

    async def handle_DATA(self, server, session, envelope) -> str:
        await asyncio.sleep(self.delay)
        return await super().handle_DATA(server, session, envelope)


def reset_once(server: GunicornServer, email: str) -> float:
    """GET the form, then time the POST of ``email`` (whole request)."""
    browser = Browser(server.base_url)  # keeps the Secure cookies of production over HTTP
    try:
        page = browser.get("/password-reset/")
        if page.status_code != 200:
            raise SystemExit(f"GET /password-reset/: {page.status_code}\n{server.log_tail()}")
        started = time.perf_counter()
        response = browser.submit(page, {"email": email}, input_type="email")
        seconds = time.perf_counter() - started
    finally:
        browser.close()
    if response.status_code not in (302, 303):
        raise SystemExit(f"POST /password-reset/: {response.status_code}\n{server.log_tail()}")
    return seconds


def prepare(framework: str, jobs: bool, root: Path, env: dict[str, str]) -> StarterProject:
    dest = root / f"{framework}-{'jobs' if jobs else 'plain'}"
    project = generate_project(framework, dest, {**ANSWERS, "background_jobs": jobs})
    project.forget_dotenv()
    project.install(compile_bytecode=True)
    project.env.update(env)
    project.deploy_steps()  # Django: check --deploy, collectstatic (README, Deploy)
    project.migrate()
    email = f"{framework}@example.com"
    args = project.starter.create_user_args("reader", "pw-" + secrets.token_urlsafe(12))
    project.command(*args, "--email", email)
    return project


def measure(requests: int, delay: float) -> dict:
    binary = find_redis_server()
    if binary is None:
        raise SystemExit("redis-server not found: apt-get install redis-server")
    results: dict[str, dict] = {}
    with cleanup_guard(), tempfile.TemporaryDirectory(prefix="jobs-latency-") as tmp:
        root = Path(tmp)
        redis = RedisServer(root, binary).start()
        box = SlowMailbox(delay)
        with smtp_server(box) as mailbox:
            env = {"EMAIL_URL": f"smtp://{LOOPBACK}:{mailbox.port}", "REDIS_URL": redis.url()}
            for framework in FRAMEWORKS:
                plain = prepare(framework, False, root, env)
                jobs = prepare(framework, True, root, env)
                worker_args = jobs.starter.celery_args("worker", jobs.package_name)
                worker = ManagedProcess(
                    [str(jobs.bin / worker_args[0]), *worker_args[1:], "--pool=solo"],
                    cwd=jobs.path, env=jobs.env, log_path=root / f"{framework}-worker.log",
                ).start()  # fmt: skip
                times: dict[str, list[float]] = {"off": [], "on": []}
                with plain.serve() as off_server, jobs.serve() as on_server:
                    email = f"{framework}@example.com"
                    for server in (off_server, on_server):  # warm-up, not timed
                        reset_once(server, email)
                    for _ in range(requests):
                        times["off"].append(reset_once(off_server, email))
                        times["on"].append(reset_once(on_server, email))
                    deadline = time.monotonic() + 60 + requests * delay
                    expected = 2 * (requests + 1)
                    while len(mailbox.to(email)) < expected and time.monotonic() < deadline:
                        time.sleep(0.2)
                    arrived = len(mailbox.to(email))
                worker.stop()
                results[framework] = {
                    side: {
                        "median_s": round(statistics.median(values), 4),
                        "min_s": round(min(values), 4),
                        "max_s": round(max(values), 4),
                    }
                    for side, values in times.items()
                }
                results[framework]["mails"] = {"expected": expected, "arrived": arrived}
        redis.stop()
    return results


def report(results: dict, requests: int, delay: float) -> str:
    load = os.getloadavg()[0]
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "## Password reset with and without background jobs (issue 20)",
        "",
        f"`benchmarks/jobs_latency.py --requests {requests} --smtp-delay {delay}`, {when}, "
        f"load average {load:.1f} ({os.cpu_count()} CPUs). `POST /password-reset/`, whole "
        f"request, median (min-max) of {requests}, interleaved; the SMTP server answers "
        f"each mail after {delay} s; gunicorn 2 workers, SQLite.",
        "",
        "| starter | jobs off | jobs on | on / off | mails arrived |",
        "|---|---|---|---|---|",
    ]
    for framework, r in results.items():
        off, on = r["off"], r["on"]
        cells = [
            f"{off['median_s']:.3f} s ({off['min_s']:.3f}-{off['max_s']:.3f})",
            f"{on['median_s']:.3f} s ({on['min_s']:.3f}-{on['max_s']:.3f})",
            f"{on['median_s'] / off['median_s']:.2f}",
            f"{r['mails']['arrived']} of {r['mails']['expected']}",
        ]
        lines.append(f"| {framework} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "With jobs off the request waits for the mail server (the delay is in every",
        "answer); with jobs on it only queues the mail in Redis and the worker sends it.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=15, help="timed requests per project")
    parser.add_argument("--smtp-delay", type=float, default=0.3, help="seconds per mail")
    parser.add_argument("--write", action="store_true", help="record it in RESULTS.md")
    args = parser.parse_args()
    text = report(measure(args.requests, args.smtp_delay), args.requests, args.smtp_delay)
    print(text)
    if args.write:
        write_results(text, START, END)


if __name__ == "__main__":
    main()
