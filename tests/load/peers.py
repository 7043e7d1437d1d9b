"""Test peers for the load tests (stdlib only, 2.7 and 3.x).

- :class:`SlowReader`: accepts, keeps a tiny receive buffer and reads an
  upload a few bytes at a time, never answering: a send to it makes progress
  all the time but never finishes within any timeout a test uses.
- :class:`FaultyServer` (``faulty.py``): answers well or misbehaves, chosen
  per request by a seeded random generator.

Rules (as tests/servers.py): every wait is bounded, only loopback is used,
``stop()`` shuts every connection and joins every thread with a limit.
"""
from __future__ import absolute_import, division, print_function

import os
import socket
import time

from servers import ThreadedServer

__all__ = ["SlowReader", "UPLOAD", "BOUND", "open_fds", "fds_settle"]

#: An upload for a SlowReader: ~20 s of its reading (3.2 MB/s), far more than the kernel
#: buffers of both ends (up to 4 MiB each here). At that pace the client's socket becomes
#: writable again every ~0.5 s, well within the 2 s timeouts the tests use: 2.7's sendall
#: would carry on to the end.
UPLOAD = b"u" * (64 << 20)
#: A call cut off at its 2 s timeout ends well within this (seconds): a hang detector.
BOUND = 12.0


class SlowReader(ThreadedServer):
    """Reads ``piece`` bytes every ``pause`` seconds from each connection, forever.

    The listening socket's SO_RCVBUF is ``rcvbuf`` (accepted sockets inherit
    it, and so does the window offered in the SYN-ACK), so the client's sends
    block after a small amount and are let go a little at a time: every wait
    for the socket to become writable is short, the whole send is endless.

    Attributes:
        received: bytes read so far, over every connection.
    """

    def __init__(self, piece=32768, pause=0.01, rcvbuf=65536):
        super(SlowReader, self).__init__()
        self.piece, self.pause, self.rcvbuf = piece, pause, rcvbuf
        self.received = 0

    def start(self):
        super(SlowReader, self).start()
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        return self

    def handle_connection(self, sock, addr, conn_id):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.rcvbuf)
        while not self.stopped:
            data = sock.recv(self.piece)
            if not data:
                return
            self.received += len(data)
            self.sleep(self.pause)


def open_fds():
    """Return ``{fd: what it points at}`` for this process's open descriptors (Linux /proc).

    The descriptor ``listdir`` itself used is gone by the time its target is
    read, so it is left out.
    """
    found = {}
    for name in os.listdir("/proc/self/fd"):
        try:
            found[int(name)] = os.readlink("/proc/self/fd/" + name)
        except OSError:  # (the listing's own descriptor, closed again)
            pass
    return found


def fds_settle(before, seconds=10.0):
    """Wait (bounded) until no descriptor is open that was not open in ``before``.

    Servers close their side of a connection when they see its end, in their
    own threads: the count settles soon after the client closed, or never.
    A descriptor of ``before`` closed meanwhile is not counted: it belonged
    to an earlier test (a reactor or a server finishing an old connection).
    A number reused for another socket counts as opened (the targets name
    the socket's inode).

    Returns:
        ``[(fd, target)]`` of the descriptors open now and not before.
    """
    deadline = time.time() + seconds
    while True:
        now = open_fds()
        opened = sorted((fd, now[fd]) for fd in now if before.get(fd) != now[fd])
        if not opened or time.time() > deadline:
            return opened
        time.sleep(0.05)
