"""The PEP 543 "Unified TLS API" surface, shared by every backend.

Rules:
- Nothing here touches a socket or the ``ssl`` module: these are the
  abstract contexts and buffers, the immutable configuration, the enums, the
  errors (defined in :mod:`._errors`, re-exported here) and the
  certificate/key/trust *holders* every backend interprets.
- Names follow PEP 543; PEP 748 names are aliases where they are cheap
  (``TLSBuffer``, ``process_incoming``, ``process_outgoing``,
  ``incoming_bytes_buffered``, ``getpeercert``, ``ConfigurationError``...).
- Where both PEPs leave a hole httpkit fills it, and says so:
  ``receive_eof()`` (transport EOF, so truncation is detectable),
  ``session``/``session_reused`` (resumption), a high-water mark on
  ``receive_from_network`` and a default floor of TLS 1.2.
"""
from __future__ import absolute_import, division, print_function

import abc
import collections
import io
from enum import Enum, IntEnum

from .._compat import binary_type, text_type
from ._errors import (  # noqa: F401 - part of this module's API
    VERIFY_CODE_ERRORS, CertificateExpiredError, CertificateVerificationError,
    ConfigurationError, HandshakeError, HostnameMismatchError, ProtocolVersionError, RaggedEOF,
    SelfSignedCertificateError, TLSError, UnknownCAError, WantReadError, WantWriteError,
    verification_error,
)

__all__ = [
    "TLSConfiguration", "ClientContext", "ServerContext", "TLSWrappedBuffer",
    "Backend", "TLSVersion", "CipherSuite", "NextProtocol", "TrustStore",
    "Certificate", "PrivateKey", "TLSError", "WantReadError", "WantWriteError",
    "RaggedEOF", "ConfigurationError", "CertificateVerificationError",
    "UnknownCAError", "CertificateExpiredError", "HostnameMismatchError",
    "SelfSignedCertificateError", "HandshakeError", "ProtocolVersionError",
    "DEFAULT_CIPHER_LIST", "DEFAULT_INCOMING_HIGH_WATER",
]

_ABC = abc.ABCMeta("_ABC", (object,), {"__slots__": ()})


# --------------------------------------------------------------------------- enums
class TLSVersion(Enum):
    """TLS protocol versions (values match ``ssl.SSLSocket.version()``)."""

    MINIMUM_SUPPORTED = "MINIMUM_SUPPORTED"
    SSLv2 = "SSLv2"
    SSLv3 = "SSLv3"
    TLSv1 = "TLSv1"
    TLSv1_1 = "TLSv1.1"
    TLSv1_2 = "TLSv1.2"
    TLSv1_3 = "TLSv1.3"
    MAXIMUM_SUPPORTED = "MAXIMUM_SUPPORTED"


class NextProtocol(Enum):
    """Protocols negotiable with ALPN (PEP 543's list; raw bytes also accepted)."""

    H2 = b"h2"
    H2C = b"h2c"
    HTTP1 = b"http/1.1"
    WEBRTC = b"webrtc"
    C_WEBRTC = b"c-webrtc"
    FTP = b"ftp"
    STUN = b"stun.nat-discovery"
    TURN = b"stun.turn"


