"""The ``"openssl"`` backend: PEP 543 buffers on pyOpenSSL memory BIOs.

Runs on Python 2.7 (pyOpenSSL 21.0.0 + cryptography 3.3.2, OpenSSL 1.1.1)
and 3.x (current pyOpenSSL). Importing this module raises ImportError when
pyOpenSSL is missing, so the registry reports the backend unavailable;
nothing else in httpkit imports ``OpenSSL``.

Rules:
- Contexts are built ONCE from a TLSConfiguration (:mod:`._pyopenssl_build`;
  newer pyOpenSSL refuses to change a Context after it made a Connection);
  buffers only add the per-connection host name, SNI and session.
- pyOpenSSL checks no host names. The expected name goes into the
  connection's X509_VERIFY_PARAM through cryptography's cffi binding
  (``set1_host`` / ``set1_ip``), so OpenSSL rejects a mismatch INSIDE the
  handshake, with X509_CHECK_FLAG_NEVER_CHECK_SUBJECT (no Common Name
  fallback). Without those symbols we fall back to service_identity after
  the handshake, and without that we refuse to connect: never skip the check.
- IP literals are never sent as SNI (RFC 6066 section 3); pyOpenSSL would.
- Every pyOpenSSL exception is translated in ONE place (``_Buffer._error``).
- pyOpenSSL 21 sets SSL_MODE_ENABLE_PARTIAL_WRITE but not
  SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; we set both, and ``write()`` reports
  exactly the bytes OpenSSL took, so a retry never loses or repeats data.
"""
from __future__ import absolute_import, division, print_function

import re
import socket
import weakref

from OpenSSL import SSL, crypto

from . import _api, _errors
from ._api import (
    ConfigurationError, HandshakeError, ProtocolVersionError, RaggedEOF, TLSConfiguration,
    TLSError, TLSVersion, WantReadError, WantWriteError,
)
from ._hostname import lacks_subject_alt_name, no_san_error, parse_host
from ._pyopenssl_build import build, client_context, reason_text, server_context

# cryptography's cffi binding, the one pyOpenSSL itself is built on (2.7 and 3.x).
from OpenSSL._util import ffi as _ffi, lib as _lib

__all__ = [
    "BACKEND", "OpenSSLClientContext", "OpenSSLServerContext", "OpenSSLSession",
    "HAS_NATIVE_HOSTNAME_CHECK",
]

_HOSTNAME_SYMBOLS = (
    "SSL_get0_param", "X509_VERIFY_PARAM_set1_host", "X509_VERIFY_PARAM_set1_ip",
    "X509_VERIFY_PARAM_set_hostflags", "X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS",
)
#: True when OpenSSL itself can check the peer's name during the handshake.
HAS_NATIVE_HOSTNAME_CHECK = all(hasattr(_lib, s) for s in _HOSTNAME_SYMBOLS)
_X509_V_OK = 0
# X509_CHECK_FLAG_NEVER_CHECK_SUBJECT (OpenSSL 1.1.0+); older bindings lack the name.
_NEVER_CHECK_SUBJECT = getattr(_lib, "X509_CHECK_FLAG_NEVER_CHECK_SUBJECT", 0x20)

# Substrings of OpenSSL reason texts meaning "no TLS version in common".
_VERSION_REASONS = (
    "unsupported protocol", "no protocols available", "protocol version",
    "wrong version number", "version too low", "version too high", "unsupported_protocol",
)


# --------------------------------------------------------------------------- errors
def _alert_reason(text):
    """``'tlsv13 alert certificate required'`` -> ``'certificate_required'``."""
    return _errors.alert_reason(text)


def _verify_message(code):
    text = _ffi.string(_lib.X509_verify_cert_error_string(code))
    return "certificate verify failed: %s (%d)" % (text.decode("ascii", "replace"), code)


