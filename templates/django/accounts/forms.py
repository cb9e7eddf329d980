"""The site's account forms: log in and sign up (the admin keeps its own login)."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm


class LoginForm(AuthenticationForm):
    """Username and password, and whether the login outlives the browser session."""

    remember = forms.BooleanField(required=False, label="Keep me logged in")


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
