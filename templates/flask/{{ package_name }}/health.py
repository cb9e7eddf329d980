"""GET /api/health/: an async view (Flask runs it through asgiref) that checks the
database without blocking its event loop."""

from __future__ import annotations

import asyncio

from flask import Blueprint, jsonify
from flask.typing import ResponseReturnValue
from sqlalchemy import Engine, text
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

bp = Blueprint("health", __name__)


def database_is_reachable(engine: Engine) -> bool:
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except SQLAlchemyError:
        return False
    return True


@bp.get("/api/health/")
async def health() -> ResponseReturnValue:
    reachable = await asyncio.to_thread(database_is_reachable, db.engine)
    body = {"status": "ok", "database": "ok" if reachable else "error"}
    response = jsonify(body)
    response.status_code = 200 if reachable else 503
    response.headers["Cache-Control"] = "no-store"
    return response
