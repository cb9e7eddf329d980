"""``scaffold update`` and ``scaffold check-update`` through Click's CliRunner (exit
codes, stdout, stderr), and scaffold in CI: no prompts, answers files, and the
README's GitHub Actions workflows run for real.

The template repository (tags v1, v1.1, v2, v3.0.0a1) and the projects generated
from v1 come from tests/test_update.py.
"""

from __future__ import annotations

import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scaffold._version import TEMPLATE_URL, __version__
from scaffold.cli import cli
from tests.support.procs import run
from tests.test_update import (
    DJANGO,
    REPO,
    TEMPLATE_NOTE,
    answers,
    build_template_repo,
    fresh_copy,
    generate,
    git,
    session_dir,
    snapshot,
    user_edits,
)

# Slow: builds tagged template repositories and runs Copier's updates.
pytestmark = pytest.mark.slow


@pytest.fixture
def project(tmp_path_factory, tmp_path) -> Path:
    """A Django project generated from v1, its own copy for this test."""
    return fresh_copy(tmp_path_factory, "django", tmp_path / "my-site")


def invoke(runner: CliRunner, *args: str):
    return runner.invoke(cli, list(args), catch_exceptions=False)


def one_error_line(result) -> str:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: ")
    assert "Traceback" not in result.output
    return lines[0]


@pytest.mark.parametrize("command", ["update", "check-update"])
def test_help_documents_every_option_and_ends_with_examples(runner, command):
    result = invoke(runner, command, "--help")
    assert result.exit_code == 0
    assert "Examples:" in result.stdout.split("Options:")[-1]
    for param in cli.commands[command].params:
        if getattr(param, "help", None):
            assert param.opts[0] in result.stdout


# ----------------------------------------------------------------------- update


def test_conflict_exits_6_lists_files_and_shows_the_diff(runner, project):
    starter = DJANGO  # the output does not depend on the framework (see test_update.py)
    user_edits(project, starter)
    result = invoke(runner, "update", str(project), "--to", "v2")
    assert result.exit_code == 6
    assert one_error_line(result) == (
        f"Error: update left conflicts in {starter.settings}; resolve them, then commit"
    )
    out = result.stdout
    assert "from template version v1 to v2" in out
    assert re.search(rf"^Conflicts to resolve.*\n  {re.escape(starter.settings)}$", out, re.M)
    assert "<<<<<<<" in out  # how to resolve them
    assert re.search(r"^ \S*pyproject\.toml|^ \S*settings\.py|files? changed", out, re.M)
    assert "New files:\n  docs/upgrading.md" in out
    assert "Nothing was committed" in out
    assert git(project, "log", "-1", "--format=%s").strip() == "My changes"


def test_clean_update_in_the_current_folder(runner, project, monkeypatch):
    user_edits(project, DJANGO)
    monkeypatch.chdir(project)
    result = invoke(runner, "update", "--to", "v1.1")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout.startswith("Updated . from template version v1 to v1.1.\n")
    assert re.search(r"^ config/settings\.py +\| +\d+ \+", result.stdout, re.M)
    assert re.search(r"^ \.env\.example +\| +\d+ -+$", result.stdout, re.M)
    assert "Conflicts" not in result.stdout
    assert TEMPLATE_NOTE in (project / DJANGO.settings).read_text()


def test_kept_file_is_explained(runner, project):
    example = project / ".env.example"
    example.write_text(example.read_text() + "SENTRY_DSN=\n")
    git(project, "commit", "--quiet", "-am", "Document SENTRY_DSN")
    result = invoke(runner, "update", str(project), "--to", "v1.1")
    assert result.exit_code == 6
    assert "Dropped by the template, but you changed them, so they were kept:\n" \
        "  .env.example\n" in result.stdout  # fmt: skip
    assert "Conflicts to resolve" not in result.stdout
    assert "update left conflicts in .env.example" in one_error_line(result)


def test_already_up_to_date(runner, project):
    before = snapshot(project)
    result = invoke(runner, "update", str(project), "--to", "v1")
    assert result.exit_code == 0
    assert "Already up to date" in result.stdout and "v1" in result.stdout
    assert snapshot(project) == before


