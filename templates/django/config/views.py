"""Project-wide views: the health check, and JSON errors (404, 400, 500) under /api/."""

import logging

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connection
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.urls import resolve
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt

logger = logging.getLogger(__name__)


def _ping_database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


# csrf_exempt: these views change nothing, and a POST must get their JSON answer
# (405, 404), not the HTML page of a failed CSRF check.
@csrf_exempt
async def health(request):
    """`GET /api/health/`: 200 when the database answers a query, else 503.

    Async, so a slow database holds no worker thread under ASGI; the query
    itself runs in Django's thread for database work (sync_to_async).
    """
    if request.method not in ("GET", "HEAD"):
        response = JsonResponse({"detail": f'Method "{request.method}" not allowed.'}, status=405)
        response["Allow"] = "GET, HEAD"
        return response
    try:
        await sync_to_async(_ping_database)()
    except DatabaseError:
        logger.exception("Health check: the database is unreachable")
        return JsonResponse({"status": "ok", "database": "error"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@csrf_exempt
def api_not_found(request):
    """Unknown routes under /api/ answer JSON like the API, not an HTML page.

    A route asked for without its trailing slash is redirected to it with a
    308, which keeps the method and the body (APPEND_SLASH cannot do that here:
    this catch-all matches every path under /api/).
    """
    if not request.path_info.endswith("/"):
        match = resolve(request.path_info + "/")  # never fails: this view matches
        if match.func is not api_not_found:
            return HttpResponsePermanentRedirect(
                request.get_full_path(force_append_slash=True), preserve_request=True
            )
    return JsonResponse({"detail": "Not found."}, status=404)


def bad_request(request, exception):
    """handler400: a refused Host header or another suspicious request. JSON under
    /api/ like every API answer; Django's page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def server_error(request):
    """handler500: JSON under /api/, the 500.html page elsewhere."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "A server error occurred."}, status=500)
    return defaults.server_error(request)
