"""Faults under load on httpkit.aio.tx (tests/load/faulty.py states the rules); 2.7 and 3.x.

200 Deferreds share one Twisted Session against a server that resets,
stalls and truncates at random. Every call ends -- in the exact body or an
httpkit error -- within its total deadline; then, faults off, the same
Session makes 50 good requests; and once it is closed no file descriptor is
left open (the reactor's own descriptors were open before the test began).
"""
from __future__ import absolute_import, division, print_function

import pytest

import httpkit
from load.faulty import READ_TIMEOUT, FaultyServer, Tally
from load.peers import BOUND, UPLOAD, SlowReader, fds_settle, open_fds

CALLS = 200
DEADLINE = 10.0


@pytest.fixture
def faulty():
    server = FaultyServer().start()
    yield server
    server.stop()


def _timeouts():
    return httpkit.Timeouts(connect=5.0, read=READ_TIMEOUT, write=5.0, pool=DEADLINE,
                            total=DEADLINE)


def _call(session, url, index, tally):
    """A Deferred that fires (never fails) once the call's outcome is in ``tally``."""
    d = session.get(url + "/n/%d" % index, timeout=_timeouts())

    def read(response):
        return response.content().addCallback(
            lambda body: tally.body(index, response.status_code, body))
    d.addCallback(read)
    d.addErrback(lambda failure: tally.error(index, failure.value))
    return d


def test_faults_under_load_then_the_pool_recovers_and_nothing_leaks(tx, faulty):
    from twisted.internet import defer
    before = open_fds()
    tally, recovered = Tally(), Tally()
    session = tx.session(limits=httpkit.Limits(max_per_host=50, max_total=50))
    tx.call(lambda: defer.gatherResults([_call(session, faulty.url, i, tally)
                                         for i in range(CALLS)]), _timeout=60)
    tally.check(CALLS)

    faulty.faults = False

    @defer.inlineCallbacks
    def good_ones():
        for index in range(50):
            yield _call(session, faulty.url, CALLS + index, recovered)
    tx.call(good_ones)
    assert recovered.kinds == {"ok": 50}, recovered.kinds
    tx.close_sessions()
    opened = fds_settle(before)
    assert opened == [], "descriptors left open: %r" % (opened,)


# --------------------------------------------------------------------------- memory
def test_keep_alive_requests_do_not_grow(tx, nginx):
    """Thousands of keep-alive requests leave no memory behind (tests/load/memory.py).

    The loop runs on the reactor thread (one ``tx.call``), so the measure is
    the Session's and the reactor's, not the thread crossings'.
    """
    from twisted.internet import defer
    from load.memory import COUNT, MemoryWatch, check
    from nginx import SMALL
    url = nginx.url("/small.txt")
    session = tx.session()

    connections = []

    @defer.inlineCallbacks
    def many(count):
        for _ in range(count):
            response = yield session.get(url)
            body = yield response.content()
            if body != SMALL:
                raise AssertionError((response.status_code, body[:100]))
        connections.append(session._driver.pool.total)
    tx.call(many, 1000)  # warm-up
    with MemoryWatch() as watch:
        tx.call(many, COUNT, _timeout=120)
    assert connections == [1, 1]  # kept alive: one connection served them all
    check(watch)


# --------------------------------------------------------------------------- slow reader
@pytest.fixture
def slow_reader():
    server = SlowReader().start()
    yield server
    server.stop()


def _upload_outcome(tx, url, timeouts):
    session = tx.session()

    def post():
        d = session.post(url, data=UPLOAD, timeout=timeouts)
        return d.addCallbacks(lambda response: None, lambda failure: failure.value)
    return tx.call(post, _timeout=BOUND)


def test_write_timeout_holds_against_a_slow_reader(tx, slow_reader):
    """tests/load/test_slow_reader.py, on Twisted: a send kept going ends at ``write``."""
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=2.0)
    exc = _upload_outcome(tx, slow_reader.url + "/up", timeouts)
    assert isinstance(exc, httpkit.WriteTimeout), repr(exc)
    assert slow_reader.received > 0  # the peer did read: the send made progress


def test_total_deadline_holds_against_a_slow_reader(tx, slow_reader):
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=5.0, total=2.0)
    exc = _upload_outcome(tx, slow_reader.url + "/up", timeouts)
    assert isinstance(exc, httpkit.DeadlineExceeded), repr(exc)
