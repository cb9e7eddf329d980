"""The release step, for maintainers: ``python -m scaffold.release`` in a clone.

A release is the git tag ``vX.Y.Z`` on the commit whose package version
(``src/scaffold/_version.py``) is ``X.Y.Z``; generated projects record that tag in
``_commit``. Before tagging, this checks, and refuses in one line:

- the version is a plain release number (``X.Y.Z``), newer than every release tag;
- CHANGELOG.md has a ``## X.Y.Z`` section that says what changes in generated
  projects and has an ``Updating:`` line (whether ``scaffold update`` needs a hand),
  and its ``## Unreleased`` section is empty (its entries belong to the release);
- the working tree is clean (untracked files included) and the tag is new.

Then it tags HEAD (an annotated tag) and says how to publish it. ``--check`` only
checks. Nothing here is pushed.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from .errors import ReleaseRefused, ScaffoldError
from .vcs import git

VERSION_FILE = Path("src/scaffold/_version.py")
CHANGELOG = Path("CHANGELOG.md")
_VERSION = re.compile(r'^__version__ = "([^"]+)"$', re.M)
_HEADING = re.compile(r"^## +(.+?)\s*$", re.M)


@dataclass(frozen=True)
class Release:
    version: str
    tag: str
    commit: str
    notes: str


def read_version(repo: Path) -> str:
    try:
        match = _VERSION.search((repo / VERSION_FILE).read_text("utf-8"))
    except OSError:
        match = None
    if not match:
        raise ReleaseRefused(f'no `__version__ = "X.Y.Z"` line in {VERSION_FILE}')
    return match[1]


def changelog_sections(text: str) -> dict[str, str]:
    """``{heading's first word, without a leading v: body}`` of every ``## `` section."""
    sections: dict[str, str] = {}
    matches = list(_HEADING.finditer(text))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(text)
        name = match[1].split()[0].removeprefix("v")
        sections[name] = text[match.end() : end].strip()
    return sections


def release_notes(repo: Path, version: str) -> str:
    """The CHANGELOG.md entry of ``version``, checked."""
    try:
        text = (repo / CHANGELOG).read_text("utf-8")
    except OSError:
        raise ReleaseRefused(f"no {CHANGELOG}; write the release's entry there first") from None
    sections = changelog_sections(text)
    unreleased = next((body for name, body in sections.items() if name.lower() == "unreleased"),
                      "")  # fmt: skip
    if unreleased:
        raise ReleaseRefused(
            f"the Unreleased section of {CHANGELOG} is not empty: move its entries into "
            f"`## {version}` and commit"
        )
    notes = sections.get(version)
    if not notes:
        raise ReleaseRefused(
            f"{CHANGELOG} has no entry for {version}: add a `## {version}` section saying "
            "what changes in generated projects, with an `Updating:` line, and commit"
        )
    if not re.search(r"^\s*(- )?Updating:", notes, re.M):
        raise ReleaseRefused(
            f"the {version} entry of {CHANGELOG} has no `Updating:` line: say whether "
            "`scaffold update` needs a hand (conflicts, a migration, a renamed setting)"
        )
    return notes


def check_release(repo: Path) -> Release:
    """Everything that must hold before tagging; the release it would make."""
    from packaging.version import InvalidVersion, Version

    repo = repo.resolve()
    version = read_version(repo)
    try:
        parsed = Version(version)
    except InvalidVersion:
        parsed = None
    if parsed is None or str(parsed) != version or parsed.is_prerelease or parsed.local:
        raise ReleaseRefused(f"version {version!r} in {VERSION_FILE} is not X.Y.Z")
    tag = f"v{version}"
    notes = release_notes(repo, version)
    dirty = git("status", "--porcelain", "--untracked-files=all", cwd=repo).splitlines()
    if dirty:
        raise ReleaseRefused(
            f"the working tree is not clean ({len(dirty)} changes, e.g. {dirty[0][3:]}); "
            "commit or stash them first"
        )
    tags = git("tag", "--list", "v*", cwd=repo).split()
    if tag in tags:
        raise ReleaseRefused(f"{tag} already exists; bump {VERSION_FILE} for a new release")
    older = []
    for name in tags:
        try:
            older.append((Version(name.removeprefix("v")), name))
        except InvalidVersion:
            continue
    newest = max(older)[1] if older else None
    if newest and Version(newest.removeprefix("v")) > parsed:
        raise ReleaseRefused(f"{tag} is older than the newest release {newest}")
    return Release(version, tag, git("rev-parse", "HEAD", cwd=repo), notes)


def tag_release(repo: Path) -> Release:
    """Check, then tag HEAD ``vX.Y.Z`` with the changelog entry as its message."""
    release = check_release(repo)
    message = f"scaffold {release.version}\n\n{release.notes}\n"
    git("tag", "--annotate", "--cleanup=verbatim", release.tag, "-m", message, cwd=repo)
    return release


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m scaffold.release",
        description="Check the version, the changelog entry and a clean tree, then tag "
        "the release vX.Y.Z on HEAD.",
    )
    parser.add_argument("--repo", type=Path, default=Path("."), help="the clone [default: .]")
    parser.add_argument("--check", action="store_true", help="only check; do not tag")
    args = parser.parse_args(argv)
    try:
        release = check_release(args.repo) if args.check else tag_release(args.repo)
    except ScaffoldError as error:
        print(f"Error: {error.message}", file=sys.stderr)
        return error.exit_code
    if args.check:
        print(f"Ready to release {release.tag} at {release.commit[:12]}.")
    else:
        print(
            f"Tagged {release.tag} at {release.commit[:12]}. Publish it: "
            f"git push origin {release.tag}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
