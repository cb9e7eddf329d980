from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest

from accounts.forms import AdminLoginForm, UserChangeForm
from accounts.models import LoginFailure, User

# The admin's login page is throttled like the site's (accounts/throttle.py).
admin.site.login_form = AdminLoginForm


@admin.register(User)
class AccountAdmin(UserAdmin):
    """Django's user admin; a renamed user's name follows the rule of accounts/models.py
    (adding one uses UserCreationForm, which already does)."""

    form = UserChangeForm


@admin.register(LoginFailure)
class LoginFailureAdmin(admin.ModelAdmin):
    """Recent failed logins; delete a username's rows to lift its block early."""

    list_display = ["username", "address", "at"]
    search_fields = ["username", "address"]
    readonly_fields = ["username", "address", "at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: LoginFailure | None = None) -> bool:
        return False
