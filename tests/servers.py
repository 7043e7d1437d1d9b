"""Test peers on loopback for the HTTP client tests (stdlib only, 2.7 and 3.x).

- :class:`HTTPTestServer`: a threaded HTTP/1.1 server with keep-alive, a request
  log and httpbin-like built-in routes (see ``server_routes.py``); plain or TLS.
- :class:`ScriptedServer`: a raw-socket peer that reads a request and then sends
  the exact bytes a test scripts, for malformed and misbehaving peers.
- :class:`ProxyServer`: a forward proxy (absolute-form requests) with CONNECT
  tunnels and optional ``Proxy-Authorization: Basic``.
- :class:`NginxServer` (from ``nginx.py``): a real nginx on free loopback ports.

Rules:
- Every wait is bounded: sockets carry timeouts, sleeps wait on the stop event,
  and ``stop()`` shuts every open connection and joins every thread with a limit.
- The HTTP parser here is our own, so a test controls every byte on the wire
  (framing, header case, connection close) and the server never "fixes" input.
- Only loopback is ever contacted: the proxy refuses any other target.
"""
from __future__ import absolute_import, division, print_function

import base64
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
        self._spawn(self._accept_loop, sock)
        return self

    def stop(self):
        """Stop accepting, shut every open connection, join threads (bounded)."""
        self._stop.set()
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

    def _accept_loop(self, listener):
        while not self._stop.is_set():
            try:
                ready = select.select([listener], [], [], 0.2)[0]
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


def _has_body(method, status):
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
            (_has_body(req and req.method, resp.status) or (req and req.method == "HEAD")):
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
    if req is not None and not _has_body(req.method, resp.status):
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


# --------------------------------------------------------------------------- HTTP server
class HTTPTestServer(ThreadedServer):
    """A threaded HTTP/1.1 test server with keep-alive and httpbin-like routes.

    Args:
        routes: ``{path_prefix: handler}``; ``handler(request)`` returns a
            :class:`Response` or ``(status, headers, body)``. Longest prefix wins
            and these win over the built-ins (``server_routes.ROUTES``).
        tls: serve HTTPS with ``certfile``/``keyfile`` (default tests/certs/server.*).
        host: ``"127.0.0.1"`` (default), ``"::1"``...
        ssl_context: a ready server SSLContext (overrides certfile/keyfile).
        client_cafile: request (but don't require) a client certificate signed by it.
        expect_continue: answer ``Expect: 100-continue`` with a 100 before the body.

    Attributes:
        requests: the log of :class:`Request` objects (``reset()`` clears it).
        connections: how many connections were accepted.
    """

    def __init__(self, routes=None, tls=False, certfile=SERVER_CERT, keyfile=SERVER_KEY,
                 host="127.0.0.1", port=0, ssl_context=None, client_cafile=None,
                 expect_continue=True):
        super(HTTPTestServer, self).__init__(host, port, tls, certfile, keyfile, ssl_context,
                                             client_cafile)
        self.routes = dict(routes or {})
        self.expect_continue = expect_continue
        self.requests = []
        self.state = {}                  # per-route state (digest nonces, retry counters)
        self.state_lock = threading.Lock()

    def add_route(self, prefix, handler):
        """Add or replace a route (path prefix -> handler(request))."""
        self.routes[prefix] = handler

    def reset(self):
        """Clear the request log and route state (counters, nonces)."""
        with self.state_lock:
            del self.requests[:]
            self.state.clear()

    @property
    def last_request(self):
        return self.requests[-1] if self.requests else None

    def handle_connection(self, sock, addr, conn_id):
        reader = Reader(sock)

        def on_expect(req):
            if self.expect_continue:
                sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")

        while not self._stop.is_set():
            try:
                req = read_request(reader, on_expect=on_expect)
            except ValueError as exc:
                status = 431 if "too long" in str(exc) else 400
                write_response(sock, None, Response(status, [], to_bytes(str(exc))), self.sleep)
                return
            if req is None:
                return
            req.server, req.conn_id, req.client_address = self, conn_id, addr
            req.tls = self.tls
            if self.tls and self.ssl_context.verify_mode != ssl.CERT_NONE:
                req.peer_cert = sock.getpeercert()
            self.requests.append(req)
            resp = self.dispatch(req)
            if write_response(sock, req, resp, self.sleep):
                return

    def dispatch(self, req):
        """Find the handler for ``req`` and return its Response (500 on a handler error)."""
        import server_routes  # late: it imports this module
        handler, args = None, ()
        for prefix in sorted(self.routes, key=len, reverse=True):
            if req.path.startswith(prefix):
                handler = self.routes[prefix]
                break
        if handler is None:
            handler, args = server_routes.match(req.path)
        if handler is None:
            return Response(404, [("Content-Type", "text/plain")], b"not found: " + to_bytes(req.path))
        try:
            return Response.coerce(handler(req, *args))
        except Exception as exc:  # a bug in a handler must show in the test, not hang it
            import traceback
            return Response(500, [("Content-Type", "text/plain")],
                            to_bytes("%r\n%s" % (exc, traceback.format_exc())))


