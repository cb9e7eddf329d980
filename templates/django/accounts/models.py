from django.contrib.auth.models import AbstractUser
from django.db import models


class User(AbstractUser):
    """The project's user (AUTH_USER_MODEL = "accounts.User").

    A custom model from the first migration on, so fields such as a display
    name or an avatar can be added later with an ordinary migration.
    """


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
