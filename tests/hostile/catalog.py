"""The hostile-server catalogue (issue 11): named misbehaviours, one expected outcome each.

A case is a function ``case(adapter, servers, peer)`` registered with
:func:`hostile`; it runs through every front-end with the scenario adapters
(``tests/scenarios/corpus.py`` documents ``adapter`` and ``servers``):

- blocking: ``tests/hostile/test_sync.py``
- asyncio: ``tests/aio/test_aio_hostile.py`` (3.x)
- Twisted: ``tests/tx/test_hostile.py``

``peer`` is a :class:`Peer` for one transport mode, ``"plain"`` or ``"tls"``
(a case registered for both runs twice). It starts raw scripted servers
(``tests/servers.py`` ``ScriptedServer`` steps) in that mode and gives the
keywords a call needs (``verify=`` the test CA for TLS, a bounded timeout).

Every case states ONE outcome: a response with the exact body, or a specific
httpkit error (class and a fragment of its message). The helpers below also
check what every case must hold: the call ends within its bound (a hang
detector with wide slack, not a speed test), no other exception escapes (the
adapters let non-httpkit exceptions propagate and fail the case), and, with
:func:`pool_recovers`, the same session then gets a good answer from the same
origin on a new connection.

Case modules register by being imported at the bottom of this file.
2.7-compatible syntax.
"""
from __future__ import absolute_import, division, print_function

import time

import httpkit

from scenarios.corpus import ok, raised

__all__ = ["CASES", "case_ids", "hostile", "Peer", "GOOD", "call", "expect_error",
           "expect_body", "pool_recovers", "BOUND"]

#: Every registered case, in registration order (one entry per mode).
CASES = []

#: A good answer, used as the follow-up connection's script.
GOOD = b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\nContent-Type: text/plain\r\n\r\ngood"

#: The per-phase timeout cases use unless they need another (seconds).
TIMEOUT = 3.0
#: Any call must end within this many seconds (its timeouts plus wide slack for CI).
BOUND = 20.0


class Case(object):
    """One named misbehaviour in one mode; calling it runs it."""

    def __init__(self, func, mode):
        self.func = func
        self.mode = mode
        self.name = "%s[%s]" % (func.__name__, mode)

    def __call__(self, adapter, servers):
        return self.func(adapter, servers, Peer(servers, self.mode))

    def __repr__(self):
        return "<hostile case %s>" % self.name


def hostile(*modes):
    """Register ``func(adapter, servers, peer)`` for ``modes`` (default: plain and TLS)."""
    modes = modes or ("plain", "tls")

    def register(func):
        for mode in modes:
            CASES.append(Case(func, mode))
        return func
    return register


def case_ids():
    return [case.name for case in CASES]


class Peer(object):
    """Raw scripted peers in one mode (``"plain"`` or ``"tls"``).

    Attributes:
        mode: ``"plain"`` or ``"tls"``; tls: a bool.
        kwargs: keywords for a call to this mode's peers (``verify`` and ``timeout``).
    """

    def __init__(self, servers, mode):
        self.servers = servers
        self.mode = mode
        self.tls = mode == "tls"
        self.kwargs = {"timeout": TIMEOUT}
        if self.tls:
            self.kwargs["verify"] = servers.ca_bundle

    def serve(self, *scripts, **kwargs):
        """Start a ScriptedServer: one script per connection (the last repeats).

        ``serve(steps)`` plays ``steps`` on every connection; ``serve(bad, [GOOD])``
        plays ``bad`` first and then answers well (for :func:`pool_recovers`).
        """
        script = list(scripts[0]) if len(scripts) == 1 else [list(s) for s in scripts]
        return self.servers.scripted(script, tls=self.tls, **kwargs)

    def call_kwargs(self, **overrides):
        out = dict(self.kwargs)
        out.update(overrides)
        return out


def call(target, peer, method, url, **kwargs):
    """``target.request(method, url, ...)`` with the peer's keywords, bounded in time.

    ``target`` is an adapter or a session handle. Returns the Result.
    """
    started = time.time()
    res = target.request(method, url, **peer.call_kwargs(**kwargs))
    elapsed = time.time() - started
    assert elapsed < BOUND, "%s %s took %.1f s (bound %s s)" % (method, url, elapsed, BOUND)
    return res


def expect_error(res, name, fragment=None):
    """Assert the call raised httpkit's ``name`` (an httpkit RequestException) naming ``fragment``."""
    raised(res, name, fragment)
    assert "RequestException" in res.error_mro, res.error_mro
    return res


def expect_body(res, body, status=200):
    """Assert a complete response with exactly ``body`` (never a short body as success)."""
    ok(res, status)
    assert res.body == body, (len(res.body), res.body[:200])
    return res


def pool_recovers(session, peer, server, path="/after"):
    """The same session gets :data:`GOOD` from ``server`` (its next connection's script)."""
    expect_body(call(session, peer, "GET", server.url + path), b"good")


# Case modules: importing them registers their cases.
from hostile import cases_wire  # noqa: E402,F401
from hostile import cases_policy  # noqa: E402,F401
