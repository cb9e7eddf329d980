"""Bad input: one clear line, a documented exit code, no traceback, nothing written.

Each row: (id, arguments after `scaffold`, files to create first, exit code, words stderr must
contain). ``{tmp}`` in an argument is the test's temporary folder. The filesystem under it is
compared before and after: a refused command leaves it exactly as it was.
"""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scaffold.cli import cli

NEW = ["new", "{tmp}/site", "--framework", "django", "--defaults"]
FLASK_NEW = ["new", "{tmp}/site", "--framework", "flask", "--defaults"]


def name(value: str) -> list[str]:
    return [*NEW, "-d", f"package_name={value}"]


ROWS = [
    # --- package names
    ("package-empty", name(""), {}, 2, ["package_name", "must not be empty"]),
    ("package-spaces", name("   "), {}, 2, ["package_name", "must not be empty"]),
    ("package-leading-digit", name("1site"), {}, 2, ["not a valid Python identifier", "p_1site"]),
    ("package-hyphen", name("my-site"), {}, 2, ["not a valid Python identifier", '"my_site"']),
    ("package-space", name("my site"), {}, 2, ["not a valid Python identifier", '"my_site"']),
    ("package-uppercase", name("MySite"), {}, 2, ["not a valid Python identifier", '"mysite"']),
    ("package-keyword", name("class"), {}, 2, ["is a Python keyword", "class_site"]),
    ("package-soft-keyword", name("match"), {}, 2, ["is a Python keyword"]),
    ("package-shadows-django", name("django"), {}, 2, ["would shadow", '"django"', "my_django"]),
    ("package-shadows-flask", name("flask"), {}, 2, ["would shadow", '"flask"']),
    ("package-shadows-test", name("test"), {}, 2, ["would shadow", '"test"']),
    ("package-shadows-site", name("site"), {}, 2, ["would shadow", '"site"']),
    ("package-shadows-email", name("email"), {}, 2, ["would shadow", '"email"']),
    ("package-shadows-copier", name("copier"), {}, 2, ["would shadow", '"copier"']),
    ("package-shadows-dependency", name("rest_framework"), {}, 2, ["would shadow"]),
    ("package-non-ascii", name("café"), {}, 2, ["not a valid Python identifier", '"caf"']),
    ("package-path-separator", name("a/b"), {}, 2, ["not a valid Python identifier", '"a_b"']),
    ("package-dot-dot", name(".."), {}, 2, ["not a valid Python identifier"]),
    ("package-too-long", name("x" * 60), {}, 2, ["60 characters", "50 or fewer"]),
    # --- other template answers
    ("project-name-empty", [*NEW, "-d", "project_name= "], {}, 2, ["must not be empty"]),
    ("project-name-too-long", [*NEW, "-d", "project_name=" + "A" * 81], {}, 2, ["81 characters"]),
    ("project-name-newline", [*NEW, "-d", "project_name=a\nb"], {}, 2, ["single line"]),
    ("author-email", [*FLASK_NEW, "-d", "author_email=nobody"], {}, 2, ["not an e-mail address"]),
    ("author-email-appended", [*NEW, "-d", "author_email=you@example.comnot-an-email"], {}, 2,
     ["you@example.comnot-an-email", "not an e-mail address", "name@example.com"]),
    ("author-email-no-tld", [*NEW, "-d", "author_email=me@localhost"], {}, 2,
     ["not an e-mail address"]),
    ("bool-answer-before-recommendation", ["new", "{tmp}/site", "--defaults", "-d",
     "docker=perhaps"], {}, 2, ["'perhaps'", "docker", "true, false"]),
    ("choice-before-recommendation", ["new", "{tmp}/site", "--defaults", "-d", "database=oracle"],
     {}, 2, ["'oracle'", "sqlite, postgresql"]),
    ("validator-before-recommendation", ["new", "{tmp}/site", "--defaults", "-d",
     "package_name=flask"], {}, 2, ["would shadow", "my_flask"]),
    # (a version other than this installation's release is fetched from the URL)
    ("template-url-unreachable", [*NEW, "--template", "https://127.0.0.1:9/scaffold.git",
     "--vcs-ref", "v0.0.1"], {}, 4, ["https://127.0.0.1:9/scaffold.git", "check the URL"]),
    ("template-git-url-unreachable", [*NEW, "--template", "git://127.0.0.1:9/scaffold.git",
     "--vcs-ref", "v0.0.1"], {}, 4, ["git://127.0.0.1:9/scaffold.git", "check the URL"]),
    ("template-folder-missing", [*NEW, "--template", "{tmp}/nowhere"], {}, 4,
     ["nowhere", "--template"]),
    ("database-choice", [*NEW, "-d", "database=mysql"], {}, 2, ["'mysql'", "sqlite, postgresql"]),
    ("bool-answer", [*NEW, "-d", "rest_api=maybe"], {}, 2, ["'maybe'", "true, false"]),
    ("docker-needs-postgresql", [*NEW, "-d", "docker=true"], {}, 2, ["database=postgresql"]),
    ("unknown-data-key", [*NEW, "-d", "colour=red"], {}, 2,
     ["unknown question 'colour'", "project_name", "database"]),
    ("data-without-equals", [*NEW, "-d", "database"], {}, 2, ["--data expects KEY=VALUE"]),
    ("framework-as-data", [*NEW, "-d", "framework=flask"], {}, 2, ["--framework"]),
    # --- destinations
    ("dest-not-empty", [*NEW[:1], "{tmp}/taken", *NEW[2:]], {"taken/mine.txt": "x"}, 3,
     ["not empty", "choose a new folder"]),
    ("dest-is-file", [*NEW[:1], "{tmp}/file.txt", *NEW[2:]], {"file.txt": "x"}, 3, ["is a file"]),
    ("dest-under-a-file", [*NEW[:1], "{tmp}/file.txt/site", *NEW[2:]], {"file.txt": "x"}, 3,
     ["is a file"]),
    ("dest-not-writable", [*NEW[:1], "/proc/1/site", *NEW[2:]], {}, 3, ["cannot write"]),
    # --- answers files and options
    ("answers-yaml-syntax", ["recommend", "--answers-file", "{tmp}/a.yml"],
     {"a.yml": "kind: [api\n"}, 2, ["a.yml", "not valid YAML at line"]),
    ("answers-not-mapping", ["recommend", "--answers-file", "{tmp}/a.yml"],
     {"a.yml": "- kind\n- api\n"}, 2, ["must be a mapping", "list"]),
    ("answers-empty-with-defaults", ["recommend", "--defaults", "--answers-file", "{tmp}/a.yml"],
     {"a.yml": ""}, 2, ["must be a mapping", "empty"]),
    ("answers-unknown-key", ["recommend", "--defaults", "--answers-file", "{tmp}/a.yml"],
     {"a.yml": "colour: red\n"}, 2, ["unknown question 'colour'", "kind"]),
    ("answers-wrong-type", ["recommend", "--defaults", "--answers-file", "{tmp}/a.yml"],
     {"a.yml": "admin: 3\n"}, 2, ["'admin'", "yes, no"]),
    ("answers-unknown-choice", ["recommend", "--defaults", "--answers-file", "{tmp}/a.yml"],
     {"a.yml": "kind: game\n"}, 2, ["'game'", "website"]),
    ("answers-missing-file", ["recommend", "--answers-file", "{tmp}/nope.yml"], {}, 2,
     ["nope.yml", "no such file"]),
    ("answers-file-is-folder", ["recommend", "--answers-file", "{tmp}"], {}, 2,
     ["is a directory"]),
    ("answer-unknown-key", ["recommend", "--defaults", "-a", "colour=red"], {}, 2,
     ["unknown question 'colour'"]),
    ("data-file-unknown-key", [*NEW, "--data-file", "{tmp}/d.yml"], {"d.yml": "colour: red\n"},
     2, ["unknown question 'colour'"]),
    ("data-file-wrong-type", [*NEW, "--data-file", "{tmp}/d.yml"], {"d.yml": "rest_api: 3\n"},
     2, ["rest_api"]),
    ("framework-not-a-choice", ["new", "{tmp}/site", "--framework", "pyramid", "--defaults"],
     {}, 2, ["'pyramid' is not one of", "django", "flask"]),
    ("missing-answers-no-terminal", ["recommend", "-a", "kind=api"], {}, 5,
     ["missing answers for size"]),
]  # fmt: skip


