"""API tokens: `Authorization: Bearer <token>` for API clients.

Only a SHA-256 digest of each token is stored, so a copy of the database holds
no usable token. A fast hash is the right one here: a token is 256 random bits,
nothing to guess, so checking one costs about as much as reading a row (a
password hash is slow on purpose, to resist guessing low-entropy passwords).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

PREFIX_LENGTH = 8


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """One token of one user; a user may hold several (one per device or script)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        max_length=PREFIX_LENGTH,
        editable=False,
        help_text="The token's first characters, to tell tokens apart.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @classmethod
    def issue(cls, user: models.Model) -> tuple[ApiToken, str]:
        """Make a token for ``user``; return it and its secret (shown only now).

        Also deletes the user's expired tokens, which no longer authenticate.
        """
        now = timezone.now()
        cls.objects.filter(user=user, expires_at__lte=now).delete()
        raw = secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user,
            key_hash=digest(raw),
            prefix=raw[:PREFIX_LENGTH],
            expires_at=now + timedelta(seconds=settings.API_TOKEN_LIFETIME),
        )
        return token, raw

    @classmethod
    def find(cls, raw: str) -> ApiToken | None:
        """The unexpired token with this secret, with its user, or None."""
        return (
            cls.objects.select_related("user")
            .filter(key_hash=digest(raw), expires_at__gt=timezone.now())
            .first()
        )
