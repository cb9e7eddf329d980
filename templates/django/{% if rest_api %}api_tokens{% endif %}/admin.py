from django.contrib import admin
from django.http import HttpRequest

from api_tokens.models import ApiToken


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff see every user's tokens (never the secret: it is not stored) and revoke
    them by deleting. Tokens are issued only by `POST /api/auth/token/`."""

    list_display = ["prefix", "user", "created_at", "expires_at", "expired"]
    list_filter = ["created_at", "expires_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "prefix"]
    fields = ["user", "prefix", "created_at", "expires_at"]
    readonly_fields = ["user", "prefix", "created_at", "expires_at"]

    @admin.display(boolean=True)
    def expired(self, obj: ApiToken) -> bool:
        return obj.expired

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: ApiToken | None = None) -> bool:
        return False
