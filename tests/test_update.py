"""Updating generated projects with real git and real Copier (``scaffold.update``).

A temporary template repository is built once per session from this repository's
template files as they are in the working tree (``copier.yml``, ``questions/``,
``templates/``), so it works before they are committed:

- ``v1``: the templates as they are (version A);
- ``v1.1``: v1 plus (a) a line appended to the settings module (far from the line
  the user edits), (b) a new file ``docs/upgrading.md``, (c) ``.env.example``
  removed;
- ``v2``: v1.1 plus (d) a change to the very setting line the user changes
  (version B: a conflict);
- ``v3.0.0a1`` on a side branch: v2 plus files Copier cannot render (an update that
  fails midway). A pre-release, so plain Copier never picks it;
- ``v2.1.0rc1`` on another side branch: v2 plus many files (an update slow enough
  to interrupt while Copier writes).

Projects are generated from v1 once per framework and copied for each test.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import yaml

from scaffold.errors import ProjectStateError, TemplateError
from scaffold.generate import copier_update
from scaffold.update import check_update, find_conflicts, restore, update_project
from tests.support.procs import install_project, run, uv_binary

# Slow: builds tagged template repositories and runs Copier's updates.
pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_PATHS = ("copier.yml", "questions", "templates")
IDENTITY = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
}
TEMPLATE_NOTE = 'TEMPLATE_NOTE = "added in template v1.1"'
UPGRADING = "# Upgrading\n\nRun `scaffold update`, review `git diff`, run the tests, commit.\n"
NEW_DEPENDENCY = '"humanize>=4.9",'
SCAFFOLD = [sys.executable, "-m", "scaffold"]
MANY_FILES = 1500


def git(cwd: Path, *args: str) -> str:
    return run(["git", *args], cwd=cwd, env=IDENTITY, timeout=120).stdout


# ---------------------------------------------------------------- the starters


@dataclass(frozen=True)
class Starter:
    """Where each starter keeps what the scenario edits (paths as rendered with the
    default answers: package ``my_site``)."""

    framework: str
    settings_template: str  # under templates/<framework>/
    settings: str
    setting: str  # a whole line of the settings module
    user_setting: str  # the user's version of it
    view_files: dict[str, str]  # the user's new view and its test
    wire_file: str  # where the user plugs the view in
    wire: Callable[[str], str] = field(repr=False)

    def template_dir(self, repo: Path) -> Path:
        return repo / "templates" / self.framework


def _append(text: str) -> Callable[[str], str]:
    return lambda source: source.rstrip("\n") + "\n" + text


def _before_return_app(source: str) -> str:
    anchor = "\n    return app\n"
    assert source.count(anchor) == 1, "create_app() must end with `return app`"
    plug = "\n    from .ping import bp as ping_bp\n\n    app.register_blueprint(ping_bp)\n"
    return source.replace(anchor, plug + anchor)


DJANGO = Starter(
    framework="django",
    settings_template="config/settings.py.jinja",
    settings="config/settings.py",
    setting='DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)',
    user_setting='DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)',
    view_files={
        "config/ping.py": '"""The user\'s own view: a liveness probe."""\n\n'
        "from django.http import JsonResponse\nfrom django.urls import path\n\n\n"
        'def ping(request):\n    return JsonResponse({"ping": "pong"})\n\n\n'
        'urlpatterns = [path("", ping, name="ping")]\n',
        "tests/test_ping.py": "def test_ping(client):\n"
        '    assert client.get("/ping/").json() == {"ping": "pong"}\n',
    },
    wire_file="config/urls.py",
    wire=_append('\nurlpatterns += [path("ping/", include("config.ping"))]\n'),
)
FLASK = Starter(
    framework="flask",
    settings_template="{{ package_name }}/config.py.jinja",
    settings="my_site/config.py",
    setting="    ARTICLES_PER_PAGE = 20",
    user_setting="    ARTICLES_PER_PAGE = 10",
    view_files={
        "my_site/ping.py": '"""The user\'s own view: a liveness probe."""\n\n'
        "from flask import Blueprint\n\n"
        'bp = Blueprint("ping", __name__)\n\n\n'
        '@bp.get("/ping/")\ndef ping() -> dict[str, str]:\n    return {"ping": "pong"}\n',
        "tests/test_ping.py": "def test_ping(client):\n"
        '    assert client.get("/ping/").get_json() == {"ping": "pong"}\n',
    },
    wire_file="my_site/__init__.py",
    wire=_before_return_app,
)
STARTERS = {s.framework: s for s in (DJANGO, FLASK)}
FRAMEWORKS = pytest.mark.parametrize("starter", [DJANGO, FLASK], ids=["django", "flask"])


