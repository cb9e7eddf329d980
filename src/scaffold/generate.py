"""Render the scaffold Copier template into a new project: the only module that
imports copier (lazily, inside functions: ``import copier`` costs ~0.6 s and
``scaffold --help`` must not pay for it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .errors import (
    AnswerRejected,
    DestinationBusy,
    DestinationIsFile,
    DestinationNotEmpty,
    DestinationNotWritable,
    InputError,
    InvalidAnswer,
    MissingAnswers,
    NotScaffoldTemplate,
    TemplateError,
    UnknownQuestion,
)
from .prompts import NO_DEFAULT, Ask, match_choice, parse_bool
from .vcs import environment, git, signals_ignored

ANSWERS_FILE = ".copier-answers.yml"
# How scaffold always runs Copier, copy and update alike: no template code (_tasks,
# _migrations, _jinja_extensions are refused, so no --trust), no questions of its own
# (scaffold asks them first), nothing printed (scaffold says what happens).
COPIER_SAFETY: dict[str, Any] = {"unsafe": False, "defaults": True, "quiet": True}
Step = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# ----------------------------------------------------------------- the template

# Answers scaffold fills in itself, never asked and never listed as template answers:
# ``framework`` (from --framework or the recommendation) and ``why_framework`` (the
# recommendation's reasons, written to the README).
INTERNAL_ANSWERS = ("framework", "why_framework")


@dataclass(frozen=True)
class Template:
    """Where the template lives (``src``, recorded in ``_src_path``). Its questions are
    read by Copier (see ``open_template``).

    ``packaged`` is set when this installation carries the very release that is asked
    for (``release``, a tag ``vX.Y.Z``) of a template given as a git URL: Copier then
    renders that copy, offline, and still records the URL and the tag.
    """

    src: str  # absolute path or URL, as recorded in _src_path
    packaged: Path | None = None
    release: str | None = None

    @property
    def local(self) -> Path | None:
        path = Path(self.src)
        return path if path.is_absolute() and path.is_dir() else None

    @property
    def is_git(self) -> bool:
        return self.local is None or (self.local / ".git").exists()

    def check_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Refuse unknown keys and type text answers (``update -d``), asking Copier."""
        if not data:
            return {}
        with open_template(self, Path.cwd(), template_head(self)[0]) as session:
            return session.check_data(data)


def release_tag(version: str | None = None) -> str:
    """The git tag of a release: ``v`` and the package version."""
    if version is None:
        from ._version import __version__ as version
    return f"v{version}"


def packaged_template() -> Path | None:
    """The template this installation carries: ``scaffold/template/`` in a wheel, or
    the clone itself in an editable install (None if neither is there)."""
    here = Path(__file__).resolve().parent
    candidates = [here / "template", *here.parents]
    for root in candidates:
        if (root / "copier.yml").is_file() and (root / "templates").is_dir():
            return root
    return None


def default_template_source() -> str:
    """``$SCAFFOLD_TEMPLATE``, else the published template URL (``_version.py``)."""
    env = os.environ.get("SCAFFOLD_TEMPLATE")
    if env:
        return env
    from ._version import TEMPLATE_URL

    return TEMPLATE_URL


_REMOTE = re.compile(r"^(gh:|gl:|[a-z][a-z0-9+.-]*://|git@|git\+)", re.IGNORECASE)


def is_remote(source: str) -> bool:
    """A git URL or Copier alias (``gh:``, ``https://``, ``git+file://``...), not a folder."""
    return bool(_REMOTE.match(source))


def load_template(source: str | None = None, *, vcs_ref: str | None = None) -> Template:
    """Locate the template (cheap: no Copier, no clone).

    A git URL (the default) asked for at this installation's release (``vcs_ref``
    None or that tag) is rendered from the packaged copy; any other version is
    fetched from the URL by Copier.
    """
    source = source or default_template_source()
    if is_remote(source):
        release = release_tag()
        packaged = packaged_template()
        if packaged is None or vcs_ref not in (None, release):
            return Template(source)  # remote: Copier fetches it when its questions are read
        return Template(source, packaged, release)
    root = Path(source).expanduser().resolve()
    config = root / "copier.yml"
    if not config.is_file():
        raise TemplateError(
            f"no scaffold template at {str(root)!r} (copier.yml missing); "
            "pass --template PATH to a scaffold checkout"
        )
    return Template(str(root))


