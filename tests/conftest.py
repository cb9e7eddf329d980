"""Shared fixtures: a real PostgreSQL server for the whole run."""

from __future__ import annotations

import os

import pytest

from tests.support.postgres import PostgresServer, find_bindir
from tests.support.render import copy_template


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


@pytest.fixture
def postgres_url(postgres_server) -> str:
    """URL of a new, empty database on the session's server."""
    return postgres_server.create_database()


@pytest.fixture(scope="session")
def plain_template(tmp_path_factory):
    """The working tree's template as a plain folder: Copier renders it without git."""
    return copy_template(tmp_path_factory.mktemp("template"))
