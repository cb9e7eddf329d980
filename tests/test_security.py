"""Secure by default, checked on freshly generated projects of both frameworks (fast:
no install). The HTTP side (cookies, CSRF, headers, admin access) is in
tests/contract/test_security_http.py, against the served starters."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.render import render

FRAMEWORKS = ["django", "flask"]
BANDIT = str(Path(sys.executable).parent / "bandit")


def _secret(project: Path) -> str:
    match = re.search(r"^SECRET_KEY=(.+)$", (project / ".env").read_text(), re.M)
    assert match, ".env has no SECRET_KEY line"
    return match.group(1).strip().strip("'\"")


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_each_project_gets_its_own_secret_never_stored_in_answers(
    plain_template, tmp_path, framework
):
    one = render(plain_template, tmp_path / "one", {"framework": framework})
    two = render(plain_template, tmp_path / "two", {"framework": framework})
    first, second = _secret(one), _secret(two)
    assert first != second
    assert len(first) >= 50
    for project, secret in ((one, first), (two, second)):
        answers_text = (project / ".copier-answers.yml").read_text()
        assert secret not in answers_text
        assert "secret" not in yaml.safe_load(answers_text)
        example = project / ".env.example"
        assert example.is_file(), "a .env.example documents the variables"
        assert secret not in example.read_text()
        # The secret is nowhere but .env.
        for path in project.rglob("*"):
            if path.is_file() and path.name != ".env":
                assert secret not in path.read_text(errors="replace"), path


@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_env_file_is_git_ignored(plain_template, tmp_path, framework):
    project = render(plain_template, tmp_path / "p", {"framework": framework})
    subprocess.run(["git", "init", "-q"], cwd=project, check=True)
    ignored = subprocess.run(["git", "check-ignore", ".env"], cwd=project, capture_output=True)
    assert ignored.returncode == 0, ".env must be listed in .gitignore"
    tracked = subprocess.run(
        ["git", "check-ignore", ".env.example"], cwd=project, capture_output=True
    )
    assert tracked.returncode == 1, ".env.example must not be ignored"


@pytest.mark.parametrize(
    "answers",
    [{}, {"database": "postgresql", "docker": True}, {"rest_api": False}],
    ids=["default", "postgresql-docker", "no-rest-api"],
)
@pytest.mark.parametrize("framework", FRAMEWORKS)
def test_bandit_finds_no_medium_or_high_issue(plain_template, tmp_path, framework, answers):
    project = render(plain_template, tmp_path / "p", {"framework": framework, **answers})
    proc = subprocess.run(
        [BANDIT, "-r", ".", "-x", "./.venv", "--severity-level", "medium", "-f", "json", "-q"],
        cwd=project, capture_output=True, text=True,
    )  # fmt: skip
    report = json.loads(proc.stdout)
    issues = [
        f"{r['filename']}:{r['line_number']} {r['test_id']} {r['issue_text']}"
        for r in report["results"]
    ]
    assert not issues, "\n".join(issues)
    assert proc.returncode == 0, proc.stderr