def removed_file(framework: str) -> str:
    """(c): a template file no test of the project needs and no user touches."""
    return ".env.example"


# ------------------------------------------------------- the template repository


def copy_working_tree_templates(dest: Path) -> None:
    dest.mkdir(parents=True, exist_ok=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".DS_Store")
    for name in TEMPLATE_PATHS:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, dest / name, ignore=ignore)
        else:
            shutil.copy2(source, dest / name)


def export_committed_templates(commit: str, dest: Path) -> None:
    """The template files as this repository held them at ``commit``."""
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(
        ["git", "archive", "--format=tar", commit, *TEMPLATE_PATHS],
        cwd=REPO, capture_output=True, check=True,
    )  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)


def commit_all(repo: Path, message: str, tag: str | None = None) -> str:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message)
    if tag:
        git(repo, "tag", tag)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(path: Path, change: Callable[[str], str]) -> None:
    before = path.read_text("utf-8")
    after = change(before)
    assert after != before, f"the edit of {path} changed nothing"
    path.write_text(after, "utf-8")


def replace_line(old: str, new: str) -> Callable[[str], str]:
    def change(text: str) -> str:
        lines = text.split("\n")
        assert lines.count(old) == 1, f"expected the line {old!r} once (see Starter above)"
        return "\n".join(new if line == old else line for line in lines)

    return change


def build_template_repo(repo: Path) -> Path:
    copy_working_tree_templates(repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit_all(repo, "Version A", "v1")
    for starter in STARTERS.values():
        root = starter.template_dir(repo)
        edit(root / starter.settings_template, _append(f"\n\n{TEMPLATE_NOTE}\n"))  # (a)
        (root / "docs").mkdir(exist_ok=True)
        (root / "docs" / "upgrading.md").write_text(UPGRADING)  # (b)
        removed = root / f"{removed_file(starter.framework)}.jinja"  # (c)
        assert removed.is_file(), f"{removed} is missing from the {starter.framework} template"
        removed.unlink()
    commit_all(repo, "Version 1.1: (a) (b) (c)", "v1.1")
    for starter in STARTERS.values():
        edit(
            starter.template_dir(repo) / starter.settings_template,
            replace_line(starter.setting, f"{starter.setting}  # changed in template v2"),
        )  # (d)
    commit_all(repo, "Version B: (d)", "v2")
    git(repo, "switch", "--quiet", "-c", "broken")
    for starter in STARTERS.values():
        root = starter.template_dir(repo)
        for name in ("a", "m", "z"):
            (root / f"{name}_new.txt").write_text("new in the broken version\n")
        (root / "zz_broken").mkdir()
        (root / "zz_broken" / "broken.txt.jinja").write_text(
            "{{ project_name | no_such_filter }}\n"
        )
        (root / "yy_broken.txt.jinja").write_text("{% if %}\n")
    commit_all(repo, "A version Copier cannot render", "v3.0.0a1")
    git(repo, "switch", "--quiet", "-c", "big", "v2")
    for starter in STARTERS.values():
        many = starter.template_dir(repo) / "many"
        many.mkdir()
        for number in range(MANY_FILES):
            (many / f"file_{number:04}.txt").write_text(f"{number}\n")
    commit_all(repo, "A version that takes a while to write", "v2.1.0rc1")
    git(repo, "switch", "--quiet", "main")
    return repo


_BUILT: dict[str, Path] = {}


def session_dir(factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]) -> Path:
    """Build once per session, shared by this module and test_cli_update.py."""
    key = f"{factory.getbasetemp()}:{name}"
    if key not in _BUILT:
        _BUILT[key] = build(factory.mktemp(name))
    return _BUILT[key]


def generate(template: Path | str, dest: Path, framework: str, ref: str = "v1") -> Path:
    proc = run(
        [*SCAFFOLD, "new", str(dest), "--template", str(template), "--vcs-ref", ref,
         "--framework", framework, "--defaults", "--quiet",
         "-d", "project_name=My Site"],  # the package my_site, whatever the folder's name
        env={**IDENTITY, "CI": "true"}, timeout=300,
    )  # fmt: skip
    assert (dest / ".copier-answers.yml").is_file(), proc.stderr
    return dest


