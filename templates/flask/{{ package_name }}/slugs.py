"""Slugs like Django's ``slugify``: ASCII, lowercase, words joined by hyphens."""

from __future__ import annotations

import re
import unicodedata

FALLBACK_SLUG = "article"


def slugify(value: str) -> str:
    """Turn ``value`` into a URL slug, exactly as ``django.utils.text.slugify`` does.

    >>> slugify("  Héllo, World!  ")
    'hello-world'
    """
    value = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode("ascii")
    value = re.sub(r"[^\w\s-]", "", value.lower())
    return re.sub(r"[-\s]+", "-", value).strip("-_")


def next_free_slug(base: str, taken: set[str]) -> str:
    """``base`` if free, else ``base-2``, ``base-3``, ... (the first one not taken)."""
    if base not in taken:
        return base
    number = 2
    while f"{base}-{number}" in taken:
        number += 1
    return f"{base}-{number}"
