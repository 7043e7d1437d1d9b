"""SOCKS proxies as a flow: the SOCKS5 (RFC 1928, RFC 1929) and SOCKS4/4a handshakes.

Rules:
- After the handshake the connection is a plain byte pipe to the origin: http
  goes in origin form (as without a proxy), https gets its TLS handshake with
  the origin on top, like a CONNECT tunnel. Every front-end runs this one flow.
- ``socks5h://`` and ``socks4a://`` hand the host name to the proxy (no DNS
  query leaves this machine); ``socks5://`` and ``socks4://`` resolve it here
  first (an ``Offload`` op: ``getaddrinfo`` blocks), as curl and requests do.
- The proxy must answer exactly the bytes the protocol defines and nothing
  more: a short, malformed or refused reply is a ProxyError that names the
  proxy (never its credentials) and what it said.
"""
from __future__ import absolute_import, division, print_function

import socket
import struct

from . import _connection as _conn
from ._compat import to_bytes
from ._flow import Return
from ._ops import Offload, deadline_of
from .exceptions import ConnectionError, ProxyError, Timeout  # noqa: A004 (httpkit's own)

__all__ = ["SOCKS_SCHEMES", "socks_handshake"]

#: Proxy URL schemes served by :func:`socks_handshake` (``socks`` means SOCKS5, as in curl).
SOCKS_SCHEMES = ("socks5", "socks5h", "socks4", "socks4a", "socks")

_SOCKS5_ERRORS = {
    1: "general SOCKS server failure",
    2: "connection not allowed by ruleset",
    3: "network unreachable",
    4: "host unreachable",
    5: "connection refused",
    6: "TTL expired",
    7: "command not supported",
    8: "address type not supported",
}
_SOCKS4_ERRORS = {
    0x5B: "request rejected or failed",
    0x5C: "request rejected: the proxy cannot reach the client's identd",
    0x5D: "request rejected: identd reports a different user id",
}


def socks_handshake(conn, proxy, host, port, timeout):
    """Flow: ask the SOCKS ``proxy`` (already connected on ``conn``) for a pipe to host:port.

    Raises:
        ProxyError: the proxy refused, closed the connection or broke the protocol.
    """
    reader = _Reader(conn, proxy, timeout)
    try:
        if proxy.scheme in ("socks4", "socks4a"):
            yield _socks4(reader, proxy, host, port)
        else:
            yield _socks5(reader, proxy, host, port)
    except (ProxyError, Timeout):
        raise
    except ConnectionError as exc:  # a send to a peer that already hung up, say
        raise ProxyError("SOCKS proxy %s closed the connection during the handshake (%s)"
                         % (proxy, exc))
    if reader.buffer:
        raise ProxyError("SOCKS proxy %s sent data before the connection was used" % (proxy,))


def _socks5(reader, proxy, host, port):
    with_password = proxy.username is not None
    methods = b"\x00\x02" if with_password else b"\x00"
    yield _conn.send_bytes(reader.conn, b"\x05" + struct.pack("B", len(methods)) + methods,
                           reader.timeout)
    version, method = struct.unpack("BB", (yield reader.exactly(2)))
    if version != 5:
        raise reader.error("answered the SOCKS5 greeting with version %d" % version)
    if method == 2 and with_password:
        yield _socks5_login(reader, proxy)
    elif method == 0xFF:
        raise reader.error("accepts none of the offered authentication methods (%s)"
                           % ("no authentication, username/password" if with_password
                              else "no authentication: does it need a username and password?"))
    elif method != 0:
        raise reader.error("chose an authentication method that was not offered (%d)" % method)
    address = yield _socks5_address(reader, proxy, host, port)
    yield _conn.send_bytes(reader.conn, b"\x05\x01\x00" + address + struct.pack(">H", port),
                           reader.timeout)
    version, status, _, kind = struct.unpack("BBBB", (yield reader.exactly(4)))
    if version != 5:
        raise reader.error("answered CONNECT with SOCKS version %d" % version)
    if status != 0:
        raise reader.error("refused the connection to %s:%d: %s"
                           % (host, port, _SOCKS5_ERRORS.get(status, "error %d" % status)))
    if kind == 1:
        yield reader.exactly(4 + 2)
    elif kind == 4:
        yield reader.exactly(16 + 2)
    elif kind == 3:
        length = struct.unpack("B", (yield reader.exactly(1)))[0]
        yield reader.exactly(length + 2)
    else:
        raise reader.error("answered with an unknown address type %d" % kind)