def pristine(factory: pytest.TempPathFactory, framework: str) -> Path:
    repo = session_dir(factory, "template-repo", build_template_repo)
    return session_dir(
        factory, f"pristine-{framework}", lambda d: generate(repo, d / "project", framework)
    )


def fresh_copy(factory: pytest.TempPathFactory, framework: str, dest: Path) -> Path:
    shutil.copytree(pristine(factory, framework), dest, symlinks=True)
    return dest


@pytest.fixture
def make_project(tmp_path_factory, tmp_path) -> Callable[[str], Path]:
    """A project generated from v1, its own copy for this test."""

    def make(framework: str = "django") -> Path:
        return fresh_copy(tmp_path_factory, framework, tmp_path / f"{framework}-project")

    return make


def user_edits(project: Path, starter: Starter, *, change_setting: bool = True) -> None:
    """What a user does after generation: a new view (and its test), a changed
    setting, a new dependency; then commits."""
    for name, text in starter.view_files.items():
        (project / name).parent.mkdir(parents=True, exist_ok=True)
        (project / name).write_text(text)
    edit(project / starter.wire_file, starter.wire)
    if change_setting:
        edit(project / starter.settings, replace_line(starter.setting, starter.user_setting))
    edit(
        project / "pyproject.toml",
        lambda text: re.sub(
            r"^dependencies = \[\n", f"dependencies = [\n  {NEW_DEPENDENCY}\n", text, count=1,
            flags=re.M,
        ),
    )  # fmt: skip
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "My changes")


def snapshot(project: Path) -> dict[str, object]:
    """Every file's bytes (and mode) outside .git, plus git's view of the tree."""
    files: dict[str, object] = {}
    for path in sorted(project.rglob("*")):
        rel = path.relative_to(project)
        if rel.parts[0] == ".git" or path.is_dir():
            continue
        files[rel.as_posix()] = (path.stat().st_mode, path.read_bytes())
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all", "--ignored"],
        cwd=project, capture_output=True, text=True, check=False,
    ).stdout  # fmt: skip
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=project, capture_output=True, text=True, check=False
    ).stdout
    return {"files": files, "status": status, "head": head}


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def conflict_sides(text: str) -> tuple[str, str]:
    """The project's side and the template's side of the first inline conflict."""
    match = re.search(
        r"^<<<<<<< before updating\n(.*?)^=======\n(.*?)^>>>>>>> after updating$",
        text, re.M | re.S,
    )  # fmt: skip
    assert match, f"no conflict markers in:\n{text}"
    return match[1], match[2]


# ---------------------------------------------------------------- the scenario


@FRAMEWORKS
def test_update_keeps_user_edits_applies_template_changes_and_reports_the_conflict(
    make_project, starter
):
    project = make_project(starter.framework)
    env_before = (project / ".env").read_bytes()
    user_edits(project, starter)
    user_files = {name: (project / name).read_text() for name in starter.view_files}
    wired = (project / starter.wire_file).read_text()

    result = update_project(project, to="v2")

    assert result.status == "conflicts"
    assert result.conflicts == [starter.settings]
    assert result.old_version == "v1"
    assert result.new_version == answers(project)["_commit"] == "v2"
    # The user's edits are all there.
    for name, text in user_files.items():
        assert (project / name).read_text() == text
    assert (project / starter.wire_file).read_text() == wired
    assert NEW_DEPENDENCY in (project / "pyproject.toml").read_text()
    assert (project / ".env").read_bytes() == env_before  # the secret key is kept
    # (a) merged into the file the user also edited, (b) added, (c) removed.
    settings = (project / starter.settings).read_text()
    assert TEMPLATE_NOTE in settings
    assert (project / "docs" / "upgrading.md").read_text() == UPGRADING
    assert not (project / removed_file(starter.framework)).exists()
    # (d): both versions of the line are kept, between markers, for the user to pick.
    ours, theirs = conflict_sides(settings)
    assert ours == starter.user_setting + "\n"
    assert theirs == f"{starter.setting}  # changed in template v2\n"
    # Nothing committed: HEAD is still the user's commit; git shows the conflict.
    assert git(project, "log", "-1", "--format=%s").strip() == "My changes"
    assert f"UU {starter.settings}" in git(project, "status", "--porcelain")


