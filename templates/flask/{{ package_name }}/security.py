"""Security headers on every response, and the redirect to HTTPS in production."""

from __future__ import annotations

from flask import Flask, current_app, redirect, request
from werkzeug.wrappers import Response

# The pages load nothing but their own stylesheet: no inline script or style at all.
PAGE_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# The admin and the API docs run their bundled scripts with inline handlers and styles.
WIDGET_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' "
    "'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
WIDGET_PREFIXES = ("/admin/", "/api/docs/")
# Load balancers probe the health check over plain HTTP.
REDIRECT_EXEMPT = ("/api/health/",)


def redirect_to_https() -> Response | None:
    if request.is_secure or request.path in REDIRECT_EXEMPT:
        return None
    return redirect(request.url.replace("http://", "https://", 1), code=301)


def set_security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if response.mimetype == "text/html":
        widget = request.path.startswith(WIDGET_PREFIXES)
        headers.setdefault("Content-Security-Policy", WIDGET_POLICY if widget else PAGE_POLICY)
    hsts_seconds = current_app.config["SECURE_HSTS_SECONDS"]
    if hsts_seconds and request.is_secure:
        headers.setdefault("Strict-Transport-Security", f"max-age={hsts_seconds}")
    return response


def init_app(app: Flask) -> None:
    if app.config["SECURE_SSL_REDIRECT"]:
        app.before_request(redirect_to_https)
    app.after_request(set_security_headers)
