"""`Authorization: Bearer <token>` for Django REST framework."""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from api_tokens.models import ApiToken


class BearerTokenAuthentication(BaseAuthentication):
    """Authenticates with a token from `POST /api/auth/token/`; `request.auth` is
    the ApiToken. Other schemes (Basic, none) are left to the other classes."""

    def authenticate(self, request: Request) -> tuple[Any, ApiToken] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Invalid token header: give one token after Bearer.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as error:
            raise AuthenticationFailed("Invalid token.") from error
        token = ApiToken.find(raw)
        if token is None or not token.user.is_active:
            raise AuthenticationFailed("Invalid or expired token.")
        return token.user, token

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'
