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


def test_development_prints_mails(environment):
    environment.update(DEBUG="true", SECRET_KEY="dev")
    environment.pop("EMAIL_URL", None)
    values = runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))
    backend = (
        values["MAILERS"]["default"]["BACKEND"] if "MAILERS" in values else values["EMAIL_BACKEND"]
    )
    assert backend == "django.core.mail.backends.console.EmailBackend"


def test_production_sends_mails_through_smtp_from_the_environment(environment):
    environment.update(
        DEBUG="false",
        SECRET_KEY="k3y-5ecret-" * 6,
        EMAIL_URL="smtp+tls://mailer:s3cret@smtp.example.com:587",
        DEFAULT_FROM_EMAIL="site@example.com",
    )
    values = runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))
    expected = {
        "host": "smtp.example.com",
        "port": 587,
        "username": "mailer",
        "password": "s3cret",
        "use_tls": True,
    }
    smtp = "django.core.mail.backends.smtp.EmailBackend"
    if "MAILERS" in values:  # Django 6.1 and later
        assert values["MAILERS"] == {"default": {"BACKEND": smtp, "OPTIONS": expected}}
    else:
        assert values["EMAIL_BACKEND"] == smtp
        assert values["EMAIL_HOST"] == expected["host"]
        assert values["EMAIL_PORT"] == expected["port"]
        assert values["EMAIL_HOST_USER"] == expected["username"]
        assert values["EMAIL_HOST_PASSWORD"] == expected["password"]
        assert values["EMAIL_USE_TLS"] is True
    assert values["DEFAULT_FROM_EMAIL"] == "site@example.com"


def test_account_settings_come_from_the_environment(environment):
    environment.update(
        DEBUG="true", SECRET_KEY="dev", SIGNUP_ENABLED="false", LOGIN_FAILURE_LIMIT="3"
    )
    values = runpy.run_path(str(settings.BASE_DIR / "config" / "settings.py"))
    assert values["SIGNUP_ENABLED"] is False and values["LOGIN_FAILURE_LIMIT"] == 3
