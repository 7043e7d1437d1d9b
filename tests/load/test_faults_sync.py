"""Faults under load on the blocking front-end (tests/load/faulty.py states the rules).

200 threads at once against a server that resets, stalls and truncates at
random: half share one Session, half make one-shot ``httpkit.get`` calls.
Every call ends -- in the exact body or an httpkit error -- within its total
deadline; then, faults off, the same Session makes 50 good requests; and once
it is closed no file descriptor is left open.
"""
from __future__ import absolute_import, division, print_function

import threading
import time

import httpkit
from load.faulty import READ_TIMEOUT, Tally
from load.peers import fds_settle, open_fds

CALLS = 200
#: The total deadline of each call, and the bound on waiting for every thread.
DEADLINE = 10.0
BOUND = 30.0


def _timeouts():
    return httpkit.Timeouts(connect=5.0, read=READ_TIMEOUT, write=5.0, pool=DEADLINE,
                            total=DEADLINE)


def _call(get, url, index, tally):
    try:
        r = get(url + "/n/%d" % index, timeout=_timeouts())
    except Exception as exc:  # noqa: BLE001 - the tally tells httpkit's from others
        tally.error(index, exc)
    else:
        tally.body(index, r.status_code, r.content)


def test_faults_under_load_then_the_pool_recovers_and_nothing_leaks(faulty):
    before = open_fds()
    tally = Tally()
    session = httpkit.Session(limits=httpkit.Limits(max_per_host=50, max_total=50))
    try:
        threads = []
        for index in range(CALLS):
            get = session.get if index % 2 else httpkit.get
            thread = threading.Thread(target=_call, args=(get, faulty.url, index, tally))
            thread.daemon = True
            threads.append(thread)
            thread.start()
        deadline = time.time() + BOUND
        for thread in threads:
            thread.join(max(0.0, deadline - time.time()))
        assert not any(t.is_alive() for t in threads), "calls still running after %ss" % BOUND
        tally.check(CALLS)

        faulty.faults = False
        recovered = Tally()
        for index in range(50):
            _call(session.get, faulty.url, CALLS + index, recovered)
        assert recovered.kinds == {"ok": 50}, recovered.kinds
    finally:
        session.close()
    opened = fds_settle(before)
    assert opened == [], "descriptors left open: %r" % (opened,)
