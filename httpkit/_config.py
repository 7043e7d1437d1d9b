"""Request settings as values: timeouts and TLS (verify/cert) settings.

Rules:
- Timeouts are never infinite by default: ``DEFAULT_TIMEOUT`` is connect 10 s,
  read 30 s, write 30 s, pool 30 s and no total deadline. ``timeout=5`` sets
  connect and read like requests (and write and pool too); ``(3, 27)`` is
  (connect, read); ``None`` disables them (explicitly, never by accident).
  Values are checked where they are given (zero, negative, bools and
  strings are an InvalidTimeout), the same for every front-end.
- ``verify`` and ``cert`` map onto httpkit.tls: ``True`` = certifi, a path =
  a CA file or hashed directory, ``"system"`` = the OS store, a TrustStore as
  is, ``False`` = no verification (a warning is issued). Environment
  variables never change ``verify``; ``verify=False`` always means False.
"""
from __future__ import absolute_import, division, print_function

import math
import numbers
import threading

from ._compat import string_types
from .exceptions import InvalidTimeout

__all__ = ["Timeouts", "DEFAULT_TIMEOUT", "TLSSettings"]

_UNSET = object()


class Timeouts(object):
    """Timeouts in seconds per phase, plus an optional total deadline.

    Every value is a positive number of seconds or None (no limit); zero, a
    negative number, a bool, a string or NaN raise :class:`InvalidTimeout`
    here, so a mistake is reported at the call, never as an odd socket error.

    Args:
        timeout: default for every phase not given explicitly.
        connect: TCP connect plus TLS handshake.
        read: the longest wait for any bytes from the server.
        write: the longest wait to send any bytes.
        pool: the longest wait for a free connection slot.
        total: deadline for the whole request, redirects and retries included.

    Raises:
        InvalidTimeout: a value is not a positive number or None (a
            ValueError and a TypeError).
    """

    __slots__ = ("connect", "read", "write", "pool", "total")

    def __getstate__(self):  # pickle protocols 0/1 (2.7's default) need it with __slots__
        return dict((name, getattr(self, name)) for name in self.__slots__ if hasattr(self, name))

    def __setstate__(self, state):
        for name, value in state.items():
            setattr(self, name, value)

    def __init__(self, timeout=_UNSET, connect=_UNSET, read=_UNSET, write=_UNSET,
                 pool=_UNSET, total=None):
        if isinstance(timeout, Timeouts):
            base = timeout
            self.connect, self.read, self.write, self.pool = (
                base.connect, base.read, base.write, base.pool)
            self.total = base.total if total is None else total
        else:
            default = None if timeout is _UNSET else timeout
            self.connect = default if connect is _UNSET else connect
            self.read = default if read is _UNSET else read
            self.write = default if write is _UNSET else write
            self.pool = default if pool is _UNSET else pool
            self.total = total
            if timeout is _UNSET and all(v is _UNSET for v in (connect, read, write, pool)):
                raise TypeError("Timeouts() needs a default or explicit phases; "
                                "use Timeouts(None) for no timeouts")
        for name in self.__slots__:
            check_seconds(getattr(self, name), name)

    @classmethod
    def coerce(cls, value, default):
        """Turn a requests-style ``timeout=`` value into a Timeouts.

        Args:
            value: a Timeouts, a number, None, ``(connect, read)``, or a
                ``urllib3.util.Timeout`` (connect, read and total are used).
            default: what unset phases fall back to.

        Raises:
            InvalidTimeout: ``value`` is none of those, or holds a bad number.
        """
        if value is _UNSET:
            return default
        if isinstance(value, Timeouts):
            return value
        if isinstance(value, tuple):
            if len(value) != 2:
                raise _invalid("timeout tuples are (connect, read), got %r" % (value,))
            return cls(connect=check_seconds(value[0], "connect"),
                       read=check_seconds(value[1], "read"), write=value[1], pool=default.pool)
        if _is_urllib3_timeout(value):
            return _from_urllib3(cls, value, default)
        return cls(check_seconds(value, None))

    def __eq__(self, other):
        return isinstance(other, Timeouts) and all(
            getattr(self, k) == getattr(other, k) for k in self.__slots__)

    def __ne__(self, other):
        return not self == other

    def __repr__(self):
        return "Timeouts(connect=%r, read=%r, write=%r, pool=%r, total=%r)" % (
            self.connect, self.read, self.write, self.pool, self.total)


