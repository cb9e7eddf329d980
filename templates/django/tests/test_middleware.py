import re
import uuid

import pytest
from django.http import HttpResponse

from config.middleware import RequestIDMiddleware

pytestmark = pytest.mark.django_db


def test_a_request_id_is_generated(client):
    response = client.get("/")
    assert uuid.UUID(response["X-Request-ID"]).version == 4


def test_each_request_gets_its_own_id(client):
    assert client.get("/")["X-Request-ID"] != client.get("/")["X-Request-ID"]


@pytest.mark.parametrize(
    "incoming", ["3f2b8c1e-9d4a-4c1b-8e2f-7a6b5c4d3e2f", "req-42", "edge:01HZY.7"]
)
def test_a_valid_incoming_id_is_echoed(client, incoming):
    response = client.get("/", headers={"X-Request-ID": incoming})
    assert response["X-Request-ID"] == incoming


@pytest.mark.parametrize(
    "incoming", ["", "has space", "x" * 129, "<script>", "-leading-dash"], ids=repr
)
def test_an_invalid_incoming_id_is_replaced(client, incoming):
    response = client.get("/", headers={"X-Request-ID": incoming})
    assert uuid.UUID(response["X-Request-ID"]).version == 4


def test_the_view_sees_the_request_id(rf):
    seen = []

    def view(request):
        seen.append(request.request_id)
        response = HttpResponse("ok")
        response["Server-Timing"] = "db;dur=1.0"
        return response

    request = rf.get("/", headers={"X-Request-ID": "abc-123"})
    response = RequestIDMiddleware(view)(request)
    assert seen == ["abc-123"]
    # An existing Server-Timing entry is kept, the app's time is added.
    assert re.fullmatch(r"db;dur=1\.0, app;dur=\d+\.\d", response["Server-Timing"])


def test_server_timing_reports_the_app_time(client):
    response = client.get("/")
    assert re.fullmatch(r"app;dur=\d+\.\d", response["Server-Timing"])


def test_headers_are_on_api_responses_too(client):
    response = client.get("/api/health/")
    assert response.has_header("X-Request-ID") and response.has_header("Server-Timing")
