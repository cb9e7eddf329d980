"""The command line under abuse (issue 16, point 6), from the outside: real `scaffold`
processes, real files, devices and signals. Each case ends in one `Error:` line, the
documented exit code, and nothing deleted that was not scaffold's, nor left half-written.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from scaffold.cli import cli

SCAFFOLD = [sys.executable, "-m", "scaffold"]


def run(*args: str, env: dict[str, str] | None = None, timeout: float = 60):
    started = time.monotonic()
    proc = subprocess.run(
        [*SCAFFOLD, *args], capture_output=True, text=True, timeout=timeout,
        stdin=subprocess.DEVNULL, env={**_env(), **(env or {})},
    )  # fmt: skip
    return proc, time.monotonic() - started


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "SCAFFOLD_TEMPLATE"}
    return {**env, "PYTHONUNBUFFERED": "1"}


def one_error_line(stderr: str) -> str:
    """The single `Error:` line of a refusal: short, no traceback."""
    assert "Traceback" not in stderr, stderr
    lines = [line for line in stderr.splitlines() if line.startswith("Error:")]
    assert len(lines) == 1, stderr
    assert len(lines[0]) <= 300, lines[0][:400]
    return lines[0]


def invoke(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# ------------------------------------------------------------- endless and hostile input

BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{k}: &{k} [{', '.join(['*' + p] * 9)}]\n"
    for p, k in zip("abcdefgh", "bcdefghi", strict=True)
)


HOSTILE = [
    ("/dev/zero", ["larger than 1 MiB"]),
    ("/dev/urandom", ["larger than 1 MiB"]),
    (BOMB, ["aliases", "not accepted"]),
    ("[" * 1000 + "]" * 1000, ["nested more than 10 levels"]),
    ("kind: " + "x" * 5000 + "\n", ["5000 characters", "at most 1000"]),
    ('kind: "web\\0site"\n', ["control character", "U+0000"]),
    (b"kind: \xff\xfe\n", ["not UTF-8"]),
]
HOSTILE_IDS = ["dev-zero", "dev-urandom", "alias-bomb", "deep-nesting", "long-value", "nul",
               "binary"]  # fmt: skip


def _file_args(tmp_path: Path, command: str, content: str | bytes) -> list[str]:
    if isinstance(content, bytes) or not content.startswith("/dev/"):
        path = tmp_path / "answers.yml"
        path.write_bytes(content if isinstance(content, bytes) else content.encode())
        content = str(path)
    if command == "recommend":
        return ["recommend", "--defaults", "--answers-file", content]
    return ["new", str(tmp_path / "site"), "--defaults", "--data-file", content]


@pytest.mark.parametrize(("content", "words"), HOSTILE, ids=HOSTILE_IDS)
@pytest.mark.parametrize("command", ["recommend", "new"])
def test_answers_files_are_read_with_bounds(tmp_path, content, words, command):
    started = time.monotonic()
    result = invoke(*_file_args(tmp_path, command, content))
    assert result.exit_code == 2, result.output
    line = one_error_line(result.stderr)
    for word in words:
        assert word in line
    assert time.monotonic() - started < 5  # /dev/zero was read for 40 s, then a traceback
    assert not (tmp_path / "site").exists()


@pytest.mark.slow
@pytest.mark.parametrize("content", ["/dev/zero", "/dev/urandom", BOMB], ids=HOSTILE_IDS[:3])
def test_endless_input_ends_a_real_process_at_once(tmp_path, content):
    proc, elapsed = run(*_file_args(tmp_path, "new", content), timeout=60)
    assert proc.returncode == 2, proc.stderr
    assert "answers file" in one_error_line(proc.stderr)
    assert elapsed < 15  # a whole process on a loaded machine; it used to take 40 s
    assert not (tmp_path / "site").exists()


def test_an_error_quotes_only_a_prefix_of_a_bad_value(tmp_path):
    result = invoke("recommend", "--defaults", "-a", "kind=" + "z" * 900)
    assert result.exit_code == 2
    line = one_error_line(result.stderr)
    assert "zzz" in line and "900 characters" in line
    result = invoke("new", str(tmp_path / "s"), "--defaults", "-d", "author_email=" + "y" * 900)
    assert result.exit_code == 2
    assert "author_email" in one_error_line(result.stderr)
    result = invoke("recommend", "--defaults", "-a", "k" * 5000)
    assert result.exit_code == 2
    assert "KEY=VALUE" in one_error_line(result.stderr)


@pytest.mark.parametrize(
    "data",
    ["package_name=my_site\n", "author_email=you@example.com\n", "package_name=my_site\r"],
    ids=["package-newline", "email-newline", "package-return"],
)
def test_validators_match_whole_strings(tmp_path, data):
    """`$` lets a trailing newline through: `-d $'package_name=my_site\\n'` wrote a
    package folder named `my_site\\n`. The template's validators refuse it now."""
    dest = tmp_path / "site"
    result = invoke("new", str(dest), "--framework", "django", "--defaults", "-d", data)
    assert result.exit_code == 2, result.output
    assert "not" in one_error_line(result.stderr)
    assert not dest.exists()


