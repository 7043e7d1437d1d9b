"""One HTTP/1.1 connection: h11 above zero or more TLS buffers, as sub-flows.

Rules:
- h11 does all HTTP/1.1 framing; this module never parses HTTP itself.
- TLS is a stack of httpkit.tls buffers (``layers``): none for http, one
  for https, two for https through an https proxy (TLS inside TLS). Depth 0
  is the raw transport; depth ``len(layers)`` is the plaintext HTTP sees.
- Ciphertext is flushed before every wait for the network (TLS-NOTES 4.3),
  never after each read. The client's last handshake flight (its TLS 1.3
  Finished) waits for the first plaintext sent: both go in one send.
- A transport EOF is fed to TLS with ``receive_eof()``, so a missing
  close_notify surfaces as RaggedEOF instead of a clean end.
- A Content-Length body leaves h11 once h11 has handed out what it had
  buffered (``read_body``): h11 copies each body byte three times, and a
  counted body needs no parsing. h11 has framed the head and checked the
  length; the connection gets a fresh h11 state machine afterwards, or is
  closed when h11 would have closed it.
- While a head is awaited, h11 is given the bytes up to the first blank line
  of a read and the rest is held back (``Connection.held``): a counted body
  that arrived with its head then never enters h11 at all (no Data and
  EndOfMessage events, no new cycle: ~15 us of a small GET). Whenever h11
  needs more, or the body is not a byte count, h11 gets the held bytes first.
"""
from __future__ import absolute_import, division, print_function

import re

import h11

from . import tls as _tls
from ._strict_h11 import client_connection
from ._flow import Return
from ._ops import Recv, Send, seconds_of
from .exceptions import (ConnectionError, IncompleteRead, InvalidBodyFraming, InvalidHeader,
                         RemoteProtocolError, RequestException, SSLError, Timeout)

__all__ = ["Connection", "send_bytes", "recv_bytes", "tls_handshake", "pending_alert",
           "next_event", "poll_event", "receive", "receive_head", "head_plaintext", "MORE",
           "give_h11", "give_head_bytes",
           "buffered_body", "body_recv", "body_received", "read_body", "start_body",
           "finish_body", "READ_SIZE"]

# 64 KiB: larger buffers cross glibc's mmap threshold (128 KiB), and every
# read then costs an mmap, page faults and a munmap: 4x slower downloads in
# a fresh process.
READ_SIZE = 64 * 1024
#: Ciphertext read per trip to the socket under a TLS layer while a response body
#: is read: eight 64 KiB pieces of plaintext per Recv op (a 100 MiB HTTPS download:
#: ~30% less client CPU with 256 KiB than with 64 KiB, ~9% less again with 512 KiB,
#: from fewer ops through the flow machinery and fewer recv calls; TLS-NOTES 5.3).
#: Handshakes and heads read READ_SIZE: a recv buffer over glibc's mmap threshold
#: costs an mmap, an mremap and a munmap, which a stream of big reads amortizes.
TLS_RECV_SIZE = 512 * 1024
_WRITE_CHUNK = 256 * 1024
#: Largest response head (status line + headers) accepted, as h11 counts it:
#: 4x h11's default, so a status line or header line can be long, but bounded.
MAX_HEAD_SIZE = 64 * 1024
#: Most header fields a response head may have (http.client's and urllib3's 100).
MAX_HEADER_FIELDS = 100
#: Most 1xx responses skipped before the final one (a server sending them forever).
MAX_INFORMATIONAL = 20


class Connection(object):
    """A transport, its TLS layers and its h11 state machine."""

    __slots__ = ("transport", "h11", "layers", "key", "requests_served", "closed",
                 "received_any", "maybe_plaintext", "body_left", "direct", "keep_alive",
                 "tls_version", "held", "held_alone", "last_request")

    def __init__(self, transport, key):
        self.transport = transport
        self.key = key
        self.layers = []
        # Per TLS layer: may OpenSSL hold decrypted bytes we have not read?
        # Only if the last read filled the caller's buffer (see recv_bytes).
        self.maybe_plaintext = []
        self.h11 = client_connection(max_incomplete_event_size=MAX_HEAD_SIZE)
        self.requests_served = 0
        self.closed = False
        self.received_any = False
        # The innermost layer's TLS version ("TLSv1.3"), noted when its handshake ends:
        # OpenSSL stops reporting it once the connection failed.
        self.tls_version = None
        # The response body being read: bytes of a Content-Length body not
        # yet handed out (None: h11 frames it), whether h11 has handed over
        # (``direct``), and whether both heads allow another request.
        self.body_left = None
        self.direct = False
        self.keep_alive = False
        # Bytes read after a response head, not given to h11 (see give_head_bytes).
        self.held = b""
        self.held_alone = False  # (give_head_bytes)
        # ((method, target, header tuple), h11.Request) of the last head sent (_request_event).
        self.last_request = None

    def is_reusable(self):
        """True when the connection is idle and both sides may send again."""
        return (not self.closed and self.h11.our_state is h11.IDLE
                and self.h11.their_state is h11.IDLE)

    def __repr__(self):
        return "<Connection %r tls=%d served=%d>" % (self.key[:3] if self.key else None,
                                                    len(self.layers), self.requests_served)