# (IANA name, IANA id, OpenSSL name). TLS 1.3 names are the IANA names.
# Only suites a modern OpenSSL can still negotiate are listed; any 16-bit id
# is accepted wherever a CipherSuite is (PEP 543 rule).
_CIPHER_TABLE = (
    ("TLS_AES_128_GCM_SHA256", 0x1301, "TLS_AES_128_GCM_SHA256"),
    ("TLS_AES_256_GCM_SHA384", 0x1302, "TLS_AES_256_GCM_SHA384"),
    ("TLS_CHACHA20_POLY1305_SHA256", 0x1303, "TLS_CHACHA20_POLY1305_SHA256"),
    ("TLS_AES_128_CCM_SHA256", 0x1304, "TLS_AES_128_CCM_SHA256"),
    ("TLS_AES_128_CCM_8_SHA256", 0x1305, "TLS_AES_128_CCM_8_SHA256"),
    ("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", 0xC02B, "ECDHE-ECDSA-AES128-GCM-SHA256"),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0xC02C, "ECDHE-ECDSA-AES256-GCM-SHA384"),
    ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", 0xC02F, "ECDHE-RSA-AES128-GCM-SHA256"),
    ("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", 0xC030, "ECDHE-RSA-AES256-GCM-SHA384"),
    ("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA8, "ECDHE-RSA-CHACHA20-POLY1305"),
    ("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCA9, "ECDHE-ECDSA-CHACHA20-POLY1305"),
    ("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", 0x009E, "DHE-RSA-AES128-GCM-SHA256"),
    ("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", 0x009F, "DHE-RSA-AES256-GCM-SHA384"),
    ("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", 0xCCAA, "DHE-RSA-CHACHA20-POLY1305"),
    ("TLS_ECDHE_ECDSA_WITH_AES_128_CCM", 0xC0AC, "ECDHE-ECDSA-AES128-CCM"),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_CCM", 0xC0AD, "ECDHE-ECDSA-AES256-CCM"),
    ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 0xC023, "ECDHE-ECDSA-AES128-SHA256"),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0xC024, "ECDHE-ECDSA-AES256-SHA384"),
    ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 0xC027, "ECDHE-RSA-AES128-SHA256"),
    ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 0xC028, "ECDHE-RSA-AES256-SHA384"),
    ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 0xC009, "ECDHE-ECDSA-AES128-SHA"),
    ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 0xC00A, "ECDHE-ECDSA-AES256-SHA"),
    ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 0xC013, "ECDHE-RSA-AES128-SHA"),
    ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 0xC014, "ECDHE-RSA-AES256-SHA"),
    ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA256", 0x0067, "DHE-RSA-AES128-SHA256"),
    ("TLS_DHE_RSA_WITH_AES_256_CBC_SHA256", 0x006B, "DHE-RSA-AES256-SHA256"),
    ("TLS_DHE_RSA_WITH_AES_128_CBC_SHA", 0x0033, "DHE-RSA-AES128-SHA"),
    ("TLS_DHE_RSA_WITH_AES_256_CBC_SHA", 0x0039, "DHE-RSA-AES256-SHA"),
    ("TLS_RSA_WITH_AES_128_GCM_SHA256", 0x009C, "AES128-GCM-SHA256"),
    ("TLS_RSA_WITH_AES_256_GCM_SHA384", 0x009D, "AES256-GCM-SHA384"),
    ("TLS_RSA_WITH_AES_128_CBC_SHA256", 0x003C, "AES128-SHA256"),
    ("TLS_RSA_WITH_AES_256_CBC_SHA256", 0x003D, "AES256-SHA256"),
    ("TLS_RSA_WITH_AES_128_CBC_SHA", 0x002F, "AES128-SHA"),
    ("TLS_RSA_WITH_AES_256_CBC_SHA", 0x0035, "AES256-SHA"),
)

CipherSuite = IntEnum("CipherSuite", [(name, ident) for name, ident, _ in _CIPHER_TABLE])
CipherSuite.__doc__ = "IANA cipher suites by their 16-bit id (any int is accepted too)."

#: OpenSSL's name for each suite id, and back.
OPENSSL_CIPHER_NAMES = dict((ident, ossl) for _, ident, ossl in _CIPHER_TABLE)
CIPHER_IDS_BY_OPENSSL_NAME = dict((ossl, ident) for _, ident, ossl in _CIPHER_TABLE)

#: TLS 1.2 suites offered when ``ciphers`` is ``None``: forward secret AEAD only.
DEFAULT_CIPHER_LIST = (
    CipherSuite.TLS_AES_256_GCM_SHA384,
    CipherSuite.TLS_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
)


def cipher_from_id(ident):
    """Return the CipherSuite for ``ident``, or the raw int if it has no name."""
    try:
        return CipherSuite(ident)
    except ValueError:
        return ident


def cipher_from_openssl_name(name):
    """Map an OpenSSL suite name to a CipherSuite (or ``None`` if unknown)."""
    ident = CIPHER_IDS_BY_OPENSSL_NAME.get(name)
    return None if ident is None else cipher_from_id(ident)


