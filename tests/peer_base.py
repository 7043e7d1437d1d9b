"""Wire plumbing shared by the test peers in servers.py (stdlib only, 2.7 and 3.x).

A buffered socket reader, a small HTTP/1.1 head/chunked parser, the logged
:class:`Request`, the :class:`Response` a handler returns and its serializer,
and :class:`ThreadedServer` (accept loop, one daemon thread per connection,
optional TLS, bounded stop). Our own parser, so a test controls every byte.

Rules: every wait is bounded (socket timeouts, sleeps on the stop event, joins
with a limit); nothing here contacts anything but loopback.
"""
from __future__ import absolute_import, division, print_function

import hashlib
import os
import select
import socket
import ssl
import struct
import threading
import time

try:  # Python 3
    from urllib.parse import parse_qsl, urlsplit
    from http.client import responses as _REASONS
except ImportError:  # Python 2.7
    from urlparse import parse_qsl, urlsplit  # noqa: F401
    from httplib import responses as _REASONS

PY2 = str is bytes
HERE = os.path.dirname(os.path.abspath(__file__))
CERTS_DIR = os.path.join(HERE, "certs")
CA_BUNDLE = os.path.join(CERTS_DIR, "ca.pem")
SERVER_CERT = os.path.join(CERTS_DIR, "server.pem")
SERVER_KEY = os.path.join(CERTS_DIR, "server.key")

MAX_SLEEP = 10.0           # no scripted or routed wait lasts longer than this
MAX_HEAD = 64 * 1024       # request heads beyond this get 431
IO_TIMEOUT = 15.0          # per-socket-operation timeout in every peer
JOIN_TIMEOUT = 3.0         # per-thread join limit in stop()


# --------------------------------------------------------------------------- helpers
def native(data):
    """Bytes off the wire -> the native ``str`` (latin-1, lossless)."""
    return data if PY2 else data.decode("latin-1")


def to_bytes(value):
    """Text or bytes -> bytes (text as latin-1 when it fits, else UTF-8)."""
    if isinstance(value, bytes):
        return value
    try:
        return value.encode("latin-1")
    except UnicodeEncodeError:
        return value.encode("utf-8")


def text(value):
    """Native str or bytes -> text (for JSON)."""
    return value.decode("latin-1") if isinstance(value, bytes) else value


