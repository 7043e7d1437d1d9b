"""Build pyOpenSSL ``SSL.Context`` objects from a PEP 543 TLSConfiguration.

The ``"openssl"`` backend (:mod:`._pyopenssl`) calls :func:`build` once per
configuration; its buffers only add per-connection state.

Rules:
- Contexts are built ONCE and never changed afterwards: newer pyOpenSSL
  refuses to change a Context after it made a Connection.
- The version range is narrowed to what the cipher list allows (a TLS 1.3
  only cipher list implies TLS 1.3), and a configuration OpenSSL rejects is a
  ConfigurationError naming OpenSSL's reason, raised here, not at handshake.
- pyOpenSSL 21 (Python 2.7) and current pyOpenSSL take different object
  types; ``_pass_modern`` hides the difference.
"""
from __future__ import absolute_import, division, print_function

import re

from OpenSSL import SSL, crypto

from . import _api
from ._api import ConfigurationError, TLSConfiguration, TLSVersion

# cryptography's cffi binding, the one pyOpenSSL itself is built on (2.7 and 3.x).
from OpenSSL._util import lib as _lib

__all__ = ["build", "client_context", "server_context", "reason_text"]

_VERSION_NUMBERS = {
    TLSVersion.SSLv3: 0x0300, TLSVersion.TLSv1: 0x0301, TLSVersion.TLSv1_1: 0x0302,
    TLSVersion.TLSv1_2: 0x0303, TLSVersion.TLSv1_3: 0x0304,
}
_NO_VERSION_OPTIONS = (
    (0x0300, "OP_NO_SSLv3"), (0x0301, "OP_NO_TLSv1"), (0x0302, "OP_NO_TLSv1_1"),
    (0x0303, "OP_NO_TLSv1_2"), (0x0304, "OP_NO_TLSv1_3"),
)
_TLS13_IDS = frozenset(range(0x1301, 0x1306))
_PEM_RE = re.compile(b"-----BEGIN CERTIFICATE-----.+?-----END CERTIFICATE-----", re.DOTALL)


def _version_bounds(config):
    """Return (floor, ceiling) as OpenSSL numbers; 0 means "no limit"."""
    lo, hi = config.lowest_supported_version, config.highest_supported_version
    for version in (lo, hi):
        if version not in _VERSION_NUMBERS and version not in (
                TLSVersion.MINIMUM_SUPPORTED, TLSVersion.MAXIMUM_SUPPORTED):
            raise ConfigurationError("pyOpenSSL backend cannot use %s" % (version,))
    lo = 0 if lo is TLSVersion.MINIMUM_SUPPORTED else _VERSION_NUMBERS[lo]
    hi = 0 if hi is TLSVersion.MAXIMUM_SUPPORTED else _VERSION_NUMBERS[hi]
    if hi and lo > hi:
        raise ConfigurationError("lowest_supported_version is above highest_supported_version")
    return lo, hi


def _split_ciphers(ciphers):
    """Split suites into (TLS 1.3 names, OpenSSL names for TLS 1.2 and below)."""
    tls13, legacy = [], []
    for suite in ciphers:
        ident = int(suite)
        name = _api.OPENSSL_CIPHER_NAMES.get(ident)
        if name is None:
            continue  # no OpenSSL name: cannot be offered, skip (best effort)
        (tls13 if ident in _TLS13_IDS else legacy).append(name)
    if not tls13 and not legacy:
        raise ConfigurationError("none of the configured cipher suites is usable by OpenSSL")
    return tls13, legacy


def _narrow_for_ciphers(lo, hi, tls13, legacy):
    """Keep only the versions the chosen suites can run on."""
    if not legacy:
        lo = max(lo, 0x0304)
    if not tls13:
        hi = min(hi or 0x0303, 0x0303)
    if hi and lo > hi:
        raise ConfigurationError("the configured cipher suites fit none of the allowed versions")
    return lo, hi


def _apply_versions(ctx, lo, hi):
    if hasattr(ctx, "set_min_proto_version"):
        ctx.set_min_proto_version(lo)
        ctx.set_max_proto_version(hi)
        return
    options = 0  # pragma: no cover - very old pyOpenSSL: the OP_NO_* trick
    for number, name in _NO_VERSION_OPTIONS:
        if (lo and number < lo) or (hi and number > hi):
            options |= getattr(SSL, name, 0)
    ctx.set_options(options)


def _apply_ciphers(ctx, tls13, legacy):
    if legacy:
        ctx.set_cipher_list(":".join(legacy).encode("ascii"))
    if not tls13:
        return
    suites = ":".join(tls13).encode("ascii")
    if hasattr(ctx, "set_tls13_ciphersuites"):
        ctx.set_tls13_ciphersuites(suites)
    elif hasattr(_lib, "SSL_CTX_set_ciphersuites"):
        if not _lib.SSL_CTX_set_ciphersuites(ctx._context, suites):
            raise ConfigurationError("OpenSSL rejected the TLS 1.3 cipher suites")


def _pem_certificates(data):
    """Load every certificate in a PEM blob, in order."""
    blocks = _PEM_RE.findall(data)
    return [crypto.load_certificate(crypto.FILETYPE_PEM, block) for block in blocks]


def _load_trust(ctx, store):
    """Point ``ctx`` at the roots ``store`` names (``None`` means certifi; a union, each)."""
    for member in (None,) if store is None else store.members():
        _load_one(ctx, member)


