"""Every error scaffold reports to a user, each with its exit code.

The core raises these; ``cli.py`` turns them into one ``Error: ...`` line on
stderr and the exit code below. Nothing here imports click or copier.

Exit codes (also in README.md):

====  ==============================================================
0     success (``check-update``: the project is up to date)
1     unexpected failure of an external program (git, pip, uv)
2     bad input: options, answers, names, files of answers
3     the destination cannot be used (not empty, a file, not writable)
4     the template cannot be found or read
5     answers are missing and there is no terminal to ask them
6     ``update`` finished but left conflicts to resolve
7     the project cannot be updated (not generated, not git, dirty)
8     ``check-update``: a newer template version is available
130   interrupted (Ctrl-C or SIGTERM); nothing is left half-written
====  ==============================================================
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path


class ScaffoldError(Exception):
    """Base class: a problem the user can fix, reported in one line.

    ``reason`` is the same problem without naming the question, for a prompt that
    asks the question again.
    """

    exit_code = 1
    #: False for an outcome that is not a failure (the command already said so): the
    #: CLI exits with the code and prints no ``Error:`` line.
    report = True

    def __init__(self, message: str, reason: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason or message

    def __str__(self) -> str:
        return self.message


class ExternalCommandError(ScaffoldError):
    exit_code = 1


class InputError(ScaffoldError):
    """Bad input: an option, an answer, a name or a file of answers."""

    exit_code = 2


class UnknownQuestion(InputError):
    def __init__(self, key: str, allowed: Iterable[str]) -> None:
        self.key = key
        self.allowed = sorted(allowed)
        super().__init__(f"unknown question {key!r}; known questions: {', '.join(self.allowed)}")


class InvalidAnswer(InputError):
    def __init__(self, key: str, value: object, allowed: Iterable[str]) -> None:
        self.key = key
        self.value = value
        self.allowed = list(allowed)
        super().__init__(
            f"invalid answer {value!r} for {key!r}; allowed values: {', '.join(self.allowed)}",
            reason=f"{value!r} is not one of: {', '.join(self.allowed)}",
        )


class AnswerRejected(InputError):
    """The template's own validator refused an answer (``reason`` is its message)."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        super().__init__(f"{key}: {reason}", reason=reason)


class AnswersFileError(InputError):
    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = Path(path)
        super().__init__(f"answers file {str(path)!r}: {problem}")


class MissingAnswers(ScaffoldError):
    """Answers are needed but there is no terminal to ask them."""

    exit_code = 5

    def __init__(self, keys: Iterable[str], hint: str = "") -> None:
        self.keys = list(keys)
        hint = hint or "give them with --answer KEY=VALUE or --answers-file, or use --defaults"
        super().__init__(f"missing answers for {', '.join(self.keys)}: {hint}")


class DestinationError(ScaffoldError):
    exit_code = 3


class DestinationNotEmpty(DestinationError):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(
            f"destination {str(path)!r} exists and is not empty; choose a new folder or empty it"
        )


class DestinationIsFile(DestinationError):
    def __init__(self, path: Path) -> None:
        self.path = path
        super().__init__(f"destination {str(path)!r} is a file; choose a folder path")


class DestinationNotWritable(DestinationError):
    def __init__(self, path: Path, reason: str | None = None) -> None:
        self.path = path
        why = f" ({reason})" if reason else ""
        super().__init__(
            f"cannot write to {str(path)!r}{why}; choose a folder you have write access to"
        )


class TemplateError(ScaffoldError):
    exit_code = 4


class UpdateConflicts(ScaffoldError):
    exit_code = 6

    def __init__(self, files: Iterable[str]) -> None:
        self.files = sorted(files)
        super().__init__(
            f"update left conflicts in {', '.join(self.files)}; resolve them, then commit"
        )


class ProjectStateError(ScaffoldError):
    """The project cannot be updated as it is."""

    exit_code = 7


class UpdateAvailable(ScaffoldError):
    """Not a failure: ``check-update`` found a newer template version (exit 8)."""

    exit_code = 8
    report = False

    def __init__(self, latest: str) -> None:
        self.latest = latest
        super().__init__(f"template version {latest} is available: run `scaffold update`")


class ReleaseRefused(ScaffoldError):
    """``python -m scaffold.release``: the release cannot be tagged as it is."""

    exit_code = 2


class Interrupted(ScaffoldError):
    exit_code = 130

    def __init__(self, message: str = "interrupted; nothing was written") -> None:
        super().__init__(message)


# --- scaffold bench ---------------------------------------------------------------


class BenchError(ScaffoldError):
    """The benchmark could not run: a step (install, server, load tool) failed."""

    exit_code = 1


class BenchProjectError(InputError):
    """A folder given to ``scaffold bench`` cannot be benchmarked."""


class ChartUnavailable(BenchError):
    """``--chart`` needs matplotlib (the ``bench`` extra)."""
