"""What the tests know of the source article without keeping a copy of its text.

``article-runs.txt`` holds a short hash of every run of 8 words of the article
(lower case, letters and digits only), so a test can tell whether a sentence of
ours repeats one of the article's word for word. Regenerate it (when the article
is at hand) with ``python -m tests.recommend_data.article PATH-TO-ARTICLE``.
"""

from __future__ import annotations

import hashlib
import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
RUNS_FILE = HERE / "article-runs.txt"
RUN = 8


def words(text: str) -> list[str]:
    text = text.lower().replace("\u2019", "").replace("'", "")
    return re.findall(r"[a-z0-9]+", text)


def runs(text: str, size: int = RUN) -> set[str]:
    """The hashes of every run of ``size`` consecutive words of ``text``."""
    w = words(text)
    return {
        hashlib.blake2b(" ".join(w[i : i + size]).encode(), digest_size=5).hexdigest()
        for i in range(len(w) - size + 1)
    }


def stored_runs() -> set[str]:
    return set(RUNS_FILE.read_text("utf-8").split())


if __name__ == "__main__":
    article = Path(sys.argv[1]).read_text("utf-8")
    RUNS_FILE.write_text("\n".join(sorted(runs(article))) + "\n", "utf-8")
