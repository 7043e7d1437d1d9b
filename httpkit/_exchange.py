"""One request on one connection: pick or open it, send, read the head, stream the body.

Rules:
- A connection goes back to the pool only after its response ended cleanly
  (h11 DONE on both sides). A body that was not fully read, an error, a
  timeout or a cancellation closes it instead: it is never reused half-read.
- A kept-alive connection that the server closed while idle is replaced once,
  transparently, for idempotent requests whose body can be replayed, when not
  a single response byte arrived on it. A ``408 Request Timeout`` as the answer
  on a reused connection means the same (the server timed the connection out
  as the request arrived: browsers resend too) and is replaced the same way.
- Giving back and closing go through ``ctx.io`` (plain calls, no yield) so
  they also run from ``finally:`` while a flow is being cancelled.
"""
from __future__ import absolute_import, division, print_function

from itertools import chain

import h11

from . import _connection as _conn
from ._chunking import Rechunker
from ._compat import monotonic, native_pairs_to_bytes, text_type, to_bytes, to_str
from ._flow import Return
from ._head_limits import MAX_HEADER_LINE, MAX_REQUEST_HEAD, MAX_REQUEST_LINE, check_request_head
from ._log import debug, describe_tls
from ._socks import socks_handshake
from ._strict_h11 import check_response, client_connection
from ._models import Headers, Response, check_method
from ._ops import Checkout, Connect
from .exceptions import (ConnectionError, ConnectTimeout, InvalidSchema, ProxyConnectTimeout,
                         ProxyError, ReadTimeout, RemoteProtocolError, RequestException,
                         SSLError, WriteTimeout)

__all__ = ["send_single", "require_http", "attach_request", "DecodingBody", "BodyStream",
           "BodyPieces",
           "IDEMPOTENT_METHODS"]

IDEMPOTENT_METHODS = frozenset(("GET", "HEAD", "PUT", "DELETE", "OPTIONS", "TRACE"))
_NO_BODY_METHODS = frozenset(("GET", "HEAD", "OPTIONS", "DELETE", "TRACE", "CONNECT"))
#: A streamed body of known size up to this is read whole and sent with the head.
SMALL_BODY = 64 * 1024


def pool_key(url, proxy, tls_context, proxy_tls_context):
    """What makes two connections interchangeable."""
    return (url.scheme, url.host, url.port,
            None if proxy is None else proxy.key,
            None if tls_context is None else id(tls_context),
            None if proxy_tls_context is None else id(proxy_tls_context))


def require_http(request):
    """Raise InvalidSchema unless ``request`` is an http or https URL.

    The one place that refuses other schemes: they prepare fine (as in
    requests), only sending them over the network fails. A method set by
    hand on a PreparedRequest is checked here too (InvalidMethod), before
    a connection is opened.
    """
    check_method(request.method)  # set on a PreparedRequest by hand: h11 would raise its own
    url = request.parsed_url
    if not url.is_http:
        text = str(url)
        looks_like_host = text.partition(":")[2][:1].isdigit()  # "localhost:3128"
        hint = ": perhaps you meant http://%s?" % (text,) if looks_like_host else ""
        raise InvalidSchema("No connection adapters were found for %r (httpkit sends "
                            "http:// and https:// URLs)%s" % (text, hint), request=request)


