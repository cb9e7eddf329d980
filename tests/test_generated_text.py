"""Text that travels into code: arbitrary names and descriptions must never break a project.

Property-based (hypothesis, a bounded number of examples): printable text with quotes,
backslashes, Jinja markers, triple quotes and emoji goes through generation; every Python
file still compiles, TOML and YAML still parse and hold the same text, ruff still passes.
"""

from __future__ import annotations

import ast
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.support.render import render

# Slow: renders the template for many generated texts (hypothesis).
pytestmark = pytest.mark.slow

RUFF = str(Path(sys.executable).parent / "ruff")

# Printable, single-line text: no control characters, no surrogates, no line separators.
line_text = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cc", "Cs", "Zl", "Zp", "Co", "Cn"),
    ),
    min_size=1,
    max_size=40,
).filter(lambda s: s.strip() != "")

TRICKY = 'It\'s "quoted" \\ back\\slash {{ x }} {% if %} """ \'\'\' 🚀 ü ${HOME} %s <b>&amp;'


def check_project(project: Path, project_name: str, description: str, author: str) -> None:
    constants: set[str] = set()
    for path in project.rglob("*.py"):
        tree = ast.parse(path.read_text("utf-8"), filename=str(path))  # compiles
        compile(tree, str(path), "exec")
        constants |= {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
    assert project_name in constants, "the project name is not in the code as the same text"
    pyproject = tomllib.loads((project / "pyproject.toml").read_text("utf-8"))
    assert pyproject["project"]["description"] == description
    assert pyproject["project"]["authors"][0]["name"] == author
    for path in [*project.rglob("*.yml"), *project.rglob("*.yaml")]:
        yaml.safe_load(path.read_text("utf-8"))
    answers = yaml.safe_load((project / ".copier-answers.yml").read_text("utf-8"))
    assert answers["project_name"] == project_name
    assert answers["description"] == description
    for args in (["check", "--quiet", "."], ["format", "--check", "--quiet", "."]):
        proc = subprocess.run([RUFF, *args], cwd=project, capture_output=True, text=True)
        assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.parametrize("framework", ["django", "flask"])
@settings(
    max_examples=12,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(project_name=line_text, description=line_text, author=line_text)
@example(project_name=TRICKY, description=TRICKY, author=TRICKY)
@example(project_name="{{ 7*7 }}", description="{% raw %}", author="O'Brien \\")
@example(project_name='"""', description="'''", author="🚀")
@example(project_name="\\" * 10 + "N" * 70, description='"' * 20 + "D" * 70, author="x" * 100)
def test_any_printable_text_keeps_the_project_valid(
    plain_template, tmp_path, framework, project_name, description, author
):
    project = render(
        plain_template,
        tmp_path / "p",
        {
            "framework": framework,
            "project_name": project_name[:80],
            "package_name": "demo_site",
            "description": description,
            "author_name": author,
        },
    )
    check_project(project, project_name[:80], description, author)


@pytest.mark.parametrize("field", ["project_name", "description", "author_name"])
def test_newlines_are_refused_not_written(plain_template, tmp_path, field):
    import copier

    dest = tmp_path / "p"
    with pytest.raises(ValueError, match="single line"):
        copier.run_copy(
            str(plain_template), str(dest),
            data={"framework": "flask", field: "two\nlines"}, defaults=True, quiet=True,
        )  # fmt: skip
    assert not dest.exists()
