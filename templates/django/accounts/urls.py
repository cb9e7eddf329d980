"""Account pages: `/login/`, `/logout/`, `/signup/`, `/password-reset/...`,
`/password-change/...`."""

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("signup/", views.SignupView.as_view(), name="signup"),
    # Always "check your e-mail", whether or not the address belongs to an account.
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            extra_email_context={"project_name": settings.SITE_NAME}
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    # The mailed link: single use (the token covers the password hash and the last
    # login) and valid for PASSWORD_RESET_TIMEOUT seconds.
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
]