def _load_one(ctx, store):
    kind = "certifi" if store is None else store.kind
    if kind == "certifi":
        import certifi
        ctx.load_verify_locations(certifi.where())
    elif kind == "system":
        ctx.set_default_verify_paths()
    elif kind == "file":
        ctx.load_verify_locations(store.path)
    elif kind == "directory":
        ctx.load_verify_locations(None, store.path)
    else:
        certs = _pem_certificates(store.buffer)
        if not certs:
            raise ConfigurationError("trust store buffer holds no PEM certificate")
        x509_store = ctx.get_cert_store()
        for cert in certs:
            _pass_modern(x509_store.add_cert, cert)


def _load_key(key):
    # An empty passphrase makes an encrypted key fail instead of letting
    # OpenSSL prompt on the terminal.
    password = key.password()
    return crypto.load_privatekey(crypto.FILETYPE_PEM, key.pem(),
                                  password if password is not None else b"")


def _load_chain(ctx, chain):
    """Install our own certificate chain and key: leaf first, then intermediates."""
    certificates, key = chain
    x509s = []
    for cert in certificates:
        x509s.extend(_pem_certificates(cert.pem()))
    if not x509s:
        raise ConfigurationError("certificate_chain holds no certificate")
    _pass_modern(ctx.use_certificate, x509s[0])
    for extra in x509s[1:]:
        _pass_modern(ctx.add_extra_chain_cert, extra)
    _pass_modern(ctx.use_privatekey, _load_key(key))
    ctx.check_privatekey()


def _pass_modern(method, obj):
    """Give ``method`` a cryptography object; pyOpenSSL < 24.3 takes only its own types.

    Newer pyOpenSSL deprecates its X509/PKey wrappers, older rejects anything else.
    """
    modern = obj.to_cryptography_key() if isinstance(obj, crypto.PKey) else obj.to_cryptography()
    try:
        return method(modern)
    except TypeError:
        return method(obj)


def _base_context(config):
    """An SSL.Context with everything clients and servers share."""
    ctx = SSL.Context(getattr(SSL, "TLS_METHOD", SSL.SSLv23_METHOD))
    ctx.set_options(SSL.OP_NO_COMPRESSION)
    ctx.set_mode(_lib.SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER | _lib.SSL_MODE_ENABLE_PARTIAL_WRITE)
    tls13, legacy = _split_ciphers(config.ciphers)
    lo, hi = _narrow_for_ciphers(*(_version_bounds(config) + (tls13, legacy)))
    _apply_versions(ctx, lo, hi)
    _apply_ciphers(ctx, tls13, legacy)
    if config.certificate_chain is not None:
        _load_chain(ctx, config.certificate_chain)
    return ctx


def build(factory, config):
    """Run a context factory, turning OpenSSL complaints into ConfigurationError."""
    if not isinstance(config, TLSConfiguration):
        raise TypeError("expected a TLSConfiguration, got %r" % (config,))
    try:
        return factory(config)
    except (SSL.Error, crypto.Error) as exc:
        raise ConfigurationError("pyOpenSSL rejected the configuration: %s" % (reason_text(exc),))
    except (IOError, OSError) as exc:
        raise ConfigurationError("cannot load TLS material: %s" % (exc,))


# OpenSSL < 3 keeps the peer's chain only when verification succeeds.
_DROPS_FAILED_CHAIN = _lib.OpenSSL_version_num() < 0x30000000


def keep_failed_leaf(conn, cert, errno, depth, ok):
    """Verify callback: keep a leaf that failed as ``conn.failed_leaf`` (DER), for messages.

    Only installed where OpenSSL drops the chain of a failed verification;
    it never changes the outcome.
    """
    if depth == 0 and not ok:
        conn.failed_leaf = crypto.dump_certificate(crypto.FILETYPE_ASN1, cert)
    return ok


def client_context(config):
    ctx = _base_context(config)
    if config.validate_certificates:
        _load_trust(ctx, config.trust_store)
        if _DROPS_FAILED_CHAIN:
            ctx.set_verify(SSL.VERIFY_PEER, keep_failed_leaf)
        else:
            ctx.set_verify(SSL.VERIFY_PEER)
    else:
        ctx.set_verify(SSL.VERIFY_NONE)
    protocols = [_api.protocol_bytes(p) for p in config.inner_protocols]
    if protocols:
        ctx.set_alpn_protos(protocols)
    return ctx


def server_context(config, sni_callback=None):
    ctx = _base_context(config)
    ctx.set_session_id(b"httpkit")  # needed to resume sessions with client auth
    if config.trust_store is not None and config.validate_certificates:
        _load_trust(ctx, config.trust_store)
        ctx.set_verify(SSL.VERIFY_PEER | SSL.VERIFY_FAIL_IF_NO_PEER_CERT)
    else:
        ctx.set_verify(SSL.VERIFY_NONE)
    protocols = [_api.protocol_bytes(p) for p in config.inner_protocols]
    if protocols:
        ctx.set_alpn_select_callback(_alpn_selector(protocols))
    if sni_callback is not None:
        ctx.set_tlsext_servername_callback(sni_callback)
    return ctx


def _alpn_selector(preferred):
    """Server ALPN: our first protocol the client offers; no overlap -> no ALPN."""
    def select(conn, offered):
        for proto in preferred:
            if proto in offered:
                return proto
        return SSL.NO_OVERLAPPING_PROTOCOLS
    return select


def reason_text(exc):
    """OpenSSL's reason strings from a pyOpenSSL error, joined."""
    args = exc.args[0] if exc.args else None
    if isinstance(args, list) and args and all(isinstance(a, tuple) for a in args):
        return "; ".join(str(a[-1]) for a in args)
    return " ".join(str(a) for a in exc.args) or type(exc).__name__