# --------------------------------------------------------------------------- contexts
class OpenSSLClientContext(_api.ClientContext):
    """Client connections built from one TLSConfiguration on one SSL.Context."""

    def __init__(self, configuration):
        self._configuration = configuration
        self._ctx = _shared_client_context(configuration)
        if configuration.validate_certificates and not HAS_NATIVE_HOSTNAME_CHECK:
            if _service_identity() is None:  # pragma: no cover - bindings without the symbols
                raise ConfigurationError(
                    "this pyOpenSSL cannot check host names; install service_identity")

    @property
    def configuration(self):
        """The TLSConfiguration this context was built from."""
        return self._configuration

    def wrap_buffers(self, server_hostname, session=None):
        """Create a client TLSWrappedBuffer for ``server_hostname``."""
        if server_hostname is None and self._configuration.validate_certificates:
            raise ConfigurationError("server_hostname is required when certificates are validated")
        conn = SSL.Connection(self._ctx, None)
        conn.set_connect_state()
        host = None
        if server_hostname is not None:
            host = parse_host(server_hostname)
            if not host[1]:
                conn.set_tlsext_host_name(host[0].encode("ascii"))
            if self._configuration.validate_certificates and HAS_NATIVE_HOSTNAME_CHECK:
                _expect_peer_name(conn, *host)
        if session is not None:
            self._check_session(session, host)
            conn.set_session(session.session)
        post_check = self._configuration.validate_certificates and not HAS_NATIVE_HOSTNAME_CHECK
        return _Buffer(self, conn, host, post_check)

    def _check_session(self, session, host):
        """Resume only with the same settings and host: a resumed handshake checks no names."""
        if not isinstance(session, OpenSSLSession) or session.ssl_context is not self._ctx:
            raise ConfigurationError("a session can only be resumed with the TLS "
                                     "configuration of the connection that made it")
        if session.host != host:
            raise ConfigurationError("a session for %r cannot be resumed with %r"
                                     % (session.host and session.host[0], host and host[0]))


def _expect_peer_name(conn, name, is_ip):
    """Make OpenSSL verify the peer's name (DNS or IP SAN) inside the handshake."""
    param = _lib.SSL_get0_param(conn._ssl)
    # Never the subject's Common Name (RFC 6125 section 6.4.4): subjectAltName only.
    _lib.X509_VERIFY_PARAM_set_hostflags(
        param, _lib.X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | _NEVER_CHECK_SUBJECT)
    if is_ip:
        address = name.split("%", 1)[0]  # an IPv6 zone is not part of the SAN
        packed = socket.inet_pton(socket.AF_INET6 if ":" in address else socket.AF_INET, address)
        ok = _lib.X509_VERIFY_PARAM_set1_ip(param, packed, len(packed))
    else:
        raw = name.encode("ascii")
        ok = _lib.X509_VERIFY_PARAM_set1_host(param, raw, len(raw))
    if ok != 1:
        raise ConfigurationError("OpenSSL refused the expected peer name %r" % (name,))


def _service_identity():
    try:
        import service_identity.pyopenssl
    except ImportError:
        return None
    return service_identity


def _copied(ssl_session):
    """A copy of an SSL.Session that outlives its connection's end, or None.

    OpenSSL marks a session not resumable when its connection is freed without a
    TLS shutdown, and connections are closed without one; CPython's ``ssl`` copies
    a session for the same reason. Without the bindings to copy one (2.7's
    cryptography), the session itself: it resumes until its connection is freed.
    """
    if ssl_session is None or not hasattr(_lib, "d2i_SSL_SESSION"):
        return ssl_session
    size = _lib.i2d_SSL_SESSION(ssl_session._session, _ffi.NULL)
    if size <= 0:
        return None
    der = _ffi.new("unsigned char[]", size)
    _lib.i2d_SSL_SESSION(ssl_session._session, _ffi.new("unsigned char **", der))
    raw = _lib.d2i_SSL_SESSION(_ffi.NULL, _ffi.new("const unsigned char **", der), size)
    if raw == _ffi.NULL:
        return None
    copy = SSL.Session.__new__(SSL.Session)
    copy._session = _ffi.gc(raw, _lib.SSL_SESSION_free)
    if hasattr(ssl_session, "_context"):  # (pyOpenSSL 23+ checks it in set_session)
        copy._context = ssl_session._context
    return copy


