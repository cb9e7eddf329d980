"""How the suite serves the starters: gunicorn on loopback only, under production
settings (DEBUG off), so the contract is checked the way users deploy it."""

from __future__ import annotations

import pytest

from tests.support.procs import run

from .checks import describe

pytestmark = pytest.mark.slow


def test_server_listens_on_loopback_only(live_project):
    addresses = live_project.server.listening_addresses()
    if not addresses:
        pytest.skip("listening sockets are read from Linux /proc")
    port = int(live_project.base_url.rsplit(":", 1)[1])
    assert addresses == {("127.0.0.1", port)}, (
        f"[server binds 127.0.0.1 only] the server's processes listen on {sorted(addresses)}"
    )


# The worker class gunicorn names at start-up ("Using worker: ..."), per framework.
ASYNC_WORKERS = {"django": "uvicorn_worker.UvicornWorker", "flask": "gevent"}


def test_server_runs_the_workers_the_project_asks_for(live_project):
    """gunicorn.conf.py's worker class: threads, or with async_server Django's ASGI app on
    uvicorn workers and Flask on gevent workers."""
    project = live_project.project
    expected = ASYNC_WORKERS[project.framework] if project.async_server else "gthread"
    # The start-up lines come first; the access log of earlier tests may follow at any length.
    log = live_project.server.log_text()
    assert f"Using worker: {expected}\n" in log, f"[{live_project.name}] {log[:1500]}"


def test_production_settings_show_no_debug_page(api, token):
    row = "production (DEBUG=false) -> no debug page on errors"
    response = api.get(f"/{token}/missing/")
    text = response.text
    for marker in ("Traceback", "DEBUG = True", "Werkzeug Debugger", "URLconf defined in"):
        assert marker not in text, f"[{row}] {marker!r} on a 404: {describe(response)}"


def test_project_runs_on_the_chosen_python(live_project):
    if live_project.python == "default":
        pytest.skip("that Python version is not installed here")
    version = run([live_project.project.bin_dir / "python", "--version"]).stdout
    assert version.startswith(f"Python {live_project.python}."), (
        f"[{live_project.name} runs on Python {live_project.python}] got {version!r}"
    )
