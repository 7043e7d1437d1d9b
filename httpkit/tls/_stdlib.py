"""The ``stdlib`` TLS backend (``ssl.MemoryBIO`` + ``SSLObject``) and the shared context builder.

Rules:
- :func:`build_ssl_context` is the ONE place that turns a TLSConfiguration
  into an ``ssl.SSLContext``; the ``socketpair`` backend uses it too. Each
  httpkit context builds its ``SSLContext`` once (loading certifi costs
  ~10 ms), never per connection.
- Every context: ``OP_NO_COMPRESSION``, and ``OP_IGNORE_UNEXPECTED_EOF``
  cleared (3.9 + OpenSSL 3 would otherwise report a truncated stream as a
  clean close). ALPN only; NPN is gone with OpenSSL 3.
- Versions: ``minimum_version``/``maximum_version`` on 3.x, ``OP_NO_*`` flags
  on 2.7. A requested version this OpenSSL cannot speak is a
  ConfigurationError. OpenSSL's security level may still refuse TLS < 1.2
  at handshake time; httpkit does not lower it behind the caller's back.
- Ciphers are best effort: ``set_ciphers`` governs TLS <= 1.2 only; the
  TLS 1.3 suites cannot be restricted through ``ssl``.
- Trust: ``None``/certifi -> certifi's bundle; system -> ``truststore``
  when importable (3.10+), else OpenSSL's default paths; file, directory
  or in-memory PEM otherwise; a union loads each of its stores into one
  context (a ``truststore`` one when the system's is among them).
  ``validate_certificates=False`` turns off the chain *and* the host name check.
- Host names reach OpenSSL as IDNA A-labels (see ``_hostname``). IP literals
  are passed as such: 3.7+ checks them against iPAddress SANs itself and
  CPython never sends an IP literal as SNI.
- Errors from ``ssl`` are mapped in ONE function, :func:`translate_error`.
- This buffer needs ``ssl.MemoryBIO`` (3.x): importing the module works on
  2.7, but the ``BACKEND`` attribute is missing there so the registry
  reports it unavailable (ImportError).
"""
from __future__ import absolute_import, division, print_function

import os
import ssl
import tempfile
import weakref

from .._compat import to_str
from . import _api, _errors
from ._api import (
    Certificate, ClientContext, ConfigurationError, HandshakeError, PrivateKey,
    ProtocolVersionError, RaggedEOF, ServerContext, TLSError, TLSVersion, TLSWrappedBuffer,
    TrustStore, WantReadError, WantWriteError,
)
from ._hostname import lacks_subject_alt_name, no_san_error, parse_host

__all__ = ["build_ssl_context", "translate_error", "StdlibClientContext",
           "StdlibServerContext", "StdlibBuffer"]

# --------------------------------------------------------------------------- context builder
_MODERN = hasattr(ssl, "PROTOCOL_TLS_CLIENT") and hasattr(ssl, "TLSVersion")

# Lowest first; used for the 2.7 OP_NO_* bit mask.
_VERSION_ORDER = (TLSVersion.SSLv2, TLSVersion.SSLv3, TLSVersion.TLSv1,
                  TLSVersion.TLSv1_1, TLSVersion.TLSv1_2, TLSVersion.TLSv1_3)


def build_ssl_context(configuration, server_side):
    """Build an ``ssl.SSLContext`` honouring ``configuration``.

    Args:
        configuration: the TLSConfiguration.
        server_side: True for a server context.
    Returns:
        The ``ssl.SSLContext`` (a ``truststore.SSLContext`` for system trust on 3.10+).
    Raises:
        ConfigurationError: the configuration cannot be honoured here.
    """
    ctx = _new_context(configuration, server_side)
    ctx.options |= ssl.OP_NO_COMPRESSION
    ctx.options &= ~getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)
    _set_versions(ctx, configuration)
    _set_ciphers(ctx, configuration.ciphers)
    _set_alpn(ctx, configuration.inner_protocols)
    _set_verification(ctx, configuration, server_side)
    if configuration.certificate_chain is not None:
        _load_chain(ctx, configuration.certificate_chain)
    return ctx


