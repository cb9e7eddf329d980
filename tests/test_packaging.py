"""scaffold as users get it: the built sdist and wheel, installed outside the
repository, generating offline; and the team scenario against a real git server.

The distributions are built once per session (``uv build``) from a copy of this
working tree that also holds what a Quick start leaves in a clone (a project, a
``.env``, a SQLite file, collected static files, byte-code in the templates): none
of it may end up in them.

The team scenario (issue 12): a project made from the wheel with the git server
*stopped* records the server's URL and this release's tag; it is pushed; the
template gets two new releases on the server; a teammate's clone updates with plain
``copier update`` (a venv with only Copier), another with ``scaffold update``, both
keeping the teammate's edits; ``scaffold check-update`` needs only the URL.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tarfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from packaging.version import Version

from scaffold._version import TEMPLATE_URL, __version__
from scaffold.api import template_answers
from scaffold.cli import cli
from scaffold.generate import load_template
from tests.support.procs import run, uv_binary

REPO = Path(__file__).resolve().parents[1]
TEMPLATE_FILES = ("copier.yml", "questions", "templates")
RELEASE = f"v{__version__}"
LITTER = {  # what a Quick start (or a template test) leaves in a clone
    "my-site/.env": "SECRET_KEY=leak\n",
    "my-site/db.sqlite3": "",
    "my-site/README.md": "# My Site\n",
    ".env": "SECRET_KEY=leak\n",
    "db.sqlite3": "",
    "staticfiles/site.css": "body {}\n",
    "templates/flask/db.sqlite3": "",
    "templates/django/__pycache__/x.cpython-311.pyc": "",
    "src/scaffold/__pycache__/cli.cpython-311.pyc": "",
}
IDENTITY = {
    "GIT_AUTHOR_NAME": "Team Mate",
    "GIT_AUTHOR_EMAIL": "mate@example.com",
    "GIT_COMMITTER_NAME": "Team Mate",
    "GIT_COMMITTER_EMAIL": "mate@example.com",
}


def template_files(root: Path) -> set[str]:
    """Every file of the template under ``root`` (copier.yml, questions/, templates/)."""
    found = {"copier.yml"} if (root / "copier.yml").is_file() else set()
    for name in ("questions", "templates"):
        for path in (root / name).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                found.add(path.relative_to(root).as_posix())
    return found


def litter_found(names: set[str]) -> list[str]:
    bad = (".env", ".sqlite3", ".pyc")
    return sorted(
        n
        for n in names
        if n.endswith(bad) or n.startswith(("my-site/", "staticfiles/")) or "/my-site/" in n
    )


# ---------------------------------------------------------------- the distributions

_CACHE: dict[str, object] = {}


def build_dists(factory: pytest.TempPathFactory) -> dict[str, Path]:
    """sdist, the wheel built from it (``uv build``) and the wheel built straight from
    the tree (``pip install .``), from a littered copy of the working tree."""
    if "dists" in _CACHE:
        return _CACHE["dists"]  # type: ignore[return-value]
    clone = factory.mktemp("clone")
    ignore = shutil.ignore_patterns(".git", ".venv", "__pycache__", ".pytest_cache", "*.pyc",
                                    ".ruff_cache", "dist", "build")  # fmt: skip
    shutil.copytree(REPO, clone, ignore=ignore, dirs_exist_ok=True)
    for name, text in LITTER.items():
        (clone / name).parent.mkdir(parents=True, exist_ok=True)
        (clone / name).write_text(text)
    out = factory.mktemp("dist")
    run([uv_binary(), "build", "--quiet", "--out-dir", out / "from-sdist", clone], timeout=300)
    run([uv_binary(), "build", "--quiet", "--wheel", "--out-dir", out / "direct", clone],
        timeout=300)  # fmt: skip
    dists = {
        "sdist": next((out / "from-sdist").glob("*.tar.gz")),
        "wheel": next((out / "from-sdist").glob("*.whl")),
        "direct wheel": next((out / "direct").glob("*.whl")),
    }
    _CACHE["dists"] = dists
    return dists


@pytest.fixture(scope="session")
def dists(tmp_path_factory) -> dict[str, Path]:
    return build_dists(tmp_path_factory)


@pytest.fixture(scope="session")
def installed(dists, tmp_path_factory) -> Path:
    """The wheel installed into a fresh venv outside the repository: its bin folder."""
    venv = tmp_path_factory.mktemp("tool") / "venv"
    run([uv_binary(), "venv", "--quiet", venv], timeout=120)
    run([uv_binary(), "pip", "install", "--quiet", "--python", venv / "bin" / "python",
         dists["wheel"]], timeout=600)  # fmt: skip
    return venv / "bin"


def user_env(home: Path, **extra: str) -> dict[str, str]:
    """A user's environment: no repository on any path, no scaffold settings, own HOME
    and Copier cache, a git identity."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SCAFFOLD_", "GIT_", "COPIER_", "VIRTUAL_ENV", "PYTHON"))
    }
    home.mkdir(parents=True, exist_ok=True)
    env.update(IDENTITY, HOME=str(home), CI="true", COPIER_CACHE_DIR=str(home / "copier-cache"))
    env.update(extra)
    return env