class OpenSSLSession(object):
    """A resumable session, bound to its SSL.Context (so the trust settings) and host."""

    __slots__ = ("session", "ssl_context", "host")

    def __init__(self, session, ssl_context, host):
        self.session = session
        self.ssl_context = ssl_context
        self.host = host


# Equal configurations share one SSL.Context: built once, and a session from
# one ClientContext resumes through another with the same (trust) settings.
_CLIENT_CONTEXTS = weakref.WeakValueDictionary()


def _shared_client_context(config):
    try:
        ctx = _CLIENT_CONTEXTS.get(config)
    except TypeError:  # an unhashable field (a list inside certificate_chain): no sharing
        return build(client_context, config)
    if ctx is None:
        ctx = _CLIENT_CONTEXTS[config] = build(client_context, config)
    return ctx


class OpenSSLServerContext(_api.ServerContext):
    """Server connections; ``sni_callback`` may switch to another configuration's chain."""

    def __init__(self, configuration):
        self._configuration = configuration
        callback = self._on_sni if configuration.sni_callback is not None else None
        self._ctx = build(lambda c: server_context(c, callback), configuration)
        self._by_config = {}

    @property
    def configuration(self):
        """The TLSConfiguration this context was built from."""
        return self._configuration

    def wrap_buffers(self):
        """Create a server TLSWrappedBuffer (in accept state)."""
        conn = SSL.Connection(self._ctx, None)
        conn.set_accept_state()
        buf = _Buffer(self, conn)
        conn.set_app_data(weakref.ref(buf))
        return buf

    def _context_for(self, config):
        """The SSL.Context for a configuration returned by the SNI callback (cached)."""
        ctx = self._by_config.get(config)
        if ctx is None:
            ctx = self._by_config[config] = build(server_context, config)
        return ctx

    def _on_sni(self, conn):
        buf = conn.get_app_data()()
        try:
            new = self._configuration.sni_callback(buf, _decode_sni(conn.get_servername()),
                                                   self._configuration)
            if not isinstance(new, TLSConfiguration):
                raise TypeError("sni_callback must return a TLSConfiguration, not %r" % (new,))
            if new != self._configuration:
                conn.set_context(self._context_for(new))
        except Exception as exc:  # noqa: BLE001 - reported by the handshake instead
            buf._sni_failure = exc
            conn.set_context(self._context_for(_REJECT_CONFIG))


# Has no certificate, so a handshake switched onto it fails with an alert.
_REJECT_CONFIG = TLSConfiguration(validate_certificates=False)


def _decode_sni(raw):
    """SNI bytes -> the U-label text PEP 543 hands to sni_callback (or None)."""
    if not raw:
        return None
    text = raw.decode("ascii", "replace")
    if "xn--" in text:
        try:
            import idna
            return idna.decode(text)
        except (ImportError, ValueError, UnicodeError):
            pass
    return text