def send_single(ctx, request):
    """Flow: send ``request`` once and return the Response with its body unread.

    Every httpkit error raised here carries ``request`` (the hop that failed):
    the drivers' error tables know sockets, not requests.
    """
    try:
        require_http(request)
        url = request.parsed_url
        proxy = ctx.proxy_for(url)
        headers = wire_headers(request, proxy)  # (the same for every attempt below)
        check_head_limits(request, proxy, headers)
        tls_context = ctx.tls_context() if url.scheme == "https" else None
        proxy_tls = ctx.tls_context() if proxy is not None and proxy.scheme == "https" else None
        key = pool_key(url, proxy, tls_context, proxy_tls)
        replayed = False
        while True:
            conn = yield Checkout(key, ctx.timeout_for("pool"))
            reused = conn is not None
            if conn is None:
                conn = yield _open_in_slot(ctx, url, proxy, key, tls_context, proxy_tls)
            try:
                response = yield exchange(ctx, conn, request, proxy, headers)
            except (ConnectionError, RemoteProtocolError) as exc:
                failure = exc
            except BaseException:
                ctx.io.checkin(key, conn, False)
                raise
            else:
                if response.status_code == 408 and reused and not replayed \
                        and _can_replay(ctx, request, None):
                    response._stream.abort()  # closes it: the server timed it out
                    _log_replay(url, request, "408 Request Timeout")
                    replayed = True
                    ctx.rewind(request)
                    continue
                raise Return(response)
            # (handled outside the except clause: 2.7 generators lose the
            # exception being handled across a yield)
            alert = None
            try:
                if not reused and not isinstance(failure, (SSLError, RemoteProtocolError)):
                    alert = yield _conn.pending_alert(conn, ctx.budget_for("read"), failure)
            finally:  # also when cancelled while looking for the alert
                ctx.io.checkin(key, conn, False)
            if alert is not None:
                raise alert
            if replayed or not reused or conn.received_any \
                    or not _can_replay(ctx, request, failure):
                raise failure
            _log_replay(url, request, failure)
            replayed = True
            ctx.rewind(request)
    except RequestException as exc:
        attach_request(exc, request)
        raise


_chain = chain.from_iterable
#: A head no larger than this cannot be over any of the head limits.
_FITS = min(MAX_HEADER_LINE, MAX_REQUEST_LINE, MAX_REQUEST_HEAD)


def check_head_limits(request, proxy, headers=None):
    """Raise the error of a part that makes the request head too long to send.

    See :mod:`httpkit._head_limits`; checked before a connection is opened.
    ``headers``: the head's fields as :func:`wire_headers` returns them (made
    here when not given).
    """
    url = request.parsed_url
    if proxy is None:
        # The common case, in a few C-level calls: the whole head fits within one
        # line's limit, so no line and not the head can be over theirs.
        if headers is None:
            headers = wire_headers(request, proxy)
        size = (len(request.method) + len(url.target) + sum(map(len, _chain(headers)))
                + 4 * len(headers) + 32)
        if size <= _FITS:
            return
    items = request.headers._items
    fields = [(name, value) for _, name, value in items if value is not None]
    fields.append(("Host", url.host_header))
    if proxy is None:  # no second copy of the target
        check_request_head(request.method, url.target, fields)
        return
    if proxy.authorization:
        fields.append(("Proxy-Authorization", proxy.authorization))
    check_request_head(request.method, to_str(_target(request, proxy)), fields)


def attach_request(exc, request):
    """Set ``exc.request`` to ``request`` unless it already names one; return ``exc``."""
    if getattr(exc, "request", None) is None:
        exc.request = request
    return exc


def _open_in_slot(ctx, url, proxy, key, tls_context, proxy_tls):
    """Flow: open a connection in the pool slot just reserved (given back on failure)."""
    try:
        conn = yield open_connection(ctx, url, proxy, key, tls_context, proxy_tls)
    except BaseException as exc:
        ctx.io.checkin(key, None, False)
        # Nothing of the request left this machine: any method may be retried.
        exc.request_sent = False
        raise
    raise Return(conn)


def _log_replay(url, request, exc):
    log = debug()
    if log:
        log.debug("kept-alive connection to %s:%d was closed by the server (%s); "
                  "sending %s again on a new one", url.host, url.port, exc, request.method)


def _can_replay(ctx, request, exc):
    from .exceptions import Timeout
    if isinstance(exc, Timeout) or request.method not in IDEMPOTENT_METHODS:
        return False
    return ctx.can_rewind(request)