def _new_context(configuration, server_side):
    store = configuration.trust_store
    if not _MODERN:
        return ssl.SSLContext(ssl.PROTOCOL_SSLv23)
    if server_side:
        return ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    if store is not None and configuration.validate_certificates \
            and any(member.kind == "system" for member in store.members()):
        try:
            import truststore
        except ImportError:
            pass
        else:
            return truststore.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    return ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)


def _version_available(version):
    key = version.name
    return bool(getattr(ssl, "HAS_" + key, hasattr(ssl, "PROTOCOL_" + key)))


def _check_versions(configuration):
    low = configuration.lowest_supported_version
    high = configuration.highest_supported_version
    for version in (low, high):
        if version in _VERSION_ORDER and not _version_available(version):
            raise ConfigurationError("this OpenSSL cannot speak %s" % version.value)
    if low in _VERSION_ORDER and high in _VERSION_ORDER:
        if _VERSION_ORDER.index(low) > _VERSION_ORDER.index(high):
            raise ConfigurationError("lowest_supported_version is above highest_supported_version")
    return low, high


def _set_versions(ctx, configuration):
    low, high = _check_versions(configuration)
    if _MODERN:
        try:
            ctx.minimum_version = getattr(ssl.TLSVersion, low.name)
            ctx.maximum_version = getattr(ssl.TLSVersion, high.name)
        except (ValueError, AttributeError) as exc:
            raise ConfigurationError("cannot set TLS versions: %s" % (exc,))
        return
    lo = 0 if low not in _VERSION_ORDER else _VERSION_ORDER.index(low)
    hi = len(_VERSION_ORDER) - 1 if high not in _VERSION_ORDER else _VERSION_ORDER.index(high)
    for i, version in enumerate(_VERSION_ORDER):
        flag = getattr(ssl, "OP_NO_" + version.name, 0)
        if lo <= i <= hi:
            ctx.options &= ~flag
        else:
            ctx.options |= flag


def _set_ciphers(ctx, ciphers):
    tls12 = [_api.OPENSSL_CIPHER_NAMES.get(int(c)) for c in ciphers if int(c) >> 8 != 0x13]
    tls12 = [name for name in tls12 if name]
    if not tls12:
        if any(int(c) >> 8 == 0x13 for c in ciphers):
            return  # TLS 1.3 suites only: can't be restricted via ssl (best effort)
        raise ConfigurationError("none of the requested cipher suites is known")
    try:
        ctx.set_ciphers(":".join(tls12))
    except ssl.SSLError as exc:
        raise ConfigurationError("no requested cipher suite is available: %s" % (exc,))


def _set_alpn(ctx, protocols):
    if not protocols:
        return
    if not getattr(ssl, "HAS_ALPN", False):
        raise ConfigurationError("this ssl module has no ALPN")
    ctx.set_alpn_protocols([to_str(_api.protocol_bytes(p), "ascii") for p in protocols])


def _set_verification(ctx, configuration, server_side):
    store = configuration.trust_store
    if server_side:
        # A server asks for (and requires) client certificates only when
        # given roots to check them against.
        if store is not None and configuration.validate_certificates:
            _load_trust(ctx, store)
            ctx.verify_mode = ssl.CERT_REQUIRED
        else:
            ctx.verify_mode = ssl.CERT_NONE
        return
    if not configuration.validate_certificates:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
        return
    # 2.7: OpenSSL checks the chain in the handshake; the socketpair backend
    # checks names itself afterwards (2.7's check ignores IP SANs).
    ctx.verify_mode = ssl.CERT_REQUIRED
    ctx.check_hostname = _MODERN
    if _MODERN:
        # No Common Name fallback (RFC 6125 section 6.4.4): OpenSSL's
        # X509_CHECK_FLAG_NEVER_CHECK_SUBJECT; 3.9.3+ applies it on OpenSSL 1.1.1 and 3.
        ctx.hostname_checks_common_name = False
    _load_trust(ctx, store or TrustStore.certifi())


def _load_trust(ctx, store):
    for member in store.members():
        _load_one(ctx, member)


