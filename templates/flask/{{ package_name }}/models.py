"""Database models (SQLAlchemy 2 typed mappings)."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import DateTime, ForeignKey, String, Text, select
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import Model, db
from .slugs import FALLBACK_SLUG, next_free_slug, slugify

TITLE_MAX_LENGTH = 200


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime on every database (SQLite stores no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use an aware one (UTC)")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class User(UserMixin, Model):
    """An account: logs in to the site and the API; staff users may use the admin and
    change any article."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str] = mapped_column(String(254), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    is_staff: Mapped[bool] = mapped_column(default=False)
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    articles: Mapped[list[Article]] = relationship(
        back_populates="author", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    def __str__(self) -> str:
        return self.username


class Article(Model):
    """A blog post. The slug comes from the title once, on create."""

    __tablename__ = "articles"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX_LENGTH))
    slug: Mapped[str] = mapped_column(String(255), unique=True)
    body: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(default=False, index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    author: Mapped[User] = relationship(back_populates="articles")

    def __str__(self) -> str:
        return self.title

    @staticmethod
    def newest_first() -> tuple:
        """ORDER BY of every list: created_at, then id, descending."""
        return (Article.created_at.desc(), Article.id.desc())


def unique_slug(title: str) -> str:
    """A slug for ``title`` that no article uses yet (``-2``, ``-3``, ... appended)."""
    base = slugify(title) or FALLBACK_SLUG
    pattern = base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "-%"
    # No autoflush: the article being created may already be in the session, slugless.
    with db.session.no_autoflush:
        taken = db.session.scalars(
            select(Article.slug).where(
                (Article.slug == base) | Article.slug.like(pattern, escape="\\")
            )
        )
        return next_free_slug(base, set(taken))
