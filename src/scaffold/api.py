"""scaffold as a library: one call per command, a result that knows its JSON.

``scaffold new`` is :func:`new_project` plus printing, as ``copier copy`` is
``run_copy``: a program, a test or the bench gets the same project as a user.
Questions are asked through ``ask`` (a callable taking a :class:`prompts.Ask`,
such as :class:`prompts.Terminal`); without it nothing is asked and a missing
answer is a :class:`MissingAnswers` error. Progress goes to ``on_step`` and
``on_warning``; nothing here prints.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError, Interrupted, MissingAnswers, ScaffoldError
from .prompts import Ask
from .recommend import (
    Question,
    Recommendation,
    load_criteria,
    missing_answers,
    parse_answers,
    with_defaults,
)
from .recommend import recommend as _score
from .starters import STARTERS

Asker = Callable[[Ask], Any]
Say = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# --------------------------------------------------------------------- recommend


def _ask_for(question: Question) -> Ask:
    return Ask(
        id=question.id,
        text=question.prompt,
        kind="bool" if question.kind == "bool" else "choice",
        default=question.default,
        choices=tuple(question.choices),
        check=question.parse,
    )


def recommend(
    answers: Mapping[str, Any] | None = None,
    *,
    defaults: bool = False,
    ask: Asker | None = None,
) -> Recommendation:
    """Recommend Django or Flask from ``answers`` (values, or text as typed in a flag).

    Answers not given take their defaults (``defaults``), are asked (``ask``), or
    are a :class:`MissingAnswers` error naming every one of them.
    """
    criteria = load_criteria()
    typed = parse_answers(answers or {}, criteria)
    missing = missing_answers(typed, criteria)
    if missing and not defaults:
        if ask is None:
            raise MissingAnswers(missing)
        for qid in missing:
            typed[qid] = ask(_ask_for(criteria.questions[qid]))
    return _score(with_defaults(typed, criteria), criteria)


# --------------------------------------------------------------------------- new


@dataclass(frozen=True)
class NewProject:
    """What :func:`new_project` made."""

    path: Path
    framework: str
    recommendation: Recommendation | None
    answers: dict[str, Any]  # as stored in .copier-answers.yml, without the _ keys
    src_path: str
    template_commit: str | None
    git_commit: str | None
    installed_with: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON printed by ``scaffold new --json``."""
        return {
            "path": str(self.path),
            "framework": self.framework,
            "recommendation": self.recommendation.to_dict() if self.recommendation else None,
            "answers": dict(self.answers),
            "template": {"src_path": self.src_path, "commit": self.template_commit},
            "git_commit": self.git_commit,
            "installed_with": self.installed_with,
        }


