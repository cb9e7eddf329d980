"""Render the scaffold Copier template into a new project: the only module that
imports copier (lazily, inside functions: ``import copier`` costs ~0.6 s and
``scaffold --help`` must not pay for it).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import (
    DestinationIsFile,
    DestinationNotEmpty,
    DestinationNotWritable,
    InputError,
    Interrupted,
    InvalidAnswer,
    MissingAnswers,
    TemplateError,
    UnknownQuestion,
)
from .vcs import git, sigterm_as_interrupt

ANSWERS_FILE = ".copier-answers.yml"
Step = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# ----------------------------------------------------------------- the template


@dataclass(frozen=True)
class TemplateQuestion:
    id: str
    type: str = "str"
    when: Any = True
    choices: tuple[str, ...] = ()
    secret: bool = False

    def applies(self, answers: Mapping[str, Any]) -> bool:
        """Whether Copier asks (and stores) this question for these answers."""
        when = self.when
        if isinstance(when, str) and ("{{" in when or "{%" in when):
            from jinja2.sandbox import SandboxedEnvironment

            when = SandboxedEnvironment().from_string(when).render(**answers).strip()
        if isinstance(when, str):
            return when.lower() not in ("", "false", "no", "0", "none")
        return bool(when)

    def coerce(self, raw: Any) -> Any:
        """Turn text from ``--data KEY=VALUE`` into the question's type."""
        if not isinstance(raw, str):
            value = raw
        elif self.type == "bool":
            lowered = raw.strip().lower()
            if lowered not in ("true", "false", "yes", "no", "y", "n", "1", "0", "on", "off"):
                raise InvalidAnswer(self.id, raw, ["true", "false"])
            value = lowered in ("true", "yes", "y", "1", "on")
        elif self.type == "yaml":
            try:
                value = yaml.safe_load(raw)
            except yaml.YAMLError as exc:
                raise InputError(f"{self.id}: not valid YAML ({exc.problem})") from None
        elif self.type == "int":
            try:
                value = int(raw)
            except ValueError:
                raise InvalidAnswer(self.id, raw, ["an integer"]) from None
        else:
            value = raw
        if self.type == "bool" and not isinstance(value, bool):
            raise InvalidAnswer(self.id, value, ["true", "false"])
        if self.type == "str" and not isinstance(value, str):
            raise InputError(f"{self.id}: expected text, got {value!r}")
        if self.choices and value not in self.choices:
            raise InvalidAnswer(self.id, value, self.choices)
        return value