# --------------------------------------------------------------------------- scripted peer
class ScriptContext(object):
    """What a callable script step receives: ``.request`` (raw bytes), ``.sock``, ``.index``."""

    def __init__(self, server, sock, index):
        self.server = server
        self.sock = sock
        self.index = index
        self.request = b""
        self.requests = []


class ScriptedServer(ThreadedServer):
    """A raw peer: per connection, read a request, then play the script exactly.

    Args:
        script: a list of steps, or a list of such lists (one per connection, in
            accept order; the last one repeats), or ``callable(index) -> steps``.
            A step is:

            - ``bytes``: sent as is;
            - ``callable(ctx)``: may return bytes to send (``ctx``: ScriptContext);
            - ``("sleep", seconds)`` (at most MAX_SLEEP);
            - ``("read_request",)``: read one more request (head + body);
            - ``("close",)``: close (over TLS: with close_notify);
            - ``("half_close",)``: shutdown(SHUT_WR), keep reading;
            - ``("rst",)``: abortive close (SO_LINGER 0 -> RST);
            - ``("tls_close_without_notify",)``: close TCP with no close_notify;
            - ``("wait_close",)``: wait (bounded) until the client closes.
        tls: wrap each connection in TLS (test certificates).
        read_first: read a request before the first step (default True).
        close_after: close once the script ends (default True); False holds the
            connection open until the client closes it (or the server stops).

    Attributes:
        received: raw bytes of every request read, in order.
        connections: number of accepted connections.
    """

    def __init__(self, script, tls=False, read_first=True, close_after=True, **kwargs):
        super(ScriptedServer, self).__init__(tls=tls, **kwargs)
        self.script = script
        self.read_first = read_first
        self.close_after = close_after
        self.received = []
        self.errors = []

    def steps_for(self, index):
        script = self.script
        if callable(script):
            return list(script(index))
        if script and all(isinstance(s, list) for s in script):
            return list(script[min(index, len(script) - 1)])
        return list(script)

    def handle_connection(self, sock, addr, conn_id):
        ctx = ScriptContext(self, sock, conn_id)
        reader = Reader(sock)
        steps = self.steps_for(conn_id)
        if self.read_first:
            steps.insert(0, ("read_request",))
        for step in steps:
            if self._stop.is_set() or not self._play(step, ctx, reader):
                return
        if self.close_after:
            return
        self._wait_close(sock)

    def _play(self, step, ctx, reader):
        sock = ctx.sock
        if isinstance(step, bytes):
            sock.sendall(step)
        elif callable(step):
            data = step(ctx)
            if data:
                sock.sendall(data)
        elif step[0] == "sleep":
            self.sleep(step[1])
        elif step[0] == "read_request":
            return self._read_raw_request(ctx, reader)
        elif step[0] == "close":
            return False
        elif step[0] == "half_close":
            sock.shutdown(socket.SHUT_WR)
        elif step[0] == "rst":
            close_socket(sock, rst=True)
            return False
        elif step[0] == "tls_close_without_notify":
            close_socket(sock, notify=False)
            return False
        elif step[0] == "wait_close":
            self._wait_close(sock)
            return False
        else:
            raise ValueError("unknown script step %r" % (step,))
        return True

    def _read_raw_request(self, ctx, reader):
        raw = []
        try:
            head = reader.read_until(b"\r\n\r\n", 1024 * 1024)
        except PeerClosed:
            return False
        raw.append(head)
        _, headers = parse_head(head[:-4])
        length = header_value(headers, "Content-Length")
        if "chunked" in (header_value(headers, "Transfer-Encoding") or "").lower():
            read_chunked(reader, raw)
        elif length is not None:
            raw.append(reader.read_exact(int(length)))
        ctx.request = b"".join(raw)
        ctx.requests.append(ctx.request)
        self.received.append(ctx.request)
        return True

    def _wait_close(self, sock):
        deadline = time.time() + MAX_SLEEP
        while not self._stop.is_set() and time.time() < deadline:
            try:
                sock.settimeout(0.2)
                if not sock.recv(65536):
                    return
            except socket.timeout:
                continue
            except EnvironmentError:
                return


