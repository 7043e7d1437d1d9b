"""docs/hostile.md lists every case of the catalogue, and nothing that is not one."""
from __future__ import absolute_import, division, print_function

import io
import os
import re

from hostile.catalog import CASES

DOC = os.path.join(os.path.dirname(__file__), "..", "..", "docs", "hostile.md")


def test_every_case_is_documented_with_its_outcome():
    with io.open(DOC, encoding="utf-8") as f:
        text = f.read()
    documented = set()
    in_table = False  # inside a table whose first column is "case"
    for line in text.splitlines():
        if not line.startswith("|"):
            in_table = False
            continue
        if line.startswith("| case |"):
            in_table = True
        if not in_table or line.startswith("|---"):
            continue
        first = line.split("|")[1]
        while "(" in first:  # "a, b (a note (nested))" -> "a, b"
            first, n = re.subn(r"\([^()]*\)", "", first)
            if not n:
                break
        documented.update(n.strip().strip("`") for n in first.split(","))
    documented -= {"case"}
    names = set(case.func.__name__ for case in CASES)
    assert names - documented == set(), "cases missing from docs/hostile.md"
    assert documented - names == set(), "docs/hostile.md lists cases that do not exist"
