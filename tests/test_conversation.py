"""`scaffold new` in a real terminal (tmux), as a person answers it.

Every question, the recommendation's and the template's, is asked by scaffold in one
style: a wrong answer is asked again with a one-line reason, Enter takes the default,
typing replaces it, and Ctrl-C anywhere ends with one line, exit 130 and no folder.
The questions are read from the criteria table and the template, so a new question
needs no change here (it is answered with its default).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import yaml

import scaffold
from scaffold.api import template_answers
from scaffold.recommend import load_criteria

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

WIDTH = 100
START_TRIES = 3  # tmux server starts per pane


class Pane:
    """One command in a detached tmux session of its own server (a private socket)."""

    def __init__(self, command: str) -> None:
        # A socket no other pane ever used: a server that a previous test's kill-server is
        # still taking down can not answer for this one (seen once in CI).
        # A loaded machine can make a server's start fail; the next try gets a new socket.
        for attempt in range(1, START_TRIES + 1):
            self.socket = f"scaffold-test-{os.getpid()}-{uuid.uuid4().hex[:12]}"
            try:
                self.tmux("new-session", "-d", "-s", "t", "-x", str(WIDTH), "-y", "40", command)
                break
            except AssertionError:
                self.close()
                if attempt == START_TRIES:
                    raise
                time.sleep(0.5)
        self.tmux("set-option", "-g", "history-limit", "5000")

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-L", self.socket, *args], capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"tmux {args[0]} exited {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def screen(self, joined: bool = False) -> str:
        """Everything the terminal showed (``joined``: wrapped lines put back together)."""
        return self.tmux("capture-pane", "-p", "-t", "t", "-S", "-", *(["-J"] if joined else []))

    def expect(self, text: str, count: int = 1, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            # Whitespace ignored: a line that fills the width may wrap anywhere.
            if "".join(self.screen(joined=True).split()).count("".join(text.split())) >= count:
                return
            time.sleep(0.05)
        raise AssertionError(f"{text!r} (x{count}) never appeared:\n{self.screen()}")

    def prompts(self) -> int:
        """How many prompt lines (``? ...``) the terminal has shown so far."""
        return sum(line.startswith("? ") for line in self.screen(joined=True).splitlines())

    def wait_for_prompt(self, shown: int, timeout: float = 60) -> None:
        """Wait until a prompt beyond the first ``shown`` ones appears."""
        deadline = time.monotonic() + timeout
        while self.prompts() <= shown:
            if time.monotonic() > deadline:
                raise AssertionError(f"no new prompt after {shown}:\n{self.screen()}")
            time.sleep(0.05)

    def answer(self, text: str = "") -> None:
        if text:
            self.tmux("send-keys", "-t", "t", "-l", text)
        self.tmux("send-keys", "-t", "t", "Enter")

    def key(self, name: str) -> None:
        self.tmux("send-keys", "-t", "t", name)

    def exit_code(self, timeout: float = 120) -> int:
        self.expect("EXIT=", timeout=timeout)
        tail = self.screen().split("EXIT=")[-1]
        return int(tail.split()[0])

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)


@pytest.fixture
def terminal(tmp_path):
    """Start ``scaffold ARGS`` in a 100x40 terminal in tmp_path; git knows who the user is."""
    gitconfig = tmp_path / "gitconfig"
    gitconfig.write_text("[user]\n\tname = Grace Hopper\n\temail = grace@example.net\n")
    panes: list[Pane] = []

    def start(*args: str) -> Pane:
        env = {
            "GIT_CONFIG_GLOBAL": str(gitconfig),
            "TERM": "xterm-256color",
            "NO_COLOR": "1",
        }
        assignments = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items())
        command = " ".join(shlex.quote(a) for a in (sys.executable, "-m", "scaffold", *args))
        script = (
            f"cd {shlex.quote(str(tmp_path))} && env -u CI -u SCAFFOLD_TEMPLATE {assignments} "
            f"{command}; echo EXIT=$?; sleep 300"
        )
        pane = Pane(script)
        panes.append(pane)
        return pane

    yield start
    for pane in panes:
        pane.close()


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _walk_recommendation(pane: Pane) -> None:
    """Every recommendation question: one wrong answer re-asked, the rest by default."""
    wrong = {"choice": "nonsense", "bool": "maybe"}
    reasons = {"choice": "'nonsense' is not one of", "bool": "type yes or no"}
    for question in load_criteria().questions.values():
        pane.expect(_one_line(question.prompt))
        kind = "bool" if question.kind == "bool" else "choice"
        if kind in wrong:
            shown = pane.prompts()
            pane.answer(wrong.pop(kind))
            pane.wait_for_prompt(shown)
            pane.expect(reasons[kind])
        pane.answer()  # Enter: the default


def _walk_template(
    pane: Pane, framework: str, typed: dict[str, list[str]], until: str | None = None
) -> None:
    """Every template question asked for ``framework`` (up to ``until``): ``typed``
    answers in order (each but the last refused, so asked again), Enter for the others."""
    for entry in template_answers(framework=framework):
        if not entry["asked"]:
            continue
        pane.expect(_one_line(entry["help"]))
        if entry["key"] == until:
            return
        answers = typed.get(entry["key"], [""])
        for attempt, text in enumerate(answers, start=1):
            asked = pane.prompts()
            pane.answer(text)
            if attempt < len(answers):
                pane.wait_for_prompt(asked)


def _stored(project: Path) -> dict:
    return yaml.safe_load((project / ".copier-answers.yml").read_text())


def test_every_question_asked_in_one_style_for_the_recommended_framework(terminal, tmp_path):
    framework = scaffold.recommend({}, defaults=True).framework
    pane = terminal("new", "shop-site", "--no-git")
    _walk_recommendation(pane)
    pane.expect(f"Recommendation: {framework.capitalize()}")
    typed = {
        "author_name": ["Ada Lovelace"],  # replaces the default from git config
        "author_email": ["you@example.comnot-an-email", "ada@example.org"],
        "database": ["POST"],  # any case, a unique prefix
        "rest_api": ["n"],
        "docker": ["yes"],
    }
    _walk_template(pane, framework, typed)
    assert pane.exit_code() == 0, pane.screen()
    screen = pane.screen(joined=True)
    assert '"you@example.comnot-an-email" is not an e-mail address' in _one_line(screen)
    assert "[Shop Site]" in screen  # the project name offered from the folder's name
    assert "[Grace Hopper]" in screen  # the author's name offered from git config
    stored = _stored(tmp_path / "shop-site")
    assert stored["framework"] == framework
    assert stored["project_name"] == "Shop Site"  # the default, taken with Enter
    assert stored["package_name"] == "shop_site"
    assert stored["author_name"] == "Ada Lovelace"
    assert stored["author_email"] == "ada@example.org"
    assert stored["database"] == "postgresql"
    assert (stored["rest_api"], stored["docker"]) == (False, True)
    assert all(len(line) <= WIDTH for line in pane.screen().splitlines())


def test_every_template_question_for_the_other_framework(terminal, tmp_path):
    recommended = scaffold.recommend({}, defaults=True).framework
    framework = next(f for f in ("django", "flask") if f != recommended)
    pane = terminal("new", "orders", "--framework", framework, "--no-git")
    pane.expect("the recommendation is skipped")
    typed = {
        "project_name": ["Orders Desk"],
        "package_name": ["django", ""],  # refused with the template's reason, then default
        "database": ["mysql", "sqlite"],
    }
    _walk_template(pane, framework, typed)
    assert pane.exit_code() == 0, pane.screen()
    reason = 'Package name "django" would shadow the Python module "django"'
    assert reason in _one_line(pane.screen(joined=True))  # longer than the terminal: wrapped
    assert "'mysql' is not one of: sqlite, postgresql" in _one_line(pane.screen(joined=True))
    stored = _stored(tmp_path / "orders")
    assert stored["framework"] == framework
    assert (stored["project_name"], stored["package_name"]) == ("Orders Desk", "orders_desk")
    assert stored["author_email"] == "grace@example.net"


def _interrupted(pane: Pane, dest: Path) -> None:
    assert pane.exit_code() == 130, pane.screen()
    errors = [line for line in pane.screen().splitlines() if line.startswith("Error")]
    assert errors == ["Error: interrupted; nothing was written"], pane.screen()
    assert "Traceback" not in pane.screen()
    assert not dest.exists()


def test_ctrl_c_at_a_recommendation_question(terminal, tmp_path):
    pane = terminal("new", "site")
    first = next(iter(load_criteria().questions.values()))
    pane.expect(_one_line(first.prompt))
    pane.wait_for_prompt(0)
    pane.key("C-c")
    _interrupted(pane, tmp_path / "site")


def test_ctrl_c_at_a_template_question_after_a_wrong_answer(terminal, tmp_path):
    pane = terminal("new", "site", "--framework", "flask")
    _walk_template(pane, "flask", {}, until="author_email")
    shown = pane.prompts()
    pane.answer("nobody")
    pane.wait_for_prompt(shown)
    pane.expect('"nobody" is not an e-mail address')
    pane.key("C-c")
    _interrupted(pane, tmp_path / "site")


def test_ctrl_c_while_rendering(terminal, tmp_path):
    pane = terminal("new", "site", "--framework", "flask")
    entries = [e for e in template_answers(framework="flask") if e["asked"]]
    for entry in entries:
        pane.expect(_one_line(entry["help"]))
        if entry is not entries[-1]:
            pane.answer()
    pane.answer()
    pane.expect("Rendering the flask template")
    pane.key("C-c")
    code = pane.exit_code()
    if code == 0:
        pytest.skip("the project was made before Ctrl-C arrived")
    _interrupted(pane, tmp_path / "site")