def protocol_from_bytes(proto):
    """Map a negotiated ALPN value to NextProtocol, or leave unknown bytes as bytes."""
    if proto is None:
        return None
    if isinstance(proto, text_type):
        proto = proto.encode("ascii")
    try:
        return NextProtocol(proto)
    except ValueError:
        return proto


def protocol_bytes(proto):
    """The wire form of a NextProtocol member or raw bytes/str."""
    if isinstance(proto, NextProtocol):
        return proto.value
    if isinstance(proto, text_type):
        return proto.encode("ascii")
    return proto


# --------------------------------------------------------------------------- holders
def _read_file(path):
    with io.open(path, "rb") as f:
        return f.read()


class Certificate(object):
    """An X.509 certificate (PEM or DER), held as bytes or as a path.

    Opaque to callers; each backend loads it its own way. Hashable.
    """

    __slots__ = ("_buffer", "_path")

    def __init__(self, buffer=None, path=None):
        if (buffer is None) == (path is None):
            raise ValueError("give exactly one of buffer= or path=")
        self._buffer = buffer
        self._path = path

    @classmethod
    def from_buffer(cls, buffer):
        """Create a Certificate from PEM (with its preamble) or DER bytes."""
        return cls(buffer=bytes(buffer))

    @classmethod
    def from_file(cls, path):
        """Create a Certificate from a PEM or DER file."""
        return cls(path=path)

    @property
    def path(self):
        """The file it was loaded from, or ``None``."""
        return self._path

    def pem(self):
        """Return the certificate as PEM bytes."""
        data = self._buffer if self._buffer is not None else _read_file(self._path)
        if b"-----BEGIN" in data:
            return data
        return der_to_pem(data)

    def __eq__(self, other):
        return (type(other) is type(self)
                and (self._buffer, self._path) == (other._buffer, other._path))

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash((self._buffer, self._path))

    def __repr__(self):
        where = self._path if self._path else "<%d bytes>" % len(self._buffer)
        return "<%s %s>" % (type(self).__name__, where)


class PrivateKey(Certificate):
    """A private key (PEM or DER), optionally encrypted.

    ``password`` is bytes, text, or a zero-argument callable returning them;
    it is used only when the key is encrypted (PEP 543 keeps it; PEP 748 does not).
    """

    __slots__ = ("_password",)

    def __init__(self, buffer=None, path=None, password=None):
        super(PrivateKey, self).__init__(buffer=buffer, path=path)
        self._password = password

    @classmethod
    def from_buffer(cls, buffer, password=None):
        """Create a PrivateKey from PEM or DER bytes."""
        return cls(buffer=bytes(buffer), password=password)

    @classmethod
    def from_file(cls, path, password=None):
        """Create a PrivateKey from a PEM or DER file."""
        return cls(path=path, password=password)

    def password(self):
        """Return the password as bytes, or ``None``."""
        pw = self._password() if callable(self._password) else self._password
        if isinstance(pw, text_type):
            pw = pw.encode("utf-8")
        return None if pw is None else binary_type(pw)

    def pem(self):
        """Return the key as PEM bytes (still encrypted if it was)."""
        data = self._buffer if self._buffer is not None else _read_file(self._path)
        if b"-----BEGIN" in data:
            return data
        return der_to_pem(data, b"PRIVATE KEY")

    def __repr__(self):
        return "<PrivateKey %s>" % (self._path or "<%d bytes>" % len(self._buffer))