def open_connection(ctx, url, proxy, key, tls_context, proxy_tls):
    """Flow: connect (through the proxy if any) and complete every TLS handshake."""
    host, port = (url.host, url.port) if proxy is None else (proxy.host, proxy.port)
    connect_timeout = ctx.timeout_for("connect")
    try:
        transport = yield Connect(host, port, connect_timeout)
    except ConnectionError as exc:  # ConnectTimeout too
        if proxy is None:
            raise
        raise _proxy_unreachable(proxy, exc)
    conn = _conn.Connection(transport, key)
    step, proxy_step = None, True  # what is being set up, for a timeout's message
    try:
        if proxy_tls is not None:
            step = "the TLS handshake with proxy %s" % (proxy,)
            yield _conn.tls_handshake(conn, proxy_tls, proxy.host, connect_timeout)
        if proxy is not None and proxy.is_socks:
            step = "the SOCKS handshake with proxy %s" % (proxy,)
            yield socks_handshake(conn, proxy, url.host, url.port, connect_timeout)
        if url.scheme == "https":
            if proxy is not None and not proxy.is_socks:
                step = "the CONNECT tunnel through proxy %s" % (proxy,)
                yield connect_tunnel(conn, url, proxy, connect_timeout)
            step, proxy_step = "the TLS handshake with %s" % (url.host,), False
            yield _conn.tls_handshake(conn, tls_context, url.host, connect_timeout,
                                      session=ctx.tls_session(key))
    except (ReadTimeout, WriteTimeout) as exc:
        ctx.io.close(transport)
        raise _setup_timeout(step, exc, proxy_step)
    except BaseException:
        ctx.io.close(transport)
        raise
    log = debug()
    if log:
        log.debug("connected to %s:%d%s (%s)", url.host, url.port,
                  "" if proxy is None else " via proxy %s:%d" % (proxy.host, proxy.port),
                  describe_tls(conn))
    raise Return(conn)


def _setup_timeout(step, exc, via_proxy):
    """The ConnectTimeout for a handshake that timed out (it runs under the connect timeout).

    A server that accepts TCP and never completes TLS (or a proxy that never
    answers CONNECT) has been sent no request: like a connect that never
    completes, the error is a ConnectTimeout, safe to retry for any method.
    """
    cls = ProxyConnectTimeout if via_proxy else ConnectTimeout
    return cls("%s did not complete within the connect timeout (%s)" % (step, exc))


def _proxy_unreachable(proxy, exc):
    """The ProxyError for a failed connect to ``proxy`` (named without credentials)."""
    cls = ProxyConnectTimeout if isinstance(exc, ConnectTimeout) else ProxyError
    return cls("cannot connect to proxy %s: %s" % (proxy, exc))


def connect_tunnel(conn, url, proxy, timeout):
    """Flow: ask the proxy for a CONNECT tunnel to ``url``'s host and port."""
    authority = "%s:%d" % ("[%s]" % url.host if ":" in url.host else url.host, url.port)
    headers = [(b"Host", to_bytes(authority))]
    if proxy.authorization:
        headers.append((b"Proxy-Authorization", to_bytes(proxy.authorization)))
    tunnel = client_connection()
    data = tunnel.send(h11.Request(method=b"CONNECT", target=to_bytes(authority), headers=headers))
    data += tunnel.send(h11.EndOfMessage())
    yield _conn.send_bytes(conn, data, timeout)
    while True:
        try:
            event = tunnel.next_event()
        except h11.RemoteProtocolError as exc:
            raise ProxyError("invalid response from proxy %s: %s" % (proxy, exc))
        if event is h11.NEED_DATA:
            raw = yield _conn.recv_bytes(conn, timeout)
            if not raw:
                raise ProxyError("proxy %s closed the connection during CONNECT" % (proxy,))
            tunnel.receive_data(raw)
            continue
        if isinstance(event, h11.InformationalResponse):
            continue
        break
    status = getattr(event, "status_code", None)
    if status is None or not 200 <= status < 300:
        reason = getattr(event, "reason", b"").decode("latin-1")
        raise ProxyError("proxy %s refused CONNECT to %s: %s %s"
                         % (proxy, authority, status, reason))
    if tunnel.trailing_data[0]:
        raise ProxyError("proxy %s sent data before the tunnel was used" % (proxy,))


