"""A SOCKS5 / SOCKS4(a) proxy on loopback for the SOCKS tests (stdlib only, 2.7 and 3.x).

It speaks the protocol byte for byte (RFC 1928 and 1929, SOCKS4 and 4a), relays to
loopback targets only, and records what each client asked for, so a test can
see whether the host NAME or an address reached the proxy.
"""
from __future__ import absolute_import, division, print_function

import socket
import struct

from peer_base import PeerClosed, Reader
from servers import ProxyServer

__all__ = ["SocksServer"]


class SocksServer(ProxyServer):
    """A SOCKS proxy (versions 4, 4a and 5; ``auth=(user, password)`` requires RFC 1929).

    Attributes:
        targets: ``(version, host, port)`` per CONNECT, host as the client sent it
            (a name for socks5h/socks4a, an address otherwise).
        reply: override the CONNECT reply status (e.g. 5 = connection refused).
    """

    scheme_plain = "socks5"

    def __init__(self, auth=None, reply=None, **kwargs):
        super(SocksServer, self).__init__(auth=auth, **kwargs)
        self.targets = []
        self.reply = reply

    def reset(self):
        super(SocksServer, self).reset()
        del self.targets[:]

    def url_for(self, scheme, user=None, password=None):
        auth = "" if user is None else "%s:%s@" % (user, password)
        return "%s://%s%s" % (scheme, auth, self.netloc)

    def handle_connection(self, sock, addr, conn_id):
        reader = Reader(sock)
        try:
            version = struct.unpack("B", reader.read_exact(1))[0]
            target = self._socks5(sock, reader) if version == 5 else \
                self._socks4(sock, reader) if version == 4 else None
        except (PeerClosed, EnvironmentError, struct.error):
            return
        if target is None:
            return
        host, port = target
        try:
            up = self._upstream(host if host != "localhost" else "127.0.0.1", port)
        except (ValueError, EnvironmentError):
            return
        self._relay(sock, reader, up)

    def _socks5(self, sock, reader):
        count = struct.unpack("B", reader.read_exact(1))[0]
        methods = bytearray(reader.read_exact(count))
        wanted = 2 if self.auth else 0
        if wanted not in methods:
            sock.sendall(b"\x05\xff")
            return None
        sock.sendall(b"\x05" + struct.pack("B", wanted))
        if wanted == 2 and not self._login(sock, reader):
            return None
        _, command, _, kind = struct.unpack("BBBB", reader.read_exact(4))
        if kind == 1:
            host = socket.inet_ntoa(reader.read_exact(4))
        elif kind == 4:
            host = socket.inet_ntop(socket.AF_INET6, reader.read_exact(16))
        else:
            host = reader.read_exact(struct.unpack("B", reader.read_exact(1))[0]).decode("ascii")
        port = struct.unpack(">H", reader.read_exact(2))[0]
        self.targets.append((5, host, port))
        status = self.reply if self.reply is not None else (0 if command == 1 else 7)
        sock.sendall(b"\x05" + struct.pack("B", status) + b"\x00\x01\x7f\x00\x00\x01\x00\x00")
        return None if status else (host, port)

    def _login(self, sock, reader):
        reader.read_exact(1)
        user = reader.read_exact(struct.unpack("B", reader.read_exact(1))[0]).decode("utf-8")
        password = reader.read_exact(struct.unpack("B", reader.read_exact(1))[0]).decode("utf-8")
        ok = (user, password) == tuple(self.auth)
        sock.sendall(b"\x01" + (b"\x00" if ok else b"\x01"))
        return ok

    def _socks4(self, sock, reader):
        _, port = struct.unpack(">BH", reader.read_exact(3))
        address = reader.read_exact(4)
        user = reader.read_until(b"\x00", 256)[:-1]
        host = socket.inet_ntoa(address)
        version = 4
        if address[:3] == b"\x00\x00\x00" and address[3:] != b"\x00":
            host, version = reader.read_until(b"\x00", 256)[:-1].decode("ascii"), "4a"
        self.targets.append((version, host, port))
        granted = self.reply is None and (not self.auth or user.decode() == self.auth[0])
        sock.sendall(b"\x00" + (b"\x5a" if granted else b"\x5b") + b"\x00" * 6)
        return (host, port) if granted else None
