"""Project-wide middleware."""

import logging

from asgiref.sync import iscoroutinefunction, markcoroutinefunction
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections
from django.http import HttpResponse, JsonResponse

from config.logs import REQUEST_ID_HEADER, RequestStarted

logger = logging.getLogger(__name__)
BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
# A refused body is read and dropped up to this size before the answer, so that the
# client, still sending, gets the 413 instead of a reset connection.
DRAIN_LIMIT = 16 * 1024 * 1024


def drain(stream, length):
    """Read and drop up to ``length`` (at most DRAIN_LIMIT) bytes of ``stream``."""
    left = min(length, DRAIN_LIMIT)
    while stream is not None and left > 0:
        chunk = stream.read(min(left, 65536))
        if not chunk:
            break
        left -= len(chunk)


class RequestIDMiddleware:
    """Tag every request with an id, log one line for it, and report the time spent in
    Django.

    - `X-Request-ID`: echoes a well-formed incoming id (so one id follows a
      request through a proxy, this app and the logs), else a new uuid4. Views
      read it as `request.request_id`; every log line written meanwhile shows it
      (config/logs.py).
    - One log line per request: method, path, status, milliseconds, the id.
    - `Server-Timing: app;dur=<milliseconds>`: shown by browsers' developer
      tools and readable by load balancers and monitoring.

    First in MIDDLEWARE, so the time covers the other middleware too.
    """

    # Sync and async: under ASGI (config/asgi.py) it runs on the event loop, no thread.
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        if iscoroutinefunction(self):
            return self.__acall__(request)
        started = self._start(request)
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            return self._tag(request, response, started)
        finally:
            started.finish(request.method, request.path, status)

    async def __acall__(self, request):
        started = self._start(request)
        status = 500
        try:
            response = await self.get_response(request)
            status = response.status_code
            return self._tag(request, response, started)
        finally:
            started.finish(request.method, request.path, status)

    @staticmethod
    def _start(request):
        started = RequestStarted(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = started.request_id
        return started

    @staticmethod
    def _tag(request, response, started):
        response[REQUEST_ID_HEADER] = request.request_id
        timing = f"app;dur={started.elapsed_ms:.1f}"
        if response.has_header("Server-Timing"):
            timing = f"{response['Server-Timing']}, {timing}"
        response["Server-Timing"] = timing
        return response


class LimitsAndFaultsMiddleware:
    """Answers for what the views never see, in the API's shape under /api/:

    - a request body over DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB): 413 before it is read;
    - the database unavailable (server down, connection lost, a read-only or locked
      SQLite file): 503 with `Retry-After`, for reads and writes. The connection is
      closed, so the next request opens a new one: the site recovers by itself.
    """

    # Sync and async, like RequestIDMiddleware: no thread hop under ASGI.
    sync_capable = True
    async_capable = True

    def __init__(self, get_response):
        self.get_response = get_response
        if iscoroutinefunction(get_response):
            markcoroutinefunction(self)

    def __call__(self, request):
        refused = self._refuse(request)
        if iscoroutinefunction(self):
            return self.__acall__(request, refused)
        return refused or self.get_response(request)

    async def __acall__(self, request, refused):
        return refused or await self.get_response(request)

    @staticmethod
    def _refuse(request):
        """The 413 for a body over the limit, or None."""
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        if limit is None or length <= limit or request.method not in BODY_METHODS:
            return None
        # Under WSGI the body is still unread; under ASGI the server has read it already.
        drain(request.META.get("wsgi.input"), length)
        return error_response(request, 413, f"Request body too large: at most {limit} bytes.")

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.error("The database is unavailable: %s", exception)
        connections.close_all()
        response = error_response(
            request, 503, "The database is unavailable. Try again in a moment."
        )
        response["Retry-After"] = "5"
        return response


def error_response(request, status, detail):
    """`{"detail": ...}` under /api/, a short HTML page elsewhere (no template: it
    must render when the database, the session and the user are out of reach)."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": detail}, status=status)
    page = f"<!doctype html><title>Error {status}</title><h1>Error {status}</h1><p>{detail}</p>"
    return HttpResponse(page, status=status)
