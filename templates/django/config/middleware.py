"""Project-wide middleware."""

from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from config.logs import REQUEST_ID_HEADER, RequestStarted


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
