"""The test suite's own grouping (tests/conftest.py): under `make test`'s two workers each end-to-end
group runs whole on one worker with its own local stack, and nothing else runs there while it is up."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT, xdist_group_of


def test_end_to_end_files_share_two_groups_and_every_other_file_is_a_group_of_its_own() -> None:
    e2e = sorted((ROOT / "tests" / "e2e").glob("test_*.py"))
    assert {xdist_group_of(path) for path in e2e} == {"e2e-operations", "e2e-workflows"}
    assert xdist_group_of(ROOT / "tests" / "unit" / "test_pii.py") == "tests/unit/test_pii.py"
    assert xdist_group_of(ROOT / "tests" / "integration" / "test_handlers.py") == "tests/integration/test_handlers.py"


def test_under_loadgroup_this_test_carries_its_group(request: pytest.FixtureRequest) -> None:
    """The canary: pytest 9.2 builds node ids so that xdist 3.8 can no longer add the group to them,
    and then every test runs wherever, silently (see the pins in requirements-dev.txt)."""
    if not getattr(request.config.option, "loadgroup", False):
        pytest.skip("only a worker of `pytest -n 2 --dist loadgroup` (make test) groups tests")
    assert request.node.nodeid.endswith("@tests/unit/test_test_groups.py")