# --------------------------------------------------------------------------- bytes
def send_bytes(conn, data, timeout, depth=None):
    """Flow: send plaintext ``data`` at ``depth`` (default: the HTTP level)."""
    if depth is None:
        depth = len(conn.layers)
    if depth == 0:
        yield Send(conn.transport, data, timeout)
        return
    buf = conn.layers[depth - 1]
    total = len(data)
    offset = 0
    chunk = None
    while offset < total:
        if chunk is None:
            # (after a partial write, the rest: a layer may take part of a chunk)
            chunk = data if not offset and total <= _WRITE_CHUNK \
                else data[offset:offset + _WRITE_CHUNK]
        try:
            written = buf.write(chunk)
        except _tls.WantWriteError:
            # OpenSSL's rule: flush, then retry with the very same object.
            yield flush(conn, timeout, depth)
            continue
        except _tls.WantReadError:
            yield _pull_ciphertext(conn, depth, timeout)
            continue
        except _tls.TLSError as exc:
            raise _tls_failure(exc)
        offset += written
        chunk = None
        if depth == 1:  # the common case, one generator level less
            out = buf.process_outgoing(_WRITE_CHUNK)
            while out:
                yield Send(conn.transport, out, timeout)
                out = buf.process_outgoing(_WRITE_CHUNK)
        else:
            yield flush(conn, timeout, depth)


def flush(conn, timeout, depth=None):
    """Flow: send every pending ciphertext byte of the TLS layer at ``depth``.

    Ciphertext is taken out before it is sent (``process_outgoing``): if the
    send fails the connection is finished anyway.
    """
    if depth is None:
        depth = len(conn.layers)
    if depth == 0:
        return
    buf = conn.layers[depth - 1]
    while True:
        out = buf.process_outgoing(_WRITE_CHUNK)
        if not out:
            return
        if depth == 1:
            yield Send(conn.transport, out, timeout)
        else:
            yield send_bytes(conn, out, timeout, depth - 1)


def recv_bytes(conn, timeout, depth=None, max_bytes=READ_SIZE):
    """Flow: return up to ``max_bytes`` plaintext bytes from ``depth``; ``b""`` at a clean end.

    Raises:
        RaggedEOF (httpkit.tls): TLS ended without close_notify.
    """
    if depth is None:
        depth = len(conn.layers)
    if depth == 0:
        data = yield Recv(conn.transport, max_bytes, timeout)
        raise Return(data)
    data = decrypted(conn, depth, max_bytes)
    while data is None:
        yield _pull_ciphertext(conn, depth, timeout)
        data = decrypted(conn, depth, max_bytes, True)
    raise Return(data)


def decrypted(conn, depth, max_bytes, fed=False):
    """Return up to ``max_bytes`` plaintext already received at ``depth`` (a plain call).

    ``b""`` at a clean end; None when more ciphertext is needed. ``fed``:
    ciphertext (or the transport's EOF) was just given to the layer.

    Raises:
        RaggedEOF (httpkit.tls): TLS ended without close_notify.
    """
    buf = conn.layers[depth - 1]
    if not fed and not conn.maybe_plaintext[depth - 1] and not buf.incoming_bytes_buffered():
        return None  # nothing to decrypt: skip a read that could only raise WantReadError
    try:
        data = buf.read(max_bytes)
    except _tls.WantReadError:
        conn.maybe_plaintext[depth - 1] = False
        return None
    except _tls.RaggedEOF:
        raise
    except _tls.TLSError as exc:
        raise _tls_failure(exc)
    if data and len(data) < max_bytes and not buf.reads_all_records \
            and buf.incoming_bytes_buffered():
        data = _read_more(buf, data, max_bytes)
    conn.maybe_plaintext[depth - 1] = len(data) == max_bytes
    return data


def _read_more(buf, first, max_bytes):
    """Decrypt every record already received (one ``read`` returns one record, 16 KiB).

    Handing h11 one 64 KiB piece instead of four small ones saves a trip
    through the flow machinery per record. Errors are left for the next call.
    """
    parts = [first]
    total = len(first)
    while total < max_bytes and buf.incoming_bytes_buffered():
        try:
            more = buf.read(max_bytes - total)
        except _tls.TLSError:
            break
        if not more:
            break
        parts.append(more)
        total += len(more)
    return b"".join(parts)