def test_a_template_that_is_not_scaffolds_is_refused_before_rendering(tmp_path, monkeypatch):
    other = tmp_path / "other"
    other.mkdir()
    (other / "copier.yml").write_text("name:\n  type: str\n  default: hi\n")
    (other / "README.md.jinja").write_text("{{ name }}\n")
    monkeypatch.setenv("SCAFFOLD_TEMPLATE", str(other))
    dest = tmp_path / "site"
    result = invoke("new", str(dest), "--framework", "flask", "--defaults")
    assert result.exit_code == 4
    line = one_error_line(result.stderr)
    assert "is not a scaffold template" in line and str(other) in line
    assert "Created" not in result.stdout
    assert not dest.exists()


@pytest.mark.parametrize("alive", [True, False], ids=["running", "killed"])
def test_a_held_destination_is_refused_and_left_alone(tmp_path, alive):
    """The lock of a running scaffold (here: this test's parent process) means "wait"; the
    lock of a process that is gone (killed with SIGKILL) means "remove it"."""
    dest = tmp_path / "site"
    dest.mkdir()
    if alive:
        pid = os.getppid()
    else:
        dead = subprocess.Popen(["true"])
        dead.wait()
        pid = dead.pid
    (dest / ".scaffold-lock").write_text(f"{pid}\n")
    (dest / "README.md").write_text("half-written\n")
    result = invoke("new", str(dest), "--framework", "django", "--defaults")
    assert result.exit_code == 3
    line = one_error_line(result.stderr)
    assert f"(pid {pid})" in line
    assert ("another scaffold process" if alive else "no longer runs") in line
    assert sorted(p.name for p in dest.iterdir()) == [".scaffold-lock", "README.md"]


def test_scratch_folders_of_killed_runs_are_removed_by_the_next(tmp_path, monkeypatch):
    """A run killed with SIGKILL cannot clean up; the next run removes its scratch folder
    (Copier's clones live there), never a living process's."""
    import tempfile

    scratch = tmp_path / "tmp"
    scratch.mkdir()
    dead = subprocess.Popen(["true"])
    dead.wait()
    (scratch / f"scaffold-tmp-{dead.pid}-abc" / "clone").mkdir(parents=True)
    living = scratch / f"scaffold-tmp-{os.getppid()}-abc"
    living.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))
    result = invoke("new", str(tmp_path / "site"), "--defaults", "-d", "colour=red")
    assert result.exit_code == 2, result.stderr  # refused once the template is open
    assert sorted(p.name for p in scratch.iterdir()) == [living.name]


# ------------------------------------------------------------------- races and signals


