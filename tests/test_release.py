"""The release step (``python -m scaffold.release``) on template repositories built in
temporary folders: never the tags of the checkout the tests run in."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from scaffold.release import changelog_sections, main
from tests.support.procs import run

IDENTITY = {
    "GIT_AUTHOR_NAME": "Maintainer",
    "GIT_AUTHOR_EMAIL": "maintainer@example.com",
    "GIT_COMMITTER_NAME": "Maintainer",
    "GIT_COMMITTER_EMAIL": "maintainer@example.com",
}
CHANGELOG = """\
# Changelog

## Unreleased

## 0.3.0 - 2026-12-01

- Both starters log a request id per request.
- Updating: no hand needed.

## 0.2.0

- Updating: run the new migration (`python manage.py migrate`).
"""


def git(repo: Path, *args: str) -> str:
    return run(["git", *args], cwd=repo, env=IDENTITY, timeout=60).stdout.strip()


def write_repo(repo: Path, version: str = "0.3.0", changelog: str = CHANGELOG) -> Path:
    (repo / "src" / "scaffold").mkdir(parents=True)
    (repo / "src" / "scaffold" / "_version.py").write_text(
        f'"""Version."""\n\n__version__ = "{version}"\nTEMPLATE_URL = "git://x/s.git"\n'
    )
    (repo / "CHANGELOG.md").write_text(changelog)
    (repo / "copier.yml").write_text("_subdirectory: templates\n")
    git(repo, "init", "--quiet", "--initial-branch=main")
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "-m", "Release commit")
    return repo


@pytest.fixture
def repo(tmp_path, monkeypatch) -> Path:
    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    return write_repo(tmp_path / "scaffold")


def test_tags_the_release_with_its_changelog_entry(repo, capsys):
    assert main(["--repo", str(repo)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Tagged v0.3.0 at ")
    assert "git push origin v0.3.0" in out
    assert git(repo, "rev-parse", "v0.3.0^{commit}") == git(repo, "rev-parse", "HEAD")
    assert git(repo, "cat-file", "-t", "v0.3.0") == "tag"  # annotated
    message = git(repo, "tag", "--list", "--format=%(contents)", "v0.3.0")
    assert "Both starters log a request id" in message
    assert "0.2.0" not in message and "migration" not in message


def test_check_only_does_not_tag(repo, capsys):
    assert main(["--repo", str(repo), "--check"]) == 0
    assert capsys.readouterr().out.startswith("Ready to release v0.3.0 at ")
    assert git(repo, "tag", "--list") == ""


def _dirty(repo: Path) -> None:
    (repo / "stray.txt").write_text("untracked\n")


def _rewrite(version: str = "0.3.0", changelog: str = CHANGELOG) -> Callable[[Path], None]:
    def change(repo: Path) -> None:
        (repo / "src" / "scaffold" / "_version.py").write_text(f'__version__ = "{version}"\n')
        (repo / "CHANGELOG.md").write_text(changelog)
        git(repo, "commit", "--quiet", "--all", "-m", "change")

    return change


def _tag(name: str) -> Callable[[Path], None]:
    return lambda repo: git(repo, "tag", name)


REFUSALS = [
    ("dirty-tree", _dirty, "the working tree is not clean (1 changes, e.g. stray.txt)"),
    ("no-entry", _rewrite("0.4.0"), "CHANGELOG.md has no entry for 0.4.0"),
    ("no-updating-line",
     _rewrite(changelog=CHANGELOG.replace("- Updating: no hand needed.\n", "")),
     "the 0.3.0 entry of CHANGELOG.md has no `Updating:` line"),
    ("unreleased-not-empty",
     _rewrite(changelog=CHANGELOG.replace("## Unreleased\n", "## Unreleased\n\n- more\n")),
     "the Unreleased section of CHANGELOG.md is not empty"),
    ("tag-exists", _tag("v0.3.0"), "v0.3.0 already exists"),
    ("older-than-newest", _tag("v1.0.0"), "v0.3.0 is older than the newest release v1.0.0"),
    ("pre-release", _rewrite("0.3.0rc1"), "version '0.3.0rc1' in src/scaffold/_version.py is "
     "not X.Y.Z"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spoil", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refusals_are_one_line_and_tag_nothing(repo, capsys, spoil, words):
    spoil(repo)
    tags_before = git(repo, "tag", "--list")
    assert main(["--repo", str(repo)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), captured.err
    assert words in lines[0]
    assert git(repo, "tag", "--list") == tags_before


def test_changelog_sections_by_version():
    sections = changelog_sections(CHANGELOG)
    assert list(sections) == ["Unreleased", "0.3.0", "0.2.0"]
    assert sections["Unreleased"] == ""
    assert sections["0.2.0"].startswith("- Updating: run the new migration")


def test_this_repository_is_releasable_once_unreleased_is_moved(tmp_path, monkeypatch):
    """This repository's CHANGELOG.md follows the rules the step checks: with its
    Unreleased entries moved under the current version, a copy passes ``--check``."""
    from scaffold._version import __version__

    for key, value in IDENTITY.items():
        monkeypatch.setenv(key, value)
    text = (Path(__file__).resolve().parents[1] / "CHANGELOG.md").read_text()
    assert text.count("## Unreleased\n") == 1
    moved = text.replace("## Unreleased\n", f"## Unreleased\n\n## {__version__}\n", 1)
    repo = write_repo(tmp_path / "copy", version=__version__, changelog=moved)
    assert main(["--repo", str(repo), "--check"]) == 0


def test_runs_as_a_module(repo):
    proc = subprocess.run(
        [sys.executable, "-m", "scaffold.release", "--repo", str(repo), "--check"],
        capture_output=True, text=True, timeout=60, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "Ready to release v0.3.0" in proc.stdout