def template_version(template: Template) -> str | None:
    """The release a template renders: the packaged tag, or ``git describe`` of a local
    checkout (None if not a git checkout, or a URL asked for another version)."""
    if template.release:
        return template.release
    if template.local is None or not template.is_git:
        return None
    return git("describe", "--tags", "--always", cwd=template.local, check=False) or None


def template_head(template: Template) -> tuple[str | None, bool]:
    """The commit to render from a local git template, and whether its tree is dirty."""
    if template.local is None or not template.is_git:
        return None, False
    sha = git("rev-parse", "HEAD", cwd=template.local)
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", cwd=template.local))
    return sha, dirty


# ---------------------------------------------------- the questions, as Copier reads them
#
# Copier's public API is run_copy/run_update; the question model is its Worker
# (copier._main) and Question (copier._user_data), relied on within the range
# pinned in pyproject.toml. They parse copier.yml and its !includes, render each
# question's when/default/choices/help with the template's Jinja environment,
# cast answers to their type and run the template's validators.


@dataclass
class Walk:
    """The outcome of going through the template's questions once."""

    answers: dict[str, Any]  # every answer that applies, typed (what Copier will store)
    missing: list[str]  # questions that apply, have no answer given and were not asked


class TemplateSession:
    """One Copier worker for a template and a destination: its questions, then the render.

    Made by :func:`open_template`; the template is read (cloned, if it is a URL or a
    git checkout) once, for the questions and the rendering alike.
    """

    def __init__(
        self, worker: Any, template: Template, renderer: Callable[[], Any] | None
    ) -> None:
        self._worker = worker
        self.template = template
        self.src = template.src
        self._renderer = renderer  # makes the worker that renders, if not this one

    @property
    def _questions_data(self) -> dict[str, dict[str, Any]]:
        return self._worker.template.questions_data

    def known(self) -> list[str]:
        """Answers a user can give (``-d KEY=VALUE``), in the template's order."""
        return [
            key
            for key, spec in self._questions_data.items()
            if spec.get("when", True) is not False
            and not spec.get("secret")
            and key not in INTERNAL_ANSWERS
        ]

    def _question(self, key: str, answers: Any, *, validate: bool = True) -> Any:
        from copier._user_data import Question

        spec = dict(self._questions_data[key])
        if not validate:
            spec["validator"] = ""
        self._worker.answers = answers  # the render context holds the answers so far
        return Question(
            answers=answers,
            context=self._worker._render_context(),
            jinja_env=self._worker.jinja_env,
            settings=self._worker.settings,
            var_name=key,
            **spec,
        )

    def _answers_map(self, given: Mapping[str, Any], user_defaults: Mapping[str, Any]) -> Any:
        from copier._user_data import AnswersMap

        return AnswersMap(
            init=dict(given),
            user_defaults=dict(user_defaults),
            metadata=self._worker.template.metadata,
        )

    def check_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Refuse unknown keys; type each answer (no validators: they need the others)."""
        known = self.known()
        checked: dict[str, Any] = {}
        answers = self._answers_map({}, {})
        for key, value in data.items():
            if key not in self._questions_data or (
                key not in known and key not in INTERNAL_ANSWERS
            ):
                raise UnknownQuestion(key, known)
            question = self._question(key, answers, validate=False)
            checked[key] = _typed(question, value)
        return checked

    def walk(
        self,
        given: Mapping[str, Any],
        *,
        ask: Callable[[Ask], Any] | None = None,
        defaults: bool = False,
        user_defaults: Mapping[str, Any] | None = None,
    ) -> Walk:
        """Go through the questions in order, as Copier would: skip those whose ``when``
        is false, check each given answer with the template's validator, take the
        default (``defaults``), ask (``ask``), or note the answer as missing.
        """
        from copier._types import MISSING

        user_defaults = dict(user_defaults or {})
        given = self.check_data(given)
        answers = self._answers_map(given, user_defaults)
        applied: dict[str, Any] = {}
        missing: list[str] = []
        for key in self._questions_data:
            question = self._question(key, answers)
            if not question.get_when():
                default = self._question(key, answers, validate=False).get_default()
                if default is not MISSING:
                    answers.user[key] = default  # a computed value later questions use
                continue
            if key in given:
                value = _validated(question, given[key])
            else:
                default = self._question(key, answers, validate=False).get_default()
                if question.secret or not question.get_ask():
                    value = default
                elif ask is not None and not defaults:
                    value = ask(_ask_for(question, default))
                else:
                    if default is MISSING or not defaults:
                        missing.append(key)
                    if default is MISSING:
                        continue
                    value = _validated(question, default) if defaults else default
            answers.user[key] = value
            applied[key] = value
        return Walk(applied, missing)

    def describe(self, given: Mapping[str, Any]) -> list[dict[str, Any]]:
        """Each answer a user can give: key, help, type, choices and default (``--help``).

        A default computed from other answers is shown as ``computed`` with its value
        for the template's own defaults.
        """
        from copier._types import MISSING

        known = set(self.known())
        answers = self._answers_map(given, {})
        described = []
        for key, spec in self._questions_data.items():
            question = self._question(key, answers, validate=False)
            default = question.get_default() if question.get_when() else MISSING
            if default is not MISSING:
                answers.user[key] = default
            if key not in known:
                continue
            raw = spec.get("default")
            described.append(
                {
                    "key": key,
                    "help": " ".join(str(question.render_value(question.help)).split()),
                    "type": question.get_type_name(),
                    "choices": [c.value for c in question._formatted_choices],
                    "default": None if default is MISSING else default,
                    "computed": isinstance(raw, str) and ("{{" in raw or "{%" in raw),
                    "asked": question.get_when(),  # for these answers (e.g. the framework)
                }
            )
        return described

    def render(self, answers: Mapping[str, Any]) -> None:
        """Render with a complete set of answers: Copier asks nothing.

        The packaged copy is rendered in place by the worker that read the questions
        (no clone); Copier records the URL and the release all the same. So is a local
        checkout asked for at its HEAD with the template's files unchanged; at another
        ref, or with changes, a worker of its own clones it, as ``run_copy`` does.
        """
        worker = self._renderer() if self._renderer else self._worker
        worker.data = dict(answers)
        worker.defaults = True
        if not _in_git_work_tree(Path(worker.dst_path)):
            # Copier runs `git config` once per rendered file to carry exec bits into
            # the destination's git index; outside a git work tree there is none.
            object.__setattr__(worker, "_sync_git_index_executable_bit", _no_index)
        try:
            with _copier_errors(), worker:
                worker.run_copy()
        except OSError as exc:
            dest = Path(worker.dst_path)
            if exc.filename and Path(exc.filename).is_relative_to(dest):
                raise DestinationNotWritable(dest, exc.strerror) from None
            raise TemplateError(
                f"cannot read the template: {exc.strerror} ({exc.filename})"
            ) from None


def _no_index(*_: Any) -> None:
    pass


def _in_git_work_tree(path: Path) -> bool:
    """Whether git would find a repository for ``path`` (a ``.git`` above it, or
    ``GIT_DIR`` set): a look at the folders, no git process."""
    if os.environ.get("GIT_DIR") or os.environ.get("GIT_WORK_TREE"):
        return True
    return any((folder / ".git").exists() for folder in (path, *path.parents))


def _typed(question: Any, value: Any) -> Any:
    """A given answer (text from ``-d``, or a value from a file) in the question's type."""
    key = question.var_name
    type_name = question.get_type_name()
    choices = [(choice.value, choice.title) for choice in question._formatted_choices]
    if isinstance(value, str) and choices:
        value = match_choice(value, [(v, str(label)) for v, label in choices], key)
    elif type_name == "bool":
        if isinstance(value, str):
            parsed = parse_bool(value)
            if parsed is None:
                raise InvalidAnswer(key, value, ["true", "false"])
            value = parsed
        elif not isinstance(value, bool):
            raise InvalidAnswer(key, value, ["true", "false"])
    elif type_name == "str" and not isinstance(value, str):
        raise InputError(f"{key}: expected text, got {value!r}", reason="expected text")
    elif type_name in ("yaml", "json") and isinstance(value, str):
        try:
            value = yaml.safe_load(value)
        except yaml.YAMLError as exc:
            raise InputError(
                f"{key}: not valid YAML ({exc.problem})", reason="not valid YAML"
            ) from None
    try:
        return question.parse_answer(value)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{key}: {' '.join(str(exc).split())}") from None