class TrustStore(object):
    """Where trusted roots come from.

    - ``TrustStore.system()``: the operating system's store (truststore on
      3.10+ when installed, else OpenSSL's default paths).
    - ``TrustStore.certifi()``: Mozilla's bundle from certifi (httpkit's default).
    - ``TrustStore.from_file(path)``: a PEM file, or a directory hashed with
      ``c_rehash``/``openssl rehash`` (``from_pem_file`` is the PEP 543 name).
    - ``TrustStore.from_buffer(pem_bytes)``: roots given in memory.
    - ``TrustStore.union(*stores)``: every root of several stores, e.g. the
      system's and certifi's (what pip trusts).
    """

    __slots__ = ("kind", "path", "buffer", "stores")

    def __init__(self, kind, path=None, buffer=None, stores=()):
        if kind not in ("system", "certifi", "file", "directory", "buffer", "union"):
            raise ValueError("unknown trust store kind %r" % (kind,))
        self.kind = kind
        self.path = path
        self.buffer = buffer
        self.stores = tuple(stores)  # kind "union" only: the stores it combines

    @classmethod
    def system(cls):
        """The operating system's trust store."""
        return cls("system")

    @classmethod
    def certifi(cls):
        """The certifi CA bundle (httpkit's default)."""
        return cls("certifi")

    @classmethod
    def from_file(cls, path):
        """A PEM bundle file or a hashed directory of certificates."""
        import os.path
        return cls("directory" if os.path.isdir(path) else "file", path=path)

    from_pem_file = from_file

    @classmethod
    def from_buffer(cls, buffer):
        """Roots given as PEM bytes."""
        return cls("buffer", buffer=bytes(buffer))

    @classmethod
    def union(cls, *stores):
        """Trust the roots of every one of ``stores``.

        ``TrustStore.union(TrustStore.system(), TrustStore.certifi())`` trusts
        the operating system's store (through truststore where installed) and
        certifi's bundle: a server is accepted if either knows its CA. Unions
        given are flattened.

        Args:
            stores: TrustStore objects (at least one).
        Returns:
            A TrustStore of kind ``"union"`` (its ``stores`` attribute lists them).
        Raises:
            ValueError: no store, or something that is not a TrustStore.

        .. versionadded:: 0.1
        """
        flat = []
        for store in stores:
            if not isinstance(store, TrustStore):
                raise ValueError("TrustStore.union takes TrustStore objects, not %r" % (store,))
            flat.extend(store.stores if store.kind == "union" else (store,))
        if not flat:
            raise ValueError("TrustStore.union needs at least one store")
        return cls("union", stores=flat)

    def members(self):
        """The stores whose roots this one trusts: its ``stores`` for a union, else itself."""
        return self.stores if self.kind == "union" else (self,)

    def certifi_path(self):
        """Path of the PEM file to load for kind ``certifi``."""
        import certifi
        return certifi.where()

    def _key(self):
        return (self.kind, self.path, self.buffer, self.stores)

    def __eq__(self, other):
        return type(other) is type(self) and self._key() == other._key()

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return hash(self._key())

    def __repr__(self):
        if self.kind == "union":
            return "<TrustStore union of %s>" % ", ".join(repr(s) for s in self.stores)
        return "<TrustStore %s%s>" % (self.kind, " " + self.path if self.path else "")


def der_to_pem(der, label=b"CERTIFICATE"):
    """Wrap DER bytes in PEM armour."""
    import base64
    body = base64.b64encode(der)
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return (b"-----BEGIN " + label + b"-----\n" + b"\n".join(lines)
            + b"\n-----END " + label + b"-----\n")


# --------------------------------------------------------------------------- configuration
_UNSET = object()

_CONFIG_FIELDS = (
    "validate_certificates", "certificate_chain", "ciphers", "inner_protocols",
    "lowest_supported_version", "highest_supported_version", "trust_store",
    "sni_callback",
)


