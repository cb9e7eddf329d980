"""Throttling of failed logins, per username and per client address.

After LOGIN_FAILURE_LIMIT failures for one username, or
LOGIN_FAILURE_LIMIT_PER_ADDRESS failures from one address, within
LOGIN_FAILURE_WINDOW seconds, further attempts are refused (429 with
Retry-After) without checking the password. The failures are rows in the
database (accounts.LoginFailure), so the count holds across gunicorn workers
and restarts. A successful login clears its username's failures.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from accounts.models import LoginFailure


def client_address(request: HttpRequest) -> str:
    """The address the request came from.

    REMOTE_ADDR, the peer of the connection. Behind a proxy that is the proxy
    (see the README); X-Forwarded-For is not read, since any client can send it.
    """
    return str(request.META.get("REMOTE_ADDR") or "unknown")[:64]


def _window() -> timedelta:
    return timedelta(seconds=settings.LOGIN_FAILURE_WINDOW)


def _wait(failures: QuerySet[LoginFailure], limit: int, now: datetime) -> float:
    """Seconds until fewer than ``limit`` of ``failures`` remain in the window."""
    stamps = list(failures.order_by("-at").values_list("at", flat=True)[:limit])
    if len(stamps) < limit:
        return 0.0
    # The limit-th newest failure leaves the window last of the ones that block.
    return (stamps[-1] + _window() - now).total_seconds()


def retry_after(username: str, address: str) -> int | None:
    """Whole seconds to wait when this attempt must be refused, else None."""
    now = timezone.now()
    recent = LoginFailure.objects.filter(at__gt=now - _window())
    wait = max(
        _wait(recent.filter(username=username), settings.LOGIN_FAILURE_LIMIT, now),
        _wait(recent.filter(address=address), settings.LOGIN_FAILURE_LIMIT_PER_ADDRESS, now),
    )
    return max(1, math.ceil(wait)) if wait > 0 else None


def record_failure(username: str, address: str) -> None:
    now = timezone.now()
    LoginFailure.objects.filter(at__lte=now - _window()).delete()
    LoginFailure.objects.create(username=username[:150], address=address[:64], at=now)


def clear(username: str) -> None:
    LoginFailure.objects.filter(username=username).delete()
