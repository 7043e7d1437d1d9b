"""Watching memory over a long run (2.7 and 3.x): traced Python memory, RSS, ResourceWarnings.

:class:`MemoryWatch` is started after a warm-up (so caches, pools and
interned strings that fill once are already full) and stopped at the end of
the run; it reports what grew in between:

- ``traced``: bytes allocated by Python code during the run and still alive
  at its end (``tracemalloc``, 3.x only: 2.7 has none; None there);
- ``rss``: growth of the resident set (``VmRSS`` in /proc/self/status);
- ``resource_warnings``: every ResourceWarning emitted during the run (3.x;
  2.7 has no such warning).

:func:`check` asserts the tolerances, for a run of :data:`COUNT` requests.
On 3.x tracemalloc sees every byte, so 5,000 requests are enough: TRACED
allows ~3 bytes per request (a clean run leaves ~600 bytes), and anything
retained per request, even one more reference in a list, is 8+ bytes, so any
per-request leak fails. 2.7 has only the resident set, which moves in whole
pages, so it runs 20,000 requests (cheap there: no tracing). RSS allows 4 MiB
for the allocator's own bookkeeping (arenas of 256 KiB-1 MiB, freed ones not
always given back to the system) and tracemalloc's tables: a leak of 200
bytes per request fails on 2.7, of 800 on 3.x (where tracemalloc has already
failed it).
"""
from __future__ import absolute_import, division, print_function

import gc
import warnings

try:
    import tracemalloc
except ImportError:  # Python 2.7
    tracemalloc = None

ResourceWarning = getattr(__import__("__builtin__" if str is bytes else "builtins"),
                          "ResourceWarning", None)

__all__ = ["MemoryWatch", "rss_bytes", "check", "COUNT", "TRACED", "RSS"]

#: Requests in a measured run (after a warm-up of 1,000).
COUNT = 20000 if tracemalloc is None else 5000
TRACED = 16 * 1024
RSS = 4 * 1024 * 1024


def rss_bytes():
    """Return this process's resident set size in bytes (Linux /proc)."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


class MemoryWatch(object):
    """Measure what a run leaves behind; a context manager around the measured part."""

    def __init__(self):
        self.traced = self.rss = None
        self.resource_warnings = []
        self._catcher = None
        self._rss_start = 0

    def __enter__(self):
        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        warnings.simplefilter("always")
        gc.collect()
        self._rss_start = rss_bytes()
        if tracemalloc is not None:
            tracemalloc.start()
        return self

    def __exit__(self, *exc_info):
        gc.collect()
        if tracemalloc is not None:
            self.traced = tracemalloc.get_traced_memory()[0]
            self.top = tracemalloc.take_snapshot().statistics("lineno")[:8]
            tracemalloc.stop()
        self.rss = rss_bytes() - self._rss_start
        self._catcher.__exit__(*exc_info)
        if ResourceWarning is not None:
            self.resource_warnings = [str(w.message) for w in self._caught
                                      if issubclass(w.category, ResourceWarning)]

    def report(self):
        """A readable account of the growth (for assertion messages)."""
        lines = ["traced %s bytes, RSS %+d bytes" % (self.traced, self.rss)]
        lines.extend(str(stat) for stat in getattr(self, "top", ()))
        return "\n".join(lines)


def check(watch):
    """Assert the growth ``watch`` measured is within TRACED and RSS, with no ResourceWarning."""
    assert watch.resource_warnings == [], watch.resource_warnings[:3]
    if watch.traced is not None:
        assert watch.traced < TRACED, watch.report()
    assert watch.rss < RSS, watch.report()
