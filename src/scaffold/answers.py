"""Reading answers from flags (``KEY=VALUE``) and files (YAML or JSON)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import AnswersFileError, InputError


def parse_pairs(pairs: Iterable[str], option: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; a pair without ``=`` is an error."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{option} expects KEY=VALUE, got {pair!r}")
        result[key.strip()] = value
    return result


def read_mapping(path: Path | str) -> dict[str, Any]:
    """Read a YAML (or JSON) file that must hold a mapping."""
    import yaml  # only here: keeps `scaffold --help` from importing it

    path = Path(path)
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        raise AnswersFileError(path, "no such file") from None
    except IsADirectoryError:
        raise AnswersFileError(path, "is a folder, not a file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise AnswersFileError(path, f"cannot be read ({exc.__class__.__name__})") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or "syntax error"
        raise AnswersFileError(path, f"not valid YAML{where}: {problem}") from None
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        raise AnswersFileError(path, f"must be a mapping of KEY: VALUE, but is {kind}")
    bad = [k for k in data if not isinstance(k, str)]
    if bad:
        raise AnswersFileError(path, f"keys must be text, got {bad[0]!r}")
    return data


def read_recommend_answers(path: Path | str) -> dict[str, Any]:
    """Answers for ``scaffold recommend``: a YAML mapping, or the JSON it printed."""
    data = read_mapping(path)
    if "answers" in data and "framework" in data:  # output of `scaffold recommend --json`
        answers = data["answers"]
        if not isinstance(answers, dict):
            raise AnswersFileError(path, "'answers' must be a mapping")
        return answers
    return data


def read_copier_data(path: Path | str) -> dict[str, Any]:
    """Template answers: a YAML mapping (a .copier-answers.yml works; ``_`` keys are skipped)."""
    return {k: v for k, v in read_mapping(path).items() if not k.startswith("_")}
