"""The account pages: log in (throttled), sign up.

Password reset and change are Django's own views (see accounts/urls.py), with
this project's templates in templates/registration/.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.views.generic import FormView

from accounts.forms import LoginForm, SignupForm


class LoginView(auth_views.LoginView):
    """Django's login view with "Keep me logged in" and a throttle.

    "Keep me logged in" unticked: the session ends when the browser closes;
    ticked, it lasts SESSION_COOKIE_AGE (two weeks by default). After too many
    failures (accounts/throttle.py) the form answers 429 with Retry-After.
    """

    form_class = LoginForm

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        if not form.cleaned_data["remember"]:
            self.request.session.set_expiry(0)
        return response

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_invalid(form)
        retry_after = getattr(form, "retry_after", None)
        if retry_after is not None:
            response.status_code = 429
            response["Retry-After"] = str(retry_after)
        return response


class SignupView(FormView):
    """`/signup/`: make an account and log in; 404 when SIGNUP_ENABLED is off."""

    form_class = SignupForm
    template_name = "registration/signup.html"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not settings.SIGNUP_ENABLED:
            raise Http404("Sign-up is turned off.")
        if request.user.is_authenticated:
            return redirect(settings.LOGIN_REDIRECT_URL)
        return super().dispatch(request, *args, **kwargs)

    def form_valid(self, form: SignupForm) -> HttpResponse:
        user = form.save()
        login(self.request, user, backend="accounts.backends.UsernameBackend")
        return redirect(settings.LOGIN_REDIRECT_URL)
