import unicodedata

from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user (AUTH_USER_MODEL = "accounts.User").

    A custom model from the first migration on, so fields such as a display
    name or an avatar can be added later with an ordinary migration.
    """


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
    return User.objects.filter(username__iexact=name).order_by("pk").first()


def username_taken(username: str, exclude_pk: int | None = None) -> bool:
    """Whether another account already has this name (by the rule of ``find_user``)."""
    others = User.objects.filter(username__iexact=normalize_username(username))
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    return others.exists()


class LoginFailure(models.Model):
    """One failed login (login page or API token endpoint), kept for the throttle.

    In the database, so every gunicorn worker counts the same failures (see
    accounts/throttle.py). Rows older than LOGIN_FAILURE_WINDOW are deleted as new
    ones are written; staff can delete rows in the admin to lift a block early.
    """

    username = models.CharField(max_length=150, db_index=True)
    address = models.CharField(max_length=64, db_index=True)  # REMOTE_ADDR, as given
    at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.username} from {self.address}"
