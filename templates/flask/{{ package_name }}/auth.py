"""Log in and out of the site (pages and admin). The API also accepts HTTP Basic."""

from __future__ import annotations

from functools import cache
from urllib.parse import urlsplit

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from werkzeug.security import generate_password_hash
from werkzeug.wrappers import Response
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired

from .extensions import db, login_manager
from .models import User

bp = Blueprint("auth", __name__)


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so both failures take the same time.
    Made on first use (hashing is slow on purpose: not at import, in every worker)."""
    return generate_password_hash("not-a-real-password", method=method)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in")


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    user = db.session.get(User, int(user_id))
    return user if user is not None and user.is_active else None


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = db.session.scalar(select(User).where(User.username == username))
    if user is None:
        dummy = _dummy_hash(current_app.config["PASSWORD_HASH_METHOD"])
        User(password_hash=dummy).check_password(password)
        return None
    if not user.check_password(password) or not user.is_active:
        return None
    return user


def safe_next_url(target: str | None) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirect)."""
    if target:
        parts = urlsplit(target.replace("\\", "/"))
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("pages.article_list")


@bp.route("/login/", methods=["GET", "POST"])
def login() -> str | Response | tuple[str, int]:
    form = LoginForm()
    if form.validate_on_submit():
        user = authenticate(form.username.data or "", form.password.data or "")
        if user is not None:
            login_user(user, remember=bool(form.remember.data))
            return redirect(safe_next_url(request.args.get("next")))
        form.form_errors.append(
            "Please enter a correct username and password. "
            "Note that both fields may be case-sensitive."
        )
    return render_template("auth/login.html", form=form)


@bp.post("/logout/")
def logout() -> Response:
    logout_user()
    return redirect(url_for("pages.article_list"))