def _pull_ciphertext(conn, depth, timeout):
    """Flow: flush what TLS at ``depth`` owes the peer, then feed it more ciphertext."""
    buf = conn.layers[depth - 1]
    if buf.outgoing_bytes_buffered():
        yield flush(conn, timeout, depth)
    if depth == 1:
        raw = yield _ciphertext_recv(conn, timeout)
    else:
        raw = yield recv_bytes(conn, timeout, depth - 1)
    _feed(buf, raw)


def _ciphertext_recv(conn, timeout):
    """The Recv op for the ciphertext under the one TLS layer: bigger reads inside a body."""
    body = conn.direct or conn.h11.their_state is h11.SEND_BODY
    return Recv(conn.transport, TLS_RECV_SIZE if body else READ_SIZE, timeout)


def _feed(buf, raw):
    """Give a TLS layer what the layer below returned (``b""``: the peer closed)."""
    if raw:
        buf.receive_from_network(raw)
    else:
        buf.receive_eof()


def tls_handshake(conn, context, server_hostname, timeout, session=None):
    """Flow: add a TLS layer on top of ``conn`` and complete its handshake."""
    try:
        buf = context.wrap_buffers(server_hostname, session=session) if session is not None \
            else context.wrap_buffers(server_hostname)
    except _tls.TLSError as exc:
        raise _tls_failure(exc)
    conn.layers.append(buf)
    conn.maybe_plaintext.append(True)
    depth = len(conn.layers)
    eof_seen = False
    first = None  # the start of the server's reply, to recognise one that is not TLS
    while True:
        try:
            buf.do_handshake()
            break
        except _tls.WantReadError:
            if eof_seen:
                raise _cut_in_handshake(server_hostname, "closed the connection")
        except _tls.TLSError as exc:
            if eof_seen and first is None and getattr(exc, "reason", None) in (None, "ragged_eof"):
                raise _cut_in_handshake(server_hostname, "closed the connection")
            raise _not_tls(first, server_hostname) \
                or _handshake_failure(exc, context, server_hostname)
        try:
            if buf.outgoing_bytes_buffered():
                yield flush(conn, timeout, depth)
            raw = yield recv_bytes(conn, timeout, depth - 1)
        except ConnectionError as exc:
            if isinstance(exc, (Timeout, SSLError)):
                raise
            raise _cut_in_handshake(server_hostname, "reset the connection (%s)" % (exc,))
        if raw:
            first = raw[:_SHOWN_REPLY] if first is None else first
            buf.receive_from_network(raw)
        else:
            eof_seen = True
            buf.receive_eof()
    conn.tls_version = getattr(buf.negotiated_tls_version, "value", None)
    # What the client still owes (TLS 1.3: its Finished) is not sent on its
    # own: it leaves with the request head, one send and one wake-up of the
    # server fewer per connection. Every wait for the network flushes first.


#: How much of a reply that is not TLS an error message shows.
_SHOWN_REPLY = 40


def _cut_in_handshake(server_hostname, what):
    """The SSLError (reason ``closed_in_handshake``) for a server that hung up mid-handshake.

    OpenSSL would say "EOF occurred in violation of protocol" or the socket
    "connection reset": neither says it happened before TLS was up.
    """
    text = ("TLS handshake with %s failed: the server %s before the handshake completed "
            "(closed_in_handshake)" % (server_hostname, what))
    return SSLError(text, tls_error=_tls.HandshakeError(text, reason="closed_in_handshake"))


def _not_tls(first, server_hostname):
    """The SSLError (reason ``not_tls``) if ``first`` cannot start a TLS record, else None.

    Every TLS record opens with a content type 20-24 and major version 3
    (RFC 8446 section 5.1); OpenSSL calls anything else "wrong version
    number", which would send the caller looking for a TLS version problem.
    A plain HTTP server on the port answers ``HTTP/1.1 400``.
    """
    if not first or (20 <= bytearray(first[:1])[0] <= 24 and first[1:2] in (b"", b"\x03")):
        return None
    text = ("TLS handshake with %s failed: the server did not answer in TLS, it sent %r "
            "(a plain HTTP port? try http://)" % (server_hostname, first))
    return SSLError(text, tls_error=_tls.HandshakeError(text, reason="not_tls"))