@dataclass(frozen=True)
class Template:
    """Where the template lives and what it asks."""

    src: str  # absolute path or URL, as recorded in _src_path
    questions: dict[str, TemplateQuestion] = field(default_factory=dict)

    @property
    def local(self) -> Path | None:
        path = Path(self.src)
        return path if path.is_absolute() and path.is_dir() else None

    @property
    def is_git(self) -> bool:
        return self.local is None or (self.local / ".git").exists()

    def asked(self, answers: Mapping[str, Any]) -> list[str]:
        """Ids of the questions Copier asks given ``answers`` (framework first)."""
        return [
            q.id
            for q in self.questions.values()
            if not q.secret and q.when is not False and q.applies(answers)
        ]

    def check_data(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Refuse unknown keys and coerce text answers to their types."""
        if not self.questions:  # a remote template: Copier checks the answers itself
            return dict(data)
        known = {q.id for q in self.questions.values() if q.when is not False}
        checked = {}
        for key, value in data.items():
            if key not in known:
                raise UnknownQuestion(key, known)
            checked[key] = self.questions[key].coerce(value)
        return checked


def default_template_source() -> str:
    """``$SCAFFOLD_TEMPLATE``, else the repository this package was installed from."""
    env = os.environ.get("SCAFFOLD_TEMPLATE")
    if env:
        return env
    for parent in Path(__file__).resolve().parents:
        if (parent / "copier.yml").is_file() and (parent / "templates").is_dir():
            return str(parent)
    raise TemplateError(
        "cannot find the scaffold template: install scaffold from a clone "
        "(pip install -e .), or pass --template PATH or set SCAFFOLD_TEMPLATE"
    )


_REMOTE = re.compile(r"^(gh:|gl:|[a-z][a-z0-9+.-]*://|git@|git\+)", re.IGNORECASE)


def is_remote(source: str) -> bool:
    """A git URL or Copier alias (``gh:``, ``https://``, ``git+file://``...), not a folder."""
    return bool(_REMOTE.match(source))


def load_template(source: str | None = None) -> Template:
    """Locate the template and read its questions (copier.yml and its !includes)."""
    source = source or default_template_source()
    if is_remote(source):
        return Template(source)  # remote: Copier reads it; we do not pre-check answers
    root = Path(source).expanduser().resolve()
    config = root / "copier.yml"
    if not config.is_file():
        raise TemplateError(
            f"no scaffold template at {str(root)!r} (copier.yml missing); "
            "pass --template PATH to a scaffold checkout"
        )
    return Template(str(root), _read_questions(config))


def _read_questions(config: Path) -> dict[str, TemplateQuestion]:
    root = config.parent

    class Loader(yaml.SafeLoader):
        pass

    def include(loader: yaml.SafeLoader, node: yaml.Node) -> Any:
        return yaml.safe_load((root / loader.construct_scalar(node)).read_text("utf-8"))

    Loader.add_constructor("!include", include)
    try:
        documents = list(yaml.load_all(config.read_text("utf-8"), Loader=Loader))
    except (OSError, yaml.YAMLError) as exc:
        raise TemplateError(f"cannot read the template's questions: {exc}") from None
    questions: dict[str, TemplateQuestion] = {}
    for doc in documents:
        for key, spec in (doc or {}).items():
            if key.startswith("_") or not isinstance(spec, dict):
                continue
            choices = spec.get("choices") or ()
            if isinstance(choices, dict):
                choices = tuple(choices.values())
            questions[key] = TemplateQuestion(
                id=key,
                type=spec.get("type", "str"),
                when=spec.get("when", True),
                choices=tuple(choices),
                secret=bool(spec.get("secret", False)),
            )
    return questions


def template_version(template: Template) -> str | None:
    """``git describe`` of a local template checkout (None if not a git checkout)."""
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


# ------------------------------------------------------------------ generation


@dataclass
class Generated:
    path: Path
    framework: str
    answers: dict[str, Any]
    src_path: str
    template_commit: str | None
    git_commit: str | None


def check_destination(dest: Path) -> None:
    """Refuse a destination that exists and is not an empty folder, or cannot be written."""
    if dest.exists() and not dest.is_dir():
        raise DestinationIsFile(dest)
    if dest.is_dir() and any(dest.iterdir()):
        raise DestinationNotEmpty(dest)
    parent = dest if dest.is_dir() else dest.parent
    while not parent.exists():
        parent = parent.parent
    if not parent.is_dir():
        raise DestinationIsFile(parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise DestinationNotWritable(dest)


@contextlib.contextmanager
def _cleanup_on_failure(dest: Path) -> Iterator[None]:
    """Leave no half-written destination: remove it, or empty a folder that was empty."""
    existed = dest.is_dir()
    try:
        yield
    except BaseException:
        if existed:
            for child in dest.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child, ignore_errors=True)
                else:
                    child.unlink(missing_ok=True)
        else:
            shutil.rmtree(dest, ignore_errors=True)
        raise


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


def _translate_copier_error(exc: Exception) -> Exception:
    from copier.errors import CopierError, InteractiveSessionError

    text = str(exc).strip()
    if isinstance(exc, InteractiveSessionError):
        return MissingAnswers([], hint=f"{text}; give every answer with --data or use --defaults")
    if isinstance(exc, CopierError):
        return TemplateError(text.splitlines()[0] if text else type(exc).__name__)
    match = re.match(r"Validation error for question '([^']+)': (.*)", text, re.S)
    if match:
        return InputError(f"{match[1]}: {' '.join(match[2].split())}")
    match = re.match(r'Question "([^"]+)" is required', text)
    if match:
        return MissingAnswers([match[1]])
    return InputError(" ".join(text.split()))


def render(
    template: Template,
    dest: Path,
    data: Mapping[str, Any],
    *,
    vcs_ref: str | None = None,
    defaults: bool = True,
) -> None:
    """Run Copier; its errors become ours."""
    import copier  # lazy: see the module docstring

    try:
        with _copier_errors():
            copier.run_copy(
                template.src,
                str(dest),
                data=dict(data),
                vcs_ref=vcs_ref,
                defaults=defaults,
                quiet=True,
                unsafe=False,
                overwrite=False,
                cleanup_on_error=True,
            )
    except OSError as exc:
        if exc.filename and Path(exc.filename).is_relative_to(dest):
            raise DestinationNotWritable(dest, exc.strerror) from None
        raise TemplateError(f"cannot read the template: {exc.strerror} ({exc.filename})") from None


def read_answers(project: Path) -> dict[str, Any]:
    path = project / ANSWERS_FILE
    try:
        answers = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError):
        return {}
    return answers if isinstance(answers, dict) else {}


def git_init_and_commit(project: Path, answers: Mapping[str, Any]) -> str:
    """Make the project a git repository with one commit, so ``copier update`` works."""
    git("init", "--quiet", "--template=", cwd=project)  # no sample hooks to copy
    git("add", "--all", cwd=project)
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
    """Render the template into ``dest`` and (unless ``git=False``) commit it.

    ``data`` must name the framework. With ``defaults=False`` Copier asks the
    missing answers on the terminal; the caller decides whether there is one.
    On any failure or interruption nothing is left behind in ``dest``.
    """
    template = template or load_template()
    dest = Path(dest).expanduser().absolute()
    check_destination(dest)
    if vcs_ref is None:
        vcs_ref, dirty = template_head(template)
        if dirty:
            warn(
                f"the template at {template.src} has uncommitted changes; "
                "they are not used (commit them to use them)"
            )
    with sigterm_as_interrupt(), _cleanup_on_failure(dest):
        try:
            step(f"Rendering the {data['framework']} template into {dest}")
            render(template, dest, data, vcs_ref=vcs_ref, defaults=defaults)
            answers = read_answers(dest)
            commit = None
            if git:
                step("Creating a git repository with a first commit")
                commit = git_init_and_commit(dest, answers)
        except KeyboardInterrupt:
            raise Interrupted() from None
    return Generated(
        path=dest,
        framework=str(answers.get("framework", data["framework"])),
        answers=answers,
        src_path=str(answers.get("_src_path", template.src)),
        template_commit=answers.get("_commit"),
        git_commit=commit,
    )


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

    with _copier_errors():
        copier.run_update(
            str(project),
            data=dict(data or {}),
            vcs_ref=vcs_ref,
            conflict=conflict,
            defaults=True,
            overwrite=True,
            skip_answered=True,
            quiet=True,
            unsafe=False,
        )
