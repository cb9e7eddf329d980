"""Throttled logins: the login page and the API token endpoint refuse further attempts
after ``LOGIN_FAILURE_LIMIT`` failures for one username, or
``LOGIN_FAILURE_LIMIT_PER_ADDRESS`` from one client address, within
``LOGIN_FAILURE_WINDOW`` seconds.

The failures are rows of the database (``LoginFailure``), so the counts hold across
gunicorn's worker processes and restarts.
"""

from __future__ import annotations

import math
from datetime import timedelta

from flask import current_app, request
from sqlalchemy import delete, select

from .extensions import db
from .models import LoginFailure, normalize_username, utcnow


def failure_keys(username: str) -> list[tuple[str, int]]:
    """The counters one attempt touches, each with its limit."""
    config = current_app.config
    address = request.remote_addr or "unknown"
    # The user-name rule of models.py; a NUL (no account has one) is left out of the key.
    key_name = normalize_username(username).lower().replace("\x00", "")
    return [
        (f"username:{key_name}", config["LOGIN_FAILURE_LIMIT"]),
        (f"address:{address}", config["LOGIN_FAILURE_LIMIT_PER_ADDRESS"]),
    ]


def window() -> timedelta:
    return timedelta(seconds=current_app.config["LOGIN_FAILURE_WINDOW"])


def retry_after(username: str) -> int | None:
    """Seconds until an attempt for ``username`` from this address is allowed again, or
    None when it is allowed now."""
    now = utcnow()
    since = now - window()
    wait = 0.0
    for key, limit in failure_keys(username):
        recent = db.session.scalars(
            select(LoginFailure.failed_at)
            .where(LoginFailure.key == key, LoginFailure.failed_at > since)
            .order_by(LoginFailure.failed_at.desc())
            .limit(limit)
        ).all()
        if 0 < limit <= len(recent):  # 0 turns this counter off
            # Allowed again when the oldest of the last ``limit`` failures leaves the window.
            wait = max(wait, (recent[-1] + window() - now).total_seconds())
    return max(1, math.ceil(wait)) if wait > 0 else None


def record_failure(username: str) -> None:
    """Count a failed attempt (and forget failures older than the window)."""
    keys = [key for key, _ in failure_keys(username)]
    db.session.execute(
        delete(LoginFailure).where(
            LoginFailure.key.in_(keys), LoginFailure.failed_at <= utcnow() - window()
        )
    )
    db.session.add_all(LoginFailure(key=key) for key in keys)
    db.session.commit()


def forget_failures(username: str) -> None:
    """A successful login clears the username's failures (not the address's)."""
    key, _ = failure_keys(username)[0]
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == key))
    db.session.commit()
