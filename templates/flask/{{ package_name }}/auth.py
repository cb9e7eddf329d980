"""Accounts: log in and out (throttled after repeated failures), sign up, reset a
forgotten password by e-mail, change the password. The API also accepts HTTP Basic
and tokens (``api.py``)."""

from __future__ import annotations

import hmac
from functools import cache
from typing import Any
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import generate_password_hash
from werkzeug.wrappers import Response
from wtforms import BooleanField, Field, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from . import throttle
from .extensions import db, login_manager
from .mail import send_mail
from .models import User, find_user, normalize_username
from .passwords import password_problems

bp = Blueprint("auth", __name__)

USERNAME_MAX_LENGTH = 150
USERNAME_PATTERN = r"^[\w.@+-]+\Z"
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+\Z"
LOGIN_FAILED = (
    "Please enter a correct username and password. Note that both fields may be case-sensitive."
)
RESET_SALT = "password-reset"

Page = str | Response | tuple[str, int] | tuple[str, int, dict[str, str]]


@cache
def _dummy_hash(method: str) -> str:
    """Checked when the username is unknown, so both failures take the same time.
    Made on first use (hashing is slow on purpose: not at import, in every worker)."""
    return generate_password_hash("not-a-real-password", method=method)


# --- forms ---------------------------------------------------------------------------


def new_password_fields() -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            "New password",
            validators=[DataRequired()],
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            "New password confirmation",
            validators=[
                DataRequired(),
                EqualTo("password", message="The two password fields didn't match."),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


def check_new_password(field: Field, *, username: str, email: str = "") -> bool:
    """Add the password rules' complaints to ``field``; True when there are none."""
    problems = password_problems(field.data or "", username=username, email=email)
    field.errors = [*field.errors, *problems]
    return not problems


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])
    remember = BooleanField("Keep me logged in")


class SignupForm(FlaskForm):
    username = StringField(
        "Username",
        filters=[lambda value: normalize_username(value) if isinstance(value, str) else value],
        validators=[
            DataRequired(),
            Length(max=USERNAME_MAX_LENGTH),
            Regexp(
                USERNAME_PATTERN,
                message="Enter a valid username. This value may contain only letters, "
                "numbers, and @/./+/-/_ characters.",
            ),
        ],
        render_kw={"autocomplete": "username", "autocapitalize": "none"},
    )
    email = StringField(
        "E-mail address",
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
        validators=[
            DataRequired(),
            Length(max=254),
            Regexp(EMAIL_PATTERN, message="Enter a valid email address."),
        ],
        render_kw={"autocomplete": "email", "type": "email"},
    )
    password, password2 = new_password_fields()

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.username.errors and find_user(self.username.data or "") is not None:
            self.username.errors = ["A user with that username already exists."]
            valid = False
        if not self.password.errors:
            username = self.username.data or ""
            valid &= check_new_password(self.password, username=username, email=self.email.data)
        return valid


class PasswordResetForm(FlaskForm):
    email = StringField(
        "E-mail address",
        validators=[DataRequired(), Length(max=254)],
        render_kw={"autocomplete": "email", "type": "email"},
    )


