"""Password rules for sign-up, password reset and password change: the same four
checks as the Django starter (Django's default validators).

- at least ``MIN_LENGTH`` characters;
- not entirely numeric;
- not in ``data/common-passwords.txt`` (compared in lower case);
- not too similar to the username or the e-mail address.
"""

from __future__ import annotations

import re
from difflib import SequenceMatcher
from functools import cache
from pathlib import Path

MIN_LENGTH = 8
MAX_SIMILARITY = 0.7
COMMON_PASSWORDS = Path(__file__).with_name("data") / "common-passwords.txt"


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS.read_text("utf-8").splitlines()
    return frozenset(
        line.strip().lower() for line in lines if line.strip() and not line.startswith("#")
    )


def too_similar(password: str, value: str) -> bool:
    """Whether ``password`` resembles ``value`` or one of its words."""
    password = password.lower()
    value = value.lower()
    for part in {value, *re.split(r"\W+", value)}:
        if len(part) < 3:
            continue
        if SequenceMatcher(a=password, b=part).quick_ratio() >= MAX_SIMILARITY:
            return True
    return False


def password_problems(password: str, *, username: str = "", email: str = "") -> list[str]:
    """What is wrong with ``password`` (an empty list when it may be used)."""
    problems = []
    for label, value in (("username", username), ("email address", email)):
        if value and too_similar(password, value):
            problems.append(f"The password is too similar to the {label}.")
            break
    if len(password) < MIN_LENGTH:
        problems.append(
            f"This password is too short. It must contain at least {MIN_LENGTH} characters."
        )
    if password.strip().lower() in common_passwords():
        problems.append("This password is too common.")
    if password.isdigit():
        problems.append("This password is entirely numeric.")
    return problems
