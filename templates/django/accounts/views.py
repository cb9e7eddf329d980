"""Logging in to the site: `/accounts/login/`."""

from django.contrib.auth import views as auth_views

from accounts.forms import LoginForm


class LoginView(auth_views.LoginView):
    """Django's login view with "Keep me logged in": unticked, the session ends when
    the browser closes; ticked, it lasts SESSION_COOKIE_AGE (two weeks by default)."""

    form_class = LoginForm

    def form_valid(self, form):
        response = super().form_valid(form)
        if not form.cleaned_data["remember"]:
            self.request.session.set_expiry(0)
        return response