def _load_one(ctx, store):
    try:
        if store.kind == "certifi":
            ctx.load_verify_locations(cafile=store.certifi_path())
        elif store.kind == "system":
            if type(ctx) is ssl.SSLContext:  # truststore brings its own roots
                ctx.load_default_certs()
        elif store.kind == "file":
            ctx.load_verify_locations(cafile=store.path)
        elif store.kind == "directory":
            ctx.load_verify_locations(capath=store.path)
        else:
            _load_trust_buffer(ctx, store.buffer)
    except (ssl.SSLError, IOError, OSError) as exc:
        raise ConfigurationError("cannot load trust store %r: %s" % (store, exc))


def _load_trust_buffer(ctx, data):
    if b"-----BEGIN" in data:
        ctx.load_verify_locations(cadata=data.decode("ascii"))  # text = PEM
    else:
        ctx.load_verify_locations(cadata=data)  # bytes = DER


def _load_chain(ctx, chain):
    certs, key = chain
    if isinstance(certs, Certificate):
        certs = (certs,)
    paths = [_temp_file(b"".join(c.pem() for c in certs)), _temp_file(key.pem())]
    password = key.password()
    try:
        # Never let OpenSSL prompt on a terminal for an encrypted key.
        ctx.load_cert_chain(paths[0], paths[1], password=lambda: password or b"")
    except (ssl.SSLError, IOError, OSError, ValueError) as exc:
        raise ConfigurationError("cannot load certificate chain: %s" % (exc,))
    finally:
        for path in paths:
            os.remove(path)


def _temp_file(data):
    fd, path = tempfile.mkstemp(prefix="httpkit-", suffix=".pem")
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


# --------------------------------------------------------------------------- SNI (server)
def install_sni_callback(ctx, configuration, build):
    """Route the server's SNI to ``configuration.sni_callback`` (PEP 543 contract).

    ``build(config)`` returns the ``ssl.SSLContext`` for a returned config; the
    ssl object must carry ``_httpkit_buffer`` (a weakref to its buffer).
    """
    user_callback = configuration.sni_callback

    def callback(ssl_obj, server_name, _ssl_ctx):
        ref = getattr(ssl_obj, "_httpkit_buffer", None)
        name = _decode_idna(server_name) if server_name else None
        try:
            new_config = user_callback(ref() if ref else None, name, configuration)
            if not isinstance(new_config, _api.TLSConfiguration):
                return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
            if new_config != configuration:
                ssl_obj.context = build(new_config)
        except Exception:  # noqa: B902 - any failure must abort the handshake
            return ssl.ALERT_DESCRIPTION_INTERNAL_ERROR
        return None

    if hasattr(ctx, "sni_callback"):
        ctx.sni_callback = callback
    else:
        ctx.set_servername_callback(callback)


def _decode_idna(name):
    try:
        import idna
        return idna.decode(name)
    except Exception:  # noqa: B902 - a name idna rejects is passed through as sent
        return name


# --------------------------------------------------------------------------- errors
_VERSION_MARKERS = ("UNSUPPORTED_PROTOCOL", "ALERT_PROTOCOL_VERSION", "NO_PROTOCOLS_AVAILABLE",
                    "WRONG_VERSION_NUMBER", "UNSUPPORTED_SSL_VERSION", "VERSION_TOO_LOW",
                    "VERSION_TOO_HIGH")
_HANDSHAKE_MARKERS = ("ALERT", "HANDSHAKE_FAILURE", "NO_SHARED_CIPHER", "CERTIFICATE_REQUIRED",
                      "PEER_DID_NOT_RETURN_A_CERTIFICATE", "NO_SUITABLE", "NO_CIPHERS",
                      "NO_SHARED_SIGNATURE", "NO_APPLICATION_PROTOCOL")


