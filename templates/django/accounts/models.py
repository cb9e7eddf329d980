from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The project's user (AUTH_USER_MODEL = "accounts.User").

    A custom model from the first migration on, so fields such as a display
    name or an avatar can be added later with an ordinary migration.
    """
