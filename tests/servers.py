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
import select
import socket
import ssl
import threading
import time

from peer_base import (  # noqa: F401  (re-exported: tests import them from here)
    CA_BUNDLE, CERTS_DIR, IO_TIMEOUT, MAX_HEAD, MAX_SLEEP, PY2, SERVER_CERT, SERVER_KEY,
    PeerClosed, Reader, Request, Response, ThreadedServer, bounded, close_socket, has_body,
    header_value, is_loopback, native, parse_head, parse_qsl, random_bytes, read_chunked,
    read_request, server_ssl_context, text, to_bytes, urlsplit, write_response,
)
import server_routes
from nginx import NginxServer

__all__ = [
    "HTTPTestServer", "ScriptedServer", "ProxyServer", "NginxServer", "Request", "Response",
    "ScriptContext", "random_bytes", "bounded", "server_ssl_context", "CA_BUNDLE", "CERTS_DIR",
    "SERVER_CERT", "SERVER_KEY", "MAX_SLEEP", "PY2", "parse_qsl", "text", "to_bytes",
    "endless",
]

#: An "endless" script step stops on its own after this long (no client waits for it).
ENDLESS_FOR = 30.0


def endless(piece, seconds=ENDLESS_FOR):
    """A ScriptedServer step sending ``piece`` until the client goes away (bounded in time)."""
    def step(ctx):
        stop = time.time() + seconds
        try:
            while time.time() < stop and not ctx.server._stop.is_set():
                ctx.sock.sendall(piece)
        except (socket.error, IOError, ValueError):
            pass  # the client closed the connection: what the test expects
    return step


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
        self._relay(sock, reader, up)

    def _relay(self, sock, reader, up):
        """Pipe ``sock`` (and what ``reader`` already holds) to ``up`` until either side ends."""
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
        no_body = not has_body(req.method, status)
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


