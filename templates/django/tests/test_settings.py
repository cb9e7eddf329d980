"""The production configuration that tests run with (DEBUG off)."""

import runpy

import environ
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

pytestmark = pytest.mark.django_db


def test_tests_run_with_production_settings():
    assert settings.DEBUG is False
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.AUTH_USER_MODEL == "accounts.User"


def test_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/")
    assert response.status_code == 301
    assert response["Location"] == "https://testserver/"


def test_https_responses_carry_security_headers(client):
    response = client.get("/", secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"].startswith("max-age=")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"


def test_proxy_https_header_is_trusted(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200


def test_wsgi_and_asgi_applications_load():
    from config.asgi import application as asgi_app
    from config.wsgi import application as wsgi_app

    assert callable(wsgi_app) and callable(asgi_app)


@pytest.fixture
def environment(monkeypatch):
    """A copy of the environment that settings read (and .env writes into)."""
    values = dict(environ.Env.ENVIRON)
    monkeypatch.setattr(environ.Env, "ENVIRON", values)
    return values


@pytest.mark.parametrize("secret", ["", "change-me", "django-insecure-" + "x1y2z3" * 10])
def test_production_refuses_a_placeholder_secret(environment, secret):
    environment.update(DEBUG="false", SECRET_KEY=secret)
    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))


def test_production_accepts_a_long_random_secret(environment):
    environment.update(DEBUG="false", SECRET_KEY="k3y-5ecret-" * 6)
    environment.pop("SECURE_SSL_REDIRECT")  # set to false for the test client
    values = runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] > 0