# --------------------------------------------------------------------------- exchange
def wire_headers(request, proxy):
    """The request head's header list as bytes pairs, Host first."""
    url = request.parsed_url
    host = None
    fields = []  # native str, as check_header left them
    for lower, name, value in request.headers._items:
        if value is None:  # set to None: "do not send" (requests)
            continue
        if lower != "host":
            fields.append((name, value))
        else:
            host = value
    out = native_pairs_to_bytes(fields)
    out.insert(0, (b"Host", to_bytes(url.host_header if host is None else host)))
    if proxy is not None and url.scheme == "http" and proxy.authorization:  # never SOCKS
        out.append((b"Proxy-Authorization", to_bytes(proxy.authorization)))
    return out


def _target(request, proxy):
    url = request.parsed_url
    if proxy is not None and url.scheme == "http" and not proxy.is_socks:
        return to_bytes("%s://%s%s" % (url.scheme, url.host_header, url.target))
    return to_bytes(url.target)


def exchange(ctx, conn, request, proxy, headers):
    """Flow: send ``request`` on ``conn`` and return the Response (body unread).

    ``headers``: the head's fields, from :func:`wire_headers`.
    """
    started = monotonic()
    conn.received_any = False
    body = request.body
    write_timeout = ctx.timeout_for("write")
    method = to_bytes(request.method)
    if isinstance(body, text_type):  # str data= and forms stay str on the request (requests)
        body = body.encode("utf-8")
    elif body is not None and not isinstance(body, bytes) and \
            request.body_length is not None and request.body_length <= SMALL_BODY:
        # A small stream of known size goes with the head in one write, like bytes:
        # fewer system calls, and no broken pipe when a server answers (a 307, a 401)
        # and closes as soon as it has read the head.
        body = b"".join(ctx.body_chunks(request))
    meter = ctx.upload_meter(request) if ctx.on_upload_progress is not None else None
    send_error = None
    try:
        if (body is None or isinstance(body, bytes)) and \
                (meter is None or body is None or len(body) <= SMALL_BODY):
            yield _conn.send_request_head(conn, method, _target(request, proxy), headers,
                                          write_timeout, body if body is not None else b"")
            if meter is not None:
                meter.finish(len(body) if body is not None else 0)
        else:
            # A large bytes body is sent in pieces when its progress is reported.
            chunks = _slices(body) if isinstance(body, bytes) else ctx.body_chunks(request)
            # (body_chunks runs before the head: a closed file raises there)
            yield _conn.send_request_head(conn, method, _target(request, proxy), headers,
                                          write_timeout)
            yield send_body(ctx, conn, chunks, meter)
    except ConnectionError as exc:
        send_error = exc
    if send_error is None:
        # The head nearly always arrives whole in the first read: that read is
        # yielded here, and the read_response_head flow (one generator level)
        # runs only when h11 needs more or the event is not the final head.
        timeout = ctx.timeout_for("read")
        read = _conn.receive_head(conn, timeout)
        data = yield read
        if conn.layers:
            data = _conn.head_plaintext(conn, read, data)
            if data is _conn.MORE:
                data = yield _conn.receive(conn, timeout)
        _conn.give_head_bytes(conn, data)
        event = _conn.poll_event(conn)
        if type(event) is h11.Response:
            wire_size = len(data)  # the whole head came in this read (see check_head_size)
        else:
            event = yield read_response_head(ctx, conn, event)
            wire_size = None
    else:
        event = yield early_response(ctx, conn, send_error)
        wire_size = None
    conn.requests_served += 1
    # Names as the server wrote them (requests shows them so); one pass, as
    # h11's Headers is slow to iterate.
    raw_headers = event.headers.raw_items()
    check_head_size(event, raw_headers, wire_size)
    check_response(event, raw_headers)
    response_headers = Headers.from_wire(raw_headers)
    _conn.start_body(conn, method, request.headers._items, event, response_headers._items)
    response = Response(event.status_code, event.reason.decode("latin-1"), response_headers,
                        request, "HTTP/" + event.http_version.decode("ascii"))
    response.connection = conn
    log = debug()
    if log:
        log.debug("%s %s -> %d %s (%s, %.1f ms)", request.method, request.url,
                  response.status_code, response.reason, response.http_version,
                  (monotonic() - started) * 1000)
    response._stream = BodyStream(ctx, conn, response)
    raise Return(response)