def test_update_without_conflict_applies_everything_and_commits_nothing(make_project):
    project = make_project("django")
    user_edits(project, DJANGO)
    result = update_project(project, to="v1.1")
    assert result.status == "updated"
    assert result.conflicts == []
    changed = dict((name, code) for code, name in result.changed)
    assert changed["docs/upgrading.md"] == "??"
    assert changed[".env.example"].strip() == "D"
    assert changed[DJANGO.settings].strip() == "M"
    settings = (project / DJANGO.settings).read_text()
    assert DJANGO.user_setting in settings and TEMPLATE_NOTE in settings
    assert "config/settings.py" in result.diff_stat
    assert git(project, "log", "-1", "--format=%s").strip() == "My changes"


def test_a_file_the_template_drops_is_kept_when_the_user_changed_it(make_project):
    """Copier deletes it regardless; scaffold puts it back and reports it."""
    project = make_project("django")
    example = project / ".env.example"
    example.write_text(example.read_text() + "SENTRY_DSN=\n")
    git(project, "commit", "--quiet", "-am", "Document SENTRY_DSN")
    mine = example.read_bytes()
    result = update_project(project, to="v1.1")
    assert example.read_bytes() == mine
    assert result.kept == [".env.example"]
    assert result.status == "conflicts"
    assert ".env.example" in result.conflicts
    assert (project / "docs" / "upgrading.md").is_file()  # the rest is applied


def test_conflicts_as_rej_files(make_project):
    project = make_project("django")
    user_edits(project, DJANGO)
    result = update_project(project, to="v2", conflict="rej")
    assert result.status == "conflicts"
    assert result.conflicts == [f"{DJANGO.settings}.rej"]
    # The template's version is in the file, the user's hunk in the .rej file.
    settings = (project / DJANGO.settings).read_text()
    assert "<<<<<<<" not in settings
    assert f"{DJANGO.setting}  # changed in template v2" in settings
    assert TEMPLATE_NOTE in settings
    assert DJANGO.user_setting in (project / f"{DJANGO.settings}.rej").read_text()


def test_up_to_date_project_is_left_alone(make_project):
    project = make_project("flask")
    before = snapshot(project)
    result = update_project(project, to="v1")
    assert result.status == "up-to-date"
    assert result.changed == []
    assert snapshot(project) == before


def test_update_defaults_to_the_template_head(make_project, template_repo):
    project = make_project("flask")
    result = update_project(project)  # HEAD of main: v2
    assert result.new_version == "v2"
    assert result.status == "updated"  # no user edits: nothing to conflict with
    assert f"{FLASK.setting}  # changed in template v2" in (project / FLASK.settings).read_text()


def test_a_failure_midway_leaves_the_project_byte_for_byte_as_it_was(make_project, tmp_path):
    project = make_project("django")
    user_edits(project, DJANGO)
    # Copier alone stops halfway: files rendered before the broken one are written
    # over the user's (their edits are merged back only at the end).
    alone = tmp_path / "copier-alone"
    shutil.copytree(project, alone, symlinks=True)
    with pytest.raises(Exception, match=r"no_such_filter|Expected an expression"):
        copier_update(alone, {}, vcs_ref="v3.0.0a1")
    assert git(alone, "status", "--porcelain", "--untracked-files=all").strip()

    before = snapshot(project)
    with pytest.raises(TemplateError, match="the project is unchanged"):
        update_project(project, to="v3.0.0a1")
    assert snapshot(project) == before