def _validated(question: Any, value: Any) -> Any:
    """``value`` typed and passed through the template's validator for this question."""
    value = _typed(question, value)
    try:
        question.validate_answer(value)
    except ValueError as exc:
        text = str(exc)
        prefix = f"Validation error for question '{question.var_name}': "
        reason = " ".join(text.removeprefix(prefix).split())
        raise AnswerRejected(question.var_name, reason) from None
    return value


def _ask_for(question: Any, default: Any) -> Ask:
    """Copier's question as scaffold's :class:`Ask` (same text, choices, default, checks)."""
    from copier._types import MISSING

    choices = tuple((c.value, str(c.title)) for c in question._formatted_choices)
    type_name = question.get_type_name()
    kind = "choice" if choices else "bool" if type_name == "bool" else "text"
    help_text = question.render_value(question.help).strip() if question.help else ""
    return Ask(
        id=question.var_name,
        text=" ".join(help_text.split()) or question.var_name,
        kind=kind,
        default=NO_DEFAULT if default is MISSING else default,
        choices=choices,
        check=lambda value: _validated(question, value),
    )


@contextlib.contextmanager
def open_template(
    template: Template, dest: Path, vcs_ref: str | None = None
) -> Iterator[TemplateSession]:
    """A Copier worker for ``template`` rendering into ``dest``.

    A remote template is cloned once, for the questions and the rendering. A local
    checkout's questions are read in place (a clone costs more than the questions),
    and ``render`` lets Copier clone ``vcs_ref`` as ``run_copy`` always does.
    """
    from copier._main import Worker  # lazy: see the module docstring

    def worker() -> Any:
        return Worker(
            src_path=template.src,
            dst_path=Path(dest),
            vcs_ref=vcs_ref,
            overwrite=False,
            cleanup_on_error=True,
            **COPIER_SAFETY,
        )

    with scratch():
        in_place = template.packaged or template.local
        reader = worker()
        if in_place is not None:
            # Copier's own Template object, told where the files already are (no clone),
            # and, for the packaged copy (not a git checkout), which release they are.
            reader.template.__dict__["local_abspath"] = in_place
            if template.packaged is not None:
                # Files as they are on disk (their modes too), recorded as the release.
                reader.template.__dict__["commit"] = template.release
                reader.template.__dict__["git_index_modes"] = {}
        with reader:
            try:
                with _copier_errors():
                    reader.template.questions_data  # noqa: B018  (reads, or clones, it now)
            except OSError as exc:
                if getattr(exc, "stderr", None) is not None:  # git failed (plumbum's error)
                    raise _unreachable(template.src, exc) from None
                raise TemplateError(
                    f"cannot read the template at {template.src}: {exc.strerror or exc}"
                ) from None
            _check_scaffold_template(template.src, reader.template.questions_data)
            clone = template.local is not None and not _head_in_place(template.local, vcs_ref)
            yield TemplateSession(reader, template, worker if clone else None)


