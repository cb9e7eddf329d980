"""Keep a generated project up to date with its template (``scaffold update``,
``scaffold check-update``).

The project's ``.copier-answers.yml`` records where the template lives
(``_src_path``, its git URL) and which release rendered it (``_commit``, a tag
``vX.Y.Z``; a ``git describe`` for a project made from a local checkout). Updates go
to the newest release tag unless told otherwise.
Everything Copier would refuse, or silently get wrong, is checked here first and
reported in one line; Copier itself runs through ``generate.copier_update``.
Copier exits normally when conflicts remain, so the tree is inspected afterwards.
Whatever goes wrong once Copier has started, the project is put back exactly as
it was: the update never commits, and never leaves half an update behind.

No click and no copier here (``generate`` imports copier lazily).
"""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import (
    ExternalCommandError,
    InputError,
    Interrupted,
    ProjectStateError,
    ScaffoldError,
    TemplateError,
)
from .generate import (
    ANSWERS_FILE,
    Template,
    copier_environment,
    copier_update,
    is_remote,
    load_template,
    read_answers,
)
from .vcs import fetch_url_from, git, run_git, signals_ignored, sigterm_as_interrupt

CONFLICT_MODES = ("inline", "rej")
_DESCRIBE = re.compile(r"^(?P<tag>.+)-(?P<count>\d+)-g(?P<sha>[0-9a-f]+)$")
_MAX_NAMED = 10


# ------------------------------------------------------------------- the project


@dataclass(frozen=True)
class Project:
    """A generated project as its answers file describes it."""

    path: Path
    answers: dict[str, Any]

    @property
    def src_path(self) -> str:
        return str(self.answers.get("_src_path") or "")

    @property
    def commit(self) -> str:
        return str(self.answers.get("_commit") or "")

    @property
    def framework(self) -> str:
        return str(self.answers.get("framework") or "")


def _shown(paths: list[str]) -> str:
    names = ", ".join(paths[:_MAX_NAMED])
    more = len(paths) - _MAX_NAMED
    return f"{names} and {more} more" if more > 0 else names


def read_project(path: Path | str) -> Project:
    """The project at ``path``; refuse a folder Copier did not generate."""
    path = Path(path).expanduser().absolute()
    if not path.is_dir():
        what = "is not a folder" if path.exists() else "does not exist"
        raise ProjectStateError(f"{str(path)!r} {what}; give the path of a generated project")
    if not (path / ANSWERS_FILE).is_file():
        raise ProjectStateError(
            f"{str(path)!r} is not a generated project (no {ANSWERS_FILE}); "
            "run this in the folder `scaffold new` created"
        )
    answers = read_answers(path)
    if not answers.get("_src_path"):
        raise ProjectStateError(
            f"{ANSWERS_FILE} in {str(path)!r} records no template source (_src_path); "
            "the project cannot be updated"
        )
    if not answers.get("_commit"):
        raise ProjectStateError(
            f"{ANSWERS_FILE} in {str(path)!r} records no template version (_commit): "
            "it was generated from a template that was not a git repository, so Copier "
            "cannot tell what changed"
        )
    return Project(path, answers)


def _status(project: Path, *extra: str) -> list[tuple[str, str]]:
    """``(XY, path)`` for every change under ``project``, paths relative to it."""
    args = ("-c", "core.quotePath=false", "status", "--porcelain=v1", "-z", *extra, "--", ".")
    out = run_git(*args, cwd=project)
    if out.returncode != 0:
        raise ExternalCommandError(f"git status failed in {project}: {out.stderr.strip()}")
    top = git("rev-parse", "--show-prefix", cwd=project)
    entries: list[tuple[str, str]] = []
    fields = out.stdout.split("\0")
    i = 0
    while i < len(fields):
        entry = fields[i]
        i += 1
        if len(entry) < 4:
            continue
        code, name = entry[:2], entry[3:]
        if code[0] in "RC":  # renames and copies carry the old name next
            i += 1
        entries.append((code, name[len(top) :] if top and name.startswith(top) else name))
    return entries


