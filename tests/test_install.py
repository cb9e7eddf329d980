"""`scaffold new --install`: the project's virtual environment, ready for its tests."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scaffold.errors import ExternalCommandError
from scaffold.install import commit_lock_file, install


def test_uses_uv_when_available(tmp_path):
    calls = []
    used = install(tmp_path, runner=lambda cmd, cwd: calls.append(list(cmd)), uv="/bin/uv")
    assert used == "uv"
    assert calls[0][:2] == ["/bin/uv", "lock"]  # writes uv.lock
    assert calls[1][:2] == ["/bin/uv", "sync"]  # installs exactly that into .venv
    assert calls[1][2:5] == ["--quiet", "--extra", "dev"]


def test_falls_back_to_venv_and_pip(tmp_path):
    calls = []
    used = install(tmp_path, runner=lambda cmd, cwd: calls.append(list(cmd)), uv="")
    assert used == "pip"
    assert calls[0][1:3] == ["-m", "venv"]
    assert calls[1][1:4] == ["-m", "pip", "install"]


def _git(cwd, *args):
    return subprocess.run(
        ["git", *args], cwd=cwd, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_lock_file_is_committed_by_the_first_commits_author(tmp_path):
    _git(tmp_path, "init", "--quiet")
    (tmp_path / "README.md").write_text("hello\n")
    _git(tmp_path, "add", "README.md")
    identity = ["-c", "user.name=Ada", "-c", "user.email=ada@example.com"]
    _git(tmp_path, *identity, "commit", "--quiet", "-m", "first")
    assert commit_lock_file(tmp_path) is False  # no uv.lock yet
    (tmp_path / "uv.lock").write_text("version = 1\n")
    (tmp_path / "notes.txt").write_text("the user's, not committed\n")
    assert commit_lock_file(tmp_path) is True
    assert _git(tmp_path, "log", "-1", "--format=%an <%ae> %s") == (
        "Ada <ada@example.com> Lock the dependencies (uv.lock, written by uv lock)"
    )
    assert _git(tmp_path, "status", "--porcelain") == "?? notes.txt"
    assert commit_lock_file(tmp_path) is False  # nothing new to commit


def test_failure_says_where_the_project_is_and_what_to_run(tmp_path):
    def fail(cmd, cwd):
        raise ExternalCommandError("uv pip install failed: No solution found")

    with pytest.raises(ExternalCommandError) as info:
        install(tmp_path, runner=fail, uv="/bin/uv")
    assert str(tmp_path) in str(info.value)
    assert 'pip install -e ".[dev]"' in str(info.value)


@pytest.mark.slow
@pytest.mark.parametrize(("framework", "as_json"), [("django", False), ("flask", True)])
def test_new_install_leaves_a_project_whose_tests_pass(tmp_path, framework, as_json):
    dest = tmp_path / "site"
    out = subprocess.run(
        [sys.executable, "-m", "scaffold", "new", str(dest), "--framework", framework,
         "--defaults", "--install", *(["--json"] if as_json else [])],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "Installing the project" in out.stderr
    if as_json:
        assert json.loads(out.stdout)["installed_with"] == "uv"  # uv is in the test extra
    else:
        steps = out.stdout.split("Next steps:")[1]
        assert ". .venv/bin/activate" in steps and "pip install" not in steps
    tests = subprocess.run(
        [str(dest / ".venv" / "bin" / "pytest"), "-q", "-p", "no:cacheprovider"],
        cwd=dest, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=dest, capture_output=True, text=True
    )
    assert status.stdout == "", "the virtual environment and test files must be git-ignored"
    # uv locked the dependencies, and the lock file is committed.
    log = subprocess.run(
        ["git", "log", "--format=%s", "--", "uv.lock"], cwd=dest, capture_output=True, text=True
    )
    assert "uv.lock" in log.stdout and (dest / "uv.lock").is_file()