# Files Copier never renders (copier.yml's _exclude): they may lie in a checkout.
_NEVER_RENDERED = ("__pycache__", ".pyc", ".DS_Store")
TEMPLATE_PATHS = ("copier.yml", "questions", "templates")


def _head_in_place(checkout: Path, ref: str | None) -> bool:
    """Whether a local checkout renders the same in place as a clone at ``ref``: ``ref``
    is its HEAD and the template's files are exactly HEAD's (nothing changed, untracked
    or ignored there). Then Copier reads the files where they are, and records the same
    ``_commit`` (``git describe`` of HEAD)."""
    if not (checkout / ".git").exists():
        return False
    head = git("rev-parse", "HEAD", cwd=checkout, check=False)
    if not head:
        return False
    if (
        ref not in (None, head)
        and git("rev-parse", f"{ref}^{{commit}}", cwd=checkout, check=False) != head
    ):
        return False
    status = git(
        "status", "--porcelain", "--ignored", "--untracked-files=all", "--", *TEMPLATE_PATHS,
        cwd=checkout, check=False,
    )  # fmt: skip
    return not any(
        not any(part in line for part in _NEVER_RENDERED) for line in status.splitlines()
    )


def _check_scaffold_template(src: str, questions: Mapping[str, Any]) -> None:
    """Refuse another Copier template before it renders anything: scaffold's asks
    ``framework`` (one choice per starter) and stores ``why_framework``."""
    from .starters import FRAMEWORKS

    choices = (questions.get("framework") or {}).get("choices") or []
    values = set(choices.values() if isinstance(choices, dict) else choices)
    if values != set(FRAMEWORKS) or "why_framework" not in questions:
        raise NotScaffoldTemplate(
            src,
            f"its copier.yml has no 'framework' question with the choices {', '.join(FRAMEWORKS)}",
        )


