"""Error responses: JSON ``{"detail": ...}`` under /api/ (like Django REST framework),
HTML pages everywhere else."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

API_PREFIX = "/api/"

# Django REST framework's wording for the errors that carry no message of their own.
DEFAULT_DETAILS = {
    400: "Malformed request.",
    401: "Authentication credentials were not provided.",
    403: "You do not have permission to perform this action.",
    404: "Not found.",
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


def handle_http_error(error: HTTPException) -> Response | tuple[str, int]:
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


def init_app(app: Flask) -> None:
    # Registered last in create_app, so it replaces the handlers extensions install.
    app.register_error_handler(HTTPException, handle_http_error)
