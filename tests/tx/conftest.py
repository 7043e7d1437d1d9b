"""One reactor for the whole test session, run in a background thread (2.7 and 3.x).

A reactor cannot be restarted, so it starts once, in a daemon thread, and
tests call into it with ``blockingCallFromThread``. Every call is bounded:
the Deferred gets a reactor-side timeout (it is cancelled, which also
exercises cancellation), so a hung test fails instead of hanging.

Fixtures:
  tx          the harness: ``tx.call(func, *args, **kwargs)`` runs ``func`` in
              the reactor thread and returns its (Deferred's) result or raises
              its error; ``tx.reactor``; ``tx.session(**kwargs)`` makes a Session
              closed after the test.
"""
from __future__ import absolute_import, division, print_function

import threading

import pytest

#: The longest any single call into the reactor may take.
CALL_TIMEOUT = 30.0


class Harness(object):
    """Calls into the reactor thread, with bounded waits."""

    def __init__(self, reactor):
        self.reactor = reactor
        self._sessions = []

    def call(self, func, *args, **kwargs):
        """Run ``func`` on the reactor thread; wait (bounded) for its Deferred."""
        from twisted.internet.threads import blockingCallFromThread
        timeout = kwargs.pop("_timeout", CALL_TIMEOUT)
        return blockingCallFromThread(self.reactor, self._bounded, timeout, func, args, kwargs)

    def _bounded(self, timeout, func, args, kwargs):
        from twisted.internet.defer import maybeDeferred
        d = maybeDeferred(func, *args, **kwargs)
        if not d.called:
            d.addTimeout(timeout, self.reactor)
        return d

    def session(self, **kwargs):
        """A :class:`httpkit.aio.tx.Session`, closed at the end of the test."""
        from httpkit.aio import tx
        session = self.call(lambda: tx.Session(**kwargs))
        self._sessions.append(session)
        return session

    def sleep(self, seconds):
        """A Deferred firing after ``seconds`` (for use on the reactor thread)."""
        from twisted.internet.task import deferLater
        return deferLater(self.reactor, seconds, lambda: None)

    def close_sessions(self):
        while self._sessions:
            self.call(self._sessions.pop().close)


@pytest.fixture(scope="session")
def tx_reactor():
    from twisted.internet import reactor
    thread = threading.Thread(target=reactor.run, kwargs={"installSignalHandlers": False},
                              name="twisted-reactor")
    thread.daemon = True
    thread.start()
    yield reactor
    reactor.callFromThread(reactor.stop)
    thread.join(10)


@pytest.fixture
def tx(tx_reactor):
    harness = Harness(tx_reactor)
    yield harness
    harness.close_sessions()
