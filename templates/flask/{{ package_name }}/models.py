"""Database models (SQLAlchemy 2 typed mappings)."""

from __future__ import annotations

import hashlib
import secrets
import unicodedata
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from flask_login import UserMixin
from sqlalchemy import (
    ColumnElement,
    DateTime,
    ForeignKey,
    String,
    Text,
    func,
    or_,
    select,
    true,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator
from werkzeug.security import check_password_hash, generate_password_hash

from .extensions import Model, db
from .slugs import FALLBACK_SLUG, next_free_slug, slugify

TITLE_MAX_LENGTH = 200
# How often a create retries with the next free slug when a parallel one took it.
SLUG_ATTEMPTS = 100


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
    api_tokens: Mapped[list[ApiToken]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    def set_password(self, password: str) -> None:
        method = current_app.config["PASSWORD_HASH_METHOD"] if has_app_context() else "scrypt"
        self.password_hash = generate_password_hash(password, method=method)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def password_fingerprint(self) -> str:
        """Changes whenever the password does: it ends sessions on other devices and
        password-reset links once the password is set (the hash is salted anew)."""
        return hashlib.sha256(self.password_hash.encode()).hexdigest()[:20]

    def get_id(self) -> str:
        """What Flask-Login keeps in the session and the "Keep me logged in" cookie."""
        return f"{self.id}:{self.password_fingerprint}"

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

    @staticmethod
    def visible_to(user: User | None) -> ColumnElement[bool]:
        """WHERE clause of the articles ``user`` may see (None: anonymous): published
        ones, the user's own drafts, and every article for staff."""
        if user is None:
            return Article.published.is_(True)
        if user.is_staff:
            return true()
        return or_(Article.published.is_(True), Article.author_id == user.id)

    def is_visible_to(self, user: User | None) -> bool:
        return self.published or (
            user is not None and (user.is_staff or self.author_id == user.id)
        )


def hash_token(token: str) -> str:
    """What the database keeps of an API token: its SHA-256 (a fast hash is right for a
    long random secret; a copy of the database holds no usable token)."""
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(Model):
    """An API token (``Authorization: Bearer ...``). Only its hash is stored; a user may
    hold several (one per device); deleting the row revokes it."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)

    user: Mapped[User] = relationship(back_populates="api_tokens")

    @classmethod
    def issue(cls, user: User, lifetime: timedelta) -> tuple[ApiToken, str]:
        """A new token for ``user`` (added to the session) and its secret, shown once."""
        secret = secrets.token_urlsafe(32)
        token = cls(user=user, key_hash=hash_token(secret), expires_at=utcnow() + lifetime)
        db.session.add(token)
        return token, secret

    @classmethod
    def find(cls, secret: str) -> ApiToken | None:
        """The unexpired token with this secret whose user is active, or None."""
        return db.session.scalar(
            select(cls)
            .join(cls.user)
            .where(
                cls.key_hash == hash_token(secret),
                cls.expires_at > utcnow(),
                User.is_active.is_(True),
            )
        )

    def __str__(self) -> str:
        return f"Token {self.id} of {self.user}"


class LoginFailure(Model):
    """One failed login, counted per username and per client address (``throttle.py``).
    Kept in the database, so every worker process sees the same counts."""

    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), index=True)
    failed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


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


def save_with_unique_slug(article: Article) -> None:
    """Add and commit a new ``article`` with a free slug. Two creates with one title
    can pick the same slug at once: the unique constraint refuses the second, which
    takes the next free slug and tries again."""
    for attempt in range(1, SLUG_ATTEMPTS + 1):
        article.slug = unique_slug(article.title)
        db.session.add(article)
        try:
            db.session.commit()
            return
        except IntegrityError:
            db.session.rollback()
            taken = db.session.scalar(select(Article.id).where(Article.slug == article.slug))
            if taken is None or attempt == SLUG_ATTEMPTS:
                raise  # another constraint than the slug's, or no end in sight


def normalize_username(username: str) -> str:
    """The one rule for user names, in forms, the admin, commands and logins: Unicode
    NFKC (so "ｊｏｓé" and "jose\u0301" become "josé"), surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", username).strip()


def find_user(username: str) -> User | None:
    """The account with this name, compared after NFKC and ignoring case ("Alice" is
    "alice"), or None. A name no account can have (a NUL character) finds none."""
    name = normalize_username(username)
    if not name or "\x00" in name:
        return None
    return db.session.scalar(
        select(User).where(func.lower(User.username) == name.lower()).order_by(User.id).limit(1)
    )
