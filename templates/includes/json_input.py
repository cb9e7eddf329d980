"""Strict JSON for request bodies: the same rules in the Django and the Flask starter.

Refused, with a message a client can act on: malformed JSON, nesting deeper than
``MAX_DEPTH`` levels, numbers longer than ``MAX_NUMBER_LENGTH`` characters or beyond
what a float holds, ``NaN``/``Infinity`` (a ``{"detail": ...}`` error), and a field
whose text has a NUL character or a lone surrogate, which no database column stores
(that field's error, ``JSONInputError.field``). Only the texts of the fields the API
reads (``TEXT_FIELDS``) are checked: whatever else the body holds is ignored by the API,
as unknown fields are.

The OpenAPI document publishes the same rule for each text field as a ``pattern``
(``TEXT_PATTERN``; ``NONBLANK_TEXT_PATTERN`` for a field that may not be blank), written
so that JSON Schema validators in any language read it alike.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 100
MAX_NUMBER_LENGTH = 100
NULL_CHARACTERS = "Null characters are not allowed."
# The top-level fields of the API's request bodies that hold text.
TEXT_FIELDS = frozenset({"title", "body", "username", "password"})
# Python's whitespace (what str.strip() removes), spelled out: ECMAScript's \s differs.
_SPACE = r"\t-\r\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
_CHARACTER = r"[^\u0000]"  # any character a column stores
TEXT_PATTERN = rf"^{_CHARACTER}*$"
# The same, not empty: drf-spectacular publishes a field that may be blank as "oneOf: its
# pattern, or an empty string", so its pattern must not match the empty string too.
NONEMPTY_TEXT_PATTERN = rf"^{_CHARACTER}+$"
NONBLANK_TEXT_PATTERN = rf"^{_CHARACTER}*[^\u0000{_SPACE}]{_CHARACTER}*$"


class JSONInputError(ValueError):
    """The body is not JSON the API accepts; ``field`` names the field to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


def _number(text: str) -> str:
    if len(text) > MAX_NUMBER_LENGTH:
        raise JSONInputError(f"a number longer than {MAX_NUMBER_LENGTH} characters")
    return text


def _int(text: str) -> int:
    return int(_number(text))


def _float(text: str) -> float:
    value = float(_number(text))
    if not math.isfinite(value):
        raise JSONInputError(f"the number {text} is out of range")
    return value


def _constant(name: str) -> Any:
    raise JSONInputError(f"{name} is not a JSON number")


def string_problem(text: str) -> str | None:
    """Why ``text`` cannot be stored (a NUL, a lone surrogate), or None."""
    if "\x00" in text:
        return NULL_CHARACTERS
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        return f"Surrogate characters are not allowed: U+{code:X}."
    return None


def _check_depth(value: Any) -> None:
    """No container deeper than MAX_DEPTH, without recursion (a stack)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            if depth > MAX_DEPTH:
                raise JSONInputError(f"nested deeper than {MAX_DEPTH} levels")
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, depth + 1) for child in children)


def _check_fields(value: Any) -> None:
    """Each text field the API reads can be stored."""
    if not isinstance(value, dict):
        return
    for key in TEXT_FIELDS & value.keys():
        item = value[key]
        problem = string_problem(item) if isinstance(item, str) else None
        if problem:
            raise JSONInputError(problem, key)


def loads(data: bytes | str) -> Any:
    """Parse a request body by the rules above; raise ``JSONInputError``."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as error:
            raise JSONInputError(f"not UTF-8 ({error.reason})") from None
    try:
        value = json.loads(data, parse_int=_int, parse_float=_float, parse_constant=_constant)
    except RecursionError:
        raise JSONInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    except JSONInputError:
        raise
    except ValueError as error:
        raise JSONInputError(str(error)) from None
    _check_depth(value)
    _check_fields(value)
    return value