def check_git_state(project: Project) -> str:
    """Refuse a project that is not in git, has no commit, or has uncommitted
    changes (untracked files count). Returns the HEAD commit."""
    path = project.path
    inside = run_git("rev-parse", "--is-inside-work-tree", cwd=path)
    if inside.returncode != 0 or inside.stdout.strip() != "true":
        raise ProjectStateError(
            f"{str(path)!r} is not a git repository: Copier updates only git projects; "
            'run `git init && git add --all && git commit -m "Initial commit"` there first'
        )
    head = git("rev-parse", "--verify", "--quiet", "HEAD", cwd=path, check=False)
    if not head:
        raise ProjectStateError(
            f"{str(path)!r} has no commit yet; commit the project first "
            '(`git add --all && git commit -m "Initial commit"`)'
        )
    dirty = [name for _code, name in _status(path, "--untracked-files=all")]
    if dirty:
        raise ProjectStateError(
            f"the project has uncommitted changes ({_shown(dirty)}); commit or stash them "
            "first, so that the update can be reviewed and undone on its own"
        )
    return head


# ------------------------------------------------------------------ the template


def _git_url(src: str) -> str:
    """What ``git ls-remote`` understands for a Copier source (``gh:``, ``git+``...)."""
    for alias, host in (("gh:", "https://github.com/"), ("gl:", "https://gitlab.com/")):
        if src.startswith(alias):
            return host + src[len(alias) :].lstrip("/")
    return src[4:] if src.startswith("git+") else src


