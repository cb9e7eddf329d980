"""Checks every rendered starter must pass, whatever the framework and options."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

RUFF = str(Path(sys.executable).parent / "ruff")

# Rendered files where a leftover `{{`, `{%` or `{#` would be a template bug. The
# frameworks' own templates (*.html, and anything in a templates/ folder, such as a
# mail's text) are left out: that syntax is theirs.
# `${{ ... }}` is GitHub Actions' expression syntax.
CHECKED_SUFFIXES = {
    ".py", ".toml", ".yml", ".yaml", ".md", ".css", ".js", ".cfg", ".txt", ".ini", ".mako",
}  # fmt: skip
CHECKED_NAMES = {"Dockerfile", ".gitignore", ".dockerignore", ".flaskenv"}
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|\{#")


def checked_text_files(project: Path) -> list[Path]:
    return [
        path
        for path in sorted(project.rglob("*"))
        if path.is_file()
        and "templates" not in path.relative_to(project).parts[:-1]
        and (
            path.suffix in CHECKED_SUFFIXES
            or path.name in CHECKED_NAMES
            or path.name.startswith(".env")
        )
    ]


def template_leftovers(project: Path, answers: Mapping[str, Any]) -> list[str]:
    """``file:line: text`` of every unrendered marker, not counting braces the user
    typed into an answer (those are theirs to keep)."""
    typed = [
        fragment
        for value in answers.values()
        if isinstance(value, str)
        for fragment in re.findall(r"\{\{.*?\}\}|\{%.*?%\}", value)
    ]
    leftovers = []
    for path in checked_text_files(project):
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            for fragment in typed:
                line = line.replace(fragment, "")
            if LEFTOVER.search(line):
                leftovers.append(f"{path.relative_to(project)}:{number}: {line.strip()}")
    return leftovers


def ruff(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [RUFF, *args, "--no-cache", "."], cwd=project, capture_output=True, text=True
    )


def compile_python_files(project: Path) -> list[Path]:
    """Compile every .py file (raises on the first that does not); return them."""
    files = sorted(project.rglob("*.py"))
    for path in files:
        compile(ast.parse(path.read_text("utf-8"), str(path)), str(path), "exec")
    return files


def parse_toml_and_yaml(project: Path) -> tuple[dict[str, Any], dict[str, Any]]:
    """Parse pyproject.toml and every YAML file; return pyproject and the stored answers."""
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        assert yaml.safe_load(path.read_text("utf-8")), path
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    return pyproject, answers
