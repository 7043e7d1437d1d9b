"""Property-based tests (hypothesis, Python 3 only): the sans-I/O core against any input.

Every test here uses ``SETTINGS`` (derandomized, no deadline, few examples)
so a run is repeatable and the folder stays under ~30 s per Python. 2.7 has
no hypothesis: the files are not collected there.
"""
from __future__ import absolute_import, division, print_function

import sys

collect_ignore_glob = ["test_*.py"] if sys.version_info[0] < 3 else []
