"""A send that a slow reader keeps alive still ends at the write timeout and the deadline.

The peer (:class:`load.peers.SlowReader`) takes an upload a few KiB at a
time, so the client's socket becomes writable again and again but the send
never finishes. On 2.7 ``socket.sendall`` restarts its timeout after every
partial send and would go on for minutes; the blocking driver must stop at
the write timeout, and a total deadline must hold too. Each call runs in a
thread joined with a bound (a hang detector with wide slack, not a timing).
"""
from __future__ import absolute_import, division, print_function

import threading

import httpkit
from load.peers import BOUND, UPLOAD


def _bounded_call(func):
    """Run ``func()`` in a thread; return what it raised (it must raise within BOUND)."""
    outcome = []

    def run():
        try:
            func()
            outcome.append(None)
        except Exception as exc:  # noqa: BLE001 - reported below
            outcome.append(exc)
    thread = threading.Thread(target=run)
    thread.daemon = True
    thread.start()
    thread.join(BOUND)
    assert not thread.is_alive(), "the upload was still being sent after %ss" % BOUND
    return outcome[0]


def test_write_timeout_holds_against_a_slow_reader(slow_reader):
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=2.0)
    with httpkit.Session() as session:
        exc = _bounded_call(lambda: session.post(slow_reader.url + "/up", data=UPLOAD,
                                                 timeout=timeouts))
    assert isinstance(exc, httpkit.WriteTimeout), repr(exc)
    assert slow_reader.received > 0  # the peer did read: the send made progress


def test_total_deadline_holds_against_a_slow_reader(slow_reader):
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=5.0, total=2.0)
    exc = _bounded_call(lambda: httpkit.post(slow_reader.url + "/up", data=UPLOAD,
                                             timeout=timeouts))
    assert isinstance(exc, httpkit.DeadlineExceeded), repr(exc)
    assert slow_reader.received > 0


def test_streamed_upload_holds_the_deadline(slow_reader):
    piece = len(UPLOAD) // 4
    body = (UPLOAD[i:i + piece] for i in range(0, len(UPLOAD), piece))
    timeouts = httpkit.Timeouts(connect=5.0, read=5.0, write=5.0, total=2.0)
    with httpkit.Session() as session:
        exc = _bounded_call(lambda: session.post(slow_reader.url + "/up", data=body,
                                                 timeout=timeouts))
    assert isinstance(exc, httpkit.DeadlineExceeded), repr(exc)
