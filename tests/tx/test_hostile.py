"""The hostile-server catalogue (tests/hostile/catalog.py) on the Twisted front-end."""
from __future__ import absolute_import, division, print_function

import pytest

from hostile.catalog import CASES, case_ids

from scenario_adapter import TxAdapter


@pytest.mark.parametrize("case", CASES, ids=case_ids())
def test_hostile(case, scenario_servers, tx):
    case(TxAdapter(tx), scenario_servers)
