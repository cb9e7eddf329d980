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
STYLESHEET = {"django": "static/css/site.css", "flask": "my_site/static/css/site.css"}


@pytest.fixture(scope="module", params=["django", "flask"])
def project(request, plain_template, tmp_path_factory) -> tuple[str, Path]:
    dest = tmp_path_factory.mktemp(f"shared-{request.param}") / "p"
    return request.param, render(plain_template, dest, {"framework": request.param})


def test_stylesheet_is_the_shared_one(project):
    framework, root = project
    css = (root / STYLESHEET[framework]).read_text("utf-8")
    assert css.strip() == (INCLUDES / "site.css").read_text("utf-8").strip()


def test_gunicorn_settings_are_the_shared_ones(project):
    _, root = project
    assert (root / "gunicorn.conf.py").read_text() == (INCLUDES / "gunicorn.conf.py").read_text()


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
def test_gunicorn_settings(monkeypatch, env, bind, workers):
    """Threaded workers (browsers' idle spare connections do not stall the site), $PORT and
    $WEB_CONCURRENCY as platforms set them, requests logged."""
    for name in ("PORT", "WEB_CONCURRENCY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    settings = runpy.run_path(str(INCLUDES / "gunicorn.conf.py"))
    chosen = {name: settings[name] for name in ("bind", "workers", "worker_class", "threads")}
    assert chosen == {"bind": bind, "workers": workers, "worker_class": "gthread", "threads": 4}
    assert settings["accesslog"] is None  # the application logs each request