def answers(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


# ------------------------------------------------------ where the template comes from


def test_the_default_is_the_published_url_rendered_from_the_packaged_copy(monkeypatch):
    monkeypatch.delenv("SCAFFOLD_TEMPLATE", raising=False)
    template = load_template()
    # installed from this clone (editable), the packaged copy is the clone itself
    assert (template.src, template.release, template.packaged) == (TEMPLATE_URL, RELEASE, REPO)
    # the questions, read by Copier from the packaged copy
    assert {"project_name", "database"} <= {entry["key"] for entry in template_answers()}
    assert load_template(vcs_ref=RELEASE).packaged == REPO


def test_any_url_at_this_release_renders_offline_another_release_is_fetched(monkeypatch):
    url = "git://git.example.com/forks/scaffold.git"
    monkeypatch.setenv("SCAFFOLD_TEMPLATE", url)
    assert (load_template().src, load_template().packaged) == (url, REPO)
    other = load_template(vcs_ref="v0.0.1")
    assert (other.src, other.packaged, other.release) == (url, None, None)


def test_version_names_the_template_release_and_its_url():
    result = CliRunner().invoke(cli, ["--version"])
    assert result.exit_code == 0
    assert result.stdout == f"scaffold {__version__} (template {RELEASE} from {TEMPLATE_URL})\n"


# ---------------------------------------------------------------- distributions


@pytest.mark.slow
def test_the_sdist_holds_the_template_and_nothing_generated(dists):
    with tarfile.open(dists["sdist"]) as sdist:
        names = {m.name.split("/", 1)[1] for m in sdist.getmembers() if m.isfile()}
    assert not litter_found(names), litter_found(names)
    tops = {name.split("/")[0] for name in names}
    assert tops == {"PKG-INFO", "pyproject.toml", "README.md", "CHANGELOG.md", ".gitignore",
                    "copier.yml", "questions", "templates", "src"}  # fmt: skip
    assert {n for n in names if n.startswith(TEMPLATE_FILES)} == template_files(REPO)


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["wheel", "direct wheel"])
def test_the_wheel_carries_the_template_as_package_data(dists, kind):
    with zipfile.ZipFile(dists[kind]) as wheel:
        names = set(wheel.namelist())
    assert not litter_found(names), litter_found(names)
    prefix = "scaffold/template/"
    carried = {n[len(prefix) :] for n in names if n.startswith(prefix)}
    assert carried == template_files(REPO)
    assert {n.split("/")[0] for n in names} == {"scaffold", f"scaffold-{__version__}.dist-info"}