def _ls_remote(src: str, where: str) -> tuple[dict[str, str], str | None]:
    """``({tag: commit sha}, HEAD's sha)`` of a remote template; TemplateError if
    unreachable."""
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    env.setdefault("GIT_SSH_COMMAND", "ssh -o BatchMode=yes")
    try:
        proc = subprocess.run(
            ["git", "ls-remote", _git_url(src), "HEAD", "refs/tags/*"],
            capture_output=True,
            text=True,
            check=False,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        raise TemplateError(
            f"the template {src} did not answer within 120 s; check the network and retry"
        ) from None
    except FileNotFoundError:
        raise ExternalCommandError("git is not installed; install git") from None
    if proc.returncode != 0:
        detail = (proc.stderr.strip().splitlines() or ["no answer"])[-1]
        raise TemplateError(f"{where}: {detail}")
    tags: dict[str, str] = {}
    head = None
    for line in proc.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == "HEAD":
            head = sha
        if not ref.startswith("refs/tags/"):
            continue
        name = ref[len("refs/tags/") :]
        if name.endswith("^{}"):  # the commit an annotated tag points to wins
            tags[name[:-3]] = sha
        else:
            tags.setdefault(name, sha)
    return tags, head


def _version(describe: str) -> Any:
    """The PEP 440 version Copier derives from a ``git describe`` (None if none)."""
    from packaging.version import InvalidVersion, Version

    match = _DESCRIBE.match(describe)
    text = f"{match['tag']}.post{match['count']}+{match['sha']}" if match else describe
    try:
        return Version(text)
    except InvalidVersion:
        return None


def _newest_tag(tags: Mapping[str, str]) -> str | None:
    """Copier's default: the newest tag by PEP 440, pre-releases left out."""
    versions = [(v, t) for t in tags if (v := _version(t)) is not None and not v.is_prerelease]
    return max(versions)[1] if versions else None


@dataclass(frozen=True)
class TemplateSource:
    """The template a project records, checked to be reachable."""

    src: str
    local: Path | None
    tags: dict[str, str] = field(default_factory=dict)  # remote only
    head: str | None = None  # remote only: the sha of its HEAD

    def resolve(self, ref: str) -> str | None:
        """Full sha of ``ref`` (a tag, branch, sha or ``git describe``), if known."""
        if self.local is not None:
            sha = git(
                "rev-parse",
                "--verify",
                "--quiet",
                f"{ref}^{{commit}}",
                cwd=self.local,
                check=False,
            )
            return sha or None
        if ref in self.tags:
            return self.tags[ref]
        match = _DESCRIBE.match(ref)
        short = match["sha"] if match else ref
        if re.fullmatch(r"[0-9a-f]{7,40}", short):
            found = [sha for sha in self.tags.values() if sha.startswith(short)]
            return found[0] if found else None
        return None

    def describe(self, sha: str) -> str:
        """How Copier names this commit in ``_commit``."""
        if self.local is not None:
            return git("describe", "--tags", "--always", sha, cwd=self.local, check=False) or sha
        names = sorted(tag for tag, tag_sha in self.tags.items() if tag_sha == sha)
        return names[-1] if names else sha[:7]

    def is_ancestor(self, older: str, newer: str) -> bool:
        if self.local is None:
            return False
        return run_git("merge-base", "--is-ancestor", older, newer, cwd=self.local).returncode == 0

    def known_versions(self) -> list[str]:
        if self.local is not None:
            out = git("tag", "--list", "--sort=-v:refname", cwd=self.local, check=False)
            return out.splitlines()
        return sorted(self.tags)


def open_template(src: str, *, recorded: bool = True) -> TemplateSource:
    """Check that the template (``recorded`` in the answers, or given) can be reached:
    a git checkout or a git URL."""
    where = (
        f"cannot reach the template recorded in {ANSWERS_FILE} ({src})"
        if recorded
        else f"cannot use the template {src}"
    )
    if is_remote(src):
        try:
            return TemplateSource(src, None, *_ls_remote(src, where))
        except TemplateError as error:
            if recorded:  # offline, or the repository moved
                error.message += "; check the network, or pass --template with a local checkout"
                error.message += " of the template or its new URL"
            raise
    path = Path(src).expanduser()
    if not path.is_absolute():
        raise TemplateError(
            f"{where}: a relative path; pass --template with the template's git URL (it is "
            "then recorded) or its absolute folder"
        )
    if not path.is_dir():
        fix = (
            "pass --template with the template's git URL (it is then recorded) or the folder "
            "where it is now"
            if recorded
            else "give a template checkout or a git URL"
        )
        raise TemplateError(f"{where}: no such folder; {fix}")
    if not (path / ".git").exists():
        raise TemplateError(f"{where}: not a git repository, so its versions are unknown")
    if not (path / "copier.yml").is_file():
        raise TemplateError(f"{where}: no copier.yml there")
    return TemplateSource(src, path.resolve())


# ----------------------------------------------------------------- check-update


@dataclass(frozen=True)
class UpdateCheck:
    path: Path
    src_path: str
    current: str  # the project's _commit
    current_sha: str | None
    latest: str  # git describe (local template) or newest tag (remote)
    latest_sha: str | None
    template_dirty: bool = False
    ahead: bool = False  # the project's version descends from the latest one
    note: str = ""  # one line when the template has unreleased commits

    @property
    def update_available(self) -> bool:
        if self.current_sha and self.latest_sha:
            return self.current_sha != self.latest_sha and not self.ahead
        old, new = _version(self.current), _version(self.latest)
        if old is not None and new is not None:
            return new > old
        return self.current != self.latest

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "current": self.current,
            "latest": self.latest,
            "update_available": self.update_available,
            "src_path": self.src_path,
            "current_commit": self.current_sha,
            "latest_commit": self.latest_sha,
            "note": self.note or None,
        }


@dataclass(frozen=True)
class _Newest:
    sha: str | None  # the newest release tag's commit (None: no release tag)
    tag: str | None
    dirty: bool = False  # a local checkout with uncommitted changes
    unreleased: bool = False  # the source's HEAD has commits after that tag


def _newest(source: TemplateSource) -> _Newest:
    """The newest release: the highest PEP 440 tag, pre-releases left out (as plain
    ``copier update`` picks), and whether the source's HEAD is past it."""
    if source.local is None:
        tag = _newest_tag(source.tags)
        sha = source.tags[tag] if tag else None
        return _Newest(sha, tag, unreleased=bool(sha and source.head and source.head != sha))
    tags = git("tag", "--list", cwd=source.local, check=False).splitlines()
    tag = _newest_tag(dict.fromkeys(tags, ""))
    head = git("rev-parse", "HEAD", cwd=source.local)
    dirty = bool(git("status", "--porcelain", "--untracked-files=no", cwd=source.local))
    sha = source.resolve(tag) if tag else None
    after = bool(sha) and sha != head and source.is_ancestor(sha or "", head)
    return _Newest(sha, tag, dirty, unreleased=after)


