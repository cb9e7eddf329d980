"""What both starters share, checked once for each: the stylesheet, gunicorn's settings
and the single version constant come from the same place in both."""

from __future__ import annotations

import re
import runpy
import tomllib
from pathlib import Path

import pytest

from tests.support.render import render

INCLUDES = Path(__file__).parents[2] / "templates" / "includes"
FRAMEWORKS = ("django", "flask")
STYLESHEET = {"django": "static/css/site.css", "flask": "my_site/static/css/site.css"}


@pytest.fixture(scope="module", params=["django", "flask"])
def project(request, plain_template, tmp_path_factory) -> tuple[str, Path]:
    dest = tmp_path_factory.mktemp(f"shared-{request.param}") / "p"
    return request.param, render(plain_template, dest, {"framework": request.param})


def test_stylesheet_is_the_shared_one(project):
    framework, root = project
    css = (root / STYLESHEET[framework]).read_text("utf-8")
    assert css.strip() == (INCLUDES / "site.css").read_text("utf-8").strip()


@pytest.fixture(scope="module")
def gunicorn_settings(plain_template, tmp_path_factory) -> dict[tuple[str, bool], Path]:
    """The rendered gunicorn.conf.py of each framework, with and without async_server."""
    found = {}
    for framework in ("django", "flask"):
        for async_server in (False, True):
            dest = tmp_path_factory.mktemp(f"gunicorn-{framework}-{async_server}") / "p"
            answers = {"framework": framework, "async_server": async_server}
            found[framework, async_server] = render(plain_template, dest, answers)
    return {key: root / "gunicorn.conf.py" for key, root in found.items()}


def test_gunicorn_settings_are_the_shared_ones(gunicorn_settings):
    """One source (templates/includes/gunicorn.conf.py): the same file in both starters,
    but for the async worker class."""
    assert gunicorn_settings["django", False].read_text() == (
        gunicorn_settings["flask", False].read_text()
    )
    django, flask = (gunicorn_settings[fw, True].read_text().splitlines() for fw in FRAMEWORKS)
    differ = [(d, f) for d, f in zip(django, flask, strict=True) if d != f]
    assert differ == [('worker_class = "uvicorn_worker.UvicornWorker"', 'worker_class = "gevent"')]


def test_version_is_one_constant(project):
    """pyproject.toml reads the version from the code (which the API docs show)."""
    _, root = project
    pyproject = tomllib.loads((root / "pyproject.toml").read_text("utf-8"))
    assert "version" not in pyproject["project"] and pyproject["project"]["dynamic"] == ["version"]
    source = root / pyproject["tool"]["hatch"]["version"]["path"]
    assert re.search(r'^VERSION = "0\.1\.0"$', source.read_text("utf-8"), re.M), source


@pytest.mark.parametrize(
    ("env", "bind", "workers"),
    [({}, "0.0.0.0:8000", 2), ({"PORT": "5000", "WEB_CONCURRENCY": "5"}, "0.0.0.0:5000", 5)],
    ids=["defaults", "port-and-concurrency"],
)
def test_gunicorn_settings(gunicorn_settings, monkeypatch, env, bind, workers):
    """Threaded workers (browsers' idle spare connections do not stall the site), $PORT and
    $WEB_CONCURRENCY as platforms set them, requests logged."""
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = runpy.run_path(str(gunicorn_settings["flask", False]))
    chosen = {name: settings[name] for name in ("bind", "workers", "worker_class", "threads")}
    assert chosen == {"bind": bind, "workers": workers, "worker_class": "gthread", "threads": 4}
    assert settings["accesslog"] is None  # the application logs each request


@pytest.mark.parametrize(
    ("framework", "worker_class"),
    [("django", "uvicorn_worker.UvicornWorker"), ("flask", "gevent")],
)
def test_async_server_settings(gunicorn_settings, framework, worker_class):
    """async_server: Django's ASGI app on uvicorn workers, Flask on gevent workers; the
    rest as without it."""
    settings = runpy.run_path(str(gunicorn_settings[framework, True]))
    assert settings["worker_class"] == worker_class
    assert "threads" not in settings
    assert (settings["workers"], settings["accesslog"]) == (2, None)
