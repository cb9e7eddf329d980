import inspect
import socket

import pytest
from asgiref.sync import async_to_sync
from django.db import connections
from django.test import Client

from config.views import health

pytestmark = pytest.mark.django_db


def test_health_is_an_async_view():
    assert inspect.iscoroutinefunction(health)


def test_health_ok(client):
    response = client.get("/api/health/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok", "database": "ok"}


def test_health_under_asgi(async_client):
    response = async_to_sync(async_client.get)("/api/health/")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def unreachable_database():
    """Point the default connection at a database that cannot be opened."""
    real = connections["default"]
    settings_dict = dict(real.settings_dict)
    if real.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/db.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port()))
        # Connect directly, not from the pool (async_server) that holds live connections.
        options = settings_dict.get("OPTIONS", {})
        settings_dict["OPTIONS"] = {key: value for key, value in options.items() if key != "pool"}
    broken = type(real)(settings_dict, alias="default")
    connections["default"] = broken
    yield
    broken.close()
    connections["default"] = real


def test_health_503_when_the_database_is_unreachable(client, unreachable_database):
    response = client.get("/api/health/")
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "error"}


@pytest.fixture
def csrf_client():
    """A client that, like a browser or curl, gets CSRF checks."""
    return Client(enforce_csrf_checks=True)


def test_health_other_methods_are_405(csrf_client):
    response = csrf_client.post("/api/health/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "POST" not allowed.'}
    assert response["Allow"] == "GET, HEAD"


@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
@pytest.mark.parametrize("path", ["/api/", "/api/nowhere/", "/api/nowhere/deeper/", "/api/x"])
def test_unknown_api_routes_are_json_404(csrf_client, method, path):
    response = csrf_client.generic(method, path)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Not found."}


def test_api_route_without_trailing_slash_is_redirected(client):
    response = client.post("/api/health?x=1")
    assert response.status_code == 308
    assert response["Location"] == "/api/health/?x=1"