def project_name_for(dest: Path) -> str | None:
    """A project name from the folder's name: ``shop-site`` -> ``Shop Site``."""
    words = [w for w in re.split(r"[\s_\-.]+", dest.name) if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or None


def _git_identity(where: Path) -> dict[str, str]:
    """author_name/author_email from ``git config user.name/user.email``, when set."""
    from .vcs import git

    found: dict[str, str] = {}
    for key, setting in (("author_name", "user.name"), ("author_email", "user.email")):
        try:
            value = git("config", setting, cwd=where, check=False)
        except ScaffoldError:  # git is not installed: keep the template's defaults
            return {}
        if value:
            found[key] = value
    return found


# Where new_project takes a fitting default from, when it can (shown by `new --help`).
FITTING_DEFAULTS = {
    "project_name": "DEST's folder name in words",
    "author_name": "git config user.name",
    "author_email": "git config user.email",
}


def _user_defaults(dest: Path) -> dict[str, Any]:
    """Defaults that fit this user and folder (stored as answers, so updates repeat them)."""
    parent = dest.parent
    while not parent.is_dir():
        parent = parent.parent
    found: dict[str, Any] = _git_identity(parent)
    name = project_name_for(dest)
    if name:
        found["project_name"] = name
    return found


def _why(rec: Recommendation | None, framework: str, chosen: bool) -> list[str]:
    if not chosen and rec is not None:
        why = [r.text for r in rec.reasons]
        if rec.near_tie and rec.tie_breaker:
            why.append(rec.tie_breaker)
        return why
    why = [f"Chosen explicitly (scaffold new --framework {framework})."]
    if rec is not None and rec.framework != framework:
        why.append(f"scaffold recommended {STARTERS[rec.framework].label} for the answers given.")
    return why


def _first_walk(session: Any, full: dict[str, Any], defaults: bool, fitting: dict) -> Any:
    """Check every given answer; a fitting default the template refuses (say, an odd
    ``git config user.email``) is dropped for the template's own default."""
    from .errors import AnswerRejected

    while True:
        try:
            return session.walk(full, defaults=defaults, user_defaults=fitting)
        except AnswerRejected as error:
            if error.key in full or error.key not in fitting:
                raise
            del fitting[error.key]


def new_project(
    dest: Path | str,
    *,
    framework: str | None = None,
    answers: Mapping[str, Any] | None = None,
    data: Mapping[str, Any] | None = None,
    template: str | None = None,
    vcs_ref: str | None = None,
    defaults: bool = False,
    ask: Asker | None = None,
    git: bool = True,
    install: bool = False,
    on_step: Say = _quiet,
    on_warning: Say = _quiet,
    on_recommendation: Callable[[Recommendation], None] | None = None,
) -> NewProject:
    """Generate a starter project in ``dest`` (a new or empty folder).

    ``framework`` skips the recommendation unless recommendation ``answers`` are
    given too; ``data`` holds template answers (text or values). Everything given
    is checked before anything is rendered; a refused call writes nothing, and an
    interrupted or failed one leaves no ``dest`` behind.
    """
    from . import generate as gen

    dest = Path(dest).expanduser().absolute()
    gen.check_destination(dest)  # before reading the template: a taken folder fails at once
    source = gen.load_template(template, vcs_ref=vcs_ref)
    given = dict(data or {})
    if "framework" in given:
        raise InputError("choose the framework with --framework, not --data framework=...")
    warnings: list[str] = []  # about the template: said once the input has passed
    with gen.claimed(dest):
        ref = gen.template_ref(source, vcs_ref, warnings.append)
        with gen.open_template(source, dest, ref) as session:
            given = session.check_data(given)
            rec = None
            if framework is None or answers:
                rec = recommend(answers, defaults=defaults, ask=ask)
            chosen = framework is not None
            framework = framework or rec.framework  # type: ignore[union-attr]
            full = {"framework": framework, "why_framework": _why(rec, framework, chosen), **given}
            fitting = _user_defaults(dest)
            # Every answer given is checked (with the template's validators) before anything
            # is printed about rendering and before a question is asked.
            walk = _first_walk(session, full, defaults, fitting)
            if walk.missing and not defaults and ask is None:
                raise MissingAnswers(
                    walk.missing,
                    hint="give them with --data KEY=VALUE or --data-file, or use --defaults",
                )
            for warning in warnings:
                on_warning(warning)
            if chosen and rec is None:
                on_step(
                    f"Using {STARTERS[framework].label} as given; the recommendation is skipped"
                )
            elif chosen and rec is not None and rec.framework != framework:
                on_warning(
                    f"--framework {framework} overrides the recommendation ({rec.framework})"
                )
            elif rec is not None and on_recommendation is not None:
                on_recommendation(rec)
            if walk.missing and not defaults:
                walk = session.walk(full, ask=ask, user_defaults=fitting)
            made = gen.write_project(session, dest, walk.answers, git=git, step=on_step)
        installed_with = None
        failed: ScaffoldError | None = None
        if install:
            from .install import install as install_project

            on_step(f"Installing the project into {made.path / '.venv'}")
            try:
                installed_with = install_project(made.path)
            except Interrupted:
                raise
            except ScaffoldError as error:  # the project is whole: it stays (the error says so)
                failed = error
    if failed is not None:
        raise failed
    return NewProject(
        path=made.path,
        framework=made.framework,
        recommendation=rec,
        answers={k: v for k, v in made.answers.items() if not k.startswith("_")},
        src_path=made.src_path,
        template_commit=made.template_commit,
        git_commit=made.git_commit,
        installed_with=installed_with,
    )


def template_answers(
    template: str | None = None, framework: str = "django"
) -> list[dict[str, Any]]:
    """The template's answers a user can give (``-d KEY=VALUE``): key, help, type, choices,
    default, and whether it is asked for ``framework``.

    Read from the template itself, so a new question needs no change here.
    """
    from . import generate as gen

    source = gen.load_template(template)
    placeholder = Path.cwd() / "my-site"
    with gen.open_template(source, placeholder, gen.template_head(source)[0]) as session:
        described = session.describe({"framework": framework, "why_framework": []})
    for entry in described:
        entry["default_from"] = FITTING_DEFAULTS.get(entry["key"])
    return described