@pytest.mark.slow
def test_the_wheel_alone_generates_both_starters_offline(installed, tmp_path):
    # GIT_ALLOW_PROTOCOL=file: git may read local repositories only, no network at all
    env = user_env(tmp_path / "home", GIT_ALLOW_PROTOCOL="file")
    version = run([installed / "scaffold", "--version"], cwd=tmp_path, env=env).stdout
    assert version.strip() == f"scaffold {__version__} (template {RELEASE} from {TEMPLATE_URL})"
    where = run([installed / "python", "-c", "import scaffold; print(scaffold.__file__)"],
                cwd=tmp_path, env=env).stdout  # fmt: skip
    assert "site-packages" in where and str(REPO) not in where
    for framework in ("django", "flask"):
        dest = tmp_path / f"{framework}-site"
        proc = run([installed / "scaffold", "new", dest.name, "--framework", framework,
                    "--defaults", "--quiet"], cwd=tmp_path, env=env, timeout=300)  # fmt: skip
        assert proc.stderr == ""  # no warning: nothing machine-local is recorded
        recorded = answers(dest)
        assert (recorded["_src_path"], recorded["_commit"]) == (TEMPLATE_URL, RELEASE)
        assert recorded["framework"] == framework
        status = run(["git", "status", "--porcelain"], cwd=dest, env=env).stdout
        assert status == ""


# ------------------------------------------------------------------ the git server


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class GitServer:
    """``git daemon`` serving the bare repositories under ``root`` on 127.0.0.1."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, name: str) -> str:
        return f"git://127.0.0.1:{self.port}/{name}.git"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            ["git", "daemon", f"--base-path={self.root}", "--export-all", "--reuseaddr",
             "--enable=receive-pack", "--listen=127.0.0.1", f"--port={self.port}",
             str(self.root)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            probe = subprocess.run(["git", "ls-remote", self.url("scaffold")],
                                   capture_output=True, check=False, timeout=10)  # fmt: skip
            if probe.returncode == 0:
                return
            if self.proc.poll() is not None:
                raise RuntimeError(f"git daemon exited: {self.proc.stderr.read().decode()}")
            time.sleep(0.1)
        raise RuntimeError("git daemon did not answer within 20 s")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


@pytest.fixture
def server(tmp_path) -> Iterator[GitServer]:
    root = tmp_path / "srv"
    root.mkdir()
    git_server = GitServer(root)
    try:
        yield git_server
    finally:
        git_server.stop()


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    return run(["git", *args], cwd=cwd, env={**IDENTITY, **(env or {})}, timeout=120).stdout


def publish_template(work: Path, bare: Path) -> None:
    """The published template repository: this release's template files, tagged."""
    work.mkdir()
    for name in TEMPLATE_FILES:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, work / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, work / name)
    git(work, "init", "--quiet", "--initial-branch=main")
    git(work, "add", "--all")
    git(work, "commit", "--quiet", "--no-verify", "-m", f"scaffold {__version__}")
    git(work, "tag", "-a", RELEASE, "-m", f"scaffold {__version__}")
    git(work.parent, "clone", "--quiet", "--bare", str(work), str(bare))
    git(work, "remote", "add", "origin", str(bare))


def release_change(work: Path, tag: str, line: str) -> None:
    """A new template release: ``line`` at the end of both starters' README, tagged."""
    for framework in ("django", "flask"):
        readme = work / "templates" / framework / "README.md.jinja"
        readme.write_text(readme.read_text().rstrip("\n") + f"\n\n{line}\n")
    git(work, "commit", "--quiet", "--all", "--no-verify", "-m", f"Release {tag}")
    git(work, "tag", "-a", tag, "-m", f"Release {tag}")
    git(work, "push", "--quiet", "origin", "main", tag)


def next_versions() -> tuple[str, str]:
    v = Version(__version__)
    return f"v{v.major}.{v.minor}.{v.micro + 1}", f"v{v.major}.{v.minor}.{v.micro + 2}"


