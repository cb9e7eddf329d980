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
from .vcs import commit_tree, environment, fetch_url_from, git, sigterm_as_interrupt

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
    """Where the template lives (``src``, recorded in ``_src_path``) and what it asks.

    ``packaged`` is set when this installation carries the very release that is asked
    for (``release``, a tag ``vX.Y.Z``) of a template given as a git URL: Copier then
    renders that copy, offline, and still records the URL and the tag.
    """

    src: str  # absolute path or URL, as recorded in _src_path
    questions: dict[str, TemplateQuestion] = field(default_factory=dict)
    packaged: Path | None = None
    release: str | None = None

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


TEMPLATE_FILES = ("copier.yml", "questions", "templates")


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
    """Locate the template and read its questions (copier.yml and its !includes).

    A git URL (the default) asked for at this installation's release (``vcs_ref``
    None or that tag) is rendered from the packaged copy; any other version is
    fetched from the URL by Copier.
    """
    source = source or default_template_source()
    if is_remote(source):
        release = release_tag()
        packaged = packaged_template()
        if packaged is None or vcs_ref not in (None, release):
            return Template(source)  # remote: Copier reads it; we do not pre-check answers
        return Template(source, _read_questions(packaged / "copier.yml"), packaged, release)
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


@contextlib.contextmanager
def _packaged_release(template: Template) -> Iterator[None]:
    """Let Copier fetch ``template.src`` at ``template.release`` from the packaged copy:
    a one-commit repository tagged with the release, in a temporary folder, that git
    reads in place of the URL. Copier records the URL and the tag; no network is used,
    and Copier's cache of remote templates (``COPIER_CACHE_DIR``) is left alone."""
    assert template.packaged is not None and template.release is not None
    with tempfile.TemporaryDirectory(prefix="scaffold-template-") as tmp:
        repo = Path(tmp, "template")
        repo.mkdir()
        ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")
        for name in TEMPLATE_FILES:
            source = template.packaged / name
            if source.is_dir():
                shutil.copytree(source, repo / name, ignore=ignore)
            else:
                shutil.copy2(source, repo / name)
        commit_tree(repo, f"scaffold template {template.release}", tag=template.release)
        env = {**fetch_url_from(template.src, repo), "COPIER_CACHE_DIR": str(Path(tmp, "cache"))}
        with copier_environment(env):
            yield


@contextlib.contextmanager
def copier_environment(values: dict[str, str]) -> Iterator[None]:
    """Environment variables for Copier and the git it runs. Copier starts git through
    plumbum, which copies ``os.environ`` when it is first imported: both are set."""
    from plumbum import local

    with environment(values), local.env(**values):
        yield


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
    if template.packaged is not None and vcs_ref not in (None, template.release):
        template = Template(template.src)  # another release: Copier fetches it from the URL
    source: contextlib.AbstractContextManager[None] = contextlib.nullcontext()
    if template.packaged is not None:
        vcs_ref = template.release
        source = _packaged_release(template)
    elif template.local is not None:
        from ._version import TEMPLATE_URL

        warn(
            f"the project records the local folder {template.src} as its template, so "
            "teammates and CI cannot update it; to fix, run `scaffold update --template "
            f"<git URL>` in it later (the published template is {TEMPLATE_URL})"
        )
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
            with source:
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
