"""Logs a person can follow: every line names the request it was written for.

- Each request gets an id: a well-formed incoming ``X-Request-ID`` (from a proxy or a
  client), else a new uuid4. The response carries it back in ``X-Request-ID``.
- Every log line written while the request is served carries the id (``request_id``);
  lines written outside a request show ``-``.
- One line per request (the logger ``<package>.access``): method, path, status, time
  in milliseconds and the id. It is the access log (gunicorn writes none of its own).
- ``LOG_FORMAT=json`` writes one JSON object per line (for a log collector); the default
  ``text`` is for people. ``LOG_LEVEL`` sets the level (default INFO).
- An error is logged once, with its traceback, at level ERROR; clients only ever see the
  error page.

Standard library only: Django's settings and Flask's app factory both use it.
"""

from __future__ import annotations

import contextvars
import json
import logging
import re
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

# What an incoming X-Request-ID may look like to be passed on: a UUID or a tracing id
# from a proxy. Anything else (too long, spaces, control characters) is replaced, so it
# cannot forge log lines or headers.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
REQUEST_ID_HEADER = "X-Request-ID"
NO_REQUEST = "-"

current_request_id: contextvars.ContextVar[str] = contextvars.ContextVar(
    "current_request_id", default=NO_REQUEST
)
access_log = logging.getLogger(__name__.rpartition(".")[0] + ".access")

# The fields of the per-request line, kept as such in JSON.
REQUEST_FIELDS = ("method", "path", "status", "duration_ms")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"


def request_id_from(incoming: str | None) -> str:
    """The id for a request: ``incoming`` when it is well formed, else a new uuid4."""
    if incoming and VALID_REQUEST_ID.fullmatch(incoming):
        return incoming
    return str(uuid.uuid4())


class RequestStarted:
    """One request being served: its id (in ``current_request_id`` until ``finish``)
    and when it started."""

    def __init__(self, incoming_id: str | None) -> None:
        self.request_id = request_id_from(incoming_id)
        self.started = time.perf_counter()
        self._token = current_request_id.set(self.request_id)

    @property
    def elapsed_ms(self) -> float:
        return (time.perf_counter() - self.started) * 1000

    def finish(self, method: str, path: str, status: int) -> None:
        """Write the request's line, then forget the id."""
        duration = round(self.elapsed_ms, 1)
        try:
            access_log.info(
                "%s %s %s %.1fms",
                method,
                path,
                status,
                duration,
                extra={"method": method, "path": path, "status": status, "duration_ms": duration},
            )
        finally:
            current_request_id.reset(self._token)


def _add_request_id(factory: Callable[..., logging.LogRecord]) -> Callable[..., logging.LogRecord]:
    def make_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = factory(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    make_record.adds_request_id = True  # type: ignore[attr-defined]
    return make_record


# Every record gets ``request_id`` when it is made, whichever logger and handler it goes
# to (pytest's log capture included).
if not getattr(logging.getLogRecordFactory(), "adds_request_id", False):
    logging.setLogRecordFactory(_add_request_id(logging.getLogRecordFactory()))


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, the request
    line's fields, and the traceback of an error."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", NO_REQUEST),
        }
        for name in REQUEST_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["traceback"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def logging_settings(level: str = "INFO", log_format: str = "text") -> dict[str, Any]:
    """A ``logging.config.dictConfig`` dictionary: the root logger writes to stderr
    (where gunicorn, systemd and containers collect it), in text or JSON lines."""
    log_format = log_format.strip().lower() or "text"
    if log_format not in ("text", "json"):
        raise ValueError(f"LOG_FORMAT={log_format!r} is unknown: use text or json.")
    formatter: dict[str, Any] = (
        {"()": JsonFormatter} if log_format == "json" else {"format": TEXT_FORMAT}
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"default": formatter},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "default",
            }
        },
        "root": {"handlers": ["stderr"], "level": level.strip().upper() or "INFO"},
    }
