"""The report of ``scaffold bench``: the ratios against the baselines, the plain-text
tables and the bar chart (matplotlib, the ``bench`` extra)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import BenchError, ChartUnavailable
from .endpoints import ENDPOINTS

TARGET_LIST_VS_BARE_REST = 0.9
MATPLOTLIB_HINT = 'pip install "scaffold[bench]" (or pip install matplotlib)'


def require_matplotlib(what: str = "the chart") -> None:
    """Raise ``ChartUnavailable`` unless matplotlib can be imported (without importing it)."""
    import importlib.util

    try:
        found = importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise ChartUnavailable(f"{what} needs matplotlib: {MATPLOTLIB_HINT}")


def ratios(frameworks: dict[str, Any]) -> dict[str, Any]:
    """The starter's list view against the baselines measured in the same run."""
    out: dict[str, Any] = {}
    for name, data in frameworks.items():
        eps = data.get("endpoints", {})
        try:
            starter = eps["list"]["requests_per_s"]
            rest = eps["bare_rest_list"]["requests_per_s"]
            bare = eps["bare_framework_list"]["requests_per_s"]
        except KeyError:
            continue
        vs_rest = round(starter / rest, 3) if rest else None
        cpu = {k: eps[k].get("server_cpu_ms_per_request") for k in
               ("list", "bare_rest_list", "bare_framework_list")}  # fmt: skip
        out[name] = {
            "list_vs_bare_rest": vs_rest,
            "list_vs_bare_framework": round(starter / bare, 3) if bare else None,
            # The same comparison by the workers' CPU time per request (bare / starter):
            # steadier than requests/s when other work shares the machine.
            "list_vs_bare_rest_cpu": round(cpu["bare_rest_list"] / cpu["list"], 3)
            if cpu["list"] and cpu["bare_rest_list"]
            else None,
            "list_vs_bare_framework_cpu": round(cpu["bare_framework_list"] / cpu["list"], 3)
            if cpu["list"] and cpu["bare_framework_list"]
            else None,
            "target_list_vs_bare_rest": TARGET_LIST_VS_BARE_REST,
            "target_met": vs_rest is not None and vs_rest >= TARGET_LIST_VS_BARE_REST,
        }
    return out


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def _grid(rows: list[list[str]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def _rps(measured: dict[str, Any]) -> str:
    """Requests/s, flagged with ``!`` when some answers were errors."""
    flag = "!" if measured.get("non_2xx") or measured.get("errors") else ""
    return _fmt(measured.get("requests_per_s")) + flag


def _cells(measured: dict[str, Any], *latencies: str) -> list[str]:
    """The latency percentiles named, then the CPU per request."""
    return [
        *(_fmt(measured.get(key)) for key in latencies),
        _fmt(measured.get("server_cpu_ms_per_request"), 2),
    ]


def _machine_line(report: dict[str, Any]) -> list[str]:
    """The load average around the run, when it is known (as a list of 0 or 1 line)."""
    machine = report.get("machine", {})
    if machine.get("load_average_1min_before") is None:
        return []
    return [
        f"machine: {machine.get('cpus')} CPUs, load average "
        f"{machine['load_average_1min_before']}"
        f" before and {machine.get('load_average_1min_after')} after the run"
        " (other work on the machine skews the numbers)"
    ]


def format_async_table(report: dict[str, Any]) -> str:
    """``scaffold bench --async``: each framework's threaded and async server side by
    side, and the async one's requests/s as a multiple of the threaded one's."""
    s, part = report["settings"], report["async_server"]
    servers = part["servers"]
    out = [
        f"scaffold bench --async {report['date']}: gunicorn {s['workers']} workers each, "
        f"as each project's gunicorn.conf.py sets them up; upstream answers after "
        f"{part['upstream_delay_ms']} ms; {part['io_connections']} connections on the I/O-bound "
        f"view, {s['connections']} on the others; {s['duration_s']} s per endpoint, "
        f"{s['load_tool']}",
    ]
    out += _machine_line(report)
    for framework, ratios in part["ratios"].items():
        sync, fast = servers[f"{framework}-sync"], servers[f"{framework}-async"]
        rows = [
            [
                f"{framework}",
                "threaded req/s", "p99 ms", "CPU ms/req",
                "async req/s", "p99 ms", "CPU ms/req", "async / threaded", "by CPU",
            ]
        ]  # fmt: skip
        for key, ep in sync["endpoints"].items():
            other = fast["endpoints"][key]
            row = [ep["label"]]
            for measured in (ep, other):
                row += [_rps(measured), *_cells(measured, "p99_ms")]
            by_cpu = part.get("cpu_ratios", {}).get(framework, {}).get(key)
            rows.append([*row, _fmt(ratios.get(key), 2) + " x", _fmt(by_cpu, 2) + " x"])
        out += ["", f"{sync['server']}  vs  {fast['server']}", _grid(rows)]
    out += ["", "targets: " + "; ".join(part["targets"])]
    flagged = [
        f"{name} {key}: {ep['non_2xx']} non-2xx answers, {ep['errors']} socket errors"
        for name, data in servers.items()
        for key, ep in data["endpoints"].items()
        if ep.get("non_2xx") or ep.get("errors")
    ]
    if flagged:
        out += ["! " + "; ".join(flagged)]
    return "\n".join(out)


def format_table(report: dict[str, Any]) -> str:
    """The report as plain-text tables for a terminal."""
    if "async_server" in report:
        return format_async_table(report)
    s = report["settings"]
    names = list(report["frameworks"])
    out = [
        f"scaffold bench {report['date']}: gunicorn {s['workers']} {s['worker_class']} workers, "
        f"{s['connections']} connections, {s['duration_s']} s per endpoint "
        f"(after {s['warmup_s']} s warm-up), {s['load_tool']}, "
        f"{s['database']}, {s['articles']} articles",
    ]
    out += _machine_line(report)
    out.append("")
    header = ["endpoint"]
    for name in names:
        header += [f"{name} req/s", "p50 ms", "p99 ms", "CPU ms/req"]
    rows = [header]
    for endpoint in ENDPOINTS:
        row = [endpoint.label]
        for name in names:
            ep = report["frameworks"][name].get("endpoints", {}).get(endpoint.key, {})
            row += [_rps(ep), *_cells(ep, "p50_ms", "p99_ms")]
        rows.append(row)
    out.append(_grid(rows))
    flagged = [
        f"{name} {key}: {ep['non_2xx']} non-2xx answers, {ep['errors']} socket errors"
        for name in names
        for key, ep in report["frameworks"][name].get("endpoints", {}).items()
        if ep.get("non_2xx") or ep.get("errors")
    ]
    if flagged:
        out += ["", "! " + "; ".join(flagged)]

    def fw(name: str, *path: str) -> Any:
        value: Any = report["frameworks"][name]
        for part in path:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    rows = [["", *names]]
    ratio_rows = [
        ("starter list / bare REST list, req/s", "list_vs_bare_rest"),
        ("starter list / bare framework list, req/s", "list_vs_bare_framework"),
        ("the same by CPU per request: bare REST", "list_vs_bare_rest_cpu"),
        ("the same by CPU per request: bare framework", "list_vs_bare_framework_cpu"),
    ]
    for label, key in ratio_rows:
        rows.append([label] + [_fmt(report["ratios"].get(n, {}).get(key), 2) for n in names])
    rows.append(
        [f"target: list >= {TARGET_LIST_VS_BARE_REST} x bare REST"]
        + [
            {True: "met", False: "NOT met"}.get(report["ratios"].get(n, {}).get("target_met"), "-")
            for n in names
        ]
    )
    rows.append(
        ["worker memory after the reads, MiB (mean)"]
        + [_fmt(fw(n, "memory", "worker_rss_mib_mean")) for n in names]
    )
    rows.append(
        ["cold start to first answer, s"] + [_fmt(fw(n, "cold_start_s"), 2) for n in names]
    )
    rows.append(
        ["install, s"]
        + [f"{_fmt(fw(n, 'install', 'seconds'), 2)} ({fw(n, 'install', 'tool')})" for n in names]
    )
    tests = []
    for n in names:
        t = fw(n, "tests")
        tests.append(
            "-" if not t else f"{_fmt(t['seconds'], 2)} ({'pass' if t['passed'] else 'FAIL'})"
        )
    rows.append(["project tests, s", *tests])
    rows.append(
        ["lines of code (Python / all files)"]
        + [f"{fw(n, 'code', 'python_lines')} / {fw(n, 'code', 'lines')}" for n in names]
    )
    rows.append(
        ["dependencies (direct / dev / installed)"]
        + [
            f"{fw(n, 'dependencies', 'direct')} / {fw(n, 'dependencies', 'dev')} / "
            f"{fw(n, 'dependencies', 'installed')}"
            for n in names
        ]
    )
    rows.append(
        ["background jobs (Celery, Redis)"]
        + [{True: "on", False: "off"}.get(fw(n, "background_jobs"), "-") for n in names]
    )
    out += ["", _grid(rows)]
    return "\n".join(out)


def write_chart(report: dict[str, Any], path: Path) -> Path:
    """A PNG with two bar charts: requests/s and p99 latency per endpoint and framework."""
    require_matplotlib()
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(report["frameworks"])
    labels = [e.label for e in ENDPOINTS]
    fig, axes = plt.subplots(1, 2, figsize=(14, 6), constrained_layout=True)
    width = 0.8 / max(1, len(names))
    for ax, metric, title in (
        (axes[0], "requests_per_s", "requests/s (higher is better)"),
        (axes[1], "p99_ms", "p99 latency, ms, log scale (lower is better)"),
    ):
        for i, name in enumerate(names):
            eps = report["frameworks"][name].get("endpoints", {})
            values = [eps.get(e.key, {}).get(metric) or 0 for e in ENDPOINTS]
            positions = [j + (i - (len(names) - 1) / 2) * width for j in range(len(labels))]
            bars = ax.barh(positions, values, height=width, label=name)
            ax.bar_label(bars, fmt="%.0f" if metric == "requests_per_s" else "%.1f", fontsize=7)
        if metric == "p99_ms":
            ax.set_xscale("log")  # a write with a password hash dwarfs the reads
            ax.set_title(title)
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_title(title)
        ax.legend()
    s = report["settings"]
    fig.suptitle(
        f"scaffold bench: gunicorn {s['workers']} {s['worker_class']} workers, "
        f"{s['connections']} connections, {s['duration_s']} s, {s['load_tool']}"
    )
    path = Path(path)
    try:
        fig.savefig(path, dpi=110)
    except OSError as exc:
        raise BenchError(f"cannot write the chart to {str(path)!r}: {exc.strerror}") from None
    finally:
        plt.close(fig)
    return path