class SetPasswordForm(FlaskForm):
    password, password2 = new_password_fields()

    def __init__(self, user: User, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if not self.password.errors:
            user = self.user
            valid &= check_new_password(self.password, username=user.username, email=user.email)
        return valid


class PasswordChangeForm(SetPasswordForm):
    old_password = PasswordField(
        "Old password",
        validators=[DataRequired()],
        render_kw={"autocomplete": "current-password", "autofocus": True},
    )
    password, password2 = new_password_fields()  # after the old password

    def validate(self, extra_validators: Any = None) -> bool:
        valid = super().validate(extra_validators)
        if self.old_password.data and not self.user.check_password(self.old_password.data):
            self.old_password.errors = [
                "Your old password was entered incorrectly. Please enter it again."
            ]
            valid = False
        return valid


# --- sessions ------------------------------------------------------------------------


@login_manager.user_loader
def load_user(session_id: str) -> User | None:
    """The user of a session: ``"ID:FINGERPRINT"`` (``User.get_id``), so setting a new
    password ends the sessions that used the old one."""
    user_id, _, fingerprint = session_id.partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or not user.is_active:
        return None
    if not hmac.compare_digest(fingerprint, user.password_fingerprint):
        return None
    return user


def authenticate(username: str, password: str) -> User | None:
    """The active user with these credentials, or None."""
    user = find_user(username)
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


def throttled_message(seconds: int) -> str:
    return f"Too many failed login attempts. Try again in {seconds} seconds."


@bp.route("/login/", methods=["GET", "POST"])
def login() -> Page:
    form = LoginForm()
    if form.validate_on_submit():
        username = form.username.data or ""
        wait = throttle.retry_after(username)
        if wait is not None:
            form.form_errors.append(throttled_message(wait))
            page = render_template("auth/login.html", form=form)
            return page, 429, {"Retry-After": str(wait)}
        user = authenticate(username, form.password.data or "")
        if user is not None:
            throttle.forget_failures(username)
            login_user(user, remember=bool(form.remember.data))
            return redirect(safe_next_url(request.args.get("next")))
        throttle.record_failure(username)
        form.form_errors.append(LOGIN_FAILED)
    return render_template("auth/login.html", form=form)


@bp.post("/logout/")
def logout() -> Response:
    logout_user()
    return redirect(url_for("pages.article_list"))


# --- sign-up -------------------------------------------------------------------------


@bp.route("/signup/", methods=["GET", "POST"])
def signup() -> Page:
    if not current_app.config["SIGNUP_ENABLED"]:
        abort(404)
    form = SignupForm()
    if form.validate_on_submit():
        user = User(username=form.username.data, email=form.email.data)
        user.set_password(form.password.data or "")
        db.session.add(user)
        db.session.commit()
        login_user(user)
        flash(f"Welcome, {user.username}: your account is ready.")
        return redirect(url_for("pages.article_list"))
    return render_template("auth/form.html", form=form, title="Sign up", submit="Sign up")


# --- password reset by e-mail --------------------------------------------------------


def reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def reset_token(user: User) -> str:
    """A link token for ``user``: signed, dated, and tied to the current password, so it
    stops working once a new password is set (or after PASSWORD_RESET_TIMEOUT)."""
    return reset_serializer().dumps([user.id, user.password_fingerprint])


def user_from_reset_token(token: str) -> User | None:
    max_age = current_app.config["PASSWORD_RESET_TIMEOUT"]
    try:
        user_id, fingerprint = reset_serializer().loads(token, max_age=max_age)
    except (BadData, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    if user is None or not user.is_active or not isinstance(fingerprint, str):
        return None
    return user if hmac.compare_digest(fingerprint, user.password_fingerprint) else None


def send_reset_mail(user: User) -> None:
    link = url_for(".password_reset_confirm", token=reset_token(user), _external=True)
    hours = current_app.config["PASSWORD_RESET_TIMEOUT"] // 3600
    body = render_template("auth/password_reset_email.txt", user=user, link=link, hours=hours)
    subject = f"Password reset on {current_app.config['SITE_NAME']}"
    try:
        send_mail(subject, body, [user.email])
    except (OSError, RuntimeError, ValueError):
        # The page answers the same either way; the log says what went wrong.
        current_app.logger.exception("Could not send the password-reset mail to %s", user)


@bp.route("/password-reset/", methods=["GET", "POST"])
def password_reset() -> Page:
    form = PasswordResetForm()
    if form.validate_on_submit():
        email = (form.email.data or "").strip().lower()
        users = db.session.scalars(
            select(User).where(func.lower(User.email) == email, User.is_active.is_(True))
        )
        for user in users:
            send_reset_mail(user)
        return redirect(url_for(".password_reset_done"))
    intro = (
        "Forgotten your password? Enter your e-mail address below, and we'll e-mail "
        "instructions for setting a new one."
    )
    return render_template(
        "auth/form.html",
        form=form,
        title="Password reset",
        intro=intro,
        submit="Reset my password",
    )


@bp.get("/password-reset/done/")
def password_reset_done() -> str:
    return render_template(
        "auth/message.html",
        link=(url_for(".login"), "Log in"),
        title="Check your e-mail",
        message="If an account has this address, a link to set a new password is on its "
        "way. It works once, for a limited time.",
    )


@bp.route("/password-reset/<token>/", methods=["GET", "POST"])
def password_reset_confirm(token: str) -> Page:
    user = user_from_reset_token(token)
    if user is None:
        return render_template(
            "auth/message.html",
            title="This link no longer works",
            message="A password-reset link works once, for a limited time. Ask for a new one.",
            link=(url_for(".password_reset"), "Reset your password"),
        )
    form = SetPasswordForm(user)
    if form.validate_on_submit():
        user.set_password(form.password.data or "")
        db.session.commit()
        throttle.forget_failures(user.username)
        return redirect(url_for(".password_reset_complete"))
    return render_template(
        "auth/form.html", form=form, title="Set a new password", submit="Set the password"
    )


@bp.get("/password-reset/complete/")
def password_reset_complete() -> str:
    return render_template(
        "auth/message.html",
        title="Password set",
        message="Your new password is in place. Log in with it.",
        link=(url_for(".login"), "Log in"),
    )


# --- password change -----------------------------------------------------------------


@bp.route("/password-change/", methods=["GET", "POST"])
@login_required
def password_change() -> Page:
    user: User = current_user._get_current_object()
    form = PasswordChangeForm(user)
    if form.validate_on_submit():
        user.set_password(form.password.data or "")
        db.session.commit()
        login_user(user)  # this session goes on; the others end (User.get_id)
        flash("Your password was changed.")
        return redirect(url_for("pages.article_list"))
    return render_template(
        "auth/form.html", form=form, title="Password change", submit="Change my password"
    )
