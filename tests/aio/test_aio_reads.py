"""How the asyncio driver's connections receive bytes (httpkit/aio/_driver.py).

A connection reads into one buffer its loop shares (a buffered protocol), so a
small response costs no 256 KiB allocation; a read that fills the buffer hands
the connection to the transport's own reads until one comes back under half
full. These tests drive a real loopback TCP connection with bytes already
queued in the kernel, so which reads happen is known in advance.
"""
from __future__ import absolute_import, division, print_function

import array
import asyncio
import fcntl
import os
import socket
import termios
import time

import httpkit.aio as aio
from httpkit.aio import _driver
from aio_helpers import run

import servers

#: Queued before the transport reads: 256 KiB, 256 KiB, then 88 KiB (under half).
QUEUED = 600 * 1024


def _connected_pair():
    """(client, server) TCP sockets on loopback; the client's receive buffer holds QUEUED."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    client = socket.socket()
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 * QUEUED)
    client.connect(listener.getsockname())
    server, _ = listener.accept()
    listener.close()
    return client, server


def _wait_queued(sock, size, timeout=10.0):
    """Wait (bounded) until ``size`` bytes wait unread in ``sock``."""
    deadline = time.monotonic() + timeout
    waiting = array.array("i", [0])
    while time.monotonic() < deadline:
        fcntl.ioctl(sock.fileno(), termios.FIONREAD, waiting, True)
        if waiting[0] >= size:
            return
        time.sleep(0.005)
    raise AssertionError("only %d of %d bytes arrived" % (waiting[0], size))


def _read_all(protocol):
    data = b"".join(protocol.chunks)
    protocol.chunks.clear()
    protocol.buffered = 0
    return data


def test_a_filled_buffer_streams_and_a_short_read_switches_back():
    payload = os.urandom(QUEUED)
    client, server = _connected_pair()

    async def main():
        loop = asyncio.get_running_loop()
        view = memoryview(bytearray(_driver._RECV_BUFFER))
        protocol = _driver._ByteProtocol(("127.0.0.1", 0), loop, view)
        server.sendall(payload)
        _wait_queued(client, QUEUED)
        transport, _ = await loop.create_connection(lambda: protocol, sock=client)
        try:
            deadline = loop.time() + 10
            while sum(map(len, got)) + protocol.buffered < QUEUED and loop.time() < deadline:
                waiter = protocol.read_waiter = loop.create_future()
                await asyncio.wait_for(waiter, 10)
                if protocol.reading_paused:  # past the high-water mark: drain, read on
                    got.append(protocol.take(protocol.buffered))
            got.append(_read_all(protocol))
            assert b"".join(got) == payload
            # The first read filled the shared buffer: the transport read on by itself...
            assert protocol.streaming is not None
            # ...and the short read at the end gave the connection back to the buffer.
            assert transport.get_protocol() is protocol
            server.sendall(b"small")
            waiter = protocol.read_waiter = loop.create_future()
            await asyncio.wait_for(waiter, 10)
            assert _read_all(protocol) == b"small"
            assert transport.get_protocol() is protocol
        finally:
            transport.close()

    got = []
    try:
        run(main())
    finally:
        server.close()


def test_reads_never_share_bytes_between_connections():
    """Two connections fill the one buffer in turn: each keeps its own bytes."""
    pairs = [_connected_pair() for _ in range(2)]

    async def main():
        loop = asyncio.get_running_loop()
        view = memoryview(bytearray(_driver._RECV_BUFFER))
        protocols, transports = [], []
        for client, _ in pairs:
            protocol = _driver._ByteProtocol(("127.0.0.1", 0), loop, view)
            transport, _ = await loop.create_connection(lambda p=protocol: p, sock=client)
            protocols.append(protocol)
            transports.append(transport)
        try:
            for round_ in range(20):
                for i, (_, server) in enumerate(pairs):
                    server.sendall(b"%d:%d;" % (i, round_))
                for protocol in protocols:
                    while not protocol.buffered:
                        waiter = protocol.read_waiter = loop.create_future()
                        await asyncio.wait_for(waiter, 10)
            for i, protocol in enumerate(protocols):
                deadline = loop.time() + 10
                want = b"".join(b"%d:%d;" % (i, r) for r in range(20))
                while protocol.buffered < len(want) and loop.time() < deadline:
                    await asyncio.sleep(0.01)
                assert _read_all(protocol) == want
        finally:
            for transport in transports:
                transport.close()

    try:
        run(main())
    finally:
        for _, server in pairs:
            server.close()


def test_a_session_downloads_a_big_body_then_serves_small_ones_on_the_connection():
    server = servers.HTTPTestServer().start()
    try:
        async def main():
            async with aio.Session() as s:
                big = await s.get(server.url + "/bytes/%d?seed=7" % (3 << 20))
                small = [await s.get(server.url + "/bytes/100?seed=%d" % i) for i in range(3)]
                assert s._driver.pool.total == 1  # one connection served all four
                return big.content, [r.content for r in small]
        big, small = run(main())
        assert big == servers.random_bytes(3 << 20, "7")
        assert small == [servers.random_bytes(100, str(i)) for i in range(3)]
    finally:
        server.stop()
