"""The progress meter's rate limit and totals (httpkit._progress), with an injected clock."""
from __future__ import absolute_import, division, print_function

import pytest

from httpkit._models import Headers, PreparedRequest, Response
from httpkit._progress import INTERVAL, ProgressMeter, download_total


class Clock(object):
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def meter(total, clock=None):
    calls = []
    m = ProgressMeter(lambda done, tot: calls.append((done, tot)), total, clock=clock or Clock())
    return m, calls


def test_first_piece_calls_at_once_then_at_most_every_interval():
    clock = Clock()
    m, calls = meter(1000, clock)
    m.update(10)
    assert calls == [(10, 1000)]
    for done in range(20, 200, 10):  # no time passes: no calls
        m.update(done)
    assert calls == [(10, 1000)]
    clock.now += INTERVAL * 0.99
    m.update(200)
    assert len(calls) == 1
    clock.now += INTERVAL * 0.02
    m.update(210)
    assert calls == [(10, 1000), (210, 1000)]


def test_reaching_total_always_calls_once():
    m, calls = meter(100)
    m.update(50)
    m.update(100)  # no time passed, but the body is complete
    assert calls == [(50, 100), (100, 100)]
    m.finish(100)  # the end of the body after it: no second last call
    assert calls == [(50, 100), (100, 100)]


def test_unknown_total_finishes_with_every_byte():
    m, calls = meter(None)
    m.update(5)
    m.update(9)
    m.finish(9)
    assert calls == [(5, None), (9, None)]


@pytest.mark.parametrize("total", [0, None])
def test_empty_body_one_call(total):
    m, calls = meter(total)
    m.finish(0)
    m.finish(0)
    assert calls == [(0, total)]


def test_many_pieces_over_simulated_seconds_are_rate_limited():
    clock = Clock()
    m, calls = meter(10 ** 9, clock)
    done = 0
    for _ in range(100000):  # 1 GB in 10 KB pieces over 10 simulated seconds
        clock.now += 0.0001
        done += 10000
        m.update(done)
    assert calls[-1] == (10 ** 9, 10 ** 9)
    assert len(calls) <= 10 * 10 + 2
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


def test_callback_exception_propagates():
    def boom(done, total):
        raise ValueError("from the callback")
    m = ProgressMeter(boom, 10, clock=Clock())
    with pytest.raises(ValueError):
        m.update(1)


def _response(status=200, method="GET", headers=()):
    request = PreparedRequest(method=method, url="http://example.com/")
    return Response(status, "", Headers(list(headers)), request)


@pytest.mark.parametrize("status, method, headers, total", [
    (200, "GET", [("Content-Length", "42")], 42),
    (200, "GET", [], None),
    (200, "GET", [("Transfer-Encoding", "chunked")], None),
    (200, "GET", [("Content-Length", "nope")], None),
    (200, "HEAD", [("Content-Length", "42")], 0),
    (204, "GET", [], 0),
    (304, "GET", [("Content-Length", "42")], 0),
])
def test_download_total(status, method, headers, total):
    assert download_total(_response(status, method, headers)) == total