def unreleased_note(source: TemplateSource, newest: _Newest) -> str:
    """One line when the template has commits after its newest release ("" if not)."""
    if not newest.unreleased:
        return ""
    return (
        f"the template {source.src} has commits after {newest.tag} that are not released; "
        f"they are not used (`--to REF` takes them on purpose)"
    )


def _open_source(project: Project, template: str | None) -> TemplateSource:
    """The template the project records, or ``template`` given instead (checked)."""
    if template and not is_remote(template):
        template = str(Path(template).expanduser().resolve())
    source = open_template(template or project.src_path, recorded=not template)
    if template and source.local is not None:
        load_template(str(source.local))  # a scaffold template, not any folder
    return source


def check_update(path: Path | str, *, template: str | None = None) -> UpdateCheck:
    """Compare the project's template version with the newest release available.

    ``template`` replaces the recorded ``_src_path`` (a moved repository, a fork, a
    checkout in CI), exactly as ``update_project(template=...)`` does.
    """
    project = read_project(path)
    source = _open_source(project, template)
    newest = _newest(source)
    if newest.sha is None or newest.tag is None:
        raise TemplateError(
            f"the template {source.src} has no release tag (vX.Y.Z); tag one with "
            "`python -m scaffold.release` in it"
        )
    current_sha = source.resolve(project.commit)
    ahead = bool(current_sha) and source.is_ancestor(newest.sha, current_sha or "")
    return UpdateCheck(
        path=project.path,
        src_path=source.src,
        current=project.commit,
        current_sha=current_sha,
        latest=newest.tag,
        latest_sha=newest.sha,
        template_dirty=newest.dirty,
        ahead=ahead,
        note=unreleased_note(source, newest),
    )


# ----------------------------------------------------------------------- update


@dataclass
class UpdateResult:
    path: Path
    src_path: str
    old_version: str
    new_version: str
    status: str  # "updated" | "conflicts" | "up-to-date"
    conflicts: list[str] = field(default_factory=list)  # kept files included
    kept: list[str] = field(default_factory=list)  # dropped by the template, changed by you
    changed: list[tuple[str, str]] = field(default_factory=list)  # (git status XY, path)
    diff_stat: str = ""
    template_dirty: bool = False
    note: str = ""  # one line when the template has unreleased commits

    def to_dict(self) -> dict[str, Any]:
        return {
            "path": str(self.path),
            "src_path": self.src_path,
            "from": self.old_version,
            "to": self.new_version,
            "status": self.status,
            "conflicts": self.conflicts,
            "kept": self.kept,
            "changed": [{"status": code.strip() or code, "path": p} for code, p in self.changed],
            "committed": False,
            "note": self.note or None,
        }


def _changed_files(path: Path) -> list[tuple[str, str]]:
    return _status(path, "--untracked-files=all")


def keep_edited_removals(path: Path, head: str) -> list[str]:
    """Put back the files Copier deleted because the template dropped them, when
    the user changed them since the last generation or update (Copier deletes
    them regardless). Returns their paths."""
    deleted = [name for code, name in _changed_files(path) if "D" in code]
    if not deleted:
        return []
    base = git("log", "-1", "--format=%H", "--", ANSWERS_FILE, cwd=path, check=False)
    if not base:
        return []
    edited = [
        name
        for name in deleted
        if run_git("diff", "--quiet", base, head, "--", name, cwd=path).returncode == 1
    ]
    if edited:
        git("checkout", head, "--", *edited, cwd=path)
    return edited


