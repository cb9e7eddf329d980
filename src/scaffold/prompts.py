"""One way to ask a question, for the recommendation and the template alike.

A question is an :class:`Ask` (its text, kind, choices, default and the check that
turns a typed answer into the answer or refuses it with a one-line reason).
:func:`read_answer` turns what a person typed into the answer: choices match
case-insensitively and by unique prefix, yes/no takes y/n/yes/no/true/false, an
empty answer takes the default. :class:`Terminal` asks on the terminal (questionary
when stdin is one, plain lines otherwise) and asks again, with the reason, until
the answer passes.

No click and no copier here; questionary is imported only when a question is asked.
"""

from __future__ import annotations

import shutil
import sys
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TextIO

from .errors import InputError, ScaffoldError

_TRUE = ("y", "yes", "true", "on", "1")
_FALSE = ("n", "no", "false", "off", "0")


class _NoDefault:
    def __repr__(self) -> str:
        return "NO_DEFAULT"


NO_DEFAULT: Any = _NoDefault()


def _accept(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Ask:
    """One question, whoever defines it (the criteria table or the template)."""

    id: str
    text: str
    kind: str = "text"  # "text" | "bool" | "choice"
    default: Any = NO_DEFAULT
    choices: tuple[tuple[Any, str], ...] = ()  # (value, label)
    check: Callable[[Any], Any] = _accept  # typed answer -> answer; raises ScaffoldError

    @property
    def default_text(self) -> str:
        """The default as a person would type it."""
        if self.default is NO_DEFAULT:
            return ""
        if self.kind == "bool":
            return "yes" if self.default else "no"
        if isinstance(self.default, list | dict):
            import json

            return json.dumps(self.default)
        return str(self.default)


def parse_bool(text: str) -> bool | None:
    """y/n/yes/no/true/false (and on/off/1/0), any case; None for anything else."""
    lowered = text.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def match_choice(text: str, choices: Sequence[tuple[Any, str]], key: str) -> Any:
    """The choice ``text`` names: its value or label in any case, or a unique prefix."""
    wanted = text.strip().lower()
    for value, label in choices:
        if wanted in (str(value).lower(), label.strip().lower()):
            return value
    prefixed = [value for value, _ in choices if str(value).lower().startswith(wanted)]
    if wanted and len(prefixed) == 1:
        return prefixed[0]
    allowed = [str(value) for value, _ in choices]
    if wanted and len(prefixed) > 1:
        several = ", ".join(str(v) for v in prefixed)
        raise InputError(
            f"{text.strip()!r} for {key!r} could be {several}; type more of it",
            reason=f"{text.strip()!r} could be {several}; type more of it",
        )
    from .errors import InvalidAnswer

    raise InvalidAnswer(key, text.strip(), allowed)


def read_answer(question: Ask, text: str) -> Any:
    """What a person typed -> the checked answer (ScaffoldError with a reason if not)."""
    text = text.strip()
    if not text:
        if question.default is NO_DEFAULT:
            raise InputError(f"{question.id}: an answer is needed", reason="an answer is needed")
        value = question.default
    elif question.kind == "bool":
        value = parse_bool(text)
        if value is None:
            raise InputError(
                f"{question.id}: {text!r} is not yes or no",
                reason=f"{text!r} is not an answer here: type yes or no (y/n)",
            )
    elif question.kind == "choice":
        value = match_choice(text, question.choices, question.id)
    else:
        value = text
    return question.check(value)


def wrap(message: str, width: int | None = None, indent: str = "") -> str:
    """``message`` folded to the terminal's width: wrapped at spaces, never cut."""
    width = width or shutil.get_terminal_size().columns
    return textwrap.fill(
        message,
        width=max(width, 20),
        initial_indent=indent,
        subsequent_indent=indent + "  ",
        break_long_words=True,
        break_on_hyphens=False,
    )


class Terminal:
    """Asks each question on the terminal until its answer passes the check.

    Prompts and messages go to stderr, so ``--json`` output on stdout stays clean.
    With stdin a terminal the line is read with questionary (editing, history);
    otherwise (a pipe) one line at a time. Ctrl-C raises KeyboardInterrupt and
    Ctrl-D or the end of input raises EOFError: the caller turns both into one line.
    """

    def __init__(self, stdin: TextIO | None = None, stderr: TextIO | None = None) -> None:
        self.stdin = stdin or sys.stdin
        self.stderr = stderr or sys.stderr

    def say(self, message: str, indent: str = "") -> None:
        width = shutil.get_terminal_size().columns if self.stderr.isatty() else 10_000
        print(wrap(message, width, indent), file=self.stderr, flush=True)

    def __call__(self, question: Ask) -> Any:
        if question.kind == "choice":
            self.say(f"{question.text}")
            wide = max(len(str(value)) for value, _ in question.choices)
            for value, label in question.choices:
                if label != str(value):
                    self.say(f"{value!s:<{wide}}  {label}", indent="    ")
                else:
                    self.say(str(value), indent="    ")
            prompt = "Your choice"
        else:
            prompt = question.text
        hint = "yes/no" if question.kind == "bool" else ""
        if question.default is not NO_DEFAULT:
            hint = f"{hint}, default {question.default_text}" if hint else question.default_text
        while True:
            text = self._read(prompt, f"[{hint}]" if hint else "")
            try:
                return read_answer(question, text)
            except ScaffoldError as error:
                self.say(f"! {error.reason}", indent="  ")

    def _read(self, prompt: str, hint: str) -> str:
        if self.stdin.isatty():
            import questionary
            from prompt_toolkit.output import create_output

            answer = questionary.text(
                prompt,
                qmark="?",
                instruction=hint,
                output=create_output(stdout=self.stderr),
            ).unsafe_ask()
            return answer
        print(f"? {prompt} {hint}".rstrip() + " ", end="", file=self.stderr, flush=True)
        line = self.stdin.readline()
        if not line:
            print(file=self.stderr)  # end the prompt's line: the error gets its own
            raise EOFError
        return line.rstrip("\n")
