"""Choosing the template source at update time (``scaffold update --template``,
``check-update --template``), the newest release tag as the default, and what ``new``
records for a local folder. Template repository and projects (generated from v1,
with v1.1 and v2 released since) come from tests/test_update.py."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from scaffold.cli import cli
from tests.test_update import (
    DJANGO,
    TEMPLATE_NOTE,
    answers,
    build_template_repo,
    fresh_copy,
    git,
    session_dir,
    snapshot,
    user_edits,
)

# Slow: builds tagged template repositories and runs Copier's updates.
pytestmark = pytest.mark.slow

UNREACHABLE = "git://127.0.0.1:9/scaffold.git"  # port 9 (discard): nothing answers


@pytest.fixture
def project(tmp_path_factory, tmp_path) -> Path:
    """A Django project generated from v1 with the user's edits committed."""
    path = fresh_copy(tmp_path_factory, "django", tmp_path / "my-site")
    user_edits(path, DJANGO, change_setting=False)
    return path


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def record_source(project: Path, src: str) -> None:
    path = project / ".copier-answers.yml"
    text = re.sub(r"^_src_path: .*$", f"_src_path: {src}", path.read_text(), flags=re.M)
    path.write_text(text)
    git(project, "commit", "--quiet", "-am", "The template's source")


def assert_updated_to_v2_keeping_edits(project: Path) -> None:
    assert answers(project)["_commit"] == "v2"
    settings = (project / DJANGO.settings).read_text()
    assert TEMPLATE_NOTE in settings  # v1.1's change
    assert "# changed in template v2" in settings  # v2's change
    assert (project / "config" / "ping.py").is_file()  # the user's own view
    assert '"humanize>=4.9",' in (project / "pyproject.toml").read_text()


def test_update_from_a_moved_repository_records_its_url(runner, project, template_repo, tmp_path):
    moved = tmp_path / "moved" / "scaffold.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(template_repo), str(moved))
    url = f"file://{moved}"
    record_source(project, str(tmp_path / "gone"))  # the old folder is no more
    assert invoke(runner, "check-update", str(project)).exit_code == 4

    check = invoke(runner, "check-update", str(project), "--template", url, "--json")
    assert check.exit_code == 8
    assert {k: json.loads(check.stdout)[k] for k in ("current", "latest", "src_path")} == {
        "current": "v1", "latest": "v2", "src_path": url,
    }  # fmt: skip
    result = invoke(runner, "update", str(project), "--template", url)
    assert result.exit_code == 0, result.stderr
    assert "from template version v1 to v2" in result.stdout
    assert_updated_to_v2_keeping_edits(project)
    assert answers(project)["_src_path"] == url
    # nothing committed: HEAD is still the user's commit, the change is for review
    assert git(project, "log", "-1", "--format=%s").strip() == "The template's source"
    assert ".copier-answers.yml" in git(project, "status", "--porcelain")


def test_a_local_checkout_serves_a_project_that_records_a_url(runner, project, template_repo):
    record_source(project, UNREACHABLE)  # e.g. offline, or in CI with a checkout
    assert invoke(runner, "check-update", str(project)).exit_code == 4
    check = invoke(runner, "check-update", str(project), "--template", str(template_repo))
    assert check.exit_code == 8 and "Newest version:    v2" in check.stdout
    result = invoke(runner, "update", str(project), "--template", str(template_repo))
    assert result.exit_code == 0, result.stderr
    assert_updated_to_v2_keeping_edits(project)
    assert answers(project)["_src_path"] == UNREACHABLE  # the URL stays recorded


def test_the_default_is_the_newest_release_and_later_commits_are_named(
    runner, tmp_path_factory, tmp_path
):
    template = tmp_path / "template"
    released = session_dir(tmp_path_factory, "template-repo", build_template_repo)
    git(tmp_path, "clone", "--quiet", str(released), str(template))
    (template / "templates" / "django" / "UNRELEASED.md").write_text("not released yet\n")
    git(template, "add", "--all")
    git(template, "commit", "--quiet", "-m", "Work after v2")
    project = fresh_copy(tmp_path_factory, "django", tmp_path / "p")
    record_source(project, str(template))

    check = invoke(runner, "check-update", str(project))
    assert check.exit_code == 8
    assert "Newest version:    v2\n" in check.stdout
    note = f"Note: the template {template} has commits after v2 that are not released"
    assert note in check.stdout
    result = invoke(runner, "update", str(project))
    assert result.exit_code == 0, result.stderr
    assert [line for line in result.stderr.splitlines() if line.startswith("Note:")] == [
        f"{note}; they are not used (`--to REF` takes them on purpose)"
    ]
    assert answers(project)["_commit"] == "v2"
    assert not (project / "UNRELEASED.md").exists()


def test_moving_an_up_to_date_project_is_refused_in_one_line(runner, project, template_repo):
    assert invoke(runner, "update", str(project)).exit_code == 0
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Update to v2")
    before = snapshot(project)
    result = invoke(runner, "update", str(project), "--template", f"file://{template_repo}")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: the project is already at v2; to record file://")
    assert len(result.stderr.strip().splitlines()) == 1
    assert snapshot(project) == before


def test_new_from_a_local_folder_records_it_and_warns_once(runner, tmp_path, template_repo):
    dest = tmp_path / "p"
    result = invoke(runner, "new", str(dest), "--template", str(template_repo),
                    "--framework", "flask", "--defaults", "--quiet", "--no-git")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if line.startswith("Warning:")]
    assert len(warnings) == 1
    assert "teammates and CI cannot update it" in warnings[0]
    assert "scaffold update --template" in warnings[0]
    assert answers(dest)["_src_path"] == str(template_repo)


def test_new_fetches_another_release_from_the_url(runner, tmp_path, template_repo):
    published = tmp_path / "published" / "scaffold.git"
    git(tmp_path, "clone", "--quiet", "--bare", str(template_repo), str(published))
    url = f"file://{published}"
    dest = tmp_path / "p"
    result = invoke(runner, "new", str(dest), "--template", url, "--vcs-ref", "v1",
                    "--framework", "django", "--defaults", "--quiet", "--no-git")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""  # a URL: nothing to warn about
    assert (answers(dest)["_src_path"], answers(dest)["_commit"]) == (url, "v1")
    assert TEMPLATE_NOTE not in (dest / DJANGO.settings).read_text()  # v1.1 came later