def send_body(ctx, conn, chunks, meter):
    """Flow: send a request body's ``chunks`` (after its head), reporting them to ``meter``."""
    sent = 0
    for chunk in chunks:
        yield _conn.send_body_chunk(conn, chunk, ctx.timeout_for("write"))
        if meter is not None:  # handed to the transport: that is what counts as sent
            sent += len(chunk)
            meter.update(sent)
    yield _conn.send_end_of_body(conn, ctx.timeout_for("write"))
    if meter is not None:
        meter.finish(sent)


def _slices(data, size=_conn.READ_SIZE):
    """``data`` in pieces of ``size`` bytes."""
    return (data[i:i + size] for i in range(0, len(data), size))


def check_head_size(event, raw_headers, wire_size=None):
    """Raise RemoteProtocolError for a head over MAX_HEAD_SIZE or MAX_HEADER_FIELDS.

    ``wire_size``: the size of one read that held the whole head (None: unknown).
    """
    if len(raw_headers) > _conn.MAX_HEADER_FIELDS:
        raise RemoteProtocolError("the response head has %d header fields, more than "
                                  "httpkit's limit of %d"
                                  % (len(raw_headers), _conn.MAX_HEADER_FIELDS))
    if wire_size is not None and wire_size <= _conn.MAX_HEAD_SIZE:
        return  # (the common case: no sum over every field)
    # h11 only bounds heads that arrive in pieces; one read can carry more.
    size = len(event.reason) + 15 + 4 * len(raw_headers)  # "HTTP/1.1 200 ", ": " and CRLFs
    if size + sum(map(len, _chain(raw_headers))) > _conn.MAX_HEAD_SIZE:
        raise _conn.head_too_large()


def early_response(ctx, conn, send_error):
    """Flow: the response head a server sent before the request was fully sent, or raise.

    A server may answer after the head (413, 401, a 307) and close without reading the
    body: the upload then fails with a broken pipe, but the answer is in the receive
    buffer, and it is what the caller needs (urllib3 reads it too). The connection is
    not reused (the request was not completed). Without an answer, ``send_error`` is
    raised, so a stale kept-alive connection is replayed as before.
    """
    try:
        event = yield read_response_head(ctx, conn)
    except Exception:  # noqa: BLE001 - no answer: the send error is the cause
        raise send_error
    raise Return(event)


def read_response_head(ctx, conn, event=None):
    """Flow: return the final h11.Response event (up to MAX_INFORMATIONAL 1xx are skipped).

    ``event``: h11's first event, when the caller has read and asked already.
    """
    informational = 0
    # Without one: nothing was read for this exchange yet, and a connection is
    # reused only with nothing left in h11's buffer (finish_body): h11's first
    # answer would be NEED_DATA, so read first (one next_event call less, ~4 us).
    if event is None:
        event = h11.NEED_DATA if not conn.received_any else _conn.poll_event(conn)
    while True:
        if event is h11.NEED_DATA:
            _conn.give_head_bytes(conn, (yield _conn.receive(conn, ctx.timeout_for("read"))))
            event = _conn.poll_event(conn)
            continue
        if isinstance(event, h11.Response):
            raise Return(event)
        if isinstance(event, h11.InformationalResponse):
            informational += 1
            if informational > _conn.MAX_INFORMATIONAL:
                raise RemoteProtocolError("the server sent more than %d informational (1xx) "
                                          "responses, httpkit's limit"
                                          % _conn.MAX_INFORMATIONAL)
            raw_headers = event.headers.raw_items()
            check_head_size(event, raw_headers)
            check_response(event, raw_headers)
            event = _conn.poll_event(conn)
            continue
        if isinstance(event, h11.ConnectionClosed) or event is h11.PAUSED:
            raise RemoteProtocolError("the server closed the connection without a response")
        raise RemoteProtocolError("unexpected %s before the response head" % type(event).__name__)