def _invalid(message):
    return InvalidTimeout(message)


def check_seconds(value, phase):
    """Return ``value`` if it is a valid timeout (a positive number or None).

    Raises:
        InvalidTimeout: zero, negative, NaN or infinite, a bool, a string...
    """
    if value is None:
        return value
    what = "timeout" if phase is None else "%s timeout" % phase
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _invalid("%s must be an int, float or None (seconds), not %r (%s)"
                       % (what, value, type(value).__name__))
    if not value > 0 or math.isinf(value):  # ``not >``: NaN fails too
        raise _invalid("%s must be a positive number of seconds (or None for no limit), "
                       "not %r" % (what, value))
    return value


def _is_urllib3_timeout(value):
    # Duck typing by module: urllib3 is never imported just to look.
    return type(value).__module__.startswith("urllib3.") and hasattr(value, "_connect") \
        and hasattr(value, "_read") and hasattr(value, "total")


def _from_urllib3(cls, value, default):
    """Map a ``urllib3.util.Timeout``: its connect and read, and its total as the deadline.

    urllib3's ``total`` caps connect and read when they are not given; here
    it is also the whole request's deadline (``Timeouts.total``).
    """
    unset = getattr(type(value), "DEFAULT_TIMEOUT", _UNSET)
    total = check_seconds(value.total if value.total is not unset else None, "total")

    def phase(raw, name):
        if raw is unset:
            return total if total is not None else getattr(default, name)
        return check_seconds(raw, name)
    connect, read = phase(value._connect, "connect"), phase(value._read, "read")
    return cls(connect=connect, read=read, write=read, pool=default.pool, total=total)


DEFAULT_TIMEOUT = Timeouts(connect=10.0, read=30.0, write=30.0, pool=30.0)
UNSET = _UNSET


class _Resumption(object):
    """What a TLSSettings knows of resuming TLS sessions with one pool key."""

    __slots__ = ("session", "skip", "rest")

    def __init__(self):
        self.session = None  # what the next new connection offers
        self.skip = 0        # new connections left that take no session
        self.rest = 0        # the length of the last such rest (0: none since a resumption)


class TLSSettings(object):
    """Builds (and caches) one httpkit.tls ClientContext per verify/cert choice.

    It also keeps the TLS session of each pool key's last new connection (host,
    port, proxy and contexts), so the next new connection there resumes it where
    the server allows, instead of a full handshake (as curl and browsers do). A
    session is only offered to the same host through the same context: the same
    trust settings and client certificate.

    Taking a session and offering it cost ~0.25 ms of CPU each with Python's
    ``ssl`` (it copies the session, the server's certificate included), a fifth
    of a full handshake. So with a server that gives no session to resume, or
    does not resume the one offered, the next new connections there take none:
    4, then twice as many after each further miss, up to 256.
    """

    #: Pool keys whose sessions are remembered (the oldest is dropped past this).
    MAX_SESSIONS = 128
    #: New connections that take no session after a miss (doubling per miss, up to MAX_REST).
    FIRST_REST, MAX_REST = 4, 256

    def __init__(self, backend=None):
        self._backend_name = backend
        self._backend = None
        self._contexts = {}
        self._last = (None, None, None)  # (verify, cert, context) of the last context_for
        self._lock = threading.Lock()
        self._sessions = {}  # pool key -> _Resumption

    def session_for(self, key):
        """The session a new connection with pool ``key`` resumes, or None."""
        known = self._sessions.get(key)
        return None if known is None else known.session

    def keep_session(self, key, buf):
        """A new connection's first response ended: keep its TLS buffer ``buf``'s
        session for the next new connection with ``key``, or rest after a miss."""
        known = self._sessions.get(key)
        if known is None:
            known = self._remember(key)
        elif known.skip:
            known.skip -= 1
            return
        offered = known.session
        if offered is not None and not buf.session_reused:
            session = None  # (the server did not resume: its next session would not do better)
        else:
            session = buf.session
            if offered is not None:
                known.rest = 0
        known.session = session
        if session is None:
            known.rest = min(known.rest * 2, self.MAX_REST) if known.rest else self.FIRST_REST
            known.skip = known.rest

    def _remember(self, key):
        sessions = self._sessions
        if len(sessions) >= self.MAX_SESSIONS:
            try:
                del sessions[next(iter(sessions))]
            except (KeyError, StopIteration, RuntimeError):  # another thread was first
                pass
        known = sessions[key] = _Resumption()
        return known

    @property
    def backend(self):
        if self._backend is None:
            from . import tls
            self._backend = tls.backend(self._backend_name)
        return self._backend

    def context_for(self, verify, cert):
        """Return the ClientContext for a request's ``verify`` and ``cert``.

        Raises:
            SSLError: a CA bundle, certificate or key is missing, unreadable
                or not what its argument needs (the message names the file),
                or the TLS backend refused them (a key not matching its certificate).
        """
        last = self._last
        if last[0] is verify and last[1] is cert and last[2] is not None:
            return last[2]  # (the same objects as the last request's: most requests)
        key = (verify if isinstance(verify, (bool,) + string_types) or verify is None
               else id(verify), cert if not isinstance(cert, list) else tuple(cert))
        ctx = self._contexts.get(key)
        if ctx is None:
            with self._lock:
                ctx = self._contexts.get(key)
                if ctx is None:
                    ctx = self._build(verify, cert)
                    self._contexts[key] = ctx
        if not isinstance(cert, list):  # (a list may change in place: not remembered)
            self._last = (verify, cert, ctx)
        return ctx

    def _build(self, verify, cert):
        from . import tls
        from .exceptions import SSLError
        config = build_tls_configuration(verify, cert)
        try:
            backend = self.backend
        except tls.TLSError as exc:  # BackendUnavailable: tls_backend= names no usable one
            raise SSLError(str(exc), tls_error=exc)
        try:
            return backend.client_context(config)
        except tls.TLSError as exc:
            raise _refused(exc, verify, cert)


