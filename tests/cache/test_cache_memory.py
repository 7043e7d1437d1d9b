"""Memory: a 200 MB body streams into a FileCache and back out without being held whole.

The origin streams the body from a generator (HTTPTestServer sends an
iterable body with an explicit Content-Length piece by piece), so only the
client's memory grows with it. The client runs in a child process
(``child_fetch.py``) that reports its peak RSS; a run that stores the body,
and a run that reads it back from the cache, must each peak within a small
constant of a run without any cache.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import struct
import sys

import pytest

from servers import Response

from cache_helpers import http_date, run_child

MIB = 1024 * 1024
CHUNKS = 200                    # 200 MiB
SLACK_KB = 40 * 1024            # the cache may cost this much more, never the body's size

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="ru_maxrss is in KiB on Linux only")


class BigBody(object):
    """200 MiB made of 1 MiB pieces, each numbered, produced as they are sent."""

    def __init__(self):
        self.block = bytes(bytearray(i % 251 for i in range(MIB)))
        digest = hashlib.sha256()
        for piece in self.pieces():
            digest.update(piece)
        self.sha256 = digest.hexdigest()
        self.calls = 0

    def pieces(self):
        for n in range(CHUNKS):
            yield struct.pack(">Q", n) + self.block[8:]

    def __call__(self, req):
        self.calls += 1
        return Response(200, [("Date", http_date()), ("Cache-Control", "max-age=3600"),
                              ("Content-Type", "application/octet-stream"),
                              ("Content-Length", str(CHUNKS * MIB))], self.pieces())


def test_200_mb_body_streams_through_the_cache_in_bounded_memory(origin, cache_dir):
    body = BigBody()
    origin.add_route("/big-stream", body)
    url = origin.base_url("/big-stream")
    args = ["--stream", str(MIB)]
    plain = run_child("child_fetch.py", ["none", url] + args, timeout=90)
    stored = run_child("child_fetch.py", ["file:" + cache_dir, url] + args, timeout=90)
    served = run_child("child_fetch.py", ["file:" + cache_dir, url] + args, timeout=90)
    for run in (plain, stored, served):
        assert (run["size"], run["sha256"]) == (CHUNKS * MIB, body.sha256)
    assert (stored["cache_status"], served["cache_status"]) == ("miss", "hit")
    assert body.calls == 2
    peaks = "peak RSS KiB: no cache %d, storing %d, from cache %d" % (
        plain["maxrss_kb"], stored["maxrss_kb"], served["maxrss_kb"])
    assert stored["maxrss_kb"] - plain["maxrss_kb"] < SLACK_KB, peaks
    assert served["maxrss_kb"] - plain["maxrss_kb"] < SLACK_KB, peaks
