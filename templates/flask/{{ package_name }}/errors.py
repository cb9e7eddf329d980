"""Error responses: JSON ``{"detail": ...}`` under /api/ (like Django REST framework),
HTML pages everywhere else; 503 when the database is unavailable."""

from __future__ import annotations

import contextlib
import logging

from flask import Flask, jsonify, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError, SQLAlchemyError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm.exc import ObjectDeletedError, StaleDataError
from werkzeug.exceptions import (
    BadRequest,
    HTTPException,
    NotFound,
    SecurityError,
    ServiceUnavailable,
)
from werkzeug.wrappers import Response

from .extensions import db

logger = logging.getLogger(__name__)
DRAIN_LIMIT = 16 * 1024 * 1024

API_PREFIX = "/api/"

# Django REST framework's wording for the errors that carry no message of their own.
DEFAULT_DETAILS = {
    400: "Malformed request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
    413: "Request body too large: at most 2621440 bytes.",
    406: "Could not satisfy the request Accept header.",
    415: "Unsupported media type in request.",
    429: "Request was throttled.",
    500: "A server error occurred.",
}


def is_api_request() -> bool:
    return request.path == API_PREFIX.rstrip("/") or request.path.startswith(API_PREFIX)


def detail_for(error: HTTPException) -> str:
    code = error.code or 500
    if code == 405:
        return f'Method "{request.method}" not allowed.'
    if error.description and error.description != type(error).description:
        return str(error.description)
    return DEFAULT_DETAILS.get(code, error.name)


def api_error(error: HTTPException) -> Response:
    """``{"detail": "message"}`` with the error's status and headers (Allow,
    WWW-Authenticate)."""
    response = jsonify(detail=detail_for(error))
    response.status_code = error.code or 500
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def drain_body() -> None:
    """Read and drop a refused body (up to DRAIN_LIMIT) before answering, so that a
    client still sending it gets the 413 instead of a reset connection."""
    stream = request.environ.get("wsgi.input")
    left = min(request.content_length or 0, DRAIN_LIMIT)
    while stream is not None and left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        left -= len(chunk)


def handle_http_error(error: HTTPException) -> Response | tuple[str, int]:
    if isinstance(error, SecurityError):
        error = BadRequest("Bad request.")  # an untrusted Host: not echoed back
    if error.code == 413:
        drain_body()
    if is_api_request():
        return api_error(error)
    code = error.code or 500
    if code == 404:
        return render_template("errors/404.html"), 404
    response = Response(
        render_template("errors/error.html", error=error), status=code, mimetype="text/html"
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def database_unavailable(error: Exception) -> Response:
    """503 (JSON under /api/) with Retry-After when the database is down, unreachable,
    read-only or locked, for reads and writes. The pool is emptied, so the next
    request connects anew: the site recovers by itself when the database does."""
    logger.error("The database is unavailable: %s", error)
    with contextlib.suppress(SQLAlchemyError):
        db.session.rollback()
    db.engine.dispose()
    unavailable = ServiceUnavailable(
        "The database is unavailable. Try again in a moment.", retry_after=5
    )
    if is_api_request():
        return api_error(unavailable)
    # No template: the page must render without the database (the signed-in user).
    page = f"<!doctype html><title>Error 503</title><h1>Error 503</h1><p>{unavailable.description}</p>"
    return Response(page, status=503, mimetype="text/html", headers={"Retry-After": "5"})


def row_gone(error: StaleDataError | ObjectDeletedError) -> Response | tuple[str, int]:
    """A row deleted by a parallel request while this one read, wrote or answered
    with it: 404."""
    db.session.rollback()
    return handle_http_error(NotFound())


def init_app(app: Flask) -> None:
    # Registered last in create_app, so it replaces the handlers extensions install.
    app.register_error_handler(HTTPException, handle_http_error)
    for database_error in (OperationalError, InterfaceError, PoolTimeout):
        app.register_error_handler(database_error, database_unavailable)
    app.register_error_handler(StaleDataError, row_gone)
    app.register_error_handler(ObjectDeletedError, row_gone)