def _unreachable(src: str, exc: Any) -> TemplateError:
    lines = [line.strip() for line in str(getattr(exc, "stderr", "") or "").splitlines()]
    said = next((line for line in reversed(lines) if line), "no answer")
    return TemplateError(
        f"cannot fetch the template from {src} (git: {said}); check the URL, "
        "your network connection and your access to the repository"
    )


# ------------------------------------------------------------------ generation


@dataclass
class Generated:
    path: Path
    framework: str
    answers: dict[str, Any]
    src_path: str
    template_commit: str | None
    git_commit: str | None


# The claim on a destination: a file created with O_EXCL in it, holding our pid. Two
# `scaffold new` into one folder cannot both hold it; the loser deletes nothing.
LOCK_FILE = ".scaffold-lock"


def check_destination(dest: Path) -> None:
    """Refuse a destination that exists and is not an empty folder, or cannot be written."""
    if dest.exists() and not dest.is_dir():
        raise DestinationIsFile(dest)
    if dest.is_dir():
        names = [child.name for child in dest.iterdir()]
        if LOCK_FILE in names:
            raise _busy(dest)
        if names:
            raise DestinationNotEmpty(dest)
    parent = dest if dest.is_dir() else dest.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise DestinationIsFile(parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationNotWritable(dest)


def _busy(dest: Path) -> DestinationBusy:
    """The destination another scaffold process holds (or held, if its pid is gone)."""
    try:
        owner = (dest / LOCK_FILE).read_text("ascii", errors="replace")[:20].strip()
    except OSError:
        owner = ""
    gone = owner.isdigit() and not _alive(int(owner))
    return DestinationBusy(dest, owner, gone=gone)


@dataclass
class Claim:
    """A destination this process holds: ``made`` is the first folder it created on
    the way to it (None when ``dest`` was there, empty); ``lock`` is its lock file."""

    dest: Path
    made: Path | None
    lock: Path

    def undo(self) -> None:
        """Take back what was written: everything in ``dest`` (empty when claimed, and
        no other scaffold could enter it since), then the folders this process made."""
        remove_project(self.dest, existed=True)
        _remove_made(self.dest, self.made)


def _remove_made(dest: Path, made: Path | None) -> None:
    """Remove the folders made on the way to ``dest``, from ``dest`` up to ``made``,
    while they are empty: never anything that someone else put there."""
    folder = dest
    while made is not None:
        with contextlib.suppress(OSError):
            folder.rmdir()
        if folder == made or folder == folder.parent:
            return
        folder = folder.parent


def claim_destination(dest: Path) -> Claim:
    """Make ``dest`` (and its missing parents) and take its lock, atomically: a folder
    another process claims or fills first is refused (exit 3) and left alone."""
    check_destination(dest)
    missing = []
    folder = dest
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    made: Path | None = None
    lock = dest / LOCK_FILE
    locked = False
    try:
        for folder in reversed(missing):
            try:
                folder.mkdir()
            except FileExistsError:
                continue  # made by someone else meanwhile: not ours
            made = made or folder
        try:
            fd = os.open(lock, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            raise _busy(dest) from None
        locked = True
        with os.fdopen(fd, "w") as handle:
            handle.write(f"{os.getpid()}\n")
        if any(child.name != LOCK_FILE for child in dest.iterdir()):
            raise DestinationNotEmpty(dest)  # filled by someone else meanwhile: theirs
    except BaseException as exc:
        if locked:
            lock.unlink(missing_ok=True)
        _remove_made(dest, made)
        if isinstance(exc, NotADirectoryError):
            raise DestinationIsFile(dest) from None
        if isinstance(exc, OSError):
            raise DestinationNotWritable(dest, exc.strerror) from None
        raise
    return Claim(dest, made, lock)


@contextlib.contextmanager
def claimed(dest: Path) -> Iterator[Claim]:
    """Hold ``dest`` for the block; on any failure or interruption, leave nothing
    behind that this process wrote. The lock file goes in any case."""
    claim = claim_destination(dest)
    try:
        yield claim
    except BaseException:
        with signals_ignored():  # a second Ctrl-C or SIGTERM must not cut it short
            claim.undo()
        raise
    else:
        claim.lock.unlink(missing_ok=True)


def remove_project(dest: Path, existed: bool) -> None:
    """Take back what was written: remove ``dest``, or empty it if it existed (empty)."""
    if not existed:
        shutil.rmtree(dest, ignore_errors=True)
        return
    if not dest.is_dir():
        return
    for child in dest.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)


@contextlib.contextmanager
def _copier_errors() -> Iterator[None]:
    """Copier's failures (copy and update alike) as our errors, in one line."""
    import jinja2
    from copier.errors import CopierError

    try:
        yield
    except (ValueError, CopierError) as exc:
        raise _translate_copier_error(exc) from None
    except jinja2.TemplateError as exc:
        raise TemplateError(f"the template failed to render: {exc}") from None


def short_text(text: str, limit: int = 300) -> str:
    """``text`` on one line, cut to ``limit`` characters."""
    line = " ".join(text.split())
    return line if len(line) <= limit else f"{line[:limit]}..."


def _translate_copier_error(exc: Exception) -> Exception:
    from copier.errors import CopierError, InteractiveSessionError

    text = str(exc).strip()
    if isinstance(exc, InteractiveSessionError):
        return MissingAnswers([], hint=f"{text}; give every answer with --data or use --defaults")
    if isinstance(exc, CopierError):
        return TemplateError(text.splitlines()[0] if text else type(exc).__name__)
    match = re.match(r"Validation error for question '([^']+)': (.*)", text, re.S)
    if match:
        return AnswerRejected(match[1], " ".join(match[2].split()))
    match = re.match(r'Question "([^"]+)" is required', text)
    if match:
        return MissingAnswers([match[1]])
    return InputError(short_text(text))


SCRATCH_PREFIX = "scaffold-tmp-"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive
        return True
    return True


def _sweep_scratch(root: Path) -> None:
    """Remove scratch folders of scaffold processes that were killed (SIGKILL) and so
    could not remove their own: ``scaffold-tmp-PID-*`` of ours whose PID is gone."""
    pattern = re.compile(re.escape(SCRATCH_PREFIX) + r"(\d+)-")
    with contextlib.suppress(OSError):
        for entry in os.scandir(root):
            match = pattern.match(entry.name)
            if match and int(match[1]) != os.getpid() and not _alive(int(match[1])):
                with contextlib.suppress(OSError):
                    if entry.stat(follow_symlinks=False).st_uid == os.getuid():
                        shutil.rmtree(entry.path, ignore_errors=True)


@contextlib.contextmanager
def scratch() -> Iterator[Path]:
    """One temporary folder for the block, holding Copier's clones of the template
    (Copier makes them with ``tempfile``) and ours: removed at the end whatever
    happens (an error, Ctrl-C, SIGTERM), and by the next run after a SIGKILL."""
    saved = tempfile.tempdir
    current = tempfile.gettempdir()
    if Path(current).name.startswith(SCRATCH_PREFIX):  # nested: the outer one removes it
        yield Path(current)
        return
    _sweep_scratch(Path(current))
    folder = tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-")
    tempfile.tempdir = folder
    try:
        yield Path(folder)
    finally:
        tempfile.tempdir = saved
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def copier_environment(values: dict[str, str]) -> Iterator[None]:
    """Environment variables for Copier and the git it runs. Copier starts git through
    plumbum, which copies ``os.environ`` when it is first imported: both are set."""
    from plumbum import local

    with environment(values), local.env(**values):
        yield


def read_answers(project: Path) -> dict[str, Any]:
    """The project's stored answers, read with the bounds of ``answers.read_mapping``
    (a project's answers file is input too); ``{}`` if it is missing or unreadable."""
    from .answers import read_mapping

    try:
        return read_mapping(project / ANSWERS_FILE)
    except InputError:
        return {}


def git_init_and_commit(project: Path, answers: Mapping[str, Any]) -> str:
    """Make the project a git repository with one commit, so ``copier update`` works."""
    git("init", "--quiet", "--template=", cwd=project)  # no sample hooks to copy
    git("add", "--all", "--", ".", f":(exclude){LOCK_FILE}", cwd=project)
    identity: list[str] = []
    if not git("config", "user.email", cwd=project, check=False):
        identity = [
            "-c", f"user.name={answers.get('author_name') or 'scaffold'}",
            "-c", f"user.email={answers.get('author_email') or 'scaffold@localhost'}",
        ]  # fmt: skip
    version = answers.get("_commit", "unknown")
    git(
        *identity, "commit", "--quiet", "--no-verify", "-m",
        f"Initial commit from the scaffold template ({version})",
        cwd=project,
    )  # fmt: skip
    return git("rev-parse", "HEAD", cwd=project)


def template_ref(template: Template, vcs_ref: str | None, warn: Step = _quiet) -> str | None:
    """The ref to render: the packaged release; else ``vcs_ref``, or a local checkout's
    HEAD (warning that a local folder is recorded, and if it has uncommitted changes)."""
    if template.packaged is not None:
        return template.release
    if template.local is None:
        return vcs_ref
    from ._version import TEMPLATE_URL

    warn(
        f"the project records the local folder {template.src} as its template, so "
        "teammates and CI cannot update it; to fix, run `scaffold update --template "
        f"<git URL>` in it later (the published template is {TEMPLATE_URL})"
    )
    if vcs_ref is not None:
        return vcs_ref
    vcs_ref, dirty = template_head(template)
    if dirty:
        warn(
            f"the template at {template.src} has uncommitted changes; "
            "they are not used (commit them to use them)"
        )
    return vcs_ref


def write_project(
    session: TemplateSession,
    dest: Path,
    answers: Mapping[str, Any],
    *,
    git: bool = True,
    step: Step = _quiet,
) -> Generated:
    """Render a complete set of answers into ``dest`` (claimed: see :func:`claimed`,
    which takes everything back on a failure) and (unless ``git=False``) commit it."""
    step(f"Rendering the {answers['framework']} template into {dest}")
    session.render(answers)
    stored = read_answers(dest)
    commit = None
    if git:
        step("Creating a git repository with a first commit")
        commit = git_init_and_commit(dest, stored)
    return Generated(
        path=dest,
        framework=str(stored.get("framework", answers["framework"])),
        answers=stored,
        src_path=str(stored.get("_src_path", session.src)),
        template_commit=stored.get("_commit"),
        git_commit=commit,
    )


def generate(
    dest: Path,
    data: Mapping[str, Any],
    *,
    template: Template | None = None,
    vcs_ref: str | None = None,
    defaults: bool = True,
    git: bool = True,
    step: Step = _quiet,
    warn: Step = _quiet,
) -> Generated:
    """Render the template into ``dest`` from ``data`` (which must name the framework)
    plus, with ``defaults``, the template's defaults; without them every answer must be
    given. For the whole conversation (recommendation, prompts) see ``api.new_project``.
    """
    template = template or load_template()
    dest = Path(dest).expanduser().absolute()
    if template.packaged is not None and vcs_ref not in (None, template.release):
        template = Template(template.src)  # another release: Copier fetches it from the URL
    with claimed(dest):
        vcs_ref = template_ref(template, vcs_ref, warn)
        with open_template(template, dest, vcs_ref) as session:
            walk = session.walk(data, defaults=defaults)
            if walk.missing:
                raise MissingAnswers(walk.missing)
            return write_project(session, dest, walk.answers, git=git, step=step)


# ---------------------------------------------------------------------- update


def copier_update(
    project: Path,
    data: Mapping[str, Any] | None = None,
    *,
    vcs_ref: str | None = None,
    conflict: str = "inline",
) -> None:
    """Run ``copier update`` in ``project`` with the stored answers; errors become ours.

    Copier leaves the result uncommitted and returns normally even when conflicts
    remain: the caller inspects the tree.
    """
    import copier  # lazy: see the module docstring

    with scratch(), _copier_errors():
        copier.run_update(
            str(project),
            data=dict(data or {}),
            vcs_ref=vcs_ref,
            conflict=conflict,
            overwrite=True,
            skip_answered=True,
            **COPIER_SAFETY,
        )