def build_tls_configuration(verify, cert):
    """Map requests-style ``verify``/``cert`` to a TLSConfiguration.

    Files are checked here, before any backend sees them, so every backend
    reports the same mistake the same way.

    Raises:
        SSLError: a bad ``verify`` or ``cert`` (see :meth:`TLSSettings.context_for`).
    """
    from . import tls
    alpn = (tls.NextProtocol.HTTP1,)
    if verify is False:
        config = tls.TLSConfiguration(validate_certificates=False, inner_protocols=alpn)
    elif verify is True or verify is None:
        config = tls.TLSConfiguration(trust_store=tls.TrustStore.certifi(), inner_protocols=alpn)
    elif isinstance(verify, tls.TrustStore):
        config = tls.TLSConfiguration(trust_store=verify, inner_protocols=alpn)
    elif verify == "system":
        config = tls.TLSConfiguration(trust_store=tls.TrustStore.system(), inner_protocols=alpn)
    elif isinstance(verify, string_types):
        config = tls.TLSConfiguration(trust_store=tls.TrustStore.from_file(_ca_path(verify)),
                                      inner_protocols=alpn)
    else:
        raise _tls_mistake("verify must be True, False, 'system', a CA bundle path or a "
                           "TrustStore, not %r" % (verify,))
    if cert:
        config = config.update(certificate_chain=_chain(cert))
    return config


# --------------------------------------------------------------------------- TLS files
_CERT_PEM = b"CERTIFICATE-----"
_KEY_PEM = b"PRIVATE KEY-----"


def _tls_mistake(message):
    """An SSLError for a verify=/cert= mistake (``reason`` is ``"configuration"``)."""
    from .exceptions import SSLError
    from .tls import ConfigurationError
    return SSLError(message, tls_error=ConfigurationError(message))


def _read_tls_file(path, what):
    """Return the bytes of ``path``, or raise an SSLError saying why it cannot be used."""
    import io
    import os
    if not os.path.exists(path):
        raise _tls_mistake("%s %r does not exist" % (what, path))
    if os.path.isdir(path):
        raise _tls_mistake("%s %r is a directory, not a file" % (what, path))
    try:
        with io.open(path, "rb") as f:
            return f.read()
    except (IOError, OSError) as exc:
        raise _tls_mistake("cannot read %s %r: %s" % (what, path, exc.strerror or exc))


