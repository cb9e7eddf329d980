"""Logins by user name under the rule of accounts/models.py (NFKC, any case)."""

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from accounts.models import User, find_user


class UsernameBackend(ModelBackend):
    """Django's ModelBackend (permissions, active users only), but "Alice", "alice"
    and "ａｌｉｃｅ" log in to the same account."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if username is None:
            username = kwargs.get(User.USERNAME_FIELD)
        if username is None or password is None:
            return None
        user = find_user(username)
        if user is None:
            User().set_password(password)  # the same time as a wrong password
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
