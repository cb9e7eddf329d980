"""The test run's own set-up: how tests are shared out between xdist processes.

Every served project (``live_project``, the browser ``site``) is built once per process
that runs one of its tests, so all its tests must land in one process: that is what the
``xdist_group`` marks of tests/conftest.py and ``--dist loadgroup`` do. pytest-xdist
applies a group by renaming the item (``nodeid@group``); if the installed pytest ignores
the rename, loadgroup quietly spreads every test on its own and each process builds
every served project again (minutes of the full suite).
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.conftest import xdist_group


def test_xdist_can_rename_items(request: pytest.FixtureRequest) -> None:
    """What pytest-xdist 3.8 does to an item under --dist loadgroup (xdist/remote.py)."""
    node = request.node
    before = node.nodeid
    node._nodeid = f"{before}@guard"
    try:
        assert node.nodeid == f"{before}@guard", (
            "this pytest ignores Node._nodeid: pytest-xdist's loadgroup cannot group tests "
            "(keep pytest below 9.2 in pyproject.toml until pytest-xdist supports it)"
        )
    finally:
        node._nodeid = before


def test_every_item_is_grouped_by_its_file(request: pytest.FixtureRequest) -> None:
    marker = request.node.get_closest_marker("xdist_group")
    assert marker is not None
    assert marker.args == ("tests/test_pytest_setup.py",)
    # In an xdist process of a --dist loadgroup run (the default), the group is applied.
    if getattr(request.config.option, "loadgroup", False):
        assert request.node.nodeid.endswith("@tests/test_pytest_setup.py")


def fake_item(nodeid: str, **params: object) -> pytest.Item:
    return SimpleNamespace(nodeid=nodeid, callspec=SimpleNamespace(params=params))  # type: ignore[return-value]


@pytest.mark.parametrize(
    ("item", "group"),
    [
        pytest.param(
            fake_item(
                "tests/contract/test_api_list.py::test_newest_first[flask-sqlite]",
                live_project=("flask", "sqlite", "3.11"),
            ),
            "live_project-flask-sqlite",
            id="contract-combination",
        ),
        pytest.param(
            fake_item("tests/browser/test_site.py::test_login[django]", site="django"),
            "site-django",
            id="browser-site",
        ),
        pytest.param(
            fake_item("tests/test_cli.py::test_help[new]", command="new"),
            "tests/test_cli.py",
            id="other-parameter",
        ),
        pytest.param(
            SimpleNamespace(nodeid="tests/test_cli.py::test_version"),
            "tests/test_cli.py",
            id="no-parameters",
        ),
    ],
)
def test_served_projects_are_grouped_across_files(item: pytest.Item, group: str) -> None:
    assert xdist_group(item) == group
