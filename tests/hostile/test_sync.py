"""The hostile-server catalogue (tests/hostile/catalog.py) on the blocking front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from hostile.catalog import CASES, case_ids
from scenarios.sync_adapter import SyncAdapter


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_hostile(case, scenario_servers):
    case(SyncAdapter(), scenario_servers)