def pending_alert(conn, timeout, failure):
    """Flow: the SSLError for a TLS alert left unread when the transport failed, or None.

    Under TLS 1.3 a server that rejects the client (``certificate_required``:
    no client certificate was sent) does so after the client's handshake has
    finished; the alert then often meets our request on the wire, and the
    send or read fails with a reset. What the server sent before closing
    may still be readable: one bounded read looks for that alert. When the
    server's kernel discarded it (a close with our request unread sends a
    reset and drops what was queued), a reset, a broken pipe or a close right
    after a TLS 1.3 handshake in which we sent no certificate is reported as
    that cause (the message says it is inferred).
    """
    if not conn.layers or conn.received_any or conn.requests_served:
        return
    depth = len(conn.layers)
    buf = conn.layers[-1]
    try:
        wait = seconds_of(timeout)  # (a Budget: no longer than the total deadline)
        raw = yield recv_bytes(conn, min(wait or _ALERT_WAIT, _ALERT_WAIT), depth - 1)
    except (RequestException, _tls.TLSError):
        raise Return(_certificate_required_guess(conn, buf, failure))
    if raw:
        buf.receive_from_network(raw)
    else:
        buf.receive_eof()
    try:
        data = buf.read(1)
    except (_tls.WantReadError, _tls.RaggedEOF):
        data = b""
    except _tls.TLSError as exc:
        raise Return(_tls_failure(exc))
    if not data:  # closed (even with close_notify) and no alert left to read
        raise Return(_certificate_required_guess(conn, buf, failure))


def _certificate_required_guess(conn, buf, failure):
    """``certificate_required`` for a reset after a TLS 1.3 handshake without our certificate."""
    if conn.tls_version != "TLSv1.3" or buf.context.configuration.certificate_chain is not None:
        return None
    text = ("the server closed the connection right after the TLS 1.3 handshake, before "
            "answering: it most likely requires a client certificate, and none was sent "
            "(pass cert=) [%s]" % (failure,))
    return SSLError(text, tls_error=_tls.HandshakeError(text, reason="certificate_required"))


#: The longest wait for an alert after the transport failed (it is there at once, or never).
_ALERT_WAIT = 1.0


def _handshake_failure(exc, context, server_hostname):
    """The SSLError for a failed handshake; a bare ``handshake_failure`` alert gets a hint.

    The message names the host (after a redirect it may not be the one the
    caller asked for). Under TLS 1.2 a server that requires a client
    certificate answers a client without one with that generic alert.
    """
    error = _tls_failure(exc)
    error.args = ("TLS handshake with %s failed: %s" % (server_hostname, error.args[0]),)
    if getattr(exc, "reason", None) == "handshake_failure" \
            and context.configuration.certificate_chain is None:
        error.args = ("%s; if the server requires a client certificate, pass cert= "
                      "(none was sent)" % (error.args[0],),)
    return error


def _tls_failure(exc):
    reason = getattr(exc, "reason", None)
    text = str(exc) or type(exc).__name__
    if reason and reason not in text:
        text = "%s (%s)" % (text, reason)
    return SSLError(text, tls_error=exc)


# --------------------------------------------------------------------------- HTTP
def send_request_head(conn, method, target, headers, timeout, body=None):
    """Frame the request head (and a bytes ``body`` with it); return what sends it, to yield.

    A plain call, not a flow: it returns the ``Send`` op itself on plain
    HTTP (the common case, one generator level less), else the
    :func:`send_bytes` flow through the TLS layers; either is yielded.

    ``method``, ``target`` and ``headers`` (``[(name, value), ...]``) are bytes,
    and every header was checked when it was set (``_models.check_header``:
    stricter than h11's field grammar) or comes from the URL. So h11 is told
    they are parsed (``_parsed=True``, in 0.11 as in 0.16): it skips converting
    and matching each one again on every request (~8 calls a field), and still
    checks the method, the target, Host and the framing headers' values.
    """
    data = _send(conn, _request_event, conn, method, target, headers)
    if body is not None:
        if body:
            data += _send(conn, h11.Data, data=body)
        data += _send(conn, _end_of_message)
    if not conn.layers:
        return Send(conn.transport, data, timeout)
    if len(conn.layers) == 1 and len(data) <= _WRITE_CHUNK:
        return _encrypted_send(conn, data, timeout)
    return send_bytes(conn, data, timeout)


def _encrypted_send(conn, data, timeout):
    """What sends ``data`` through the one TLS layer: the ``Send`` op of its ciphertext
    when the layer took it at once (the common case: no generator level), else a flow."""
    buf = conn.layers[0]
    try:
        written = buf.write(data)
    except (_tls.WantWriteError, _tls.WantReadError):
        return send_bytes(conn, data, timeout)  # (nothing written: retried with the same object)
    except _tls.TLSError as exc:
        raise _tls_failure(exc)
    out = buf.process_outgoing(_WRITE_CHUNK)
    if written == len(data) and not buf.outgoing_bytes_buffered():
        return Send(conn.transport, out, timeout)
    return _send_rest(conn, out, data[written:], timeout)


