"""The total deadline in the sans-I/O core: Budget, ops that re-measure it, Offload.within.

Driven by a fake driver (no sockets): a peer that hands over one byte per op
can only be stopped by a deadline that every op measures again.
"""
from __future__ import absolute_import, division, print_function

import time

import h11
import pytest

from httpkit import _connection as _conn
from httpkit._compat import monotonic
from httpkit._flow import run_flow
from httpkit._ops import Budget, Checkout, Connect, Offload, Recv, Send, deadline_of, seconds_of
from httpkit.exceptions import DeadlineExceeded


def _budget(left, phase=30, total=1):
    return Budget(phase, monotonic() + left, total)


def test_a_budget_gives_the_phase_timeout_or_what_is_left():
    assert seconds_of(_budget(100, phase=5)) == 5
    assert 0 < seconds_of(_budget(2, phase=5)) <= 2
    assert 0 < seconds_of(_budget(2, phase=None)) <= 2
    assert seconds_of(7) == 7 and seconds_of(None) is None


def test_a_passed_budget_raises_deadline_exceeded_naming_the_total():
    with pytest.raises(DeadlineExceeded) as info:
        seconds_of(_budget(-1, total=3))
    assert "total deadline of 3s" in str(info.value)


def test_every_blocking_op_resolves_a_budget_when_it_is_made():
    budget = _budget(2, phase=5)
    for op in (Connect("h", 1, budget), Send(None, b"x", budget), Recv(None, 1, budget),
               Checkout("k", budget)):
        assert isinstance(op.timeout, float) and 0 < op.timeout <= 2, op
    with pytest.raises(DeadlineExceeded):
        Recv(None, 1, _budget(-0.1))


def test_a_head_dripped_a_byte_per_read_cannot_outlive_the_deadline():
    head = b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 1000 + b"\r\n\r\n"
    conn = _conn.Connection(object(), None)
    conn.h11.send(h11.Request(method=b"GET", target=b"/", headers=[("Host", "h")]))
    conn.h11.send(h11.EndOfMessage())
    seen = []

    def execute(op):
        assert isinstance(op, Recv)
        seen.append(op.timeout)
        time.sleep(0.01)  # the peer: one byte now and then, never a whole read timeout
        return head[len(seen) - 1:len(seen)]

    with pytest.raises(DeadlineExceeded):
        run_flow(_conn.next_event(conn, _budget(0.3, phase=30)), execute)
    assert 1 < len(seen) < len(head)
    assert seen == sorted(seen, reverse=True) and seen[0] <= 0.3  # what is left, each time


def test_offload_within_a_deadline_carries_what_is_left():
    op = Offload.within(deadline_of(_budget(2, phase=5)), len, b"abc")
    assert 0 < op.timeout <= 2 and op.total == 1
    assert Offload.within(None, len, b"abc").timeout is None
    assert deadline_of(5) is None
    with pytest.raises(DeadlineExceeded):
        Offload.within(_budget(-1), len, b"abc")  # nothing is run past the deadline


def test_offload_deadline_error_names_the_blocking_call():
    import functools
    op = Offload.within(_budget(2, total=4), functools.partial(len, b"abc"))
    error = op.deadline_error()
    assert isinstance(error, DeadlineExceeded)
    assert "total deadline of 4s" in str(error) and "(len)" in str(error)