class DecodingBody(object):
    """What every body source shares: raw pieces through the call's decoder.

    Subclasses have ``decoder``, ``raw_bytes``, ``sink`` (a cache.CacheSink or None),
    ``progress`` (a :class:`httpkit._progress.ProgressMeter` or None: set on the body
    handed to a caller who passed ``on_progress``) and ``_finish()`` (called once, at
    the clean end of the raw body).
    """

    __slots__ = ()

    def _decoded(self, data):
        """What raw ``data`` gives the caller; None: nothing yet (decoder buffering).

        ``b""`` (the raw body ended) flushes the decoder and finishes the body.
        """
        if data:
            self.raw_bytes += len(data)
            if self.progress is not None:  # on_progress: raw (wire) bytes
                self.progress.update(self.raw_bytes)
            if self.decoder is None:
                return data
            return self.decoder.decode(data) or None
        tail = self.decoder.flush() if self.decoder is not None else b""
        if self.progress is not None:  # before _finish: a callback that raises closes it
            self.progress.finish(self.raw_bytes)
        self._finish()
        return tail

    def _store(self, data):
        """Flow: hand raw ``data`` to the cache sink (``b""``: the body ended cleanly, commit)."""
        yield self.sink.take(data)
        if not data:
            self.sink = None


class BodyStream(DecodingBody):
    """A response body still on its connection, pulled one chunk at a time."""

    __slots__ = ("ctx", "conn", "response", "decoder", "done", "raw_bytes", "sink",
                 "max_body_size", "pending", "progress")

    def __init__(self, ctx, conn, response):
        self.ctx = ctx
        self.conn = conn
        self.response = response
        self.decoder = ctx.decoder_for(response)
        self.max_body_size = ctx.max_body_size  # what read_all may buffer (None: no limit)
        self.done = False
        self.raw_bytes = 0
        #: A cache.CacheSink that stores the raw body as it is read (None: not cached).
        self.sink = None
        #: The decoded pieces of the last read not handed out yet (an iterator, or None).
        self.pending = None
        self.progress = None  # the on_progress meter (httpkit._progress), if any

    def _decoded(self, data):
        """Like DecodingBody's, one decoded piece (at most the decoder's CHUNK_SIZE) at a time.

        One network read of a bomb decodes to ~1000 times its size (far more
        through a chain of codings): the rest stays in ``pending`` (zlib's
        unconsumed input), so a streamed body never holds more than a piece.
        """
        if data and self.decoder is not None:
            self.raw_bytes += len(data)
            if self.progress is not None:
                self.progress.update(self.raw_bytes)
            self.pending = self.decoder.iter_decode(data)
            return self._next_pending()
        return DecodingBody._decoded(self, data)

    def _next_pending(self):
        """The next non-empty piece of ``pending``; None once it is used up."""
        for piece in self.pending:
            if piece:
                return piece
        self.pending = None
        return None

    def read_chunk(self, want=None):
        """Flow: return the next decoded chunk; ``b""`` once the body has ended.

        ``want``: a hint, the bytes the caller would like (a read may return fewer).
        """
        if self.done:
            raise Return(b"")
        try:
            while True:
                if self.pending is not None:
                    out = self._next_pending()
                    if out is not None:
                        raise Return(out)
                data = _conn.buffered_body(self.conn)
                if data is None:
                    timeout = self.ctx.timeout_for("read")
                    op = _conn.body_recv(self.conn, timeout, want)
                    if op is not None:  # (plain HTTP: the Recv op itself)
                        data = _conn.body_received(self.conn, (yield op))
                    else:
                        data = yield _conn.read_body(self.conn, timeout, want)
                out = self._decoded(data)
                if self.sink is not None:
                    yield self._store(data)
                if out is not None:
                    raise Return(out)
        except Return:
            raise
        except BaseException as exc:
            self.abort()
            if isinstance(exc, RequestException):
                late = self.ctx.at_deadline(exc)  # a streamed body outliving the deadline
                attach_request(late, self.response.request)
                if late is not exc:
                    raise late
            raise

    def read_buffered(self):
        """Return the next decoded chunk if it needs no network read, else None.

        A plain call (no flow): drivers try it before running :meth:`read_chunk`.
        """
        if self.done:
            return b""
        if self.sink is not None:
            return None  # storing needs ops: read_chunk
        try:
            while True:
                if self.pending is not None:
                    out = self._next_pending()
                    if out is not None:
                        return out
                data = _conn.buffered_body(self.conn)
                if data is None:
                    return None
                out = self._decoded(data)
                if out is not None:
                    return out
        except BaseException as exc:
            self.abort()
            if isinstance(exc, RequestException):
                attach_request(exc, self.response.request)
            raise

    def read_whole(self):
        """Return the whole body if all of it arrived with the head and needs no work, else None.

        A plain call (no flow) for :func:`httpkit._flows.read_all_buffered`: a
        small counted body read with its head (the common small GET) is handed
        over at once, without the two rounds of :meth:`read_buffered`.
        Anything else (a decoder, the cache, a progress meter, a body over
        ``max_body_size`` or still on the network) is left to ``read_all``.
        """
        conn = self.conn
        if not conn.direct or self.done or self.decoder is not None \
                or self.sink is not None or self.progress is not None:
            return None
        left = conn.body_left
        if len(conn.held) < left or (self.max_body_size is not None
                                     and left > self.max_body_size):
            return None
        data = _conn.buffered_body(conn)  # (all of it: the held bytes, or b"" for none)
        self.raw_bytes = len(data)
        self._finish()
        return data

    def _finish(self):
        self.done = True
        conn = self.conn
        if conn.requests_served == 1 and conn.layers:  # (TLS 1.3: its tickets came by now)
            self.ctx.keep_tls_session(conn.key, conn)
        self.ctx.io.checkin(conn.key, conn, _conn.finish_body(conn))

    def abort(self):
        """Give up on the rest of the body: the connection is closed, not reused."""
        sink, self.sink = self.sink, None
        if sink is not None:
            sink.discard()  # a body not read to its clean end is never stored
        if not self.done:
            self.done = True
            self.ctx.io.checkin(self.conn.key, self.conn, False)


class BodyPieces(object):
    """A body stream cut into ``chunk_size`` pieces: what every front-end's iterator yields.

    ``ready()`` returns the pieces available without network I/O (a list), or
    None when the flow :meth:`read` must run first: hand its result to
    ``ready(chunk)``. After the last piece, ``ended`` is true.
    """

    __slots__ = ("stream", "rechunker", "ended")

    def __init__(self, stream, chunk_size):
        self.stream = stream
        self.rechunker = Rechunker(chunk_size)
        self.ended = False

    def ready(self, chunk=None):
        if chunk is None:
            chunk = self.stream.read_buffered()
            if chunk is None:
                return None
        if chunk:
            return self.rechunker.feed(chunk)
        self.ended = True
        return self.rechunker.flush()

    def read(self):
        """Flow: the next chunk from the network, sized to complete the next piece."""
        stream = self.stream
        return stream.read_chunk(None if stream.decoder is not None else self.rechunker.want())
