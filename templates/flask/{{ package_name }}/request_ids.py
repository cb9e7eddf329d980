"""Request ids and one log line per request (see ``logs.py``).

Every response carries ``X-Request-ID`` (a well-formed incoming one is kept, so one id
follows a request through a proxy, this app and the logs); views read it as
``g.request_id``, and every log line written meanwhile shows it.
"""

from __future__ import annotations

import logging.config

from flask import Flask, g, request
from werkzeug.wrappers import Response

from .logs import REQUEST_ID_HEADER, RequestStarted, logging_settings


def start_request() -> None:
    g.request_started = RequestStarted(request.headers.get(REQUEST_ID_HEADER))
    g.request_id = g.request_started.request_id


def finish_request(response: Response) -> Response:
    started: RequestStarted | None = g.pop("request_started", None)
    if started is not None:
        response.headers[REQUEST_ID_HEADER] = started.request_id
        started.finish(request.method, request.path, response.status_code)
    return response


def init_app(app: Flask) -> None:
    # Logs on stderr, text or JSON lines (LOG_FORMAT). The tests keep pytest's own
    # log capture instead.
    if not app.testing:
        logging.config.dictConfig(
            logging_settings(app.config["LOG_LEVEL"], app.config["LOG_FORMAT"])
        )
    app.before_request(start_request)
    app.after_request(finish_request)
