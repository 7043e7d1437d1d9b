"""on_progress through the blocking front-end's own readers (``r.raw``), and ``Session.send``.

The behaviour shared by every front-end is in tests/scenarios/progress.py.
"""
from __future__ import absolute_import, division, print_function

import shutil

import httpkit

from peer_base import random_bytes

SIZE = 300000


class Calls(list):
    def __call__(self, done, total):
        self.append((done, total))


def test_raw_read_reports_as_read(http_server):
    calls = Calls()
    with httpkit.Session() as s:
        r = s.get(http_server.url + "/bytes/%d?seed=r" % SIZE, stream=True, on_progress=calls)
        assert calls == []  # nothing read yet
        first = r.raw.read(1000)
        assert calls and calls[0][0] >= 1000 and calls[0][1] == SIZE
        rest = r.raw.read()
    assert first + rest == random_bytes(SIZE, "r")
    assert calls[-1] == (SIZE, SIZE)


def test_raw_copy_of_a_gzip_body_counts_the_bytes_as_sent(http_server, tmpdir):
    calls = Calls()
    with httpkit.Session() as s:
        r = s.get(http_server.url + "/gzip", stream=True, on_progress=calls)
        wire = int(r.headers["content-length"])
        r.raw.decode_content = True
        with open(str(tmpdir.join("out.json")), "wb") as f:
            shutil.copyfileobj(r.raw, f)
    assert b'"gzipped": true' in tmpdir.join("out.json").read_binary()
    assert calls[-1] == (wire, wire)


def test_iter_lines_reports_a_chunked_body(http_server):
    calls = Calls()
    with httpkit.Session() as s:
        r = s.get(http_server.url + "/stream/20", stream=True, on_progress=calls)
        lines = list(r.iter_lines())
    assert len(lines) == 20
    assert calls[-1] == (sum(len(line) + 1 for line in lines), None)


def test_session_send_takes_both_callbacks(http_server):
    down, up = Calls(), Calls()
    with httpkit.Session() as s:
        prepared = s.prepare_request(httpkit.Request("POST", http_server.url + "/post",
                                                     data=b"d" * 100000))
        r = s.send(prepared, on_progress=down, on_upload_progress=up)
    assert r.status_code == 200
    assert up[-1] == (100000, 100000)
    size = int(r.headers["content-length"])
    assert down[-1] == (size, size)


def test_module_functions_take_both_callbacks(http_server):
    down, up = Calls(), Calls()
    r = httpkit.put(http_server.url + "/put", data=b"p" * 5000, on_progress=down,
                    on_upload_progress=up)
    assert r.status_code == 200
    assert up == [(5000, 5000)]  # a small body goes with the head: one call
    assert down[-1][0] == down[-1][1] == len(r.content)
