"""Shared fixtures (a real PostgreSQL server for the whole run) and how tests are shared
out between xdist processes."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.support.postgres import PostgresServer, find_bindir
from tests.support.render import copy_template

# Bytecode caches on, in this process and every process it starts: the suite runs
# generated projects' tools, tests and servers hundreds of times over the same files,
# installed by uv (which compiles no bytecode). Under PYTHONDONTWRITEBYTECODE, which some
# CI images set, each process compiled every module it imported again: a Flask starter's
# own test run took 16.9 s instead of 11.4 s.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
sys.dont_write_bytecode = False

# Session fixtures that serve a generated project, one instance per parameter (built,
# installed and started once per process that needs it).
SERVED_PROJECTS = ("live_project", "site")


def xdist_group(item: pytest.Item) -> str:
    """The group an item runs in under ``--dist loadgroup``: the served project it uses
    (every test of ``live_project[django-sqlite]`` in one process, whatever its file), else
    its file (the module's fixtures are built once, as with ``--dist loadfile``)."""
    params = getattr(getattr(item, "callspec", None), "params", {})
    for name in SERVED_PROJECTS:
        if name in params:
            value = params[name]
            label = "-".join(value[:2]) if isinstance(value, tuple) else str(value)
            return f"{name}-{label}"
    return item.nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every item with its group (before pytest-xdist reads the marks)."""
    for item in items:
        if item.get_closest_marker("xdist_group") is None:
            item.add_marker(pytest.mark.xdist_group(xdist_group(item)))


@pytest.fixture(scope="session")
def postgres_server():
    """A throwaway PostgreSQL cluster on 127.0.0.1, stopped at the end of the run.

    Locally, without PostgreSQL, tests that need it skip; in CI (CI=true) they fail.
    """
    bindir = find_bindir()
    if bindir is None:
        message = (
            "PostgreSQL not found: install it (apt-get install postgresql) or put "
            "initdb/pg_ctl on PATH"
        )
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = PostgresServer(bindir)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """A throwaway Redis on 127.0.0.1 (tests/support/redis.py), stopped at the end of the
    run. Locally, without redis-server, tests that need it skip; in CI they fail."""
    from tests.support.redis import RedisServer, find_redis_server

    binary = find_redis_server()
    if binary is None:
        message = "redis-server not found: apt-get install redis-server"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    server = RedisServer(tmp_path_factory.mktemp("redis"), binary).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """URL of a new, empty database on the session's server."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory):
    """The working tree's template as a plain folder: Copier renders it without git."""
    return copy_template(tmp_path_factory.mktemp("template"))


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    """A CLI runner that finds the template as a user's shell would (no override)."""
    monkeypatch.delenv("SCAFFOLD_TEMPLATE", raising=False)
    return CliRunner()


@pytest.fixture(scope="session")
def template_repo(tmp_path_factory) -> Path:
    """The tagged template repository of the update tests (tests/test_update.py builds
    it: v1, v1.1, v2 and later), once per session."""
    from tests.test_update import build_template_repo, session_dir

    return session_dir(tmp_path_factory, "template-repo", build_template_repo)