def test_update_json(runner, project):
    user_edits(project, DJANGO)
    result = invoke(runner, "update", str(project), "--json")
    assert result.exit_code == 6
    data = json.loads(result.stdout)
    assert (data["from"], data["to"], data["status"]) == ("v1", "v2", "conflicts")
    assert data["conflicts"] == [DJANGO.settings]
    assert {"status": "??", "path": "docs/upgrading.md"} in data["changed"]
    assert data["committed"] is False


def test_update_with_changed_answers(runner, project):
    result = invoke(runner, "update", str(project), "--to", "v1.1", "-d", "rest_api=false")
    assert result.exit_code == 0, result.stderr
    assert answers(project)["rest_api"] is False
    assert not (project / "articles" / "api.py").exists()


def _spoil_answers(project: Path, key: str, value: str) -> None:
    path = project / ".copier-answers.yml"
    path.write_text(re.sub(rf"^{key}: .*$", f"{key}: {value}", path.read_text(), flags=re.M))
    git(project, "commit", "--quiet", "-am", "edit answers")


REFUSALS = [
    # (id, how the project is spoiled, extra arguments, exit code, words in the error)
    ("no-answers-file",
     lambda p: ((p / ".copier-answers.yml").unlink(), git(p, "commit", "-qam", "rm")), [], 7,
     "is not a generated project (no .copier-answers.yml)"),
    ("not-git", lambda p: shutil.rmtree(p / ".git"), [], 7, "is not a git repository"),
    ("dirty", lambda p: ((p / "manage.py").write_text("# edited\n"),
                         (p / "notes.txt").write_text("todo")), [], 7,
     "uncommitted changes (manage.py, notes.txt); commit or stash them"),
    ("template-moved",
     lambda p: _spoil_answers(p, "_src_path", str(p.parent / "gone")), [], 4,
     "cannot reach the template recorded in .copier-answers.yml"),
    ("framework-change", None, ["-d", "framework=flask"], 2,
     "the framework cannot change after generation (django -> flask)"),
    ("unknown-data-key", None, ["-d", "colour=blue"], 2, "unknown question 'colour'"),
    ("bad-data-value", None, ["-d", "database=oracle"], 2, "invalid answer 'oracle'"),
    ("bad-data-pair", None, ["-d", "database"], 2, "--data expects KEY=VALUE"),
    ("unknown-version", None, ["--to", "v9"], 2, "unknown template version 'v9'"),
    ("bad-conflict-mode", None, ["--conflict", "ours"], 2, "'ours' is not one of"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("spoil", "extra", "code", "words"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refusals_explain_in_one_line_and_change_nothing(
    runner, project, spoil, extra, code, words
):
    if spoil is not None:
        spoil(project)
    before = snapshot(project)
    result = invoke(runner, "update", str(project), *extra)
    assert result.exit_code == code
    assert words in result.stderr
    if code != 2 or extra[0] != "--conflict":  # Click reports usage errors itself
        one_error_line(result)
    assert result.stdout == ""
    assert snapshot(project) == before


def test_downgrade_is_refused(runner, project):
    assert invoke(runner, "update", str(project), "--to", "v2").exit_code == 0
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Update to v2")
    before = snapshot(project)
    result = invoke(runner, "update", str(project), "--to", "v1")
    assert result.exit_code == 2
    assert "older than the project's (v2); downgrades are not supported" in one_error_line(result)
    assert snapshot(project) == before


def test_failed_update_exits_4_and_restores(runner, project):
    user_edits(project, DJANGO)
    before = snapshot(project)
    result = invoke(runner, "update", str(project), "--to", "v3.0.0a1")
    assert result.exit_code == 4
    assert "the project is unchanged" in one_error_line(result)
    assert snapshot(project) == before


def test_uncommitted_template_changes_are_not_used_and_said_so(runner, tmp_path_factory, tmp_path):
    template = tmp_path / "template"
    shutil.copytree(session_dir(tmp_path_factory, "template-repo", build_template_repo), template)
    project = generate(template, tmp_path / "p", "flask")
    (template / "templates" / "flask" / "UNCOMMITTED.md").write_text("not committed\n")
    git(template, "add", "--all")  # staged, not committed
    result = invoke(runner, "update", str(project))
    assert result.exit_code == 0, result.stderr
    assert "has uncommitted changes; they are not used" in result.stderr
    assert answers(project)["_commit"] == "v2"
    assert not (project / "UNCOMMITTED.md").exists()


# ----------------------------------------------------------------- check-update


def test_check_update_available_exits_8(runner, project, template_repo):
    result = invoke(runner, "check-update", str(project))
    assert result.exit_code == 8
    assert result.stderr == ""
    assert f"Template:          {template_repo}\n" in result.stdout
    assert "Project version:   v1\n" in result.stdout
    assert "Newest version:    v2\n" in result.stdout
    assert "An update is available: run `scaffold update`" in result.stdout


def test_check_update_json_then_up_to_date(runner, project, template_repo):
    result = invoke(runner, "check-update", str(project), "--json")
    assert result.exit_code == 8
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("current", "latest", "update_available", "src_path")} == {
        "current": "v1",
        "latest": "v2",
        "update_available": True,
        "src_path": str(template_repo),
    }
    assert invoke(runner, "update", str(project)).exit_code == 0
    git(project, "add", "--all")
    git(project, "commit", "--quiet", "-m", "Update")
    result = invoke(runner, "check-update", str(project), "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)["update_available"] is False
    assert "up to date" in invoke(runner, "check-update", str(project)).stdout


def test_check_update_with_another_copy_of_the_template(runner, project, template_repo, tmp_path):
    _spoil_answers(project, "_src_path", "/nowhere/scaffold")
    clone = tmp_path / "checkout"
    git(tmp_path, "clone", "--quiet", str(template_repo), str(clone))
    assert invoke(runner, "check-update", str(project)).exit_code == 4
    result = invoke(runner, "check-update", str(project), "--template", str(clone))
    assert result.exit_code == 8
    assert "Newest version:    v2" in result.stdout


def test_check_update_outside_a_project(runner, tmp_path):
    result = invoke(runner, "check-update", str(tmp_path))
    assert result.exit_code == 7
    assert "is not a generated project" in one_error_line(result)


# ------------------------------------------------------------------------- CI


def _in_a_terminal(
    args: list[str], env: dict[str, str], seconds: float = 20, until: str = "\0"
) -> tuple[int, str]:
    """Run ``scaffold ARGS`` with a pseudo-terminal as stdin/stdout; answer nothing.
    Returns (exit code, or -1 if still running after ``seconds`` or once ``until`` is
    printed, output)."""
    main, secondary = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaffold", *args],
        stdin=secondary, stdout=secondary, stderr=secondary, env=env, close_fds=True,
    )  # fmt: skip
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        ready, _, _ = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:  # the other side is closed: the process ended
                chunk = b""
            if not chunk:
                break
            output += chunk
            if until.encode() in output:
                break
    try:
        code = proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        code = -1
    os.close(main)
    return code, output.decode(errors="replace")


@pytest.mark.parametrize(("ci", "expected"), [("true", 5), (None, -1)], ids=["CI-set", "CI-unset"])
def test_ci_variable_turns_prompts_off_even_on_a_terminal(ci, expected):
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    if ci:
        env["CI"] = ci
    code, output = _in_a_terminal(["recommend"], env, until="What are you building?")
    assert code == expected, output
    if ci:
        assert "Error: missing answers for kind, size" in output
    else:  # on a terminal, without CI, it asks and waits for the answer
        assert "What are you building?" in output


def test_new_takes_the_json_of_recommend_as_answers_file(runner, tmp_path, template_repo):
    rec = invoke(runner, "recommend", "-a", "kind=api", "-a", "microservice=yes",
                 "-a", "admin=no", "--defaults", "--json")  # fmt: skip
    assert rec.exit_code == 0
    (tmp_path / "recommendation.json").write_text(rec.stdout)
    result = invoke(
        runner, "new", str(tmp_path / "p"), "--template", str(template_repo),
        "--answers-file", str(tmp_path / "recommendation.json"), "--defaults", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["framework"] == json.loads(rec.stdout)["framework"] == "flask"
    assert data["recommendation"]["answers"] == json.loads(rec.stdout)["answers"]
    reasons = [r["text"] for r in json.loads(rec.stdout)["reasons"]]
    assert answers(tmp_path / "p")["why_framework"][: len(reasons)] == reasons


def test_new_takes_a_yaml_answers_file(runner, tmp_path, template_repo):
    answers_file = tmp_path / "answers.yml"
    answers_file.write_text("kind: cms\nadmin: yes\nsize: large\n")
    dest = tmp_path / "p"
    args = ["new", str(dest), "--template", str(template_repo), "--answers-file",
            str(answers_file)]  # fmt: skip
    missing = invoke(runner, *args)  # no terminal: the other answers are missing
    assert missing.exit_code == 5
    line = one_error_line(missing)
    assert line.startswith("Error: missing answers for data, api,")
    assert "kind" not in line.split("--")[0]
    assert not dest.exists()
    result = invoke(runner, *args, "--defaults", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["framework"] == "django"
    assert data["recommendation"]["answers"]["kind"] == "cms"
    assert data["recommendation"]["answers"]["size"] == "large"


# ---------------------------------------------------- the README's CI workflows


def readme_workflows() -> dict[str, dict]:
    text = (REPO / "README.md").read_text()
    section = text.split("<!-- ci:start -->")[1].split("<!-- ci:end -->")[0]
    blocks = re.findall(r"^```yaml\n(.*?)^```$", section, re.M | re.S)
    workflows = {w["name"]: w for w in map(yaml.safe_load, blocks)}
    assert set(workflows) == {"New project", "Template updates"}
    return workflows


def run_workflow(workflow: dict, workspace: Path, checkouts: dict[str, Path], env: dict):
    """Run each step as GitHub Actions would (bash -eo pipefail), with ``git clone`` for
    actions/checkout and without the steps that install packages. Returns the last
    step's process (or raises on the first failing step but the last)."""
    (job,) = workflow["jobs"].values()
    steps = job["steps"]
    last = None
    for index, step in enumerate(steps):
        uses = step.get("uses", "")
        if uses.startswith("actions/checkout"):
            options = step.get("with", {})
            source = checkouts[options.get("repository", "self")]
            dest = workspace / options.get("path", ".")
            run(["git", "clone", "--quiet", str(source), str(dest)], timeout=120)
            continue
        if uses or "pip install" in step.get("run", ""):
            continue
        cwd = workspace / step.get("working-directory", ".")
        final = index == len(steps) - 1 or all("run" not in s for s in steps[index + 1 :])
        last = run(["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
                   cwd=cwd, env=env, timeout=300, check=not final)  # fmt: skip
    return last


@pytest.fixture
def ci_env(tmp_path) -> dict[str, str]:
    """A runner's environment: CI set, no git identity, scaffold on PATH."""
    home = tmp_path / "home"
    home.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "SCAFFOLD_"))}
    env.update(
        CI="true",
        GITHUB_ACTIONS="true",
        HOME=str(home),
        GIT_CONFIG_NOSYSTEM="1",
        PATH=f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}",
    )
    return env


def test_readme_workflow_generates_a_project(tmp_path, template_repo, ci_env):
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    # scaffold (installed from this clone) renders the template it carries
    checkouts = {"your-org/scaffold": template_repo}
    run_workflow(readme_workflows()["New project"], workspace, checkouts, ci_env)
    recommendation = json.loads((workspace / "recommendation.json").read_text())
    generated = json.loads((workspace / "generated.json").read_text())
    project = workspace / "orders-api"
    assert generated["framework"] == recommendation["framework"] == "flask"
    assert answers(project)["project_name"] == "Orders API"
    assert answers(project)["_src_path"] == TEMPLATE_URL
    assert answers(project)["_commit"] == f"v{__version__}"
    assert git(project, "status", "--porcelain") == ""
    assert len(git(project, "log", "--oneline").splitlines()) == 1


def test_readme_workflow_checks_for_template_updates(
    tmp_path_factory, tmp_path, template_repo, ci_env
):
    workflow = readme_workflows()["Template updates"]
    behind = fresh_copy(tmp_path_factory, "django", tmp_path / "behind-origin")
    current = fresh_copy(tmp_path_factory, "django", tmp_path / "current-origin")
    _spoil_answers(current, "_commit", "v2")  # as `scaffold update` records it
    for project in (behind, current):  # the template's URL is all the workflow has
        _spoil_answers(project, "_src_path", f"file://{template_repo}")

    result = run_workflow(workflow, tmp_path / "ws1", {"self": behind}, ci_env)
    assert result.returncode == 8, result.stderr
    assert "An update is available" in result.stdout
    result = run_workflow(workflow, tmp_path / "ws2", {"self": current}, ci_env)
    assert result.returncode == 0, result.stderr
    assert "The project is up to date." in result.stdout