def _ca_path(path):
    """Check a ``verify=`` path: a hashed directory, or a PEM file holding certificates."""
    import os
    what = "the CA bundle (verify=)"
    if not os.path.exists(path):  # requests' words
        raise _tls_mistake("Could not find a suitable TLS CA certificate bundle, invalid "
                           "path: %s" % (path,))
    if os.path.isdir(path):
        return path
    data = _read_tls_file(path, what)
    if _CERT_PEM not in data:
        if _KEY_PEM in data:
            raise _tls_mistake("%s %r is a private key, not CA certificates (a client key "
                               "goes in cert=(certfile, keyfile))" % (what, path))
        raise _tls_mistake("%s %r holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
                           % (what, path))
    return path


def _check_cert_file(path, with_key):
    what = "the client certificate (cert=)"
    data = _read_tls_file(path, what)
    if b"-----BEGIN" not in data:
        return  # DER: the backend judges it
    if _CERT_PEM not in data:
        if _KEY_PEM in data:
            raise _tls_mistake("%s %r is a private key, not a certificate (the order is "
                               "cert=(certfile, keyfile))" % (what, path))
        raise _tls_mistake("%s %r holds no PEM certificate" % (what, path))
    if with_key and _KEY_PEM not in data:
        raise _tls_mistake("%s %r holds a certificate but no private key: pass "
                           "cert=(certfile, keyfile)" % (what, path))


def _check_key_file(path):
    what = "the private key (cert=)"
    data = _read_tls_file(path, what)
    if b"-----BEGIN" in data and _KEY_PEM not in data:
        if _CERT_PEM in data:
            raise _tls_mistake("%s %r is a certificate, not a private key (the order is "
                               "cert=(certfile, keyfile))" % (what, path))
        raise _tls_mistake("%s %r holds no PEM private key" % (what, path))


def _cert_files(cert):
    """``(certfile, keyfile, password)`` of a ``cert=`` value, checked."""
    import os
    if isinstance(cert, string_types):
        certfile, keyfile = cert, None
    elif isinstance(cert, (tuple, list)) and len(cert) in (2, 3) \
            and all(isinstance(p, string_types) for p in cert[:2]):
        certfile, keyfile = cert[:2]
    else:
        raise _tls_mistake("cert must be a path, (certfile, keyfile) or (certfile, keyfile, "
                           "password), not %r" % (cert if not isinstance(cert, (tuple, list))
                                                  else tuple(cert[:2]),))
    # Missing files first, in requests' words.
    if not os.path.exists(certfile):
        raise _tls_mistake("Could not find the TLS certificate file, invalid path: %s"
                           % (certfile,))
    if keyfile is not None and not os.path.exists(keyfile):
        raise _tls_mistake("Could not find the TLS key file, invalid path: %s" % (keyfile,))
    _check_cert_file(certfile, with_key=keyfile is None)
    if keyfile is None:
        return certfile, certfile, None
    _check_key_file(keyfile)
    return certfile, keyfile, cert[2] if len(cert) == 3 else None


def _chain(cert):
    from . import tls
    certfile, keyfile, password = _cert_files(cert)
    return ((tls.Certificate.from_file(certfile),),
            tls.PrivateKey.from_file(keyfile, password=password))


def _refused(exc, verify, cert):
    """The SSLError for a configuration the TLS backend refused, naming the files."""
    from .exceptions import SSLError
    text = str(exc) or type(exc).__name__
    if cert and "trust store" not in text:
        certfile, keyfile = (cert, cert) if isinstance(cert, string_types) else cert[:2]
        if "mismatch" in text.lower():
            message = ("the private key %r does not match the certificate %r (cert=): %s"
                       % (keyfile, certfile, text))
        else:
            message = "cannot use the client certificate %r with the key %r (cert=): %s" % (
                certfile, keyfile, text)
            if _is_encrypted(keyfile) and (isinstance(cert, string_types) or len(cert) < 3):
                message += " (the key is encrypted: pass cert=(certfile, keyfile, password))"
    elif isinstance(verify, string_types) and verify != "system":
        message = "cannot use the CA bundle %r (verify=): %s" % (verify, text)
    else:
        message = "the TLS configuration was refused: %s" % (text,)
    return SSLError(message, tls_error=exc)


def _is_encrypted(keyfile):
    try:
        with open(keyfile, "rb") as f:
            return b"ENCRYPTED" in f.read()
    except (IOError, OSError):
        return False
