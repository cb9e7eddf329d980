"""A project generated from the previous release updates to this one (issue 17):
``scaffold update`` brings the new files and migrations, the user's edits survive, the
database migrates forward with its data, and the project's own tests pass."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from scaffold.update import update_project
from tests.support.procs import CommandFailed, install_project, run, uv_binary
from tests.support.servers import StarterProject, User
from tests.test_update import (
    DJANGO,
    FLASK,
    NEW_DEPENDENCY,
    TEMPLATE_PATHS,
    Starter,
    answers,
    commit_all,
    copy_working_tree_templates,
    export_committed_templates,
    generate,
    git,
    user_edits,
)

pytestmark = pytest.mark.slow

# The commit of main that the previous release (contract v1) was made from.
PREVIOUS_RELEASE = "f742f0d"


def release_repo(dest: Path) -> Path:
    """A template repository: the previous release as v0.1.0, this checkout as v0.2.0."""
    export_committed_templates(PREVIOUS_RELEASE, dest)
    git(dest, "init", "--quiet", "--initial-branch=main")
    commit_all(dest, "release 0.1.0", "v0.1.0")
    for name in TEMPLATE_PATHS:
        shutil.rmtree(dest / name) if (dest / name).is_dir() else (dest / name).unlink()
    copy_working_tree_templates(dest)
    commit_all(dest, "release 0.2.0", "v0.2.0")
    return dest


def reinstall(project: Path) -> None:
    """`pip install -e ".[dev]"` again in the project's venv (new dependencies)."""
    python = project / ".venv" / "bin" / "python"
    run([uv_binary(), "pip", "install", "--quiet", "--python", str(python), "-e", ".[dev]"],
        cwd=project, timeout=900)  # fmt: skip


@pytest.mark.parametrize("starter", [DJANGO, FLASK], ids=["django", "flask"])
def test_a_project_of_the_previous_release_updates_to_this_one(tmp_path, starter: Starter):
    repo = release_repo(tmp_path / "template")
    project = generate(repo, tmp_path / "project", starter.framework, ref="v0.1.0")
    bin_dir = install_project(project)
    site = StarterProject.from_folder(project)
    site.bin_dir = bin_dir
    site.env = site.production_env()
    site.migrate()  # the database as the user has it under v0.1.0, with a user in it
    site.create_user(User("olduser", "pw-from-the-first-release"))
    user_edits(project, starter)

    result = update_project(project, to="v0.2.0")
    assert result.status == "updated", result.conflicts
    assert answers(project)["_commit"] == "v0.2.0"
    for name, text in starter.view_files.items():  # the user's edits survive
        assert (project / name).read_text() == text, name
    assert starter.user_setting in (project / starter.settings).read_text()
    assert NEW_DEPENDENCY in (project / "pyproject.toml").read_text()

    reinstall(project)
    site.migrate()  # what CHANGELOG.md says to run after this update
    if starter.framework == "django":
        plan = site.command("showmigrations", "--plan").stdout
        assert "[ ]" not in plan and "[X]  accounts.0002_loginfailure" in plan, plan
    with pytest.raises(CommandFailed, match="already exists"):
        site.create_user(User("olduser", "again"))  # the data came along

    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY")}
    run([bin_dir / "python", "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=project, env=env, timeout=900)  # fmt: skip
