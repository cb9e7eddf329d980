"""The admin at /admin/ (Flask-Admin): staff users list, search, create, edit and delete
articles, and look up accounts. Anonymous visitors are sent to the login page; other
users get a 403."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Flask, abort, redirect, request, url_for
from flask_admin import Admin, AdminIndexView
from flask_admin.contrib.sqla import ModelView
from flask_admin.menu import MenuLink
from flask_admin.model import typefmt
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from .extensions import db
from .models import TITLE_MAX_LENGTH, Article, User, unique_slug


def strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class ReadOnlyField(StringField):
    """Shown in the edit form, never written back to the model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("render_kw", {"readonly": True})
        super().__init__(*args, **kwargs)

    def populate_obj(self, obj: Any, name: str) -> None:
        pass


class StaffOnly:
    """Access rule shared by every admin view."""

    def is_accessible(self) -> bool:
        return bool(current_user.is_authenticated and current_user.is_staff)

    def inaccessible_callback(self, name: str, **kwargs: Any) -> Response:
        if current_user.is_authenticated:
            abort(403)
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))


def short_datetime(view: Any, value: datetime, name: str) -> str:
    """A time in the admin's tables, to the minute (UTC): "24 Nov 2026 10:05"."""
    return f"{value.day} {value:%b %Y %H:%M}"


class StaffModelView(StaffOnly, ModelView):
    """Shared by the admin's model views."""

    column_type_formatters = {**typefmt.BASE_FORMATTERS, datetime: short_datetime}  # noqa: RUF012
    column_type_formatters_detail = column_type_formatters


class AdminHome(StaffOnly, AdminIndexView):
    """The first page: what there is to manage, with links (like Django's admin index)."""

    def __init__(self) -> None:
        super().__init__(url="/admin/", template="admin/home.html")


class ArticleAdmin(StaffModelView):
    # Flask-WTF forms: the same CSRF token as the rest of the site.
    form_base_class = FlaskForm
    column_list = ("title", "slug", "author", "published", "created_at", "updated_at")
    column_searchable_list = ("title",)
    column_filters = ("published",)
    column_default_sort = [("created_at", True), ("id", True)]  # noqa: RUF012
    column_details_list = (
        "id",
        "title",
        "slug",
        "body",
        "author",
        "published",
        "created_at",
        "updated_at",
    )
    can_view_details = True
    form_columns = ("title", "slug", "body", "published")
    form_extra_fields = {"slug": ReadOnlyField("Slug")}  # noqa: RUF012
    form_args = {  # noqa: RUF012
        "title": {
            "filters": [strip],
            "validators": [DataRequired(), Length(max=TITLE_MAX_LENGTH)],
        },
        "body": {"filters": [lambda value: strip(value) or ""]},
    }

    def create_form(self, obj: Any = None) -> Any:
        form = super().create_form(obj)
        del form.slug  # made from the title when saved
        return form

    def on_model_change(self, form: Any, model: Article, is_created: bool) -> None:
        if is_created:
            model.author = current_user._get_current_object()
            model.slug = unique_slug(model.title)


class UserAdmin(StaffModelView):
    """Accounts, read only: `flask users create` makes them (passwords stay out of forms)."""

    can_create = False
    can_edit = False
    can_delete = False
    can_view_details = True
    column_list = ("username", "email", "is_staff", "is_active", "created_at")
    column_details_list = ("id", "username", "email", "is_staff", "is_active", "created_at")
    column_labels = {"is_staff": "Staff", "is_active": "Active", "created_at": "Joined"}  # noqa: RUF012
    column_searchable_list = ("username", "email")
    column_filters = ("is_staff", "is_active")
    column_default_sort = "username"


def init_app(app: Flask) -> None:
    """Build this app's admin (Flask-Admin keeps views per Admin object)."""
    admin = Admin(
        name=f"{app.config['SITE_NAME']} admin",
        index_view=AdminHome(),
    )
    admin.add_view(ArticleAdmin(Article, db, name="Articles"))
    admin.add_view(UserAdmin(User, db, name="Users"))
    admin.add_link(MenuLink(name="View site", url="/"))
    admin.init_app(app)
