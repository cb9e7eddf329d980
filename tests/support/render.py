"""Render the working tree's template quickly, without git (for checks of rendered files)."""

from __future__ import annotations

import shutil
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def copy_template(root: Path) -> Path:
    """Copy copier.yml, questions/ and templates/ of the working tree into ``root``."""
    shutil.copy(REPO / "copier.yml", root / "copier.yml")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".venv", "HELPER-BRIEF.md")
    shutil.copytree(REPO / "questions", root / "questions", ignore=ignore)
    shutil.copytree(REPO / "templates", root / "templates", ignore=ignore)
    return root


def render(template: Path, dest: Path, data: dict) -> Path:
    """``copier copy`` with default answers plus ``data`` into ``dest`` (replaced)."""
    import copier

    if dest.exists():
        shutil.rmtree(dest)
    copier.run_copy(str(template), str(dest), data=data, defaults=True, quiet=True, unsafe=False)
    return dest
