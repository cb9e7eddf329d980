"""Project-wide middleware."""

import re
import time
import uuid

# What an incoming X-Request-ID may look like to be passed on: a UUID or a
# tracing id from a proxy. Anything else (too long, spaces, control characters)
# is replaced, so it cannot forge log lines or headers.
VALID_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")


class RequestIDMiddleware:
    """Tag every request with an id and report the time spent in Django.

    - `X-Request-ID`: echoes a well-formed incoming id (so one id follows a
      request through a proxy, this app and the logs), else a new uuid4. Views
      read it as `request.request_id`.
    - `Server-Timing: app;dur=<milliseconds>`: shown by browsers' developer
      tools and readable by load balancers and monitoring.

    First in MIDDLEWARE, so the time covers the other middleware too.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        incoming = request.headers.get("X-Request-ID", "")
        if VALID_REQUEST_ID.fullmatch(incoming):
            request.request_id = incoming
        else:
            request.request_id = str(uuid.uuid4())

        response = self.get_response(request)

        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Request-ID"] = request.request_id
        timing = f"app;dur={elapsed_ms:.1f}"
        if response.has_header("Server-Timing"):
            timing = f"{response['Server-Timing']}, {timing}"
        response["Server-Timing"] = timing
        return response
