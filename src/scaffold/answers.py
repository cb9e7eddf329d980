"""Reading answers from flags (``KEY=VALUE``) and files (YAML or JSON).

Everything read here is bounded, so that no input can make scaffold work for long
or fill its memory: a file is read up to ``MAX_FILE_BYTES`` (``/dev/zero`` ends at
once), YAML aliases are refused (no "billion laughs"), nesting stops at
``MAX_DEPTH`` and every text value at ``MAX_VALUE_CHARS``.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from .errors import AnswersFileError, InputError, short

MAX_FILE_BYTES = 1024 * 1024  # an answers file is a few hundred bytes
MAX_DEPTH = 10  # a mapping of answers holds lists or mappings one or two levels deep
MAX_VALUE_CHARS = 1000  # the template's longest answer (description) allows 300


def check_value(key: str, value: Any, depth: int = 0) -> None:
    """Refuse a text value over ``MAX_VALUE_CHARS`` (also inside lists and mappings)."""
    name = key if len(key) <= 40 else short(key)
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        raise InputError(
            f"{name}: the value is {len(value)} characters long; "
            f"at most {MAX_VALUE_CHARS} are accepted",
            reason=f"at most {MAX_VALUE_CHARS} characters are accepted",
        )
    if isinstance(value, str):
        control = next((c for c in value if ord(c) < 32 and c not in "\t\n\r"), None)
        if control is not None:
            raise InputError(
                f"{name}: the value contains a control character (U+{ord(control):04X})",
                reason=f"contains a control character (U+{ord(control):04X})",
            )
    if isinstance(value, dict):
        for item_key, item in value.items():
            check_value(key, item_key, depth + 1)
            check_value(key, item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            check_value(key, item, depth + 1)


def parse_pairs(pairs: Iterable[str], option: str) -> dict[str, str]:
    """``["a=1", "b=x"]`` -> ``{"a": "1", "b": "x"}``; a pair without ``=`` is an error."""
    result: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key.strip():
            raise InputError(f"{option} expects KEY=VALUE, got {short(pair)}")
        check_value(key.strip(), value)
        result[key.strip()] = value
    return result


def _read_bounded(path: Path) -> str:
    """The file's text, read up to ``MAX_FILE_BYTES`` (a device or a pipe too)."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise AnswersFileError(path, "no such file") from None
    except IsADirectoryError:
        raise AnswersFileError(path, "is a folder, not a file") from None
    except OSError as exc:
        raise AnswersFileError(path, f"cannot be read ({exc.__class__.__name__})") from None
    if len(raw) > MAX_FILE_BYTES:
        raise AnswersFileError(
            path, f"larger than {MAX_FILE_BYTES // 2**20} MiB; is it the right file?"
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AnswersFileError(path, f"not UTF-8 text (byte {exc.start})") from None


def _safe_yaml(text: str) -> Any:
    """``yaml.safe_load`` without aliases and with a depth limit."""
    import yaml  # only here: keeps `scaffold --help` from importing it

    class Loader(yaml.SafeLoader):
        depth = 0

        def compose_node(self, parent: Any, index: Any) -> Any:
            event = self.peek_event()
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None, None, "aliases (*name) are not accepted", event.start_mark
                )
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise yaml.composer.ComposerError(
                    None, None, f"nested more than {MAX_DEPTH} levels deep", event.start_mark
                )
            try:
                return super().compose_node(parent, index)
            finally:
                self.depth -= 1

    loader = Loader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def read_mapping(path: Path | str) -> dict[str, Any]:
    """Read a YAML (or JSON) file that must hold a mapping (bounded: see the module)."""
    import yaml

    path = Path(path)
    text = _read_bounded(path)
    try:
        data = _safe_yaml(text)
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
        raise AnswersFileError(path, f"keys must be text, got {short(bad[0])}")
    for key, value in data.items():
        try:
            check_value(key, value)
        except InputError as exc:
            raise AnswersFileError(path, exc.message) from None
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
