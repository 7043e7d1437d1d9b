"""Running generator flows on any driver (Python 2.7 has no ``yield from``).

A flow is a generator that yields either an op (see :mod:`httpkit._ops`) or
another flow (a sub-flow, run to completion first; its result is sent back).
A flow ends with ``raise Return(value)`` (or plain return for None).

Rules:
- ``Return`` is NOT a StopIteration subclass: PEP 479 would turn that into a
  RuntimeError inside generators on 3.7+.
- Exceptions propagate from a sub-flow to its parent like function calls.
- ``FlowRunner.close()`` closes every generator on the stack, innermost
  first, so ``finally:`` blocks give connections back (cancellation).
"""
from __future__ import absolute_import, division, print_function

from types import GeneratorType

__all__ = ["Return", "FlowRunner", "run_flow", "PENDING"]

#: What a handler given to :meth:`FlowRunner.step` returns when its op cannot finish now.
PENDING = type("Pending", (object,), {"__slots__": (), "__repr__": lambda self: "PENDING"})()


class Return(Exception):
    """End a flow with a value: ``raise Return(value)``.

    It has no ``__init__`` of its own (the value is ``args[0]``): every flow
    level ends with one, ~9 a request, and a Python ``__init__`` made each
    cost three calls instead of none.
    """

    __slots__ = ()

    @property
    def value(self):
        """The flow's result (None for ``Return()``)."""
        args = self.args
        return args[0] if args else None


class FlowRunner(object):
    """Steps a flow: give it results, get the next op."""

    __slots__ = ("_stack",)

    def __init__(self, flow):
        self._stack = [flow]

    def step(self, value=None, error=None, handlers=None):
        """Resume the flow with a result (or an error); return the next op.

        ``handlers``: ``{op type: function(op) -> result}`` for the ops the
        caller can carry out at once (the blocking driver: all of them). Those
        run here, their result or error going straight back into the flow,
        so only the other ops (and the end) come back to the caller. A
        handler that returns :data:`PENDING` could not: its op comes back.

        Raises:
            Return: the flow finished; ``.value`` is its result.
            Exception: the flow raised it.
        """
        stack = self._stack
        while True:
            gen = stack[-1]
            try:
                if error is not None:
                    err, error = error, None
                    item = gen.throw(err)
                else:
                    item = gen.send(value)
            except Return as done:
                stack.pop()
                if not stack:
                    raise
                value = done.args[0] if done.args else None  # done.value, without a call
                continue
            except StopIteration:
                stack.pop()
                if not stack:
                    raise Return(None)
                value = None
                continue
            except BaseException as exc:  # noqa: B902 - propagates to the parent flow
                stack.pop()
                if not stack:
                    raise
                error = exc
                continue
            if type(item) is GeneratorType:
                stack.append(item)
                value = None
                continue
            handler = None if handlers is None else handlers.get(type(item))
            if handler is None:
                return item
            try:
                value = handler(item)
            except Exception as exc:  # noqa: BLE001 - thrown into the flow
                error = exc
                continue
            if value is PENDING:
                return item

    def close(self):
        """Abandon the flow: close each generator so its ``finally`` blocks run."""
        while self._stack:
            gen = self._stack.pop()
            try:
                gen.close()
            except Exception:  # noqa: BLE001 - closing must not fail the caller
                pass


def run_flow(flow, execute, handlers=None):
    """Drive ``flow`` to completion, calling ``execute(op)`` for each op.

    ``execute`` returns the op's result or raises an httpkit error, which is
    thrown into the flow. Used by the blocking driver and by tests.
    ``handlers``: as for :meth:`FlowRunner.step` (the blocking driver passes
    one for every op: each op then costs one call, not three).
    """
    runner = FlowRunner(flow)
    value = error = None
    try:
        while True:
            try:
                op = runner.step(value, error, handlers)
            except Return as done:
                return done.value
            value = error = None
            try:
                value = execute(op)
            except Exception as exc:  # noqa: BLE001 - thrown into the flow
                error = exc
    except BaseException:
        runner.close()  # KeyboardInterrupt and friends: still release connections
        raise