def find_conflicts(path: Path, conflict: str) -> list[str]:
    """Files an update left to resolve: unmerged or holding conflict markers
    (``inline``), or ``*.rej`` files (``rej``, ignored ones included)."""
    if conflict == "rej":
        out = git("-c", "core.quotePath=false", "ls-files", "--others", "-z", "--", "*.rej",
                   cwd=path)  # fmt: skip
        return sorted(name for name in out.split("\0") if name)
    unmerged = git("-c", "core.quotePath=false", "diff", "--name-only", "--relative",
                    "--diff-filter=U", cwd=path, check=False)  # fmt: skip
    found = set(unmerged.splitlines())
    for code, name in _changed_files(path):
        file = path / name
        if "D" in code or not file.is_file() or name in found:
            continue
        try:
            text = file.read_bytes()
        except OSError:
            continue
        if re.search(rb"^<{7}( |$)", text, re.M) and re.search(rb"^>{7}( |$)", text, re.M):
            found.add(name)
    return sorted(found)


def restore(path: Path, head: str) -> None:
    """Put the project back at ``head`` with no uncommitted change (it was clean)."""
    if git("rev-parse", "HEAD", cwd=path, check=False) != head:
        git("reset", "--quiet", "--soft", head, cwd=path)
    if not _changed_files(path):
        return
    git("reset", "--quiet", "--", ".", cwd=path, check=False)
    git("checkout", "--quiet", head, "--", ".", cwd=path)
    git("clean", "--quiet", "-d", "--force", "--", ".", cwd=path)


def _checked_data(
    project: Project, source: TemplateSource, data: Mapping[str, Any]
) -> dict[str, Any]:
    data = dict(data)
    if source.local is not None and data:
        template: Template = load_template(str(source.local))
        data = template.check_data(data)
    framework = data.pop("framework", project.framework)
    if framework != project.framework:
        raise InputError(
            f"the framework cannot change after generation ({project.framework} -> "
            f"{framework}): Copier would replace the whole project; generate a new one with "
            f"`scaffold new --framework {framework}` and move your code over"
        )
    return data


@dataclass(frozen=True)
class _Target:
    ref: str | None  # what Copier gets as vcs_ref
    sha: str | None  # the commit, where known
    name: str  # how the version is shown
    template_dirty: bool = False
    note: str = ""


def _target(source: TemplateSource, ref: str | None) -> _Target:
    """The template version to update to: ``ref``, else the newest release tag."""
    if ref is None:
        newest = _newest(source)
        if newest.tag is None:
            raise TemplateError(
                f"the template {source.src} has no release tag (vX.Y.Z) to update to; "
                "pass --to REF"
            )
        return _Target(
            newest.tag, newest.sha, newest.tag, newest.dirty, unreleased_note(source, newest)
        )
    sha = source.resolve(ref)
    if source.local is None:
        return _Target(ref, sha, source.describe(sha) if ref in source.tags and sha else ref)
    if sha is None:
        known = source.known_versions()
        hint = f"tags: {_shown(known)}" if known else "the template has no tags"
        raise InputError(f"unknown template version {ref!r} in {source.src}; {hint}")
    return _Target(sha, sha, source.describe(sha))


@contextlib.contextmanager
def _copier_reads(project: Project, source: TemplateSource, head: str) -> Iterator[None]:
    """Make Copier update from ``source`` when it is not the recorded ``_src_path``.

    A local checkout given for a project that records a URL: git reads the checkout
    in place of the URL, and the URL stays recorded. Any other new source (a URL, a
    moved folder): it is written into ``_src_path`` and committed for Copier (which
    reads the source from the committed answers only), then that commit is dropped
    again, so the change is part of the uncommitted update.
    """
    if source.src == project.src_path:
        yield
        return
    if source.local is not None and is_remote(project.src_path):
        with tempfile.TemporaryDirectory(prefix="scaffold-update-") as tmp:
            env = {**fetch_url_from(project.src_path, source.local), "COPIER_CACHE_DIR": tmp}
            with copier_environment(env):
                yield
        return
    answers = project.path / ANSWERS_FILE
    text = answers.read_text("utf-8")
    line = yaml.safe_dump({"_src_path": source.src}, default_flow_style=False).strip()
    moved, count = re.subn(r"^_src_path:.*$", lambda _: line, text, count=1, flags=re.M)
    if not count:
        raise ProjectStateError(f"{ANSWERS_FILE} has no _src_path line to change")
    answers.write_text(moved, "utf-8")
    git("add", "--", ANSWERS_FILE, cwd=project.path)
    git(*_IDENTITY, "commit", "--quiet", "--no-verify", "-m", "scaffold: template source",
        cwd=project.path)  # fmt: skip
    try:
        yield
    finally:  # HEAD back to the user's commit; the tree and the index stay as they are
        git("update-ref", "HEAD", head, cwd=project.path)


