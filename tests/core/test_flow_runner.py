"""The flow trampoline and the pool bookkeeping, driven without any I/O."""
from __future__ import absolute_import, division, print_function

import pytest

from httpkit._flow import PENDING, FlowRunner, Return, run_flow
from httpkit._ops import Recv, Sleep
from httpkit._pool import Limits, PoolState


def child(x):
    got = yield Sleep(x)
    raise Return(got * 2)


def parent():
    a = yield child(1)
    b = yield child(2)
    raise Return(a + b)


def test_subflows_return_values_to_their_parent():
    seen = []

    def execute(op):
        seen.append(op.seconds)
        return op.seconds * 10

    assert run_flow(parent(), execute) == 60
    assert seen == [1, 2]


def test_errors_from_the_driver_are_thrown_into_the_innermost_flow():
    def inner():
        try:
            yield Recv(None, 1, 1)
        except KeyError:
            raise Return("handled")

    def outer():
        result = yield inner()
        raise Return(result)

    def execute(op):
        raise KeyError("boom")

    assert run_flow(outer(), execute) == "handled"


def test_unhandled_errors_propagate_through_every_level():
    def inner():
        yield Sleep(0)
        raise ValueError("deep")

    def outer():
        yield inner()

    with pytest.raises(ValueError):
        run_flow(outer(), lambda op: None)


def test_close_runs_finally_blocks_innermost_first():
    order = []

    def inner():
        try:
            yield Sleep(1)
        finally:
            order.append("inner")

    def outer():
        try:
            yield inner()
        finally:
            order.append("outer")

    runner = FlowRunner(outer())
    assert isinstance(runner.step(), Sleep)
    runner.close()
    assert order == ["inner", "outer"]


def test_handled_ops_run_inside_step_and_only_the_others_come_back():
    seen = []

    def inner():
        try:
            yield Recv(None, 1, 1)
        except KeyError as exc:
            seen.append("thrown %s" % exc.args[0])
        slept = yield Sleep(5)
        raise Return(slept)

    def outer():
        got = yield inner()
        raise Return(got + 1)

    def recv(op):
        raise KeyError("boom")

    runner = FlowRunner(outer())
    op = runner.step(handlers={Recv: recv})  # Recv runs inside; Sleep is not handled
    assert isinstance(op, Sleep) and seen == ["thrown boom"]
    with pytest.raises(Return) as done:
        runner.step(10, handlers={Recv: recv})
    assert done.value.value == 11
    assert run_flow(outer(), lambda op: 7, {Recv: recv}) == 8


def test_a_handler_that_cannot_finish_now_gives_its_op_back():
    def flow():
        got = yield Sleep(1)
        raise Return(got)

    runner = FlowRunner(flow())
    op = runner.step(handlers={Sleep: lambda op: PENDING})
    assert isinstance(op, Sleep) and op.seconds == 1
    with pytest.raises(Return) as done:
        runner.step("later")
    assert done.value.value == "later"


def test_return_is_not_a_stopiteration():
    assert not issubclass(Return, StopIteration)


class FakeConn(object):
    def __init__(self, ok=True):
        self.ok = ok

    def is_reusable(self):
        return self.ok


def test_pool_reserves_slots_up_to_the_per_host_limit():
    pool = PoolState(Limits(max_per_host=2, max_total=10))
    assert pool.try_checkout("a", 0)[1] is True
    assert pool.try_checkout("a", 0)[1] is True
    conn, reserved, _ = pool.try_checkout("a", 0)
    assert conn is None and reserved is False
    assert pool.try_checkout("b", 0)[1] is True


def test_pool_reuses_newest_idle_connection_and_drops_expired():
    pool = PoolState(Limits(max_per_host=5, idle_timeout=10))
    old, new = FakeConn(), FakeConn()
    for c in (old, new):
        pool.try_checkout("a", 0)
    pool.checkin("a", old, True, 0)
    pool.checkin("a", new, True, 5)
    conn, _, to_close = pool.try_checkout("a", 12)
    assert conn is new and to_close == []
    pool.checkin("a", new, True, 12)
    conn, reserved, to_close = pool.try_checkout("a", 100)
    assert conn is None and reserved and set(to_close) == {new, old}


def test_pool_evicts_idle_connections_of_other_hosts_at_the_total_limit():
    pool = PoolState(Limits(max_per_host=5, max_total=1))
    c = FakeConn()
    pool.try_checkout("a", 0)
    pool.checkin("a", c, True, 0)
    conn, reserved, to_close = pool.try_checkout("b", 1)
    assert reserved and to_close == [c] and pool.total == 1


def test_unreusable_checkin_frees_the_slot():
    pool = PoolState(Limits(max_per_host=1))
    c = FakeConn()
    pool.try_checkout("a", 0)
    assert pool.checkin("a", c, False, 0) is c
    assert pool.total == 0 and pool.try_checkout("a", 0)[1]
