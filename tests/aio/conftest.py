"""asyncio front-end tests: Python 3 only (async syntax), never collected on 2.7.

Every test runs its coroutine with :func:`run` (``asyncio.run`` plus a bound),
so no pytest-asyncio is needed and no wait is unbounded.
"""
from __future__ import absolute_import, division, print_function

import sys

collect_ignore_glob = ["test_*.py", "aio_*.py"] if sys.version_info[0] < 3 else []
