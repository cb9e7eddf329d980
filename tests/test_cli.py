"""The command line, through Click's CliRunner: exit codes, stdout, stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from scaffold._version import TEMPLATE_URL, __version__
from scaffold.cli import cli


@pytest.fixture
def runner(monkeypatch) -> CliRunner:
    monkeypatch.delenv("SCAFFOLD_TEMPLATE", raising=False)
    return CliRunner()


def invoke(runner: CliRunner, *args: str, input: str | None = None):
    return runner.invoke(cli, list(args), input=input, catch_exceptions=False)


@pytest.mark.parametrize("command", [[], ["recommend"], ["new"]], ids=["main", "recommend", "new"])
def test_help_documents_every_option_and_ends_with_examples(runner, command):
    result = invoke(runner, *command, "--help")
    assert result.exit_code == 0
    out = result.stdout
    assert "Examples:" in out.split("Options:")[-1]
    ctx_command = cli if not command else cli.commands[command[0]]
    for param in ctx_command.params:
        if getattr(param, "help", None) is not None:
            assert param.opts[0] in out
            assert param.help.split("[")[0].strip()[:30] in " ".join(out.split())


@pytest.mark.parametrize(
    "args",
    [["--help"], ["--version"], ["recommend", "--defaults", "--json"],
     ["new", "x", "--defaults", "--data-file", "/dev/zero"]],
    ids=["help", "version", "recommend", "refused-data-file"],
)  # fmt: skip
def test_paths_that_do_not_render_do_not_import_copier(args):
    code = (
        "import sys; from scaffold.cli import main\n"
        f"try:\n    main({args!r})\nexcept SystemExit:\n    pass\n"
        "print('copier' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "False"


def test_version_names_package_and_template(runner):
    result = invoke(runner, "--version")
    assert result.exit_code == 0
    assert result.stdout.startswith("scaffold ")
    assert "template" in result.stdout


# -------------------------------------------------------------------- recommend


def test_recommend_defaults_json(runner):
    result = invoke(runner, "recommend", "--defaults", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["framework"] == "django"
    # nothing was answered: nothing scores, every answer is assumed, the default is named
    assert data["scores"] == {"django": 0, "flask": 0}
    assert data["confidence"] == "none" and data["reasons"] == []
    assert data["given"] == [] and data["assumed"] == list(data["answers"])
    assert "Django" in data["tie_breaker"]
    assert data["answers"]["kind"] == "unsure"


def test_recommend_human_output_explains(runner):
    result = invoke(
        runner,
        "recommend",
        "-a",
        "kind=api",
        "-a",
        "microservice=yes",
        "-a",
        "admin=no",
        "-a",
        "auth=yes",
        "--defaults",
    )
    assert result.exit_code == 0
    assert "Recommendation: Flask (clear lead: Flask 6, Django 2)" in result.stdout
    assert "microservice" in result.stdout.lower()
    assert "In favour of Django" in result.stdout
    assert "Not answered (or unsure), so not counted: size, data," in result.stdout
    assert "To override: scaffold new DEST --framework django" in result.stdout


def test_recommend_without_terminal_lists_every_missing_key(runner):
    result = invoke(runner, "recommend", "-a", "kind=api")
    assert result.exit_code == 5
    assert result.stdout == ""
    line = result.stderr.strip()
    assert line.startswith("Error: missing answers for size, admin,")
    assert "kind," not in line
    assert "--defaults" in line
    assert len(line.splitlines()) == 1


def test_recommend_asks_on_a_terminal(runner):
    # 17 questions: kind, size, admin, data, api, microservice, auth, team, deadline,
    # async_io, experience, architecture, middleware, then users, scope,
    # transactions, addons (Enter: the default "unsure")
    answers = (
        "api\nsmall\nno\nsimple\napi_only\nyes\nno\nsolo\nrelaxed\nhigh\nnewcomer\ncustom\nno\n"
    )
    answers += "\n\n\n\n"
    result = invoke(runner, "recommend", "--prompt", input=answers)
    assert result.exit_code == 0, result.stderr
    assert "Recommendation: Flask" in result.stdout
    assert "What are you building?" in result.stderr


def test_recommend_prompt_rejects_a_bad_choice_and_asks_again(runner):
    answers = "game\napi\n" + "\n" * 16
    result = invoke(runner, "recommend", "--prompt", input=answers)
    assert result.exit_code == 0
    assert "'game' is not one of" in result.stderr


def test_answers_file_yaml_and_recommend_json_round_trip(runner, tmp_path):
    yaml_file = tmp_path / "answers.yml"
    yaml_file.write_text("kind: cms\nadmin: yes\n")
    first = invoke(runner, "recommend", "--answers-file", str(yaml_file), "--defaults", "--json")
    assert first.exit_code == 0
    assert json.loads(first.stdout)["answers"]["kind"] == "cms"
    json_file = tmp_path / "rec.json"
    json_file.write_text(first.stdout)
    second = invoke(runner, "recommend", "--answers-file", str(json_file), "--json")
    assert second.exit_code == 0, second.stderr
    assert json.loads(second.stdout) == json.loads(first.stdout)


def test_flags_override_the_answers_file(runner, tmp_path):
    answers = tmp_path / "a.yml"
    answers.write_text("kind: cms\n")
    result = invoke(
        runner, "recommend", "--answers-file", str(answers), "-a", "kind=api", "--defaults",
        "--json",
    )  # fmt: skip
    assert json.loads(result.stdout)["answers"]["kind"] == "api"


def test_list_questions(runner):
    result = invoke(runner, "recommend", "--list", "--json")
    data = json.loads(result.stdout)
    assert data["kind"]["allowed"][0] == "website"
    assert data["admin"]["allowed"] == ["yes", "no", "unsure"]


# ---------------------------------------------------------------------------- new


def _git(project: Path, *args: str) -> str:
    return subprocess.run(
        ["git", *args], cwd=project, capture_output=True, text=True, check=True
    ).stdout


def test_new_generates_a_committed_updatable_project(runner, tmp_path):
    dest = tmp_path / "my-site"
    result = invoke(runner, "new", str(dest), "--defaults", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["framework"] == "django"
    assert data["recommendation"]["framework"] == "django"
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    # the published URL and this release's tag: any machine can update it
    assert answers["_src_path"] == TEMPLATE_URL
    assert answers["_commit"] == f"v{__version__}" == data["template"]["commit"]
    assert answers["framework"] == "django"
    rec = data["recommendation"]
    assert answers["why_framework"] == [r["text"] for r in rec["reasons"]] + [rec["tie_breaker"]]
    assert "dev_secret_key" not in answers
    # one commit, clean tree, the secret file present but not committed
    assert len(_git(dest, "log", "--format=%H").split()) == 1
    assert _git(dest, "rev-parse", "HEAD").strip() == data["git_commit"]
    assert _git(dest, "status", "--porcelain") == ""
    assert (dest / ".env").is_file()
    assert ".env" not in _git(dest, "ls-files").split()


def test_new_writes_the_reasons_into_the_readme(runner, tmp_path):
    dest = tmp_path / "p"
    result = invoke(runner, "new", str(dest), "--defaults", "-a", "kind=cms", "--quiet")
    assert result.exit_code == 0, result.stderr
    readme = (dest / "README.md").read_text()
    assert "Why Django" in readme
    assert "content management" in readme


def test_new_framework_option_overrides_and_says_so(runner, tmp_path):
    dest = tmp_path / "p"
    result = invoke(
        runner, "new", str(dest), "--framework", "flask", "-a", "kind=cms", "--defaults",
        "--no-git",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "overrides the recommendation (django)" in result.stderr
    answers = yaml.safe_load((dest / ".copier-answers.yml").read_text())
    assert answers["framework"] == "flask"
    assert "Chosen explicitly" in answers["why_framework"][0]
    assert not (dest / ".git").exists()


def test_new_prints_next_steps(runner, tmp_path):
    result = invoke(runner, "new", str(tmp_path / "site"), "--framework", "flask", "--defaults")
    assert result.exit_code == 0, result.stderr
    assert "Next steps:" in result.stdout
    assert "flask db upgrade" in result.stdout
    assert 'pip install -e ".[dev]"' in result.stdout
    assert "Rendering the flask template" in result.stderr


def test_new_without_terminal_lists_missing_template_answers(runner, tmp_path):
    dest = tmp_path / "p"
    result = invoke(runner, "new", str(dest), "--framework", "django", "-d", "project_name=X")
    assert result.exit_code == 5
    assert "missing answers for package_name, description" in result.stderr
    assert "project_name" not in result.stderr.split("--data")[0]
    assert not dest.exists()


def test_new_refuses_a_non_empty_destination_and_writes_nothing(runner, tmp_path):
    dest = tmp_path / "taken"
    dest.mkdir()
    (dest / "notes.txt").write_text("mine")
    result = invoke(runner, "new", str(dest), "--defaults")
    assert result.exit_code == 3
    assert "not empty" in result.stderr
    assert [p.name for p in dest.iterdir()] == ["notes.txt"]
    assert (dest / "notes.txt").read_text() == "mine"


def test_new_data_file_and_flags(runner, tmp_path):
    data = tmp_path / "project.yml"
    data.write_text("project_name: Orders API\ndatabase: postgresql\n")
    dest = tmp_path / "orders"
    result = invoke(
        runner, "new", str(dest), "--framework", "flask", "--data-file", str(data),
        "-d", "github_actions=false", "--defaults", "--json", "--no-git",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert answers["project_name"] == "Orders API"
    assert answers["package_name"] == "orders_api"
    assert answers["database"] == "postgresql"
    assert answers["github_actions"] is False


def test_python_m_scaffold_with_closed_stdin(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "scaffold", "new", str(tmp_path / "x"), "--defaults", "--json"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["framework"] == "django"
    missing = subprocess.run(
        [sys.executable, "-m", "scaffold", "recommend"],
        stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert missing.returncode == 5
    assert "Traceback" not in missing.stderr


# ------------------------------------------------------------ the conversation


@pytest.fixture
def git_identity(tmp_path, monkeypatch):
    config = tmp_path / "gitconfig"
    config.write_text("[user]\n\tname = Grace Hopper\n\temail = grace@example.net\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))


def test_new_help_lists_the_template_answers_with_values_and_defaults(runner):
    from scaffold.api import template_answers

    out = " ".join(invoke(runner, "new", "--help").stdout.split())
    assert "Template answers (-d KEY=VALUE" in out
    for entry in template_answers():
        assert entry["key"] in out
    assert "sqlite|postgresql; default: sqlite" in out
    assert "true|false; default: true" in out
    assert "DEST's folder name" in out
    assert "why_framework" not in out and "reserved_names" not in out


def test_new_defaults_fit_the_folder_and_the_git_user(runner, tmp_path, git_identity):
    result = invoke(runner, "new", str(tmp_path / "shop-site"), "--defaults", "--json", "--no-git")
    assert result.exit_code == 0, result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert (answers["project_name"], answers["package_name"]) == ("Shop Site", "shop_site")
    assert (answers["author_name"], answers["author_email"]) == (
        "Grace Hopper",
        "grace@example.net",
    )


def test_new_framework_with_defaults_says_the_recommendation_is_skipped(runner, tmp_path):
    result = invoke(runner, "new", str(tmp_path / "p"), "--framework", "flask", "--defaults",
                    "--no-git", "-d", "database=PostgreSQL")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "Using Flask as given; the recommendation is skipped" in result.stderr
    assert "Recommendation" not in result.stdout
    stored = yaml.safe_load((tmp_path / "p" / ".copier-answers.yml").read_text())
    assert stored["database"] == "postgresql"  # choices in any case


def test_new_asks_the_template_questions_itself_and_asks_again(runner, tmp_path, git_identity):
    # Piped answers (no terminal, --prompt): project name, package, description, author,
    # a wrong e-mail then a right one, database by prefix, REST API, docker, background
    # jobs, workflow, dependabot, async server.
    typed = "\n\n\nAda Lovelace\nyou@example.comnot-an-email\nada@example.org\nPOST\nno\ny\n"
    typed += "\n\nn\n\n"
    result = invoke(
        runner, "new", str(tmp_path / "tea-shop"), "--framework", "django", "--prompt",
        "--no-git", "--json", input=typed,
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert "[Tea Shop]" in result.stderr
    assert "[Grace Hopper]" in result.stderr
    assert result.stderr.count("Author's e-mail address") == 2
    assert '! "you@example.comnot-an-email" is not an e-mail address' in result.stderr
    answers = json.loads(result.stdout)["answers"]
    assert answers["project_name"] == "Tea Shop"
    assert answers["author_name"] == "Ada Lovelace"
    assert answers["author_email"] == "ada@example.org"
    assert answers["database"] == "postgresql"
    assert (answers["rest_api"], answers["docker"], answers["github_actions"]) == (
        False,
        True,
        True,
    )
    assert answers["dependabot"] is False
    assert answers["async_server"] is False


def test_end_of_input_at_a_question_is_an_interruption(runner, tmp_path):
    dest = tmp_path / "p"
    result = invoke(runner, "new", str(dest), "--framework", "flask", "--prompt", input="Shop\n")
    assert result.exit_code == 130
    assert result.stderr.strip().splitlines()[-1] == "Error: interrupted; nothing was written"
    assert not dest.exists()


def test_library_new_project_makes_the_same_project_as_the_command(runner, tmp_path):
    import scaffold

    args = {"framework": "flask", "data": {"database": "postgresql", "docker": "true"}}
    made = scaffold.new_project(tmp_path / "lib" / "orders", defaults=True, git=False, **args)
    result = invoke(
        runner, "new", str(tmp_path / "cli" / "orders"), "--framework", "flask", "--defaults",
        "--no-git", "-d", "database=postgresql", "-d", "docker=true", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    from_cli = json.loads(result.stdout)
    assert made.to_dict()["answers"] == from_cli["answers"]
    assert set(made.to_dict()) <= set(from_cli)

    def files(root: Path) -> dict[str, bytes]:
        return {
            str(p.relative_to(root)): p.read_bytes()
            for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != ".env"  # .env holds a random secret
        }

    assert files(made.path) == files(tmp_path / "cli" / "orders")


def test_import_scaffold_is_cheap_and_exports_the_api():
    code = (
        "import sys, scaffold\n"
        "assert 'copier' not in sys.modules and 'scaffold.generate' not in sys.modules\n"
        "assert callable(scaffold.recommend) and callable(scaffold.new_project)\n"
        "assert callable(scaffold.update_project) and callable(scaffold.check_update)\n"
        "assert issubclass(scaffold.UpdateAvailable, scaffold.ScaffoldError)\n"
        "assert scaffold.Interrupted().exit_code == 130\n"
        "print(scaffold.recommend({}, defaults=True).framework)\n"
        "print('copier' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["django", "False"]


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["django", "flask"])
def test_new_renders_in_place_what_copier_copy_renders(runner, tmp_path, framework):
    """`scaffold new` renders the packaged template where it lies (no clone, no per-file
    git config): the same files, contents and modes as plain `copier copy` of the
    template with the same answers; only the recorded source differs (URL and tag)."""
    import os
    import stat

    import copier

    answers = {"project_name": "Same Site", "author_name": "A", "author_email": "a@example.com"}
    ours = tmp_path / "ours"
    data = [arg for k, v in answers.items() for arg in ("-d", f"{k}={v}")]
    result = invoke(runner, "new", str(ours), "--framework", framework, "--defaults", *data)
    assert result.exit_code == 0, result.stderr
    theirs = tmp_path / "theirs"
    why = yaml.safe_load((ours / ".copier-answers.yml").read_text())["why_framework"]
    copier.run_copy(
        str(Path(__file__).resolve().parents[1]), str(theirs), vcs_ref="HEAD", defaults=True,
        quiet=True, data={"framework": framework, "why_framework": why, **answers},
    )  # fmt: skip

    def tree(root: Path) -> dict[str, tuple[int, bytes]]:
        found = {}
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if d != ".git"]
            for name in files:
                path = Path(folder, name)
                rel = str(path.relative_to(root))
                if rel not in (".env", ".copier-answers.yml"):  # a random secret; the source
                    found[rel] = (stat.S_IMODE(path.stat().st_mode), path.read_bytes())
        return found

    assert tree(ours) == tree(theirs)
    recorded = yaml.safe_load((ours / ".copier-answers.yml").read_text())
    assert (recorded["_src_path"], recorded["_commit"]) == (TEMPLATE_URL, f"v{__version__}")