class TLSConfiguration(collections.namedtuple("TLSConfiguration", _CONFIG_FIELDS)):
    """Immutable, hashable TLS settings (PEP 543).

    Args:
        validate_certificates: check the peer's chain *and* host name (default True).
        certificate_chain: ``((Certificate, ...), PrivateKey)``, leaf first: our
            own identity (client certificates, or a server's certificate).
        ciphers: CipherSuite members or ints, preferred first; ``None`` means
            DEFAULT_CIPHER_LIST. Stdlib backends cannot restrict TLS 1.3 suites.
        inner_protocols: ALPN protocols to offer, preferred first.
        lowest_supported_version: floor; default ``TLSVersion.TLSv1_2``
            (PEP 543 said TLSv1; httpkit will not negotiate below 1.2 by default).
        highest_supported_version: ceiling; default MAXIMUM_SUPPORTED.
        trust_store: TrustStore for validating the peer; ``None`` means certifi.
        sni_callback: server side only, ``(buffer, server_name, config) ->
            TLSConfiguration``; ignored by clients.
    """

    __slots__ = ()

    def __new__(cls, validate_certificates=None, certificate_chain=None, ciphers=None,
                inner_protocols=None, lowest_supported_version=None,
                highest_supported_version=None, trust_store=None, sni_callback=None):
        if validate_certificates is None:
            validate_certificates = True
        if ciphers is None:
            ciphers = DEFAULT_CIPHER_LIST
        if inner_protocols is None:
            inner_protocols = ()
        if lowest_supported_version is None:
            lowest_supported_version = TLSVersion.TLSv1_2
        if highest_supported_version is None:
            highest_supported_version = TLSVersion.MAXIMUM_SUPPORTED
        return super(TLSConfiguration, cls).__new__(
            cls, bool(validate_certificates), certificate_chain, tuple(ciphers),
            tuple(inner_protocols), lowest_supported_version,
            highest_supported_version, trust_store, sni_callback)

    def update(self, validate_certificates=_UNSET, certificate_chain=_UNSET, ciphers=_UNSET,
               inner_protocols=_UNSET, lowest_supported_version=_UNSET,
               highest_supported_version=_UNSET, trust_store=_UNSET, sni_callback=_UNSET):
        """Return a copy with the given fields replaced."""
        given = locals()
        values = dict((f, getattr(self, f) if given[f] is _UNSET else given[f])
                      for f in _CONFIG_FIELDS)
        return type(self)(**values)


# --------------------------------------------------------------------------- contexts
class _BaseContext(_ABC):
    """Holds a TLSConfiguration and whatever the backend built from it."""

    @abc.abstractmethod
    def __init__(self, configuration):
        """Build the context from a TLSConfiguration."""

    @abc.abstractproperty
    def configuration(self):
        """The TLSConfiguration this context was built from."""


class ClientContext(_BaseContext):
    """A factory of client-side TLS connections."""

    def wrap_socket(self, socket, server_hostname):
        """Wrap a connected stream socket; the socket must not be used directly after.

        ``server_hostname`` is text (IDNA-encoded for SNI and checks by httpkit)
        or ``None`` to send no SNI and skip the host name check.
        """
        from ._socket import TLSWrappedSocket
        return TLSWrappedSocket(socket, self.wrap_buffers(server_hostname))

    @abc.abstractmethod
    def wrap_buffers(self, server_hostname, session=None):
        """Create an in-memory TLS client endpoint (a TLSWrappedBuffer).

        Args:
            server_hostname: host name (text; U-labels are IDNA-encoded) or IP
                literal; ``None`` only with validation off.
            session: a session from an earlier buffer's ``session`` to resume.
        """

    def create_buffer(self, server_hostname):
        """PEP 748 name for :meth:`wrap_buffers`."""
        return self.wrap_buffers(server_hostname)


class ServerContext(_BaseContext):
    """A factory of server-side TLS connections (used by httpkit's tests and tools)."""

    def wrap_socket(self, socket):
        """Wrap an accepted stream socket."""
        from ._socket import TLSWrappedSocket
        return TLSWrappedSocket(socket, self.wrap_buffers())

    @abc.abstractmethod
    def wrap_buffers(self):
        """Create an in-memory TLS server endpoint (a TLSWrappedBuffer)."""

    def create_buffer(self):
        """PEP 748 name for :meth:`wrap_buffers`."""
        return self.wrap_buffers()


#: ``receive_from_network`` refuses more than this much unread ciphertext.
DEFAULT_INCOMING_HIGH_WATER = 4 * 1024 * 1024