def _send_rest(conn, out, unwritten, timeout):
    """Flow: send ciphertext ``out``, what the layer still holds, then ``unwritten`` plaintext."""
    yield Send(conn.transport, out, timeout)
    yield flush(conn, timeout, 1)
    if unwritten:
        yield send_bytes(conn, unwritten, timeout)


def send_body_chunk(conn, chunk, timeout):
    """Flow: send one piece of a streamed request body."""
    if chunk:
        yield send_bytes(conn, _send(conn, h11.Data, data=chunk), timeout)


def send_end_of_body(conn, timeout):
    """Flow: finish the request body (the last chunk, for chunked bodies)."""
    yield send_bytes(conn, _send(conn, _end_of_message), timeout)


def _request_event(conn, method, target, headers):
    """The h11 ``Request`` for this head: the connection's last one when the head is
    the same as the last one sent on it.

    A keep-alive client often repeats its heads (one URL polled, an API's
    endpoint), and making the event costs ~7 us even with ``_parsed=True``: h11
    goes over every field again, counts Host headers and matches the method and
    the target. Its events are never changed once made, so one is sent again
    as it is; h11 still runs its state machine and writes the head each time.
    """
    head = (method, target, tuple(headers))
    last = conn.last_request
    if last is not None and last[0] == head:
        return last[1]
    event = h11.Request(method=method, target=target, headers=headers, _parsed=True)
    conn.last_request = (head, event)
    return event


_SEND_ERRORS = (
    ("Too much data", "the request body is longer than its Content-Length header"),
    ("Too little data", "the request body is shorter than its Content-Length header"),
    ("Transfer-Encoding", "only Transfer-Encoding: chunked can be sent (httpkit frames "
                          "the body; drop the header)"),
)


_END_OF_MESSAGE = h11.EndOfMessage()


def _end_of_message():
    """The EndOfMessage every request ends with: one for all (h11 never changes the
    events it sends, and making one costs ~1 us: its empty trailer is validated)."""
    return _END_OF_MESSAGE


def _send(conn, event_type, *args, **fields):
    """``conn.h11.send(event_type(*args, **fields))``; what h11 refuses is the caller's mistake.

    Methods, URLs and header fields are checked before anything is sent; what
    is left is a body that does not match the caller's own framing headers.
    The connection is not reused after (the exchange checks it in as broken).
    """
    try:
        return conn.h11.send(event_type(*args, **fields))
    except h11.LocalProtocolError as exc:
        text = str(exc)
        for needle, message in _SEND_ERRORS:
            if needle in text:
                raise InvalidHeader("Cannot send the request: %s" % (message,))
        raise InvalidHeader("Cannot send the request: %s" % (text,))


def next_event(conn, timeout):
    """Flow: return the next h11 event, reading from the network as needed.

    Raises:
        RemoteProtocolError: the server broke HTTP/1.1 framing.
        IncompleteRead: the connection ended inside a message.
    """
    while True:
        event = poll_event(conn)
        if event is not h11.NEED_DATA:
            raise Return(event)
        give_h11(conn, (yield receive(conn, timeout)))


def poll_event(conn):
    """Return h11's next event (``h11.NEED_DATA``: feed it :func:`receive`'s data first).

    A plain call: a flow that reads a head (``_exchange.read_response_head``)
    loops over it without a generator level of its own.

    Raises:
        RemoteProtocolError: the server broke HTTP/1.1 framing.
        IncompleteRead: the connection ended inside a message.
    """
    h = conn.h11
    while True:
        state = h.their_state  # h11 moves to ERROR when it raises: look before
        try:
            event = h.next_event()
        except h11.RemoteProtocolError as exc:
            raise _protocol_error(state, exc)
        if event is not h11.NEED_DATA or not conn.held:
            return event
        h.receive_data(conn.held)  # (the blank line held back at was not h11's head end)
        conn.held = b""


def receive(conn, timeout):
    """Return what reads h11's next bytes, to yield; hand its result to :func:`give_h11`.

    A plain call, like :func:`send_request_head`: the ``Recv`` op itself on
    plain HTTP (no generator level), else the flow through the TLS layers.
    """
    if not conn.layers:
        return Recv(conn.transport, READ_SIZE, timeout)
    if len(conn.layers) == 1:
        return _recv_through_tls(conn, timeout)
    return _recv_plaintext(conn, timeout)


#: What :func:`head_plaintext` returns when the TLS record read is not whole yet.
MORE = type("More", (object,), {"__slots__": (), "__repr__": lambda self: "MORE"})()