# --------------------------------------------------------------------------- proxy
class ProxyServer(ThreadedServer):
    """A forward HTTP proxy with CONNECT tunnels, to loopback targets only.

    Args:
        auth: ``(user, password)`` to require ``Proxy-Authorization: Basic``
            (407 with ``Proxy-Authenticate`` otherwise), or None.
        tls: serve the proxy itself over TLS (an "HTTPS proxy").

    Attributes:
        requests: every :class:`Request` the proxy received (incl. CONNECT).
        connect_targets: ``"host:port"`` of every accepted CONNECT.
        forwarded: absolute-form targets that were forwarded.
    """

    def __init__(self, auth=None, tls=False, host="127.0.0.1", **kwargs):
        super(ProxyServer, self).__init__(host=host, tls=tls, **kwargs)
        self.auth = auth
        self.requests = []
        self.connect_targets = []
        self.forwarded = []

    def proxy_url(self, user=None, password=None):
        """The proxy's URL, with userinfo when given."""
        if user is None:
            return self.url
        return "%s://%s:%s@%s" % (self.scheme, user, password, self.netloc)

    def reset(self):
        del self.requests[:]
        del self.connect_targets[:]
        del self.forwarded[:]

    def handle_connection(self, sock, addr, conn_id):
        reader = Reader(sock)
        while not self._stop.is_set():
            req = read_request(reader)
            if req is None:
                return
            req.conn_id, req.client_address = conn_id, addr
            self.requests.append(req)
            if not self._authorized(req):
                body = b"proxy authentication required"
                resp = Response(407, [("Proxy-Authenticate", 'Basic realm="httpkit-proxy"'),
                                      ("Content-Type", "text/plain")], body)
                if write_response(sock, req, resp, self.sleep):
                    return
                continue
            if req.method == "CONNECT":
                return self._tunnel(sock, reader, req)
            if not self._forward(sock, req):
                return

    def _authorized(self, req):
        if not self.auth:
            return True
        expected = "Basic " + native(base64.b64encode(to_bytes("%s:%s" % self.auth)))
        return req.header("Proxy-Authorization") == expected

    def _refuse(self, sock, req, status, message):
        resp = Response(status, [("Content-Type", "text/plain")], to_bytes(message))
        return not write_response(sock, req, resp, self.sleep)

    def _upstream(self, host, port):
        if not is_loopback(host):
            raise ValueError("only loopback targets are allowed, not %r" % host)
        family = socket.AF_INET6 if ":" in host.strip("[]") else socket.AF_INET
        up = socket.socket(family, socket.SOCK_STREAM)
        up.settimeout(IO_TIMEOUT)
        up.connect((host.strip("[]"), int(port)))
        return up

    def _tunnel(self, sock, reader, req):
        host, _, port = req.target.rpartition(":")
        try:
            up = self._upstream(host, port)
        except (ValueError, EnvironmentError) as exc:
            self._refuse(sock, req, 502 if isinstance(exc, EnvironmentError) else 403, str(exc))
            return
        self.connect_targets.append(req.target)
        sock.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        self._track(up)
        try:
            if reader.buf:
                up.sendall(reader.take(len(reader.buf)))
            self._pipe(sock, up)
        finally:
            self._untrack(up)
            up.close()

    def _pipe(self, a, b):
        peers = {a: b, b: a}
        idle_deadline = time.time() + IO_TIMEOUT
        while not self._stop.is_set() and time.time() < idle_deadline:
            ready = select.select([a, b], [], [], 0.2)[0]
            for src in ready:
                try:
                    data = src.recv(65536)
                except EnvironmentError:
                    data = b""
                if not data:
                    return
                peers[src].sendall(data)
                idle_deadline = time.time() + IO_TIMEOUT

    def _forward(self, sock, req):
        parts = urlsplit(req.target)
        if parts.scheme != "http" or not parts.hostname:
            return self._refuse(sock, req, 400 if not parts.scheme else 501,
                                "absolute-form http:// target expected, got %r" % req.target)
        try:
            up = self._upstream(parts.hostname, parts.port or 80)
        except (ValueError, EnvironmentError) as exc:
            return self._refuse(sock, req, 502 if isinstance(exc, EnvironmentError) else 403,
                                str(exc))
        self.forwarded.append(req.target)
        self._track(up)
        try:
            up.sendall(self._upstream_request(req, parts))
            return self._relay_response(sock, req, Reader(up))
        finally:
            self._untrack(up)
            up.close()

    def _upstream_request(self, req, parts):
        hop = ("proxy-authorization", "proxy-connection", "connection", "keep-alive")
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        headers = [(k, v) for k, v in req.headers if k.lower() not in hop]
        headers += [("Via", "1.1 httpkit-test-proxy"), ("Connection", "close")]
        if "chunked" in (req.header("Transfer-Encoding") or "").lower():
            headers = [(k, v) for k, v in headers if k.lower() != "transfer-encoding"]
            headers.append(("Content-Length", str(len(req.body))))
        head = "%s %s HTTP/1.1\r\n" % (req.method, path)
        head += "".join("%s: %s\r\n" % kv for kv in headers) + "\r\n"
        return to_bytes(head) + req.body

    def _relay_response(self, sock, req, upr):
        while True:
            raw = upr.read_until(b"\r\n\r\n", MAX_HEAD)
            first, headers = parse_head(raw[:-4])
            status = int(first.split(" ")[1])
            if status >= 200 or status == 101:
                break
            sock.sendall(raw)  # interim 1xx
        keep = [(k, v) for k, v in headers if k.lower() not in ("connection", "keep-alive")]
        te = (header_value(headers, "Transfer-Encoding") or "").lower()
        length = header_value(headers, "Content-Length")
        no_body = not _has_body(req.method, status)
        close_delimited = not no_body and "chunked" not in te and length is None
        close = close_delimited or req.wants_close()
        keep.append(("Via", "1.1 httpkit-test-proxy"))
        if close:
            keep.append(("Connection", "close"))
        sock.sendall(to_bytes(first + "\r\n" + "".join("%s: %s\r\n" % kv for kv in keep) + "\r\n"))
        if no_body:
            return not close
        if "chunked" in te:
            wire = []
            read_chunked(upr, wire)
            sock.sendall(b"".join(wire))
        elif length is not None:
            sock.sendall(upr.read_exact(int(length)))
        else:
            try:
                while True:
                    sock.sendall(upr.read_some())
            except PeerClosed:
                pass
        return not close


from nginx import NginxServer  # noqa: E402,F401  (re-exported; nginx.py imports helpers above)