def _socks5_login(reader, proxy):
    user = to_bytes(proxy.username, "utf-8")
    password = to_bytes(proxy.password or "", "utf-8")
    if len(user) > 255 or len(password) > 255:
        raise reader.error("needs a username and password of at most 255 bytes each")
    yield _conn.send_bytes(reader.conn, b"\x01" + struct.pack("B", len(user)) + user
                           + struct.pack("B", len(password)) + password, reader.timeout)
    _, status = struct.unpack("BB", (yield reader.exactly(2)))
    if status != 0:
        raise reader.error("rejected the username and password")


def _socks5_address(reader, proxy, host, port):
    """Flow: the SOCKS5 address bytes for ``host`` (resolved here unless socks5h)."""
    literal = _ip_literal(host)
    if literal is not None:
        raise Return(literal)
    if proxy.scheme == "socks5h":
        name = to_bytes(host, "ascii")
        if len(name) > 255:
            raise reader.error("cannot be given a host name longer than 255 bytes")
        raise Return(b"\x03" + struct.pack("B", len(name)) + name)
    address = yield _resolve(reader, host, port, socket.AF_UNSPEC)
    raise Return(_ip_literal(address))


def _socks4(reader, proxy, host, port):
    user = to_bytes(proxy.username or "", "utf-8") + b"\x00"
    literal = _ip_literal(host)
    if literal is not None and literal[:1] != b"\x01":
        raise reader.error("speaks SOCKS4, which has no IPv6: use socks5://")
    name = b""
    if literal is not None:
        address = literal[1:]
    elif proxy.scheme == "socks4a":
        address, name = b"\x00\x00\x00\x01", to_bytes(host, "ascii") + b"\x00"
    else:
        address = _ip_literal((yield _resolve(reader, host, port, socket.AF_INET)))[1:]
    yield _conn.send_bytes(reader.conn, b"\x04\x01" + struct.pack(">H", port) + address
                           + user + name, reader.timeout)
    version, status = struct.unpack("BB", (yield reader.exactly(8))[:2])
    if version != 0:
        raise reader.error("answered with SOCKS4 reply version %d" % version)
    if status != 0x5A:
        raise reader.error("refused the connection to %s:%d: %s"
                           % (host, port, _SOCKS4_ERRORS.get(status, "error %#x" % status)))


def _resolve(reader, host, port, family):
    """Flow: the first address of ``host`` as a string (``getaddrinfo`` off the event loop)."""
    try:
        infos = yield Offload.within(deadline_of(reader.timeout), socket.getaddrinfo, host,
                                     port, family, socket.SOCK_STREAM)
    except (socket.error, UnicodeError) as exc:
        raise reader.error("cannot be given %s: it does not resolve here (%s); use socks5h:// "
                           "or socks4a:// to let the proxy resolve it" % (host, exc))
    raise Return(infos[0][4][0])


def _ip_literal(host):
    """SOCKS5 address bytes (type + address) for an IP literal, or None for a name."""
    for family, kind in ((socket.AF_INET, b"\x01"), (socket.AF_INET6, b"\x04")):
        try:
            return kind + socket.inet_pton(family, host.strip("[]"))
        except (socket.error, ValueError, UnicodeError):
            continue
    return None


class _Reader(object):
    """Exact-length reads from the proxy, and errors that name it."""

    __slots__ = ("conn", "proxy", "timeout", "buffer")

    def __init__(self, conn, proxy, timeout):
        self.conn, self.proxy, self.timeout = conn, proxy, timeout
        self.buffer = b""

    def exactly(self, n):
        """Flow: the next ``n`` bytes from the proxy."""
        while len(self.buffer) < n:
            data = yield _conn.recv_bytes(self.conn, self.timeout)
            if not data:
                raise self.error("closed the connection during the SOCKS handshake")
            self.buffer += data
        data, self.buffer = self.buffer[:n], self.buffer[n:]
        raise Return(data)

    def error(self, what):
        return ProxyError("SOCKS proxy %s %s" % (self.proxy, what))
