"""The site's account forms: log in (the site's and the admin's) and sign up."""

from typing import Any

from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm

from accounts import throttle
from accounts.models import username_taken


class ThrottledLoginMixin:
    """For AuthenticationForm and its children: refuse the attempt, without checking
    the password, after too many failures (accounts/throttle.py); count each wrong
    password; a successful login clears its username's failures. ``retry_after``
    holds the seconds to wait when the attempt was refused."""

    retry_after: int | None = None
    request: Any
    cleaned_data: dict[str, Any]
    user_cache: Any

    def clean(self) -> dict[str, Any]:
        username = self.cleaned_data.get("username") or ""
        address = throttle.client_address(self.request)
        if username:
            self.retry_after = throttle.retry_after(username, address)
            if self.retry_after is not None:
                raise forms.ValidationError(
                    f"Too many failed attempts. Try again in {self.retry_after} seconds.",
                    code="throttled",
                )
        try:
            cleaned: dict[str, Any] = super().clean()  # type: ignore[misc]
        except forms.ValidationError:
            # A wrong username or password (not: a right one of an inactive user).
            if username and self.user_cache is None:
                throttle.record_failure(username, address)
            raise
        throttle.clear(username)
        return cleaned


class LoginForm(ThrottledLoginMixin, AuthenticationForm):
    """Username and password, and whether the login outlives the browser session."""

    remember = forms.BooleanField(required=False, label="Keep me logged in")


class AdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login form, throttled like the site's (see accounts/admin.py)."""


class SignupForm(UserCreationForm):
    """Username, e-mail and the password twice, checked by AUTH_PASSWORD_VALIDATORS."""

    email = forms.EmailField(
        label="E-mail", help_text="For resetting a forgotten password.", max_length=254
    )

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("username", "email")

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError("An account with this e-mail address already exists.")
        return email


class UserChangeForm(auth_forms.UserChangeForm):
    """The admin's user form: a new name must not be another account's in another
    case (Django's own check compares exact names only)."""

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if username_taken(username, exclude_pk=self.instance.pk):
            raise forms.ValidationError("A user with that username already exists.")
        return username