def random_bytes(n, seed=0):
    """Return ``n`` deterministic pseudo-random bytes for ``seed`` (same on every Python)."""
    out = []
    prefix = to_bytes(str(seed)) + b":"
    for counter in range((n + 63) // 64):
        out.append(hashlib.sha512(prefix + to_bytes(str(counter))).digest())
    return b"".join(out)[:n]


def bounded(seconds):
    """Clamp a requested wait to [0, MAX_SLEEP]."""
    try:
        return max(0.0, min(float(seconds), MAX_SLEEP))
    except (TypeError, ValueError):
        return 0.0


def server_ssl_context(certfile=SERVER_CERT, keyfile=SERVER_KEY, client_cafile=None,
                       alpn=("http/1.1",)):
    """Return a server-side SSLContext for the test certificates."""
    proto = getattr(ssl, "PROTOCOL_TLS_SERVER", ssl.PROTOCOL_SSLv23)
    ctx = ssl.SSLContext(proto)
    ctx.load_cert_chain(certfile, keyfile)
    if client_cafile:
        ctx.load_verify_locations(client_cafile)
        ctx.verify_mode = ssl.CERT_OPTIONAL
    if alpn and getattr(ssl, "HAS_ALPN", False):
        ctx.set_alpn_protocols(list(alpn))
    return ctx


def is_loopback(host):
    """True for names and literals that stay on this machine."""
    host = host.strip("[]").lower()
    return host == "localhost" or host.startswith("127.") or host == "::1"


class PeerClosed(Exception):
    """The other end closed the connection (or it broke)."""


class Reader(object):
    """A buffered reader over a socket with bounded reads."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def _fill(self):
        try:
            data = self.sock.recv(65536)
        except socket.timeout:
            raise PeerClosed("timed out")
        except EnvironmentError as exc:
            raise PeerClosed(str(exc))
        if not data:
            raise PeerClosed("eof")
        self.buf += data

    def read_until(self, delim, limit):
        """Return bytes up to and including ``delim``; PeerClosed on EOF, ValueError past limit."""
        start = 0
        while True:
            idx = self.buf.find(delim, start)
            if idx >= 0:
                return self.take(idx + len(delim))
            if len(self.buf) > limit:
                raise ValueError("line or head too long")
            start = max(0, len(self.buf) - len(delim) + 1)
            self._fill()

    def read_exact(self, n):
        while len(self.buf) < n:
            self._fill()
        return self.take(n)

    def read_some(self):
        if not self.buf:
            self._fill()
        return self.take(len(self.buf))

    def take(self, n):
        data = bytes(self.buf[:n])
        del self.buf[:n]
        return data


def parse_head(raw):
    """Split a message head into (first line, [(name, value)]) as native strs."""
    lines = raw.split(b"\r\n")
    headers = []
    for line in lines[1:]:
        if not line:
            continue
        if line[:1] in (b" ", b"\t") and headers:  # obsolete line folding
            name, value = headers.pop()
            headers.append((name, value + " " + native(line.strip())))
            continue
        name, _, value = line.partition(b":")
        headers.append((native(name.strip()), native(value.strip())))
    return native(lines[0]), headers


def header_value(headers, name, default=None):
    """First value of ``name`` (case-insensitive) in a header list."""
    name = name.lower()
    for key, value in headers:
        if key.lower() == name:
            return value
    return default


def read_chunked(reader, raw=None):
    """Read a chunked body; return the decoded bytes (append wire bytes to ``raw``)."""
    body = []
    while True:
        line = reader.read_until(b"\r\n", 8192)
        if raw is not None:
            raw.append(line)
        size = int(line.split(b";")[0].strip(), 16)
        if size == 0:
            break
        data = reader.read_exact(size + 2)
        if raw is not None:
            raw.append(data)
        body.append(data[:-2])
    while True:  # trailers up to the blank line
        line = reader.read_until(b"\r\n", 8192)
        if raw is not None:
            raw.append(line)
        if line == b"\r\n":
            break
    return b"".join(body)


class Request(object):
    """One request as the server saw it: what the log holds and handlers get."""

    def __init__(self, method, target, version, headers, body=b"", raw_head=b""):
        self.method = method
        self.target = target
        self.version = version
        self.headers = headers          # [(name, value)] in wire order and case
        self.body = body
        self.raw_head = raw_head
        parts = urlsplit(target)
        self.path = parts.path or "/"
        self.query = parts.query
        self.args = parse_qsl(parts.query, keep_blank_values=True)
        self.server = None
        self.conn_id = None             # which connection (0, 1, ...) carried it
        self.client_address = None
        self.tls = False
        self.peer_cert = None

    def header(self, name, default=None):
        """First value of header ``name`` (case-insensitive)."""
        return header_value(self.headers, name, default)

    def header_all(self, name):
        """Every value of header ``name``, in order."""
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def arg(self, name, default=None):
        """First query argument ``name``."""
        for key, value in self.args:
            if key == name:
                return value
        return default

    def wants_close(self):
        conn = (self.header("Connection") or "").lower()
        if self.version == "HTTP/1.0":
            return "keep-alive" not in conn
        return "close" in conn

    def __repr__(self):
        return "<Request %s %s conn=%s>" % (self.method, self.target, self.conn_id)


def read_request(reader, max_head=MAX_HEAD, on_expect=None):
    """Read one request head and body; return a Request (None on clean EOF before any byte)."""
    while reader.buf[:2] == b"\r\n":  # RFC 9112 2.2: ignore leading empty lines
        reader.take(2)
    try:
        raw_head = reader.read_until(b"\r\n\r\n", max_head)
    except PeerClosed:
        if reader.buf:
            raise
        return None
    first, headers = parse_head(raw_head[:-4])
    parts = first.split(" ")
    if len(parts) != 3:
        raise ValueError("bad request line %r" % first)
    method, target, version = parts
    req = Request(method, target, version, headers, raw_head=raw_head)
    te = (req.header("Transfer-Encoding") or "").lower()
    length = req.header("Content-Length")
    if (te or length) and on_expect and (req.header("Expect") or "").lower() == "100-continue":
        on_expect(req)
    if "chunked" in te:
        req.body = read_chunked(reader)
    elif length is not None:
        req.body = reader.read_exact(int(length))
    return req


def close_socket(sock, notify=True, rst=False):
    """Close ``sock``: TLS with close_notify unless ``notify`` is False; RST if ``rst``."""
    try:
        if rst:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        elif notify and isinstance(sock, ssl.SSLSocket):
            _send_close_notify(sock)
        elif not rst:
            sock.shutdown(socket.SHUT_WR)
    except Exception:  # already closed, or the TLS layer is gone
        pass
    try:
        sock.close()
    except Exception:
        pass


def _send_close_notify(sock):
    # Non-blocking: SSL_shutdown sends our close_notify and would then wait for
    # the peer's; we don't wait (most clients never answer one).
    sock.setblocking(False)
    try:
        sock.unwrap()
    except (ssl.SSLError, EnvironmentError, ValueError):
        pass
    try:
        sock.shutdown(socket.SHUT_WR)
    except EnvironmentError:
        pass


# --------------------------------------------------------------------------- base server
class ThreadedServer(object):
    """Accept loop + one daemon thread per connection; TLS optional; context manager."""

    scheme_plain = "http"

    def __init__(self, host="127.0.0.1", port=0, tls=False, certfile=SERVER_CERT,
                 keyfile=SERVER_KEY, ssl_context=None, client_cafile=None):
        self.host = host
        self.port = port
        self.tls = bool(tls or ssl_context)
        self.ssl_context = ssl_context
        if self.tls and ssl_context is None:
            self.ssl_context = server_ssl_context(certfile, keyfile, client_cafile)
        self.tls_errors = []            # handshake failures, as strings
        self.connections = 0            # accepted so far
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._sock = None
        self._threads = []
        self._open = set()

    # -- lifecycle
    def start(self):
        """Bind, listen and start accepting; return self (no-op if running)."""
        if self._sock is not None:
            return self
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(128)
        self.port = sock.getsockname()[1]
        self._sock = sock
        self._stop.clear()
        # stop() wakes the accept loop through this pair: closing a listener does
        # not wake a select() waiting on it, and a poll interval would cost every
        # test that stops a server up to that interval.
        self._wake = socket.socketpair()
        self._spawn(self._accept_loop, sock, self._wake[0])
        return self

    def stop(self):
        """Stop accepting, shut every open connection, join threads (bounded)."""
        self._stop.set()
        wake = getattr(self, "_wake", None)
        if wake is not None:
            try:
                wake[1].send(b"x")
            except EnvironmentError:
                pass
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            socks = list(self._open)
        for sock in socks:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except EnvironmentError:
                pass
        deadline = time.time() + JOIN_TIMEOUT
        for thread in list(self._threads):
            thread.join(max(0.01, deadline - time.time()))
        self._threads = [t for t in self._threads if t.is_alive()]
        if wake is not None:
            self._wake = None
            for sock in wake:
                sock.close()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc_info):
        self.stop()

    def sleep(self, seconds):
        """Sleep up to MAX_SLEEP, waking early when the server stops."""
        self._stop.wait(bounded(seconds))

    @property
    def stopped(self):
        return self._stop.is_set()

    # -- addresses
    @property
    def scheme(self):
        return "https" if self.tls else self.scheme_plain

    @property
    def netloc(self):
        host = "[%s]" % self.host if ":" in self.host else self.host
        return "%s:%d" % (host, self.port)

    @property
    def url(self):
        """``scheme://host:port`` (no trailing slash)."""
        return "%s://%s" % (self.scheme, self.netloc)

    def base_url(self, path="/", host=None):
        """URL of ``path`` on this server; ``host`` overrides the host name (e.g. localhost)."""
        if not path.startswith("/"):
            path = "/" + path
        netloc = self.netloc if host is None else "%s:%d" % (host, self.port)
        return "%s://%s%s" % (self.scheme, netloc, path)

    # -- threads and connections
    def _spawn(self, target, *args):
        thread = threading.Thread(target=target, args=args)
        thread.daemon = True
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()
        return thread

    def _accept_loop(self, listener, wake):
        while not self._stop.is_set():
            try:
                ready = select.select([listener, wake], [], [], 0.5)[0]
                if wake in ready:
                    return
                if not ready:
                    continue
                sock, addr = listener.accept()
            except (EnvironmentError, ValueError):
                if self._stop.is_set():
                    return
                continue
            with self._lock:
                conn_id = self.connections
                self.connections += 1
            self._spawn(self._connection, sock, addr, conn_id)

    def _connection(self, sock, addr, conn_id):
        sock.settimeout(IO_TIMEOUT)
        self._track(sock)
        try:
            if self.tls:
                raw = sock
                try:
                    sock = self.ssl_context.wrap_socket(sock, server_side=True)
                except (ssl.SSLError, EnvironmentError, ValueError) as exc:
                    self.tls_errors.append(str(exc))
                    close_socket(raw, notify=False)
                    return
                self._track(sock, raw)
                # 2.7's wrap_socket shares the OS socket with ``raw`` (3.x detaches
                # it): drop raw's reference, or closing ``sock`` (an RST, say)
                # would not close the descriptor.
                raw.close()
            self.handle_connection(sock, addr, conn_id)
        except (PeerClosed, EnvironmentError, ValueError):
            pass
        finally:
            self._untrack(sock)
            close_socket(sock)

    def _track(self, sock, replaces=None):
        with self._lock:
            self._open.discard(replaces)
            self._open.add(sock)
        if self._stop.is_set():
            sock.shutdown(socket.SHUT_RDWR)

    def _untrack(self, sock):
        with self._lock:
            self._open.discard(sock)

    def handle_connection(self, sock, addr, conn_id):
        raise NotImplementedError


# --------------------------------------------------------------------------- responses
class Response(object):
    """What a handler returns (a ``(status, headers, body)`` tuple also works).

    Args:
        status: the status code.
        headers: a list of (name, value) or a dict; sent as given, in order.
        body: bytes, text (UTF-8), or an iterable of bytes (streamed).
        framing: ``None`` (auto: bytes -> Content-Length, iterable -> chunked),
            ``"length"``, ``"chunked"``, ``"close"`` (no length, close after) or
            ``"raw"`` (send headers and body exactly as given, no framing added).
        close: close the connection after this response.
        trailers: (name, value) pairs sent after a chunked body.
        reason: the reason phrase (default: the standard one).
        head_delay: seconds to sleep between the status line and the headers.
    """

    def __init__(self, status=200, headers=None, body=b"", framing=None, close=False,
                 trailers=None, reason=None, head_delay=0):
        self.status = int(status)
        if isinstance(headers, dict):
            headers = sorted(headers.items())
        self.headers = list(headers or [])
        self.body = body.encode("utf-8") if not isinstance(body, (bytes, list, tuple)) \
            and hasattr(body, "encode") else body
        self.framing = framing
        self.close = close or framing == "close"
        self.trailers = trailers or []
        self.reason = reason
        self.head_delay = head_delay

    @classmethod
    def coerce(cls, value):
        if isinstance(value, Response):
            return value
        return cls(*value)


def has_body(method, status):
    return method != "HEAD" and not (100 <= status < 200 or status in (204, 304))


def _head_bytes(resp, headers):
    reason = resp.reason if resp.reason is not None else _REASONS.get(resp.status, "Unknown")
    lines = ["HTTP/1.1 %d %s" % (resp.status, reason)]
    lines.extend("%s: %s" % (k, v) for k, v in headers)
    return [to_bytes(lines[0] + "\r\n"), to_bytes("".join(l + "\r\n" for l in lines[1:]) + "\r\n")]


def write_response(sock, req, resp, sleep):
    """Serialize ``resp`` to ``sock`` for ``req``; return True if the connection must close."""
    headers = list(resp.headers)
    names = set(k.lower() for k, _ in headers)
    body = resp.body
    framing = resp.framing
    if framing is None:
        framing = "length" if isinstance(body, bytes) else "chunked"
        if "content-length" in names or "transfer-encoding" in names:
            framing = "raw"
    if framing == "chunked" and req is not None and req.version == "HTTP/1.0":
        framing = "close"
    close = resp.close or framing == "close" or req is None or req.wants_close()
    if framing == "length" and not isinstance(body, bytes):
        body = b"".join(to_bytes(b) for b in body)
    if framing == "length" and "content-length" not in names and \
            (has_body(req and req.method, resp.status) or (req and req.method == "HEAD")):
        headers.append(("Content-Length", str(len(body))))
    elif framing == "chunked" and "transfer-encoding" not in names:
        headers.append(("Transfer-Encoding", "chunked"))
    if close and "connection" not in names:
        headers.append(("Connection", "close"))
    status_line, rest = _head_bytes(resp, headers)
    if resp.head_delay:
        sock.sendall(status_line)
        sleep(resp.head_delay)
        sock.sendall(rest)
    else:
        sock.sendall(status_line + rest)
    if req is not None and not has_body(req.method, resp.status):
        return close
    _write_body(sock, body, framing, resp.trailers)
    return close


def _write_body(sock, body, framing, trailers):
    chunks = [body] if isinstance(body, bytes) else body
    for chunk in chunks:
        chunk = to_bytes(chunk)
        if framing == "chunked":
            if chunk:
                sock.sendall(("%x\r\n" % len(chunk)).encode("ascii") + chunk + b"\r\n")
        elif chunk:
            sock.sendall(chunk)
    if framing == "chunked":
        tail = "".join("%s: %s\r\n" % kv for kv in trailers)
        sock.sendall(b"0\r\n" + to_bytes(tail) + b"\r\n")