@pytest.mark.slow
@pytest.mark.parametrize("existing", [False, True], ids=["new-folder", "empty-folder"])
def test_two_new_into_one_destination_at_once(tmp_path, existing):
    """Both start together: one makes the project, the other fails at once with exit 3
    and deletes nothing; a success line only for a project that exists."""
    for trial in range(2 if existing else 3):
        dest = tmp_path / f"site{trial}"
        if existing:
            dest.mkdir()
        cmd = [*SCAFFOLD, "new", str(dest), "--framework", "flask", "--defaults"]
        procs = [
            subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=_env())
            for _ in range(2)
        ]  # fmt: skip
        outs = [(p.wait(timeout=120), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in outs)
        assert codes == [0, 3], outs
        winner = next(out for out in outs if out[0] == 0)
        loser = next(out for out in outs if out[0] == 3)
        assert "Created a Flask project" in winner[1]
        assert "Created" not in loser[1]
        assert "another scaffold process" in one_error_line(loser[2]) or "not empty" in loser[2]
        assert (dest / ".copier-answers.yml").is_file()
        assert not (dest / ".scaffold-lock").exists()
        status = subprocess.run(["git", "-C", str(dest), "status", "--porcelain"],
                                capture_output=True, text=True, check=True)  # fmt: skip
        assert status.stdout == ""  # whole and committed: nothing deleted under it


def _handler_installed(pid: int) -> None:
    """Wait until the process catches SIGTERM (its SigCgt mask in /proc)."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        status = Path(f"/proc/{pid}/status").read_text()
        caught = int(next(line for line in status.splitlines() if line.startswith("SigCgt:"))
                     .split()[1], 16)  # fmt: skip
        if caught & (1 << (signal.SIGTERM - 1)):
            return
        time.sleep(0.002)
    raise AssertionError("scaffold never installed its SIGTERM handler")


def _stage_reached(proc: subprocess.Popen, words: str) -> None:
    assert proc.stderr is not None
    while True:
        line = proc.stderr.readline()
        assert line, "scaffold new ended before the stage"
        if words in line:
            return


@pytest.mark.slow
@pytest.mark.parametrize(
    "when",
    [None, "Using Django", "Rendering", "Creating a git repository"],
    ids=["at-once", "before-rendering", "rendering", "git"],
)
def test_sigterm_at_any_point_is_exit_130_and_leaves_nothing(tmp_path, when):
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    dest = tmp_path / "deep" / "site"
    template = Path(__file__).resolve().parents[1]  # a local checkout: Copier clones it
    proc = subprocess.Popen(
        [*SCAFFOLD, "new", str(dest), "--framework", "django", "--defaults",
         "--template", str(template)],
        stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**_env(), "TMPDIR": str(scratch)},
    )  # fmt: skip
    if when is None:
        _handler_installed(proc.pid)  # the earliest moment: right as scaffold's main starts
    else:
        _stage_reached(proc, when)
    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=60)
    if proc.returncode == 0:
        pytest.skip("generation finished before the signal arrived")
    assert proc.returncode == 130, err
    line = one_error_line(err)
    assert "interrupted" in line
    if "is complete" in line:  # it came after the commit, while the next steps were printed
        assert (dest / ".copier-answers.yml").is_file() and not (dest / ".scaffold-lock").exists()
    else:
        assert "Created" not in out
        assert not (tmp_path / "deep").exists()  # the parent it made goes too
    assert list(scratch.iterdir()) == []  # Copier's clone of the template went with it


@pytest.mark.slow
def test_a_clone_is_removed_after_a_refusal(tmp_path):
    """A git URL is cloned to read its questions; refused (not scaffold's), the clone goes."""
    other = tmp_path / "other"
    other.mkdir()
    (other / "copier.yml").write_text("name:\n  type: str\n  default: hi\n")
    for args in (
        ["init", "-q"],
        ["add", "-A"],
        ["-c", "user.name=t", "-c", "user.email=t@t.t", "commit", "-qm", "i"],
    ):
        subprocess.run(["git", "-C", str(other), *args], check=True)  # fmt: skip
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    proc, _ = run("new", str(tmp_path / "site"), "--framework", "django", "--defaults",
                  "--template", f"git+file://{other}", "--vcs-ref", "HEAD",
                  env={"TMPDIR": str(scratch)})  # fmt: skip
    assert proc.returncode == 4
    assert "is not a scaffold template" in one_error_line(proc.stderr)
    assert list(scratch.iterdir()) == []
    assert not (tmp_path / "site").exists()
