"""The site's login form (the admin keeps its own)."""

from django import forms
from django.contrib.auth.forms import AuthenticationForm


class LoginForm(AuthenticationForm):
    """Username and password, and whether the login outlives the browser session."""

    remember = forms.BooleanField(required=False, label="Keep me logged in")