def snapshot(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        if p.is_file()
        else "d"
        for p in sorted(root.rglob("*"))
    }


@pytest.mark.parametrize(
    ("args", "files", "code", "words"), [row[1:] for row in ROWS], ids=[row[0] for row in ROWS]
)
def test_bad_input_is_refused_cleanly(tmp_path, monkeypatch, args, files, code, words):
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = CliRunner().invoke(
        cli, [a.replace("{tmp}", str(tmp_path)) for a in args], catch_exceptions=False
    )
    assert result.exit_code == code, result.stderr
    stderr = result.stderr.strip()
    assert "Traceback" not in result.stderr
    assert len(stderr.splitlines()) >= 1
    error_lines = [line for line in stderr.splitlines() if line.startswith("Error")]
    assert len(error_lines) == 1, stderr
    for word in words:
        assert word in stderr
    # One line each, no dump of internal state, no internal question named.
    assert all(len(line) <= 300 for line in stderr.splitlines()), stderr
    for internal in ("why_framework", "reserved_names", "dev_secret_key", "AnswersMap"):
        assert internal not in stderr
    # Nothing about the recommendation or the rendering before the input is refused.
    assert "Recommendation" not in result.stdout
    assert "Rendering" not in stderr
    assert snapshot(tmp_path) == before


def test_table_is_large_enough():
    assert len(ROWS) >= 30


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_interrupted_generation_leaves_no_destination(tmp_path, sig):
    """Interrupt `scaffold new` while it renders: no destination may be left behind."""
    dest = tmp_path / "site"
    proc = subprocess.Popen(
        [sys.executable, "-m", "scaffold", "new", str(dest), "--framework", "django",
         "--defaults"],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )  # fmt: skip
    # Wait until it says it renders (Copier is imported by then), then let it write a little.
    line = ""
    while "Rendering" not in line:
        line = proc.stderr.readline().decode()
        assert line, "scaffold new ended before rendering"
    deadline = time.monotonic() + 30
    while not dest.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.005)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("generation finished before the signal arrived")
    assert proc.returncode == 130, err.decode()
    assert b"Traceback" not in err
    assert b"interrupted" in err
    assert not dest.exists()
