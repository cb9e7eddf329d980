"""`POST /api/auth/token/` issues a token, `DELETE /api/auth/token/` revokes it."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import authenticate
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotAuthenticated, Throttled
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import throttle
from api_tokens.authentication import BearerTokenAuthentication
from api_tokens.models import ApiToken
from api_tokens.serializers import TokenRequestSerializer, TokenSerializer
from articles.serializers import ErrorSerializer

BAD_CREDENTIALS = "Unable to log in with the provided credentials."
UNAVAILABLE = OpenApiResponse(
    ErrorSerializer, description="The database is unavailable: try again (Retry-After)."
)


class TokenView(APIView):
    """Issue a token for a username and password; revoke the token sent."""

    authentication_classes = [BearerTokenAuthentication]

    def perform_authentication(self, request: Request) -> None:
        # POST takes the password in its body: a stale Bearer header must not stop it.
        if request.method != "POST":
            super().perform_authentication(request)

    def get_permissions(self) -> list[BasePermission]:
        # Only DELETE needs a token; other methods than POST then get their 405.
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        operation_id="auth_token_create",
        auth=[],
        request=TokenRequestSerializer,
        responses={
            201: TokenSerializer,
            400: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description='Wrong username or password ({"detail": ...}), or field errors.',
            ),
            413: OpenApiResponse(ErrorSerializer, description="Request body over 2.5 MB."),
            429: OpenApiResponse(ErrorSerializer, description="Too many failed attempts."),
            503: UNAVAILABLE,
        },
        parameters=[
            OpenApiParameter(
                "Retry-After",
                int,
                OpenApiParameter.HEADER,
                response=[429],
                description="Seconds to wait before the next attempt.",
            )
        ],
    )
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        credentials = TokenRequestSerializer(data=request.data)
        credentials.is_valid(raise_exception=True)
        username: str = credentials.validated_data["username"]
        address = throttle.client_address(request._request)
        wait = throttle.retry_after(username, address)
        if wait is not None:
            raise Throttled(wait, detail="Too many failed logins.")
        user = authenticate(
            request._request, username=username, password=credentials.validated_data["password"]
        )
        if user is None:
            throttle.record_failure(username, address)
            return Response({"detail": BAD_CREDENTIALS}, status=status.HTTP_400_BAD_REQUEST)
        throttle.clear(username)
        token, raw = ApiToken.issue(user)
        body = TokenSerializer({"token": raw, "expires_at": token.expires_at}).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="auth_token_destroy",
        request=None,
        responses={
            204: None,
            401: OpenApiResponse(ErrorSerializer, description="No token, or not a valid one."),
            503: UNAVAILABLE,
        },
    )
    def delete(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        token = request.auth
        if not isinstance(token, ApiToken):  # pragma: no cover (IsAuthenticated ran first)
            raise NotAuthenticated
        token.delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