def receive_head(conn, timeout):
    """Return what reads the start of a response, to yield; give its result to
    :func:`head_plaintext` when the connection has TLS layers.

    Like :func:`receive`, but under one TLS layer with nothing decrypted,
    received or owed to the peer (the common case) it is the ``Recv`` op of
    the ciphertext itself, decrypted by a plain call after: no generator level,
    no ``Return`` on every HTTPS response.
    """
    layers = conn.layers
    if not layers:
        return Recv(conn.transport, READ_SIZE, timeout)
    if len(layers) == 1 and not conn.maybe_plaintext[0]:
        buf = layers[0]
        if not buf.incoming_bytes_buffered() and not buf.outgoing_bytes_buffered():
            return Recv(conn.transport, READ_SIZE, timeout)
    return receive(conn, timeout)


def head_plaintext(conn, read, result):
    """The plaintext that ``result`` (what yielding ``read``, from :func:`receive_head`,
    gave) stands for: as for :func:`give_h11`, or :data:`MORE` when the TLS record is
    not whole yet (then yield :func:`receive` for the rest)."""
    if type(read) is not Recv:
        return result  # receive's flow: plaintext already
    buf = conn.layers[0]
    try:
        _feed(buf, result)
        data = decrypted(conn, 1, READ_SIZE, True)
    except _tls.RaggedEOF:
        return None
    return MORE if data is None else data


def _recv_through_tls(conn, timeout):
    """Flow: :func:`_recv_plaintext` for one TLS layer (HTTPS without a TLS proxy), in one
    generator level instead of three."""
    buf = conn.layers[0]
    try:
        data = decrypted(conn, 1, READ_SIZE)
        while data is None:
            if buf.outgoing_bytes_buffered():
                yield flush(conn, timeout, 1)
            _feed(buf, (yield _ciphertext_recv(conn, timeout)))
            data = decrypted(conn, 1, READ_SIZE, True)
    except _tls.RaggedEOF:
        data = None
    raise Return(data)


def _recv_plaintext(conn, timeout):
    """Flow: plaintext from the TLS layers; None when TLS ended without close_notify."""
    try:
        data = yield recv_bytes(conn, timeout)
    except _tls.RaggedEOF:
        data = None
    raise Return(data)


def give_h11(conn, data):
    """Hand h11 what a read returned: bytes, ``b""`` (the peer closed) or None
    (a TLS connection closed without close_notify)."""
    h = conn.h11
    if data:
        first, conn.received_any = not conn.received_any, True
        if first and data[:5] != b"HTTP/" and h.their_state is h11.SEND_RESPONSE:
            _check_start(data)  # (received_any is set: a refused reply is never replayed)
        h.receive_data(data)
        return
    if data is None and h.their_state is h11.SEND_BODY:
        # A read-until-close body ended without close_notify: that is
        # exactly what a truncation attack looks like (TLS-NOTES 4.1).
        raise IncompleteRead("the TLS connection closed without close_notify before the "
                             "body ended: the response may be truncated")
    h.receive_data(b"")


def give_head_bytes(conn, data):
    """Like :func:`give_h11`, while a response head is awaited: h11 gets ``data`` up to
    its first blank line, and the rest (a body's first bytes) is held back.

    :func:`start_body` decides where the held bytes go: they are a counted
    body's first bytes, or h11's (as is everything when :func:`poll_event`
    finds that h11 needs more). When the exchange's first read is split,
    h11's buffer was empty (see :func:`finish_body`), so h11 holds nothing
    after the head (``held_alone``); a later read's blank line may not be
    the head's end (one split across reads), so h11's buffer is asked then.
    """
    if data:
        end = _BLANK_LINE.search(data)
        if end is not None and end.end() < len(data):
            conn.held = data[end.end():]
            conn.held_alone = not conn.received_any
            data = data[:end.end()]
    give_h11(conn, data)


#: A head ends at its first blank line (h11 0.16 accepts a bare LF; 0.11 wants
#: CRLF CRLF, and then simply gets the held bytes: see poll_event).
_BLANK_LINE = re.compile(b"\n\r?\n")

#: How much of a reply that is not HTTP an error message shows.
_SHOWN_START = 40


def _check_start(data):
    """Refuse a reply whose first bytes cannot begin ``HTTP/``, at once.

    Binary noise, an HTTP/0.9 body or a TLS record on an http:// URL would
    otherwise wait for a line end that may never come: h11 0.16 refuses
    some of them early ("illegal request line"), 0.11 none, and neither an
    HTTP/0.9 body held open. Every h11 now gives this one error.
    """
    if data[:5] != b"HTTP/"[:len(data[:5])]:
        shown = data[:_SHOWN_START].split(b"\n", 1)[0].rstrip(b"\r") or data[:_SHOWN_START]
        shown = repr(shown)
        raise RemoteProtocolError("invalid HTTP response: the server did not answer in "
                                  "HTTP/1.x, it sent %s" % (shown if shown[:1] == "b"
                                                             else "b" + shown,))