_IDENTITY = ("-c", "user.name=scaffold", "-c", "user.email=scaffold@localhost",
             "-c", "commit.gpgsign=false")  # fmt: skip


def update_project(
    path: Path | str,
    *,
    to: str | None = None,
    data: Mapping[str, Any] | None = None,
    conflict: str = "inline",
    template: str | None = None,
) -> UpdateResult:
    """Update the project at ``path`` to template version ``to`` (default: the newest
    release tag). ``template`` updates from another source than the recorded one (a
    moved repository, a fork, a local checkout in CI); a URL is then recorded.

    Refusals (nothing written): not a generated project or not git
    (``ProjectStateError``), uncommitted changes (``ProjectStateError``), template
    unreachable (``TemplateError``), unknown ``to``, a downgrade, bad ``data`` or a
    framework change (``InputError``). On a failure after Copier started, the project
    is restored and the error raised. Conflicts are returned, not raised: the caller
    reports them (``UpdateConflicts``). Nothing is ever committed.
    """
    if conflict not in CONFLICT_MODES:
        raise InputError(f"--conflict must be one of {', '.join(CONFLICT_MODES)}")
    project = read_project(path)
    head = check_git_state(project)
    source = _open_source(project, template)
    checked = _checked_data(project, source, data or {})
    current_sha = source.resolve(project.commit)
    if source.local is not None and current_sha is None:
        raise ProjectStateError(
            f"the template version this project records ({project.commit}) is not in "
            f"{source.src}; it was probably rendered from uncommitted template changes. "
            f"Set _commit in {ANSWERS_FILE} to the nearest real version and commit"
        )
    target = _target(source, to)
    result = UpdateResult(
        path=project.path,
        src_path=source.src,
        old_version=project.commit,
        new_version=target.name,
        status="up-to-date",
        template_dirty=target.template_dirty,
        note=target.note,
    )
    if target.sha and current_sha and target.sha != current_sha:
        if source.is_ancestor(target.sha, current_sha):
            raise InputError(
                f"template version {target.name} is older than the project's "
                f"({project.commit}); downgrades are not supported"
            )
    elif target.sha and target.sha == current_sha and not checked:
        if source.src != project.src_path and is_remote(source.src):
            raise InputError(
                f"the project is already at {target.name}; to record {source.src} as its "
                f"template, set _src_path in {ANSWERS_FILE} to it and commit"
            )
        return result

    with sigterm_as_interrupt():
        try:
            with _copier_reads(project, source, head):
                copier_update(project.path, checked, vcs_ref=target.ref, conflict=conflict)
        except KeyboardInterrupt:
            with signals_ignored():  # a second Ctrl-C or SIGTERM must not cut it short
                restore(project.path, head)
            raise Interrupted("interrupted; the project is back as it was before") from None
        except ScaffoldError as exc:
            restore(project.path, head)
            exc.message = f"{exc.message} (the project is unchanged)"
            raise
        except Exception as exc:
            restore(project.path, head)
            raise TemplateError(
                f"the update failed ({type(exc).__name__}: {' '.join(str(exc).split())}); "
                "the project is unchanged"
            ) from None

    answers = read_answers(project.path)
    result.new_version = str(answers.get("_commit") or target.name)
    result.kept = keep_edited_removals(project.path, head)
    result.changed = _changed_files(project.path)
    if not result.changed:
        return result
    result.conflicts = sorted({*find_conflicts(project.path, conflict), *result.kept})
    result.status = "conflicts" if result.conflicts else "updated"
    stat = run_git("diff", "--no-color", "--stat", "--relative", "HEAD", cwd=project.path)
    lines = stat.stdout.rstrip().splitlines()
    result.diff_stat = "\n".join(line for line in lines if "| Unmerged" not in line)
    return result