# --------------------------------------------------------------------------- buffer
class _Buffer(_api.TLSWrappedBuffer):
    """One TLS connection over pyOpenSSL memory BIOs."""

    #: ``receive_from_network`` refuses data while this much ciphertext is unread.
    incoming_high_water = _api.DEFAULT_INCOMING_HIGH_WATER

    def __init__(self, context, conn, host=None, post_check=False):
        self._context = context
        self._conn = conn
        self._host = host  # (A-label or IP literal, is_ip) for clients
        self._post_check = post_check  # check the name after the handshake (service_identity)
        self._out = b""       # ciphertext taken from the BIO but not yet consumed
        self._out_pos = 0     # consumed prefix of self._out (no front-deletes)
        self._handshake_done = False
        self._clean_eof = False
        self._sni_failure = None

    # ---- network side
    def receive_from_network(self, data):
        """Queue ciphertext from the network (WantReadError, keeping nothing, when full)."""
        if not data:
            return
        buffered = self.incoming_bytes_buffered()
        if buffered and buffered + len(data) > self.incoming_high_water:
            raise WantReadError("incoming buffer is full (%d bytes): read plaintext first"
                                % buffered)
        self._conn.bio_write(data)

    def receive_eof(self):
        """Tell OpenSSL the transport ended; a missing close_notify becomes RaggedEOF."""
        self._conn.bio_shutdown()

    def peek_outgoing(self, amt):
        """Return up to ``amt`` bytes of ciphertext to send, without removing them."""
        have = len(self._out) - self._out_pos
        if have < amt:
            more = min(amt - have, _mem_pending(self._conn._from_ssl))
            if more > 0:
                self._out = self._out[self._out_pos:] + self._conn.bio_read(more)
                self._out_pos = 0
        return self._out[self._out_pos:self._out_pos + amt]

    def consume_outgoing(self, amt):
        """Drop ``amt`` bytes of outgoing ciphertext that were sent."""
        if amt > len(self._out) - self._out_pos:
            self.peek_outgoing(amt)
            if amt > len(self._out) - self._out_pos:
                raise ValueError("cannot consume %d bytes: fewer are buffered" % amt)
        self._out_pos += amt
        if self._out_pos == len(self._out):
            self._out, self._out_pos = b"", 0

    def incoming_bytes_buffered(self):
        """Bytes of received ciphertext OpenSSL has not processed yet."""
        return _mem_pending(self._conn._into_ssl)

    def outgoing_bytes_buffered(self):
        """Bytes of ciphertext waiting to be sent."""
        return len(self._out) - self._out_pos + _mem_pending(self._conn._from_ssl)

    # ---- TLS operations
    def do_handshake(self):
        """Run (or continue) the handshake, including the certificate and name checks."""
        try:
            self._conn.do_handshake()
        except SSL.Error as exc:
            raise self._error(exc)
        self._handshake_done = True
        if self._post_check:
            self._post_handshake_name_check()

    def read(self, amt):
        """Return up to ``amt`` plaintext bytes; ``b""`` after a clean close."""
        if self._clean_eof:
            return b""
        if not self._handshake_done:
            self.do_handshake()
        try:
            return self._conn.recv(amt)
        except SSL.ZeroReturnError:
            self._clean_eof = True
            return b""
        except SSL.Error as exc:
            raise self._error(exc)

    def readinto(self, buffer, amt):
        """Read up to ``amt`` bytes into ``buffer``; return the count (0 at clean EOF)."""
        if self._clean_eof:
            return 0
        if not self._handshake_done:
            self.do_handshake()
        try:
            return self._conn.recv_into(buffer, min(amt, len(buffer)))
        except SSL.ZeroReturnError:
            self._clean_eof = True
            return 0
        except SSL.Error as exc:
            raise self._error(exc)

    def write(self, buf):
        """Encrypt all of ``buf`` if possible; return how many bytes OpenSSL took.

        Partial-write mode makes each SSL_write take at most one record, and
        a memory BIO never blocks, so the only short outcome is a Want* after
        some records: those bytes are reported as written, never resent.
        """
        if not self._handshake_done:
            self.do_handshake()  # so the name check and the negotiated values are in place
        view = memoryview(buf)
        if view.ndim != 1 or view.itemsize != 1:
            view = view.cast("B")  # pragma: no cover - only 3.x has multi-byte views
        total, done = len(view), 0
        while done < total:
            try:
                done += self._conn.send(view[done:])
            except SSL.Error as exc:
                if done:
                    return done
                raise self._error(exc)
        return done

    def shutdown(self):
        """Queue a close_notify alert (once)."""
        if self._conn.get_shutdown() & SSL.SENT_SHUTDOWN:
            return
        try:
            self._conn.shutdown()
        except SSL.Error as exc:
            raise self._error(exc)

    # ---- what was negotiated
    @property
    def context(self):
        """The context that created this buffer."""
        return self._context

    def cipher(self):
        """The negotiated CipherSuite, or ``None``."""
        if not self._handshake_done:
            return None
        name = self._conn.get_cipher_name()
        return _api.cipher_from_openssl_name(name) if name else None

    def negotiated_protocol(self):
        """The ALPN result (NextProtocol or bytes), or ``None``."""
        return _api.protocol_from_bytes(self._conn.get_alpn_proto_negotiated() or None)

    @property
    def negotiated_tls_version(self):
        """The negotiated TLSVersion, ``None`` before the handshake."""
        if not self._handshake_done:
            return None
        try:
            return TLSVersion(self._conn.get_protocol_version_name())
        except ValueError:
            return None

    def getpeercert(self):
        """The peer's leaf certificate as DER bytes, or ``None``."""
        cert = self._conn.get_peer_certificate()
        return None if cert is None else crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)

    @property
    def session(self):
        """An OpenSSLSession to resume later (TLS 1.3: take it after the first read)."""
        if not self._handshake_done or isinstance(self._context, OpenSSLServerContext):
            return None
        ssl_session = _copied(self._conn.get_session())
        if ssl_session is None:
            return None
        return OpenSSLSession(ssl_session, self._context._ctx, self._host)

    @property
    def session_reused(self):
        """Whether the handshake resumed a session."""
        return bool(self._handshake_done and _lib.SSL_session_reused(self._conn._ssl))

    # ---- internals
    def _error(self, exc):
        """Translate a pyOpenSSL exception into httpkit's TLS errors (the ONE map)."""
        if isinstance(exc, SSL.WantReadError):
            return WantReadError("more ciphertext is needed")
        if isinstance(exc, SSL.WantWriteError):
            return WantWriteError("outgoing ciphertext must be sent first")
        if self._sni_failure is not None:
            return HandshakeError("sni_callback failed: %s" % (self._sni_failure,),
                                  reason="sni_callback")
        if isinstance(exc, SSL.ZeroReturnError):
            return (TLSError if self._handshake_done else HandshakeError)(
                "the peer closed the TLS connection", reason="closed")
        if isinstance(exc, SSL.SysCallError):
            return RaggedEOF("the transport closed without a TLS close_notify (%s)"
                             % (reason_text(exc),))
        return self._classify(reason_text(exc))

    def _classify(self, text):
        """Map OpenSSL's reason text (plus the verify result) to an error class."""
        lowered = text.lower()
        if "unexpected eof" in lowered:
            return RaggedEOF("the transport closed without a TLS close_notify (%s)" % text)
        code = _lib.SSL_get_verify_result(self._conn._ssl)
        if code != _X509_V_OK and "certificate verify failed" in lowered:
            return self._explain(_api.verification_error(code, _verify_message(code)))
        if any(r in lowered for r in _VERSION_REASONS):
            return ProtocolVersionError(text)
        alert = _alert_reason(lowered)
        if alert is not None or not self._handshake_done:
            return HandshakeError(text, reason=alert or "handshake_failure")
        return TLSError(text)

    def _explain(self, err):
        """Say so when a name mismatch comes from a certificate without subjectAltName."""
        if not isinstance(err, _errors.HostnameMismatchError) or self._host is None:
            return err
        # OpenSSL keeps the leaf only after a successful verification; OpenSSL 3
        # keeps the chain before it, older ones lose it (see keep_failed_leaf).
        chain = self._conn.get_peer_cert_chain()
        leaf = getattr(self._conn, "failed_leaf", None)
        if chain:
            leaf = crypto.dump_certificate(crypto.FILETYPE_ASN1, chain[0])
        if lacks_subject_alt_name(leaf):
            return no_san_error(self._host[0], err.verify_code)
        return err

    def _post_handshake_name_check(self):  # pragma: no cover - bindings without set1_host
        from service_identity import VerificationError
        from service_identity.pyopenssl import verify_hostname, verify_ip_address
        name, is_ip = self._host
        try:
            (verify_ip_address if is_ip else verify_hostname)(self._conn, name)
        except VerificationError as exc:
            raise _api.verification_error(62, "hostname mismatch: %s" % (exc,))


def _mem_pending(bio):
    """Bytes waiting in a memory BIO (BIO_get_mem_data with a NULL pointer)."""
    return int(_lib.BIO_get_mem_data(bio, _ffi.NULL))


BACKEND = _api.Backend(
    client_context=OpenSSLClientContext,
    server_context=OpenSSLServerContext,
    certificate=_api.Certificate,
    private_key=_api.PrivateKey,
    trust_store=_api.TrustStore,
    name="openssl",
)