def translate_error(exc):
    """Map one ``ssl`` exception to the httpkit TLSError to raise.

    ``SSLZeroReturnError`` (clean close) is the caller's business: it is not an error.
    """
    if isinstance(exc, ssl.SSLWantReadError):
        return WantReadError(str(exc))
    if isinstance(exc, ssl.SSLWantWriteError):
        return WantWriteError(str(exc))
    if getattr(exc, "verify_code", None) is not None:
        message = getattr(exc, "verify_message", None) or str(exc)
        return _api.verification_error(exc.verify_code, "%s: %s" % (message, exc))
    text = ("%s %s" % (getattr(exc, "reason", None) or "", exc)).upper().replace(" ", "_")
    if isinstance(exc, ssl.SSLEOFError) or "UNEXPECTED_EOF" in text:
        return RaggedEOF(str(exc))
    if "CERTIFICATE_VERIFY_FAILED" in text:
        return _api.CertificateVerificationError(str(exc))
    if any(marker in text for marker in _VERSION_MARKERS):
        return ProtocolVersionError(str(exc))
    if any(marker in text for marker in _HANDSHAKE_MARKERS):
        reason = _errors.alert_reason(str(exc)) \
            or (getattr(exc, "reason", None) or "handshake_failure").lower()
        return HandshakeError(str(exc), reason=reason)
    return TLSError(str(exc))


def explain_mismatch(err, ssl_obj, host):
    """Reword a HostnameMismatchError when the peer's certificate has no subjectAltName.

    OpenSSL only says "Hostname mismatch"; the leaf is read back from
    ``ssl_obj`` (an ``SSLObject`` or ``SSLSocket``) where this Python allows
    it after a failed verification (3.10+); on 3.9 the message only says
    that names are matched against subjectAltName. Other errors pass through.
    """
    if not isinstance(err, _errors.HostnameMismatchError):
        return err
    leaf = unverified_leaf(ssl_obj)
    if lacks_subject_alt_name(leaf):
        return no_san_error(host, err.verify_code)
    if leaf is None:  # 3.9: say what was checked
        explained = _errors.HostnameMismatchError(
            "%s (httpkit matches names against subjectAltName only, never the Common Name)"
            % (err,))
        explained.verify_code = err.verify_code
        return explained
    return err


def unverified_leaf(ssl_obj):
    """The peer's leaf certificate as DER, even after a failed verification; None if unknown.

    ``get_unverified_chain`` is public on 3.13; 3.10-3.12 have it on the C
    object only. 3.9 cannot tell.
    """
    for target in (ssl_obj, getattr(ssl_obj, "_sslobj", None)):
        getter = getattr(target, "get_unverified_chain", None)
        if getter is None:
            continue
        try:
            chain = getter()
            leaf = chain[0] if chain else None
            if leaf is None or isinstance(leaf, bytes):
                return leaf
            import _ssl
            return leaf.public_bytes(_ssl.ENCODING_DER)
        except Exception:  # noqa: B902 - a best-effort explanation, never fatal
            return None
    return None


def tls_version(text):
    """``ssl``'s version string -> TLSVersion (``None`` if unknown)."""
    try:
        return TLSVersion(text)
    except ValueError:
        return None


def cipher_suite(ssl_context, name):
    """An OpenSSL suite name -> CipherSuite, raw int, or ``None``."""
    suite = _api.cipher_from_openssl_name(name)
    if suite is not None or not hasattr(ssl_context, "get_ciphers"):
        return suite
    for info in ssl_context.get_ciphers():
        if info.get("name") == name and "id" in info:
            return _api.cipher_from_id(info["id"] & 0xFFFF)
    return None


# --------------------------------------------------------------------------- contexts
class _StdlibContext(object):
    _server_side = False

    def __init__(self, configuration):
        self._configuration = configuration
        self._ssl_context = self._build(configuration)
        self._sni_contexts = {}

    def _build(self, configuration):
        ctx = build_ssl_context(configuration, self._server_side)
        if self._server_side and configuration.sni_callback is not None:
            install_sni_callback(ctx, configuration, self._sni_context)
        return ctx

    def _sni_context(self, configuration):
        if configuration not in self._sni_contexts:
            self._sni_contexts[configuration] = build_ssl_context(configuration, True)
        return self._sni_contexts[configuration]

    @property
    def configuration(self):
        """The TLSConfiguration this context was built from."""
        return self._configuration

    @property
    def ssl_context(self):
        """The underlying ``ssl.SSLContext`` (shared by every buffer of this context)."""
        return self._ssl_context