def start_body(conn, method, request_fields, event, response_fields):
    """Note how the body of the response head ``event`` is framed (see ``read_body``).

    ``request_fields``, ``response_fields``: both heads' fields as
    :class:`httpkit.Headers` keeps them, ``[lower name, name, value]`` in
    native str (a request value may be None: not sent). The response's are
    decoded once for its Headers anyway; h11's own Headers is slow to iterate.
    """
    conn.direct = False
    conn.body_left = None
    length = None
    encoded = False
    keep_alive = event.http_version >= b"1.1" and not _says_close(request_fields)
    for name, _, value in response_fields:
        if name in _FRAMING_NAMES:
            if name == "content-length":
                length = int(value)  # h11 has validated it
            elif name == "connection":
                keep_alive = keep_alive and "close" not in value.lower()
            else:
                encoded = True  # transfer-encoding: chunked, h11 frames it
    if encoded:
        # Content-Length beside Transfer-Encoding: chunked frames the body
        # (RFC 9112 section 6.3), but the message may be a smuggling attempt
        # read differently by a proxy on the way: never reuse the connection.
        keep_alive = keep_alive and length is None
        length = None
    conn.keep_alive = keep_alive
    if method != b"HEAD" and event.status_code not in (204, 304):
        conn.body_left = length
    if conn.body_left is not None and \
            ((conn.held and conn.held_alone) or not conn.h11.trailing_data[0]):
        # h11 holds none of the counted body: all of it is a byte count. (See
        # give_head_bytes for when held bytes mean that h11 got the head alone.)
        conn.direct = True
    elif conn.held:
        conn.h11.receive_data(conn.held)  # h11 frames this body: it gets its first bytes
        conn.held = b""


_FRAMING_NAMES = frozenset(("content-length", "connection", "transfer-encoding"))


def _says_close(fields):
    for name, _, value in fields:
        if name == "connection" and value is not None and "close" in value.lower():
            return True
    return False


def buffered_body(conn):
    """Return the next piece of the response body that needs no network read.

    A plain call: bytes, ``b""`` once the body ended, or None when the next
    piece has to come from the network (then run :func:`read_body`).
    """
    if conn.direct:
        if conn.held:
            return _take_held(conn)
        if not conn.body_left:
            return b""
        return _decrypted_body(conn) if conn.layers else None
    h = conn.h11
    state = h.their_state  # h11 moves to ERROR when it raises: look before
    try:
        event = h.next_event()
    except h11.RemoteProtocolError as exc:
        raise _protocol_error(state, exc)
    kind = type(event)
    if kind is h11.Data:
        data = event.data
        if type(data) is not bytes:
            data = bytes(data)  # h11 hands out bytearray slices; bodies are bytes
        if conn.body_left is not None:
            conn.body_left -= len(data)
        return data
    if kind is h11.EndOfMessage or kind is h11.ConnectionClosed:
        conn.body_left = None
        return b""
    if event is h11.NEED_DATA:
        if conn.body_left:  # h11's buffer is empty: count the rest here
            conn.direct = True
        return None
    raise RemoteProtocolError("unexpected %s in the response body" % kind.__name__)


def _decrypted_body(conn):
    """The next piece of a counted body that TLS has received whole, or None.

    Under TLS one trip to the socket brings up to 512 KiB (``TLS_RECV_SIZE``):
    the pieces after the first are decrypted here, with a plain call, not
    through a read flow each.
    """
    left = conn.body_left
    try:
        data = decrypted(conn, len(conn.layers), READ_SIZE if left > READ_SIZE else left)
    except _tls.RaggedEOF:
        data = b""
    if data is None:
        return None
    if not data:
        raise IncompleteRead("connection closed with %d bytes of the body missing" % left)
    conn.body_left = left - len(data)
    return data


def _take_held(conn):
    """The held-back start of a counted body (bytes past its end: the connection is not reused)."""
    data, left = conn.held, conn.body_left
    conn.held = b""
    if len(data) > left:
        conn.keep_alive = False  # (bytes after the response would be read as the next one's)
        data = data[:left]
    conn.body_left = left - len(data)
    return data


def body_recv(conn, timeout, want=None):
    """The ``Recv`` op of a plain-HTTP counted body's next piece, or None (then yield
    :func:`read_body`); give its result to :func:`body_received`.

    For a caller that found nothing buffered (:func:`buffered_body` gave None):
    a streamed download then costs one generator level less per piece.
    """
    if conn.layers or not conn.direct:
        return None
    return Recv(conn.transport, _piece_size(conn, want), timeout)