class TLSWrappedBuffer(_ABC):
    """One TLS connection as a pair of byte buffers (PEP 543), no I/O.

    Feed ciphertext from the network with :meth:`receive_from_network` (and
    :meth:`receive_eof` when the transport ends); take ciphertext to send with
    :meth:`peek_outgoing`/:meth:`consume_outgoing`. Plaintext goes through
    :meth:`read`/:meth:`write`. Any call may raise WantReadError (feed more
    ciphertext, after sending what is pending) or, rarely, WantWriteError.
    """

    #: True when :meth:`read` already returns every whole record received
    #: (up to ``amt``), so a caller wanting more need not call it again
    #: until more ciphertext arrives.
    reads_all_records = False

    @abc.abstractmethod
    def read(self, amt):
        """Return up to ``amt`` plaintext bytes; ``b""`` once the peer closed cleanly.

        Raises:
            WantReadError: more ciphertext is needed.
            RaggedEOF: the transport ended without close_notify.
        """

    def readinto(self, buffer, amt):
        """Read up to ``amt`` bytes into ``buffer``; return the count (0 at clean EOF)."""
        data = self.read(min(amt, len(buffer)))
        buffer[:len(data)] = data
        return len(data)

    @abc.abstractmethod
    def write(self, buf):
        """Encrypt ``buf``; return how many bytes were taken (retry with the same object)."""

    @abc.abstractmethod
    def do_handshake(self):
        """Run (or continue) the handshake, including certificate checks.

        Raises:
            WantReadError: feed more ciphertext (after sending what is pending).
            CertificateVerificationError: the peer is not trusted (or a
                subclass of it).
            HandshakeError, ProtocolVersionError: no agreement was possible.
        """

    @abc.abstractmethod
    def cipher(self):
        """The negotiated CipherSuite (or raw int), ``None`` before the handshake."""

    @abc.abstractmethod
    def negotiated_protocol(self):
        """The ALPN result (NextProtocol or bytes), or ``None``."""

    @abc.abstractproperty
    def context(self):
        """The context that created this buffer."""

    @abc.abstractproperty
    def negotiated_tls_version(self):
        """The negotiated TLSVersion, ``None`` before the handshake."""

    @abc.abstractmethod
    def shutdown(self):
        """Queue a close_notify alert (clean TLS close)."""

    @abc.abstractmethod
    def receive_from_network(self, data):
        """Queue ciphertext that arrived from the network.

        Raises:
            WantReadError: over the high-water mark; nothing was kept: read
                plaintext first (httpkit's reading of the PEP 543 draft rule).
        """

    @abc.abstractmethod
    def receive_eof(self):
        """Tell the buffer the transport ended (not in either PEP; see module doc)."""

    @abc.abstractmethod
    def peek_outgoing(self, amt):
        """Return up to ``amt`` bytes of ciphertext to send, without removing them."""

    @abc.abstractmethod
    def consume_outgoing(self, amt):
        """Drop ``amt`` bytes of outgoing ciphertext that were sent."""

    @abc.abstractmethod
    def incoming_bytes_buffered(self):
        """Bytes of received ciphertext not yet processed (PEP 748)."""

    @abc.abstractmethod
    def outgoing_bytes_buffered(self):
        """Bytes of ciphertext waiting to be sent (PEP 748)."""

    @abc.abstractmethod
    def getpeercert(self):
        """The peer's leaf certificate as DER bytes, or ``None`` (PEP 748)."""

    @property
    def session(self):
        """An opaque resumable session, or ``None`` (under TLS 1.3, valid after the first read)."""
        return None

    @property
    def session_reused(self):
        """Whether the handshake resumed a session (False when unknown)."""
        return False

    # ---- PEP 543 draft and PEP 748 aliases
    def bytes_buffered(self):
        """PEP 543 draft name for :meth:`outgoing_bytes_buffered`."""
        return self.outgoing_bytes_buffered()

    def process_incoming(self, data):
        """PEP 748 name for :meth:`receive_from_network`."""
        self.receive_from_network(data)

    def process_outgoing(self, amt):
        """PEP 748: take (and remove) up to ``amt`` bytes of outgoing ciphertext."""
        data = self.peek_outgoing(amt)
        if data:
            self.consume_outgoing(len(data))
        return data


# --------------------------------------------------------------------------- backend
class Backend(collections.namedtuple(
        "Backend", "client_context server_context certificate private_key trust_store name")):
    """A TLS implementation: its classes, so generic code can build any of them.

    ``name`` is httpkit's addition (appended, as PEP 543 allows new fields).
    A side the backend cannot do is ``None``.
    """

    __slots__ = ()

    def validate_config(self, configuration):
        """PEP 748: raise ConfigurationError if this backend can't honour ``configuration``."""
        self.client_context(configuration)