def client_hostname(configuration, server_hostname):
    """The name to hand to ``ssl`` (A-label or IP literal), or ``None``.

    Raises:
        ConfigurationError: no name while validation is on.
    """
    if server_hostname is None:
        if configuration.validate_certificates:
            raise ConfigurationError("server_hostname is required when validating certificates")
        return None
    return parse_host(server_hostname)[0]


class StdlibClientContext(_StdlibContext, ClientContext):
    """Client connections over ``ssl.MemoryBIO`` (see module doc)."""

    def wrap_buffers(self, server_hostname, session=None):
        """Create a client StdlibBuffer for ``server_hostname`` (text or IP literal)."""
        name = client_hostname(self._configuration, server_hostname)
        return StdlibBuffer(self, self._ssl_context, False, name, session)


class StdlibServerContext(_StdlibContext, ServerContext):
    """Server connections over ``ssl.MemoryBIO`` (used by tests and tools)."""

    _server_side = True

    def wrap_buffers(self):
        """Create a server StdlibBuffer."""
        return StdlibBuffer(self, self._ssl_context, True)


# --------------------------------------------------------------------------- buffer
class StdlibBuffer(TLSWrappedBuffer):
    """One TLS connection over two ``ssl.MemoryBIO`` objects.

    ``incoming_high_water`` bounds unprocessed ciphertext (see
    :meth:`receive_from_network`).
    """

    incoming_high_water = _api.DEFAULT_INCOMING_HIGH_WATER

    def __init__(self, context, ssl_context, server_side, server_hostname=None, session=None):
        self._context = context
        self._incoming = ssl.MemoryBIO()
        self._outgoing = ssl.MemoryBIO()
        kwargs = {"server_side": server_side, "server_hostname": server_hostname}
        if session is not None:
            kwargs["session"] = session
        self._obj = ssl_context.wrap_bio(self._incoming, self._outgoing, **kwargs)
        self._obj._httpkit_buffer = weakref.ref(self)
        self._ssl_context = ssl_context
        self._server_hostname = server_hostname
        self._pending = b""   # outgoing ciphertext already taken out of the BIO
        self._offset = 0      # ... of which this much was consumed
        self._handshake_done = False
        self._eof = False     # the peer's close_notify was seen

    def _call(self, method, *args):
        try:
            return method(*args)
        except ssl.SSLError as exc:
            return self._failed(exc)

    def _failed(self, exc):
        """What a failed ``ssl`` call means: None after the peer's close_notify, else raise."""
        if isinstance(exc, ssl.SSLZeroReturnError):
            self._eof = True
            return None
        raise explain_mismatch(translate_error(exc), self._obj, self._server_hostname)

    #: ``read`` decrypts every whole record already received (up to ``amt``).
    reads_all_records = True

    def read(self, amt):
        """Return up to ``amt`` plaintext bytes; ``b""`` once the peer closed cleanly.

        One ``SSLObject.read`` returns one TLS record (16 KiB at most): the
        records already received are decrypted here, in one call, so a
        caller asking for 64 KiB gets it without a Python round per record.
        """
        if self._eof:
            return b""
        try:  # (not through _call: this runs for every response)
            data = self._obj.read(amt)
        except ssl.SSLError as exc:
            data = self._failed(exc)
            if data is None:
                return b""
        if len(data) < amt and self._incoming.pending:
            return self._read_records(data, amt)
        return data

    def _read_records(self, first, amt):
        """``first`` and the plaintext of the next records received, up to ``amt`` in all.

        Stops at a record not wholly received (WantRead) and leaves any error
        for the next call, which raises it.
        """
        read = self._obj.read
        incoming = self._incoming
        parts = [first]
        total = len(first)
        try:
            while total < amt and incoming.pending:
                more = read(amt - total)
                if not more:
                    break
                parts.append(more)
                total += len(more)
        except ssl.SSLError:
            pass
        return b"".join(parts)

    def readinto(self, buffer, amt):
        """Read up to ``amt`` bytes into ``buffer``; return the count (0 at clean EOF)."""
        if self._eof:
            return 0
        return self._call(self._obj.read, min(amt, len(buffer)), buffer) or 0

    def write(self, buf):
        """Encrypt ``buf`` into the outgoing buffer; return the bytes taken."""
        try:  # (not through _call: this runs for every request)
            return self._obj.write(buf)
        except ssl.SSLError as exc:
            return self._failed(exc)

    def do_handshake(self):
        """Run (or continue) the handshake, including certificate and name checks."""
        self._call(self._obj.do_handshake)
        self._handshake_done = True

    def shutdown(self):
        """Queue a close_notify; does not wait for the peer's (WantRead is swallowed)."""
        try:
            self._call(self._obj.unwrap)
        except WantReadError:
            pass

    def receive_from_network(self, data):
        """Queue received ciphertext; WantReadError (keeping nothing) over the high-water mark."""
        pending = self._incoming.pending
        if pending and pending + len(data) > self.incoming_high_water:
            raise WantReadError("incoming buffer over its high-water mark; read first")
        self._incoming.write(data)

    def receive_eof(self):
        """Tell the buffer the transport ended (so a missing close_notify is RaggedEOF)."""
        self._incoming.write_eof()

    def peek_outgoing(self, amt):
        """Return up to ``amt`` bytes of ciphertext to send, without removing them."""
        if len(self._pending) - self._offset < amt and self._outgoing.pending:
            self._pending = self._pending[self._offset:] + self._outgoing.read()
            self._offset = 0
        return self._pending[self._offset:self._offset + amt]

    def consume_outgoing(self, amt):
        """Drop ``amt`` bytes of outgoing ciphertext that were sent."""
        if len(self._pending) - self._offset < amt:
            self.peek_outgoing(amt)
        self._offset = min(self._offset + amt, len(self._pending))
        if self._offset == len(self._pending):
            self._pending, self._offset = b"", 0

    def process_outgoing(self, amt):
        """Take (and remove) up to ``amt`` bytes of outgoing ciphertext (PEP 748)."""
        if self._offset == len(self._pending):
            return self._outgoing.read(amt)
        data = self.peek_outgoing(amt)
        self.consume_outgoing(len(data))
        return data

    def incoming_bytes_buffered(self):
        """Bytes of received ciphertext not yet processed."""
        return self._incoming.pending

    def outgoing_bytes_buffered(self):
        """Bytes of ciphertext waiting to be sent."""
        return len(self._pending) - self._offset + self._outgoing.pending

    def cipher(self):
        """The negotiated CipherSuite (or raw int), ``None`` before the handshake."""
        info = self._obj.cipher() if self._handshake_done else None
        return cipher_suite(self._ssl_context, info[0]) if info else None

    def negotiated_protocol(self):
        """The ALPN result (NextProtocol or bytes), or ``None``."""
        if not self._handshake_done:
            return None
        return _api.protocol_from_bytes(self._obj.selected_alpn_protocol())

    @property
    def negotiated_tls_version(self):
        """The negotiated TLSVersion, ``None`` before the handshake."""
        return tls_version(self._obj.version()) if self._handshake_done else None

    @property
    def context(self):
        """The httpkit context that created this buffer."""
        return self._context

    def getpeercert(self):
        """The peer's leaf certificate as DER bytes, or ``None``."""
        return self._obj.getpeercert(True) if self._handshake_done else None

    @property
    def session(self):
        """The SSLSession to resume (under TLS 1.3 take it after the first read), or
        ``None`` when the server gave nothing to resume with: no ticket, and under
        TLS 1.3 (tickets only) or TLS 1.2 without a session id."""
        session = self._obj.session
        if session is None or session.has_ticket \
                or (session.id and self._obj.version() != "TLSv1.3"):
            return session
        return None

    @property
    def session_reused(self):
        """Whether this handshake resumed a session."""
        return bool(self._obj.session_reused)


if hasattr(ssl, "MemoryBIO"):
    BACKEND = _api.Backend(
        client_context=StdlibClientContext, server_context=StdlibServerContext,
        certificate=Certificate, private_key=PrivateKey, trust_store=TrustStore, name="stdlib")