def _piece_size(conn, want):
    """How much of a counted body to read next: ``want`` (else READ_SIZE), never past its end."""
    left = conn.body_left
    size = READ_SIZE if want is None or want > READ_SIZE else want
    return size if size < left else left


def body_received(conn, data):
    """``data``, what :func:`body_recv`'s op returned, counted into the body.

    Raises:
        IncompleteRead: the connection ended inside the body.
    """
    if not data:
        raise IncompleteRead("connection closed with %d bytes of the body missing"
                             % conn.body_left)
    conn.body_left -= len(data)
    return data


def read_body(conn, timeout, want=None):
    """Flow: return the next piece of the response body (bytes); ``b""`` once it ended.

    h11 hands out what it has buffered; a Content-Length body's remaining
    bytes then come straight from the transport (or TLS layer), at most
    ``want`` (else READ_SIZE) at a time and never past the body's end.

    Raises:
        IncompleteRead: the connection ended inside the body.
        RemoteProtocolError: the server broke HTTP/1.1 framing.
    """
    while True:
        data = buffered_body(conn)
        if data is not None:
            raise Return(data)
        if not conn.direct:
            give_h11(conn, (yield receive(conn, timeout)))
            continue
        try:
            if conn.layers:  # buffered_body found nothing to decrypt: feed TLS first
                depth, size = len(conn.layers), _piece_size(conn, want)
                data = None
                while data is None:
                    yield _pull_ciphertext(conn, depth, timeout)
                    data = decrypted(conn, depth, size, True)
            else:
                data = yield body_recv(conn, timeout, want)
        except _tls.RaggedEOF:
            data = b""
        raise Return(body_received(conn, data))


def finish_body(conn):
    """After the body ended: ready ``conn`` for the next request; return True if it may be reused."""
    h = conn.h11
    if conn.direct:
        conn.direct = False
        conn.body_left = None
        conn.held = b""
        if conn.keep_alive and h.our_state is h11.DONE:
            conn.h11 = client_connection(max_incomplete_event_size=MAX_HEAD_SIZE)
            return True
        return False
    if conn.keep_alive and h.our_state is h11.DONE and h.their_state is h11.DONE \
            and not h.trailing_data[0]:
        # (bytes after the response would be read as the next one's: drop them with it)
        h.start_next_cycle()
        return True
    return False


_H11_BYTES = re.compile(r"bytearray\((b'(?:[^'\\]|\\.)*'|b\"(?:[^\"\\]|\\.)*\")\)")


def _protocol_error(state, exc):
    # A body cut short by EOF is IncompleteRead; bad framing inside a body
    # (a malformed chunk header) stays a protocol error.
    text = _H11_BYTES.sub(r"\1", str(exc))  # h11 shows lines as bytearray(b'...')
    if state is h11.SEND_RESPONSE and "buffer too long" in text:  # h11 0.11 .. 0.16
        return head_too_large()
    if "_SWITCH_UPGRADE" in text:
        return RemoteProtocolError("invalid HTTP response: 101 Switching Protocols, but "
                                   "httpkit asked for no protocol upgrade")
    if state is h11.SEND_RESPONSE and "ConnectionClosed" in text:
        return RemoteProtocolError("the server closed the connection without sending a response")
    if (state is h11.SEND_BODY and "without sending complete" in text) \
            or "incomplete" in text.lower():
        return IncompleteRead("connection closed before the whole body arrived: %s" % text)
    if state is h11.SEND_BODY and "buffer too long" in text:
        return InvalidBodyFraming("a chunk header or the trailer section is larger than %d "
                                  "bytes, httpkit's limit" % MAX_HEAD_SIZE)
    if state is h11.SEND_BODY:
        # requests users catch ChunkedEncodingError here; it is also a
        # RemoteProtocolError (and so a ConnectionError), like every framing error.
        return InvalidBodyFraming("invalid framing in the response body: %s" % text)
    return RemoteProtocolError("invalid HTTP response: %s" % text)


def head_too_large():
    """The error for a response head over MAX_HEAD_SIZE (one line or all of it)."""
    return RemoteProtocolError("the response head (status line and headers) is larger than "
                               "%d bytes, httpkit's limit for a head" % MAX_HEAD_SIZE)


def idle_bytes_leave_alive(conn, data):
    """Return True if bytes that arrived on an idle connection leave it usable.

    Under TLS 1.3 a server may send session tickets after a response; those
    are absorbed here. EOF, close_notify, an alert or any HTTP byte while no
    request is outstanding means the connection is finished.
    """
    if not data or not conn.layers:
        return False
    buf = conn.layers[-1] if len(conn.layers) == 1 else None
    if buf is None:
        return False
    try:
        buf.receive_from_network(data)
        buf.read(1)
    except _tls.WantReadError:
        return True
    except _tls.TLSError:
        return False
    return False
