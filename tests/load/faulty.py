"""A server that misbehaves at random, and the tally of what clients saw (2.7 and 3.x).

:class:`FaultyServer` answers ``GET /n/<i>`` with :func:`body_for` ``(i)``
(Content-Length framed, keep-alive) -- or, chosen per request by a generator
seeded with ``(seed, connection, request number)``, misbehaves in one of
:data:`FAULTS`. :class:`Tally` sorts what each client call ended in and
checks the rules of the faults-under-load tests:

- a response is complete and has exactly the body of its URL;
- anything else is an httpkit ``RequestException`` (no other exception);
- every kind of outcome happened (so no test passes vacuously).
"""
from __future__ import absolute_import, division, print_function

import random
import threading

import httpkit
from servers import Reader, ThreadedServer, close_socket, random_bytes, read_request

__all__ = ["FaultyServer", "Tally", "body_for", "FAULTS", "STALL", "READ_TIMEOUT"]

#: What a misbehaving answer does, with its weight (a good answer weighs GOOD_WEIGHT).
FAULTS = (
    ("reset_head", 1),   # part of the head, then an RST
    ("reset_body", 1),   # the head and part of the body, then an RST
    ("stall", 1),        # the head and part of the body, then silence past the read timeout
    ("truncate", 1),     # the head and part of the body, then a clean close (FIN)
)
GOOD_WEIGHT = 4
#: The clients' read timeout and how long a stalling answer stays silent (seconds).
READ_TIMEOUT = 0.5
STALL = 4 * READ_TIMEOUT


def body_for(index):
    """Return the exact body of ``/n/<index>`` (1 to ~12 KB, distinct per index)."""
    return random_bytes(1000 + (index * 7919) % 11000, seed=index)


class FaultyServer(ThreadedServer):
    """Keep-alive HTTP/1.1 that answers well or misbehaves, seeded per request.

    Attributes:
        faults: misbehave at all (set False to answer every request well).
        issued: ``{kind: count}`` of the answers given, ``"good"`` included.
    """

    def __init__(self, seed=11):
        super(FaultyServer, self).__init__()
        self.seed = seed
        self.faults = True
        self.issued = {}
        self._issued_lock = threading.Lock()

    def handle_connection(self, sock, addr, conn_id):
        reader = Reader(sock)
        number = 0
        while not self.stopped:
            req = read_request(reader)
            if req is None:
                return
            rng = random.Random("%d:%d:%d" % (self.seed, conn_id, number))
            number += 1
            kind = self._choose(rng)
            with self._issued_lock:
                self.issued[kind] = self.issued.get(kind, 0) + 1
            if not self._answer(sock, req, kind, rng):
                return

    def _choose(self, rng):
        if not self.faults:
            return "good"
        kinds = [("good", GOOD_WEIGHT)] + list(FAULTS)
        pick = rng.uniform(0, sum(weight for _, weight in kinds))
        for kind, weight in kinds:
            pick -= weight
            if pick < 0:
                return kind
        return "good"

    def _answer(self, sock, req, kind, rng):
        """Send the answer ``kind``; return True when the connection stays open."""
        try:
            index = int(req.target.split("/")[-1])
        except ValueError:
            index = 0
        body = body_for(index)
        head = (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                b"Content-Length: " + str(len(body)).encode("ascii") + b"\r\n\r\n")
        if kind == "good":
            sock.sendall(head + body)
            return True
        if kind == "reset_head":
            sock.sendall(head[:rng.randint(1, len(head) - 1)])
            close_socket(sock, rst=True)
            return False
        sock.sendall(head + body[:rng.randint(0, len(body) - 1)])
        if kind == "stall":
            self.sleep(STALL)
        close_socket(sock, rst=(kind == "reset_body"))
        return False


class Tally(object):
    """What client calls ended in, by kind; :meth:`check` states the rules."""

    #: Outcome kinds every faults run must show (besides "ok").
    REQUIRED = ("timeout", "reset", "truncated")

    def __init__(self):
        self.kinds = {}
        self.wrong = []      # (index, what) for every good status with a wrong body
        self.foreign = []    # exceptions that are not httpkit's
        self._lock = threading.Lock()

    def body(self, index, status, content):
        """Record a completed response for ``/n/<index>``."""
        if status != 200 or content != body_for(index):
            self._add("wrong", (index, status, len(content)))
        else:
            self._add("ok")

    def error(self, index, exc):
        """Record the exception a call for ``/n/<index>`` raised."""
        if not isinstance(exc, httpkit.RequestException):
            self._add("foreign", (index, repr(exc)))
        elif isinstance(exc, httpkit.Timeout):
            self._add("timeout")
        elif isinstance(exc, httpkit.ChunkedEncodingError):  # IncompleteRead: a short body
            self._add("truncated")
        elif isinstance(exc, httpkit.ConnectionError):
            self._add("reset")
        else:
            self._add("other: " + type(exc).__name__)

    def _add(self, kind, detail=None):
        with self._lock:
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            if kind == "wrong":
                self.wrong.append(detail)
            elif kind == "foreign":
                self.foreign.append(detail)

    def check(self, calls, required=REQUIRED):
        """Assert every call ended, no body was wrong, nothing foreign, every kind seen."""
        assert sum(self.kinds.values()) == calls, self.kinds
        assert not self.wrong, "responses with a wrong body: %r" % self.wrong[:5]
        assert not self.foreign, "not httpkit exceptions: %r" % self.foreign[:5]
        for kind in ("ok",) + tuple(required):
            assert self.kinds.get(kind, 0) > 0, "no %r outcome in %r" % (kind, self.kinds)
        others = [kind for kind in self.kinds if kind.startswith("other")]
        assert not others, self.kinds
