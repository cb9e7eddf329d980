"""``scaffold bench``: the Django and Flask starters, measured side by side; and the
one way scaffold and its tests install, serve and stop a starter.

Modules by concern:

- ``project``: a starter on disk: generate or copy it, install it, run its commands;
- ``server``: gunicorn serving it on 127.0.0.1, started and stopped as a group;
- ``procs``: processes in their own groups, stopped on Ctrl-C and SIGTERM; /proc facts;
- ``baselines``: the bare-framework and bare-REST views added to the bench's copy;
- ``endpoints``: what is measured, and the check that it answers before any load;
- ``load``: the HTTP load (wrk, else a Python client) and its percentiles;
- ``measure``: the whole run (``run_bench``), step by step;
- ``report``: the ratios, the tables and the chart.

Importing this package imports neither copier nor matplotlib.
"""

from __future__ import annotations

from ..errors import BenchError, BenchProjectError, ChartUnavailable
from .endpoints import ENDPOINTS, check_endpoints
from .measure import BenchOptions, run_bench
from .project import StarterProject, User, count_code, declared_dependencies
from .report import format_table, ratios, require_matplotlib, write_chart
from .server import GunicornServer, free_port

__all__ = [
    "ENDPOINTS",
    "BenchError",
    "BenchOptions",
    "BenchProjectError",
    "ChartUnavailable",
    "GunicornServer",
    "StarterProject",
    "User",
    "check_endpoints",
    "count_code",
    "declared_dependencies",
    "format_table",
    "free_port",
    "ratios",
    "require_matplotlib",
    "run_bench",
    "write_chart",
]
