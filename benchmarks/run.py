#!/usr/bin/env python3
"""scaffold's project benchmarks: whole-process timings, each against its peer in the
same run, and (unless --no-serve) `scaffold bench` of the two starters.

    .venv/bin/python benchmarks/run.py            # everything, several runs each
    .venv/bin/python benchmarks/run.py --quick    # fewer runs, shorter load
    .venv/bin/python benchmarks/run.py --write    # also record the results in RESULTS.md

Timings use hyperfine when it is installed (apt-get install hyperfine), else a Python
loop, with the compared commands interleaved run by run; each row gives the median and
the min-max of its runs, and the ratio of scaffold's median to its peer's. Not part of
the test suite: nothing here passes or fails on a number, it reports them (and the
targets) for people to read.

Compared, on the same template checkout and the same commit:
- `scaffold --help` vs `copier --help`
- `scaffold new DEST --framework F --defaults` (with and without its git commit) vs
  `copier copy --defaults --vcs-ref SHA` with the same answers, for each framework
- `scaffold update` vs `copier update` from one template commit to the next
- `scaffold new --defaults --install` + the project's tests (uv, warm cache), per framework
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from scaffold.starters import FRAMEWORKS

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO  # --template: another scaffold checkout (a git repository)
BENCH_DIR = REPO / "benchmarks"
RESULTS = BENCH_DIR / "RESULTS.md"
START, END = "<!-- results:start -->", "<!-- results:end -->"
BIN = Path(sys.executable).parent


@dataclass
class Timing:
    name: str
    command: str
    times: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.times)

    def cell(self) -> str:
        low, high = min(self.times), max(self.times)
        return f"{self.median:.3f} s ({low:.3f}-{high:.3f}, n={len(self.times)})"


@dataclass
class Comparison:
    title: str
    ours: Timing
    peer: Timing | None
    target: float | None = None  # ours <= target x peer
    note: str = ""

    @property
    def ratio(self) -> float | None:
        return self.ours.median / self.peer.median if self.peer else None


def sh(cmd: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    proc = subprocess.run(  # noqa: S602 - commands this script builds itself
        cmd, shell=True, cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    if proc.returncode != 0:
        raise SystemExit(f"failed: {cmd}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    return proc.stdout


def _hyperfine_once(
    commands: list[tuple[str, str]], prepare: str | None, env: dict[str, str], cwd: Path
) -> list[float]:
    """One timed run of each command (in order) by hyperfine; their times in seconds."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
        export = Path(out.name)
    cmd = ["hyperfine", "--style", "none", "--runs", "1", "--export-json", str(export)]
    if prepare:
        cmd += ["--prepare", prepare]
    for name, command in commands:
        cmd += ["-n", name, command]
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:  # run them once more, to show what failed
        for _, command in commands:
            if prepare:
                sh(prepare, cwd=cwd, env=env)
            sh(command, cwd=cwd, env=env)
        raise SystemExit(f"hyperfine failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    data = json.loads(export.read_text())
    export.unlink()
    return [result["times"][0] for result in data["results"]]


def _python_once(
    commands: list[tuple[str, str]], prepare: str | None, env: dict[str, str], cwd: Path
) -> list[float]:
    times = []
    for _, command in commands:
        if prepare:
            sh(prepare, cwd=cwd, env=env)
        started = time.perf_counter()
        sh(command, cwd=cwd, env=env)
        times.append(time.perf_counter() - started)
    return times


def measure(
    commands: list[tuple[str, str]],
    *,
    runs: int,
    warmup: int,
    prepare: str | None,
    env: dict[str, str],
    cwd: Path,
) -> list[Timing]:
    """Time each (name, shell command) ``runs`` times, interleaved (A B A B ...) so that
    other work on the machine weighs on every command alike; ``prepare`` runs before
    each run, untimed. hyperfine times each run when installed, else a Python loop."""
    once = _hyperfine_once if shutil.which("hyperfine") else _python_once
    timings = [Timing(name, command) for name, command in commands]
    for n in range(warmup + runs):
        times = once(commands, prepare, env, cwd)
        if n >= warmup:
            for timing, seconds in zip(timings, times, strict=True):
                timing.times.append(seconds)
    return timings


# ------------------------------------------------------------------- sections


def bench_help(env: dict[str, str], runs: int) -> Comparison:
    ours, peer = measure(
        [("scaffold --help", f"{BIN}/scaffold --help"), ("copier --help", f"{BIN}/copier --help")],
        runs=runs, warmup=2, prepare=None, env=env, cwd=REPO,
    )  # fmt: skip
    return Comparison("`scaffold --help` vs `copier --help`", ours, peer, target=0.25)


def _why(framework: str) -> str:
    return json.dumps([f"Chosen explicitly (scaffold new --framework {framework})."])


def _scaffold_new(dest: Path, framework: str, sha: str) -> str:
    """`scaffold new --defaults` of this template commit (more switches may follow)."""
    return (
        f"{BIN}/scaffold new {dest} --framework {framework} --defaults --vcs-ref {sha} "
        f"--template {TEMPLATE}"
    )


def bench_new(env: dict[str, str], runs: int, sha: str, work: Path) -> list[Comparison]:
    out = []
    dest = work / "new-dest"
    for framework in FRAMEWORKS:
        scaffold = _scaffold_new(dest, framework, sha)
        copier = (
            f"{BIN}/copier copy --quiet --defaults --vcs-ref {sha} -d framework={framework} "
            f"-d why_framework={shlex.quote(_why(framework))} {TEMPLATE} {dest}"
        )
        ours_git, ours_nogit, peer = measure(
            [
                (f"scaffold new ({framework})", f"{scaffold} --quiet"),
                (f"scaffold new --no-git ({framework})", f"{scaffold} --quiet --no-git"),
                (f"copier copy ({framework})", copier),
            ],
            runs=runs, warmup=1, prepare=f"rm -rf {dest}", env=env, cwd=work,
        )  # fmt: skip
        out.append(
            Comparison(
                f"`scaffold new --defaults` ({framework}) vs `copier copy`",
                ours_git,
                peer,
                target=1.0,
                note="scaffold also runs git init + add + commit",
            )
        )
        out.append(
            Comparison(
                f"`scaffold new --defaults --no-git` ({framework}) vs `copier copy`",
                ours_nogit,
                peer,
                target=1.0,
                note="the same work as copier copy",
            )
        )
    return out


def bench_update(env: dict[str, str], runs: int, work: Path) -> list[Comparison]:
    """Both tools update the same project from one template commit to the next."""
    template = work / "template"
    sh(f"git clone --quiet {TEMPLATE} {template}", env=env)
    git = f"git -C {template} -c user.name=bench -c user.email=bench@localhost"
    old = sh(f"git -C {template} rev-parse HEAD", env=env).strip()
    for framework in FRAMEWORKS:
        readme = template / "templates" / framework / "README.md.jinja"
        readme.write_text(readme.read_text() + "\nA line added by the update benchmark.\n")
    sh(f"{git} commit --quiet -am 'bench: a newer template version'", env=env)
    new = sh(f"git -C {template} rev-parse HEAD", env=env).strip()
    has_update = "update" in sh(f"{BIN}/scaffold --help", env=env)
    out = []
    for framework in FRAMEWORKS:
        project = work / f"update-{framework}"
        sh(
            f"{BIN}/scaffold new {project} --framework {framework} --defaults --quiet "
            f"--template {template} --vcs-ref {old}",
            env=env,
        )
        reset = f"git -C {project} reset --quiet --hard && git -C {project} clean -qfdx"
        commands = [
            (
                f"copier update ({framework})",
                f"{BIN}/copier update --quiet --defaults --skip-answered --vcs-ref {new} "
                f"{project}",
            )
        ]
        if has_update:
            commands.insert(
                0,
                (f"scaffold update ({framework})", f"{BIN}/scaffold update {project} --to {new}"),
            )
        timings = measure(commands, runs=runs, warmup=1, prepare=reset, env=env, cwd=work)
        if has_update:
            out.append(Comparison(f"`scaffold update` ({framework}) vs `copier update`", *timings))
        else:
            out.append(
                Comparison(
                    f"`copier update` ({framework}); `scaffold update` does not exist yet",
                    timings[0],
                    None,
                )
            )
    return out


def bench_green(env: dict[str, str], runs: int, sha: str, work: Path) -> list[Comparison]:
    """From nothing to a passing test suite, with uv and a warm cache."""
    out = []
    dest = work / "green"
    for framework in FRAMEWORKS:
        command = (
            f"{_scaffold_new(dest, framework, sha)} --quiet --install "
            f"&& cd {dest} && .venv/bin/python -m pytest -q -p no:cacheprovider"
        )
        (timing,) = measure(
            [(f"new to green tests ({framework})", command)],
            runs=runs, warmup=1, prepare=f"rm -rf {dest}", env=env, cwd=work,
        )  # fmt: skip
        out.append(
            Comparison(
                f"`scaffold new --install` + the project's tests ({framework}), uv, warm cache",
                timing,
                None,
                note="target: under 15 s",
            )
        )
    return out


def bench_serve(env: dict[str, str], duration: int, chart: Path | None) -> dict:
    cmd = [f"{BIN}/scaffold", "bench", "--json", "--duration", str(duration)]
    cmd += ["--template", str(TEMPLATE)]
    if chart:
        cmd += ["--chart", str(chart)]
    proc = subprocess.run(cmd, cwd=REPO, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"scaffold bench failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


# --------------------------------------------------------------------- report


def verdict(comparison: Comparison) -> str:
    if comparison.title.startswith("`scaffold new --install`"):
        return "met" if comparison.ours.median < 15 else "NOT met"
    if comparison.target is None or comparison.ratio is None:
        return "-"
    return "met" if comparison.ratio <= comparison.target else "NOT met"


def markdown(comparisons: list[Comparison], serve: dict | None, meta: dict) -> str:
    lines = [
        f"Command: `{meta['command']}`  ",
        f"Date: {meta['date']}  ",
        f"Machine: {meta['machine']}  ",
        f"Versions: {meta['versions']}  ",
        f"Timer: {meta['timer']}; median (min-max, n runs)",
        "",
        "| comparison | scaffold | peer | ratio | target | |",
        "|---|---|---|---|---|---|",
    ]
    for c in comparisons:
        peer = c.peer.cell() if c.peer else "-"
        ratio = f"{c.ratio:.3f}" if c.ratio is not None else "-"
        target = f"<= {c.target:g} x" if c.target is not None and c.peer else c.note or "-"
        lines.append(
            f"| {c.title} | {c.ours.cell()} | {peer} | {ratio} | {target} | {verdict(c)} |"
        )
    new_medians = [
        c.ours.median for c in comparisons if c.title.startswith("`scaffold new --defaults` (")
    ]
    if new_medians:
        worst = max(new_medians)
        lines += [
            "",
            f"`scaffold new --defaults` slowest median: {worst:.3f} s "
            f"(target under 1.2 s: {'met' if worst < 1.2 else 'NOT met'}).",
        ]
    if serve:
        from scaffold.bench import format_table

        lines += ["", "### `scaffold bench`", "", "```", format_table(serve), "```"]
    return "\n".join(lines)


def write_results(text: str, start: str = START, end: str = END) -> None:
    """Put ``text`` between the ``start`` and ``end`` markers of RESULTS.md (added at the
    end when missing); the rest of the file is kept."""
    current = (
        RESULTS.read_text() if RESULTS.exists() else f"# Benchmark results\n\n{start}\n{end}\n"
    )
    if start not in current or end not in current:
        current += f"\n{start}\n{end}\n"
    head, rest = current.split(start, 1)
    tail = rest.split(end, 1)[1]
    RESULTS.write_text(f"{head}{start}\n{text}\n{end}{tail}")


def user_env() -> dict[str, str]:
    """The environment the timed commands run in, as on a user's machine: bytecode cached
    (pip compiles it at install; uv does not, and this machine sets
    PYTHONDONTWRITEBYTECODE), so this venv's is compiled once here; this venv's tools
    (uv) on PATH; a git identity for the commits."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SCAFFOLD_TEMPLATE", "PYTHONDONTWRITEBYTECODE")
    }
    site_packages = subprocess.run(
        [sys.executable, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j0", site_packages, str(REPO / "src")],
        capture_output=True, check=False, env=env,
    )  # fmt: skip
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("GIT_AUTHOR_NAME", "bench")
    env.setdefault("GIT_AUTHOR_EMAIL", "bench@localhost")
    env.setdefault("GIT_COMMITTER_NAME", "bench")
    env.setdefault("GIT_COMMITTER_EMAIL", "bench@localhost")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer runs and a shorter load")
    parser.add_argument("--runs", type=int, help="runs per command (default 10, quick 3)")
    parser.add_argument("--no-serve", action="store_true", help="skip `scaffold bench`")
    parser.add_argument("--duration", type=int, help="scaffold bench --duration (default 10)")
    parser.add_argument("--write", action="store_true", help="record the results in RESULTS.md")
    parser.add_argument(
        "--only", choices=["help", "new", "update", "green", "serve"], action="append"
    )
    parser.add_argument("--template", type=Path, help="a scaffold checkout [default: this one]")
    args = parser.parse_args(argv)
    global TEMPLATE
    TEMPLATE = (args.template or REPO).resolve()
    runs = args.runs or (3 if args.quick else 10)
    slow_runs = max(1, runs // 3)
    duration = args.duration or (3 if args.quick else 10)
    only = set(args.only or ["help", "new", "update", "green", "serve"])
    if args.no_serve:
        only.discard("serve")

    env = user_env()
    sha = sh("git rev-parse HEAD", cwd=TEMPLATE).strip()
    comparisons: list[Comparison] = []
    serve = None
    started = dt.datetime.now(dt.UTC)
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="scaffold-benchmarks-") as tmp:
        work = Path(tmp)
        steps = [
            ("help", lambda: [bench_help(env, runs)]),
            ("new", lambda: bench_new(env, runs, sha, work)),
            ("update", lambda: bench_update(env, slow_runs, work)),
            ("green", lambda: bench_green(env, slow_runs, sha, work)),
        ]
        for key, step in steps:
            if key in only:
                print(f"== {key}", file=sys.stderr, flush=True)
                comparisons += step()
        if "serve" in only:
            print("== serve (scaffold bench)", file=sys.stderr, flush=True)
            serve = bench_serve(env, duration, BENCH_DIR / "bench.png" if args.write else None)
    copier_version = sh(f"{BIN}/copier --version", env=env).strip()
    meta = {
        "command": "python benchmarks/run.py "
        + " ".join(argv if argv is not None else sys.argv[1:]),
        "date": started.strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{os.cpu_count()} CPUs, {platform.platform()}, load average "
        f"{load_before:.2f} before, {os.getloadavg()[0]:.2f} after",
        "versions": f"scaffold {sha[:10]}, {copier_version}, Python {platform.python_version()}",
        "timer": "hyperfine" if shutil.which("hyperfine") else "Python loop",
    }
    text = markdown(comparisons, serve, meta)
    print(text)
    if args.write:
        write_results(text)
        print(f"\nrecorded in {RESULTS.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
