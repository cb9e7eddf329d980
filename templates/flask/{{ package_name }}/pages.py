"""The public site: published articles, newest first; an author previews their own
drafts at their pages (staff users see every draft)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload
from werkzeug.wrappers import Response

from .extensions import db
from .models import Article, User

bp = Blueprint("pages", __name__)
MAX_PAGE = 2**31 - 1


def signed_in_user() -> User | None:
    return current_user._get_current_object() if current_user.is_authenticated else None


@bp.get("/")
def article_list() -> str:
    query = select(Article).where(Article.published.is_(True)).order_by(*Article.newest_first())
    number = request.args.get("page", 1, type=int)
    if not 1 <= number <= MAX_PAGE:
        abort(404)  # no such page (a huge number would overflow the query's OFFSET)
    page = db.paginate(
        query,
        page=number,
        per_page=current_app.config["ARTICLES_PER_PAGE"],
        max_per_page=current_app.config["ARTICLES_PER_PAGE"],
    )
    return render_template("pages/article_list.html", page=page)


@bp.get("/articles/<slug>/")
def article_detail(slug: str) -> str:
    if "\x00" in slug:
        abort(404)  # no slug has one (and PostgreSQL refuses it in a query)
    article = db.first_or_404(
        select(Article)
        .options(joinedload(Article.author))
        .where(Article.slug == slug, Article.visible_to(signed_in_user()))
    )
    return render_template("pages/article_detail.html", article=article)


@bp.get("/favicon.ico")
def favicon() -> Response:
    """Browsers ask for /favicon.ico on pages that declare no icon (the admin)."""
    return redirect(url_for("static", filename="favicon.svg"), code=301)