def teammate_edit(clone: Path) -> str:
    """The teammate's own change, committed: the README's title and a file of theirs."""
    readme = clone / "README.md"
    title, rest = readme.read_text().split("\n", 1)
    mine = f"{title} (maintained by the orders team)"
    readme.write_text(f"{mine}\n{rest}")
    (clone / "NOTES.md").write_text("Our own notes.\n")
    git(clone, "add", "--all")
    git(clone, "commit", "--quiet", "-m", "Our changes")
    return mine


@pytest.mark.slow
def test_team_scenario_against_a_git_server(installed, server, tmp_path):
    env = user_env(tmp_path / "home")
    publish_template(tmp_path / "template-work", server.root / "scaffold.git")
    url = server.url("scaffold")

    # 1. The server is stopped: generation works offline, and records the URL and tag.
    assert server.proc is None
    proj = tmp_path / "me" / "proj"
    proj.parent.mkdir()
    run([installed / "scaffold", "new", "proj", "--framework", "flask", "--defaults",
         "--quiet", "--template", url], cwd=proj.parent, env=env, timeout=300)  # fmt: skip
    assert (answers(proj)["_src_path"], answers(proj)["_commit"]) == (url, RELEASE)

    # 2. Pushed to the team's server; the template gets two releases there.
    server.start()
    git(server.root, "init", "--quiet", "--bare", "--initial-branch=main", "proj.git")
    git(proj, "push", "--quiet", server.url("proj"), "HEAD:refs/heads/main")
    middle, newest = next_versions()
    release_change(tmp_path / "template-work", middle, "MIDDLE RELEASE NOTE")
    release_change(tmp_path / "template-work", newest, "NEWEST RELEASE NOTE")

    # 3. CI of the project: check-update with the recorded URL alone.
    ci = tmp_path / "ci"
    git(tmp_path, "clone", "--quiet", server.url("proj"), str(ci))
    check = run([installed / "scaffold", "check-update", str(ci)], env=env, check=False)
    assert check.returncode == 8, check.stderr
    assert f"Newest version:    {newest}" in check.stdout

    # 4. A teammate with only Copier: plain `copier update --defaults`, no --trust.
    copier_venv = tmp_path / "copier-only"
    run([uv_binary(), "venv", "--quiet", copier_venv], timeout=120)
    run([uv_binary(), "pip", "install", "--quiet", "--python", copier_venv / "bin" / "python",
         "copier"], timeout=600)  # fmt: skip
    mate, mate_scaffold = tmp_path / "mate", tmp_path / "mate-scaffold"
    for clone in (mate, mate_scaffold):
        git(tmp_path, "clone", "--quiet", server.url("proj"), str(clone))
    mine = teammate_edit(mate)
    run([copier_venv / "bin" / "copier", "update", "--defaults"], cwd=mate, env=env,
        timeout=300)  # fmt: skip
    # 5. Another clone: `scaffold update`.
    mine_too = teammate_edit(mate_scaffold)
    update = run([installed / "scaffold", "update"], cwd=mate_scaffold, env=env, timeout=300)
    assert f"to {newest}" in update.stdout

    for clone, title in ((mate, mine), (mate_scaffold, mine_too)):
        readme = (clone / "README.md").read_text()
        assert readme.startswith(f"{title}\n")  # the teammate's edit is kept
        assert "MIDDLE RELEASE NOTE" in readme and "NEWEST RELEASE NOTE" in readme
        assert not re.search(r"^(<<<<<<<|>>>>>>>) ", readme, re.M)  # no conflict left
        assert (clone / "NOTES.md").read_text() == "Our own notes.\n"
        assert (answers(clone)["_src_path"], answers(clone)["_commit"]) == (url, newest)
        git(clone, "add", "--all")
        git(clone, "commit", "--quiet", "-m", "Update from the template")

    # 6. Once the update is pushed, CI says the project is up to date.
    git(mate_scaffold, "push", "--quiet", "origin", "HEAD:main")
    git(ci, "pull", "--quiet", "--ff-only")
    check = run([installed / "scaffold", "check-update", str(ci)], env=env)
    assert "The project is up to date." in check.stdout