def test_sigterm_while_copier_writes_restores_the_project(make_project):
    project = make_project("flask")
    user_edits(project, FLASK)
    before = snapshot(project)
    proc = subprocess.Popen(
        [*SCAFFOLD, "update", str(project), "--to", "v2.1.0rc1"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while not (project / "many").exists() and proc.poll() is None:
        assert time.monotonic() < deadline, "Copier never started writing"
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert stderr.strip() == "Error: interrupted; the project is back as it was before"
    assert snapshot(project) == before


def test_restore_undoes_every_kind_of_change(make_project):
    """What Copier may leave after a failure: edits, deletions, new files and
    folders, a staged file, an unmerged file. Ignored files (.env) are kept."""
    project = make_project("django")
    before = snapshot(project)
    head = git(project, "rev-parse", "HEAD").strip()
    (project / "README.md").write_text("half written")
    (project / "manage.py").unlink()
    (project / "new_dir").mkdir()
    (project / "new_dir" / "file.py").write_text("x = 1\n")
    (project / "staged.txt").write_text("staged")
    git(project, "add", "staged.txt")
    settings = project / DJANGO.settings
    blob = git(project, "hash-object", "-w", str(settings)).strip()
    subprocess.run(
        ["git", "update-index", "--index-info"],
        input=f"0 {'0' * 40}\t{DJANGO.settings}\n100644 {blob} 2\t{DJANGO.settings}\n"
        f"100644 {blob} 3\t{DJANGO.settings}\n",
        cwd=project, text=True, check=True,
    )  # fmt: skip
    assert f"AA {DJANGO.settings}" in git(project, "status", "--porcelain")
    restore(project, head)
    assert snapshot(project) == before


# -------------------------------------------------------------------- refusals


def _commit_changes(project: Path) -> None:
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "change")


REFUSALS = [
    # (id, how the project is spoiled, expected error, words in the message)
    ("no-answers-file", lambda p: ((p / ".copier-answers.yml").unlink(), _commit_changes(p)),
     ProjectStateError, "not a generated project"),
    ("not-git", lambda p: shutil.rmtree(p / ".git"), ProjectStateError, "not a git repository"),
    ("modified-file", lambda p: (p / "README.md").write_text("edited"), ProjectStateError,
     "uncommitted changes (README.md)"),
    ("untracked-file", lambda p: (p / "notes.txt").write_text("mine"), ProjectStateError,
     "uncommitted changes (notes.txt)"),
    ("staged-file", lambda p: ((p / "a.txt").write_text("x"), git(p, "add", "a.txt")),
     ProjectStateError, "uncommitted changes (a.txt)"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spoil", "error", "words"),
    [r[1:] for r in REFUSALS],
    ids=[r[0] for r in REFUSALS],
)
def test_refusals_leave_the_project_as_it_was(make_project, spoil, error, words):
    project = make_project("django")
    spoil(project)
    before = snapshot(project)
    with pytest.raises(error) as caught:
        update_project(project, to="v2")
    assert words in str(caught.value)
    assert "\n" not in str(caught.value)
    assert snapshot(project) == before


def _set_answer(project: Path, key: str, value: str) -> None:
    path = project / ".copier-answers.yml"
    path.write_text(re.sub(rf"^{key}: .*$", f"{key}: {value}", path.read_text(), flags=re.M))
    _commit_changes(project)


def test_template_that_cannot_be_reached(make_project, tmp_path):
    project = make_project("django")
    _set_answer(project, "_src_path", str(tmp_path / "moved-away"))
    before = snapshot(project)
    with pytest.raises(TemplateError, match=r"cannot reach the template .* no such folder"):
        update_project(project)
    with pytest.raises(TemplateError, match="cannot reach"):
        check_update(project)
    assert snapshot(project) == before


def test_remote_template_that_cannot_be_reached(make_project, tmp_path):
    project = make_project("django")
    _set_answer(project, "_src_path", f"git+file://{tmp_path}/no-such-repo.git")
    before = snapshot(project)
    with pytest.raises(TemplateError, match="cannot reach the template"):
        update_project(project)
    assert snapshot(project) == before


def test_unknown_recorded_version_is_refused(make_project):
    project = make_project("django")
    _set_answer(project, "_commit", "v0.9-3-gdeadbee")
    before = snapshot(project)
    with pytest.raises(ProjectStateError, match="uncommitted template changes"):
        update_project(project)
    assert snapshot(project) == before


# ---------------------------------------------------------------- check-update


def test_check_update_compares_recorded_and_newest_versions(make_project, template_repo):
    project = make_project("flask")
    check = check_update(project)
    assert (check.current, check.latest, check.update_available) == ("v1", "v2", True)
    assert check.src_path == str(template_repo)
    assert check.latest_sha == git(template_repo, "rev-parse", "v2").strip()
    _set_answer(project, "_commit", "v2")  # as `scaffold update` records it (tested above)
    assert check_update(project).update_available is False
    # A project ahead of the checkout (generated from a newer branch) is not behind.
    _set_answer(project, "_commit", "v3.0.0a1")
    assert check_update(project).update_available is False


def test_remote_template_newest_tag(make_project, template_repo):
    """A git URL: the newest version is the newest release tag (as Copier picks)."""
    project = make_project("django")
    _set_answer(project, "_src_path", f"git+file://{template_repo}")
    check = check_update(project)
    assert (check.current, check.latest, check.update_available) == ("v1", "v2", True)
    result = update_project(project)
    assert (result.status, result.new_version) == ("updated", "v2")
    assert answers(project)["_src_path"] == f"git+file://{template_repo}"


def test_find_conflicts_ignores_markers_the_user_committed(make_project):
    project = make_project("django")
    (project / "doc.md").write_text("<<<<<<< example\n=======\n>>>>>>> example\n")
    _commit_changes(project)
    assert find_conflicts(project, "inline") == []


# ------------------------------------------------------------------ slow tests


@pytest.mark.slow
@FRAMEWORKS
def test_updated_project_passes_its_own_tests(make_project, starter):
    project = make_project(starter.framework)
    user_edits(project, starter)
    result = update_project(project, to="v1.1")
    assert result.status == "updated", result.conflicts
    bindir = install_project(project)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    run([bindir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, timeout=900)  # fmt: skip
    run([bindir / "python", "-c", "import humanize"], cwd=project)  # the user's dependency


def _earlier_template_commit(framework: str) -> str | None:
    """The newest commit before the latest change to this starter at which it was
    already a runnable project (a pyproject.toml and tests)."""
    log = subprocess.run(
        ["git", "log", "--format=%H", "--", f"templates/{framework}", "templates/includes",
         "copier.yml", "questions"],
        cwd=REPO, capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    for commit in log[1:]:
        listing = subprocess.run(
            ["git", "ls-tree", "-r", "--name-only", commit, f"templates/{framework}"],
            cwd=REPO, capture_output=True, text=True, check=True,
        ).stdout.splitlines()  # fmt: skip
        names = {Path(p).name for p in listing}
        if "pyproject.toml.jinja" in names and any(p.startswith("test_") for p in names):
            return commit
    return None


@pytest.mark.slow
@FRAMEWORKS
def test_project_from_an_earlier_template_commit_updates_to_the_current_one(tmp_path, starter):
    earlier = _earlier_template_commit(starter.framework)
    if earlier is None:
        pytest.skip(f"no earlier runnable {starter.framework} template in the history yet")
    repo = tmp_path / "template"
    export_committed_templates(earlier, repo)
    git(repo, "init", "--quiet", "--initial-branch=main")
    commit_all(repo, f"templates at {earlier[:12]}", "v1")
    for name in TEMPLATE_PATHS:
        shutil.rmtree(repo / name) if (repo / name).is_dir() else (repo / name).unlink()
    copy_working_tree_templates(repo)
    commit_all(repo, "templates now", "v2")
    project = generate(repo, tmp_path / "project", starter.framework)
    (project / "tests" / "test_my_notes.py").write_text("def test_mine():\n    assert True\n")
    _commit_changes(project)

    result = update_project(project, to="v2")
    assert result.status in ("updated", "up-to-date"), result.conflicts
    assert answers(project)["_commit"] == "v2"
    assert (project / "tests" / "test_my_notes.py").is_file()
    bindir = install_project(project)
    run([bindir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, timeout=900)  # fmt: skip


@pytest.mark.slow
def test_plain_copier_update_without_scaffold_or_trust(make_project, tmp_path, template_repo):
    """`copier update --defaults` in a generated project, with a Copier installed on
    its own (no scaffold in that environment), and no --trust."""
    import copier

    venv = tmp_path / "copier-only"
    run([uv_binary(), "venv", "--quiet", str(venv)], timeout=120)
    run([uv_binary(), "pip", "install", "--quiet", "--python", str(venv / "bin" / "python"),
         f"copier=={copier.__version__}"], timeout=600)  # fmt: skip
    no_scaffold = run([venv / "bin" / "python", "-c", "import scaffold"], check=False)
    assert no_scaffold.returncode != 0
    project = make_project("django")
    proc = run([venv / "bin" / "copier", "update", "--defaults"], cwd=project,
               env={**IDENTITY, "PYTHONPATH": ""}, timeout=300)  # fmt: skip
    assert proc.returncode == 0
    assert answers(project)["_commit"] == "v2"  # the newest release tag
    assert (project / "docs" / "upgrading.md").is_file()
    assert not (project / ".env.example").exists()
    assert f"{DJANGO.setting}  # changed in template v2" in (project / DJANGO.settings).read_text()
